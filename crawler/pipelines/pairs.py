"""Journal each pair as soon as both of its sides are known; write the manifest at the end.

A pair is complete when its post has been parsed and its cited source fetched (in either
order; a source cited by several posts is fetched once and completes all of them). Each complete
pair is appended to this run's journal (``ARCHIVE_DIR/journal/*.jsonl``, fsync'd per line), so a
killed crawl loses nothing it finished. When the crawl closes, pairs still waiting for a source
are journalled as ``source_not_fetched``, and every journal in the directory (a killed run's
included) is folded with the existing manifest into a new ``pairs.jsonl`` (one line per pair,
the latest wins), written atomically; the folded journals are then removed.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.items import PostItem, SourceItem
from crawler.manifest import ManifestJournal, write_manifest
from crawler.pairing import cited_urls, compose_post_pairs, crawler_info
from crawler.sharing import shared_directory

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.manifest import Pair

logger = logging.getLogger(__name__)

JOURNAL_DIR = "journal"


class PairsPipeline:
    def __init__(self, crawler: Crawler, archive_dir: Path, manifest_path: Path) -> None:
        self.crawler = crawler
        self.archive_dir = archive_dir
        self.manifest_path = manifest_path
        self.journal: ManifestJournal | None = None
        self.sources: dict[str, SourceItem] = {}
        # A post's pairs are composed together once all its sources are in: a post that merges
        # several articles is judged on what each adds (crawler/matching.py).
        self.waiting: dict[str, list[PostItem]] = defaultdict(list)  # cited URL -> posts
        self.journalled: Counter[str] = Counter()
        self.crawler_info: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PairsPipeline:
        settings = crawler.settings
        if not settings.getbool("PAIRS_ENABLED", defaults.PAIRS_ENABLED):
            raise NotConfigured("PAIRS_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        manifest = archive_dir / settings.get("PAIRS_MANIFEST", defaults.PAIRS_MANIFEST)
        return cls(crawler, archive_dir, manifest)

    @property
    def journal_dir(self) -> Path:
        return self.archive_dir / JOURNAL_DIR

    def open_spider(self) -> None:
        shared_directory(self.journal_dir)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        name = f"{stamp}-{_safe(socket.gethostname())}-{os.getpid()}.jsonl"
        self.journal = ManifestJournal(self.journal_dir / name)
        self.crawler_info = crawler_info(self.crawler.spider.name if self.crawler.spider else "")

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem):
            self._complete_or_wait(item)
        elif isinstance(item, SourceItem):
            self.sources[item.cited_url] = item
            for post in self.waiting.pop(item.cited_url, []):
                self._complete_or_wait(post)
        return item

    def _complete_or_wait(self, post: PostItem) -> None:
        missing = [url for url in cited_urls(post) if url not in self.sources]
        if missing:
            if post not in self.waiting[missing[0]]:
                self.waiting[missing[0]].append(post)
            return
        for pair in compose_post_pairs(post, self.sources, self.crawler_info):
            self._journal(pair)

    def close_spider(self) -> None:
        unfinished = {id(p): p for posts in self.waiting.values() for p in posts}
        self.waiting.clear()
        for post in unfinished.values():
            for pair in compose_post_pairs(post, self.sources, self.crawler_info):
                self._journal(pair)
        if self.journal is not None:
            self.journal.close()
        journals = sorted(self.journal_dir.glob("*.jsonl"))
        folded = ManifestJournal.fold(journals, self.manifest_path)
        for warning in folded.warnings:
            logger.warning("%s", warning)
        written = write_manifest(self.manifest_path, folded.pairs)
        for journal in journals:
            journal.unlink()
        self._report(written)

    def _journal(self, pair: Pair) -> None:
        assert self.journal is not None
        self.journal.append(pair)
        self.journalled[pair.status] += 1

    def _report(self, written: int) -> None:
        stats = self.crawler.stats
        for status, count in self.journalled.items():
            if stats is not None:
                stats.set_value(f"bitext/pairs/{status}", count)
        logger.info(
            "this crawl completed %d pairs (%s); %s now holds %d",
            sum(self.journalled.values()),
            ", ".join(f"{s} {n}" for s, n in sorted(self.journalled.items())) or "none",
            self.manifest_path,
            written,
        )


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text) or "host"
