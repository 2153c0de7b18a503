"""Rebuilding the manifest from a small hand-built archive of two crawls (all content synthetic).

Each test crawl does what the spider and the crawl-log extension do: it archives the exchanges,
makes the items with the reading code and logs them; the pairs it expects are what the pairs
pipeline would write (journals per crawl, folded). The rebuild sees only the WARC files.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.archive import DigestIndex, WarcArchive, WarcPointer, WrittenExchange
from crawler.dates import isoformat
from crawler.items import PostItem, SourceItem
from crawler.items.crawllog import (
    CRAWL_LOG_CONTENT_TYPE,
    crawl_log_fields,
    decode_crawl_log,
    encode_crawl_log,
    read_from_page,
)
from crawler.manifest import ManifestJournal, Pair, encode_line
from crawler.pairing.compose import compose_pairs
from crawler.reading.page import dated_by_feed, read_post_page, read_source_page
from crawler.rebuild import RebuildError, rebuild_pairs
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange
from tests.unit.blogger.pages import CITATION_TWZ, POST_URL, blogger_page

HTML = "text/html; charset=utf-8"
BLOG = "https://synthetic-example.blogspot.com/2025/02/"
SOURCE_URL = "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays"
HOP = "https://twz.com/sea/navys-new-frigate-program-faces-more-delays"
UNREACHABLE_URL = "https://unreachable.example.com/2025/02/missing-article"
FEED_DATE = datetime.fromisoformat("2025-02-07T18:30:00+09:00")
BODY = (
    "<p>米海軍の新型フリゲート計画は、さらに遅れる見通しとなった(合成テキスト)。</p>"
    "<p>コンステレーション級の一番艦は、当初の予定より数年遅れている(合成テキスト)。</p>"
)
ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Navy's New Frigate Program Faces More Delays | Synthetic Defense Daily</title>
<meta property="og:site_name" content="Synthetic Defense Daily">
<meta property="article:published_time" content="2025-02-04T12:59:00-05:00"></head><body>
<article><h1>Navy's New Frigate Program Faces More Delays</h1>
<p class="byline">By Joseph Trevithick</p>
<p>The Constellation class frigate program is now years late, the service said in a synthetic
statement written for this test, and the first ship will not arrive before the decade ends.</p>
<p>Officials said the design had changed far more than planned since the contract was awarded,
which forced the shipyard to redo much of its early work on the lead ship of the class.</p>
<p>The program office declined to give a new cost estimate but said the schedule would be
reviewed again next year, according to a synthetic statement released after the briefing.</p>
</article></body></html>"""


@dataclass
class SyntheticCrawl:
    """One crawl into ``directory``: its archive, its items and its crawl-log records."""

    archive: WarcArchive
    name: str
    start: datetime
    spider: str = "t2"
    full: bool = False  # a full crawl fetches every source again
    items: list[PostItem | SourceItem] = field(default_factory=list)

    def fetch(
        self,
        url: str,
        body: bytes,
        *,
        status: int = 200,
        headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML),),
    ) -> tuple[WrittenExchange, str]:
        """Archive one exchange; returns where it went and its time as the crawl records it."""
        self.start += timedelta(seconds=1)
        exchange = replace(
            make_exchange(),
            url=url,
            status=status,
            body=body,
            started_at=self.start,
            response_headers=headers,
        )
        return self.archive.write_exchange(exchange), str(isoformat(exchange.started_at))

    def log(
        self,
        item: PostItem | SourceItem,
        *,
        refers_to: str | None = None,
        content_type: str | None = None,
        truncated: bool = False,
    ) -> None:
        fields = crawl_log_fields(
            item,
            crawl=self.name,
            spider=self.spider,
            content_type=content_type,
            truncated=truncated,
            full_crawl=self.full,
        )
        target = item.url if isinstance(item, PostItem) else item.cited_url
        self.archive.write_metadata(
            target, encode_crawl_log(fields), CRAWL_LOG_CONTENT_TYPE, refers_to
        )
        self.items.append(item)

    def post(
        self,
        path: str,
        html: str,
        *,
        gzipped: bool = False,
        feed_published: datetime | None = None,
        **reading: object,
    ) -> PostItem:
        url = BLOG + path
        body = gzip.compress(html.encode(), mtime=0) if gzipped else html.encode()
        headers = (("Content-Type", HTML),) + ((("Content-Encoding", "gzip"),) if gzipped else ())
        written, at = self.fetch(url, body, headers=headers)
        item = read_post_page(
            url=url,
            fetched_url=url,
            http_status=200,
            content_type=HTML,
            body=html.encode(),  # what the HTTP client hands over: decoded
            warc=written.payload,
            crawled_at=at,
            **reading,  # type: ignore[arg-type]
        )
        dated_by_feed(item, feed_published)  # as the spider does
        self.log(item, refers_to=written.record.record_id, content_type=HTML)
        return item

    def source(self, cited: str, *, hops: tuple[str, ...] = ()) -> SourceItem:
        for hop in hops:
            self.fetch(hop, b"", status=301)
        url = SOURCE_URL
        written, at = self.fetch(url, ARTICLE.encode())
        item = read_source_page(
            cited_url=cited,
            url=url,
            redirects=list(hops),
            http_status=200,
            content_type=HTML,
            body=ARTICLE.encode(),
            truncated=False,
            warc=written.payload,
            crawled_at=at,
        )
        self.log(item, refers_to=written.record.record_id)
        return item

    def expected_pairs(self, captured: dict[str, SourceItem]) -> list[Pair]:
        """This crawl's pairs; ``captured``: the ok pages of earlier crawls, which a source
        fetched again keeps (docs/manifest.md, restated: the version captured first stays)."""
        posts = [i for i in self.items if isinstance(i, PostItem)]
        sources = {i.cited_url: i for i in self.items if isinstance(i, SourceItem)}
        sources |= {url: captured[url] for url in sources.keys() & captured.keys()}
        captured |= {u: i for u, i in sources.items() if i.status == "ok" and u not in captured}
        return list(compose_pairs(posts, sources, spider=self.spider))


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def _new_crawls(directory: Path, index: DigestIndex) -> list[SyntheticCrawl]:
    """Two crawls into ``directory``, a day apart, sharing the digest index as crawls do."""
    ids = id_factory()
    crawls = []
    for number in (1, 2):
        start = datetime(2025, 3, number, 4, 0, 0, tzinfo=UTC)
        archive = WarcArchive(
            directory,
            warcinfo=WARCINFO,
            digest_index=index,
            clock=fixed_clock(start),
            new_record_id=ids,
            crawl_host=f"crawl{number}",
        )
        crawls.append(SyntheticCrawl(archive, f"crawl {number}", start))
    return crawls


def _two_crawls(directory: Path) -> list[SyntheticCrawl]:
    """A first crawl of three posts and a later one that fetches the first post again."""
    index = DigestIndex()
    crawls = _new_crawls(directory, index)
    first, second = crawls
    first.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ), gzipped=True)
    first.source(SOURCE_URL, hops=(HOP,))
    citation = "■<br>Synthetic Missing Article<br>By&nbsp;Jane Roe<br>" + UNREACHABLE_URL
    first.post(
        "blog-post_8.html",
        blogger_page(BODY + citation, timestamp=None),
        feed_published=FEED_DATE,
    )
    first.log(
        SourceItem(
            cited_url=UNREACHABLE_URL,
            status="source_unreachable",
            crawled_at="2025-03-01T04:00:30+00:00",
            error="DNSLookupError: synthetic lookup failure\nfor unreachable.example.com",
        )
    )
    gone, at = first.fetch(BLOG + "blog-post_9.html", b"<html>gone</html>", status=404)
    first.log(
        PostItem(
            url=BLOG + "blog-post_9.html",
            fetched_url=BLOG + "blog-post_9.html",
            http_status=404,
            post=None,
            warc=gone.payload,
            crawled_at=at,
            error="source_not_found: HTTP 404 Not Found",
        ),
        refers_to=gone.record.record_id,
    )
    # The same pages again: both captures are revisits of the first crawl's responses.
    second.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ), gzipped=True)
    second.source(SOURCE_URL)
    for crawl in crawls:
        crawl.archive.close()
    index.close()
    return crawls


def _pipeline_manifest(crawls: list[SyntheticCrawl], directory: Path) -> list[bytes]:
    """What the pairs pipelines of these crawls would have written: journals, folded (each crawl
    here fetched every source its posts cite, so its own items are all its pairs need)."""
    journals = []
    captured: dict[str, SourceItem] = {}
    for number, crawl in enumerate(crawls):
        path = directory / f"journal-{number}.jsonl"
        with ManifestJournal(path) as journal:
            for pair in crawl.expected_pairs(captured):
                journal.append(pair)
        journals.append(path)
    return [encode_line(pair) for pair in ManifestJournal.fold(journals).pairs]


def test_rebuild_gives_what_the_crawls_wrote(archive_dir: Path, tmp_path: Path) -> None:
    crawls = _two_crawls(archive_dir)
    result = rebuild_pairs(archive_dir, workers=1)
    assert [encode_line(pair) for pair in result.pairs] == _pipeline_manifest(crawls, tmp_path)
    assert (result.files, result.crawls, result.posts, result.sources) == (2, 2, 4, 3)
    assert result.pages_read == 5  # three post pages and two source pages; failures are not read
    by_post = {(p.translation.url, p.cited_url): p for p in result.pairs}
    assert len(by_post) == 3
    fetched = by_post[(POST_URL, SOURCE_URL)]
    # The later crawl's pair wins: it read the post its revisit refers to, in the first file, and
    # keeps the source page captured first (its redirect hop too).
    assert fetched.crawled_at.startswith("2025-03-02")
    assert fetched.translation.text and fetched.source is not None and fetched.source.text
    first_file = crawls[0].archive.closed_files[0]
    assert fetched.translation.warc is not None and fetched.translation.warc.filename == first_file
    assert fetched.source.warc is not None and fetched.source.warc.filename == first_file
    assert fetched.source.redirects == (HOP,) and fetched.source.changed_since is None
    unreachable = by_post[(BLOG + "blog-post_8.html", UNREACHABLE_URL)]
    assert unreachable.status == "source_unreachable"
    assert unreachable.error is not None and "\nfor unreachable" in unreachable.error
    # The page has no time of its own: the feed's, recorded in the log, is the post's date.
    assert unreachable.translation.published == "2025-02-07T18:30:00+09:00"
    gone = by_post[(BLOG + "blog-post_9.html", None)]
    assert gone.status == "translation_unavailable"
    assert gone.error == "source_not_found: HTTP 404 Not Found"


def test_a_run_takes_an_earlier_outcome_for_what_it_did_not_fetch(archive_dir: Path) -> None:
    with DigestIndex() as index:
        first, second = _new_crawls(archive_dir, index)
        first.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
        first.source(SOURCE_URL, hops=(HOP,))
        # An incremental run: the source's outcome was final, so only the post was fetched.
        second.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
        first.archive.close()
        second.archive.close()
    (pair,) = rebuild_pairs(archive_dir, workers=1).pairs
    assert pair.crawled_at.startswith("2025-03-02")  # the second run's post
    assert pair.source is not None and pair.source.redirects == (HOP,)  # the first run's source
    assert pair.translation.warc is not None and pair.source.warc is not None
    assert pair.source.warc.filename == first.archive.closed_files[0]


@pytest.mark.parametrize("full", [False, True])
def test_a_source_fetched_again_updates_earlier_posts_unless_the_run_was_full(
    archive_dir: Path, full: bool
) -> None:
    with DigestIndex() as index:
        first, second = _new_crawls(archive_dir, index)
        first.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
        first.log(
            SourceItem(
                cited_url=SOURCE_URL,
                status="source_unreachable",
                crawled_at="2025-03-01T04:00:30+00:00",
                error="TimeoutError: synthetic timeout",
            )
        )
        second.full = full
        second.source(SOURCE_URL)  # retried: it answers now
        first.archive.close()
        second.archive.close()
    (pair,) = rebuild_pairs(archive_dir, workers=1).pairs
    if full:
        assert pair.crawled_at.startswith("2025-03-01")
        assert pair.status == "source_unreachable"
    else:
        assert pair.crawled_at.startswith("2025-03-02")
        assert pair.status == "ok" and pair.source is not None and pair.source.redirects == ()


@pytest.mark.parametrize("full", [False, True])
def test_an_ok_source_fetched_again_keeps_its_first_capture(archive_dir: Path, full: bool) -> None:
    with DigestIndex() as index:
        first, second = _new_crawls(archive_dir, index)
        first.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
        first.source(SOURCE_URL, hops=(HOP,))
        second.full = full
        second.source(SOURCE_URL)  # a re-check: the same page, without the hop
        first.archive.close()
        second.archive.close()
    (pair,) = rebuild_pairs(archive_dir, workers=1).pairs
    assert pair.source is not None
    assert pair.crawled_at.startswith("2025-03-01")
    assert pair.source.redirects == (HOP,) and pair.source.changed_since is None
    assert pair.source.warc is not None
    assert pair.source.warc.filename == first.archive.closed_files[0]


def test_a_process_pool_gives_the_same_manifest(archive_dir: Path) -> None:
    _two_crawls(archive_dir)
    alone = rebuild_pairs(archive_dir, workers=1)
    pooled = rebuild_pairs(archive_dir, workers=2)
    assert [encode_line(p) for p in pooled.pairs] == [encode_line(p) for p in alone.pairs]
    assert pooled.pages_read == alone.pages_read == 5
    assert alone.workers_used and pooled.workers_used and alone.workers_used != pooled.workers_used


def test_open_files_and_other_metadata_are_left_out(archive_dir: Path, tmp_path: Path) -> None:
    crawls = _two_crawls(archive_dir)
    with WarcArchive(
        archive_dir, warcinfo=WARCINFO, clock=fixed_clock(), crawl_host="other"
    ) as other:
        other.write_metadata(POST_URL, b'{"kind": "post"}', "application/json")
        other.write_metadata(POST_URL, b"via: https://example.com/\r\n", CRAWL_LOG_CONTENT_TYPE)
    still_open = WarcArchive(archive_dir, warcinfo=WARCINFO, crawl_host="running")
    still_open.write_metadata(POST_URL, encode_crawl_log({"kind": "post"}), CRAWL_LOG_CONTENT_TYPE)
    try:
        result = rebuild_pairs(archive_dir, workers=1)
    finally:
        still_open.close()
    assert (result.files, result.open_files, result.crawls) == (3, 1, 2)
    assert [encode_line(p) for p in result.pairs] == _pipeline_manifest(crawls, tmp_path)


def test_a_pointer_to_the_wrong_record_is_an_error(archive_dir: Path) -> None:
    crawl = SyntheticCrawl(
        WarcArchive(archive_dir, warcinfo=WARCINFO, crawl_host="bad"),
        "bad",
        datetime(2025, 3, 1, tzinfo=UTC),
    )
    item = crawl.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
    assert item.warc is not None
    moved = replace(item, warc=WarcPointer(item.warc.filename, item.warc.offset, "<urn:x>"))
    crawl.log(moved, content_type=HTML)
    crawl.archive.close()
    with pytest.raises(RebuildError, match="<urn:x> is not there"):
        rebuild_pairs(archive_dir, workers=1)


def test_crawl_log_fields_round_trip_and_stay_one_line_each() -> None:
    item = SourceItem(
        cited_url=UNREACHABLE_URL,
        status="source_unreachable",
        crawled_at="2025-03-01T04:00:30+00:00",
        redirects=["https://a.example/\r\nX-Injected: 1"],
        error="合成のエラー\r\nsecond line\u2028third",
    )
    fields = crawl_log_fields(item, crawl="c", spider="t2")
    block = encode_crawl_log(fields)
    assert decode_crawl_log(block) == fields
    assert block.count(b"\r\n") == len(fields) == block.count(b"\n")
    assert fields["from_page"] is False and fields["warc"] is None


def test_which_items_are_read_again_from_their_page() -> None:
    pointer = WarcPointer("f.warc.gz", 0, "<urn:a>")
    source = SourceItem(cited_url=SOURCE_URL, status="ok", crawled_at="", warc=pointer)
    assert read_from_page(source)
    assert not read_from_page(replace(source, status="source_not_found"))  # an errback's
    assert not read_from_page(replace(source, status="source_truncated"))  # a cut-off body
    assert not read_from_page(replace(source, warc=None))
    post = PostItem(SOURCE_URL, SOURCE_URL, 200, None, pointer, "", error="no post body")
    assert read_from_page(post)  # unparsable today, perhaps parsable by better code
    assert not read_from_page(replace(post, http_status=410))
