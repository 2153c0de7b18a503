"""What a source text is: a cited page's article text and metadata (trafilatura), its paywall
signs, what it states for machines, and when it says it was published."""
