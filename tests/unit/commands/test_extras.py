"""A command that needs an optional extra says how to install it, in one line, and exits 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.commands.extras import (
    DISTRIBUTED,
    EXTRA_MODULES,
    WACZ,
    install_command,
    installed,
    missing_extra,
)
from crawler.outcome import EXIT_USAGE


def without(monkeypatch: pytest.MonkeyPatch, extra: str) -> None:
    """As if ``extra`` were not installed: its modules cannot be imported."""
    for name in EXTRA_MODULES[extra]:
        monkeypatch.setitem(sys.modules, name, None)


def test_an_extra_is_installed_when_its_modules_are(monkeypatch: pytest.MonkeyPatch) -> None:
    assert installed(WACZ) and installed(DISTRIBUTED)  # the test environment has both
    assert missing_extra("wacz", WACZ) is None
    without(monkeypatch, DISTRIBUTED)
    assert not installed(DISTRIBUTED)
    assert install_command(DISTRIBUTED) == 'pip install -e ".[distributed]"'


def test_wacz_without_its_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without(monkeypatch, WACZ)
    assert main(["wacz", str(tmp_path)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "wacz: packaging a WACZ needs the 'wacz' extra, which is not installed: run "
        'pip install -e ".[wacz]" in the project\'s directory\n'
    )


def test_seed_without_its_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without(monkeypatch, DISTRIBUTED)
    assert main(["seed", "t2-redis", "--redis", "redis://127.0.0.1:1/0"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install -e ".[distributed]"' in err


def crawl_error(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a failed crawl gives: on stderr, or in the log where one is set up (the
    test runner's here)."""
    lines = [r.getMessage() for r in caplog.records if r.name == "crawler.commands.crawl"]
    return "".join(lines) or capsys.readouterr().err


def test_a_distributed_crawl_without_its_extra_stops_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    without(monkeypatch, DISTRIBUTED)
    argv = ["crawl", "t2-redis", "--archive", str(tmp_path / "a"), "-s", "BITEXT_DISTRIBUTED=x"]
    assert main(argv) == EXIT_USAGE
    assert crawl_error(caplog, capsys).endswith(
        "t2-redis: a distributed crawl needs the 'distributed' extra, which is not installed: "
        'run pip install -e ".[distributed]" in the project\'s directory'
    )
    assert not (tmp_path / "a").exists()


def test_a_crawl_packaging_a_wacz_without_its_extra_stops_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    without(monkeypatch, WACZ)
    argv = ["crawl", "t2", "--archive", str(tmp_path / "a"), "-s", "WARC_WACZ=True"]
    assert main(argv) == EXIT_USAGE
    error = crawl_error(caplog, capsys)
    assert "t2: WARC_WACZ is on: packaging a WACZ needs the 'wacz' extra" in error
    assert 'pip install -e ".[wacz]"' in error
