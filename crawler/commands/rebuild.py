"""``python -m crawler rebuild ARCHIVE_DIR``: the pairs manifest again, from the WARC files only:
the archive's crawls run again offline (crawler/commands/rebuild_crawl.py) or, when they cannot
be or with ``--from-log``, its crawl-log records replayed (crawler/rebuild.py)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler import defaults
from crawler.archive.layout import REBUILT_NAME
from crawler.commands.options import ExamplesFormatter, add_workers, examples
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rebuild",
        help="recompose the pairs manifest from the archived pages, without fetching anything",
        description=(
            "Run the crawls of ARCHIVE_DIR again from its closed WARC files, every response "
            "(robots.txt, lists, posts, sources, redirects) answered from the archive, with this "
            "version of the crawler, and write the manifest (default "
            f"ARCHIVE_DIR/{REBUILT_NAME}). An archive whose crawls cannot be run again (a "
            "spider a replay cannot run, such as a distributed crawl's, or list pages not "
            "archived) is rebuilt from its crawl-log records instead, as --from-log does, and "
            "the command says why. Makes no network access."
        ),
        epilog=examples(
            "python -m crawler rebuild archives/t2",
            f"    writes archives/t2/{REBUILT_NAME}, to compare with the crawl's manifest",
            "python -m crawler rebuild --in-place archives/t2",
            f"    replaces archives/t2/{defaults.PAIRS_MANIFEST} (not while a crawl writes it)",
            "python -m crawler rebuild archives/t2 --allow-damaged -o /tmp/whole.jsonl",
            "python -m crawler rebuild --from-log --workers 4 archives/t2",
            "    from the crawl-log records, pages read in 4 processes (faster on a large archive)",
        ),
        formatter_class=ExamplesFormatter,
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", type=Path, metavar="FILE", help="the manifest to write")
    target.add_argument(
        "--in-place",
        action="store_true",
        help=f"replace ARCHIVE_DIR/{defaults.PAIRS_MANIFEST} (atomically)",
    )
    parser.add_argument(
        "--allow-damaged",
        action="store_true",
        help=(
            "rebuild even though a WARC file is damaged or lost records, from the records that "
            "are whole (the pairs naming lost records are left out or downgraded; never "
            "--in-place). Without it a damaged archive exits 1 and writes nothing"
        ),
    )
    way = parser.add_mutually_exclusive_group()
    way.add_argument(
        "--via-crawl",
        action="store_true",
        help=(
            "run the archive's crawls again, or fail (exit 1): never rebuild from the crawl-log "
            "records; --workers is then the read-ahead pool's size"
        ),
    )
    way.add_argument(
        "--from-log",
        action="store_true",
        help=(
            "rebuild from the crawl-log records: each post and source page read again, in "
            "--workers processes, and the pairs composed crawl by crawl, no crawl run (any "
            "archive with crawl-log records, a merged distributed one too)"
        ),
    )
    add_workers(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # The reading code (trafilatura, lxml) is imported by each way: slow for other commands.
    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"rebuild: {directory} is not a directory", file=sys.stderr)
        return 2
    if args.workers < 1:
        echo("rebuild: --workers must be at least 1", file=sys.stderr)
        return 2
    output: Path = args.output or directory / (
        defaults.PAIRS_MANIFEST if args.in_place else REBUILT_NAME
    )
    # -o ARCHIVE_DIR/pairs.jsonl replaces it as --in-place does.
    replacing = output.resolve() == (directory / defaults.PAIRS_MANIFEST).resolve()
    if args.allow_damaged and replacing:
        echo("rebuild: --allow-damaged never replaces the manifest: give -o FILE", file=sys.stderr)
        return 2
    if not args.from_log:
        code = _via_crawl(args, directory, output, replacing)
        if code is not None:
            return code
    return _from_log(args, directory, output, replacing)


def _from_log(args: argparse.Namespace, directory: Path, output: Path, replacing: bool) -> int:
    from crawler.manifest import Repair, write_manifest
    from crawler.manifest.rejected import report_repairs
    from crawler.rebuild import rebuild_pairs

    started = time.perf_counter()
    repaired: list[Repair] = []
    try:
        with _rebuilding(directory, output, replacing=replacing):
            if args.allow_damaged:
                result = rebuild_pairs(directory, workers=args.workers, allow_damaged=True)
            else:
                result = rebuild_pairs(directory, workers=args.workers)
            written = write_manifest(output, result.pairs, repaired=repaired)
    except _Failed as failed:
        return failed.code
    if result.damage is not None:
        echo(f"rebuild: --allow-damaged: {result.damage}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    if result.open_files:
        echo(
            f"rebuild: {result.open_files} '.open' WARC file(s) left out (still being written, "
            "or left by a killed crawl)",
            file=sys.stderr,
        )
    if not result.posts and not result.sources:
        echo("rebuild: no crawl-log records in these WARC files", file=sys.stderr)
    statuses = Counter(pair.status for pair in result.pairs)
    echo(
        f"Read {result.files} WARC files: {result.crawls} crawl(s), {result.posts} posts, "
        f"{result.sources} sources; parsed {result.pages_read} pages in "
        f"{result.parse_seconds:.2f} s ({result.pages_per_second:.1f} pages/s, "
        f"{len(result.workers_used)} worker process(es)); {elapsed:.2f} s in all."
    )
    echo(f"Wrote {output}: {written} pairs ({_counts(statuses)}).")
    return 1 if report_repairs("rebuild", repaired, output.parent) else 0


class _Failed(Exception):
    """The rebuild failed and said why; ``code`` is the command's exit status."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@contextlib.contextmanager
def _rebuilding(
    directory: Path, output: Path, *, replacing: bool, falls_back: bool = False
) -> Iterator[None]:
    """Rebuild under the archive lock when the manifest is replaced (a crawl's write: not while
    one runs); a failure is said once, the same for both ways of rebuilding, as ``_Failed``.
    ``falls_back``: a CannotReplay is passed on, for the crawl-log records to be taken instead."""
    from crawler.archive.lock import ArchiveLock, ArchiveLocked
    from crawler.commands.rebuild_crawl import CannotReplay
    from crawler.manifest import ManifestError
    from crawler.rebuild import DamagedArchiveError, RebuildError

    held = ArchiveLock(directory) if replacing else contextlib.nullcontext()
    try:
        with held:
            yield
    except CannotReplay as error:
        if falls_back:
            raise
        echo(f"rebuild: {error}", file=sys.stderr)
        raise _Failed(1) from None
    except ArchiveLocked as error:
        echo(
            f"rebuild: {error}: --in-place once it has ended; nothing was written", file=sys.stderr
        )
        raise _Failed(3) from None
    except DamagedArchiveError as error:
        echo(f"rebuild: {error}", file=sys.stderr)
        kept = f" ({output} is as it was)" if output.exists() else ""
        echo(
            f"rebuild: nothing was written{kept}. To see what the whole records give, with "
            "those pairs left out or downgraded: rebuild --allow-damaged -o FILE",
            file=sys.stderr,
        )
        raise _Failed(1) from None
    except (RebuildError, ManifestError, OSError) as error:
        echo(f"rebuild: {error}", file=sys.stderr)
        raise _Failed(1) from None


def _counts(statuses: Counter[str]) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())) or "none"


def _via_crawl(
    args: argparse.Namespace, directory: Path, output: Path, replacing: bool
) -> int | None:
    """Run the archive's crawls again; None: they cannot be, and the crawl-log records are
    replayed instead (unless --via-crawl: then that is a failure)."""
    from crawler.commands.rebuild_crawl import CannotReplay, rebuild_by_crawl

    started = time.perf_counter()
    try:
        with _rebuilding(directory, output, replacing=replacing, falls_back=not args.via_crawl):
            result = rebuild_by_crawl(
                directory, output, workers=args.workers, allow_damaged=args.allow_damaged
            )
    except _Failed as failed:
        return failed.code
    except CannotReplay as why:
        echo(f"rebuild: cannot run the crawls again ({why}); rebuilding from the crawl-log "
             "records", file=sys.stderr)  # fmt: skip
        return None
    if result.damage is not None:
        echo(f"rebuild: --allow-damaged: {result.damage}", file=sys.stderr)
    if result.open_files:
        echo(
            f"rebuild: {result.open_files} '.open' WARC file(s) left out (still being written, "
            "or left by a killed crawl)",
            file=sys.stderr,
        )
    elapsed = time.perf_counter() - started
    echo(
        f"Read {result.files} WARC files: {result.crawls} crawl(s), {result.posts} posts, "
        f"{result.sources} sources; replayed the {result.spider} crawl from the archive, "
        f"parsed {result.pages_read} pages ({result.pooled} in the read-ahead pool of "
        f"{result.workers} worker process(es)); {elapsed:.2f} s in all."
    )
    echo(f"Wrote {output}: {result.pairs} pairs ({_counts(Counter(result.statuses))}).")
    if result.rejected is not None:
        echo(
            f"rebuild: failed, pair line(s) refused by the manifest schema (a bug in the "
            f"crawler) were written repaired; the lines as they were are in {result.rejected}",
            file=sys.stderr,
        )
        return 1
    return 0
