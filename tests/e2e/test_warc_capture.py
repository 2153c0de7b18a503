"""End to end: what the t2 crawl archived, read back with warcio and held to the proxy's log."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.manifest import read_manifest
from replica.model import PairCase, SourceBehaviour
from replica.world import T2_BLOG
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

CAPTURE_TYPES = ("response", "revisit")
# The WARC/1.1 profile URI (WARC 1.1, section 6.7.2), spelled out rather than imported from the
# code under test.
IDENTICAL_PAYLOAD_1_1 = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
WARCIO = Path(sys.executable).with_name("warcio")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Record:
    filename: str
    offset: int
    rec_type: str
    warc: Any  # warcio StatusAndHeaders of the WARC header block
    http: Any  # warcio StatusAndHeaders of the HTTP message, None for warcinfo
    raw_payload: bytes  # the HTTP payload as stored: still content-encoded

    @property
    def record_id(self) -> str:
        return str(self.warc.get_header("WARC-Record-ID"))

    @property
    def uri(self) -> str:
        return str(self.warc.get_header("WARC-Target-URI") or "")

    @property
    def status(self) -> int:
        return int(self.http.get_statuscode())

    def http_values(self, name: str) -> list[str]:
        return [v for n, v in self.http.headers if n.lower() == name.lower()]


def read_records(path: Path) -> list[Record]:
    records = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            raw = record.raw_stream.read()
            # After the read: get_record_offset() reads the record to its end.
            offset = iterator.get_record_offset()
            records.append(
                Record(
                    path.name, offset, record.rec_type, record.rec_headers, record.http_headers, raw
                )
            )
    return records


def read_archive(directory: Path) -> list[Record]:
    return [r for path in sorted(directory.glob("*.warc.gz")) for r in read_records(path)]


def decoded_payload(directory: Path, filename: str, offset: int) -> bytes:
    """The payload as warcio's ``content_stream()`` gives it (content-encoding undone)."""
    with (directory / filename).open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        return bytes(record.content_stream().read())


def answered(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests of the proxy log that got an HTTP answer (not CONNECT, not reset or dropped)."""
    return [
        r
        for r in requests
        if r["method"] != "CONNECT"
        and isinstance(r["status"], int)
        and not str(r.get("error", "")).startswith("client gone")
    ]


def replica_resource(run: CrawlRun, url: str) -> Any:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return run.world.sites[parts.netloc].resolve(path, {})


@pytest.fixture(scope="module")
def records(t2_crawl: CrawlRun) -> list[Record]:
    return read_archive(t2_crawl.archive)


@pytest.fixture(scope="module")
def captures(records: list[Record]) -> list[Record]:
    return [r for r in records if r.rec_type in CAPTURE_TYPES]


def test_every_warc_file_passes_warcio_check(t2_crawl: CrawlRun, captures: list[Record]) -> None:
    files = sorted(str(p) for p in t2_crawl.archive.glob("*.warc.gz"))
    assert files
    result = subprocess.run(
        [str(WARCIO), "check", "-v", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # -v names each record: the digests were really computed, not skipped.
    responses = [r for r in captures if r.rec_type == "response"]
    assert result.stdout.count("digest pass") >= len(responses) > 0


def test_each_file_starts_with_its_warcinfo_record(t2_crawl: CrawlRun) -> None:
    files = sorted(t2_crawl.archive.glob("*.warc.gz"))
    assert files
    for path in files:
        records = read_records(path)
        first = records[0]
        assert first.rec_type == "warcinfo", path.name
        assert [r.rec_type for r in records].count("warcinfo") == 1, path.name
        assert first.warc.get_header("WARC-Filename") == path.name
        fields = dict(
            line.split(": ", 1) for line in first.raw_payload.decode("utf-8").splitlines() if line
        )
        assert fields["format"] == "WARC File Format 1.1"
        assert fields["isPartOf"] == "t2"
        assert "Scrapy" in fields["software"] and "warcio" in fields["software"]
        assert all(r.warc.get_header("WARC-Warcinfo-ID") == first.record_id for r in records[1:]), (
            path.name
        )


def test_no_file_is_left_open(t2_crawl: CrawlRun) -> None:
    assert list(t2_crawl.archive.rglob("*.open")) == []
    assert list(t2_crawl.archive.glob("*.warc.gz"))


def test_every_answered_request_has_exactly_one_capture(
    t2_crawl: CrawlRun, captures: list[Record]
) -> None:
    requested = Counter(str(r["url"]) for r in answered(t2_crawl.requests))
    captured = Counter(r.uri for r in captures)
    assert requested, "the proxy log holds no answered request"
    assert captured == requested


def test_every_capture_has_its_request_record_in_the_same_file(
    t2_crawl: CrawlRun, records: list[Record], captures: list[Record]
) -> None:
    requests_by_link: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        if record.rec_type == "request":
            key = (record.filename, str(record.warc.get_header("WARC-Concurrent-To")))
            requests_by_link.setdefault(key, []).append(record)
    sent: Counter[tuple[str, str, str]] = Counter()
    for capture in captures:
        linked = requests_by_link.get((capture.filename, capture.record_id), [])
        assert len(linked) == 1, capture.uri
        request = linked[0]
        assert request.uri == capture.uri
        target, _, version = request.http.statusline.partition(" ")
        sent[(request.http.protocol, capture.uri, target)] += 1
        assert version == "HTTP/1.1"
        assert request.http_values("Host") == [urlsplit(capture.uri).netloc]
    # The request line holds the path and query exactly as the proxy received them.
    logged = Counter(
        (str(r["method"]), str(r["url"]), str(r["path"])) for r in answered(t2_crawl.requests)
    )
    assert sent == logged
    assert sum(len(v) for v in requests_by_link.values()) == len(captures)


def test_robots_txt_sitemaps_and_feeds_are_archived(
    t2_crawl: CrawlRun, captures: list[Record]
) -> None:
    by_uri = {r.uri: r for r in captures}
    log = answered(t2_crawl.requests)
    robots = [r for r in log if r["path"] == "/robots.txt"]
    sitemaps = [r for r in log if str(r["path"]).startswith("/sitemap")]
    feeds = [r for r in log if str(r["path"]).startswith("/feeds/")]
    assert robots and sitemaps and feeds
    for entry in robots + sitemaps + feeds:
        assert entry["url"] in by_uri, entry["url"]
        assert by_uri[str(entry["url"])].status == entry["status"]
    with_query = [str(r["url"]) for r in feeds if "?" in str(r["path"])]
    assert with_query, "no feed page with a query string was requested"
    assert any("start-index=" in url and "max-results=" in url for url in with_query)
    for url in with_query:
        assert urlsplit(by_uri[url].uri).query == urlsplit(url).query


def _cited_urls(cases: list[PairCase], host: str, behaviour: SourceBehaviour) -> list[str]:
    return [
        url
        for case in cases
        for url, how in case.behaviours.items()
        if how is behaviour and urlsplit(url).netloc == host
    ]


def test_each_redirect_hop_is_archived(
    t2_crawl: CrawlRun, t2_cases: list[PairCase], captures: list[Record]
) -> None:
    by_uri = {r.uri: r for r in captures}
    cited = _cited_urls(t2_cases, "www.thedrive.com", SourceBehaviour.REDIRECT)
    assert cited, "the corpus has no redirected www.thedrive.com citation"
    for url in cited:
        chain = [by_uri[url]]
        while 300 <= chain[-1].status < 400:
            (location,) = chain[-1].http_values("Location")
            chain.append(by_uri[urljoin(chain[-1].uri, location)])
        hops = [(urlsplit(r.uri).netloc, r.status) for r in chain]
        assert len(chain) == 3, hops
        assert [host for host, _ in hops] == ["www.thedrive.com", "twz.com", "www.twz.com"]
        assert hops[-1][1] == 200 and all(300 <= s < 400 for _, s in hops[:-1])


def _defensenews_articles(t2_crawl: CrawlRun, captures: list[Record]) -> list[Record]:
    found = []
    for capture in captures:
        parts = urlsplit(capture.uri)
        if parts.netloc != "www.defensenews.com" or parts.path == "/robots.txt":
            continue
        if capture.status == 200 and capture.http_values("Set-Cookie"):
            found.append(capture)
    return found


def test_gzip_source_keeps_its_content_encoding_and_gzip_payload(
    t2_crawl: CrawlRun, captures: list[Record]
) -> None:
    articles = [r for r in _defensenews_articles(t2_crawl, captures) if r.rec_type == "response"]
    assert articles, "no www.defensenews.com article was archived"
    for record in articles:
        assert record.http_values("Content-Encoding") == ["gzip"], record.uri
        assert record.raw_payload.startswith(GZIP_MAGIC), record.uri
        assert record.http_values("Content-Length") == [str(len(record.raw_payload))]
        rendered = replica_resource(t2_crawl, record.uri).body
        assert gzip.decompress(record.raw_payload) == rendered
        assert decoded_payload(t2_crawl.archive, record.filename, record.offset) == rendered


def test_both_set_cookie_values_are_kept_exactly(
    t2_crawl: CrawlRun, captures: list[Record]
) -> None:
    articles = _defensenews_articles(t2_crawl, captures)
    assert articles
    for record in articles:
        served = [v for n, v in replica_resource(t2_crawl, record.uri).headers if n == "Set-Cookie"]
        assert len(served) == 2
        assert record.http_values("Set-Cookie") == served, record.uri


def test_cdxj_index_lists_every_capture(t2_crawl: CrawlRun, captures: list[Record]) -> None:
    entries = []
    for line in (t2_crawl.archive / "index.cdxj").read_text(encoding="utf-8").splitlines():
        _urlkey, timestamp, text = line.split(" ", 2)
        entry = json.loads(text)
        entries.append((entry["filename"], int(entry["offset"]), entry["url"], timestamp))
    expected = {(r.filename, r.offset, r.uri) for r in captures}
    assert expected
    assert {e[:3] for e in entries} == expected
    assert len(entries) == len(captures)
    for filename, offset, _url, timestamp in entries:
        record = next(r for r in captures if (r.filename, r.offset) == (filename, offset))
        date = str(record.warc.get_header("WARC-Date"))
        assert timestamp == "".join(c for c in date if c.isdigit())[:14]


@dataclass(frozen=True)
class SecondCrawl:
    run: CrawlRun
    first_files: frozenset[str]


@pytest.fixture(scope="module")
def second_crawl(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> SecondCrawl:
    """The same crawl again into a copy of the first archive, packaging a WACZ when it closes."""
    archive = tmp_path_factory.mktemp("t2-again") / "archive"
    shutil.copytree(t2_crawl.archive, archive)
    first_files = frozenset(p.name for p in archive.glob("*.warc.gz"))
    # full=1: a crawl into an archive is incremental by default and would fetch no post again.
    run = crawl_replica(
        t2_crawl.world, archive, settings={"WARC_WACZ": "True"}, spider_args={"full": "1"}
    )
    if run.returncode != 0:
        pytest.fail(f"the second t2 crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return SecondCrawl(run, first_files)


def test_second_crawl_writes_revisits_for_unchanged_payloads(
    second_crawl: SecondCrawl, t2_cases: list[PairCase]
) -> None:
    archive = second_crawl.run.archive
    everything = read_archive(archive)
    first = [r for r in everything if r.filename in second_crawl.first_files]
    new = [r for r in everything if r.filename not in second_crawl.first_files]
    assert new, "the second crawl wrote no new WARC file"
    originals = {
        str(r.warc.get_header("WARC-Payload-Digest")): r for r in first if r.rec_type == "response"
    }
    first_by_id = {r.record_id: r for r in first}
    unchanged = [
        r
        for r in new
        if r.rec_type in CAPTURE_TYPES
        and 200 <= r.status < 300
        and str(r.warc.get_header("WARC-Payload-Digest")) in originals
        # A cut-short or empty payload is always stored whole (docs/archive.md, Revisits).
        and not r.warc.get_header("WARC-Truncated")
        and (r.raw_payload or r.rec_type == "revisit")
    ]
    for record in unchanged:
        headers = record.warc
        assert record.rec_type == "revisit", record.uri
        assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD_1_1
        assert record.raw_payload == b"", record.uri
        original = first_by_id[headers.get_header("WARC-Refers-To")]
        assert original.rec_type == "response"
        assert original.warc.get_header("WARC-Payload-Digest") == headers.get_header(
            "WARC-Payload-Digest"
        )
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.uri
        assert headers.get_header("WARC-Refers-To-Date") == original.warc.get_header("WARC-Date")
    revisited = {r.uri for r in unchanged}
    posts = {T2_BLOG.rstrip("/") + c.post.path for c in t2_cases}
    assert posts <= revisited, sorted(posts - revisited)[:5]


def test_second_crawl_archive_and_manifest_still_verify(second_crawl: SecondCrawl) -> None:
    archive = second_crawl.run.archive
    pairs = list(read_manifest(archive / "pairs.jsonl"))
    pointed = [p for p in pairs if p.translation.warc is not None]
    assert pointed, "no manifest pointer to check"
    assert {p.name for p in archive.glob("*.warc.gz")} > second_crawl.first_files
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(archive.rglob("*.open")) == []


def test_warc_wacz_setting_packages_the_whole_archive_at_close(second_crawl: SecondCrawl) -> None:
    archive = second_crawl.run.archive
    wacz = archive / "archive.wacz"
    assert wacz.is_file(), "WARC_WACZ=True left no archive.wacz"
    with zipfile.ZipFile(wacz) as package:
        stored = {
            n.removeprefix("archive/") for n in package.namelist() if n.startswith("archive/")
        }
        pages = package.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert stored == {p.name for p in archive.glob("*.warc.gz")}
    assert stored > second_crawl.first_files
    assert len(pages) > 1
    result = subprocess.run(
        [str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout
