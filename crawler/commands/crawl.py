"""``python -m crawler crawl SPIDER``: one crawl, with an exit code a scheduler can act on.

``scrapy crawl`` exits 0 when the archive could not be written or the blog could not be reached;
this command runs the same crawl in-process and exits 0 (finished), 1 (failed), 2 (bad
arguments) or 3 (another crawl holds the archive), decided by ``crawler.outcome``. With
``--log-file`` the log goes to a file that starts afresh for every run, and the command prints
nothing unless the crawl failed: cron mails whatever a job prints.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler import defaults
from crawler.commands.extras import DISTRIBUTED, WACZ, missing_extra
from crawler.commands.options import ExamplesFormatter, add_spider_args, examples, name_value
from crawler.outcome import (
    EXIT_FAILED,
    EXIT_USAGE,
    ITEM_ERRORS,
    LOGGED_ERRORS,
    Outcome,
    bad_arguments,
    crawl_outcome,
    refused,
    start_failed,
)
from crawler.util.filemodes import share_file
from crawler.util.terminal import echo, is_terminal

if TYPE_CHECKING:
    from io import TextIOWrapper

    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

PROJECT_LOGGERS = "crawler"  # the package whose ERROR lines fail a crawl


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="run one crawl and exit 0 (finished), 1 (failed), 2 (bad arguments) or 3 (locked)",
        description=(
            "Run the crawl of SPIDER in this process with the project's settings, like "
            "'scrapy crawl', and exit with a code a scheduler can act on: 0 the crawl finished, "
            "1 it failed (closed early, nothing could be fetched, or errors in the crawler's "
            "own components), 2 bad arguments, 3 another crawl is writing the archive. "
            "At the first crawl into a new archive with no operator configured (WARC_OPERATOR), "
            "a crawl started from a terminal asks for a name and an email address or URL, and "
            "keeps them in the archive for the next crawls. See docs/scheduling.md."
        ),
        epilog=examples(
            "python -m crawler crawl t2 --archive archives/t2",
            "python -m crawler crawl t2 --archive /var/lib/bitext-crawler/t2 \\",
            "        --log-file /var/log/bitext-crawler/t2.log",
            "    as cron runs it: prints one line only when the crawl did not finish",
            "python -m crawler crawl t2 --archive archives/t2 -a since=2025-01-01 -a limit=20",
            "python -m crawler crawl blogger -a blog=https://HOST/ --archive archives/host \\",
            "        -s WARC_OPERATOR='Jane Doe <jane@example.org>'",
        ),
        formatter_class=ExamplesFormatter,
    )
    parser.add_argument("spider", metavar="SPIDER", help="t2, t1 or blogger (with -a blog=URL)")
    parser.add_argument("--archive", type=Path, metavar="DIR", help="ARCHIVE_DIR of this crawl")
    add_spider_args(
        parser, "a spider argument, as for scrapy crawl (since, until, limit, post, blog, ...)"
    )
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        type=name_value,
        metavar="NAME=VALUE",
        help="a setting, as for scrapy crawl",
    )
    parser.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        help=(
            "log to FILE, which starts afresh for every run (earlier runs are kept as FILE.1 ... "
            "FILE.N, N = BITEXT_LOG_BACKUPS); only a failure is printed"
        ),
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="re-crawl every post and source, not only what is new (BITEXT_FULL_CRAWL)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    outcome = _crawl(args)
    logged = bool(logging.root.handlers)  # none yet when the log file could not be opened
    if outcome.ok:
        logger.info("%s", outcome.summary)
    elif logged:
        logger.error("exit %d: %s", outcome.code, outcome.summary)
    if not outcome.ok and (args.log_file is not None or not logged):
        # The log is in the file: this line is what cron mails, or what a terminal shows.
        where = f" (log: {args.log_file})" if logged and args.log_file is not None else ""
        echo(f"bitext-crawler: exit {outcome.code}: {outcome.summary}{where}", file=sys.stderr)
    return outcome.code


def _crawl(args: argparse.Namespace) -> Outcome:
    # Imported here: the other commands need no reactor and no Scrapy project.
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.log import log_scrapy_info

    settings = _settings(args)
    missing = _missing_extra(args.spider, settings)
    if missing is not None:  # before anything starts: one line, not a traceback
        return Outcome(EXIT_USAGE, missing)
    if args.log_file is not None:
        try:
            log_handler = _file_log_handler(args.log_file, settings)
        except OSError as error:
            return bad_arguments(f"cannot write the log file: {error}")
        # Scrapy's own root handler is a plain FileHandler that only ever appends.
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
        settings.set("LOG_FILE", None, priority="cmdline")
    process = CrawlerProcess(settings)
    if args.log_file is not None:
        logging.root.setLevel(logging.NOTSET)  # what Scrapy's root handler would have done
        logging.root.addHandler(log_handler)
        log_scrapy_info(settings)
    if args.spider not in process.spider_loader.list():
        known = ", ".join(sorted(process.spider_loader.list()))
        return bad_arguments(f"no spider named {args.spider!r} (known: {known})")
    try:
        _operator(settings)
    except KeyboardInterrupt:  # at the operator question
        return Outcome(EXIT_FAILED, f"{args.spider}: stopped before it started; nothing fetched")
    logger.info("crawl %s into %s (pid %d)", args.spider, settings.get("ARCHIVE_DIR"), os.getpid())
    crawler = process.create_crawler(args.spider)
    tally = ErrorTally()
    logging.root.addHandler(tally)
    crawler.signals.connect(tally.item_error, signal=signals.item_error)
    start_errors: list[Failure] = []
    process.crawl(crawler, **dict(args.spider_args)).addErrback(start_errors.append)
    try:
        process.start()
    finally:
        logging.root.removeHandler(tally)
    if start_errors:
        return _start_outcome(args.spider, crawler, start_errors[0])
    stats = dict(crawler.stats.get_stats())
    stats[LOGGED_ERRORS] = tally.logged
    stats[ITEM_ERRORS] = tally.items
    return crawl_outcome(stats, args.spider)


def _settings(args: argparse.Namespace) -> Settings:
    from scrapy.utils.project import get_project_settings

    # The project's settings whatever the working directory: cron starts jobs in $HOME.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.setdict(dict(args.settings), priority="cmdline")
    if args.archive is not None:
        settings.set("ARCHIVE_DIR", str(args.archive), priority="cmdline")
    if args.full:
        settings.set("BITEXT_FULL_CRAWL", True, priority="cmdline")
    return settings


def _missing_extra(spider: str, settings: Settings) -> str | None:
    """What the crawl needs that is not installed: scrapy-redis for a distributed spider, the
    wacz package when the crawl is to package its archive (WARC_WACZ)."""
    from crawler.spiders.distributed import DISTRIBUTED_SPIDERS

    if spider in DISTRIBUTED_SPIDERS:
        missing = missing_extra(spider, DISTRIBUTED)
        if missing is not None:
            return missing
    enabled = settings.getbool("WARC_ENABLED", defaults.WARC_ENABLED)
    if enabled and settings.getbool("WARC_WACZ", defaults.WARC_WACZ):
        missing = missing_extra(f"{spider}: WARC_WACZ is on", WACZ)
        if missing is not None:
            return missing
    return None


def _operator(settings: Settings) -> None:
    """Name the crawl's operator in its warcinfo records and its User-Agent (see
    crawler/archive/operator.py); ask for it at a terminal, warn when there is none."""
    from crawler.archive.operator import resolve_operator
    from crawler.spiders.identity import identify

    archive = Path(str(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR)))
    interactive = is_terminal(sys.stdin) and is_terminal(sys.stderr)
    resolved = resolve_operator(settings.get, archive, interactive=interactive, out=sys.stderr)
    if resolved.warning is not None:
        logger.warning("%s", resolved.warning)
    if resolved.operator is None:
        return
    identify(settings, resolved, priority="cmdline")
    logger.info("operator: %s (from the %s)", resolved.operator.warcinfo, resolved.source)


def _start_outcome(spider: str, crawler: Crawler, failure: Failure) -> Outcome:
    from crawler.archive.lock import NOTHING_FETCHED, ArchiveLocked

    error = failure.value
    description = f"{type(error).__name__}: {error}"
    if isinstance(error, ArchiveLocked):
        # The archive lock (crawler/extensions/archive_lock.py) may refuse by raising at start.
        return refused(spider, f"{error}; {NOTHING_FETCHED}")
    if crawler.spider is None and isinstance(error, ValueError):
        # The spider's constructor checks its arguments (dates, limit, blog URL).
        return bad_arguments(str(error))
    logger.error(
        "the crawl could not start", exc_info=(failure.type, error, failure.getTracebackObject())
    )
    return start_failed(spider, description)


class ErrorTally(logging.Handler):
    """Counts ERROR lines of the project's own loggers and items a pipeline raised on.

    Scrapy's ``log_count/ERROR`` also counts a source that could not be downloaded, which is an
    outcome recorded in the manifest, not a failure of the crawl.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.logged = 0
        self.items = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == PROJECT_LOGGERS or record.name.startswith(PROJECT_LOGGERS + "."):
            self.logged += 1

    def item_error(self, **_: Any) -> None:
        self.items += 1


class RunLog(logging.handlers.RotatingFileHandler):
    """A log file that starts afresh for each run: earlier runs are FILE.1 (newest) ... FILE.N.

    A run that outgrows ``max_bytes`` also continues in a fresh file. A run starts a new file
    only when no other run is writing it (an advisory lock on the open file): the refusal of a
    crawl whose archive is busy is appended to the running crawl's log, not rotated over it.
    """

    def __init__(self, path: Path, *, backups: int, max_bytes: int) -> None:
        self.holds_file = False
        # With no backups, RotatingFileHandler would reopen the same file on every record.
        super().__init__(
            path, maxBytes=max_bytes if backups else 0, backupCount=backups, encoding="utf-8"
        )
        if backups and self.holds_file and path.stat().st_size > 0:
            self.doRollover()

    def _open(self) -> TextIOWrapper:
        stream = super()._open()
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.holds_file = False
        else:
            self.holds_file = True
        if os.fstat(stream.fileno()).st_size == 0:
            with contextlib.suppress(OSError):  # a log somebody else created keeps its mode
                share_file(stream.fileno())
        return stream


def _file_log_handler(path: Path, settings: Settings) -> logging.Handler:
    from scrapy.utils.log import TopLevelFormatter

    backups = settings.getint("BITEXT_LOG_BACKUPS", defaults.BITEXT_LOG_BACKUPS)
    max_bytes = settings.getint("BITEXT_LOG_MAX_BYTES", defaults.BITEXT_LOG_MAX_BYTES)
    handler = RunLog(path, backups=max(backups, 0), max_bytes=max(max_bytes, 0))
    handler.setFormatter(
        logging.Formatter(fmt=settings.get("LOG_FORMAT"), datefmt=settings.get("LOG_DATEFORMAT"))
    )
    handler.setLevel(settings.get("LOG_LEVEL"))
    if settings.getbool("LOG_SHORT_NAMES"):
        handler.addFilter(TopLevelFormatter(["scrapy"]))
    return handler
