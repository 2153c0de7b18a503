"""Synthetic manifest pairs for the tests: one fully populated, and a minimal one per status."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from crawler.archive.pointer import WarcPointer
from crawler.manifest import (
    STATUS_NO_CITATION,
    STATUS_OK,
    STATUS_SOURCE_BLOCKED_BY_ROBOTS,
    STATUS_SOURCE_HTTP_ERROR,
    STATUS_SOURCE_MISMATCH,
    STATUS_SOURCE_NOT_FETCHED,
    STATUS_SOURCE_NOT_FOUND,
    STATUS_SOURCE_NOT_HTML,
    STATUS_SOURCE_PAYWALLED,
    STATUS_SOURCE_REFUSED,
    STATUS_SOURCE_TRUNCATED,
    STATUS_SOURCE_UNREACHABLE,
    STATUS_TRANSLATION_UNAVAILABLE,
    STATUS_TRANSLATION_UNPARSABLE,
    CitationSide,
    ManifestJournal,
    Pair,
    SourceSide,
    TranslationCaption,
    TranslationNote,
    TranslationSide,
    pair_id,
)
from crawler.pairing.matching import COMPONENTS

BLOG = "https://aviation-space-business.blogspot.com"
TRANSLATION_URL = f"{BLOG}/2025/02/blog-post_7.html"
CITED_URL = "https://www.twz.com/sea/synthetic-frigate-program-faces-more-delays"
CRAWLED_AT = "2025-03-01T04:05:06Z"
CRAWLER = {"name": "bitext-crawler", "version": "0.1.0"}
WARC_FILE = "BITEXT-20250301040506000-00000-host.warc.gz"


def evidence(**values: Any) -> dict[str, Any]:
    """Evidence in the manifest's shape: every key, null unless given; ``components`` may name
    some components only (the others are null)."""
    components = dict.fromkeys(COMPONENTS) | values.pop("components", {})
    keys = (
        "title_similarity",
        "author_match",
        "date_gap_days",
        "cited_date_gap_days",
        "source_newer_than_translation",
        "shared_anchors",
        "length_ratio",
    )
    return (
        dict.fromkeys(keys)
        | {"components": components}
        | dict.fromkeys(("publication_agrees_citation", "publication_agrees_site"))
        | values
    )


EVIDENCE: dict[str, Any] = evidence(
    title_similarity=0.97,
    author_match=1.0,
    date_gap_days=3.1,
    cited_date_gap_days=0.0,
    source_newer_than_translation=False,
    shared_anchors=0.8,
    length_ratio=2.9,
    publication_agrees_citation=True,
    publication_agrees_site=True,
    components={
        "prior": 0.05,
        "title": 0.33,
        "anchors": 0.3,
        "cited_date": 0.15,
        "author": 0.1,
        "length_penalty": 0.0,
        "lag_penalty": 0.0,
        "source_newer_penalty": 0.0,
    },
)


def translation(url: str = TRANSLATION_URL, **changes: Any) -> TranslationSide:
    side = TranslationSide(
        url=url,
        post_id="1234567890123456789",
        title="米海軍の新型フリゲート計画にさらなる遅延（合成例）",
        raw_title="米海軍の新型フリゲート計画にさらなる遅延（合成例）(The War Zone)―設計変更が響く",
        publication="The War Zone",
        comment="設計変更が響く",
        published="2025-02-07T21:30:00+09:00",
        labels=("米海軍", "艦艇"),
        language="ja",
        text="合成例の第一段落です。\n\n合成例の第二段落で、2025年2月に発表された。",
        captions=(TranslationCaption(credit="U.S. Navy photo (synthetic)", text="合成例の写真"),),
        warc=WarcPointer(WARC_FILE, 1234, "<urn:uuid:00000000-0000-4000-8000-000000000001>"),
        notes=(TranslationNote(kind="banner", text="この記事はT1とT2共通記事です（合成例）"),),
    )
    return replace(side, **changes)


def citation(**changes: Any) -> CitationSide:
    side = CitationSide(
        raw=(
            "Navy's Synthetic Frigate Program Faces More Delays\n"
            "The class is now years late (synthetic example).\n"
            "By\u00a0Jane Example\n"
            "Published Feb 4, 2025 12:59 PM EST\n"
            f"{CITED_URL}?utm_source=x\n"
            "https://www.twz.com/sea/synthetic-related-piece"
        ),
        title="Navy's Synthetic Frigate Program Faces More Delays",
        subtitle="The class is now years late (synthetic example).",
        author="Jane Example",
        date="Published Feb 4, 2025 12:59 PM EST",
        published="2025-02-04T12:59:00-05:00",
        url=f"{CITED_URL}?utm_source=x",
        extra_urls=("https://www.twz.com/sea/synthetic-related-piece",),
        publication="The War Zone",
        language="en",
        rule="end_mark",
        where="end",
    )
    return replace(side, **changes)


def source(cited_url: str = CITED_URL, **changes: Any) -> SourceSide:
    side = SourceSide(
        cited_url=cited_url,
        url=cited_url,
        http_status=200,
        redirects=(),
        content_type="text/html; charset=UTF-8",
        title="Navy's Synthetic Frigate Program Faces More Delays",
        author="Jane Example",
        published="2025-02-04T12:59:00-05:00",
        published_basis="offset",
        site_name="The War Zone",
        language="en",
        text="A synthetic first paragraph.\n\nA synthetic second paragraph from February 2025.",
        warc=WarcPointer(WARC_FILE, 98765, "<urn:uuid:00000000-0000-4000-8000-000000000002>"),
    )
    return replace(side, **changes)


def full_pair(**changes: Any) -> Pair:
    """Every field populated, including a redirect chain."""
    pair = Pair(
        pair_id=pair_id(TRANSLATION_URL, CITED_URL),
        status=STATUS_OK,
        cited_url=CITED_URL,
        confidence=0.93,
        translation=translation(),
        citation=citation(),
        source=source(
            url="https://www.twz.com/news-features/synthetic-frigate-program-faces-more-delays",
            redirects=(CITED_URL, "https://www.twz.com/sea/synthetic-frigate-program"),
            changed_since="2025-03-20T04:05:06+00:00",
        ),
        evidence=dict(EVIDENCE),
        error=None,
        crawled_at=CRAWLED_AT,
        crawler=dict(CRAWLER),
    )
    return replace(pair, **changes)


def minimal_pair(status: str, translation_url: str = TRANSLATION_URL) -> Pair:
    """The least a line with this status carries: nulls wherever the schema allows them."""
    bare = TranslationSide(url=translation_url, text="合成例の本文。")
    cite = CitationSide(raw=CITED_URL, url=CITED_URL)
    fetched = SourceSide(cited_url=CITED_URL, url=CITED_URL, http_status=200)
    # Evidence with nothing measured but the prior (its components' sum is the confidence).
    measured = evidence(source_newer_than_translation=False, components={"prior": 0.5})
    fields: dict[str, Any] = {
        "cited_url": CITED_URL,
        "confidence": None,
        "translation": bare,
        "citation": cite,
        "source": None,
        "evidence": None,
        "error": f"synthetic error for {status}",
    }
    if status == STATUS_OK:
        fields |= {
            "source": replace(fetched, text="Synthetic text."),
            "confidence": 0.9,
            "evidence": measured,
            "error": None,
        }
    elif status == STATUS_NO_CITATION:
        fields |= {"cited_url": None, "citation": None}
    elif status in (STATUS_TRANSLATION_UNPARSABLE, STATUS_TRANSLATION_UNAVAILABLE):
        fields |= {"cited_url": None, "citation": None, "translation": replace(bare, text=None)}
    elif status == STATUS_SOURCE_NOT_FOUND:
        fields |= {"source": replace(fetched, http_status=404)}
    elif status == STATUS_SOURCE_HTTP_ERROR:
        fields |= {"source": replace(fetched, http_status=503)}
    elif status == STATUS_SOURCE_MISMATCH:
        fields |= {
            "source": replace(fetched, text="Another synthetic article."),
            "confidence": 0.1,
            "evidence": measured,
        }
    elif status in (STATUS_SOURCE_NOT_HTML, STATUS_SOURCE_PAYWALLED, STATUS_SOURCE_TRUNCATED):
        fields |= {"source": fetched}
    elif status not in (
        STATUS_SOURCE_UNREACHABLE,
        STATUS_SOURCE_BLOCKED_BY_ROBOTS,
        STATUS_SOURCE_REFUSED,
        STATUS_SOURCE_NOT_FETCHED,
    ):
        raise AssertionError(f"no minimal pair for status {status!r}")
    return Pair(
        pair_id=pair_id(translation_url, fields["cited_url"]),
        status=status,
        crawled_at=CRAWLED_AT,
        crawler=dict(CRAWLER),
        **fields,
    )


def numbered_pair(number: int, crawled_at: str, **changes: Any) -> Pair:
    """A fully populated pair of its own post (``number`` picks the post)."""
    url = f"{BLOG}/2025/01/post-{number:04d}.html"
    base = full_pair()
    translation = replace(
        base.translation, url=url, published=f"2025-01-{1 + number % 28:02d}T08:00:00+09:00"
    )
    return replace(
        base,
        pair_id=pair_id(url, CITED_URL),
        translation=translation,
        crawled_at=crawled_at,
        **changes,
    )


def write_journal(path: Path, pairs: list[Pair]) -> Path:
    """A journal of ``pairs``, appended as a crawl appends them."""
    with ManifestJournal(path) as journal:
        for pair in pairs:
            journal.append(pair)
    return path
