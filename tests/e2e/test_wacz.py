"""End to end: ``python -m crawler wacz`` packages the t2 crawl's archive into a valid WACZ."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.manifest import read_manifest
from tests.e2e.conftest import CrawlRun

pytestmark = pytest.mark.e2e

WACZ_SCRIPT = Path(sys.executable).with_name("wacz")


@dataclass(frozen=True)
class Packaged:
    path: Path
    stdout: str


@pytest.fixture(scope="module")
def packaged(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    # Written beside the archive, not into it: the crawl's archive is shared by other tests.
    output = tmp_path_factory.mktemp("wacz") / "t2.wacz"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "wacz", str(t2_crawl.archive), "-o", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Packaged(output, result.stdout)


def _warc_date(archive: Path, pointer: WarcPointer) -> str:
    with (archive / pointer.filename).open("rb") as stream:
        stream.seek(pointer.offset)
        return str(next(iter(ArchiveIterator(stream))).rec_headers.get_header("WARC-Date"))


def test_wacz_validate_passes(packaged: Packaged) -> None:
    result = subprocess.run(
        [str(WACZ_SCRIPT), "validate", "-f", str(packaged.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_wacz_holds_every_closed_warc_file_unchanged(
    t2_crawl: CrawlRun, packaged: Packaged
) -> None:
    warcs = sorted(t2_crawl.archive.glob("*.warc.gz"))
    with zipfile.ZipFile(packaged.path) as wacz:
        stored = sorted(n for n in wacz.namelist() if n.startswith("archive/"))
        assert stored == [f"archive/{p.name}" for p in warcs]
        for path in warcs:
            assert wacz.read(f"archive/{path.name}") == path.read_bytes(), path.name
        datapackage = json.loads(wacz.read("datapackage.json"))
    assert datapackage["wacz_version"] == "1.1.1"
    assert {r["path"] for r in datapackage["resources"]} >= set(stored) | {"pages/pages.jsonl"}


def test_wacz_index_lists_every_capture(t2_crawl: CrawlRun, packaged: Packaged) -> None:
    captures = set()
    for path in sorted(t2_crawl.archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    captures.add(record.rec_headers.get_header("WARC-Target-URI"))
    with zipfile.ZipFile(packaged.path) as wacz:
        lines = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in lines}
    assert indexed == captures


def test_page_list_names_every_archived_translation_and_source(
    t2_crawl: CrawlRun, packaged: Packaged
) -> None:
    expected: dict[str, tuple[str | None, str]] = {}
    texts: dict[str, str | None] = {}
    for pair in read_manifest(t2_crawl.archive / "pairs.jsonl"):
        translation = pair.translation
        sides = [(translation.url, translation.title, translation.text, translation.warc)]
        if pair.source is not None:
            sides.append((pair.source.url, pair.source.title, pair.source.text, pair.source.warc))
        for url, title, text, pointer in sides:
            if pointer is not None:
                expected[url] = (title, _warc_date(t2_crawl.archive, pointer)[:19])
                texts[url] = text
    assert any(pair_url for pair_url in expected if "blogspot.com" in pair_url)
    with zipfile.ZipFile(packaged.path) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()
    header, *entries = (json.loads(line) for line in lines)
    assert header["format"] == "json-pages-1.0"
    # The text ReplayWeb.page searches: the manifest's, for every page that has one.
    assert header["hasText"] is True
    assert {e["url"]: e.get("text") for e in entries} == texts
    assert any(text for url, text in texts.items() if "blogspot.com" in url)
    assert any(text for url, text in texts.items() if "blogspot.com" not in url)
    listed = {e["url"]: (e.get("title"), e["ts"][:19]) for e in entries}
    assert len(listed) == len(entries), "a page is listed twice"
    assert set(listed) == set(expected)
    for url, (title, ts) in expected.items():
        assert listed[url][1] == ts, url
        if title:
            assert listed[url][0] == title, url
    with_text = sum(1 for e in entries if e.get("text"))
    assert f"{len(entries)} pages listed, {with_text} with their text" in packaged.stdout


def test_crawls_write_no_wacz_by_default(t2_crawl: CrawlRun) -> None:
    assert list(t2_crawl.archive.glob("*.warc.gz")), "nothing a WACZ could have been made of"
    assert not list(t2_crawl.archive.glob("*.wacz"))
