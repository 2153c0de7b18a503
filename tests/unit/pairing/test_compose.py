"""Pairs composed from post and source items: one line per cited URL, a status for every outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from crawler.archive.pointer import WarcPointer
from crawler.article.dates import resolve_published
from crawler.article.extraction import ExtractedArticle
from crawler.blogger import BloggerPost, Citation, CitationBlock, Note
from crawler.items import PostItem, SourceItem
from crawler.manifest import TranslationNote, pair_id
from crawler.pairing.compose import compose_pair, compose_pairs, crawler_info

JST = timezone(timedelta(hours=9))
EST = timezone(timedelta(hours=-5))
POST_URL = "https://blog.example.blogspot.com/2025/02/post.html"
SOURCE_URL = "https://news.example.com/air/f-47-first-flight"
OTHER_URL = "https://news.example.com/sea/frigate"
CRAWLED = "2025-02-10T00:00:00+00:00"

EN = (
    "The U.S. Air Force says the F-47 fighter should make its first flight in 2028. "
    "Boeing won the NGAD competition and will build at least six test aircraft, "
    "with each F-47 costing more than an F-35A, possibly $300 million."
)
JA = (
    "米空軍はF-47戦闘機の初飛行を2028年に予定していると発表した。"
    "ボーイングはNGAD競争に勝ち、少なくとも6機の試験機を製造する。"
    "F-47の単価はF-35Aを上回り、3億ドルに達する可能性がある。"
)


def _post(urls: tuple[str, ...] = (SOURCE_URL,)) -> BloggerPost:
    first = Citation(
        title="F-47 Will Fly In 2028",
        author="Jane Roe",
        publication="Defense News",
        date="Feb 4, 2025, 12:59 PM",
        published=datetime(2025, 2, 4, 12, 59, tzinfo=EST),
        url=urls[0] if urls else None,
        repaired_url=urls[0] if urls else None,
    )
    others = tuple(Citation(url=url, repaired_url=url) for url in urls[1:])
    citation = (
        CitationBlock(
            raw="F-47 Will Fly In 2028\nBy\u00a0Jane Roe\nhttps://...", citations=(first, *others)
        )
        if urls
        else None
    )
    return BloggerPost(
        url=POST_URL,
        post_id="123",
        blog_id="9",
        page_type="item",
        title="F-47の初飛行は2028年",
        raw_title="F-47の初飛行は2028年(Defense News)",
        publication="Defense News",
        comment=None,
        published=datetime(2025, 2, 7, 10, 0, tzinfo=JST),
        published_from="abbr",
        labels=("F-47",),
        paragraphs=(JA,),
        captions=(),
        citation=citation,
        language="ja",
    )


def _post_item(post: BloggerPost | None, http_status: int = 200) -> PostItem:
    return PostItem(
        url=POST_URL,
        fetched_url=POST_URL,
        http_status=http_status,
        post=post,
        warc=WarcPointer("A.warc.gz", 0, "<urn:uuid:1>"),
        crawled_at=CRAWLED,
        error=None if post else "no post body",
    )


def _source(
    url: str = SOURCE_URL, title: str = "F-47 Will Fly In 2028", text: str = EN
) -> SourceItem:
    return SourceItem(
        cited_url=url,
        status="ok",
        crawled_at=CRAWLED,
        url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        article=ExtractedArticle(
            title=title,
            author="Jane Roe",
            published=datetime(2025, 2, 4, 12, 59, tzinfo=EST),
            site_name="Defense News",
            language="en",
            text=text,
            paragraphs=(text,),
            description=None,
        ),
        warc=WarcPointer("A.warc.gz", 100, "<urn:uuid:2>"),
    )


def test_a_matching_source_gives_an_ok_pair_that_validates() -> None:
    pair = compose_pair(
        _post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info("t2")
    )
    pair.validate()
    assert pair.status == "ok"
    assert pair.error is None
    assert pair.pair_id == pair_id(POST_URL, SOURCE_URL)
    assert pair.confidence is not None and pair.confidence > 0.6
    assert pair.source is not None and pair.source.text == EN
    assert pair.translation.text == JA


def test_an_unrelated_page_is_a_mismatch() -> None:
    unrelated = _source(
        title="Navy Picks New Frigate Design",
        text="The Navy chose a new frigate hull after years of delays in the shipyard programme.",
    )
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: unrelated}, crawler_info())
    pair.validate()
    assert pair.status == "source_mismatch"
    assert pair.error and "confidence" in pair.error


def test_every_cited_url_is_a_line_and_unfetched_ones_say_so() -> None:
    pairs = list(
        compose_pairs([_post_item(_post((SOURCE_URL, OTHER_URL)))], {SOURCE_URL: _source()})
    )
    assert [(p.cited_url, p.status) for p in pairs] == [
        (SOURCE_URL, "ok"),
        (OTHER_URL, "source_not_fetched"),
    ]
    for pair in pairs:
        pair.validate()


def test_a_post_without_citation_is_one_no_citation_line() -> None:
    [pair] = compose_pairs([_post_item(_post(()))], {})
    pair.validate()
    assert (pair.status, pair.cited_url, pair.source) == ("no_citation", None, None)


def test_failed_posts_are_lines_too() -> None:
    unparsable = compose_pair(_post_item(None), None, {}, crawler_info())
    unavailable = compose_pair(_post_item(None, http_status=404), None, {}, crawler_info())
    unparsable.validate()
    unavailable.validate()
    assert unparsable.status == "translation_unparsable"
    assert unavailable.status == "translation_unavailable"


def test_a_failed_source_keeps_its_status_and_error() -> None:
    failed = SourceItem(
        cited_url=SOURCE_URL,
        status="source_not_found",
        crawled_at=CRAWLED,
        url=SOURCE_URL,
        http_status=404,
        content_type="text/html",
        error="HTTP 404 Not Found",
        warc=WarcPointer("A.warc.gz", 200, "<urn:uuid:3>"),
    )
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: failed}, crawler_info())
    pair.validate()
    assert (pair.status, pair.error, pair.confidence) == (
        "source_not_found",
        "HTTP 404 Not Found",
        None,
    )
    assert pair.source is not None and pair.source.http_status == 404


def test_each_pair_carries_its_own_article_of_the_block() -> None:
    post = replace(
        _post(),
        citation=CitationBlock(
            raw="F-47 Will Fly In 2028\n...\nFrigate Delays\n...",
            citations=(
                Citation(title="F-47 Will Fly In 2028", url=SOURCE_URL, repaired_url=SOURCE_URL),
                Citation(
                    title="Frigate Delays",
                    author="John Doe",
                    publication="USNI News",
                    url=OTHER_URL,
                    repaired_url=OTHER_URL,
                ),
            ),
        ),
        notes=(Note("banner", "この記事はT1とT2共通記事です"),),
    )
    first, second = compose_pairs([_post_item(post)], {SOURCE_URL: _source()})
    assert first.citation is not None and second.citation is not None
    assert (first.citation.title, first.citation.extra_urls) == (
        "F-47 Will Fly In 2028",
        (OTHER_URL,),
    )
    assert (second.citation.title, second.citation.author, second.citation.publication) == (
        "Frigate Delays",
        "John Doe",
        "USNI News",
    )
    assert second.citation.extra_urls == (SOURCE_URL,)
    assert first.citation.raw == second.citation.raw
    assert first.translation.notes == (
        TranslationNote(kind="banner", text="この記事はT1とT2共通記事です"),
    )
    first.validate()
    second.validate()


def test_the_credited_outlet_is_checked_against_the_citation_and_the_site() -> None:
    agreeing = compose_pair(
        _post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info()
    )
    assert agreeing.evidence is not None
    assert agreeing.evidence["publication_agrees_citation"] is True
    assert agreeing.evidence["publication_agrees_site"] is True
    # The real T2 post that credits Defense News for a Breaking Defense article: the title's
    # outlet stays, the disagreement is evidence.
    elsewhere = _source()
    assert elsewhere.article is not None
    elsewhere = replace(elsewhere, article=replace(elsewhere.article, site_name="Breaking Defense"))
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: elsewhere}, crawler_info())
    assert pair.translation.publication == "Defense News"
    assert pair.evidence is not None and pair.evidence["publication_agrees_site"] is False
    pair.validate()


def test_a_source_published_without_an_offset_makes_a_valid_pair_with_its_basis() -> None:
    # What extract_article gives for a page on a known site that wrote "2025-02-04T12:59:00".
    resolved = resolve_published(["2025-02-04T12:59:00"], url="https://www.twz.com/air/f-47")
    naive_site = _source()
    assert naive_site.article is not None and resolved is not None
    for published, basis, expected in (
        (resolved.value, resolved.basis, "2025-02-04T12:59:00-05:00"),
        (date(2025, 2, 4), "date_only", "2025-02-04"),
    ):
        article = replace(naive_site.article, published=published, published_basis=basis)
        source = replace(naive_site, article=article)
        pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: source}, crawler_info())
        pair.validate()
        assert pair.status == "ok"
        assert pair.source is not None
        assert (pair.source.published, pair.source.published_basis) == (expected, basis)
