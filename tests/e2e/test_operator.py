"""End to end: the operator of ``python -m crawler crawl``, asked at a terminal on the first crawl
into a new archive and kept there, reaches the warcinfo records and the User-Agent sent to the
replica web; a crawl with no terminal is not asked, and warns."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.layout import OPERATOR_NAME
from replica.crawl import PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from replica.world import build_world

pytestmark = pytest.mark.e2e

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=1"]
JANE = "Jane Doe <jane@example.org>"
TIMEOUT = 300


@pytest.fixture(scope="module")
def web() -> Iterator[ReplicaWeb]:
    with ReplicaWeb(build_world().sites) as replica:
        yield replica


def command(archive: Path, log: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(archive),
        "--log-file", str(log), "-a", "limit=2", *FAST, *extra,
    ]  # fmt: skip


def crawl_at_a_terminal(
    web: ReplicaWeb, argv: list[str], typed: bytes, *, interrupt_at: bytes | None = None
) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal as stdin and stderr, ``typed`` already typed; a
    Ctrl-C (SIGINT) once it shows ``interrupt_at``."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        stdin=terminal,
        stdout=subprocess.DEVNULL,  # the questions must not need it
        stderr=terminal,
    )
    os.close(terminal)
    try:
        os.write(controller, typed)
        shown = b""
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    shown += os.read(controller, 4096)
                except OSError:  # the terminal closed with the process
                    break
                if interrupt_at is not None and interrupt_at in shown:
                    process.send_signal(signal.SIGINT)
                    interrupt_at = None
        code = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(controller)
        if process.poll() is None:  # it hung: fail rather than wait on
            process.kill()
            process.wait()
    return code, shown.decode("utf-8", "replace")


def warcinfo(archive: Path) -> dict[str, str]:
    """The warcinfo fields of the archive's first WARC file."""
    path = sorted(archive.glob("*.warc.gz"))[0]
    with path.open("rb") as stream:
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_type == "warcinfo"
        text = record.content_stream().read().decode("utf-8")
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def user_agents(archive: Path) -> set[str]:
    agents = set()
    for path in sorted(archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request" and record.http_headers is not None:
                    agents.add(record.http_headers.get_header("User-Agent") or "")
    return agents


def test_the_first_crawl_at_a_terminal_asks_and_later_crawls_use_the_answer(
    web: ReplicaWeb, tmp_path: Path
) -> None:
    archive = tmp_path / "t2"
    code, shown = crawl_at_a_terminal(
        web, command(archive, tmp_path / "first.log"), b"Jane Doe\njane@example.org\n"
    )
    assert code == 0, shown + (tmp_path / "first.log").read_text()[-3000:]
    assert "No operator is configured" in shown
    # The questions are asked on the terminal (stderr), whatever stdout is.
    assert "Your name or your organisation's: " in shown
    assert "An email address or a web page to reach you at: " in shown
    stored = json.loads((archive / OPERATOR_NAME).read_text(encoding="utf-8"))
    assert stored == {"name": "Jane Doe", "contact": "jane@example.org"}
    info = warcinfo(archive)
    assert info["operator"] == JANE
    assert "jane@example.org" in info["http-header-user-agent"]
    (agent,) = user_agents(archive)
    assert agent.startswith("bitext-crawler/") and agent.endswith("; jane@example.org)")

    # The next crawl, from cron: nothing asked, nothing warned, the same operator.
    log = tmp_path / "second.log"
    second = subprocess.run(
        command(archive, log, "--full"),
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    text = log.read_text(encoding="utf-8")
    assert second.returncode == 0, text[-3000:]
    assert (second.stdout, second.stderr) == ("", "")
    assert "no operator configured" not in text
    assert f"operator: {JANE} (from the archive's {OPERATOR_NAME})" in text
    newest = sorted(archive.glob("*.warc.gz"))[-1]
    assert newest != sorted(archive.glob("*.warc.gz"))[0]
    with newest.open("rb") as stream:
        first = next(iter(ArchiveIterator(stream)))
        assert f"operator: {JANE}" in first.content_stream().read().decode("utf-8")


def test_a_crawl_without_a_terminal_is_not_asked_and_warns(web: ReplicaWeb, tmp_path: Path) -> None:
    archive, log = tmp_path / "t2", tmp_path / "t2.log"
    result = subprocess.run(
        command(archive, log),
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    text = log.read_text(encoding="utf-8")
    assert result.returncode == 0, text[-3000:]
    assert (result.stdout, result.stderr) == ("", "")  # cron mails nothing
    assert "WARNING: no operator configured" in text
    assert not (archive / OPERATOR_NAME).exists()
    assert warcinfo(archive).get("operator", "") == ""


def test_the_setting_names_the_operator_without_asking(web: ReplicaWeb, tmp_path: Path) -> None:
    archive = tmp_path / "t2"
    code, shown = crawl_at_a_terminal(
        web, command(archive, tmp_path / "t2.log", "-s", f"WARC_OPERATOR={JANE}"), b""
    )
    assert code == 0, shown
    assert "No operator is configured" not in shown
    assert not (archive / OPERATOR_NAME).exists()
    assert warcinfo(archive)["operator"] == JANE
    assert user_agents(archive) == {warcinfo(archive)["http-header-user-agent"]}


def test_ctrl_c_at_the_question_stops_the_crawl_before_it_starts(
    web: ReplicaWeb, tmp_path: Path
) -> None:
    archive, log = tmp_path / "t2", tmp_path / "t2.log"
    code, shown = crawl_at_a_terminal(
        web, command(archive, log), b"", interrupt_at=b"Your name or your organisation's: "
    )
    assert code == 1, shown
    assert "t2: stopped before it started; nothing fetched" in log.read_text(encoding="utf-8")
    assert not (archive / OPERATOR_NAME).exists()
    assert not list(archive.glob("*.warc.gz*"))
