"""The crawl state derived from a small hand-built archive of two crawls (all content synthetic).

Each crawl archives its lists and pages and logs its items as the spider and the crawl-log
extension do, and hands the items to a real pairs pipeline, which writes the crawl's own state:
what the derivation, which sees only the archive, its manifest and its journals, must give again.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from crawler.archive import DigestIndex
from crawler.archive.lock import ArchiveLock
from crawler.archive.naming import closed_warc_files
from crawler.blogger.urls import canonical_post_url
from crawler.cli import main
from crawler.items import PostItem, SourceItem
from crawler.manifest import ManifestJournal, read_manifest
from crawler.pipelines.pairs import PairsPipeline
from crawler.reading.archived import post_item_from_state, read_payload_digest
from crawler.reading.page import read_source_page
from crawler.rebuild import DamagedArchiveError, rebuild_pairs
from crawler.state import CrawlState
from crawler.state.derive import FEED, SITEMAP, derive_state, list_kind, listings
from tests.unit.blogger.pages import CITATION_TWZ, POST_URL, blogger_page
from tests.unit.pipelines.test_pairs_pipeline import _pipeline
from tests.unit.test_rebuild import (
    ARTICLE,
    BLOG,
    BODY,
    HOP,
    SOURCE_URL,
    UNREACHABLE_URL,
    SyntheticCrawl,
    _new_crawls,
)

ROOT = "https://synthetic-example.blogspot.com/"
XML = (("Content-Type", "application/xml; charset=UTF-8"),)
TABLES = ("posts", "citations", "sources", "history", "journaled", "listed")
# Not derivable (docs/incremental.md): the autoincrement id, the time a file was read whole.
NOT_DERIVED = {"history": {"id"}, "checked_files": {"checked_at"}}
EARLY, LATER, LATEST = "2025-02-07T01:00:00Z", "2025-02-20T01:00:00Z", "2025-03-01T12:00:00Z"


def _sitemap(*entries: tuple[str, str]) -> bytes:
    urls = "".join(
        f"<url><loc>{BLOG}{name}</loc><lastmod>{day}</lastmod></url>" for name, day in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _feed(*entries: tuple[str, str]) -> bytes:
    items = "".join(
        f"<entry><id>tag:blogger.com,1999:blog-1.post-{n}</id><published>{day}</published>"
        f"<updated>{day}</updated><title>合成</title>"
        f'<link rel="alternate" href="{BLOG}{name}"/></entry>'
        for n, (name, day) in enumerate(entries)
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{items}</feed>'.encode()


class Crawl:
    """One crawl: its archive and crawl log (``SyntheticCrawl``) and its pairs pipeline."""

    def __init__(self, synthetic: SyntheticCrawl, directory: Path) -> None:
        self.synthetic = synthetic
        self.directory = directory
        self.pipeline: PairsPipeline = _pipeline(directory)

    @property
    def state(self) -> CrawlState:
        assert self.pipeline.state is not None
        return self.pipeline.state

    def lists(self, url: str, body: bytes, *, sitemap: bool) -> None:
        """Archive a list page, and list its posts in the state as the spider does."""
        self.synthetic.fetch(url, body, headers=XML)
        for entry in listings(SITEMAP if sitemap else FEED, body):
            if sitemap:
                self.state.list_post(entry.url, lastmod=entry.lastmod)
            else:
                self.state.list_post(entry.url, updated=entry.updated)

    def item(self, item: PostItem | SourceItem) -> None:
        if item.warc is not None:
            item.payload_digest = read_payload_digest(self.directory, item.warc)
        self.pipeline.process_item(item)

    def reread(self, url: str) -> None:
        """An archived post read again, as the archive cache answers its request when one of its
        sources is fetched again (crawler/downloadermiddlewares/archive_cache.py)."""
        record = self.state.post(url)
        assert record is not None
        item = post_item_from_state(self.directory, record)
        item.from_archive = True
        self.pipeline.process_item(item)

    def close(self) -> None:
        self.pipeline.close_spider()
        self.synthetic.archive.close()


def _two_crawls(directory: Path) -> None:
    """A first crawl of two posts and their sources; a second whose sitemap shows the first
    post changed, which it fetches again, and whose feed page and last sitemap page are the first
    crawl's (revisits)."""
    index = DigestIndex()
    first_synthetic, second_synthetic = _new_crawls(directory, index)
    first = Crawl(first_synthetic, directory)
    first.lists(ROOT + "sitemap.xml", _sitemap(("blog-post_7.html", EARLY)), sitemap=True)
    first.item(first_synthetic.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ)))
    first.item(first_synthetic.source(SOURCE_URL, hops=(HOP,)))
    citation = "■<br>Synthetic Missing Article<br>By&nbsp;Jane Roe<br>" + UNREACHABLE_URL
    first.item(first_synthetic.post("blog-post_8.html", blogger_page(BODY + citation)))
    # Listed after the post was recorded: its date is not the post's ``modified``.
    feed = _feed(("blog-post_7.html", LATER), ("blog-post_8.html", LATER))
    first.lists(ROOT + "feeds/posts/summary?start-index=1", feed, sitemap=False)
    unreachable = SourceItem(
        cited_url=UNREACHABLE_URL,
        status="source_unreachable",
        crawled_at="2025-03-01T04:00:30+00:00",
        error="DNSLookupError: synthetic lookup failure",
    )
    first_synthetic.log(unreachable)
    first.item(unreachable)
    first.close()
    second = Crawl(second_synthetic, directory)
    second.lists(ROOT + "sitemap.xml", _sitemap(("blog-post_7.html", LATEST)), sitemap=True)
    second.lists(ROOT + "feeds/posts/summary?start-index=1", feed, sitemap=False)
    second.item(second_synthetic.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ)))
    second.item(second_synthetic.source(SOURCE_URL))
    found = SourceItem(
        cited_url=UNREACHABLE_URL,
        status="source_not_found",
        crawled_at="2025-03-02T04:00:30+00:00",
        http_status=404,
        error="HTTP 404",
    )
    second_synthetic.log(found)
    second.item(found)
    # The first crawl's sitemap again, under another URL: a revisit, whose dates are its original's.
    second.lists(ROOT + "sitemap.xml?page=1", _sitemap(("blog-post_7.html", EARLY)), sitemap=True)
    second.close()
    index.close()


def _rows(database: Path, table: str) -> Counter[tuple[object, ...]]:
    with closing(sqlite3.connect(database)) as db:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in NOT_DERIVED.get(table, set())]
        return Counter(db.execute(f"SELECT {', '.join(kept)} FROM {table}"))


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "archive"
    _two_crawls(directory)
    return directory


def _own(archive_dir: Path) -> Path:
    return archive_dir / "state" / "crawl.sqlite"


def test_the_derived_state_has_every_row_the_pipeline_wrote(
    archive_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "derived.sqlite"
    result = derive_state(archive_dir, target, workers=1)
    assert result.path == target and result.list_pages == 5
    for table in TABLES:
        assert _rows(target, table) == _rows(_own(archive_dir), table), table
    with CrawlState(target) as state:
        post = state.post(POST_URL)
        assert post is not None and post.payload_digest is not None
        # The sitemap's date when the second crawl fetched it again, not the feed's earlier one.
        assert post.modified == datetime.fromisoformat(LATEST).isoformat()
        changes = [(c.old_status, c.new_status) for c in state.history(UNREACHABLE_URL)]
        assert changes == [(None, "source_unreachable"), ("source_unreachable", "source_not_found")]
        assert len(state.history()) == 3
        assert state.pending_posts() == []
        assert state.listed_modified(POST_URL) == datetime.fromisoformat(LATER)
        assert result.counts == state.counts()


def test_a_post_takes_the_dates_listed_before_it_was_recorded(
    archive_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "derived.sqlite"
    derive_state(archive_dir, target, workers=1)
    with CrawlState(target) as state:
        post = state.post(BLOG + "blog-post_8.html")
        assert post is not None
        assert post.modified is None  # the feed listed it only after the post was recorded
        assert state.listed_modified(BLOG + "blog-post_8.html") == datetime.fromisoformat(LATER)


def test_every_closed_warc_file_is_noted_as_read_whole(archive_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "derived.sqlite"
    derive_state(archive_dir, target, workers=1)
    files = closed_warc_files(archive_dir)
    with CrawlState(target) as state:
        for path in files:
            checked = state.checked_file(path.name)
            assert checked is not None
            assert (checked.size, checked.mtime_ns) == (
                path.stat().st_size,
                path.stat().st_mtime_ns,
            )
            assert checked.records > 0
    assert len(_rows(target, "checked_files")) == len(files) == 2


def test_pairs_of_a_journal_not_folded_yet_are_journaled(archive_dir: Path, tmp_path: Path) -> None:
    [pair, *_] = read_manifest(archive_dir / "pairs.jsonl")
    later = pair.__class__.from_json({**pair.to_json(), "crawled_at": "2025-03-09T00:00:00Z"})
    with ManifestJournal(archive_dir / "journal" / "20250309000000-host-1.jsonl") as journal:
        journal.append(later)
    target = tmp_path / "derived.sqlite"
    derive_state(archive_dir, target, workers=1)
    with closing(sqlite3.connect(target)) as db:
        [(crawled_at,)] = db.execute(
            "SELECT crawled_at FROM journaled WHERE pair_id = ?", (pair.pair_id,)
        )
    assert crawled_at == "2025-03-09T00:00:00Z"


def test_in_place_replaces_the_state_and_its_write_ahead_log(archive_dir: Path) -> None:
    own = _own(archive_dir)
    expected = {table: _rows(own, table) for table in TABLES}
    own.unlink()
    with CrawlState(own) as state:
        state.list_post(BLOG + "blog-post_99.html", lastmod=datetime.fromisoformat(LATEST))
    wal = Path(f"{own}-wal")
    wal.write_bytes(b"not the log of the new database")
    assert main(["state", "rebuild", str(archive_dir), "--workers", "1"]) == 0
    assert not wal.exists()
    assert {table: _rows(own, table) for table in TABLES} == expected
    assert not list(own.parent.glob("*.tmp"))


def test_a_damaged_archive_is_refused_and_nothing_is_written(
    archive_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = closed_warc_files(archive_dir)[0]
    first.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    target = tmp_path / "derived.sqlite"
    with pytest.raises(DamagedArchiveError):
        derive_state(archive_dir, target, workers=1)
    assert not target.exists()
    before = _own(archive_dir).read_bytes()
    assert main(["state", "rebuild", str(archive_dir), "--workers", "1"]) == 1
    assert "the archive lost records" in capsys.readouterr().err
    assert _own(archive_dir).read_bytes() == before


def test_in_place_is_refused_while_a_crawl_holds_the_archive(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _own(archive_dir).read_bytes()
    with ArchiveLock(archive_dir):
        assert main(["state", "rebuild", str(archive_dir), "--workers", "1"]) == 3
    assert "being written by another crawl" in capsys.readouterr().err
    assert _own(archive_dir).read_bytes() == before


def test_another_path_is_written_while_a_crawl_holds_the_archive(
    archive_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "derived.sqlite"
    with ArchiveLock(archive_dir):
        assert (
            main(["state", "rebuild", str(archive_dir), "-o", str(target), "--workers", "1"]) == 0
        )
    assert _rows(target, "posts") == _rows(_own(archive_dir), "posts")


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert main(["state", "rebuild", str(tmp_path / "missing")]) == 2
    assert main(["state", "rebuild", str(tmp_path), "--workers", "0"]) == 2


def test_an_archive_without_crawl_log_records_derives_an_empty_state(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    result = derive_state(archive, workers=1)
    assert result.read.logged == [] and result.path == _own(archive)
    assert _rows(result.path, "posts") == Counter()


def test_a_list_page_read_as_a_source_lists_nothing(tmp_path: Path) -> None:
    """A cited URL that is a sitemap: its crawl-log record says it was read as a source."""
    archive = tmp_path / "archive"
    index = DigestIndex()
    synthetic, _ = _new_crawls(archive, index)
    cited = "https://news.example.com/sitemap.xml"
    written, at = synthetic.fetch(cited, _sitemap(("blog-post_7.html", EARLY)), headers=XML)
    item = SourceItem(
        cited_url=cited,
        status="source_not_html",
        crawled_at=at,
        url=cited,
        http_status=200,
        content_type=XML[0][1],
        warc=written.payload,
    )
    synthetic.log(item, refers_to=written.record.record_id)
    synthetic.archive.close()
    index.close()
    result = derive_state(archive, tmp_path / "derived.sqlite", workers=1)
    assert len(result.read.logged) == 1 and result.list_pages == 0
    assert _rows(result.path, "listed") == Counter()
    assert _rows(result.path, "sources")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (ROOT + "sitemap.xml", SITEMAP),
        (ROOT + "sitemap.xml?page=2", SITEMAP),
        (ROOT + "sitemap-pages.xml", SITEMAP),
        (ROOT + "feeds/posts/summary?start-index=151&max-results=150", FEED),
        (ROOT + "feeds/posts/default", FEED),
        (POST_URL, None),
        (ROOT + "robots.txt", None),
        ("https://www.example.com/news/sitemap-article.html", None),
    ],
)
def test_list_kind(url: str, kind: str | None) -> None:
    assert list_kind(url) == kind


def test_listings_are_canonical_and_skip_what_is_not_a_post() -> None:
    body = _sitemap(("blog-post_7.html", EARLY)).replace(
        b"</urlset>", f"<url><loc>{ROOT}p/about.html</loc></url></urlset>".encode()
    )
    [entry] = listings(SITEMAP, body)
    assert entry.url == canonical_post_url(POST_URL) and entry.lastmod is not None
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>x</loc></sitemap></sitemapindex>'
    assert listings(SITEMAP, index) == ()
    assert listings(FEED, b"<not-xml") == ()


# The source's third paragraph corrected, and a paragraph added: what the second crawl fetches.
EDITED_ARTICLE = ARTICLE.replace(
    "reviewed again next year", "reviewed again in the spring"
).replace(
    "</article>",
    "<p>Update: the Navy said on Thursday that it still expects to award the second batch of "
    "ships on time, according to a synthetic statement released after this story ran.</p>"
    "</article>",
)


def _fetched_again(crawl: Crawl, body: str) -> SourceItem:
    """The source fetched by a re-check: archived, read, recorded by the pipeline, then logged
    (the crawl-log record is written after the pipeline, as the extension writes it)."""
    written, at = crawl.synthetic.fetch(SOURCE_URL, body.encode())
    item = read_source_page(
        cited_url=SOURCE_URL,
        url=SOURCE_URL,
        redirects=[],
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=body.encode(),
        truncated=False,
        warc=written.payload,
        crawled_at=at,
    )
    crawl.item(item)
    crawl.synthetic.log(item, refers_to=written.record.record_id)
    return item


def _drifting_crawls(directory: Path) -> SourceItem:
    """A first crawl of a post and its source; a second that fetches the source again, edited."""
    index = DigestIndex()
    first_synthetic, second_synthetic = _new_crawls(directory, index)
    first = Crawl(first_synthetic, directory)
    post = first_synthetic.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
    first.item(post)
    first.item(first_synthetic.source(SOURCE_URL))
    first.close()
    second = Crawl(second_synthetic, directory)
    second.reread(post.url)
    edited = _fetched_again(second, EDITED_ARTICLE)
    _fetched_again(second, EDITED_ARTICLE)  # the same version again: no new entry
    second.close()
    index.close()
    return edited


def test_a_source_changed_since_its_capture_derives_its_history_and_rebuilds(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "archive"
    edited = _drifting_crawls(directory)
    assert edited.drift == {"paragraphs": {"added": 1, "removed": 0, "changed": 1}}
    target = tmp_path / "derived.sqlite"
    derive_state(directory, target, workers=1)
    for table in TABLES:
        assert _rows(target, table) == _rows(_own(directory), table), table
    with CrawlState(target) as state:
        [first, change] = state.history(SOURCE_URL)
        kept = state.source(SOURCE_URL)
    assert first.old_status is None
    assert (change.old_status, change.new_status) == ("ok", "ok")
    assert change.old_payload_digest != change.new_payload_digest
    assert change.new_warc == edited.warc and change.old_warc == (kept.warc if kept else None)
    assert change.paragraphs == {"added": 1, "removed": 0, "changed": 1}
    # The pair keeps the page captured first, and says when it was seen changed.
    [pair] = read_manifest(directory / "pairs.jsonl")
    assert pair.source is not None and pair.source.changed_since == edited.crawled_at
    assert "reviewed again next year" in (pair.source.text or "")
    assert pair.source.warc == change.old_warc
    # The rebuild composes the same line (but for the spider's name, which this harness's
    # pipeline does not share with the crawl log).
    [again] = rebuild_pairs(directory, workers=1).pairs
    assert dataclasses.replace(again, crawler=pair.crawler) == pair
