"""End to end: a crawl killed with SIGKILL, started again, finishes its job; one writer per archive.

Each kill point starts ``scrapy crawl t2`` with a JOBDIR, one request at a time, and kills it
(SIGKILL) once the replica proxy has logged N requests; the same command then runs to its end.
The result must equal an uninterrupted crawl's (the session's ``t2_crawl``) pair by pair.

Counting pages fetched twice: the proxy logs every request of both processes. The blog's lists
(robots.txt, sitemaps, feed pages) and every host's robots.txt are read again by design; a source
whose outcome calls for a retry (a 5xx, a reset, a cut-off body) is fetched again by design. Any
other URL requested by both processes must be one of the last IN_FLIGHT requests the killed
process made: a page fetched, but not yet recorded in the crawl state when the process died.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.checker import Checker

from crawler.manifest import Pair, read_manifest
from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env, run_crawl
from replica.server import ReplicaWeb
from replica.world import T2_BLOG, build_world
from tests.e2e.conftest import CrawlRun

pytestmark = pytest.mark.e2e

KILL_POINTS = (10, 40, 80)
IN_FLIGHT = 3  # one request at a time, plus the robots.txt and redirect hop around it
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.02"}
RETRIED_STATUSES = {"source_unreachable", "source_truncated"}
BLOG_HOST = urlsplit(T2_BLOG).netloc


@dataclass(frozen=True)
class Resumed:
    kill_at: int
    archive: Path
    killed_returncode: int
    open_files_after_kill: list[str]
    killed: list[str]  # URLs the killed process requested, in order
    resumed: list[str]
    returncode: int
    log: str


def crawl_command(archive: Path, jobdir: Path, log: Path, settings: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "t2"]
    for name, value in {
        **FAST_SETTINGS,
        "ARCHIVE_DIR": str(archive),
        "JOBDIR": str(jobdir),
        "LOG_FILE": str(log),
        **settings,
    }.items():
        command += ["-s", f"{name}={value}"]
    return command


def logged(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    # The last line may be half written while the proxy runs.
    records = [json.loads(line) for line in lines if line.endswith("}")]
    return [str(r["url"]) for r in records if r["method"] != "CONNECT"]


def kill_and_resume(base: Path, kill_at: int) -> Resumed:
    base.mkdir()
    world = build_world()
    archive, jobdir = base / "archive", base / "job"
    first_log, second_log = base / "killed-requests.jsonl", base / "resumed-requests.jsonl"
    with ReplicaWeb(world.sites, log_path=first_log) as web:
        command = crawl_command(archive, jobdir, base / "killed.log", SLOW)
        with subprocess.Popen(command, cwd=PROJECT_ROOT, env=crawl_env(web.proxy_url)) as crawl:
            deadline = time.monotonic() + 120
            while len(logged(first_log)) < kill_at and crawl.poll() is None:
                assert time.monotonic() < deadline, "the crawl never reached its kill point"
                time.sleep(0.005)
            crawl.kill()  # SIGKILL: no signal handler, no spider_closed, nothing flushed
            killed_returncode = crawl.wait()
    open_files = sorted(p.name for p in archive.glob("*.open"))
    with ReplicaWeb(world.sites, log_path=second_log) as web:
        log = base / "resumed.log"
        result = subprocess.run(
            crawl_command(archive, jobdir, log, {}),
            cwd=PROJECT_ROOT,
            env=crawl_env(web.proxy_url),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    return Resumed(
        kill_at,
        archive,
        killed_returncode,
        open_files,
        logged(first_log),
        logged(second_log),
        result.returncode,
        log.read_text(encoding="utf-8") if log.exists() else result.stderr,
    )


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Resumed]:
    base = tmp_path_factory.mktemp("resume")
    # The kill points are independent crawls, each with its own replica and archive.
    with ThreadPoolExecutor(len(KILL_POINTS)) as pool:
        done = pool.map(lambda n: kill_and_resume(base / f"kill-{n}", n), KILL_POINTS)
        return {run.kill_at: run for run in done}


@pytest.fixture(params=KILL_POINTS, ids=lambda n: f"killed-after-{n}")
def run(request: pytest.FixtureRequest, resumed: dict[int, Resumed]) -> Iterator[Resumed]:
    result = resumed[request.param]
    assert result.killed_returncode == -9
    assert len(result.killed) >= result.kill_at
    if result.returncode != 0:
        pytest.fail(f"the resumed crawl exited {result.returncode}:\n{result.log[-4000:]}")
    yield result


def view(pair: Pair) -> tuple[object, ...]:
    source = pair.source.text if pair.source else None
    return (pair.status, pair.cited_url, pair.confidence, pair.translation.text, source)


def test_the_resumed_crawl_has_the_uninterrupted_crawl_s_pairs(
    run: Resumed, t2_crawl: CrawlRun
) -> None:
    expected = {p.pair_id: view(p) for p in read_manifest(t2_crawl.archive / "pairs.jsonl")}
    got = {p.pair_id: view(p) for p in read_manifest(run.archive / "pairs.jsonl")}
    assert got == expected


def test_the_killed_crawl_s_files_are_repaired_and_every_file_verifies(run: Resumed) -> None:
    assert run.open_files_after_kill  # the killed writer left its file open
    assert list(run.archive.glob("*.open")) == []
    for name in run.open_files_after_kill:
        assert (run.archive / name.removesuffix(".open")).exists()
    warcs = sorted(str(p) for p in run.archive.glob("*.warc.gz"))
    assert len(warcs) >= 2
    checker = Checker(type("Args", (), {"inputs": warcs, "verbose": False})())
    assert checker.process_all() == 0
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(run.archive)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_no_page_is_fetched_twice_but_those_in_flight(run: Resumed, t2_crawl: CrawlRun) -> None:
    retried = {
        p.cited_url
        for p in read_manifest(t2_crawl.archive / "pairs.jsonl")
        if p.status in RETRIED_STATUSES or p.status == "source_http_error"
    }

    def by_design(url: str) -> bool:
        parts = urlsplit(url)
        listing = parts.netloc == BLOG_HOST and parts.path.startswith(("/sitemap", "/feeds/"))
        return listing or parts.path == "/robots.txt" or url in retried

    twice = {u for u in set(run.killed) & set(run.resumed) if not by_design(u)}
    assert twice <= set(run.killed[-IN_FLIGHT:]), (twice, run.killed[-IN_FLIGHT:])
    # Each process fetches a page at most once (a source's retry and redirect hops aside).
    resumed_pages = [u for u in run.resumed if not by_design(u)]
    assert len(resumed_pages) == len(set(resumed_pages))


def test_a_second_crawl_of_the_same_archive_is_refused(tmp_path: Path) -> None:
    world = build_world()
    archive = tmp_path / "archive"
    with ReplicaWeb(world.sites, log_path=tmp_path / "first.jsonl") as web:
        command = crawl_command(archive, tmp_path / "job", tmp_path / "first.log", SLOW)
        with subprocess.Popen(command, cwd=PROJECT_ROOT, env=crawl_env(web.proxy_url)) as first:
            try:
                deadline = time.monotonic() + 60
                while not logged(tmp_path / "first.jsonl"):
                    assert time.monotonic() < deadline and first.poll() is None
                    time.sleep(0.01)
                with ReplicaWeb(world.sites, log_path=tmp_path / "second.jsonl") as other:
                    second = run_crawl("t2", archive, other.proxy_url)
                    scheduled = subprocess.run(
                        [sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(archive)],
                        cwd=PROJECT_ROOT,
                        env=crawl_env(other.proxy_url),
                        capture_output=True,
                        text=True,
                        timeout=120,
                        check=False,
                    )
            finally:
                first.kill()
                first.wait()
    message = f"is being written by another crawl (pid {first.pid} on host "
    assert second.returncode == 1  # scrapy crawl: a failure raised while the crawl starts
    assert message in second.stderr
    assert scheduled.returncode == 3, scheduled.stderr  # python -m crawler crawl: locked
    assert message in scheduled.stderr
    assert logged(tmp_path / "second.jsonl") == []  # refused before fetching anything
