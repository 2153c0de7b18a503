"""``python -m crawler report ARCHIVE_DIR``: the corpus report as one self-contained HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.archive.layout import MANIFEST_NAME, REPORT_NAME
from crawler.commands.options import ExamplesFormatter, examples
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML overview of the pairs manifest",
        description=(
            f"Read ARCHIVE_DIR/{MANIFEST_NAME} and write ARCHIVE_DIR/{REPORT_NAME} (or FILE): "
            "the corpus size per language and export level, the crawls and dates covered, pairs "
            "per month, site and status, the date gap between source and translation, "
            "confidence and length-ratio distributions, and the lowest-confidence pairs to "
            "review with their archived copies. One file with inline CSS and SVG."
        ),
        epilog=examples(
            "python -m crawler report archives/t2",
            f"    writes archives/t2/{REPORT_NAME}",
            "python -m crawler report archives/t2 -o /srv/www/t2.html",
        ),
        formatter_class=ExamplesFormatter,
    )
    parser.add_argument("archive_dir", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE")
    parser.add_argument(
        "--replay-url",
        type=_replay_url,
        metavar="URL",
        help="link the listed pairs' archived records in a replay tool serving this archive, "
        "as URL{timestamp}id_/{url} (pywb: http://localhost:8080/COLLECTION/)",
    )
    parser.add_argument(
        "--aligned",
        action="store_true",
        help="also count the paragraph and sentence segments the exports make, and English "
        "sentences (runs the aligner over every pair: 10 to 20 minutes for 10,000 pairs)",
    )
    parser.set_defaults(func=run)


def _replay_url(text: str) -> str:
    # Imported here, as in run(): building the command line's parser stays cheap (crawler/cli.py).
    from crawler.corpus.replay import replay_base

    try:
        return replay_base(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    from crawler.corpus.align import default_aligner
    from crawler.corpus.report import write_report
    from crawler.manifest import ManifestError

    manifest = Path(args.archive_dir) / MANIFEST_NAME
    if not manifest.is_file():
        echo(f"report: {manifest} not found", file=sys.stderr)
        return 2
    try:
        path = write_report(
            args.archive_dir,
            args.output,
            replay_url=args.replay_url,
            aligner=default_aligner() if args.aligned else None,
        )
    except ManifestError as error:
        echo(f"report: {error}", file=sys.stderr)
        return 2
    echo(f"report: wrote {path}")
    return 0
