"""End to end: source pages that print their publication time without an offset, or give only
the day (replica/corpus/t2-source-dates.json), still give ok pairs, with the rule's basis."""

from __future__ import annotations

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.article.extraction import jsonld_objects, parse_html
from crawler.manifest import read_manifest
from replica.model import PairCase
from replica.world import T2_BLOG
from tests.e2e.conftest import CrawlRun

pytestmark = pytest.mark.e2e


def _served_date_published(run: CrawlRun, filename: str, offset: int) -> str:
    """datePublished of the JSON-LD of the archived page: what the crawler was given."""
    with open(run.archive / filename, "rb") as f:
        f.seek(offset)
        body = next(iter(ArchiveIterator(f))).content_stream().read()
    tree = parse_html(body)
    assert tree is not None
    return next(str(o["datePublished"]) for o in jsonld_objects(tree) if "datePublished" in o)


def test_sources_without_an_offset_give_ok_pairs_with_their_basis(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    pairs = {
        (p.translation.url, p.cited_url): p for p in read_manifest(t2_crawl.archive / "pairs.jsonl")
    }
    expected_basis = {"naive": "site", "date_only": "date_only"}
    seen = set()
    for case in t2_cases:
        for url, article in case.sources.items():
            pair = pairs[(T2_BLOG.rstrip("/") + case.post.path, url)]
            if article.published_markup == "offset":
                if pair.status == "ok" and pair.source is not None:
                    assert pair.source.published_basis == "offset", case.post.path
                continue
            assert pair.status == "ok", (case.post.path, pair.error)
            assert pair.source is not None and pair.source.warc is not None
            served = _served_date_published(
                t2_crawl, pair.source.warc.filename, pair.source.warc.offset
            )
            local = article.published.replace(tzinfo=None)
            if article.published_markup == "naive":
                # The page wrote the US Eastern wall clock without an offset; twz.com's zone
                # (crawler/article/dates.py SITE_TIMEZONES) gives the very instant back.
                assert served == local.isoformat()
                published = article.published.isoformat(timespec="seconds")
            else:
                assert served == local.date().isoformat()
                published = article.published.date().isoformat()
            assert (pair.source.published, pair.source.published_basis) == (
                published,
                expected_basis[article.published_markup],
            ), case.post.path
            assert pair.evidence is not None
            assert not pair.evidence["source_newer_than_translation"]
            seen.add(article.published_markup)
    assert seen == {"naive", "date_only"}
