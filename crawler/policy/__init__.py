"""What the crawl may fetch, and what it must fetch again.

- ``refetch.py``: whether a listed post or a cited source is fetched again on an incremental run,
  judged from what earlier crawls recorded in the archive's crawl state (crawler/state/).
"""
