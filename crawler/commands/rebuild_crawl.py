"""``python -m crawler rebuild --via-crawl``: the archive's crawls again, every response from it.

Each crawl that wrote into the archive (crawler/archive/storage.py ``runs``: its crawl-log
records name its spider and whether it was a full one, its warcinfo the blog) crawls again, in
order, in this process, with the archive cache in replay mode (``ARCHIVE_CACHE_REPLAY``,
crawler/downloadermiddlewares/archive_cache.py): robots.txt, lists, posts, sources, each redirect
hop and the web-archive lookups are answered from what that crawl archived (the replay policy of
crawler/policy/offline.py); a post or source it did not fetch is answered as it was then, from
what the crawls replayed before settled (their crawl state, the refetch policy). The download
handler is one that refuses (crawler/downloadhandlers/offline.py). Nothing is fetched and nothing
is written into the archive: the crawls' own directory (their crawl state and journal, the WARC
files linked in) is a scratch directory beside the output, where the pairs pipeline writes the
manifest, moved to the output at the end. No WARC capture, no crawl log, no URL guard (it
resolves host names), no re-check by today's clock (a replayed crawl re-checks what its run did);
a URL longer than ``URLLENGTH_LIMIT`` is requested too, and answered with the outcome the crawl
logged for it.
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
from crawler.archive.storage import ArchiveStorage, Run, StorageError, blog_of
from crawler.rebuild import DamagedArchiveError, RebuildError

# The spiders a replay can run again: each needs only its blog.
REPLAYABLE = ("t1", "t2", "blogger", "blog")
REPLAY = "crawler.downloadermiddlewares.archive_cache.ArchiveReplayMiddleware"
GUARD = "crawler.downloadermiddlewares.urlguard.UrlGuardMiddleware"
OFFLINE_HANDLER = "crawler.downloadhandlers.offline.OfflineDownloadHandler"
# Nothing is written into the archive (no WARC capture, no crawl log), so it is not locked.
UNUSED_EXTENSIONS = (
    "crawler.extensions.archive_lock.ArchiveLockExtension",
    "crawler.extensions.warc_capture.WarcCapture",
    "crawler.extensions.crawl_log.CrawlLog",
)
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


class CannotReplay(RebuildError):
    """The archive's crawls cannot be run again from it: a spider a replay cannot run, a blog
    its warcinfo does not name, or a replay that did not reach every item the crawl log records
    (its lists are not archived, say). The crawl-log records can still be replayed."""


@dataclass(frozen=True)
class ReplayedRun:
    """A crawl of the archive to run again: what it wrote, and its spider's arguments."""

    run: Run
    args: dict[str, str]


def replay_runs(storage: ArchiveStorage) -> list[ReplayedRun]:
    """The archive's crawls, in order, each with its spider's arguments (the blog its warcinfo
    names)."""
    runs = storage.runs()
    if not runs:
        raise CannotReplay("no crawl-log records in these WARC files: no crawl to replay")
    replayed = []
    for run in runs:
        if run.spider not in REPLAYABLE:
            raise CannotReplay(
                f"a crawl of the archive ran the {run.spider!r} spider; a replay runs "
                f"{', '.join(REPLAYABLE)}"
            )
        blog = next(
            (blog_of(storage.warcinfo.get(name, {}), run.spider) for name in run.files), None
        )
        if run.spider in ("blogger", "blog") and blog is None:
            raise CannotReplay(f"{run.files[0]}: its warcinfo does not name the blog crawled")
        replayed.append(ReplayedRun(run, {"blog": blog} if blog else {}))
    return replayed


def rebuild_by_crawl(
    directory: Path, output: Path, *, workers: int, allow_damaged: bool = False
) -> CrawlRebuild:
    """Replay the archive's crawl and write its manifest to ``output``."""
    storage, damage = open_storage(directory, allow_damaged=allow_damaged)
    runs = replay_runs(storage)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Beside the output: the manifest is moved into place, never copied across file systems.
    scratch = Path(tempfile.mkdtemp(prefix=".rebuild-", dir=output.parent))
    try:
        _link_warc_files(storage, scratch)
        views = [storage.of_run(replayed.run) for replayed in runs]
        every = _crawl(storage, scratch, runs, views, workers)
        manifest = scratch / defaults.PAIRS_MANIFEST
        for stats in every:
            if stats.get("finish_reason") != "finished":
                reason = stats.get("finish_reason")
                raise RebuildError(f"a replayed crawl did not finish ({reason})")
            if stats.get("archive_cache/replay/handler_reached"):
                raise RebuildError("a replayed crawl tried to download; nothing was written")
        if len(every) < len(runs) or not manifest.exists():
            raise RebuildError("the replayed crawls did not finish")
        _check_reached(views)
        rejected = _keep_rejected(scratch, output.parent)
        os.replace(manifest, output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stats = _summed(every)
    result = _summary(storage, stats, runs[-1].run.spider, workers, damage)
    result.rejected = rejected
    _count_pairs(result, output)
    return result


def _check_reached(views: list[ArchiveStorage]) -> None:
    """Raise CannotReplay unless each replayed crawl requested every item its crawl log
    records: one it did not reach (its list page is not archived, or was never one) would be
    missing from the manifest."""
    missed = [item for view in views for item in view.unreached()]
    if missed:
        total = sum(len(view.logged) for view in views)
        kind, url = missed[0]
        raise CannotReplay(
            f"the replayed crawls did not reach {len(missed)} of the {total} items their crawl "
            f"logs record (the first: the {kind} {url}); the lists that gave them are not all "
            "in the archive"
        )


def _link_warc_files(storage: ArchiveStorage, scratch: Path) -> None:
    """The archive's WARC files in the scratch directory, as links: the crawl state of the runs
    replayed so far points into them, as the crawls' state did."""
    for name in storage.checks:
        source = (storage.directory / name).resolve()
        try:
            os.link(source, scratch / name)
        except OSError:  # another file system, or one without hard links
            os.symlink(source, scratch / name)


def _crawl(
    storage: ArchiveStorage,
    scratch: Path,
    runs: list[ReplayedRun],
    views: list[ArchiveStorage],
    workers: int,
) -> list[dict[str, Any]]:
    """Replay the runs one after the other in one reactor; the stats of each that ran."""
    from scrapy.crawler import Crawler, CrawlerProcess
    from twisted.internet import defer

    settings = _replay_settings(storage, scratch, workers)
    process = CrawlerProcess(settings)
    every: list[dict[str, Any]] = []
    errors: list[Any] = []

    @defer.inlineCallbacks
    def one_after_another() -> Any:
        for replayed, view in zip(runs, views, strict=True):
            run_settings = settings.copy()
            run_settings.setdict(
                {
                    "ARCHIVE_CACHE_REPLAY": view,
                    "BITEXT_FULL_CRAWL": replayed.run.full,
                },
                priority="cmdline",
            )
            spidercls = process.spider_loader.load(replayed.run.spider)
            crawler = Crawler(spidercls, run_settings, init_reactor=True)
            yield process.crawl(crawler, **replayed.args)
            assert crawler.stats is not None
            every.append(dict(crawler.stats.get_stats()))

    done = one_after_another()
    done.addErrback(errors.append)
    done.addBoth(_stop)
    process.start(stop_after_crawl=False)
    if errors:
        raise RebuildError(f"a replayed crawl could not start: {errors[0].getErrorMessage()}")
    return every


def _stop(_: object) -> None:
    from twisted.internet import reactor as installed  # the one the crawls installed

    reactor: Any = installed
    if reactor.running:
        reactor.stop()
    else:  # failed before the reactor ran
        reactor.callWhenRunning(reactor.stop)


def _replay_settings(storage: ArchiveStorage, scratch: Path, workers: int) -> Any:
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares[REPLAY] = REPLAY_POSITION
    middlewares[GUARD] = None
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(http=OFFLINE_HANDLER, https=OFFLINE_HANDLER)
    # Left out rather than switched off, which each would log as a WARNING.
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions.update(dict.fromkeys(UNUSED_EXTENSIONS))
    robots = next(iter(storage.warcinfo.values()), {}).get("robots", "obey")
    settings.setdict(
        {
            "ARCHIVE_DIR": str(scratch),
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "DOWNLOAD_HANDLERS": handlers,
            "EXTENSIONS": extensions,
            "WARC_ENABLED": False,
            "ARCHIVE_LOCK_ENABLED": False,
            "ROBOTSTXT_OBEY": robots != "ignore",
            "URLLENGTH_LIMIT": 0,
            "SOURCE_RECHECK_DAYS": 0,  # what each run re-checked is in its records
            "BITEXT_PARSE_WORKERS": workers,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        },
        priority="cmdline",
    )
    return settings


def _summed(every: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' counters added up (the other stats are the last run's)."""
    summed: dict[str, Any] = {}
    for stats in every:
        for key, value in stats.items():
            counted = isinstance(value, int) and isinstance(summed.get(key, 0), int)
            summed[key] = summed.get(key, 0) + value if counted else value
    return summed


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
