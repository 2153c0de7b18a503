"""``python -m crawler verify ARCHIVE_DIR``: check an archive and the manifest's pointers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.archive.layout import MANIFEST_NAME, journals
from crawler.archive.pointer import WarcPointer
from crawler.archive.verify import verify_archive
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check WARC files, their CDXJ index and the manifest's WARC pointers",
        description=(
            "Check every WARC file in ARCHIVE_DIR (gzip members, records, digests, request and "
            "response links, revisits), its index.cdxj if present, and every WARC pointer of "
            f"ARCHIVE_DIR/{MANIFEST_NAME} if present. Exits 1 when a problem is found."
        ),
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"verify: {directory} is not a directory", file=sys.stderr)
        return 2
    manifest = directory / MANIFEST_NAME
    pointers: list[tuple[str, WarcPointer]] = []
    manifest_problem = None
    if manifest.is_file():
        # Imported here: only this command needs the manifest package.
        from crawler.manifest import ManifestError, read_manifest

        try:
            pointers = list(_manifest_pointers(read_manifest(manifest)))
        except ManifestError as error:
            manifest_problem = f"{MANIFEST_NAME}: cannot be read ({error})."
    report = verify_archive(directory, pointers=pointers)
    if manifest_problem:
        report.problems.append(manifest_problem)
    report.problems.extend(_unfolded_journals(directory))
    echo(report.format())
    return 0 if report.ok else 1


def _unfolded_journals(directory: Path) -> Iterator[str]:
    """Pairs a crawl journalled that the manifest does not hold yet: lines it is missing."""
    for journal in journals(directory):
        with journal.open("rb") as lines:
            count = sum(1 for line in lines if line.strip())
        yield (
            f"{journal.relative_to(directory).as_posix()}: {count} pair lines not folded into "
            f"{MANIFEST_NAME} (a crawl is running, or one stopped before its close wrote "
            "the manifest): the next crawl folds them in, or `python -m crawler rebuild "
            "--in-place` rewrites the manifest."
        )


def _manifest_pointers(pairs: Any) -> Iterator[tuple[str, WarcPointer]]:
    for pair in pairs:
        if pair.translation.warc is not None:
            yield f"{pair.pair_id} translation", pair.translation.warc
        if pair.source is not None and pair.source.warc is not None:
            yield f"{pair.pair_id} source", pair.source.warc
