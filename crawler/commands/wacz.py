"""``python -m crawler wacz ARCHIVE_DIR [-o FILE]``: package an archive as one WACZ file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler import defaults
from crawler.archive.wacz import WACZ_NAME, WaczError, package_archive, still_open
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wacz",
        help="package the WARC files of an archive into a WACZ with a page list",
        description=(
            "Write the closed WARC files of ARCHIVE_DIR, a CDXJ index of them and a page list of "
            f"the translations and sources of ARCHIVE_DIR/{defaults.PAIRS_MANIFEST} into one "
            f"WACZ file (default ARCHIVE_DIR/{WACZ_NAME}) that ReplayWeb.page and pywb open."
        ),
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="the WACZ file to write")
    parser.add_argument("--title", help="the collection title written to datapackage.json")
    parser.add_argument("--description", help="the description written to datapackage.json")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.archive_dir
    if not directory.is_dir():
        echo(f"wacz: {directory} is not a directory", file=sys.stderr)
        return 2
    for name in still_open(directory):
        echo(f"wacz: {name} is still being written and is left out", file=sys.stderr)
    try:
        package = package_archive(
            directory,
            directory / defaults.PAIRS_MANIFEST,
            output=args.output,
            title=args.title or directory.resolve().name,
            description=args.description,
        )
    except WaczError as error:
        echo(f"wacz: {error}", file=sys.stderr)
        return 1
    for page in package.unmatched:
        echo(f"wacz: no capture of {page.url} at {page.ts} in these files", file=sys.stderr)
    echo(
        f"Wrote {package.path}: {len(package.warc_files)} WARC files, "
        f"{len(package.pages)} pages listed."
    )
    return 0
