"""``python -m crawler COMMAND``: argument parsing only; each command lives in its own module.

A command line that names its command imports only that command's module (``python -m crawler
crawl`` does not import the corpus code of ``pairs`` or the verifier of ``verify``); ``--help``
and a command line without a known command build the whole parser. Each module's
``register()`` imports little: the work is imported by the command that runs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each command and its module, which exposes ``register(subparsers)``: it adds the command's
# parser and sets ``func``. In the order ``--help`` lists them.
COMMANDS = {
    "verify": "crawler.commands.verify",
    "pairs": "crawler.commands.pairs",
    "report": "crawler.commands.report",
    "wacz": "crawler.commands.wacz",
    "rebuild": "crawler.commands.rebuild",
    "crawl": "crawler.commands.crawl",
    "seed": "crawler.commands.seed",
    "merge": "crawler.commands.merge",
    "state": "crawler.commands.state",
}
COMMAND_MODULES = tuple(COMMANDS.values())


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` only (its usage lines are the same)."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler",
        description="bitext-crawler: crawl translation blogs, check and use the archive.",
    )
    # With one command registered the usage still lists them all, as the whole parser's does
    # (the only error left at this level is an unrecognized argument, shown with the usage).
    every = "{" + ",".join(COMMANDS) + "}" if command is not None else None
    subparsers = parser.add_subparsers(dest="command", required=True, metavar=every)
    for name, module in COMMANDS.items():
        if command is None or name == command:
            importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    named = arguments[0] if arguments and arguments[0] in COMMANDS else None
    args = build_parser(named).parse_args(arguments)
    return int(args.func(args))
