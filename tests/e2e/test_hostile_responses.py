"""End to end: hostile answers at cited URLs are cut off on the wire, archived and recorded.

A world of its own, built here from corpus posts (all synthetic) re-pointed at a synthetic news
host whose answers never end (chunked, or framed by closing the connection), drip a few bytes at a
time, are a gzip bomb, or are simply too large. The crawl runs through a replica proxy that
requires credentials, which must appear in no record, log line or manifest line.

The replica's request log holds what the server did: how many body bytes the socket took before
the client went away, and when. A crawler that stops reading has taken little more than its size
limit; one that reads on takes the stream to its end (``ENDLESS_LIMIT``).
"""

from __future__ import annotations

import base64
import gzip
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.manifest import Pair, read_manifest
from replica.corpus import load_cases
from replica.model import PairCase, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.news import build_source_sites
from replica.sites.news_faults import endless_page, gzip_bomb, large_page
from replica.web import Resource, Site
from replica.world import World
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

BLOG = "https://hostile-inputs-synthetic.blogspot.com/"
HOST = "www.hostile-news-synthetic.com"
MAXSIZE = 4_000_000  # DOWNLOAD_MAXSIZE of this crawl
TIME_BUDGET = 3  # RESPONSE_BUDGET_SECONDS of this crawl
DOWNLOAD_TIMEOUT = 10
# Where an endless stream ends anyway: far above what a crawler that stops at MAXSIZE reads.
ENDLESS_LIMIT = 256 * 1024 * 1024
# Bytes the server may hand to its socket after the client stopped reading: what the two
# kernels' buffers (and TLS records in flight) hold on loopback.
SOCKET_SLACK = 16 * 1024 * 1024
BOMB_DECODED = 1 << 30
PROXY_USER, PROXY_SECRET = "crawler-synthetic", "Pr0xy-S3cret-synthetic"

HTML = (("Content-Type", "text/html; charset=utf-8"),)
ROBOTS = Resource(200, (("Content-Type", "text/plain"),), b"User-agent: *\nAllow: /\n")


def _incompressible_gzip(size: int) -> bytes:
    """A gzip member of ``size`` bytes of HTML-ish hex text: about half of it on the wire."""
    text = random.Random(7).randbytes(size // 2).hex().encode()
    return gzip.compress(b"<!DOCTYPE html><html><body><p>" + text, compresslevel=1, mtime=0)


def _pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


BOMB = gzip_bomb(BOMB_DECODED)
LARGE = large_page(3 * MAXSIZE)
LARGE_GZIP = _incompressible_gzip(3 * MAXSIZE)  # over MAXSIZE on the wire, more decoded
HOSTILE: dict[str, Resource] = {
    "/endless-chunked": Resource(200, HTML, stream=endless_page(ENDLESS_LIMIT)),
    "/endless-close": Resource(200, HTML, stream=endless_page(ENDLESS_LIMIT), chunked=False),
    # 200 bytes every 0.2 s, for a minute at most.
    "/slow-drip": Resource(200, HTML, stream=endless_page(60 * 5 * 200, piece_size=200), drip=0.2),
    "/gzip-bomb": Resource(200, (*HTML, ("Content-Encoding", "gzip")), BOMB),
    "/large-page": Resource(200, HTML, LARGE),  # announced by its Content-Length
    "/large-chunked": Resource(200, HTML, stream=lambda: _pieces(LARGE)),
    "/large-gzip-chunked": Resource(
        200, (*HTML, ("Content-Encoding", "gzip")), stream=lambda: _pieces(LARGE_GZIP)
    ),
}


class HostileSite:
    """The synthetic news host: robots.txt allows everything, the hostile paths, 404 otherwise."""

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        return ROBOTS if path == "/robots.txt" else HOSTILE.get(path)


def _eligible(case: PairCase) -> bool:
    """A corpus post citing one article by a plain URL line, which can be re-pointed."""
    post = case.post
    if len(post.citations) != 1 or post.head_lines:
        return False
    cited = post.citations[0]
    return cited.url == cited.repaired_url and cited.url in post.citation_lines


def _citing(post: TranslationPost, path: str, url: str) -> TranslationPost:
    """A copy of ``post`` at ``path`` whose citation names ``url`` instead of its article."""
    (cited,) = post.citations
    lines = tuple(url if line == cited.url else line for line in post.citation_lines)
    return replace(
        post,
        path=path,
        citation_lines=lines,
        citations=(replace(cited, url=url, repaired_url=url),),
    )


@dataclass(frozen=True)
class HostileWorld:
    run: CrawlRun
    # case name (a HOSTILE path, "plain_endless", "plain_http", "https_ok") -> cited URL
    cited: dict[str, str]
    seconds: float  # how long the crawl took


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileWorld:
    cases = [case for case in load_cases("t2") if _eligible(case)]
    https_ok, http_ok, *others = cases
    cited = {path: f"https://{HOST}{path}" for path in HOSTILE}
    # Plain http, no TLS: the proxy forwards the request and streams the answer back.
    cited["plain_endless"] = f"http://{HOST}/endless-chunked"
    posts = [https_ok.post]
    for n, url in enumerate(cited.values()):
        posts.append(_citing(others[n].post, f"/2025/08/hostile-{n}.html", url))
    # The same article as another post's, cited over plain http: the proxy sees that request
    # itself (absolute form, with the credentials) instead of a CONNECT tunnel.
    plain = "http://" + http_ok.post.citations[0].url.removeprefix("https://")
    cited["plain_http"] = plain
    cited["https_ok"] = https_ok.post.citations[0].url
    posts.append(_citing(http_ok.post, "/2025/08/hostile-plain.html", plain))
    host = BLOG.split("/")[2]
    blog = BloggerSite(host, "合成ブログ", posts)
    sites: dict[str, Site] = {
        **build_source_sites([https_ok, http_ok]),
        HOST: HostileSite(),
        host: blog,
        **blog.aliases(),
    }
    start = time.monotonic()
    run = crawl_replica(
        World(sites=sites, cases={BLOG: [https_ok]}),
        tmp_path_factory.mktemp("hostile") / "archive",
        spider="blogger",
        spider_args={"blog": BLOG},
        proxy_credentials=(PROXY_USER, PROXY_SECRET),
        settings={
            "DOWNLOAD_MAXSIZE": str(MAXSIZE),
            "RESPONSE_BUDGET_SECONDS": str(TIME_BUDGET),
            "DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT),
        },
        timeout=120,
    )
    seconds = time.monotonic() - start
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return HostileWorld(run, cited, seconds)


def _pair(world: HostileWorld, name: str) -> Pair:
    url = world.cited[name]
    (pair,) = [p for p in read_manifest(world.run.archive / "pairs.jsonl") if p.cited_url == url]
    return pair


def _record(world: HostileWorld, pointer: WarcPointer | None) -> tuple[Any, bytes]:
    """The WARC record a pointer names, and its HTTP payload as stored (still encoded)."""
    assert pointer is not None
    with open(world.run.archive / pointer.filename, "rb") as f:
        f.seek(pointer.offset)
        record = next(iter(ArchiveIterator(f)))
        return record, record.raw_stream.read()


def _served(world: HostileWorld, name: str) -> list[dict[str, Any]]:
    """The replica's log lines of the GETs of a case's URL."""
    url = world.cited[name]
    return [r for r in world.run.requests if r["url"] == url and r["method"] == "GET"]


def _seconds(record: Mapping[str, Any]) -> float:
    return (
        datetime.fromisoformat(record["ended"]) - datetime.fromisoformat(record["time"])
    ).total_seconds()


def _size_cut(kept: int) -> str:
    return (
        f"the response is larger than the download size limit of {MAXSIZE} bytes "
        f"(DOWNLOAD_MAXSIZE); the first {kept} bytes were kept"
    )


@pytest.mark.parametrize("key", ["/endless-chunked", "/endless-close", "plain_endless"])
def test_an_endless_response_is_cut_off_at_the_size_limit(hostile: HostileWorld, key: str) -> None:
    pair = _pair(hostile, key)
    assert pair.source is not None and pair.source.http_status == 200
    record, payload = _record(hostile, pair.source.warc)
    assert (pair.status, pair.error) == ("source_truncated", _size_cut(len(payload)))
    assert record.rec_headers.get_header("WARC-Truncated") == "length"
    assert MAXSIZE < len(payload) < MAXSIZE + 1024 * 1024
    # The connection was closed, not read on: the server stopped soon after the limit.
    (served,) = _served(hostile, key)
    assert served["bytes_sent"] < MAXSIZE + SOCKET_SLACK, served
    assert str(served.get("error", "")).startswith("client gone"), served
    assert _seconds(served) < 5, served


def test_a_slow_drip_is_cut_off_at_the_time_budget(hostile: HostileWorld) -> None:
    pair = _pair(hostile, "/slow-drip")
    assert pair.source is not None and pair.source.http_status == 200
    record, payload = _record(hostile, pair.source.warc)
    assert (pair.status, pair.error) == (
        "source_truncated",
        f"the response took longer than the time budget of {TIME_BUDGET} seconds "
        f"(RESPONSE_BUDGET_SECONDS); the first {len(payload)} bytes were kept",
    )
    assert record.rec_headers.get_header("WARC-Truncated") == "time"
    assert payload.startswith(b"<!DOCTYPE html>") and len(payload) > 1000
    (served,) = _served(hostile, "/slow-drip")  # kept, not retried
    assert str(served.get("error", "")).startswith("client gone"), served
    # Stopped at the budget, well before DOWNLOAD_TIMEOUT. The budget runs from when the crawl
    # sent the request: on a loaded machine the server starts serving it up to a second or so
    # later, so what it served can be that much shorter.
    assert TIME_BUDGET / 2 < _seconds(served) < TIME_BUDGET + 2.5, served


def test_a_gzip_bomb_is_archived_as_received_and_truncated(hostile: HostileWorld) -> None:
    pair = _pair(hostile, "/gzip-bomb")
    assert pair.source is not None and pair.source.http_status == 200
    assert pair.source.text is None
    record, payload = _record(hostile, pair.source.warc)
    assert pair.status == "source_truncated"
    assert pair.error == (
        f"decompressed size over the limit of {MAXSIZE} bytes (DOWNLOAD_MAXSIZE): the "
        f"{len(BOMB)} bytes received (gzip) decode to more; they were archived as received "
        "and not read"
    )
    # The record holds what was on the wire, whole: gzip bytes, Content-Encoding kept.
    assert payload == BOMB
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.rec_headers.get_header("WARC-Truncated") is None
    assert len(_served(hostile, "/gzip-bomb")) == 1


def test_the_bytes_kept_are_the_bytes_archived(hostile: HostileWorld) -> None:
    # Announced too large: stopped at the headers.
    pair = _pair(hostile, "/large-page")
    assert pair.source is not None
    record, payload = _record(hostile, pair.source.warc)
    assert payload == b""
    assert record.rec_headers.get_header("WARC-Truncated") == "length"
    assert (pair.status, pair.error) == (
        "source_truncated",
        f"the response announced {len(LARGE)} bytes (Content-Length), over the download size "
        f"limit of {MAXSIZE} bytes (DOWNLOAD_MAXSIZE); it was stopped at its headers and none "
        "of its body was kept",
    )
    # No length announced: stopped in the body, plain and gzip-encoded alike; the count is of
    # the bytes received (still encoded), which the record holds.
    for name in ("/large-chunked", "/large-gzip-chunked"):
        pair = _pair(hostile, name)
        assert pair.source is not None and pair.source.http_status == 200, name
        record, payload = _record(hostile, pair.source.warc)
        assert (pair.status, pair.error) == ("source_truncated", _size_cut(len(payload))), name
        assert MAXSIZE < len(payload) < MAXSIZE + 1024 * 1024, name
        assert record.rec_headers.get_header("WARC-Truncated") == "length", name
        assert record.http_headers.get_header("Content-Length") is None, name
    _, payload = _record(hostile, _pair(hostile, "/large-gzip-chunked").source.warc)  # type: ignore[union-attr]
    assert payload == LARGE_GZIP[: len(payload)]


def test_a_chunked_source_logs_no_error(hostile: HostileWorld) -> None:
    errors = [line for line in hostile.run.log.splitlines() if " ERROR: " in line]
    assert errors == []
    assert "Traceback" not in hostile.run.log


def test_the_ordinary_sources_are_read_through_the_authenticating_proxy(
    hostile: HostileWorld,
) -> None:
    for name in ("https_ok", "plain_http"):
        pair = _pair(hostile, name)
        assert pair.status == "ok", (name, pair.error)
    requests = hostile.run.requests
    assert not [r for r in requests if r["status"] == 407]
    # The credentials went to the proxy (CONNECT, absolute-form requests), never to an origin.
    to_proxy = [r for r in requests if r["method"] == "CONNECT" or r["scheme"] == "http"]
    assert to_proxy and all("Proxy-Authorization" in r["headers"] for r in to_proxy)
    tunnelled = [r for r in requests if r["method"] != "CONNECT" and r["scheme"] == "https"]
    assert tunnelled and not [r for r in tunnelled if "Proxy-Authorization" in r["headers"]]


def test_proxy_credentials_are_in_no_record_log_or_manifest(hostile: HostileWorld) -> None:
    token = base64.b64encode(f"{PROXY_USER}:{PROXY_SECRET}".encode()).decode()
    secrets = [PROXY_SECRET.encode(), token.encode()]
    assert hostile.cited["plain_http"].startswith("http://")
    files = [path for path in hostile.run.archive.rglob("*") if path.is_file()]
    assert any(path.name.endswith(".warc.gz") for path in files)
    for path in files:
        data = path.read_bytes()
        if path.name.endswith(".warc.gz"):
            data = gzip.decompress(data)  # every record, headers and payload
        for secret in secrets:
            assert secret not in data, (path.name, secret)
    for secret in secrets:
        assert secret.decode() not in hostile.run.log
    # Every request record is what went to the origin: no header of the crawler's own proxy.
    requests = 0
    for path in hostile.run.archive.glob("*.warc.gz"):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "request":
                    requests += 1
                    names = [name.lower() for name, _ in record.http_headers.headers]
                    assert not [n for n in names if n.startswith("proxy-")], names
    assert requests > len(hostile.cited)


def test_the_crawl_is_bounded_and_its_archive_verifies_and_rebuilds(
    hostile: HostileWorld, tmp_path: Path
) -> None:
    assert hostile.seconds < 30
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(hostile.run.archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    rebuilt = tmp_path / "pairs.rebuilt.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "rebuild", str(hostile.run.archive), "-o", str(rebuilt)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert rebuilt.read_bytes() == (hostile.run.archive / "pairs.jsonl").read_bytes()
