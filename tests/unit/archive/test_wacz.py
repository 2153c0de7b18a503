"""crawler/archive/wacz.py: the WACZ page list names the manifest's pages and carries their text."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import WarcPointer
from crawler.archive.wacz import PAGES_PATH, package_archive, pages_from_pairs
from crawler.commands.extras import WACZ, installed
from crawler.manifest import Pair, pair_id, read_manifest, write_manifest
from tests.unit.archive.builders import make_exchange, read_records
from tests.unit.archive.conftest import ArchiveFactory
from tests.unit.manifest.builders import CITED_URL, TRANSLATION_URL, full_pair, source

OTHER_URL = "https://www.twz.com/air/synthetic-second-article"
HTML = (("Content-Type", "text/html; charset=utf-8"),)

needs_wacz = pytest.mark.skipif(not installed(WACZ), reason="the wacz extra is not installed")


def _pairs(pointers: dict[str, WarcPointer]) -> list[Pair]:
    """A post citing two articles (two pairs), the second article without text (truncated)."""
    first = full_pair(source=source(url=CITED_URL, warc=pointers[CITED_URL]))
    first = replace(first, translation=replace(first.translation, warc=pointers[TRANSLATION_URL]))
    second = replace(
        first,
        pair_id=pair_id(TRANSLATION_URL, OTHER_URL),
        status="source_truncated",
        cited_url=OTHER_URL,
        confidence=None,
        evidence=None,
        error="the response was cut short",
        source=source(
            cited_url=OTHER_URL,
            url=OTHER_URL,
            title=None,
            text=None,
            warc=pointers[OTHER_URL],
        ),
    )
    return [first, second]


@pytest.fixture
def archive_dir(make_archive: ArchiveFactory, tmp_path: Path) -> Path:
    directory = tmp_path / "warcs"
    archive = make_archive(directory)
    pointers = {}
    for url in (TRANSLATION_URL, CITED_URL, OTHER_URL):
        body = f"<html><body><p>Synthetic page at {url}</p></body></html>".encode()
        pointers[url] = archive.write_exchange(
            make_exchange(url=url, response_headers=HTML, body=body)
        ).record
    archive.close()
    write_manifest(directory / "pairs.jsonl", _pairs(pointers))
    return directory


def _page_list(wacz: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with zipfile.ZipFile(wacz) as package:
        lines = package.read(PAGES_PATH).decode("utf-8").splitlines()
    header, *entries = (json.loads(line) for line in lines)
    return header, entries


@needs_wacz
def test_the_page_list_carries_each_pages_text_and_says_so(archive_dir: Path) -> None:
    package = package_archive(archive_dir, archive_dir / "pairs.jsonl")
    header, entries = _page_list(package.path)
    # ReplayWeb.page searches the text of a page list whose header says it has some.
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages"
    assert header["hasText"] is True
    by_url = {entry["url"]: entry for entry in entries}
    # In manifest order (sorted by cited URL within a post), the post once.
    assert list(by_url) == [TRANSLATION_URL, OTHER_URL, CITED_URL]
    translation, cited, truncated = (by_url[url] for url in (TRANSLATION_URL, CITED_URL, OTHER_URL))
    pair = full_pair()
    assert translation["text"] == pair.translation.text
    assert translation["title"] == pair.translation.title
    assert cited["text"] == source().text
    assert "text" not in truncated  # nothing was read from it
    # Each pinned to its capture, to the second, as the index has it.
    (path,) = archive_dir.glob("*.warc.gz")
    dates = {r.headers["WARC-Target-URI"]: r.headers["WARC-Date"] for r in read_records(path)}
    for entry in entries:
        assert entry["ts"] == dates[entry["url"]][:19] + "Z"
    # Ids made from the capture: packaging the archive again lists the same pages.
    assert [entry["id"] for entry in entries] == [page.page_id for page in package.pages]
    assert len({entry["id"] for entry in entries}) == 3
    assert [page.url for page in package.pages] == list(by_url) and not package.unmatched
    validate = Path(sys.executable).with_name("wacz")
    result = subprocess.run(
        [str(validate), "validate", "-f", str(package.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout


@needs_wacz
def test_without_a_manifest_the_page_list_is_there_and_empty(archive_dir: Path) -> None:
    package = package_archive(archive_dir, archive_dir / "no-such-manifest.jsonl")
    header, entries = _page_list(package.path)
    assert entries == [] and "hasText" not in header


def test_a_page_whose_capture_is_not_at_its_pointer_is_not_listed(archive_dir: Path) -> None:
    by_cited = {pair.cited_url: pair for pair in read_manifest(archive_dir / "pairs.jsonl")}
    first, second = by_cited[CITED_URL], by_cited[OTHER_URL]
    assert first.source is not None and second.source is not None
    assert first.translation.warc is not None
    # The translation's pointer names the record of another URL; the second source's names no
    # record (the offset is off by one).
    moved = replace(first.translation, warc=first.source.warc)
    stale = replace(first.translation.warc, offset=first.translation.warc.offset + 1)
    gone = replace(second.source, warc=stale)
    pages = pages_from_pairs(
        archive_dir,
        [replace(first, translation=moved), replace(second, translation=moved, source=gone)],
    )
    found = {page.url: page.ts for page in pages}
    assert found[TRANSLATION_URL] is None and found[OTHER_URL] is None
    assert found[CITED_URL] is not None  # the one pointer left as it was


@needs_wacz
def test_pages_outside_the_package_are_reported_not_listed(archive_dir: Path) -> None:
    (path,) = archive_dir.glob("*.warc.gz")
    still_open = path.with_name(path.name + ".open")
    path.rename(still_open)
    # The closed file the package holds: one warcinfo, no capture of the manifest's pages.
    archive_copy = archive_dir / "BITEXT-20990101000000000-00000-other.warc.gz"
    archive_copy.write_bytes(_warcinfo_only(still_open))
    package = package_archive(archive_dir, archive_dir / "pairs.jsonl")
    assert package.pages == ()
    assert {page.url for page in package.unmatched} == {TRANSLATION_URL, CITED_URL, OTHER_URL}
    assert _page_list(package.path)[1] == []


def _warcinfo_only(path: Path) -> bytes:
    """The file's first gzip member: its warcinfo record."""
    data = path.read_bytes()
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    inflater.decompress(data)
    return data[: len(data) - len(inflater.unused_data)]
