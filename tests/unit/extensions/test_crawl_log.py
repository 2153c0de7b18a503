"""The crawl-log records: the crawl id they carry (the spider's own, the setting, or a new one per
run), and which items get one."""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.archive.naming import default_crawl_host
from crawler.extensions.crawl_log import CrawlLog
from crawler.items import SourceItem


def opened(settings: dict[str, Any], **spider_attributes: Any) -> tuple[CrawlLog, Spider]:
    crawler = get_crawler(Spider, settings)
    extension = CrawlLog.from_crawler(crawler)
    spider = Spider("t2", **spider_attributes)
    extension.spider_opened(spider)
    return extension, spider


def test_a_new_crawl_id_per_run_by_default() -> None:
    extension, spider = opened({})
    assert extension.crawl_of(spider).endswith(f" {default_crawl_host()}")


def test_the_crawl_id_comes_from_the_setting() -> None:
    extension, spider = opened({"BITEXT_CRAWL_ID": "nightly 2025-03-01"})
    assert extension.crawl_of(spider) == "nightly 2025-03-01"


def test_the_spider_s_own_crawl_id_wins_once_it_has_one() -> None:
    extension, spider = opened({"BITEXT_CRAWL_ID": "nightly 2025-03-01"}, crawl_id=None)
    assert extension.crawl_of(spider) == "nightly 2025-03-01"
    spider.crawl_id = "2025-03-01T04:00:00+00:00 bitext:t2-redis"  # type: ignore[attr-defined]
    assert extension.crawl_of(spider) == "2025-03-01T04:00:00+00:00 bitext:t2-redis"


class FakeCapture:
    def __init__(self) -> None:
        self.written: list[str] = []

    def write_metadata(self, target: str, *args: Any) -> None:
        self.written.append(target)


def test_items_taken_from_the_archive_are_not_logged_again() -> None:
    extension, spider = opened({})
    capture = FakeCapture()
    extension._capture = capture  # type: ignore[assignment]
    fetched = SourceItem(cited_url="https://www.twz.com/a", status="ok", crawled_at="T")
    archived = dataclasses.replace(fetched, cited_url="https://www.twz.com/b", from_archive=True)
    for item in (fetched, archived):
        extension.item_scraped(item, None, spider)
    # The archived item's record is the one the crawl that fetched it wrote.
    assert capture.written == ["https://www.twz.com/a"]
