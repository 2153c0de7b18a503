"""The records the crawl state keeps. Whether a run fetches a page again is decided from them in
crawler/policy/refetch.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.archive.pointer import WarcPointer

PARSED = "parsed"
UNPARSABLE = "unparsable"  # a page came, and no post could be read from it: final
UNAVAILABLE = "unavailable"  # no usable page (HTTP error, network): fetched again next run

# These outcomes were read from a page: rebuilding them needs the archived page itself.
PAGE_STATUSES = frozenset({"ok", "source_not_html", "source_paywalled", "source_truncated"})


@dataclass(frozen=True)
class PostRecord:
    url: str  # canonical permalink
    fetched_url: str
    http_status: int
    parse_status: str  # PARSED, UNPARSABLE or UNAVAILABLE
    error: str | None
    warc: WarcPointer | None
    payload_digest: str | None
    fetched_at: str
    modified: str | None = None  # the newest lastmod/updated of the blog's lists at the fetch
    feed_published: str | None = None  # the feed's date, when the parse took the date from it


@dataclass(frozen=True)
class SourceRecord:
    cited_url: str
    status: str
    error: str | None
    url: str | None
    redirects: tuple[str, ...]
    http_status: int | None
    content_type: str | None
    warc: WarcPointer | None
    payload_digest: str | None
    fetched_at: str
    # A source read from a web archive's capture: the capture and the live URL's own outcome
    # (crawler/items/__init__.py, ``SourceItem.memento`` and ``.live``). None for a live page.
    memento: dict[str, str] | None = field(default=None, compare=False)
    live: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StatusChange:
    cited_url: str
    fetched_at: str
    old_status: str | None  # None: the first outcome recorded for this URL
    new_status: str
    old_http_status: int | None
    new_http_status: int | None
    old_warc: WarcPointer | None
    new_warc: WarcPointer | None


@dataclass(frozen=True)
class CheckedFile:
    """A closed WARC file as a crawl last read it whole: a file of the same size and
    modification time is not read again (crawler/state/repair.py)."""

    filename: str
    size: int
    mtime_ns: int
    records: int  # whole records
    checked_at: str
