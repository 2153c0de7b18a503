"""bitext-crawler: translation blogs and their cited originals, archived as WARC and paired."""

__version__ = "0.1.0"
