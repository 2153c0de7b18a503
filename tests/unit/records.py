"""Crawl-state records and an archived post and source page, as the crawl makes them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from crawler.archive import WarcArchive
from crawler.archive.pointer import WarcPointer
from crawler.state import PARSED, PostRecord, SourceRecord
from replica.corpus import load_cases
from replica.sites.news_templates import render_article
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange
from tests.unit.blogger.pages import CITATION_TWZ, POST_URL, blogger_page

POINTER = WarcPointer("BITEXT-1.warc.gz", 100, "<urn:uuid:1>")
DAY = datetime(2025, 2, 7, 9, 0, tzinfo=UTC)
SOURCE = "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays"


def post_record(url: str = POST_URL, **changes: object) -> PostRecord:
    fields: dict[str, object] = {
        "url": url,
        "fetched_url": url,
        "http_status": 200,
        "parse_status": PARSED,
        "error": None,
        "warc": POINTER,
        "payload_digest": "sha1:AAAA",
        "fetched_at": "2025-02-08T00:00:00+00:00",
        "modified": DAY.isoformat(),
    }
    fields.update(changes)
    return PostRecord(**fields)  # type: ignore[arg-type]


def source_record(
    status: str = "ok", http_status: int | None = 200, **changes: object
) -> SourceRecord:
    fields: dict[str, object] = {
        "cited_url": SOURCE,
        "status": status,
        "error": None,
        "url": SOURCE,
        "redirects": (),
        "http_status": http_status,
        "content_type": "text/html",
        "warc": POINTER,
        "payload_digest": None,
        "fetched_at": "2025-02-08T00:00:00+00:00",
    }
    fields.update(changes)
    return SourceRecord(**fields)  # type: ignore[arg-type]


def archive_pages(directory: Path) -> tuple[WarcPointer, WarcPointer, bytes, bytes]:
    """A post page and a source page archived gzip-encoded, as a CDN serves them."""
    post_page = blogger_page("<p>米海軍の計画は遅れている。</p>" + CITATION_TWZ).encode()
    article = next(iter(load_cases("t2")[0].sources.values()))
    source_page = render_article(article)
    gzip_headers = (
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
    )
    with WarcArchive(
        directory, warcinfo=WARCINFO, clock=fixed_clock(), new_record_id=id_factory()
    ) as archive:
        post = archive.write_exchange(
            make_exchange(
                url=POST_URL, response_headers=gzip_headers, body=gzip.compress(post_page)
            )
        )
        source = archive.write_exchange(
            make_exchange(
                url=SOURCE, response_headers=gzip_headers, body=gzip.compress(source_page)
            )
        )
    return post.payload, source.payload, post_page, source_page
