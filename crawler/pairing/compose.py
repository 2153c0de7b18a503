"""Compose manifest pairs from what a crawl saw: posts on one side, fetched sources on the other.

A post yields one pair per URL of its citation block (or one ``no_citation`` pair, or one
``translation_*`` pair when the post itself failed), so every post a crawl saw is a line. The
source of each pair is looked up by its repaired cited URL: a source cited by several posts was
fetched once and serves them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from crawler import __version__
from crawler.dates import isoformat
from crawler.manifest import (
    STATUS_NO_CITATION,
    STATUS_OK,
    STATUS_SOURCE_MISMATCH,
    STATUS_SOURCE_NOT_FETCHED,
    STATUS_TRANSLATION_UNAVAILABLE,
    STATUS_TRANSLATION_UNPARSABLE,
    CitationSide,
    Pair,
    SourceSide,
    TranslationCaption,
    TranslationNote,
    TranslationSide,
    join_paragraphs,
    pair_id,
)
from crawler.pairing.matching import (
    COMPONENTS,
    MISMATCH_THRESHOLD,
    MatchEvidence,
    MatchInputs,
    score_match,
)
from crawler.publications import same_publication

if TYPE_CHECKING:
    from crawler.article.extraction import ExtractedArticle
    from crawler.blogger import CitationBlock
    from crawler.items import PostItem, SourceItem

CRAWLER_NAME = "bitext-crawler"


def cited_urls(item: PostItem) -> tuple[str, ...]:
    """The repaired URLs a post's pairs are about; empty when the post yields one URL-less pair."""
    post = item.post
    return post.citation.repaired_urls if post is not None and post.citation else ()


def crawler_info(spider: str = "") -> dict[str, str]:
    info = {"name": CRAWLER_NAME, "version": __version__}
    if spider:
        info["spider"] = spider
    return info


def compose_pairs(
    posts: Iterable[PostItem], sources: Mapping[str, SourceItem], *, spider: str = ""
) -> Iterator[Pair]:
    """Every pair of ``posts``, with the sources fetched so far (others are not fetched)."""
    crawler = crawler_info(spider)
    for item in posts:
        yield from compose_post_pairs(item, sources, crawler)


def compose_post_pairs(
    item: PostItem, sources: Mapping[str, SourceItem], crawler: dict[str, str]
) -> Iterator[Pair]:
    """Every pair of one post; a cited URL missing from ``sources`` was not fetched."""
    urls = cited_urls(item)
    if not urls:
        yield compose_pair(item, None, sources, crawler)
    for url in urls:
        yield compose_pair(item, url, sources, crawler)


def compose_pair(
    item: PostItem, url: str | None, sources: Mapping[str, SourceItem], crawler: dict[str, str]
) -> Pair:
    """The pair of ``item`` and its cited ``url`` (None: the post's one URL-less pair)."""
    post = item.post
    source = sources.get(url) if url is not None else None
    translation = _translation_side(item)
    if post is None:
        status = STATUS_TRANSLATION_UNPARSABLE
        if item.http_status == 0 or item.http_status >= 400:
            status = STATUS_TRANSLATION_UNAVAILABLE
        return _pair(translation, None, None, status, item.error, item.crawled_at, crawler)
    citation = _citation_side(post.citation, url) if post.citation else None
    if url is None:
        no_url = "the post has no citation block with a URL"
        return _pair(
            translation, None, citation, STATUS_NO_CITATION, no_url, item.crawled_at, crawler
        )
    if source is None:
        unfetched = "no response was recorded for this URL: the crawl ended before it was fetched"
        return _pair(
            translation,
            url,
            citation,
            STATUS_SOURCE_NOT_FETCHED,
            unfetched,
            item.crawled_at,
            crawler,
        )
    evidence = _evidence(item, url, sources) if source.article else None
    if source.memento is not None and (
        evidence is None or evidence.confidence < MISMATCH_THRESHOLD
    ):
        # A web archive's capture that is not the cited article (an error page, a homepage,
        # another article) stands for nothing: the live URL's outcome is the pair's.
        source, evidence = source.live_item(), None
    status, error = source.status, source.error
    if status == STATUS_OK and evidence is not None and evidence.confidence < MISMATCH_THRESHOLD:
        status = STATUS_SOURCE_MISMATCH
        error = (
            f"confidence {evidence.confidence:.2f} is below {MISMATCH_THRESHOLD:.2f}: "
            "the page does not look like the cited article"
        )
    return _pair(
        translation,
        url,
        citation,
        status,
        error,
        max(item.crawled_at, source.crawled_at),
        crawler,
        source=_source_side(source),
        evidence=evidence,
        publication=_publication_agreement(item, url, source),
    )


def _pair(
    translation: TranslationSide,
    cited_url: str | None,
    citation: CitationSide | None,
    status: str,
    error: str | None,
    crawled_at: str,
    crawler: dict[str, str],
    *,
    source: SourceSide | None = None,
    evidence: MatchEvidence | None = None,
    publication: dict[str, object] | None = None,
) -> Pair:
    return Pair(
        pair_id=pair_id(translation.url, cited_url),
        status=status,
        cited_url=cited_url,
        confidence=round(evidence.confidence, 4) if evidence is not None else None,
        translation=translation,
        citation=citation,
        source=source,
        evidence=(
            {**_evidence_json(evidence), **(publication or {})} if evidence is not None else None
        ),
        error=None if status == STATUS_OK else error,
        crawled_at=crawled_at,
        crawler=crawler,
    )


def _translation_side(item: PostItem) -> TranslationSide:
    post = item.post
    if post is None:
        return TranslationSide(url=item.url, warc=item.warc, platform=item.platform)
    return TranslationSide(
        url=post.url,
        post_id=post.post_id,
        title=post.title,
        raw_title=post.raw_title,
        publication=post.publication,
        comment=post.comment,
        published=isoformat(post.published),
        labels=tuple(post.labels),
        language=post.language or "ja",
        text=join_paragraphs(post.paragraphs),
        captions=tuple(
            TranslationCaption(credit=c.credit or None, text=c.text) for c in post.captions
        ),
        warc=item.warc,
        notes=tuple(TranslationNote(kind=n.kind, text=n.text) for n in post.notes),
        platform=item.platform,
    )


def _citation_side(block: CitationBlock, url: str | None) -> CitationSide:
    """The citation of the pair of ``url``: its own article's description, the block's text."""
    article = block.for_url(url)
    if article is None:
        return CitationSide(raw=block.raw, extra_urls=block.other_urls(url))
    return CitationSide(
        raw=block.raw,
        title=article.title,
        subtitle=article.subtitle,
        author=article.author,
        publication=article.publication,
        date=article.date,
        published=isoformat(article.published),
        url=article.url,
        extra_urls=block.other_urls(url),
        language=article.language,
        rule=article.rule,
        where=article.where,
    )


def _source_side(source: SourceItem) -> SourceSide | None:
    if source.url is None or source.http_status is None:
        return None  # nothing answered: no response to describe
    article = source.article
    return SourceSide(
        cited_url=source.cited_url,
        url=source.url,
        http_status=source.http_status,
        redirects=tuple(source.redirects),
        content_type=source.content_type,
        title=article.title if article else None,
        author=article.author if article else None,
        published=isoformat(article.published) if article else None,
        published_basis=article.published_basis if article else None,
        site_name=article.site_name if article else None,
        language=article.language if article else None,
        text=join_paragraphs(article.paragraphs) if article else None,
        warc=source.warc,
        memento=source.memento,
        live=(
            {key: source.live.get(key) for key in ("status", "url", "http_status")}
            if source.live is not None
            else None
        ),
        changed_since=source.changed_since,
    )


def _evidence(item: PostItem, url: str, sources: Mapping[str, SourceItem]) -> MatchEvidence:
    post, source = item.post, sources[url]
    assert post is not None and source.article is not None
    urls = cited_urls(item)
    # Each article of the block has its own title, author and date (empty for a bare URL).
    citation = post.citation.for_url(url) if post.citation else None
    # A translated header (Japanese title, katakana author) cannot be compared with the English
    # page; its date line still can.
    english = citation is not None and citation.language == "en"
    others = tuple(
        article.text
        for other in urls
        if other != url and (article := _article_of(sources.get(other))) is not None
    )
    return score_match(
        MatchInputs(
            cited_title=citation.title if citation and english else None,
            cited_author=citation.author if citation and english else None,
            cited_published=citation.published if citation else None,
            translation_published=post.published,
            translation_text=join_paragraphs(post.paragraphs),
            source_title=source.article.title,
            source_author=source.article.author,
            source_published=source.article.published,
            source_text=source.article.text,
            other_source_texts=others,
        )
    )


def _article_of(source: SourceItem | None) -> ExtractedArticle | None:
    return source.article if source is not None and source.status == STATUS_OK else None


def _publication_agreement(item: PostItem, url: str, source: SourceItem) -> dict[str, object]:
    """The post title's outlet against the citation's and the page's own (evidence only)."""
    post = item.post
    credited = post.publication if post is not None else None
    article = post.citation.for_url(url) if post is not None and post.citation else None
    return {
        "publication_agrees_citation": same_publication(
            credited, article.publication if article else None
        ),
        "publication_agrees_site": same_publication(
            credited, source.article.site_name if source.article else None
        ),
    }


def _evidence_json(evidence: MatchEvidence) -> dict[str, object]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "title_similarity": rounded(evidence.title_similarity),
        "author_match": rounded(evidence.author_match),
        "date_gap_days": rounded(evidence.date_gap_days),
        "cited_date_gap_days": rounded(evidence.cited_date_gap_days),
        "source_newer_than_translation": evidence.source_newer_than_translation,
        "shared_anchors": rounded(evidence.shared_anchors),
        "length_ratio": rounded(evidence.length_ratio),
        # One key per component the matcher can produce: the manifest's columns are fixed.
        "components": {name: rounded(evidence.components.get(name)) for name in COMPONENTS},
    }
