"""What earlier crawls into an archive found: the crawl state that makes a daily run incremental.

``ARCHIVE_DIR/state/crawl.sqlite`` (SQLite in WAL mode, one commit per write, so a killed crawl
loses at most its last write) holds:

- ``posts``: each post permalink archived, with the ``lastmod``/``updated`` its blog's lists gave
  when it was fetched, the WARC pointer and payload digest of the page, and how it parsed;
- ``citations``: the cited URLs of each post, i.e. the pairs it must have in the manifest;
- ``sources``: the latest outcome of each cited URL (final URL, redirects, HTTP status, manifest
  status, WARC pointer, payload digest; for a page read from a web archive's capture, the
  capture's memento and the live URL's own outcome, column ``recovered``); a source whose capture
  is an ok page keeps it, and a later fetch of it is column ``observed`` (``drift.py``);
- ``history``: every change of a source's outcome across runs (``source_http_error`` -> ``ok``),
  and of a kept page (its payload digest, ``ok`` -> ``source_not_found``), with both digests and
  WARC pointers and, between two ok pages, the paragraphs added, removed and changed;
- ``journaled``: the pairs already written to a journal, so a crawl knows which posts of a killed
  run still owe their pairs;
- ``listed``: the latest ``lastmod``/``updated`` seen in the blog's sitemaps and feed;
- ``checked_files``: each closed WARC file's size and modification time when a crawl last read
  it whole, so a run reads again only a file that changed.

``CrawlState`` (``store.py``) reads and writes it; the records are in ``rules.py``; what a run
does about a damaged WARC file before it reads from the archive is in ``repair.py``. What a run
fetches again is decided from it in crawler/policy/refetch.py.
"""

from crawler.state.rules import (
    PAGE_STATUSES,
    PARSED,
    UNAVAILABLE,
    UNPARSABLE,
    CheckedFile,
    Observation,
    PostRecord,
    SourceRecord,
    StatusChange,
)
from crawler.state.store import STATE_DIR, STATE_NAME, CrawlState, StateError

__all__ = [
    "PAGE_STATUSES",
    "PARSED",
    "STATE_DIR",
    "STATE_NAME",
    "UNAVAILABLE",
    "UNPARSABLE",
    "CheckedFile",
    "CrawlState",
    "Observation",
    "PostRecord",
    "SourceRecord",
    "StateError",
    "StatusChange",
]
