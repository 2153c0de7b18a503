"""One crawl per archive directory; the crawl that gets it first repairs what a killed one left.

The lock is taken in ``from_crawler``: Scrapy builds extensions before it creates the engine, so a
refused crawl has opened no pipeline, scheduler queue or WARC file, and has fetched nothing.
Raising there fails ``Crawler.crawl()``: ``scrapy crawl`` exits 1 (``bootstrap_failed``) and
``python -m crawler crawl`` exits 3 (it knows ``ArchiveLocked``). It must come before the WARC
capture in ``EXTENSIONS``.

Holding the lock, nothing else writes the directory, so whatever a crawl left unfinished is
stale and repaired here, before the pipelines open: ``*.warc.gz.open`` files are cut to their last
whole record and renamed, and the digest index and crawl state forget what was cut; the temporary
files of a manifest, index or WARC write that never reached its rename are removed. A ``JOBDIR``
that a crawl was using when it died is reset: Scrapy writes its queue's positions and the spider's
state only when a crawl closes, so after a SIGKILL its queue would replay stale requests. The next
run then rediscovers the blog, and the crawl state (crawler/state/) skips what is archived.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.archive import DigestIndex, lock
from crawler.archive.index import INDEX_NAME
from crawler.archive.layout import DIGESTS_NAME
from crawler.archive.naming import WARC_SUFFIX
from crawler.archive.writer import recover_open_files
from crawler.dates import isoformat
from crawler.state import STATE_DIR, STATE_NAME, CrawlState
from crawler.util.atomic import leftover_temporaries
from crawler.util.filemodes import share_file

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

JOB_MARKER = "bitext-crawl.running"  # in JOBDIR while a crawl uses it
# What Scrapy keeps in a JOBDIR (scheduler queue, dupefilter, SpiderState).
JOB_FILES = ("requests.queue", "requests.seen", "spider.state")


class ArchiveLockExtension:
    def __init__(self, crawler: Crawler, held: lock.ArchiveLock, jobdir: Path | None) -> None:
        self.crawler = crawler
        self.held = held
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveLockExtension:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_LOCK_ENABLED", defaults.ARCHIVE_LOCK_ENABLED):
            raise NotConfigured("ARCHIVE_LOCK_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        held = lock.ArchiveLock(archive_dir)
        try:
            held.acquire()
        except lock.ArchiveLocked as exc:
            logger.error("%s; %s", exc, lock.NOTHING_FETCHED)
            raise
        jobdir = settings.get("JOBDIR")
        ext = cls(crawler, held, Path(jobdir) if jobdir else None)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        if held.taken_over is not None:
            logger.warning(
                "%s: the previous crawl (%s) ended without releasing it; repairing what it left",
                held.path,
                held.taken_over.describe(),
            )
        ext.repair_archive()
        ext.start_job()
        return ext

    def repair_archive(self) -> None:
        archive_dir = self.held.archive_dir
        manifest = self.crawler.settings.get("PAIRS_MANIFEST", defaults.PAIRS_MANIFEST)
        self._remove_leftovers(archive_dir, {Path(manifest).name, INDEX_NAME})
        for recovered in recover_open_files(archive_dir):
            if not recovered.filename:
                logger.warning("removed an empty WARC file left open by a killed crawl")
                continue
            if not recovered.cut:
                logger.info("closed %s, left open by a killed crawl", recovered.filename)
                continue
            logger.warning(
                "repaired %s, left open by a killed crawl: kept %d records (%d bytes), cut %d "
                "bytes from the end (%s)",
                recovered.filename,
                recovered.records,
                recovered.kept,
                recovered.cut,
                recovered.problem,
            )
            self._forget_cut(archive_dir, recovered.filename, recovered.kept)

    def _remove_leftovers(self, archive_dir: Path, locked_writes: set[str]) -> None:
        # Only lock holders write these files (the crawl, merge, rebuild --in-place): a temporary
        # file of theirs found now belongs to a write that was killed. Others' (an export, a
        # report, a WACZ being written by a command now) are left to them, and to verify.
        for leftover in leftover_temporaries(archive_dir, recursive=False):
            target = leftover.target
            if target is None or not (target in locked_writes or target.endswith(WARC_SUFFIX)):
                continue
            leftover.path.unlink(missing_ok=True)
            logger.warning(
                "removed %s, the temporary file of a write of %s that a killed crawl or command "
                "never finished (%s itself was not touched)",
                leftover.path.name,
                target,
                target,
            )

    def _forget_cut(self, archive_dir: Path, filename: str, offset: int) -> None:
        state_dir = archive_dir / STATE_DIR
        if (state_dir / DIGESTS_NAME).exists():
            with DigestIndex(state_dir / DIGESTS_NAME) as index:
                dropped = index.forget_from(filename, offset)
            logger.warning("dropped %d digest index entries of the cut records", dropped)
        if (state_dir / STATE_NAME).exists():
            with CrawlState(state_dir / STATE_NAME) as state:
                dropped = state.forget_from(filename, offset)
            logger.warning("%d posts and sources of the cut records will be fetched again", dropped)

    def start_job(self) -> None:
        if self.jobdir is None:
            return
        marker = self.jobdir / JOB_MARKER
        if marker.exists():
            stale = [name for name in JOB_FILES if (self.jobdir / name).exists()]
            for name in stale:
                path = self.jobdir / name
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            logger.warning(
                "JOBDIR %s was in use by a crawl that did not close (%s); its queue and state "
                "cannot be trusted, so they were reset (%s): the crawl state decides what is left",
                self.jobdir,
                marker.read_text(encoding="utf-8").strip() or "unknown",
                ", ".join(stale) or "nothing to reset",
            )
        self.jobdir.mkdir(parents=True, exist_ok=True)
        started = isoformat(datetime.now(UTC))
        marker.write_text(f"pid {os.getpid()} on host {socket.gethostname()} since {started}\n")
        share_file(marker)

    def engine_stopped(self) -> None:
        # Scrapy has written its queue and the spider's state by now: the JOBDIR is resumable.
        if self.jobdir is not None:
            (self.jobdir / JOB_MARKER).unlink(missing_ok=True)
        self.held.release()
