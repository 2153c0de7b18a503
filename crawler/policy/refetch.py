"""The one place that decides whether a run fetches a page again.

An incremental run into an archive fetches a post again only when it is new, its blog's lists
show a newer date than the archived copy, or the last attempt got no page
(:func:`post_needs_fetch`); it fetches a cited source again only when its last outcome was not
final (:func:`is_final`), its archived page cannot be read back, or it was last fetched more than
``SOURCE_RECHECK_DAYS`` ago (:func:`needs_recheck`: what the new fetch says against the archived
page is crawler/state/drift.py's). A full crawl fetches everything. :class:`RefetchPolicy`
applies these rules to the crawl state; the archive cache
(crawler/downloadermiddlewares/archive_cache.py) asks it about every listed post and cited source
the spider requests, and answers from the archive what it need not fetch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from crawler import defaults
from crawler.state.repair import unreadable_page
from crawler.state.rules import PAGE_STATUSES, UNAVAILABLE, PostRecord, SourceRecord
from crawler.state.store import CrawlState

logger = logging.getLogger(__name__)

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

SOURCES_ARCHIVED = "bitext/incremental/sources_archived"
SOURCES_UNREADABLE = "bitext/incremental/sources_unreadable"
SOURCES_RECHECKED = "bitext/incremental/sources_rechecked"
POSTS_UNCHANGED = "bitext/incremental/posts_unchanged"


class Counter(Protocol):
    """What the policy counts with: Scrapy's stats collector, or anything with ``inc_value``."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


def is_final(status: str, http_status: int | None) -> bool:
    """Whether a source's outcome stands until a full crawl (see FINAL_STATUSES)."""
    if status in FINAL_STATUSES:
        return True
    if status == "source_http_error" and http_status is not None:
        return 400 <= http_status < 500 and http_status not in TRANSIENT_HTTP_CODES
    return False


def is_final_record(record: SourceRecord) -> bool:
    """Whether a recorded source outcome stands: final, and an outcome read from a page has its
    page in the archive."""
    return is_final(record.status, record.http_status) and (
        record.warc is not None or record.status not in PAGE_STATUSES
    )


def needs_recheck(record: SourceRecord, recheck_days: float, now: datetime) -> bool:
    """Whether a settled source was last fetched more than ``recheck_days`` before ``now`` (0 or
    less: never re-checked). A time that does not read is due: fetching costs one request."""
    if not recheck_days > 0:
        return False
    try:
        checked = _aware(datetime.fromisoformat(record.checked_at))
    except (TypeError, ValueError):
        return True
    return now - checked > timedelta(days=recheck_days)


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


class RefetchPolicy:
    """The refetch rules applied to an archive's crawl state (None: nothing is archived)."""

    def __init__(
        self,
        state: CrawlState | None,
        archive_dir: Path,
        *,
        full: bool = False,
        stats: Counter | None = None,
        recheck_days: float = defaults.SOURCE_RECHECK_DAYS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        refetched: Callable[[str], bool] | None = None,
    ) -> None:
        self.state = state
        self.archive_dir = archive_dir
        self.full = full
        self.stats = stats
        self.recheck_days = recheck_days
        self.now = now
        # Replaying an archived run: the cited URLs that run fetched again, due for a re-check
        # then (by its clock and its SOURCE_RECHECK_DAYS, which the archive does not keep).
        self.refetched = refetched
        # The cited URLs this run has asked about: an unchanged post's sources are judged once.
        self.asked: set[str] = set()
        self._taken: set[str] = set()  # those taken from the archive, counted once each

    def post_needs_fetch(self, url: str, modified: datetime | None) -> bool:
        """Whether the listed post at ``url`` (canonical) is fetched in this run."""
        if self.full or self.state is None:
            return True
        return post_needs_fetch(self.state.post(url), modified)

    def unchanged_post(self, url: str, modified: datetime | None) -> list[str] | None:
        """For a listed post this run does not fetch (its archived copy stands), the URLs its
        copy cites that are fetched nevertheless: no final outcome yet, a page that does not read
        back, or one due for a re-check. None: the post is fetched."""
        if self.post_needs_fetch(url, modified):
            return None
        assert self.state is not None
        self.count(POSTS_UNCHANGED)
        fetched = []
        for cited in self.state.cited_urls(url):
            if cited in self.asked:
                continue  # requested already, or judged for another unchanged post
            if self.readable_archived_source(cited) is None:
                fetched.append(cited)
        return fetched

    def archived_source(self, url: str) -> SourceRecord | None:
        """The final outcome an earlier run recorded for the cited URL, which this run takes
        instead of fetching it; None when the URL is fetched (a full crawl, no final outcome, or
        one due for a re-check)."""
        self.asked.add(url)
        record = self._settled(url)
        if record is not None and self.refetched is not None and self.refetched(url):
            return None
        if record is not None and needs_recheck(record, self.recheck_days, self.now()):
            self.count(SOURCES_RECHECKED)
            return None
        return record

    def _settled(self, url: str) -> SourceRecord | None:
        if self.full or self.state is None:
            return None
        record = self.state.source(url)
        return record if record is not None and is_final_record(record) else None

    def readable_archived_source(self, url: str) -> SourceRecord | None:
        """``archived_source``, once its page (if it has one) is known to read back: taken as
        archived, a page that does not would end ``source_not_fetched`` on every run (the spider
        asks, and its request then skips the archive cache)."""
        record = self.archived_source(url)
        if record is None:
            return None
        problem = unreadable_page(self.archive_dir, record)
        if problem is not None:
            self.unreadable(url, problem)
            return None
        self.taken_from_archive(url)
        return record

    def taken_from_archive(self, url: str) -> None:
        """Count a cited URL whose archived outcome this run takes, once however often it is
        judged (for an unchanged post, then when the archive cache answers its request)."""
        if url not in self._taken:
            self._taken.add(url)
            self.count(SOURCES_ARCHIVED)

    def unreadable(self, url: str, problem: object) -> None:
        """An archived page that did not read back: the source is fetched again."""
        logger.warning("archived source %s cannot be read back (%s): fetching it", url, problem)
        self.count(SOURCES_UNREADABLE)

    def count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
