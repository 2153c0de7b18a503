"""Pairing a translation with its source: composing the manifest lines, judging whether the page
fetched is the article cited, and the text metrics both use."""
