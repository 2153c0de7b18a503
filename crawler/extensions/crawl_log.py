"""Write a crawl-log ``metadata`` record into the WARC archive for every post and source item.

The response records hold the pages; these records hold what a page cannot say about itself (which
capture is a post and which a source, the cited URL behind a redirect chain, outcomes that had no
response at all), so ``python -m crawler rebuild`` can recompose the manifest from the WARC files
alone (the practice of Heritrix's and warcprox's crawl-log metadata). The record format is in
``crawler/items/crawllog.py``; the records go through the WARC capture extension's archive.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler import defaults
from crawler.archive.naming import default_crawl_host
from crawler.dates import isoformat
from crawler.extensions.warc_capture import META_POINTER, META_RECORD, WarcCapture
from crawler.items import PostItem, SourceItem
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, crawl_log_fields, encode_crawl_log
from crawler.truncation import is_truncated

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# On the response (or failed request) an item comes with, when the item was made from an earlier
# one: (the item's WARC pointer, the WarcPointer of the record that fetch wrote).
META_ITEM_RECORD = "bitext_item_record"


class CrawlLog:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.crawl_id = ""
        self._capture: WarcCapture | None = None
        self.full_crawl = self._full_crawl()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLog:
        settings = crawler.settings
        if not settings.getbool("WARC_CRAWL_LOG", defaults.WARC_CRAWL_LOG):
            raise NotConfigured("WARC_CRAWL_LOG is off")
        if not settings.getbool("WARC_ENABLED", defaults.WARC_ENABLED):
            raise NotConfigured("WARC_ENABLED is off: there is no archive to log into")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        # Tells this crawl's records from those of other crawls into the same directory: the
        # rebuild composes pairs per crawl, as each crawl's pipeline did.
        setting = self.crawler.settings.get("BITEXT_CRAWL_ID", defaults.BITEXT_CRAWL_ID)
        self.crawl_id = str(setting or f"{isoformat(datetime.now(UTC))} {default_crawl_host()}")
        self.full_crawl = self._full_crawl()  # as the spider may have set it (its -a full)

    def _full_crawl(self) -> bool:
        # Read once per crawl, not for every item: the settings do not change once it runs.
        return self.crawler.settings.getbool("BITEXT_FULL_CRAWL", defaults.BITEXT_FULL_CRAWL)

    def crawl_of(self, spider: Spider) -> str:
        """The crawl id of the records: the spider's own where it has one (the nodes of a
        distributed crawl learn theirs from Redis at their first item), else this run's."""
        return str(getattr(spider, "crawl_id", None) or self.crawl_id)

    def item_scraped(self, item: Any, response: Any, spider: Spider) -> None:
        if not isinstance(item, (PostItem, SourceItem)) or item.from_archive:
            return  # an item taken from the archive has its record from the crawl that made it
        capture = self._warc_capture()
        if capture is None:
            return
        page = _own_page(item, response)
        fields = crawl_log_fields(
            item,
            crawl=self.crawl_of(spider),
            spider=spider.name,
            content_type=_content_type(page),
            # As the spider judges it: cut short on the wire, stopped at a budget, or over the
            # size limit once decoded.
            truncated=page is not None and is_truncated(page.flags),
            full_crawl=self.full_crawl,
        )
        record = page.meta.get(META_RECORD) if page is not None else _earlier_record(item, response)
        refers_to = record.record_id if record is not None else None
        target = item.url if isinstance(item, PostItem) else item.cited_url
        try:
            capture.write_metadata(
                target, encode_crawl_log(fields), CRAWL_LOG_CONTENT_TYPE, refers_to
            )
        except (OSError, ValueError) as exc:
            # The capture extension stops the crawl on a failing disk; a lost log record only
            # makes that item's pair unrebuildable, so it is counted, not fatal.
            logger.error("cannot write the crawl-log record of %s: %s", target, exc)
            self._stats_inc("warc/crawl_log_errors")
            return
        self._stats_inc("warc/crawl_log_records")

    def _warc_capture(self) -> WarcCapture | None:
        if self._capture is None:
            try:
                self._capture = self.crawler.get_extension(WarcCapture)
            except RuntimeError:  # the extensions are not built yet
                return None
        return self._capture

    def _stats_inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


def _own_page(item: PostItem | SourceItem, response: Any) -> Response | None:
    """The response ``item`` was made from: items come with a response (an HTTP error's
    included) or the Failure of a fetch that got none, and a post's response also comes with
    the items its page gave without a fetch (a cited URL refused before any request)."""
    if not isinstance(response, Response) or item.warc is None:
        return None
    return response if response.meta.get(META_POINTER) == item.warc else None


def _earlier_record(item: PostItem | SourceItem, response: Any) -> Any:
    """The record of an item's page when the item comes with a later response or failure (the
    web-archive fallback's live outcome, yielded once the archives were asked), as the callback
    left it in ``META_ITEM_RECORD``: (the item's pointer, the record its fetch wrote)."""
    if isinstance(response, Response):
        meta = response.meta if response.request is not None else {}
    else:  # a Failure: Scrapy sets the request it failed
        meta = getattr(getattr(response, "request", None), "meta", None) or {}
    pointer, record = meta.get(META_ITEM_RECORD) or (None, None)
    return record if item.warc is not None and pointer == item.warc else None


def _content_type(page: Response | None) -> str | None:
    # The value the spiders hand to the reading code: the last Content-Type header, as text.
    value = page.headers.get(b"Content-Type") if page is not None else None
    return value.decode("latin-1") if value else None
