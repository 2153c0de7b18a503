"""``python -m crawler state rebuild ARCHIVE_DIR``: the crawl state again, from the archive only."""

from __future__ import annotations

import argparse
import contextlib
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from crawler.archive.layout import STATE_DIR, STATE_NAME
from crawler.commands.options import add_workers
from crawler.outcome import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE
from crawler.util.terminal import echo

_STATE = f"{STATE_DIR}/{STATE_NAME}"
_EXAMPLE = f"""\
examples:
  python -m crawler state rebuild archive/
      replaces archive/{_STATE} (not while a crawl writes the archive); the next
      crawl into archive/ then fetches only what is new, changed or worth retrying
  python -m crawler state rebuild archive/ -o /tmp/crawl.sqlite --workers 4
      writes the database elsewhere, to compare it with the crawl's own
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "state",
        help="the crawl state (ARCHIVE_DIR/state/crawl.sqlite) and what it is made from",
        description="Commands on the crawl state, the index an incremental crawl decides from.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="state_command", required=True, metavar="COMMAND")
    rebuild = commands.add_parser(
        "rebuild",
        help="write the crawl state again from the WARC files, manifest and journals",
        description=textwrap.fill(
            "Replay the crawl-log records of the closed WARC files in ARCHIVE_DIR crawl by "
            "crawl, reading each page again as 'rebuild' does, with the archived sitemaps and "
            "feed pages, and write a new crawl state database from them, with the pairs of the "
            "manifest and journals as journalled (default: replace ARCHIVE_DIR/"
            f"{_STATE}, atomically and under the archive lock). Makes no network access. An "
            "archive that lost records is refused: exit 1, nothing written.",
            width=88,
        ),
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rebuild.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    rebuild.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help=f"the database to write (default: ARCHIVE_DIR/{_STATE}, replaced)",
    )
    add_workers(rebuild)
    rebuild.set_defaults(func=run_rebuild)


def run_rebuild(args: argparse.Namespace) -> int:
    # Imported here: the reading code (trafilatura, lxml) is slow to import for other commands.
    from crawler.archive.lock import ArchiveLock, ArchiveLocked
    from crawler.rebuild import DamagedArchiveError, RebuildError
    from crawler.state import StateError
    from crawler.state.derive import derive_state

    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"state rebuild: {directory} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1:
        echo("state rebuild: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    own = directory / STATE_DIR / STATE_NAME
    output: Path = args.output or own
    # Replacing the archive's state is a crawl's write: not while one runs, and under its lock.
    replacing = output.resolve() == own.resolve()
    held = ArchiveLock(directory) if replacing else contextlib.nullcontext()
    started = time.perf_counter()
    try:
        with held:
            result = derive_state(directory, output, workers=args.workers)
    except ArchiveLocked as error:
        echo(f"state rebuild: {error}: once it has ended; nothing was written", file=sys.stderr)
        return EXIT_LOCKED
    except DamagedArchiveError as error:
        echo(f"state rebuild: {error}", file=sys.stderr)
        kept = f" ({output} is as it was)" if output.exists() else ""
        echo(f"state rebuild: nothing was written{kept}", file=sys.stderr)
        return EXIT_FAILED
    except (RebuildError, StateError, OSError) as error:
        echo(f"state rebuild: {error}", file=sys.stderr)
        return EXIT_FAILED
    for warning in result.journal_warnings:
        echo(f"state rebuild: {warning}", file=sys.stderr)
    read = result.read
    if read.open_files:
        echo(
            f"state rebuild: {read.open_files} '.open' WARC file(s) left out (still being "
            "written, or left by a killed crawl): what they hold will be fetched again",
            file=sys.stderr,
        )
    if not read.logged:
        echo("state rebuild: no crawl-log records in these WARC files", file=sys.stderr)
    counts = ", ".join(f"{table} {n}" for table, n in result.counts.items())
    echo(
        f"Read {read.files} WARC files: {len(read.logged)} crawl-log records, "
        f"{result.list_pages} sitemap and feed pages; parsed {read.pages_read} pages; "
        f"{time.perf_counter() - started:.2f} s in all."
    )
    echo(f"Wrote {output}: {counts}.")
    return EXIT_OK
