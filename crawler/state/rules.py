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
class Observation:
    """What one fetch of a cited URL saw: enough to tell the next fetch's page from it."""

    status: str
    http_status: int | None
    payload_digest: str | None
    warc: WarcPointer | None
    fetched_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "http_status": self.http_status,
            "payload_digest": self.payload_digest,
            "warc": self.warc.to_dict() if self.warc is not None else None,
            "fetched_at": self.fetched_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Observation:
        warc = data.get("warc")
        return cls(
            status=data["status"],
            http_status=data.get("http_status"),
            payload_digest=data.get("payload_digest"),
            warc=WarcPointer.from_dict(warc) if warc else None,
            fetched_at=data["fetched_at"],
        )


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
    # The latest fetch, when the row keeps an earlier capture (crawler/state/drift.py): the
    # source was fetched again and the pairs still take the page captured first.
    observed: Observation | None = field(default=None, compare=False)
    # What a fetch found changed against the latest observation, as the crawl-log record says it
    # (``{"paragraphs": {"added": n, "removed": n, "changed": n} | null}``); None: no change.
    drift: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def checked_at(self) -> str:
        """When the cited URL was last fetched (its capture, or a later fetch of it)."""
        return self.observed.fetched_at if self.observed is not None else self.fetched_at

    def observation(self) -> Observation:
        """The latest fetch of the cited URL."""
        if self.observed is not None:
            return self.observed
        return Observation(
            self.status, self.http_status, self.payload_digest, self.warc, self.fetched_at
        )


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
    old_payload_digest: str | None = None
    new_payload_digest: str | None = None
    # Paragraphs added, removed and changed from the old page's text to the new one's, when both
    # are ok pages (crawler/state/drift.py); None otherwise.
    paragraphs: dict[str, int] | None = None


@dataclass(frozen=True)
class CheckedFile:
    """A closed WARC file as a crawl last read it whole: a file of the same size and
    modification time is not read again (crawler/state/repair.py)."""

    filename: str
    size: int
    mtime_ns: int
    records: int  # whole records
    checked_at: str
