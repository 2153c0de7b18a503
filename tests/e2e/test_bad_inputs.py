"""End to end: bad pages and faults end as recorded statuses, with the archive as evidence.

The cases in the t2 corpus (truncated, image, empty, broken encodings, malformed HTML, an
over-long URL) are read from the shared t2 crawl. Cases that need lowered limits or would cost
every t2 crawl a 5 MB page or a refetch run in worlds of their own, built here from corpus posts
(all synthetic).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from crawler.archive.pointer import WarcPointer
from crawler.manifest import Pair, read_manifest
from replica.corpus import load_cases
from replica.model import PairCase, SourceBehaviour, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.news import build_source_sites
from replica.web import Site
from replica.world import T2_BLOG, World
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

BAD_BLOG = "https://bad-inputs-synthetic.blogspot.com/"
# Limits of the separate crawl: the 5 MB page fits, the 12 MB one does not; the long URL is fetched.
MAXSIZE = 8_000_000
URL_LIMIT = 4096


def _pairs(run: CrawlRun) -> dict[tuple[str, str], Pair]:
    return {
        (p.translation.url, p.cited_url or ""): p
        for p in read_manifest(run.archive / "pairs.jsonl")
    }


def _by_behaviour(cases: Sequence[PairCase], behaviour: SourceBehaviour) -> tuple[PairCase, str]:
    for case in cases:
        for url, seen in case.behaviours.items():
            if seen is behaviour:
                return case, url
    raise LookupError(behaviour)


def _pair(run: CrawlRun, blog: str, case: PairCase, url: str) -> Pair:
    return _pairs(run)[(blog.rstrip("/") + case.post.path, url)]


def _record(run: CrawlRun, pointer: WarcPointer | None) -> tuple[ArcWarcRecord, bytes]:
    assert pointer is not None
    with open(run.archive / pointer.filename, "rb") as f:
        f.seek(pointer.offset)
        record = next(iter(ArchiveIterator(f)))
        return record, record.raw_stream.read()


def _responses(run: CrawlRun) -> Iterator[tuple[str, int]]:
    """(WARC-Target-URI, HTTP status) of every response record of the crawl."""
    for path in sorted(run.archive.glob("*.warc.gz")):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    yield uri, int(record.http_headers.get_statuscode())


def _stat(run: CrawlRun, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", run.log)
    return int(match.group(1)) if match else 0


def _gets(run: CrawlRun, url: str) -> int:
    return sum(1 for r in run.requests if r["url"] == url and r["method"] == "GET")


def test_a_response_cut_short_is_archived_as_truncated(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    case, url = _by_behaviour(t2_cases, SourceBehaviour.TRUNCATED)
    pair = _pair(t2_crawl, T2_BLOG, case, url)
    assert (pair.status, pair.error) == ("source_truncated", "the response was cut short")
    assert pair.source is not None and pair.source.http_status == 200
    record, payload = _record(t2_crawl, pair.source.warc)
    assert record.rec_headers.get_header("WARC-Truncated") == "length"
    # The header block says the bytes kept; the length the server announced is kept beside it.
    assert int(record.http_headers.get_header("Content-Length")) == len(payload)
    declared = int(record.http_headers.get_header("X-Archive-Orig-Content-Length"))
    assert 0 < len(payload) < declared
    assert [r["bytes_sent"] for r in t2_crawl.requests if r["url"] == url] == [len(payload)]


def test_an_image_and_an_empty_body_are_not_html(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    case, url = _by_behaviour(t2_cases, SourceBehaviour.IMAGE)
    pair = _pair(t2_crawl, T2_BLOG, case, url)
    assert pair.status == "source_not_html"
    assert pair.error == "the cited URL serves image/png, not a page"
    assert pair.source is not None and pair.source.text is None
    _, payload = _record(t2_crawl, pair.source.warc)
    assert payload.startswith(b"\x89PNG\r\n\x1a\n")  # the bytes are kept for whoever wants them

    case, url = _by_behaviour(t2_cases, SourceBehaviour.EMPTY)
    pair = _pair(t2_crawl, T2_BLOG, case, url)
    assert (pair.status, pair.error) == (
        "source_not_html",
        "the cited URL answered with an empty body",
    )
    assert pair.source is not None and pair.source.http_status == 200
    record, payload = _record(t2_crawl, pair.source.warc)
    assert payload == b"" and record.rec_type == "response"


@pytest.mark.parametrize(
    "behaviour",
    [SourceBehaviour.INVALID_UTF8, SourceBehaviour.META_CHARSET, SourceBehaviour.MALFORMED],
)
def test_broken_bytes_and_markup_give_the_golden_text(
    t2_crawl: CrawlRun, t2_cases: list[PairCase], behaviour: SourceBehaviour
) -> None:
    case, url = _by_behaviour(t2_cases, behaviour)
    pair = _pair(t2_crawl, T2_BLOG, case, url)
    article = case.sources[url]
    assert pair.status == "ok", pair.error
    assert pair.source is not None
    assert pair.source.text == "\n\n".join(article.paragraphs)
    assert (pair.source.title, pair.source.author) == (article.title, " and ".join(article.authors))


def test_an_over_long_url_is_refused_with_its_length_not_dropped(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    case, url = _by_behaviour(t2_cases, SourceBehaviour.LONG_URL)
    assert len(url) > 2083
    pair = _pair(t2_crawl, T2_BLOG, case, url)
    assert (pair.status, pair.source) == ("source_refused", None)
    assert pair.error == (
        f"the URL is {len(url)} characters long, over the crawl's limit of 2083 "
        "(URLLENGTH_LIMIT); it was not fetched"
    )
    assert not [r for r in t2_crawl.requests if str(r["url"]).startswith(url.split("?")[0])]


@dataclass(frozen=True)
class BadWorld:
    run: CrawlRun
    cases: dict[str, tuple[PairCase, str]]  # name -> (case, cited URL)
    empty_post: TranslationPost
    sitemap_page_two: tuple[str, ...]  # permalink paths listed only on the broken sitemap page


def _case(path: str) -> PairCase:
    return next(case for case in load_cases("t2") if case.post.path == path)


def _as(case: PairCase, behaviour: SourceBehaviour, status: str) -> PairCase:
    (url,) = case.behaviours
    sources = {url: case.sources[url]} if url in case.sources else {}
    return replace(
        case, sources=sources, behaviours={url: behaviour}, expected_status={url: status}
    )


def _citing_directly(case: PairCase, path: str) -> PairCase:
    """A copy of a redirect case's post that cites the redirect's target URL directly."""
    ((cited, article),) = case.sources.items()
    (citation,) = case.post.citations
    post = replace(
        case.post,
        path=path,
        citation_lines=tuple(
            article.url if line == cited else line for line in case.post.citation_lines
        ),
        citations=(replace(citation, url=article.url, repaired_url=article.url),),
    )
    return PairCase(
        post, {article.url: article}, {article.url: SourceBehaviour.OK}, {article.url: "ok"}
    )


def _bad_world_cases() -> dict[str, PairCase]:
    long_url = _by_behaviour(load_cases("t2"), SourceBehaviour.LONG_URL)[0]
    redirect = _case("/2023/09/f-15j.html")
    return {
        "long_url": _as(long_url, SourceBehaviour.LONG_URL, "ok"),
        "huge_page": _as(_case("/2025/04/nmesis.html"), SourceBehaviour.HUGE_PAGE, "ok"),
        "too_large": _as(
            _case("/2025/02/kc-46rvs-20.html"), SourceBehaviour.TOO_LARGE, "source_truncated"
        ),
        "redirect_loop": _as(
            _case("/2025/02/m10.html"), SourceBehaviour.REDIRECT_LOOP, "source_http_error"
        ),
        "redirect_to_fetched": redirect,
        "fetched_directly": _citing_directly(redirect, "/2023/09/f-15j_2.html"),
    }


def _empty_post() -> TranslationPost:
    note = _case("/2025/06/blog-post_30.html").post
    return replace(
        note, path="/2025/07/blog-post.html", title="（本文なしの合成投稿）", paragraphs=()
    )


@pytest.fixture(scope="module")
def bad_world(tmp_path_factory: pytest.TempPathFactory) -> BadWorld:
    cases = _bad_world_cases()
    posts = [case.post for case in cases.values()] + [_empty_post()]
    host = BAD_BLOG.split("/")[2]
    # Two posts per sitemap page; page 2 is cut off mid-element.
    blog = BloggerSite(host, "合成ブログ", posts, sitemap_page_size=2, broken_sitemap_pages={2})
    sites: dict[str, Site] = {**build_source_sites(list(cases.values())), host: blog}
    sites.update(blog.aliases())
    run = crawl_replica(
        World(sites=sites, cases={BAD_BLOG: list(cases.values())}),
        tmp_path_factory.mktemp("bad") / "archive",
        spider="blogger",
        spider_args={"blog": BAD_BLOG},
        settings={"DOWNLOAD_MAXSIZE": str(MAXSIZE), "URLLENGTH_LIMIT": str(URL_LIMIT)},
    )
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    page_two = tuple(ref.post.path for ref in blog.refs[2:4])
    named = {name: (case, next(iter(case.behaviours))) for name, case in cases.items()}
    return BadWorld(run, named, _empty_post(), page_two)


def test_every_bad_input_ends_with_its_status(bad_world: BadWorld) -> None:
    pairs = _pairs(bad_world.run)
    expected = {name: case.expected_status[url] for name, (case, url) in bad_world.cases.items()}
    got = {
        name: _pair(bad_world.run, BAD_BLOG, case, url).status
        for name, (case, url) in bad_world.cases.items()
    }
    assert got == expected
    assert len(pairs) == len(bad_world.cases) + 1  # and the empty post's


def test_a_five_megabyte_single_line_page_is_extracted(bad_world: BadWorld) -> None:
    case, url = bad_world.cases["huge_page"]
    pair = _pair(bad_world.run, BAD_BLOG, case, url)
    assert pair.source is not None
    assert pair.source.text == "\n\n".join(case.sources[url].paragraphs)
    assert pair.source.warc is not None
    with open(bad_world.run.archive / pair.source.warc.filename, "rb") as f:
        f.seek(pair.source.warc.offset)
        record = next(iter(ArchiveIterator(f)))
        assert record.rec_headers.get_header("WARC-Truncated") is None
        page = record.content_stream().read()  # gzip removed
    assert len(page) >= 5_000_000 and b"\n" not in page


def test_a_response_over_the_size_limit_keeps_its_headers_as_truncated(
    bad_world: BadWorld,
) -> None:
    case, url = bad_world.cases["too_large"]
    pair = _pair(bad_world.run, BAD_BLOG, case, url)
    assert pair.source is not None and pair.source.http_status == 200
    record, payload = _record(bad_world.run, pair.source.warc)
    announced = record.http_headers.get_header("X-Archive-Orig-Content-Length")
    assert pair.error == (
        f"the response announced {announced} bytes "
        f"(Content-Length), over the download size limit of {MAXSIZE} bytes "
        "(DOWNLOAD_MAXSIZE); it was stopped at its headers and none of its body was kept"
    )
    assert record.rec_headers.get_header("WARC-Target-URI") == url
    assert record.rec_headers.get_header("WARC-Truncated") == "length"
    assert int(announced) > MAXSIZE
    assert record.http_headers.get_header("Content-Length") == "0"
    assert payload == b""  # stopped at the headers, which announced too much
    assert _gets(bad_world.run, url) == 1  # not retried


def test_a_redirect_loop_ends_with_its_hops_after_one_extra_fetch(bad_world: BadWorld) -> None:
    case, url = bad_world.cases["redirect_loop"]
    pair = _pair(bad_world.run, BAD_BLOG, case, url)
    other = url[:-1] if url.endswith("/") else url + "/"
    assert pair.error == f"redirect loop: {url} -> {other} -> {url}"
    assert (_gets(bad_world.run, url), _gets(bad_world.run, other)) == (2, 1)
    # Every hop is archived; the manifest has no source side for a page never reached.
    archived = Counter(uri for uri, status in _responses(bad_world.run) if status == 301)
    assert (archived[url], archived[other]) == (2, 1)
    # The source is the last redirect, whose Location leads back into the loop.
    assert pair.source is not None and pair.source.http_status == 301


def test_a_redirect_to_a_page_fetched_before_is_not_lost(bad_world: BadWorld) -> None:
    for name in ("redirect_to_fetched", "fetched_directly"):
        case, url = bad_world.cases[name]
        pair = _pair(bad_world.run, BAD_BLOG, case, url)
        assert pair.status == "ok", (name, pair.error)
        assert pair.source is not None
        assert pair.source.url == next(iter(case.sources.values())).url


def test_a_long_url_is_fetched_and_archived_whole_under_a_higher_limit(
    bad_world: BadWorld,
) -> None:
    case, url = bad_world.cases["long_url"]
    assert 2083 < len(url) <= URL_LIMIT
    pair = _pair(bad_world.run, BAD_BLOG, case, url)
    assert pair.source is not None and pair.source.url == url
    record, _ = _record(bad_world.run, pair.source.warc)
    assert record.rec_headers.get_header("WARC-Target-URI") == url
    assert _gets(bad_world.run, url) == 1


def test_an_empty_post_body_is_translation_unparsable(bad_world: BadWorld) -> None:
    url = BAD_BLOG.rstrip("/") + bad_world.empty_post.path
    pair = _pairs(bad_world.run)[(url, "")]
    assert pair.status == "translation_unparsable"
    assert pair.error == f"the post body is empty (no text) in {url}"
    assert pair.translation.warc is not None


def test_a_broken_sitemap_page_is_counted_and_the_feed_finds_its_posts(
    bad_world: BadWorld,
) -> None:
    run = bad_world.run
    assert _stat(run, "bitext/discovery/bad_sitemap") == 1
    assert "unusable sitemap" in run.log
    host = BAD_BLOG.split("/")[2]
    fetched = Counter(str(r["path"]) for r in run.requests if r["host"] == host)
    assert fetched["/sitemap.xml?page=2"] == 1
    for path in (*bad_world.sitemap_page_two, bad_world.empty_post.path):
        assert fetched[path] == 1, path
    for case, _ in bad_world.cases.values():
        assert fetched[case.post.path] == 1, case.post.path


def test_a_broken_feed_page_is_counted_and_the_sitemap_finds_its_posts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    note = _case("/2025/06/blog-post_30.html").post
    posts = [replace(note, path=f"/2025/07/blog-post_{n}.html") for n in range(1, 4)]
    host = BAD_BLOG.split("/")[2]
    blog = BloggerSite(host, "合成ブログ", posts, broken_feed_pages={1})
    run = crawl_replica(
        World(sites={host: blog, **blog.aliases()}, cases={BAD_BLOG: []}),
        tmp_path_factory.mktemp("bad-feed") / "archive",
        spider="blogger",
        spider_args={"blog": BAD_BLOG},
    )
    assert run.returncode == 0, run.log[-4000:]
    assert _stat(run, "bitext/discovery/bad_feed") == 1
    pairs = _pairs(run)
    assert {url for url, _ in pairs} == {BAD_BLOG.rstrip("/") + post.path for post in posts}
    assert {pair.status for pair in pairs.values()} == {"no_citation"}


def test_the_archive_of_the_bad_world_verifies(bad_world: BadWorld) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(Path(bad_world.run.archive))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
