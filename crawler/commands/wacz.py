"""``python -m crawler wacz ARCHIVE_DIR [-o FILE]``: package an archive as one WACZ file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler import defaults
from crawler.archive.layout import WACZ_NAME
from crawler.commands.extras import WACZ, missing_extra
from crawler.commands.options import ExamplesFormatter, examples
from crawler.outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wacz",
        help="package the WARC files of an archive into a WACZ with a page list",
        description=(
            "Write the closed WARC files of ARCHIVE_DIR, a CDXJ index of them and a page list of "
            f"the translations and sources of ARCHIVE_DIR/{defaults.PAIRS_MANIFEST} into one "
            f"WACZ file (default ARCHIVE_DIR/{WACZ_NAME}) that ReplayWeb.page and pywb open. "
            'Needs the wacz extra (pip install -e ".[wacz]").'
        ),
        epilog=examples(
            "python -m crawler wacz archives/t2",
            f"    writes archives/t2/{WACZ_NAME}",
            'python -m crawler wacz archives/t2 -o t2.wacz --title "T2 translations"',
            "python -m crawler wacz archives/t2 --manifest archives/t2/ok.jsonl",
            "    lists the pages of another manifest's pairs",
        ),
        formatter_class=ExamplesFormatter,
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help=f"the manifest whose pairs make the page list (default: ARCHIVE_DIR/"
        f"{defaults.PAIRS_MANIFEST})",
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="the WACZ file to write")
    parser.add_argument("--title", help="the collection title written to datapackage.json")
    parser.add_argument("--description", help="the description written to datapackage.json")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: building the command line's parser stays cheap (crawler/cli.py).
    from crawler.archive.wacz import WaczError, package_archive, still_open

    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"wacz: {directory} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    if args.manifest is not None and not args.manifest.is_file():
        echo(f"wacz: {args.manifest}: no such file", file=sys.stderr)
        return EXIT_USAGE
    missing = missing_extra("wacz", WACZ)
    if missing is not None:
        echo(missing, file=sys.stderr)
        return EXIT_USAGE
    for name in still_open(directory):
        echo(f"wacz: {name} is still being written and is left out", file=sys.stderr)
    try:
        package = package_archive(
            directory,
            args.manifest or directory / defaults.PAIRS_MANIFEST,
            output=args.output,
            title=args.title or directory.resolve().name,
            description=args.description,
        )
    except WaczError as error:
        echo(f"wacz: {error}", file=sys.stderr)
        return EXIT_FAILED
    for page in package.unmatched:
        when = f" at {page.ts}" if page.ts else ""
        echo(f"wacz: no capture of {page.url}{when} in these files", file=sys.stderr)
    echo(
        f"Wrote {package.path}: {len(package.warc_files)} WARC files, "
        f"{len(package.pages)} pages listed, "
        f"{sum(1 for page in package.pages if page.text)} with their text."
    )
    return EXIT_OK
