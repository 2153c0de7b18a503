"""Collect post and source items during the crawl; write the pairs manifest when it closes.

Pairs can only be composed at the end (a source may arrive before or after the posts citing
it), so the items are kept until then; the texts of a blog's posts and sources fit in memory
many times over. The new pairs replace lines with the same ``pair_id`` in an existing manifest and
leave the others in place, so crawling part of a blog never loses what an earlier crawl found.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.items import PostItem, SourceItem
from crawler.manifest import read_manifest, write_manifest
from crawler.pairing import compose_pairs

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.manifest import Pair

logger = logging.getLogger(__name__)


class PairsPipeline:
    def __init__(self, crawler: Crawler, manifest_path: Path) -> None:
        self.crawler = crawler
        self.manifest_path = manifest_path
        self.posts: dict[str, PostItem] = {}
        self.sources: dict[str, SourceItem] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PairsPipeline:
        settings = crawler.settings
        if not settings.getbool("PAIRS_ENABLED", defaults.PAIRS_ENABLED):
            raise NotConfigured("PAIRS_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        manifest = archive_dir / settings.get("PAIRS_MANIFEST", defaults.PAIRS_MANIFEST)
        return cls(crawler, manifest)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem):
            self.posts[item.url] = item
        elif isinstance(item, SourceItem):
            self.sources[item.cited_url] = item
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider.name if self.crawler.spider else ""
        composed = compose_pairs(self.posts.values(), self.sources, spider=spider)
        pairs = {pair.pair_id: pair for pair in composed}
        kept = 0
        if self.manifest_path.exists():
            for earlier in read_manifest(self.manifest_path):
                if earlier.pair_id not in pairs:
                    pairs[earlier.pair_id] = earlier
                    kept += 1
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        written = write_manifest(self.manifest_path, pairs.values())
        self._report(pairs.values(), written, kept)

    def _report(self, pairs: Iterable[Pair], written: int, kept: int) -> None:
        by_status = Counter(p.status for p in pairs)
        stats = self.crawler.stats
        for status, count in by_status.items():
            if stats is not None:
                stats.set_value(f"bitext/pairs/{status}", count)
        logger.info(
            "wrote %d pairs to %s (%d kept from earlier crawls): %s",
            written,
            self.manifest_path,
            kept,
            ", ".join(f"{s} {n}" for s, n in sorted(by_status.items())),
        )
