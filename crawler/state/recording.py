"""How an item is recorded in the crawl state: by the pairs pipeline as a crawl goes, and by
``state rebuild`` replaying the archive (crawler/state/derive.py), so that both write one row."""

from __future__ import annotations

from crawler.items import PostItem, SourceItem
from crawler.items.codec import post_record, source_record
from crawler.manifest import pair_id
from crawler.pairing.compose import cited_urls
from crawler.state.rules import StatusChange
from crawler.state.store import CrawlState


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
