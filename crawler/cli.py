"""``python -m crawler COMMAND``: argument parsing only; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

# Each module exposes ``register(subparsers)``, which adds its parser and sets ``func``.
COMMAND_MODULES = (
    "crawler.commands.verify",
    "crawler.commands.pairs",
    "crawler.commands.report",
    "crawler.commands.wacz",
    "crawler.commands.rebuild",
    "crawler.commands.crawl",
    "crawler.commands.seed",
    "crawler.commands.merge",
    "crawler.commands.state",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crawler",
        description="bitext-crawler: crawl translation blogs, check and use the archive.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
