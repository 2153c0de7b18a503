"""Components for end-to-end crawls only, enabled on the command line (``-s ITEM_PIPELINES=...``).

Nothing in ``crawler/`` knows about them: they stand for what a real crawl can meet, such as a
page whose metadata is odd enough to slip through the reading code.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from crawler.items import PostItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

CORRUPT_POST = "BITEXT_TEST_CORRUPT_POST"  # the permalink of the post to corrupt
BAD_LANGUAGE = "not a tag"
PAIRS_PIPELINE = "crawler.pipelines.pairs.PairsPipeline"


class CorruptPostLanguage:
    """Gives the post at ``BITEXT_TEST_CORRUPT_POST`` a language the manifest schema refuses,
    before the pairs pipeline sees it."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.corrupted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CorruptPostLanguage:
        return cls(crawler.settings.get(CORRUPT_POST))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem) and item.post is not None and item.url == self.url:
            item.post = dataclasses.replace(item.post, language=BAD_LANGUAGE)
            self.corrupted += 1
        return item


def item_pipelines() -> str:
    """ITEM_PIPELINES with the corrupting pipeline before the project's pairs pipeline."""
    return json.dumps({f"{__name__}.{CorruptPostLanguage.__name__}": 100, PAIRS_PIPELINE: 500})
