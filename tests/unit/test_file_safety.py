"""What the crawler leaves on disk: modes a shared research server can read, names no URL chose.

An archive is read by the whole research group (other accounts, web archive players, backup
jobs), so its files are 0o644 and its directories 0o755 whatever the crawling account's umask;
a restrictive umask such as 0o077 is common on shared servers and must not lock the group out.
File names come from the crawl's own data (prefix, clock, serial, host name), never from a URL.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.archive import WarcArchive
from crawler.extensions.warc_capture import WarcCapture
from crawler.manifest import ManifestJournal, pair_id, read_manifest, write_manifest
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange
from tests.unit.manifest.builders import TRANSLATION_URL, full_pair

FILE_MODE = 0o644
DIRECTORY_MODE = 0o755
# URLs that would escape or name files if any path were built from URL text.
HOSTILE_URLS = (
    "https://news.example.com/../../../../tmp/escaped?file=../../etc/passwd",
    "https://news.example.com/%2e%2e/%2e%2e/escaped.warc.gz",
    "https://news.example.com/a/b/..%2f..%2fescaped#/../../x",
)


@pytest.fixture
def restrictive_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def new_archive(directory: Path) -> WarcArchive:
    return WarcArchive(
        directory,
        warcinfo=WARCINFO,
        clock=fixed_clock(),
        new_record_id=id_factory(),
        crawl_host="testhost",
    )


@pytest.mark.usefixtures("restrictive_umask")
def test_warc_files_are_world_readable_while_written_and_when_closed(tmp_path: Path) -> None:
    archive = new_archive(tmp_path / "warcs")
    archive.write_exchange(make_exchange())
    (being_written,) = (tmp_path / "warcs").iterdir()
    assert being_written.name.endswith(".open")
    assert mode(being_written) == FILE_MODE
    archive.close()
    (closed,) = (tmp_path / "warcs").iterdir()
    assert closed.name.endswith(".warc.gz")
    assert mode(closed) == FILE_MODE
    assert mode(tmp_path / "warcs") == DIRECTORY_MODE


@pytest.mark.usefixtures("restrictive_umask")
def test_every_directory_the_archive_creates_is_traversable(tmp_path: Path) -> None:
    archive = new_archive(tmp_path / "crawls" / "t2" / "warcs")
    archive.write_exchange(make_exchange())
    archive.close()
    for created in (tmp_path / "crawls", tmp_path / "crawls" / "t2"):
        assert mode(created) == DIRECTORY_MODE, created


@pytest.mark.usefixtures("restrictive_umask")
def test_the_manifest_is_world_readable(tmp_path: Path) -> None:
    manifest = tmp_path / "pairs.jsonl"
    manifest.write_bytes(b"")
    manifest.chmod(0o600)  # an earlier file's narrow mode must not survive the rewrite
    assert write_manifest(manifest, [full_pair()]) == 1
    assert mode(manifest) == FILE_MODE
    assert [p.pair_id for p in read_manifest(manifest)] == [full_pair().pair_id]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl"]  # no temp file left


@pytest.mark.usefixtures("restrictive_umask")
def test_the_crawl_journal_is_world_readable(tmp_path: Path) -> None:
    with ManifestJournal(tmp_path / "journal.jsonl") as journal:
        journal.append(full_pair())
    assert mode(tmp_path / "journal.jsonl") == FILE_MODE


@pytest.mark.usefixtures("restrictive_umask")
def test_the_directories_and_state_a_crawl_opens_are_shared(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(archive_dir), "WARC_CDXJ_INDEX": False})
    capture = WarcCapture.from_crawler(crawler)
    spider = Spider(name="t2")
    capture.spider_opened(spider)
    capture.spider_closed(spider, "finished")
    created = [archive_dir, *archive_dir.rglob("*")]
    assert len(created) > 1
    for path in created:
        expected = DIRECTORY_MODE if path.is_dir() else FILE_MODE
        assert mode(path) == expected, path


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_file_name_comes_from_a_url(tmp_path: Path, url: str) -> None:
    archive_dir = tmp_path / "deep" / "archive"
    archive = new_archive(archive_dir)
    archive.write_exchange(make_exchange(url=url))
    archive.close()
    pair = full_pair(cited_url=url, pair_id=pair_id(TRANSLATION_URL, url))
    pair = replace(pair, source=replace(pair.source, cited_url=url)) if pair.source else pair
    write_manifest(archive_dir / "pairs.jsonl", [pair])

    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    (warc_name,) = [name for name in written if name.endswith(".warc.gz")]
    assert written == sorted(["deep", "deep/archive", "deep/archive/pairs.jsonl", warc_name])
    assert warc_name.startswith("deep/archive/BITEXT-") and warc_name.endswith("-testhost.warc.gz")
    assert not any(part in warc_name for part in ("news", "example", "escaped", "%", ".."))
