"""What a crawl does about a damaged WARC file before it reads from the archive: the crawl state
forgets what was lost (so it is fetched again), the digest index forgets the lost captures, the
damaged file is set aside (all content synthetic)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.archive import DigestIndex, WarcPointer
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE
from crawler.state import CrawlState, SourceRecord
from crawler.state.repair import DamagedFile, repair_archive, unreadable_page
from tests.unit.archive.builders import make_exchange, read_records
from tests.unit.archive.conftest import ArchiveFactory

SOURCES = [f"https://news.example.com/article-{n}" for n in range(4)]
REFUSED = "https://internal.example/refused"
EARLIER = "https://internal.example/refused-long-ago"


@dataclass
class Crawled:
    directory: Path
    warc: Path
    pages: list[WarcPointer]  # the response of each source
    logs: list[WarcPointer]  # the crawl-log record of each source


def source_record(url: str, pointer: WarcPointer | None, fetched_at: str) -> SourceRecord:
    status = "ok" if pointer is not None else "source_refused"
    code = 200 if pointer is not None else None
    return SourceRecord(url, status, None, url, (), code, None, pointer, None, fetched_at)


@pytest.fixture
def crawled(make_archive: ArchiveFactory, tmp_path: Path) -> Iterator[Crawled]:
    """A crawl of four sources whose last two crawl-log records come after both pages (as
    with concurrent fetches), and two outcomes that had no page; its state and digest index."""
    directory = tmp_path / "archive"
    (directory / "state").mkdir(parents=True)
    with DigestIndex(directory / "state" / "digests.sqlite") as index:
        archive = make_archive(directory, digest_index=index)
        pages, logs = [], []
        for number, url in enumerate(SOURCES):
            body = f"<html><body><p>Synthetic article {number}.</p></body></html>".encode()
            pages.append(archive.write_exchange(make_exchange(url=url, body=body)).record)
            if number < 2:
                logs.append(
                    archive.write_metadata(
                        url, b'kind: "source"\r\n', CRAWL_LOG_CONTENT_TYPE, pages[-1].record_id
                    )
                )
        for number in (2, 3):
            logs.append(
                archive.write_metadata(
                    SOURCES[number],
                    b'kind: "source"\r\n',
                    CRAWL_LOG_CONTENT_TYPE,
                    pages[number].record_id,
                )
            )
        archive.close()
    with CrawlState.open(directory) as state:
        for url, page in zip(SOURCES, pages, strict=True):
            state.record_source(source_record(url, page, "2025-03-01T04:00:10+00:00"))
        state.record_source(source_record(REFUSED, None, "2025-03-01T04:30:00+00:00"))
        state.record_source(source_record(EARLIER, None, "2025-02-01T00:00:00+00:00"))
    (warc,) = sorted(directory.glob("*.warc.gz"))
    yield Crawled(directory, warc, pages, logs)


def left(directory: Path) -> set[str]:
    with CrawlState.open(directory) as state:
        return {url for url in [*SOURCES, REFUSED, EARLIER] if state.source(url) is not None}


def digests(directory: Path) -> int:
    with DigestIndex(directory / "state" / "digests.sqlite") as index:
        return len(index)


def repair(directory: Path, *, set_damaged_aside: bool = True) -> list[DamagedFile]:
    with CrawlState.open(directory) as state:
        return list(repair_archive(directory, state, set_damaged_aside=set_damaged_aside))


def test_a_whole_archive_is_read_once(crawled: Crawled, monkeypatch: pytest.MonkeyPatch) -> None:
    assert repair(crawled.directory) == []
    assert left(crawled.directory) == {*SOURCES, REFUSED, EARLIER}
    with CrawlState.open(crawled.directory) as state:
        checked = state.checked_file(crawled.warc.name)
    assert checked is not None and checked.size == crawled.warc.stat().st_size
    assert checked.records == len(read_records(crawled.warc))

    def unexpected(path: Path) -> None:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr("crawler.state.repair.check_warc", unexpected)
    assert repair(crawled.directory) == []  # unchanged since it was read whole


def test_a_file_cut_inside_a_record(crawled: Crawled, caplog: pytest.LogCaptureFixture) -> None:
    cut = crawled.pages[3].offset + 20
    os.truncate(crawled.warc, cut)
    assert digests(crawled.directory) == 4
    with caplog.at_level(logging.WARNING, logger="crawler.state.repair"):
        assert len(repair(crawled.directory)) == 1
    # Page 3 is lost; page 2 is whole but its crawl-log record is not, which rebuild needs; the
    # refused source was recorded after the last whole crawl-log record.
    assert left(crawled.directory) == {SOURCES[0], SOURCES[1], EARLIER}
    assert digests(crawled.directory) == 3  # no revisit will refer to page 3
    aside = crawled.warc.with_name(crawled.warc.name + ".damaged")
    assert aside.stat().st_size == cut
    assert crawled.warc.stat().st_size == crawled.pages[3].offset
    [message] = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"WARC file {crawled.warc.name}: the gzip member is cut short")
    assert f"the file as it was is {aside.name}" in message
    assert message.endswith("; 3 posts and sources will be fetched again")
    assert repair(crawled.directory) == []  # repaired: nothing more to do


def test_a_file_cut_at_a_record_boundary_after_it_was_read(crawled: Crawled) -> None:
    """Every page the state names is still whole: what shows the loss is that the file is
    shorter than when it was read, and the crawl-log records it lost."""
    assert repair(crawled.directory) == []
    os.truncate(crawled.warc, crawled.logs[2].offset)
    [damaged] = repair(crawled.directory)
    described = damaged.describe()
    assert "bytes shorter than when a crawl read it whole" in described
    assert "2 of its record(s) have no crawl-log record describing them" in described
    assert left(crawled.directory) == {SOURCES[0], SOURCES[1], EARLIER}
    assert not list(crawled.directory.glob("*.damaged"))  # nothing in it is damaged


def test_a_file_no_longer_in_the_archive(crawled: Crawled) -> None:
    crawled.warc.unlink()
    [damaged] = repair(crawled.directory)
    assert "is not in the archive, and the crawl state names 4 of its record(s)" in (
        damaged.describe()
    )
    assert left(crawled.directory) == set()  # undated by any record: every page-less outcome too
    assert digests(crawled.directory) == 0


def test_without_the_archive_lock_the_file_stays_and_is_reported_again(crawled: Crawled) -> None:
    os.truncate(crawled.warc, crawled.pages[3].offset + 20)
    [damaged] = repair(crawled.directory, set_damaged_aside=False)
    assert "left as it is (ARCHIVE_LOCK_ENABLED is off)" in damaged.describe()
    assert not list(crawled.directory.glob("*.damaged"))
    assert left(crawled.directory) == {SOURCES[0], SOURCES[1], EARLIER}
    [again] = repair(crawled.directory, set_damaged_aside=False)
    assert again.forgotten == 0


def test_an_unreadable_archived_page(crawled: Crawled) -> None:
    with CrawlState.open(crawled.directory) as state:
        record = state.source(SOURCES[3])
        refused = state.source(REFUSED)
    assert record is not None and refused is not None
    assert unreadable_page(crawled.directory, record) is None
    os.truncate(crawled.warc, crawled.pages[3].offset)
    problem = unreadable_page(crawled.directory, record)
    assert problem is not None and record.warc is not None and record.warc.record_id in problem
    assert unreadable_page(crawled.directory, refused) is None  # nothing to read
