"""Progress a person can read: one line every ``PROGRESS_INTERVAL`` seconds, a summary at the end.

Scrapy's own periodic line counts pages and items; an operator watching a crawl of a blog of
thousands of posts wants posts, sources and pairs, and how long is left. The numbers come from
the stats the spider, the archive cache and the pairs pipeline keep (``bitext/discovery/*``,
``bitext/posts/*``, ``bitext/incremental/posts_unchanged``, ``bitext/sources/*``,
``bitext/pairs/*``); the formatting is pure and tested on its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler import defaults
from crawler.archive.naming import (
    closed_warc_files,
    default_crawl_host,
    open_warc_files,
    sanitize_name_part,
)
from crawler.outcome import POSTS_PREFIX, manifest_damage, pair_counts, plural
from crawler.policy.refetch import POSTS_UNCHANGED

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DISCOVERY_PREFIX = "bitext/discovery/"
SOURCES_PREFIX = "bitext/sources/"
FOUND_BY = ("sitemap", "feed", "argument")  # how the spider found a post it then scheduled
POST_FAILURES = ("unparsable", "unavailable")
META_CITED_URL = "cited_url"  # set by the spider on every source request


@dataclass(frozen=True)
class Snapshot:
    """What the crawl has done so far, as counts."""

    elapsed: float  # seconds since the spider opened
    posts_found: int  # scheduled for fetching, however found
    # fetched and judged (parsed, unparsable, unavailable, out of the window), or unchanged
    posts_done: int
    posts_failed: int
    sources_fetched: int
    sources_pending: int  # requested and not yet settled
    pages_per_minute: float
    sources: Mapping[str, int] = field(default_factory=dict)  # by status
    pairs: Mapping[str, int] = field(default_factory=dict)  # by status, completed so far
    # Found and requested, answered by the archive cache: the archived copy stands (of done).
    posts_unchanged: int = 0


def snapshot(
    stats: Mapping[str, Any],
    *,
    elapsed: float,
    sources_requested: int,
    pages_per_minute: float,
) -> Snapshot:
    """Counts from the crawl's stats (the pairs pipeline counts each pair as it journals it)."""
    posts = _counts(stats, POSTS_PREFIX)
    sources = _counts(stats, SOURCES_PREFIX)
    fetched = sum(sources.values())
    unchanged = int(stats.get(POSTS_UNCHANGED) or 0)
    return Snapshot(
        elapsed=elapsed,
        posts_found=sum(int(stats.get(DISCOVERY_PREFIX + how) or 0) for how in FOUND_BY),
        posts_done=sum(posts.values()) + unchanged,
        posts_failed=sum(posts.get(kind, 0) for kind in POST_FAILURES),
        sources_fetched=fetched,
        sources_pending=max(sources_requested - fetched, 0),
        pages_per_minute=pages_per_minute,
        sources=sources,
        pairs=pair_counts(stats),
        posts_unchanged=unchanged,
    )


def eta_seconds(snap: Snapshot) -> float | None:
    """Time left at the rate posts have been done so far; None until there is a rate to go by."""
    remaining = snap.posts_found - snap.posts_done
    if snap.posts_done <= 0 or remaining <= 0 or snap.elapsed <= 0:
        return None
    return remaining * snap.elapsed / snap.posts_done


def format_progress(snap: Snapshot) -> str:
    """One log line, e.g. ``posts 12/35 done (1 failed) | sources 10 fetched, 3 pending | ...``."""
    parts = [
        f"posts {snap.posts_done}/{snap.posts_found} done ({snap.posts_failed} failed)",
        f"sources {snap.sources_fetched} fetched, {snap.sources_pending} pending",
        f"pairs {_by_status(snap.pairs)}",
        f"{snap.pages_per_minute:.0f} pages/min",
    ]
    eta = eta_seconds(snap)
    parts.append(f"ETA {format_duration(eta)}" if eta is not None else "ETA unknown")
    return "progress: " + " | ".join(parts)


@dataclass(frozen=True)
class WarcFiles:
    count: int
    size: int  # bytes


def format_summary(
    spider: str, reason: str, snap: Snapshot, warc: WarcFiles, stats: Mapping[str, Any]
) -> str:
    """The block logged when the crawl closes."""
    records = int(stats.get("warc/responses") or 0)
    revisits = int(stats.get("warc/revisits") or 0)
    requests = int(stats.get("downloader/request_count") or 0)
    received = int(stats.get("downloader/response_bytes") or 0)
    damage = manifest_damage(stats)
    return "\n".join(
        [
            f"crawl summary: {spider}, closed ({reason}) after {format_duration(snap.elapsed)}",
            f"  posts    {snap.posts_found} found, {snap.posts_done} done"
            + (f" ({snap.posts_unchanged} unchanged)" if snap.posts_unchanged else "")
            + f", {snap.posts_failed} failed",
            f"  sources  {snap.sources_fetched} fetched: {_by_status(snap.sources, 'none')}",
            f"  pairs    {sum(snap.pairs.values())}: {_by_status(snap.pairs, 'none')}",
            f"  WARC     {plural(warc.count, 'file')} written, {format_bytes(warc.size)}, "
            f"{plural(records, 'response')}, {plural(revisits, 'revisit')}",
            f"  network  {plural(requests, 'request')}, {format_bytes(received)} received",
            *([f"  FAILED   {damage}"] if damage is not None else []),
        ]
    )


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def format_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _by_status(counts: Mapping[str, int], empty: str = "none yet") -> str:
    # The most frequent first: "ok 26, source_not_found 2".
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{status} {count}" for status, count in items if count) or empty


def _counts(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): int(value)
        for key, value in stats.items()
        if key.startswith(prefix) and value
    }


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        self.task: Any = None
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.last_tick = self.started
        self.last_pages = 0
        self.cited_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        if not settings.getbool("PROGRESS_ENABLED", defaults.PROGRESS_ENABLED):
            raise NotConfigured("PROGRESS_ENABLED is off")
        interval = settings.getfloat("PROGRESS_INTERVAL", defaults.PROGRESS_INTERVAL)
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.last_tick = time.monotonic()
        self.started_wall = time.time()
        if self.interval > 0:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        # Redirect hops carry the same cited URL: a source is counted once.
        cited = request.meta.get(META_CITED_URL)
        if cited:
            self.cited_urls.add(cited)

    def log_progress(self) -> None:
        logger.info("%s", format_progress(self._snapshot()))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        snap = self._snapshot(final=True)
        summary = format_summary(spider.name, reason, snap, self._warc_files(), self._stats())
        logger.info("%s", summary)

    def _snapshot(self, final: bool = False) -> Snapshot:
        now = time.monotonic()
        stats = self._stats()
        pages = int(stats.get("response_received_count") or 0)
        if final:
            span, done = now - self.started, pages
        else:
            span, done = now - self.last_tick, pages - self.last_pages
            self.last_tick, self.last_pages = now, pages
        return snapshot(
            stats,
            elapsed=now - self.started,
            sources_requested=len(self.cited_urls),
            pages_per_minute=done * 60 / span if span > 0 else 0.0,
        )

    def _stats(self) -> dict[str, Any]:
        return dict(self.crawler.stats.get_stats()) if self.crawler.stats is not None else {}

    def _warc_files(self) -> WarcFiles:
        # This process's files: their names end with this host and pid (crawler/archive/naming.py).
        marker = f"-{sanitize_name_part(default_crawl_host())}."
        if not self.archive_dir.is_dir():
            return WarcFiles(0, 0)
        files = [
            path
            for path in [*closed_warc_files(self.archive_dir), *open_warc_files(self.archive_dir)]
            if marker in path.name and path.stat().st_mtime >= self.started_wall - 1
        ]
        return WarcFiles(len(files), sum(path.stat().st_size for path in files))
