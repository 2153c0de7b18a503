"""``python -m crawler verify ARCHIVE_DIR``: check an archive, and its manifest against it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.archive.layout import MANIFEST_NAME, REJECTED_NAME, journals
from crawler.commands.options import documented
from crawler.outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from crawler.util.terminal import echo

if TYPE_CHECKING:
    from crawler.archive.pointer import WarcPointer

_EXAMPLE = f"""\
examples:
  python -m crawler verify archives/t2
      checks the WARC files, archives/t2/index.cdxj and archives/t2/{MANIFEST_NAME}
  python -m crawler verify archives/t2 --manifest archives/t2/pairs.rebuilt.jsonl
      checks a rebuilt manifest against the same archive instead
exit status: {EXIT_OK} no problem, {EXIT_FAILED} problems found (listed), {EXIT_USAGE} bad arguments
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check WARC files, their CDXJ index and the manifest's WARC pointers",
        **documented(
            (
                "Check every WARC file in ARCHIVE_DIR (gzip members, records, digests, request and "
                "response links, revisits), its index.cdxj if present, and the manifest "
                f"(ARCHIVE_DIR/{MANIFEST_NAME} if present) against the archive: every WARC pointer "
                "opens its record, every post and cited source of the crawl-log records has its "
                f"pair lines, and no line was refused by the manifest schema ({REJECTED_NAME}). "
                "Pair lines journalled but not folded into the manifest are problems too. Exits 1 "
                "when a problem is found."
            ),
            _EXAMPLE,
        ),
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help=f"the manifest to check against the archive (default: ARCHIVE_DIR/{MANIFEST_NAME})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: building the command line's parser stays cheap (crawler/cli.py).
    from crawler.archive.coverage import ManifestLine, coverage_problems, rejected_pairs
    from crawler.archive.verify import verify_archive

    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"verify: {directory} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    manifest: Path = args.manifest or directory / MANIFEST_NAME
    if args.manifest is not None and not manifest.is_file():
        echo(f"verify: {manifest}: no such file", file=sys.stderr)
        return EXIT_USAGE
    name = MANIFEST_NAME if args.manifest is None else str(manifest)
    pairs: list[Any] | None = None
    manifest_problem = None
    if manifest.is_file():
        # Imported here: only this command needs the manifest package.
        from crawler.manifest import ManifestError, read_manifest

        try:
            pairs = list(read_manifest(manifest))
        except ManifestError as error:
            manifest_problem = f"{name}: cannot be read ({error})."
    report = verify_archive(directory, pointers=_manifest_pointers(pairs or []))
    if manifest_problem:
        report.problems.append(manifest_problem)
    elif report.logged:
        # A manifest that cannot be read is one problem, not one per post.
        lines = [ManifestLine(p.pair_id, p.translation.url, p.cited_url) for p in pairs or []]
        report.problems.extend(
            coverage_problems(
                directory, report.logged, lines, manifest_name=name, notes=report.notes
            )
        )
    report.problems.extend(sentence for _, sentence in rejected_pairs(directory))
    report.problems.extend(_unfolded_journals(directory))
    echo(report.format())
    return EXIT_OK if report.ok else EXIT_FAILED


def _unfolded_journals(directory: Path) -> Iterator[str]:
    """Pairs a crawl journalled that the manifest does not hold yet: lines it is missing."""
    for journal in journals(directory):
        with journal.open("rb") as lines:
            count = sum(1 for line in lines if line.strip())
        yield (
            f"{journal.relative_to(directory).as_posix()}: {count} pair lines not folded into "
            f"{MANIFEST_NAME} (a crawl is running, or one stopped before its close wrote "
            "the manifest): the next crawl folds them in, or `python -m crawler rebuild "
            "--in-place ARCHIVE_DIR` rewrites the manifest."
        )


def _manifest_pointers(pairs: Any) -> Iterator[tuple[str, WarcPointer]]:
    for pair in pairs:
        if pair.translation.warc is not None:
            yield f"{pair.pair_id} translation", pair.translation.warc
        if pair.source is not None and pair.source.warc is not None:
            yield f"{pair.pair_id} source", pair.source.warc
