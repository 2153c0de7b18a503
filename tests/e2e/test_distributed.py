"""Distributed crawl: two t2-redis processes share one crawl through a real Redis server.

Each node writes its own archive; ``python -m crawler merge`` builds the one manifest, which must
equal that of a single-process crawl of the same world.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.items.crawllog import scan_crawl_log
from crawler.manifest import Pair, read_manifest
from crawler.spiders.distributed import T2RedisSpider, encode_seed, redis_keys
from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from replica.world import build_world
from tests.e2e.conftest import CrawlRun
from tests.e2e.test_t2_crawl import RETRIED

NO_EXTRA = "the 'distributed' extra (scrapy-redis) is not installed"
scrapy_redis = pytest.importorskip("scrapy_redis", reason=NO_EXTRA)
redis = pytest.importorskip("redis", reason=NO_EXTRA)

SPIDER = "t2-redis"
# Above Scrapy's 5 s idle poll, below the 15 s default: a node closes 8-13 s after its last fetch.
IDLE_SECONDS = 8
NODE_TIMEOUT = 75


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the test's own on a free loopback port, stopped at the end."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(
        [executable, *options, "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


@dataclass(frozen=True)
class DistributedRun:
    nodes: list[Path]
    out: Path
    requests: list[dict[str, object]]
    crawl_id: str
    merge_output: str


def _node_command(node: Path, url: str, log: Path) -> list[str]:
    settings = {
        **FAST_SETTINGS,
        # Paced so that the crawl lasts longer than a node's start on a loaded machine: a node
        # that drained the queue while the other was still starting would leave it no share.
        "DOWNLOAD_DELAY": "0.1",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "ARCHIVE_DIR": str(node),
        "BITEXT_DISTRIBUTED": url,
        "MAX_IDLE_TIME_BEFORE_CLOSE": str(IDLE_SECONDS),
        "LOG_FILE": str(log),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", SPIDER]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def _wait_until_open(log: Path, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and "Spider opened" in log.read_text(errors="replace"):
            return
        time.sleep(0.1)


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def distributed(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> DistributedRun:
    base = tmp_path_factory.mktemp("distributed")
    seeded = _python_m("crawler", "seed", SPIDER, "--redis", redis_url)
    assert seeded.returncode == 0, seeded.stderr
    nodes = [base / "node-A", base / "node-B"]
    logs = [base / f"{node.name}.log" for node in nodes]
    request_log = base / "requests.jsonl"
    with ReplicaWeb(build_world().sites, log_path=request_log) as web:
        env = crawl_env(web.proxy_url)
        processes = []
        for node, log in zip(nodes, logs, strict=True):
            processes.append(
                subprocess.Popen(
                    _node_command(node, redis_url, log),
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            # The small replica is crawled in seconds: a node still starting up when the other
            # has drained the queue would get no work. Each takes a seed as soon as it is open.
            _wait_until_open(log, processes[-1])
        try:
            for process, log in zip(processes, logs, strict=True):
                _, stderr = process.communicate(timeout=NODE_TIMEOUT)
                text = log.read_text() if log.exists() else stderr
                assert process.returncode == 0, text[-4000:]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    requests = [json.loads(line) for line in request_log.read_text().splitlines() if line]
    server = redis.Redis.from_url(redis_url)
    crawl_id = server.get(redis_keys(SPIDER, T2RedisSpider.default_blog or "").crawl)
    server.close()
    assert crawl_id is not None
    out = base / "merged"
    merged = _python_m("crawler", "merge", str(out), *map(str, nodes))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    return DistributedRun(nodes, out, requests, crawl_id.decode(), merged.stdout)


def _gets(requests: list[dict[str, object]]) -> Counter[tuple[str, str]]:
    """Pages fetched, robots.txt and answers that Scrapy retries (``RETRIED``) left out."""
    return Counter(
        (str(r["host"]), str(r["path"]))
        for r in requests
        if r["method"] == "GET" and r["status"] not in RETRIED and r["path"] != "/robots.txt"
    )


def _responses(node: Path) -> list[tuple[str, int]]:
    """(URL, HTTP status) of every response a node archived."""
    found = []
    for path in closed_warc_files(node):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    status = int(record.http_headers.get_statuscode())
                    found.append((record.rec_headers.get_header("WARC-Target-URI"), status))
    return found


def _by_id(path: Path) -> dict[str, Pair]:
    return {pair.pair_id: pair for pair in read_manifest(path)}


@pytest.mark.e2e
def test_every_page_is_fetched_once_in_total(
    distributed: DistributedRun, t2_crawl: CrawlRun
) -> None:
    fetched = _gets(distributed.requests)
    assert [page for page, n in fetched.items() if n > 1] == []
    # The same pages as one process fetches: no node skipped a post or source the other took.
    assert set(fetched) == set(_gets(t2_crawl.requests))


@pytest.mark.e2e
def test_robots_txt_is_read_at_most_once_per_process(distributed: DistributedRun) -> None:
    robots = Counter(
        str(r["host"])
        for r in distributed.requests
        if r["path"] == "/robots.txt" and r["status"] not in RETRIED and r["method"] == "GET"
    )
    assert robots
    for host, count in robots.items():
        # As in one process: twz.com's robots.txt redirects to www.twz.com's, read once more.
        redirected = sum(
            1
            for r in distributed.requests
            if r["path"] == "/robots.txt"
            and r["status"] in (301, 302, 308)
            and r["host"] != host
            and str(r["host"]).removeprefix("www.") == host.removeprefix("www.")
        )
        assert count <= len(distributed.nodes) + redirected, host


@pytest.mark.e2e
def test_both_nodes_fetched_their_share(distributed: DistributedRun) -> None:
    fetched = [_responses(node) for node in distributed.nodes]
    # A retry goes through the shared queue, so another node may make it: only final answers
    # are each one node's.
    pages = [
        {url for url, status in found if status not in RETRIED and not url.endswith("/robots.txt")}
        for found in fetched
    ]
    assert all(pages), [len(found) for found in pages]
    assert not pages[0] & pages[1]
    for node in distributed.nodes:
        assert not open_warc_files(node)


@pytest.mark.e2e
def test_all_nodes_log_under_one_crawl_id(distributed: DistributedRun) -> None:
    crawls = Counter(
        entry.crawl
        for node in distributed.nodes
        for path in closed_warc_files(node)
        for entry in scan_crawl_log(path)
    )
    assert crawls.keys() == {distributed.crawl_id}
    assert "1 crawl(s)" in distributed.merge_output


@pytest.mark.e2e
def test_merged_manifest_equals_a_single_process_crawl(
    distributed: DistributedRun, t2_crawl: CrawlRun
) -> None:
    merged = _by_id(distributed.out / "pairs.jsonl")
    single = _by_id(t2_crawl.archive / "pairs.jsonl")
    assert merged.keys() == single.keys()
    for pair_id, expected in single.items():
        got = merged[pair_id]
        assert got.status == expected.status, pair_id
        assert got.translation.text == expected.translation.text, pair_id
        assert (got.source.text if got.source else None) == (
            expected.source.text if expected.source else None
        ), pair_id
        # Everything else too, but what differs between any two crawls: times, WARC pointers
        # and the spider's name.
        assert _comparable(got) == _comparable(expected), pair_id


def _comparable(pair: Pair) -> dict[str, object]:
    data = pair.to_json()
    for name in ("crawled_at", "crawler"):
        data.pop(name, None)
    for side in ("translation", "source"):
        if isinstance(data.get(side), dict):
            data[side].pop("warc", None)
    return data


@pytest.mark.e2e
def test_merged_archive_verifies(distributed: DistributedRun) -> None:
    assert (distributed.out / "index.cdxj").is_file()
    result = _python_m("crawler", "verify", str(distributed.out))
    assert result.returncode == 0, result.stdout + result.stderr


def test_seed_round_trips_to_the_spiders_own_requests() -> None:
    seeding = T2RedisSpider()
    node = T2RedisSpider()
    requests = seeding.seed_requests()
    assert [r.callback.__name__ for r in requests] == ["parse_sitemap", "parse_feed"]  # type: ignore[union-attr]
    for request in requests:
        again = node.make_request_from_data(encode_seed(request).encode())
        assert again is not None
        assert (again.url, again.meta, again.dont_filter) == (
            request.url,
            request.meta,
            request.dont_filter,
        )
        assert again.callback == getattr(node, request.callback.__name__)  # type: ignore[union-attr]


def test_a_seed_cannot_name_an_arbitrary_method() -> None:
    node = T2RedisSpider()
    data = json.dumps({"url": "https://example.com/", "callback": "closed"}).encode()
    assert node.make_request_from_data(data) is None
    assert node.make_request_from_data(b"https://example.com/ not JSON") is None
