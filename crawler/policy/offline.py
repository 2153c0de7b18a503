"""The replay policy: how a crawl replayed from its archive answers each request, never fetching.

``python -m crawler rebuild`` runs the archive's crawl again with every response taken from the
archive (crawler/archive/storage.py). The crawl-log records say which items the crawl made; the
captures hold what it was given. For each request the policy picks one answer:

- ``CAPTURE``: the latest archived response of the URL, read again by the crawl's own callbacks
  (robots.txt, lists, posts and sources read from a page, redirect hops, web-archive lookups and
  captures);
- ``LOGGED``: the item of the crawl-log record, for a post or cited URL whose outcome was not
  read from a page (a timeout, a DNS failure, robots.txt, a refusal, an HTTP error, a body cut
  short): such an item holds the clock time and the error sentence of the failed fetch, which no
  response says again;
- ``LIVE_THEN_ARCHIVES``: a cited page read from a web archive's capture (``memento``): the live
  outcome the record kept, which the crawl's fallback then takes to the archives again;
- ``MISSING``: the crawl made no item of this post or cited URL, or holds no response for this
  URL: the request fails, as nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from crawler.archive.storage import ArchiveStorage, Capture
from crawler.items.crawllog import STATUSES_FROM_PAGE, LogEntry


class Answer(Enum):
    CAPTURE = "capture"
    LOGGED = "logged"
    LIVE_THEN_ARCHIVES = "live"
    MISSING = "missing"


@dataclass(frozen=True)
class Replay:
    """The answer to one request, and what it is made from."""

    answer: Answer
    capture: Capture | None = None
    entry: LogEntry | None = None  # the crawl-log record of the item this request makes
    reason: str = ""  # for MISSING: why nothing answers


def replay_request(
    storage: ArchiveStorage, url: str, *, post_url: str | None, cited_url: str | None
) -> Replay:
    """The answer to a request for ``url``; ``post_url``/``cited_url``: the post or cited URL
    the request is the first fetch of (None for a redirect hop or any other request)."""
    entry: LogEntry | None = None
    if post_url is not None:
        entry = storage.logged_item("post", post_url)
        if entry is None:
            return Replay(Answer.MISSING, reason="the archived crawl made no item of this post")
        if not entry.fields.get("from_page"):
            return Replay(Answer.LOGGED, entry=entry)
    elif cited_url is not None:
        entry = storage.logged_item("source", cited_url)
        if entry is None:
            return Replay(Answer.MISSING, reason="the archived crawl made no item of this URL")
        if entry.fields.get("memento") and entry.fields.get("live"):
            return Replay(Answer.LIVE_THEN_ARCHIVES, entry=entry)
        if entry.fields.get("status") not in STATUSES_FROM_PAGE:
            return Replay(Answer.LOGGED, entry=entry)
    capture = storage.capture(url)
    if capture is None:
        return Replay(Answer.MISSING, entry=entry, reason="no response to it is archived")
    return Replay(Answer.CAPTURE, capture=capture, entry=entry)
