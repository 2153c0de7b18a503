"""The item codec: a crawl-state row and a crawl-log record say the same of an item, and the item
made again from either is the one the crawl made."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from crawler.items import PostItem, SourceItem
from crawler.items.codec import (
    ArchivedPage,
    parse_status,
    post_item,
    post_record,
    source_item,
    source_record,
)
from crawler.items.crawllog import crawl_log_fields, log_record
from crawler.reading.archived import read_response
from crawler.reading.page import read_post_page, read_source_page
from crawler.state import PARSED, UNAVAILABLE, UNPARSABLE, PostRecord
from tests.unit.blogger.pages import POST_URL
from tests.unit.records import DAY, SOURCE, archive_pages

CRAWLED = "2025-03-01T04:05:06+00:00"


def crawled_items(archive: Path) -> tuple[PostItem, SourceItem, ArchivedPage, ArchivedPage]:
    """A post and a source item as the crawl's callbacks make them, and their archived pages."""
    post_at, source_at, post_page, source_page = archive_pages(archive)
    content_type = "text/html; charset=utf-8"
    post = read_post_page(
        url=POST_URL,
        fetched_url=POST_URL + "?m=1",
        http_status=200,
        content_type=content_type,
        body=post_page,
        warc=post_at,
        crawled_at=CRAWLED,
    )
    post.payload_digest = read_response(archive, post_at).payload_digest
    source = read_source_page(
        cited_url=SOURCE + "?utm_source=x",
        url=SOURCE,
        redirects=["https://twz.com/x"],
        http_status=200,
        content_type=content_type,
        body=source_page,
        truncated=False,
        warc=source_at,
        crawled_at=CRAWLED,
    )
    source.payload_digest = read_response(archive, source_at).payload_digest
    return post, source, ArchivedPage(post_page, content_type), ArchivedPage(source_page)


def test_an_item_made_again_from_its_row_is_the_crawl_s(tmp_path: Path) -> None:
    post, source, post_page, source_page = crawled_items(tmp_path)
    assert post.post is not None and source.status == "ok"
    row = post_record(post, modified=DAY)
    assert (row.parse_status, row.modified, row.fetched_at) == (PARSED, DAY.isoformat(), CRAWLED)
    assert row.payload_digest == post.payload_digest and row.payload_digest
    assert post_item(row, post_page) == post
    assert source_item(source_record(source), source_page) == source


def test_outcomes_without_a_page_come_from_the_record_alone() -> None:
    failed = PostItem(
        url=POST_URL,
        fetched_url=POST_URL,
        http_status=404,
        post=None,
        warc=None,
        crawled_at=CRAWLED,
        error="HTTP 404",
    )
    assert parse_status(failed) == UNAVAILABLE
    assert parse_status(dataclasses.replace(failed, http_status=0)) == UNAVAILABLE
    assert parse_status(dataclasses.replace(failed, http_status=200)) == UNPARSABLE
    assert post_item(post_record(failed)) == failed


def test_the_crawl_log_decodes_into_the_same_records(tmp_path: Path) -> None:
    post, source, post_page, _ = crawled_items(tmp_path)
    # The log has no digest (the WARC record it describes carries it).
    logged = log_record(crawl_log_fields(source, crawl="c", spider="t2"))
    assert logged == dataclasses.replace(source_record(source), payload_digest=None)
    logged = log_record(crawl_log_fields(post, crawl="c", spider="t2"))
    assert logged == dataclasses.replace(post_record(post), payload_digest=None)
    assert isinstance(logged, PostRecord)
    assert post_item(logged, post_page) == dataclasses.replace(post, payload_digest=None)
