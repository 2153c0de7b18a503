"""The exit code of a crawl, from its stats: what cron and systemd alert on."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.outcome import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    ITEM_ERRORS,
    LOGGED_ERRORS,
    MANIFEST_REPAIRED,
    MANIFEST_UNWRITABLE,
    bad_arguments,
    crawl_outcome,
    manifest_damage,
    pair_counts,
    refused,
    start_failed,
)


def finished_crawl(**extra: Any) -> dict[str, Any]:
    """The stats of a healthy crawl of a small blog (the shape Scrapy and the project write)."""
    stats: dict[str, Any] = {
        "finish_reason": "finished",
        "elapsed_time_seconds": 12.4,
        "bitext/discovery/sitemap": 3,
        "bitext/posts/parsed": 3,
        "bitext/sources/ok": 2,
        "bitext/sources/source_not_found": 1,
        "bitext/pairs/ok": 2,
        "bitext/pairs/source_not_found": 1,
        "downloader/request_count": 9,
        "downloader/response_status_count/200": 7,
        "downloader/response_status_count/404": 1,
        "downloader/exception_count": 1,
        "robotstxt/response_status_count/200": 2,
        "warc/responses": 8,
        "warc/revisits": 1,
        # Scrapy counts a source that could not be downloaded as an ERROR line: not a failure.
        "log_count/ERROR": 2,
    }
    stats.update(extra)
    return stats


def without(stats: dict[str, Any], *prefixes: str) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if not k.startswith(prefixes)}


def test_a_finished_crawl_exits_0_with_its_figures() -> None:
    outcome = crawl_outcome(finished_crawl(), "t2")
    assert outcome.code == EXIT_OK
    assert outcome.ok
    assert outcome.summary == (
        "t2: finished; 3 posts parsed, 3 pairs (2 ok), 9 WARC records, 9 requests in 12 s"
    )


@pytest.mark.parametrize("reason", ["warc_open_error", "warc_write_error", "shutdown"])
def test_a_crawl_that_closed_early_exits_1(reason: str) -> None:
    outcome = crawl_outcome(finished_crawl(finish_reason=reason), "t2")
    assert outcome.code == EXIT_FAILED
    assert f"closed with {reason}" in outcome.summary


def test_a_crawl_stopped_before_its_close_says_so_not_none() -> None:
    outcome = crawl_outcome(finished_crawl(finish_reason=None), "t2")
    assert outcome.code == EXIT_FAILED
    assert "None" not in outcome.summary
    assert outcome.summary.startswith("t2: failed, the crawl was stopped before it could close")


def test_a_busy_archive_exits_3() -> None:
    outcome = crawl_outcome(finished_crawl(finish_reason="archive_locked"), "t1")
    assert outcome.code == EXIT_LOCKED
    assert outcome.summary.startswith("t1: refused")


def test_an_unreachable_blog_exits_1() -> None:
    # Every request failed below HTTP: no response at all.
    stats = {
        "finish_reason": "finished",
        "downloader/request_count": 9,
        "downloader/exception_count": 9,
        "log_count/ERROR": 3,
    }
    outcome = crawl_outcome(stats, "t2")
    assert outcome.code == EXIT_FAILED
    assert "nothing could be fetched" in outcome.summary
    assert "9 download errors" in outcome.summary


def test_robots_txt_alone_is_not_a_fetched_blog() -> None:
    stats = without(finished_crawl(), "bitext/", "downloader/response_status_count/")
    stats["downloader/response_status_count/200"] = 2  # the two robots.txt files
    stats["downloader/response_status_count/503"] = 4  # sitemap and feed, retried
    assert crawl_outcome(stats, "t2").code == EXIT_FAILED


def test_a_blog_that_answers_404_everywhere_exits_1() -> None:
    stats = without(finished_crawl(), "bitext/", "downloader/response_status_count/", "robotstxt/")
    stats["downloader/response_status_count/404"] = 3
    stats["robotstxt/response_status_count/404"] = 1
    assert crawl_outcome(stats, "t2").code == EXIT_FAILED


def test_a_day_without_new_posts_is_a_success() -> None:
    # The sitemap was read; nothing in it fell in the date window.
    stats = without(finished_crawl(), "bitext/", "downloader/response_status_count/")
    stats["downloader/response_status_count/200"] = 3  # robots.txt, sitemap index, sitemap
    outcome = crawl_outcome(stats, "t2")
    assert outcome.code == EXIT_OK
    assert "0 posts parsed, 0 pairs (0 ok)" in outcome.summary


def test_every_post_unavailable_exits_1_but_some_do_not() -> None:
    all_failed = without(finished_crawl(), "bitext/posts/", "bitext/pairs/", "bitext/sources/")
    all_failed["bitext/posts/unavailable"] = 3
    outcome = crawl_outcome(all_failed, "t2")
    assert outcome.code == EXIT_FAILED
    assert "no discovered post could be fetched" in outcome.summary
    assert crawl_outcome(finished_crawl(**{"bitext/posts/unavailable": 1}), "t2").code == EXIT_OK


@pytest.mark.parametrize("key", [LOGGED_ERRORS, ITEM_ERRORS, "spider_exceptions/count"])
def test_errors_in_the_project_s_own_components_exit_1(key: str) -> None:
    outcome = crawl_outcome(finished_crawl(**{key: 2}), "t2")
    assert outcome.code == EXIT_FAILED
    assert "2 errors in the crawler's own components" in outcome.summary


def test_a_line_the_manifest_schema_refused_fails_the_crawl() -> None:
    # Written repaired, nothing lost, and still a bug: the crawl exits 1 and says what happened.
    outcome = crawl_outcome(finished_crawl(**{MANIFEST_REPAIRED: 1}), "t2")
    assert outcome.code == EXIT_FAILED
    assert outcome.summary == (
        "t2: failed, the manifest schema refused lines (a bug in the crawler): 1 pair line "
        "written repaired, with their defects; the lines as they were are in "
        "rejected-pairs.jsonl; 3 posts parsed, 3 pairs (2 ok), 9 WARC records, 9 requests in 12 s"
    )
    # Also when its ERROR lines were not counted (scrapy crawl, a log handler missing).
    both = finished_crawl(**{MANIFEST_REPAIRED: 2, MANIFEST_UNWRITABLE: 1, LOGGED_ERRORS: 3})
    outcome = crawl_outcome(both, "t2")
    assert outcome.code == EXIT_FAILED
    assert "2 pair lines written repaired" in outcome.summary
    assert "and 1 line that could not be written" in outcome.summary
    assert crawl_outcome(finished_crawl(**{MANIFEST_UNWRITABLE: 1}), "t2").code == EXIT_FAILED
    assert manifest_damage(finished_crawl()) is None
    assert manifest_damage(finished_crawl(**{MANIFEST_REPAIRED: 0})) is None
    # Not a status: the figures count pairs by status only.
    assert pair_counts(finished_crawl(**{MANIFEST_REPAIRED: 1})) == {"ok": 2, "source_not_found": 1}


def test_a_closed_archive_wins_over_other_findings() -> None:
    stats = finished_crawl(finish_reason="warc_write_error", **{LOGGED_ERRORS: 1})
    assert "closed with warc_write_error" in crawl_outcome(stats, "t2").summary


def test_outcomes_of_crawls_that_did_not_run() -> None:
    assert start_failed("t2", "NotADirectoryError: x").code == EXIT_FAILED
    assert refused("t2", "ARCHIVE_DIR is being written by pid 7").code == EXIT_LOCKED
    usage = bad_arguments("no spider named 'x'")
    assert (usage.code, usage.summary) == (EXIT_USAGE, "bad arguments: no spider named 'x'")


def test_pair_counts_by_status() -> None:
    assert pair_counts(finished_crawl()) == {"ok": 2, "source_not_found": 1}
    assert pair_counts({}) == {}
