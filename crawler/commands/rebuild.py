"""``python -m crawler rebuild ARCHIVE_DIR``: the pairs manifest again, from the WARC files only."""

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
            "Read the crawl-log records and archived pages of the closed WARC files in "
            "ARCHIVE_DIR, parse every post and source page again with this version of the "
            f"crawler and write the manifest (default ARCHIVE_DIR/{REBUILT_NAME}). Makes no "
            "network access."
        ),
        epilog=examples(
            "python -m crawler rebuild archives/t2",
            f"    writes archives/t2/{REBUILT_NAME}, to compare with the crawl's manifest",
            "python -m crawler rebuild --in-place archives/t2",
            f"    replaces archives/t2/{defaults.PAIRS_MANIFEST} (not while a crawl writes it)",
            "python -m crawler rebuild archives/t2 --allow-damaged -o /tmp/whole.jsonl",
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
    parser.add_argument(
        "--via-crawl",
        action="store_true",
        help=(
            "run the archive's crawl again, every response (robots.txt, lists, posts, sources, "
            "redirects) answered from the archive and nothing fetched, instead of replaying the "
            "crawl-log records; --workers is then the read-ahead pool's size"
        ),
    )
    add_workers(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the reading code (trafilatura, lxml) is slow to import for other commands.
    from crawler.manifest import Repair, write_manifest
    from crawler.manifest.rejected import report_repairs
    from crawler.rebuild import rebuild_pairs

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
    if args.via_crawl:
        return _via_crawl(args, directory, output, replacing)
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
def _rebuilding(directory: Path, output: Path, *, replacing: bool) -> Iterator[None]:
    """Rebuild under the archive lock when the manifest is replaced (a crawl's write: not while
    one runs); a failure is said once, the same for both ways of rebuilding, as ``_Failed``."""
    from crawler.archive.lock import ArchiveLock, ArchiveLocked
    from crawler.manifest import ManifestError
    from crawler.rebuild import DamagedArchiveError, RebuildError

    held = ArchiveLock(directory) if replacing else contextlib.nullcontext()
    try:
        with held:
            yield
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


def _via_crawl(args: argparse.Namespace, directory: Path, output: Path, replacing: bool) -> int:
    from crawler.commands.rebuild_crawl import rebuild_by_crawl

    started = time.perf_counter()
    try:
        with _rebuilding(directory, output, replacing=replacing):
            result = rebuild_by_crawl(
                directory, output, workers=args.workers, allow_damaged=args.allow_damaged
            )
    except _Failed as failed:
        return failed.code
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
