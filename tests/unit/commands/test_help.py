"""Every command's ``--help`` ends with examples, and the archive is every reader's argument."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from crawler.cli import build_parser


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(build_parser()))
# The commands that read an archive: ARCHIVE_DIR is their first positional argument.
READERS = [
    ("verify",),
    ("report",),
    ("wacz",),
    ("rebuild",),
    ("state", "rebuild"),
    ("pairs", "stats"),
    ("pairs", "show"),
    ("pairs", "export"),
    ("pairs", "filter"),
]


def test_every_command_is_found() -> None:
    assert set(READERS) <= set(COMMANDS)
    assert {("crawl",), ("seed",), ("merge",), ("pairs",), ("state",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_help_ends_with_examples_of_its_own_command(path: tuple[str, ...]) -> None:
    text = COMMANDS[path].format_help()
    examples = text[text.index("\nexamples:\n") :]
    lines = [line.strip() for line in examples.splitlines()[1:] if line.strip()]
    assert any(line.startswith(f"python -m crawler {' '.join(path)}") for line in lines), text


@pytest.mark.parametrize("path", READERS, ids=" ".join)
def test_the_archive_directory_is_the_first_positional_argument(path: tuple[str, ...]) -> None:
    positionals = [a for a in COMMANDS[path]._actions if not a.option_strings]
    assert positionals[0].dest == "archive_dir" and positionals[0].metavar == "ARCHIVE_DIR"


def test_a_long_description_is_wrapped_and_examples_kept_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = COMMANDS[("verify",)].format_help()
    description = text.split("\n\n")[1]
    assert all(len(line) <= 80 for line in description.splitlines())
    assert "\n  python -m crawler verify archives/t2\n      checks the WARC files" in text
