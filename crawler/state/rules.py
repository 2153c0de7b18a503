"""The records the crawl state keeps, and the rules of an incremental run.

A run fetches a post again only when it is new, its lists show a newer date than the archived
copy, or the last attempt got no page (``post_needs_fetch``); it fetches a source again only when
its last outcome was not final (``is_final``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.archive.pointer import WarcPointer

PARSED = "parsed"
UNPARSABLE = "unparsable"  # a page came, and no post could be read from it: final
UNAVAILABLE = "unavailable"  # no usable page (HTTP error, network): fetched again next run

# A source with one of these outcomes is not fetched again (unless the crawl is a full one): the
# answer was an answer. 5xx, 408/425/429, timeouts, resets and cut-off bodies are passing
# conditions, so ``source_http_error`` with those codes, ``source_unreachable`` and
# ``source_truncated`` are tried again on the next run.
FINAL_STATUSES = frozenset(
    {
        "ok",
        "source_not_found",
        "source_blocked_by_robots",
        "source_not_html",
        "source_refused",
        "source_paywalled",
    }
)
TRANSIENT_HTTP_CODES = frozenset({408, 425, 429})
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

    @property
    def final(self) -> bool:
        return is_final(self.status, self.http_status) and (
            self.warc is not None or self.status not in PAGE_STATUSES
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


@dataclass(frozen=True)
class CheckedFile:
    """A closed WARC file as a crawl last read it whole: a file of the same size and
    modification time is not read again (crawler/state/repair.py)."""

    filename: str
    size: int
    mtime_ns: int
    records: int  # whole records
    checked_at: str


def is_final(status: str, http_status: int | None) -> bool:
    """Whether a source's outcome stands until a full crawl (see FINAL_STATUSES)."""
    if status in FINAL_STATUSES:
        return True
    if status == "source_http_error" and http_status is not None:
        return 400 <= http_status < 500 and http_status not in TRANSIENT_HTTP_CODES
    return False


def post_needs_fetch(record: PostRecord | None, modified: datetime | None) -> bool:
    """Whether a listed post must be fetched: new, changed since the archived copy (its lists
    show a newer date), or never fetched with a usable page. A list entry without a date cannot
    show a change; a copy archived without one is refreshed once a list gives a date."""
    if record is None or record.parse_status == UNAVAILABLE or record.warc is None:
        return True
    if modified is None:
        return False
    if record.modified is None:
        return True
    return _aware(modified) > _aware(datetime.fromisoformat(record.modified))


def _aware(moment: datetime) -> datetime:
    # A list date written without an offset is taken as UTC, so every comparison is defined.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
