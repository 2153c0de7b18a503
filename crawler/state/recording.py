"""How an item is recorded in the crawl state: by the pairs pipeline as a crawl goes, and by
``state rebuild`` replaying the archive (crawler/state/derive.py), so that both write one row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from crawler.archive.reader import RecordError
from crawler.items import ListingItem, PostItem, SourceItem
from crawler.items.codec import post_record, source_record
from crawler.manifest import pair_id
from crawler.pairing.compose import cited_urls
from crawler.reading.archived import source_item_from_state
from crawler.state.drift import assess, paragraph_changes
from crawler.state.rules import SourceRecord, StatusChange
from crawler.state.store import CrawlState


def record_listing(state: CrawlState, item: ListingItem) -> None:
    """The dates a list page gave its posts (``state rebuild`` reads them off the archived list
    pages: crawler/state/derive.py)."""
    for listed in item.posts:
        state.list_post(listed.url, lastmod=listed.lastmod, updated=listed.updated)


def record_post_item(state: CrawlState, item: PostItem) -> None:
    """A fetched post's row, dated by the newest date its lists gave it, and the pairs it owes
    (one per cited URL, or one without a source)."""
    record = post_record(item, modified=state.listed_modified(item.url))
    translation_url = item.post.url if item.post is not None else item.url
    urls: list[str | None] = [*cited_urls(item)] or [None]
    state.record_post(record, [(url, pair_id(translation_url, url)) for url in urls])


def record_source_item(state: CrawlState, item: SourceItem) -> StatusChange | None:
    """A fetched source's row and its history; the change of its outcome, if any."""
    return state.record_source(source_record(item))


def record_fetched_source(
    state: CrawlState, archive_dir: Path, item: SourceItem
) -> tuple[StatusChange | None, SourceRecord | None]:
    """Record a source a crawl fetched: the change of it, if any, and the earlier capture its
    pairs keep (None: ``item`` is its pairs' outcome). A change of a kept page is noted in
    ``item.drift``, for its crawl-log record, with the paragraphs changed since the latest page
    archived of it (crawler/state/drift.py)."""
    capture = state.source(item.cited_url)
    assessment = assess(capture, source_record(item))
    if capture is not None and assessment.keeps_capture and assessment.change is not None:
        summary = (
            _paragraphs_changed(archive_dir, capture, item) if assessment.compares_texts else None
        )
        item.drift = {"paragraphs": summary}
    change = record_source_item(state, item)
    return change, capture if assessment.keeps_capture else None


def _paragraphs_changed(
    archive_dir: Path, capture: SourceRecord, item: SourceItem
) -> dict[str, int] | None:
    """What ``item``'s text adds, removes and changes against the latest page of its source,
    read back from its WARC record (None: it does not read back)."""
    latest = capture.observation()
    record = dataclasses.replace(
        capture,
        status=latest.status,
        http_status=latest.http_status,
        warc=latest.warc,
        payload_digest=latest.payload_digest,
        observed=None,
    )
    try:
        earlier = source_item_from_state(archive_dir, record)
    except RecordError:
        return None
    if earlier.article is None or item.article is None:
        return None
    return paragraph_changes(earlier.article.paragraphs, item.article.paragraphs)
