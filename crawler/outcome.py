"""What a finished crawl means to a scheduler: an exit code, and one line a person can read.

cron and systemd act on the exit code alone, and ``scrapy crawl`` exits 0 for most failures (a
crawl closed because its archive could not be written, a blog that could not be reached at all),
so the decision is made here, from the crawler's stats once it has stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.archive.layout import REJECTED_NAME

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # what argparse uses for a bad command line
EXIT_LOCKED = 3  # another crawl holds the archive: not a failure, but not a crawl either

FINISHED = "finished"
LOCKED = "archive_locked"

# Counted by ``python -m crawler crawl`` while the crawl runs (Scrapy has no stat for them):
# ERROR lines logged by the project's own modules, and items a pipeline raised on.
LOGGED_ERRORS = "bitext/errors/logged"
ITEM_ERRORS = "bitext/errors/items"
SPIDER_EXCEPTIONS = "spider_exceptions/count"  # Scrapy's: a spider callback raised

# Spider and pipeline stats (crawler/spiders/blogger.py, crawler/pipelines/pairs.py).
POSTS_PREFIX = "bitext/posts/"
PAIRS_PREFIX = "bitext/pairs/"
# Lines the manifest schema refused (a bug in the crawler): written repaired, with their defects
# (crawler/manifest/repair.py), and lines that could not be written at all; both are kept as
# they were in ARCHIVE_DIR/rejected-pairs.jsonl.
MANIFEST_REPAIRED = "bitext/manifest/repaired"
MANIFEST_UNWRITABLE = "bitext/manifest/unwritable"


@dataclass(frozen=True)
class Outcome:
    code: int
    summary: str  # one line: what a scheduler's alert mail or a journal line should say

    @property
    def ok(self) -> bool:
        return self.code == EXIT_OK


def crawl_outcome(stats: Mapping[str, Any], spider: str) -> Outcome:
    """The exit code of a crawl that started, from its stats once the crawler has stopped."""
    figures = _figures(stats)
    reason = stats.get("finish_reason")
    if reason == LOCKED:
        return Outcome(EXIT_LOCKED, f"{spider}: refused, another crawl is writing the archive")
    if reason is None:
        # Scrapy sets a reason when the spider closes; a second SIGINT/SIGTERM stops the reactor
        # before that.
        return Outcome(
            EXIT_FAILED,
            f"{spider}: failed, the crawl was stopped before it could close (a forced shutdown: "
            "a second Ctrl-C or SIGTERM); what it recorded is kept in its journals and WARC "
            f"files, and the next crawl completes the manifest; {figures}",
        )
    if reason != FINISHED:
        return Outcome(EXIT_FAILED, f"{spider}: failed, the crawl closed with {reason}; {figures}")
    if _content_responses(stats) == 0:
        failures = _int(stats, "downloader/exception_count")
        return Outcome(
            EXIT_FAILED,
            f"{spider}: failed, nothing could be fetched (the blog's sitemap and feed did not "
            f"answer; {failures} download errors); {figures}",
        )
    if _posts_unavailable_only(stats):
        return Outcome(
            EXIT_FAILED, f"{spider}: failed, no discovered post could be fetched; {figures}"
        )
    damage = manifest_damage(stats)
    if damage is not None:
        return Outcome(EXIT_FAILED, f"{spider}: failed, {damage}; {figures}")
    errors = _int(stats, LOGGED_ERRORS) + _int(stats, ITEM_ERRORS) + _int(stats, SPIDER_EXCEPTIONS)
    if errors:
        return Outcome(
            EXIT_FAILED,
            f"{spider}: failed, {errors} errors in the crawler's own components "
            f"(see the log); {figures}",
        )
    return Outcome(EXIT_OK, f"{spider}: finished; {figures}")


def start_failed(spider: str, error: str) -> Outcome:
    """A crawl that could not start: its extensions, pipelines or archive raised on opening."""
    return Outcome(EXIT_FAILED, f"{spider}: failed to start: {error}")


def refused(spider: str, message: str) -> Outcome:
    return Outcome(EXIT_LOCKED, f"{spider}: refused: {message}")


def bad_arguments(message: str) -> Outcome:
    return Outcome(EXIT_USAGE, f"bad arguments: {message}")


def manifest_damage(stats: Mapping[str, Any]) -> str | None:
    """What the manifest schema refused in this crawl, as a clause; None when nothing was."""
    repaired, unwritable = _int(stats, MANIFEST_REPAIRED), _int(stats, MANIFEST_UNWRITABLE)
    if not repaired and not unwritable:
        return None
    parts = []
    if repaired:
        parts.append(f"{plural(repaired, 'pair line')} written repaired, with their defects")
    if unwritable:
        parts.append(f"{plural(unwritable, 'line')} that could not be written")
    return (
        f"the manifest schema refused lines (a bug in the crawler): {' and '.join(parts)}; "
        f"the lines as they were are in {REJECTED_NAME}"
    )


def pair_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """Pairs by status, from the ``bitext/pairs/STATUS`` stats."""
    return {
        key.removeprefix(PAIRS_PREFIX): int(value)
        for key, value in sorted(stats.items())
        if key.startswith(PAIRS_PREFIX)
    }


def _figures(stats: Mapping[str, Any]) -> str:
    parsed = _int(stats, POSTS_PREFIX + "parsed")
    pairs = pair_counts(stats)
    ok = pairs.get("ok", 0)
    records = _int(stats, "warc/responses") + _int(stats, "warc/revisits")
    requests = _int(stats, "downloader/request_count")
    elapsed = float(stats.get("elapsed_time_seconds") or 0.0)
    return (
        f"{plural(parsed, 'post')} parsed, {plural(sum(pairs.values()), 'pair')} ({ok} ok), "
        f"{plural(records, 'WARC record')}, {plural(requests, 'request')} in {elapsed:.0f} s"
    )


def plural(count: int, noun: str) -> str:
    """``1 post``, ``3 posts``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _content_responses(stats: Mapping[str, Any]) -> int:
    # A 2xx of anything but robots.txt: robots.txt alone proves the host is up, not that the
    # sitemap or the feed could be read. A 404 or a 503 everywhere is as good as nothing.
    return _sum_2xx(stats, "downloader/response_status_count/") - _sum_2xx(
        stats, "robotstxt/response_status_count/"
    )


def _sum_2xx(stats: Mapping[str, Any], prefix: str) -> int:
    return sum(
        int(value)
        for key, value in stats.items()
        if key.startswith(prefix) and key.removeprefix(prefix).startswith("2")
    )


def _posts_unavailable_only(stats: Mapping[str, Any]) -> bool:
    posts = {
        key.removeprefix(POSTS_PREFIX): int(value)
        for key, value in stats.items()
        if key.startswith(POSTS_PREFIX)
    }
    unavailable = posts.pop("unavailable", 0)
    return unavailable > 0 and not any(posts.values())


def _int(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key) or 0)
