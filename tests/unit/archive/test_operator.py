"""The operator of a crawl: from the settings, the archive, or the person at the terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import __version__, defaults
from crawler.archive.layout import OPERATOR_NAME
from crawler.archive.operator import (
    ASKED,
    CONTACT_URL,
    SETTING,
    STORED,
    Operator,
    OperatorError,
    asking,
    is_contact,
    is_new_archive,
    parse_operator,
    read_operator,
    resolve_operator,
    write_operator,
)

JANE = Operator("Jane Doe", "jane@example.org")


def settings(**values: str) -> Any:
    return lambda name, default: values.get(name, default)


def answers(*lines: str) -> Any:
    given: Iterator[str] = iter(lines)

    def ask(prompt: str) -> str:
        try:
            return next(given)
        except StopIteration:
            raise EOFError from None

    return ask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Doe <jane@example.org>", JANE),
        ("  Jane   Doe  <jane@example.org> ", JANE),
        (
            "Jane Doe, https://jane.example.org/crawl",
            Operator("Jane Doe", "https://jane.example.org/crawl"),
        ),
        ("jane@example.org", Operator("", "jane@example.org")),
        ("https://lab.example.org/", Operator("", "https://lab.example.org/")),
        ("The Lab", Operator("The Lab", "")),
    ],
)
def test_parse_operator(text: str, expected: Operator) -> None:
    assert parse_operator(text) == expected


def test_the_warcinfo_form() -> None:
    assert JANE.warcinfo == "Jane Doe <jane@example.org>"
    assert Operator("", "jane@example.org").warcinfo == "jane@example.org"
    assert Operator("The Lab", "").warcinfo == "The Lab"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("jane@example.org", True),
        ("https://example.org/about", True),
        ("http://example.org", True),
        ("jane", False),
        ("jane@localhost", False),
        ("ftp://example.org", False),
        ("https://exa mple.org", False),
    ],
)
def test_is_contact(text: str, ok: bool) -> None:
    assert is_contact(text) is ok


def test_the_operator_file_round_trips_and_a_bad_one_is_an_error(tmp_path: Path) -> None:
    assert read_operator(tmp_path) is None
    path = write_operator(tmp_path / "new", JANE)
    assert path == tmp_path / "new" / OPERATOR_NAME
    assert json.loads(path.read_text()) == {"name": "Jane Doe", "contact": "jane@example.org"}
    assert read_operator(tmp_path / "new") == JANE
    path.write_text("[1]")
    with pytest.raises(OperatorError, match="not an object with a name and a contact"):
        read_operator(tmp_path / "new")
    path.write_text("{")
    with pytest.raises(OperatorError, match="cannot be read"):
        read_operator(tmp_path / "new")


def test_an_archive_is_new_until_it_has_a_warc_file(tmp_path: Path) -> None:
    assert is_new_archive(tmp_path / "missing")
    assert is_new_archive(tmp_path)
    (tmp_path / "BITEXT-1-00000-host.warc.gz.open").write_bytes(b"")
    assert not is_new_archive(tmp_path)


def test_the_setting_wins_and_nothing_is_asked_or_written(tmp_path: Path) -> None:
    write_operator(tmp_path, Operator("Someone Else", "else@example.org"))
    resolved = resolve_operator(
        settings(WARC_OPERATOR="Jane Doe <jane@example.org>"),
        tmp_path,
        interactive=True,
        ask=answers(),
        out=io.StringIO(),
    )
    assert (resolved.operator, resolved.source, resolved.warning) == (JANE, SETTING, None)


def test_the_archive_s_operator_is_used_by_later_crawls(tmp_path: Path) -> None:
    write_operator(tmp_path, JANE)
    (tmp_path / "BITEXT-1-00000-host.warc.gz").write_bytes(b"")
    resolved = resolve_operator(settings(), tmp_path, interactive=False)
    assert (resolved.operator, resolved.source, resolved.warning) == (JANE, STORED, None)


def test_a_contact_url_of_the_user_s_own_is_an_operator(tmp_path: Path) -> None:
    url = "https://lab.example.org/crawler"
    resolved = resolve_operator(settings(BOT_CONTACT_URL=url), tmp_path, interactive=False)
    assert (resolved.operator, resolved.source) == (Operator("", url), CONTACT_URL)
    default = settings(BOT_CONTACT_URL=defaults.BOT_CONTACT_URL)
    assert resolve_operator(default, tmp_path, interactive=False).operator is None


def test_the_first_crawl_at_a_terminal_asks_and_keeps_the_answer(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    out = io.StringIO()
    resolved = resolve_operator(
        settings(),
        archive,
        interactive=True,
        ask=answers(" Jane  Doe ", "jane", "jane@example.org"),
        out=out,
    )
    assert (resolved.operator, resolved.source, resolved.warning) == (JANE, ASKED, None)
    assert read_operator(archive) == JANE
    text = out.getvalue()
    assert "No operator is configured" in text
    assert "neither an email address nor an http(s) URL" in text
    assert f"Kept in {archive / OPERATOR_NAME}." in text


@pytest.mark.parametrize("given", [(), ("Jane Doe", ""), ("Jane", "x", "y", "z")])
def test_no_contact_given_leaves_the_crawl_anonymous_and_warned(
    tmp_path: Path, given: tuple[str, ...]
) -> None:
    resolved = resolve_operator(
        settings(), tmp_path, interactive=True, ask=answers(*given), out=io.StringIO()
    )
    assert resolved.operator is None and resolved.warning is not None
    assert not (tmp_path / OPERATOR_NAME).exists()


def test_not_at_a_terminal_nothing_is_asked_and_the_crawl_is_warned(tmp_path: Path) -> None:
    def never(prompt: str) -> str:
        raise AssertionError("asked while not interactive")

    resolved = resolve_operator(settings(), tmp_path, interactive=False, ask=never)
    assert resolved.operator is None
    assert resolved.warning is not None
    assert resolved.warning.startswith("no operator configured")
    assert "WARC_OPERATOR" in resolved.warning and OPERATOR_NAME in resolved.warning


def test_an_archive_with_warc_files_is_not_asked_about(tmp_path: Path) -> None:
    (tmp_path / "BITEXT-1-00000-host.warc.gz").write_bytes(b"")
    resolved = resolve_operator(
        settings(), tmp_path, interactive=True, ask=answers("Jane", "jane@example.org")
    )
    assert resolved.operator is None and resolved.warning is not None


def test_a_broken_operator_file_is_warned_about_and_not_replaced(tmp_path: Path) -> None:
    (tmp_path / OPERATOR_NAME).write_text("{", encoding="utf-8")
    resolved = resolve_operator(
        settings(),
        tmp_path,
        interactive=True,
        ask=answers("Jane", "jane@example.org"),
        out=io.StringIO(),
    )
    assert resolved.operator is None
    assert resolved.warning is not None and "cannot be read" in resolved.warning
    assert (tmp_path / OPERATOR_NAME).read_text() == "{"


def test_the_user_agent_names_the_project_and_the_operator_s_contact() -> None:
    project = defaults.BOT_CONTACT_URL
    assert defaults.user_agent() == f"bitext-crawler/{__version__} (+{project})"
    assert defaults.user_agent(project, "jane@example.org") == (
        f"bitext-crawler/{__version__} (+{project}; jane@example.org)"
    )
    own = "https://lab.example.org/crawler"
    assert defaults.user_agent(own, own) == f"bitext-crawler/{__version__} (+{own})"


def test_the_crawl_command_puts_the_operator_into_its_settings(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    from crawler.commands.crawl import _operator

    write_operator(tmp_path, JANE)
    crawl = Settings({"ARCHIVE_DIR": str(tmp_path)}, priority="project")
    _operator(crawl)
    assert crawl["WARC_OPERATOR"] == "Jane Doe <jane@example.org>"
    assert crawl["USER_AGENT"] == defaults.user_agent(defaults.BOT_CONTACT_URL, JANE.contact)
    own = Settings({"ARCHIVE_DIR": str(tmp_path)}, priority="project")
    own.set("USER_AGENT", "their own agent", priority="cmdline")
    _operator(own)
    assert own["USER_AGENT"] == "their own agent"  # what the user set stands


def test_the_crawl_command_leaves_an_anonymous_crawl_s_settings_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrapy.settings import Settings

    from crawler.commands import crawl as command

    monkeypatch.setattr(command, "is_terminal", lambda stream: False)  # as under cron
    crawl = Settings({"ARCHIVE_DIR": str(tmp_path)}, priority="project")
    command._operator(crawl)
    assert crawl.get("WARC_OPERATOR", "") == ""
    assert crawl.getpriority("USER_AGENT") == 0  # the spider's own stands
    assert "no operator configured" in caplog.text


def test_the_questions_go_to_the_terminal_and_the_answers_come_from_stdin() -> None:
    out = io.StringIO()
    ask = asking(out, io.StringIO("Jane Doe\n"))
    assert ask("Your name: ") == "Jane Doe"
    assert out.getvalue() == "Your name: "
    with pytest.raises(EOFError):
        ask("Contact: ")
