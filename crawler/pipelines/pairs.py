"""Journal each pair as soon as both of its sides are known; write the manifest at the end.

A pair is complete when its post has been parsed and its cited source fetched (in either
order; a source cited by several posts is fetched once and completes all of them). Each complete
pair is appended to this run's journal (``ARCHIVE_DIR/journal/*.jsonl``, one whole line at once,
fsync'd in groups every ``PAIRS_JOURNAL_FSYNC_INTERVAL`` off the event loop), so a killed crawl
loses nothing it finished. When the crawl closes, pairs still waiting for a source
are journalled as ``source_not_fetched``, and every journal in the directory (a killed run's
included) is folded with the existing manifest into a new ``pairs.jsonl`` (one line per pair,
the latest wins), written atomically; the folded journals are then removed.

Every item this run fetched is also recorded in the crawl state (crawler/state/), and every
journalled pair noted there, which makes the next run incremental. What an earlier run archived
comes as items too: the archive cache (crawler/downloadermiddlewares/archive_cache.py) answers a
settled source, and a post whose pairs are composed again (it cites a source fetched again, or a
killed run did not journal all its pairs), with the archived response, which the spider reads
as it read the page; such an item (``from_archive``) is paired as any other and not recorded
again. The pipeline asks the state only what a fetch changes (the capture a source keeps, when
its page was first seen changed) and, at the close, the last outcome of a URL never answered.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter, defaultdict
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from crawler import defaults
from crawler.archive.layout import JOURNAL_DIR, journals
from crawler.archive.reader import RecordError
from crawler.items import ListingItem, PostItem, SourceItem
from crawler.items.codec import source_record
from crawler.manifest import (
    ManifestError,
    ManifestFold,
    ManifestJournal,
    Repair,
    UnrepairableError,
    repair_pair,
)
from crawler.manifest.rejected import (
    append_rejected,
    describe_repair,
    repaired_record,
    unreadable_record,
    unwritable_record,
)
from crawler.outcome import MANIFEST_REPAIRED, MANIFEST_UNWRITABLE, PAIRS_PREFIX, manifest_damage
from crawler.pairing.compose import cited_urls, compose_post_pairs, crawler_info
from crawler.pairing.fetched import FetchedSources
from crawler.reading.archived import source_item_from_state
from crawler.state import CrawlState, SourceRecord
from crawler.state.recording import record_fetched_source, record_listing, record_post_item
from crawler.state.repair import repair_archive
from crawler.util.filemodes import shared_directory

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.manifest import Pair

logger = logging.getLogger(__name__)


class PairsPipeline:
    def __init__(
        self,
        crawler: Crawler,
        archive_dir: Path,
        manifest_path: Path,
        *,
        fsync_interval: float = defaults.PAIRS_JOURNAL_FSYNC_INTERVAL,
    ) -> None:
        self.crawler = crawler
        self.archive_dir = archive_dir
        self.manifest_path = manifest_path
        self.fsync_interval = fsync_interval
        self.journal: ManifestJournal | None = None
        self.sources = FetchedSources()  # cited URL -> outcome; the older ones on disk
        # A post's pairs are composed together once all its sources are in: a post that merges
        # several articles is judged on what each adds (crawler/pairing/matching.py).
        self.waiting: dict[str, list[PostItem]] = defaultdict(list)  # cited URL -> posts
        self.journalled: Counter[str] = Counter()
        self.crawler_info: dict[str, str] = {}
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PairsPipeline:
        settings = crawler.settings
        if not settings.getbool("PAIRS_ENABLED", defaults.PAIRS_ENABLED):
            raise NotConfigured("PAIRS_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        manifest = archive_dir / settings.get("PAIRS_MANIFEST", defaults.PAIRS_MANIFEST)
        fsync = settings.getfloat(
            "PAIRS_JOURNAL_FSYNC_INTERVAL", defaults.PAIRS_JOURNAL_FSYNC_INTERVAL
        )
        interval = max(0.0, fsync)  # less than 0 (or NaN) is 0: an fsync per line, the safe side
        return cls(crawler, archive_dir, manifest, fsync_interval=interval)

    @property
    def journal_dir(self) -> Path:
        return self.archive_dir / JOURNAL_DIR

    def open_spider(self) -> None:
        shared_directory(self.journal_dir)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        name = f"{stamp}-{_safe(socket.gethostname())}-{os.getpid()}.jsonl"
        self.journal = ManifestJournal(self.journal_dir / name, fsync_interval=self.fsync_interval)
        self.crawler_info = crawler_info(self.crawler.spider.name if self.crawler.spider else "")
        self.state = CrawlState.open(self.archive_dir)
        self._forget_damaged()

    def _forget_damaged(self) -> None:
        # Before the archive cache (opened after) reads anything back: what a damaged WARC file
        # lost is fetched again. Files are set aside only under the lock.
        assert self.state is not None
        lock = self.crawler.settings.getbool("ARCHIVE_LOCK_ENABLED", defaults.ARCHIVE_LOCK_ENABLED)
        for damaged in repair_archive(self.archive_dir, self.state, set_damaged_aside=lock):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("bitext/incremental/damaged_warcs")
                self.crawler.stats.inc_value("bitext/incremental/lost", damaged.forgotten)

    def process_item(self, item: Any) -> Any:
        # The state rows of one item commit together, after its journal lines are written.
        with self._batch():
            result = self._process(item)
        if isinstance(item, ListingItem):
            # Noted above; feed exports and later pipelines get posts and sources only.
            raise DropItem("a list page's dates, noted in the crawl state", log_level="DEBUG")
        return result

    def _batch(self) -> AbstractContextManager[None]:
        return self.state.batch() if self.state is not None else nullcontext()

    def _process(self, item: Any) -> Any:
        if isinstance(item, ListingItem):
            if self.state is not None:
                record_listing(self.state, item)
        elif isinstance(item, PostItem):
            self._complete_or_wait(item)
            if not item.from_archive:  # a copy read again was recorded when it was fetched
                self._record_post(item)
        elif isinstance(item, SourceItem):
            # A fetched source is recorded first: its pairs may keep the page captured earlier.
            paired = item if item.from_archive else self._record_source(item)
            self.sources[item.cited_url] = self._dated(paired)
            for post in self.waiting.pop(item.cited_url, []):
                self._complete_or_wait(post)
        return item

    def _complete_or_wait(self, post: PostItem) -> None:
        missing = [url for url in cited_urls(post) if self.sources.get(url) is None]
        if missing:
            if post not in self.waiting[missing[0]]:
                self.waiting[missing[0]].append(post)
            return
        for pair in compose_post_pairs(post, self._sources_of(post), self.crawler_info):
            self._journal(pair)

    def _sources_of(self, post: PostItem, *, last_known: bool = False) -> dict[str, SourceItem]:
        """The outcomes the post's pairs are composed with; ``last_known``: an earlier run's
        outcome, final or not, for a URL this run did not get to."""
        found = {}
        for url in cited_urls(post):
            item = self.sources.get(url)
            if item is None and last_known and self.state is not None:
                item = self._read_back_source(self.state.source(url))
                item = self._dated(item) if item is not None else None
            if item is not None:
                found[url] = item
        return found

    def _read_back_source(self, record: SourceRecord | None) -> SourceItem | None:
        if record is None:
            return None
        try:
            return source_item_from_state(self.archive_dir, record)
        except RecordError as exc:
            logger.warning("cannot read back the archived source %s: %s", record.cited_url, exc)
            return None

    def _record_post(self, item: PostItem) -> None:
        if self.state is not None:
            record_post_item(self.state, item)

    def _record_source(self, item: SourceItem) -> SourceItem:
        """Record a fetched source; returns the outcome its pairs take: ``item``, or the page
        captured earlier that the source keeps (crawler/state/drift.py)."""
        if self.state is None:
            return item
        change, capture = record_fetched_source(self.state, self.archive_dir, item)
        stats = self.crawler.stats
        if change is not None and change.old_status is not None:
            logger.info(
                "source %s changed since the last crawl: %s -> %s",
                item.cited_url, change.old_status, change.new_status,
            )  # fmt: skip
            if stats is not None:
                stats.inc_value("bitext/incremental/sources_changed")
        kept = self._read_back_source(capture) if capture is not None else None
        if kept is None:
            return item  # no capture kept, or it does not read back: this fetch's page
        if item.drift is not None and stats is not None:
            stats.inc_value("bitext/incremental/sources_drifted")
        return kept

    def _dated(self, item: SourceItem) -> SourceItem:
        """``item`` with when its page was first seen changed, from the crawl state."""
        if self.state is not None and item.changed_since is None:
            record = source_record(item)
            item.changed_since = self.state.changed_since(record)
        return item

    def close_spider(self) -> None:
        unfinished = {id(p): p for posts in self.waiting.values() for p in posts}
        self.waiting.clear()
        with self._batch():
            for post in unfinished.values():
                sources = self._sources_of(post, last_known=True)
                for pair in compose_post_pairs(post, sources, self.crawler_info):
                    self._journal(pair)
        self.sources.close()  # every pair is composed: not held while the manifest is folded
        if self.journal is not None:
            self.journal.close()
        try:
            written = self._write_manifest()
        except (OSError, ManifestError) as exc:
            # Scrapy would log a raise here as a "Scraper close failure" and scrapy crawl would
            # exit 0: an ERROR of ours fails python -m crawler crawl, and says what to do.
            logger.error(
                "THE CRAWL FAILED: cannot write the manifest %s: %s. It is as it was; this "
                "crawl's pairs are kept in the journals of %s, which the next crawl folds in (or "
                "run python -m crawler rebuild --in-place) once the cause is fixed",
                self.manifest_path,
                exc,
                self.journal_dir,
            )
            return
        finally:
            if self.state is not None:
                self.state.close()
                self.state = None
        self._report(written)

    def _write_manifest(self) -> int:
        """Fold the journals into the manifest; they are removed once it is written."""
        folding = journals(self.archive_dir)
        # This run's journal was validated line by line as it was written: not again.
        own = [self.journal.path] if self.journal is not None else []
        # Two passes, a few values per pair held (crawler/manifest/streamfold.py); every line
        # validated (or repaired) once, when it was read or written.
        with ManifestFold(folding, self.manifest_path, trusted=own) as folded:
            for warning in folded.warnings:
                logger.warning("%s", warning)
            self._keep_fold_damage(folded)
            written = folded.write().written
        for journal in folding:
            journal.unlink()
        return written

    def _journal(self, pair: Pair) -> None:
        assert self.journal is not None
        try:
            self.journal.append(pair)
        except ManifestError:
            # A line the schema refuses is a bug (or a page's odd metadata the reading code let
            # through): it is journalled repaired, and the line as composed is kept.
            try:
                repair = repair_pair(pair)
            except UnrepairableError as exc:
                self._lost(unwritable_record(str(exc), exc.line), f"pair {pair.pair_id}: {exc}")
                return
            if not repair.needed:
                raise
            self._kept(repair)
            pair = repair.pair
            self.journal.append(pair)
        self.journalled[pair.status] += 1
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(PAIRS_PREFIX + pair.status)  # progress lines read it
        if self.state is not None:
            # After its journal line is written (the kernel has it; on the disk within
            # PAIRS_JOURNAL_FSYNC_INTERVAL): a pair noted here survives a killed crawl.
            self.state.record_journaled(pair.pair_id, pair.status, pair.crawled_at)

    def _kept(self, repair: Repair) -> None:
        """A refused line written repaired: its original in rejected-pairs.jsonl, an ERROR."""
        rejected = append_rejected(self.archive_dir, [repaired_record(repair)])
        logger.error("%s; the line as it was is in %s", describe_repair(repair), rejected)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(MANIFEST_REPAIRED)

    def _lost(self, record: dict[str, Any], description: str) -> None:
        """A line that cannot be a pair at all (no translation URL, not JSON): kept only in
        rejected-pairs.jsonl."""
        rejected = append_rejected(self.archive_dir, [record])
        logger.error("%s: cannot be a manifest line; kept in %s", description, rejected)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(MANIFEST_UNWRITABLE)

    def _keep_fold_damage(self, folded: ManifestFold) -> None:
        # Lines of the existing manifest or of journals (an older version's, a damaged file's).
        for repair in folded.repaired:
            self._kept(repair)
        for line in folded.unreadable:
            self._lost(unreadable_record(line), line.error)  # the error names the line

    def _report(self, written: int) -> None:
        stats = self.crawler.stats
        logger.info(
            "this crawl completed %d pairs (%s); %s now holds %d",
            sum(self.journalled.values()),
            ", ".join(f"{s} {n}" for s, n in sorted(self.journalled.items())) or "none",
            self.manifest_path,
            written,
        )
        damage = manifest_damage(stats.get_stats()) if stats is not None else None
        if damage is not None:
            # scrapy crawl exits 0 whatever happened: the end of the log says it.
            logger.error("THE CRAWL FAILED: %s (python -m crawler crawl exits 1)", damage)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text) or "host"
