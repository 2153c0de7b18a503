"""The one place that decides whether a run fetches a page again.

An incremental run into an archive fetches a post again only when it is new, its blog's lists
show a newer date than the archived copy, or the last attempt got no page
(:func:`post_needs_fetch`); it fetches a cited source again only when its last outcome was not
final (:func:`is_final`), its archived page cannot be read back, or it was last fetched more than
``SOURCE_RECHECK_DAYS`` ago (:func:`needs_recheck`: what the new fetch says against the archived
page is crawler/state/drift.py's). A full crawl fetches everything. :class:`RefetchPolicy`
applies these rules to the crawl state, deciding each cited URL once per run; the archive cache
(crawler/downloadermiddlewares/archive_cache.py) asks it about every listed post and cited source
the spider requests, and answers from the archive what it need not fetch. A post not fetched is
read again from the archive when its pairs are composed again (:meth:`RefetchPolicy.listed_post`,
:meth:`RefetchPolicy.owed_posts`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from enum import Enum
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
POSTS_REREAD = "bitext/incremental/posts_reread"


class PostAnswer(Enum):
    """What a run does with a listed post (:meth:`RefetchPolicy.listed_post`)."""

    FETCH = "fetch"  # new, changed since its archived copy, or never fetched with a usable page
    REREAD = "reread"  # the archived copy stands, and its pairs are composed again from it
    UNCHANGED = "unchanged"  # the archived copy and its pairs stand: nothing to do


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
        self._decided: dict[str, SourceRecord | None] = {}  # cited URL -> taken, None: fetched
        self._taken: set[str] = set()  # those taken from the archive, counted once each
        self._owing: set[str] | None = None  # posts whose pairs an earlier run did not journal
        self._citing: set[str] = set()  # archived posts citing a URL this run fetches
        self._expanded: set[str] = set()  # the fetched URLs whose citing posts are in _citing

    def post_needs_fetch(self, url: str, modified: datetime | None) -> bool:
        """Whether the listed post at ``url`` (canonical) is fetched in this run."""
        if self.full or self.state is None:
            return True
        return post_needs_fetch(self.state.post(url), modified)

    def listed_post(self, url: str, modified: datetime | None) -> PostAnswer:
        """What this run does with a post its blog's lists give (``modified``: their date for
        it). A post whose archived copy stands is read again from the archive when its pairs are
        owed (a killed run did not journal them all) or one of the URLs it cites is fetched in
        this run (no final outcome yet, a page that does not read back, a re-check): its pairs
        are composed again with what this run gets."""
        if self.post_needs_fetch(url, modified):
            return PostAnswer.FETCH
        assert self.state is not None
        self.count(POSTS_UNCHANGED)
        if url in self.owing() or any(
            self.source_outcome(cited) is None for cited in self.state.cited_urls(url)
        ):
            return PostAnswer.REREAD
        return PostAnswer.UNCHANGED

    def archived_post(self, url: str) -> PostRecord | None:
        """The archived copy of a post this run reads again (None: nothing is archived)."""
        return self.state.post(url) if self.state is not None and not self.full else None

    def owing(self) -> set[str]:
        """The archived posts an earlier run recorded without journalling all their pairs."""
        if self._owing is None:
            self._owing = set() if self.full or self.state is None else set(
                self.state.pending_posts()
            )  # fmt: skip
        return self._owing

    def owed_posts(self, requested: Collection[str]) -> list[str]:
        """The archived posts this run has not requested whose pairs it composes again: those
        owed pairs, and those citing a URL this run fetches (its new outcome changes them)."""
        if self.full or self.state is None:
            return []
        owed = set(self.owing())
        for cited in [url for url, taken in self._decided.items() if taken is None]:
            if cited not in self._expanded:  # asked at each idle: each URL's posts looked up once
                self._expanded.add(cited)
                self._citing.update(self.state.posts_citing(cited))
        return sorted(owed.union(self._citing).difference(requested))

    def source_outcome(self, url: str) -> SourceRecord | None:
        """This run's one decision on a cited URL: the archived final outcome it takes (its page,
        if it has one, reads back), or None: the URL is fetched. Decided once per run, whoever
        asks first (the archive cache for a request, or a listed post's judgement)."""
        if url not in self._decided:
            self._decided[url] = self.readable_archived_source(url)
        return self._decided[url]

    def archived_source(self, url: str) -> SourceRecord | None:
        """The final outcome an earlier run recorded for the cited URL, which this run takes
        instead of fetching it; None when the URL is fetched (a full crawl, no final outcome, or
        one due for a re-check)."""
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
        archived, a page that does not would end ``source_not_fetched`` on every run."""
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
        self._decided[url] = None
        logger.warning("archived source %s cannot be read back (%s): fetching it", url, problem)
        self.count(SOURCES_UNREADABLE)

    def count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
