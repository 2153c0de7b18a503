"""``python -m crawler report ARCHIVE_DIR``: the corpus report as one self-contained HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.corpus.report import MANIFEST_NAME, REPORT_NAME, write_report
from crawler.manifest import ManifestError
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML overview of the pairs manifest",
        description=(
            f"Read ARCHIVE_DIR/{MANIFEST_NAME} and write ARCHIVE_DIR/{REPORT_NAME} (or FILE): "
            "pairs per month, site and status, confidence and length-ratio distributions, and "
            "the lowest-confidence pairs to review. One file with inline CSS and SVG."
        ),
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    manifest = Path(args.archive_dir) / MANIFEST_NAME
    if not manifest.is_file():
        echo(f"report: {manifest} not found", file=sys.stderr)
        return 2
    try:
        path = write_report(args.archive_dir, args.output)
    except ManifestError as error:
        echo(f"report: {error}", file=sys.stderr)
        return 2
    echo(f"report: wrote {path}")
    return 0
