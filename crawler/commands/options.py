"""Command-line options that several commands share, defined once."""

from __future__ import annotations

import argparse
import os
from typing import Any


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


class ExamplesFormatter(argparse.HelpFormatter):
    """Help whose one-line texts (a description) are wrapped as argparse does and whose
    multi-line texts (the examples of an epilog) are printed as written, as
    ``RawDescriptionHelpFormatter`` prints them."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def examples(*lines: str) -> str:
    """An epilog of example command lines (``python -m crawler ...``), with what each does on
    the indented lines after it."""
    return "examples:\n" + "".join(f"  {line}\n" for line in lines)


def documented(description: str, epilog: str) -> dict[str, Any]:
    """``add_parser`` keywords for a command's ``--help``: its description, then its examples."""
    return {"description": description, "epilog": epilog, "formatter_class": ExamplesFormatter}
