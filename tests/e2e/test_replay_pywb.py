"""End to end: pywb replays the t2 crawl's archive, giving back the archived payloads byte for byte,
and a capture cut short at once, with the bytes kept (pywb itself: tests/e2e/pywb.py)."""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.manifest import STATUS_OK, read_manifest
from replica.corpus import load_cases
from replica.model import PairCase, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.web import Resource, Site
from replica.world import World
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.pywb import Archived, Pywb, archived_at, replay, wayback

pytestmark = pytest.mark.e2e

REPLAY_TIMEOUT = 5.0  # a replay announcing more bytes than it sends must not keep a client waiting


@pytest.fixture(scope="module")
def pywb(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pywb]:
    warcs = sorted(t2_crawl.archive.glob("*.warc.gz"))
    with wayback(warcs, tmp_path_factory.mktemp("pywb")) as server:
        yield server


@pytest.fixture(scope="module")
def ok_pairs(t2_crawl: CrawlRun) -> list[tuple[Archived, Archived]]:
    pairs = []
    for pair in read_manifest(t2_crawl.archive / "pairs.jsonl"):
        if pair.status != STATUS_OK or pair.source is None:
            continue
        assert pair.translation.warc is not None and pair.source.warc is not None
        translation = archived_at(t2_crawl.archive, pair.translation.url, pair.translation.warc)
        source = archived_at(t2_crawl.archive, pair.source.url, pair.source.warc)
        pairs.append((translation, source))
    assert pairs, "the manifest has no ok pair"
    return pairs


def test_translation_permalinks_replay_byte_for_byte(
    pywb: Pywb, ok_pairs: list[tuple[Archived, Archived]]
) -> None:
    for translation, _ in ok_pairs:
        assert translation.payload
        assert replay(pywb, translation) == translation.payload, translation.url


def test_sources_replay_byte_for_byte_and_as_the_site_rendered_them(
    t2_crawl: CrawlRun, pywb: Pywb, ok_pairs: list[tuple[Archived, Archived]]
) -> None:
    for _, source in ok_pairs:
        replayed = replay(pywb, source)
        assert replayed == source.payload, source.url
        parts = urlsplit(source.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        rendered = t2_crawl.world.sites[parts.netloc].resolve(path, {})
        assert rendered is not None and replayed == rendered.body, source.url
    assert any(source.gzipped for _, source in ok_pairs), "no gzip-encoded source was replayed"


# Truncated captures: the t2 crawl's source cut short on the wire, and a world of its own with
# a gzip-encoded source cut short and one stopped at its headers (announced over the size limit).
CUT_BLOG = "https://cut-short-synthetic.blogspot.com/"
CUT_HOST = "www.cut-short-news-synthetic.com"
CUT_MAXSIZE = 1_000_000
HTML = (("Content-Type", "text/html; charset=utf-8"),)
PAGE = b"<!DOCTYPE html><html><body>" + b"<p>Synthetic paragraph, cut short.</p>" * 3000
CUT_SOURCES = {
    "/robots.txt": Resource(200, (("Content-Type", "text/plain"),), b"User-agent: *\nAllow: /\n"),
    # gzip on the wire, Content-Length of the whole member, the connection closed halfway.
    "/cut-gzip": Resource(200, HTML, PAGE, gzip=True, truncate_to=len(gzip.compress(PAGE)) // 2),
    "/announced-too-large": Resource(200, HTML, PAGE * (CUT_MAXSIZE // len(PAGE) + 1)),
}


@dataclass(frozen=True)
class Cut:
    url: str
    timestamp: str
    stored: bytes  # the payload as the record holds it (still content-encoded)
    decoded: bytes  # warcio's content_stream(): what of it decodes
    length: str | None  # the record's Content-Length
    announced: str | None  # the Content-Length the server sent, kept aside


def _cut_captures(archive: Path) -> list[Cut]:
    """The records of the manifest's truncated sources."""
    cuts = []
    for pair in read_manifest(archive / "pairs.jsonl"):
        if pair.status != "source_truncated" or pair.source is None or pair.source.warc is None:
            continue
        pointer = pair.source.warc
        with (archive / pointer.filename).open("rb") as stream:
            stream.seek(pointer.offset)
            record = next(iter(ArchiveIterator(stream)))
            if not record.rec_headers.get_header("WARC-Truncated"):
                continue  # whole on the wire (a gzip bomb): nothing to correct
            stored = record.raw_stream.read()
        with (archive / pointer.filename).open("rb") as stream:
            stream.seek(pointer.offset)
            decoded = next(iter(ArchiveIterator(stream))).content_stream().read()
        http_headers = record.http_headers
        cuts.append(
            Cut(
                pair.source.url,
                iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date")),
                stored,
                decoded,
                http_headers.get_header("Content-Length"),
                http_headers.get_header("X-Archive-Orig-Content-Length"),
            )
        )
    return cuts


@dataclass(frozen=True)
class Replayed:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def _browser_get(pywb: Pywb, url: str, accept_encoding: str) -> Replayed:
    """A GET as a browser makes it: on a connection kept alive, so the end of the body is where
    its Content-Length says (a server closing the connection would hide a wrong one)."""
    parts = urlsplit(pywb.base)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=REPLAY_TIMEOUT
    )
    try:
        connection.request(
            "GET",
            f"{parts.path}{url}",
            headers={"Accept-Encoding": accept_encoding, "Connection": "keep-alive"},
        )
        response = connection.getresponse()
        return Replayed(response.status, response.msg, response.read())
    except TimeoutError:
        pytest.fail(f"{url} ({accept_encoding}): no whole answer in {REPLAY_TIMEOUT} s")
    finally:
        connection.close()


def _assert_replays_what_was_kept(pywb: Pywb, cut: Cut) -> None:
    for accept_encoding in ("gzip", "identity"):
        replayed = _browser_get(pywb, f"{cut.timestamp}id_/{cut.url}", accept_encoding)
        assert replayed.status == 200, cut.url
        if (replayed.headers.get("Content-Encoding") or "").lower() == "gzip":
            # The stored bytes passed on as they are: the length is theirs.
            assert replayed.body == cut.stored, cut.url
            assert replayed.headers.get_all("Content-Length") == [str(len(cut.stored))], cut.url
        else:
            # Decoded by pywb (a gzip-encoded capture asked for without gzip), or never encoded;
            # pywb then moves the record's Content-Length aside too, next to the announced one.
            assert replayed.body == cut.decoded, (cut.url, accept_encoding)
        kept_aside = replayed.headers.get_all("X-Archive-Orig-Content-Length") or []
        assert cut.announced in kept_aside, (cut.url, accept_encoding, kept_aside)
    # The record says so itself: the bytes kept, and the length announced beside it.
    assert cut.length == str(len(cut.stored)), cut.url
    assert cut.announced is not None and int(cut.announced) > len(cut.stored), cut.url


def test_a_capture_cut_short_on_the_wire_replays_promptly_with_the_bytes_kept(
    t2_crawl: CrawlRun, pywb: Pywb
) -> None:
    cuts = _cut_captures(t2_crawl.archive)
    assert cuts, "the t2 crawl archived no truncated source"
    for cut in cuts:
        assert cut.stored and cut.stored == cut.decoded, cut.url  # plain HTML, a third of it
        _assert_replays_what_was_kept(pywb, cut)


def _citing(post: TranslationPost, path: str, url: str) -> TranslationPost:
    """A copy of ``post`` at ``path`` whose one citation names ``url`` instead of its article."""
    (cited,) = post.citations
    lines = tuple(url if line == cited.url else line for line in post.citation_lines)
    return replace(
        post,
        path=path,
        citation_lines=lines,
        citations=(replace(cited, url=url, repaired_url=url),),
    )


def _plain_citation(case: PairCase) -> bool:
    post = case.post
    if len(post.citations) != 1 or post.head_lines:
        return False
    cited = post.citations[0]
    return cited.url == cited.repaired_url and cited.url in post.citation_lines


class _CutSite:
    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        return CUT_SOURCES.get(path)


@pytest.fixture(scope="module")
def cut_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    cases = [case for case in load_cases("t2") if _plain_citation(case)]
    paths = [path for path in CUT_SOURCES if path != "/robots.txt"]
    posts = [
        _citing(case.post, f"/2025/09/cut-short-{n}.html", f"https://{CUT_HOST}{path}")
        for n, (case, path) in enumerate(zip(cases, paths, strict=False))
    ]
    blog = BloggerSite(CUT_BLOG.split("/")[2], "合成ブログ", posts)
    sites: dict[str, Site] = {CUT_HOST: _CutSite(), blog.host: blog, **blog.aliases()}
    run = crawl_replica(
        World(sites=sites, cases={CUT_BLOG: []}),
        tmp_path_factory.mktemp("cut") / "archive",
        spider="blogger",
        spider_args={"blog": CUT_BLOG},
        settings={"DOWNLOAD_MAXSIZE": str(CUT_MAXSIZE)},
        timeout=120,
    )
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


@pytest.fixture(scope="module")
def cut_pywb(cut_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pywb]:
    warcs = sorted(cut_crawl.archive.glob("*.warc.gz"))
    with wayback(warcs, tmp_path_factory.mktemp("pywb-cut")) as server:
        yield server


def test_a_gzip_capture_cut_short_and_one_stopped_at_its_headers_replay_promptly(
    cut_crawl: CrawlRun, cut_pywb: Pywb
) -> None:
    cuts = {urlsplit(cut.url).path: cut for cut in _cut_captures(cut_crawl.archive)}
    assert sorted(cuts) == ["/announced-too-large", "/cut-gzip"]
    gzipped = cuts["/cut-gzip"]
    # Half of the gzip member as stored; what of it decodes is the start of the page.
    assert gzipped.stored == gzip.compress(PAGE, mtime=0)[: len(gzipped.stored)]
    assert 0 < len(gzipped.decoded) < len(PAGE) and PAGE.startswith(gzipped.decoded)
    assert cuts["/announced-too-large"].stored == b""
    for cut in cuts.values():
        _assert_replays_what_was_kept(cut_pywb, cut)
