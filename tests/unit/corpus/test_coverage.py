"""Which crawls wrote the manifest and which publication dates it covers."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from crawler.corpus.coverage import compute_coverage, crawl_of
from tests.unit.corpus.builders import CRAWLED_AT, CorpusFixture


def test_crawls_are_told_apart_by_crawler_and_day(corpus: CorpusFixture) -> None:
    first, second, third, fourth = corpus.pairs[:4]
    t2 = {"name": "bitext-crawler", "version": "0.2.0", "spider": "t2"}
    pairs = [
        replace(first, crawled_at="2025-08-01T23:59:00Z", crawler=t2),
        replace(second, crawled_at="2025-08-01T03:00:00.250000+00:00", crawler=t2),
        replace(third, crawled_at="2025-08-02T01:00:00Z", crawler=t2),
        # A key beyond the program's names the crawl itself, whatever the day.
        replace(fourth, crawled_at="2025-08-03T01:00:00Z", crawler={**t2, "crawl": "nightly-7"}),
        *corpus.pairs[4:],
    ]
    crawls = compute_coverage(pairs).crawls
    assert [(c.run, c.spider, c.pairs) for c in crawls] == [
        (CRAWLED_AT[:10], None, len(corpus.pairs) - 4),
        ("2025-08-01", "t2", 2),
        ("2025-08-02", "t2", 1),
        ("crawl=nightly-7", "t2", 1),
    ]
    day = crawls[1]
    assert day.program == "bitext-crawler 0.2.0"
    # First and last as instants, not as text.
    assert day.first_crawled_at == "2025-08-01T03:00:00.250000+00:00"
    assert day.last_crawled_at == "2025-08-01T23:59:00Z"
    assert crawl_of(pairs[3]) == ("bitext-crawler 0.2.0", "t2", "crawl=nightly-7")


def test_publication_range_and_posts_per_month(corpus: CorpusFixture) -> None:
    posts = {case.post.path: case.post.published for case in corpus.cases}
    coverage = compute_coverage(corpus.pairs)
    assert coverage.posts == len(posts) < len(corpus.pairs)  # a post with two citations
    assert coverage.undated_posts == 0
    assert coverage.first_published == min(posts.values()).date()
    assert coverage.last_published == max(posts.values()).date()
    months = Counter(when.strftime("%Y-%m") for when in posts.values())
    assert dict(coverage.posts_by_month) == dict(months)
    assert [m for m, _ in coverage.posts_by_month] == sorted(months)
    sources = [
        case.sources[cited].published.date()
        for case in corpus.cases
        for cited, status in case.expected_status.items()
        if status == "ok"
    ]
    assert (coverage.source_first_published, coverage.source_last_published) == (
        min(sources),
        max(sources),
    )


def test_undated_posts_come_last(corpus: CorpusFixture) -> None:
    undated = replace(
        corpus.pairs[0], translation=replace(corpus.pairs[0].translation, published=None)
    )
    others = [p for p in corpus.pairs if p.translation.url != undated.translation.url]
    coverage = compute_coverage([undated, *others])
    assert coverage.posts_by_month[-1] == ("undated", 1)
    assert coverage.undated_posts == 1


def test_empty_manifest() -> None:
    coverage = compute_coverage([])
    assert coverage.crawls == () and coverage.posts == 0
    assert coverage.first_published is None and coverage.posts_by_month == ()
