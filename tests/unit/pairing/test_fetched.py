"""The fetched sources the pairs pipeline keeps: the latest in memory, the older ones on disk,
each read back as it was given."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.archive.pointer import WarcPointer
from crawler.article.extraction import ExtractedArticle
from crawler.items import SourceItem
from crawler.pairing.fetched import FetchedSources


def _source(n: int, status: str = "ok") -> SourceItem:
    paragraphs = (f"Paragraph one of article {n}.", f"Paragraph two of article {n}, longer.")
    return SourceItem(
        cited_url=f"https://news.example.com/article-{n}",
        status=status,
        crawled_at="2025-02-10T00:00:00+00:00",
        url=f"https://news.example.com/article-{n}?amp",
        redirects=[f"https://news.example.com/article-{n}"],
        http_status=200,
        content_type="text/html; charset=utf-8",
        article=ExtractedArticle(
            title=f"Article {n}",
            author="Jane Roe",
            published=datetime(2025, 2, 4, 12, 59, tzinfo=UTC),
            site_name="News",
            language="en",
            text="\n\n".join(paragraphs),
            paragraphs=paragraphs,
            description=None,
            published_basis="structured",
        ),
        warc=WarcPointer("crawl-00000.warc.gz", 1234 * n, f"<urn:uuid:{n}>"),
        payload_digest=f"sha1:DIGEST{n}",
    )


def test_every_outcome_comes_back_equal_whether_kept_in_memory_or_on_disk() -> None:
    sources = FetchedSources(recent=3)
    given = [_source(n) for n in range(10)]
    for item in given:
        sources[item.cited_url] = item
    assert len(sources._memory) == 3  # the other seven were spilled
    for item in given:
        assert sources.get(item.cited_url) == item


def test_the_latest_outcome_of_a_url_wins_over_a_spilled_one() -> None:
    sources = FetchedSources(recent=1)
    first = _source(1, status="source_timeout")
    sources[first.cited_url] = first
    sources[_source(2).cited_url] = _source(2)  # spills the first outcome
    retried = _source(1)
    sources[retried.cited_url] = retried
    sources[_source(3).cited_url] = _source(3)  # spills the retried one over the first
    assert sources.get(first.cited_url) == retried


def test_a_url_never_given_has_no_outcome() -> None:
    sources = FetchedSources(recent=1)
    assert sources.get("https://news.example.com/never") is None
    for n in range(3):
        sources[_source(n).cited_url] = _source(n)
    assert sources.get("https://news.example.com/never") is None


def test_close_forgets_everything() -> None:
    with FetchedSources(recent=1) as sources:
        for n in range(3):
            sources[_source(n).cited_url] = _source(n)
    assert sources.get(_source(0).cited_url) is None
    assert sources.get(_source(2).cited_url) is None
