"""Small helpers with no knowledge of the corpus: atomic writes, file modes, closing, terminal
text."""
