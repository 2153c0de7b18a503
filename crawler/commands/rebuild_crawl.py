"""``python -m crawler rebuild --via-crawl``: the archive's crawl run again, every response from it.

The spider of the archive's last crawl (its crawl-log records name it, its warcinfo the blog)
crawls in this process with the archive cache in replay mode (``ARCHIVE_CACHE_REPLAY``,
crawler/downloadermiddlewares/archive_cache.py): robots.txt, lists, posts, sources, each redirect
hop and the web-archive lookups are answered from the archive (crawler/archive/storage.py, the
replay policy of crawler/policy/offline.py), and the download handler is one that refuses
(crawler/downloadhandlers/offline.py). Nothing is fetched and nothing is written into the archive:
the crawl's own directory (its crawl state and journal) is a scratch directory beside the
output, where the pairs pipeline writes the manifest, moved to the output at the end. No WARC
capture, no crawl log, no URL guard (it resolves host names); a URL longer than
``URLLENGTH_LIMIT`` is requested too, and answered with the outcome the crawl logged for it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler import defaults
from crawler.archive.evidence import archive_losses
from crawler.archive.layout import REJECTED_NAME
from crawler.archive.storage import ArchiveStorage, StorageError, blog_of
from crawler.rebuild import DamagedArchiveError, RebuildError

# The spiders a replay can run again: each needs only its blog.
REPLAYABLE = ("t1", "t2", "blogger", "blog")
REPLAY = "crawler.downloadermiddlewares.archive_cache.ArchiveReplayMiddleware"
GUARD = "crawler.downloadermiddlewares.urlguard.UrlGuardMiddleware"
OFFLINE_HANDLER = "crawler.downloadhandlers.offline.OfflineDownloadHandler"
# The archive cache (95) answers with the crawl log's outcomes; the replay middleware, last before
# the download handler as Scrapy's HttpCacheMiddleware (900), with the archived responses, on
# which robots.txt, retries, redirects and decompression run again as on the crawl's.
REPLAY_POSITION = 950


@dataclass
class CrawlRebuild:
    """What a replayed crawl did."""

    spider: str = ""
    files: int = 0
    open_files: int = 0
    crawls: int = 0
    posts: int = 0  # crawl-log records
    sources: int = 0
    pages_read: int = 0
    pooled: int = 0  # of which read in the read-ahead pool's worker processes
    workers: int = 0
    pairs: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rejected: Path | None = None  # lines the schema refused, written repaired
    damage: DamagedArchiveError | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def open_storage(directory: Path, *, allow_damaged: bool) -> tuple[ArchiveStorage, Any]:
    """The archive as the replay's storage, and what it lost (None: nothing). Raises
    DamagedArchiveError when it lost records, unless ``allow_damaged``."""
    try:
        storage = ArchiveStorage.scan(directory)
    except StorageError as exc:
        raise RebuildError(str(exc)) from None
    losses = archive_losses(directory, storage.checks, storage.entries)
    damage = None if losses is None else DamagedArchiveError(losses.problems, losses.pairs)
    if damage is not None and not allow_damaged:
        raise damage
    return storage, damage


def replay_spider(storage: ArchiveStorage) -> tuple[str, dict[str, str]]:
    """The spider of the archive's last crawl and its arguments (the blog its warcinfo names)."""
    last = storage.crawl_of()
    if last is None:
        raise RebuildError("no crawl-log records in these WARC files: no crawl to replay")
    spider = str(last.fields.get("spider") or "")
    if spider not in REPLAYABLE:
        raise RebuildError(
            f"the archive's crawl ran the {spider!r} spider; a replay runs {', '.join(REPLAYABLE)}"
        )
    blog = blog_of(storage.warcinfo.get(last.record.filename, {}), spider)
    if spider in ("blogger", "blog") and blog is None:
        raise RebuildError(f"{last.record.filename}: its warcinfo does not name the blog crawled")
    return spider, ({"blog": blog} if blog else {})


def rebuild_by_crawl(
    directory: Path, output: Path, *, workers: int, allow_damaged: bool = False
) -> CrawlRebuild:
    """Replay the archive's crawl and write its manifest to ``output``."""
    storage, damage = open_storage(directory, allow_damaged=allow_damaged)
    spider, spider_args = replay_spider(storage)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Beside the output: the manifest is moved into place, never copied across file systems.
    scratch = Path(tempfile.mkdtemp(prefix=".rebuild-", dir=output.parent))
    try:
        stats = _run(storage, scratch, spider, spider_args, workers)
        manifest = scratch / defaults.PAIRS_MANIFEST
        if stats.get("finish_reason") != "finished" or not manifest.exists():
            raise RebuildError(f"the replayed crawl did not finish ({stats.get('finish_reason')})")
        if stats.get("archive_cache/replay/handler_reached"):
            raise RebuildError("the replayed crawl tried to download; nothing was written")
        rejected = _keep_rejected(scratch, output.parent)
        os.replace(manifest, output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = _summary(storage, stats, spider, workers, damage)
    result.rejected = rejected
    _count_pairs(result, output)
    return result


def _run(
    storage: ArchiveStorage, scratch: Path, spider: str, args: dict[str, str], workers: int
) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares[REPLAY] = REPLAY_POSITION
    middlewares[GUARD] = None
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(http=OFFLINE_HANDLER, https=OFFLINE_HANDLER)
    robots = next(iter(storage.warcinfo.values()), {}).get("robots", "obey")
    settings.setdict(
        {
            "ARCHIVE_DIR": str(scratch),
            "ARCHIVE_CACHE_REPLAY": storage,
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "DOWNLOAD_HANDLERS": handlers,
            "WARC_ENABLED": False,
            "ARCHIVE_LOCK_ENABLED": False,
            "ROBOTSTXT_OBEY": robots != "ignore",
            "URLLENGTH_LIMIT": 0,
            "BITEXT_PARSE_WORKERS": workers,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    errors: list[Any] = []
    process.crawl(crawler, **args).addErrback(errors.append)
    process.start()
    if errors:
        raise RebuildError(f"the replayed crawl could not start: {errors[0].getErrorMessage()}")
    assert crawler.stats is not None
    return dict(crawler.stats.get_stats())


def _keep_rejected(scratch: Path, directory: Path) -> Path | None:
    """The lines the schema refused in the replay, appended to ``directory``'s own file."""
    found = scratch / REJECTED_NAME
    if not found.exists():
        return None
    kept = directory / REJECTED_NAME
    with kept.open("a", encoding="utf-8") as out:
        out.write(found.read_text(encoding="utf-8"))
    return kept


def _summary(
    storage: ArchiveStorage,
    stats: dict[str, Any],
    spider: str,
    workers: int,
    damage: DamagedArchiveError | None,
) -> CrawlRebuild:
    return CrawlRebuild(
        spider=spider,
        files=len(storage.checks),
        open_files=storage.open_files,
        crawls=len({entry.crawl for entry in storage.entries}),
        posts=sum(entry.kind == "post" for entry in storage.entries),
        sources=sum(entry.kind == "source" for entry in storage.entries),
        pages_read=int(stats.get("bitext/read_ahead/used", 0))
        + int(stats.get("bitext/read_ahead/in_process", 0)),
        pooled=int(stats.get("bitext/read_ahead/used", 0)),
        workers=workers,
        damage=damage,
        stats=stats,
    )


def _count_pairs(result: CrawlRebuild, output: Path) -> None:
    import json

    with output.open(encoding="utf-8") as lines:
        for line in lines:
            status = str(json.loads(line).get("status"))
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.pairs += 1
