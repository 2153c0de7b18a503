"""Command-line options that several commands share, defined once."""

from __future__ import annotations

import argparse
import os


def name_value(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` as in ``scrapy crawl -a``/``-s``."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return name, value


def add_spider_args(parser: argparse.ArgumentParser, help: str) -> None:
    """``-a NAME=VALUE`` (repeatable), collected in ``args.spider_args``."""
    parser.add_argument(
        "-a",
        dest="spider_args",
        action="append",
        default=[],
        type=name_value,
        metavar="NAME=VALUE",
        help=help,
    )


def add_workers(parser: argparse.ArgumentParser) -> None:
    """``--workers N``: processes that parse pages."""
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes that parse pages (default: one per CPU, here %(default)s)",
    )
