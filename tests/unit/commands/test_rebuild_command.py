"""``rebuild`` fails the same way whichever way it rebuilds: a locked archive exits 3, a damaged one
exits 1, each said once on stderr, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive import WarcArchive
from crawler.archive.lock import ArchiveLock
from crawler.cli import main
from crawler.manifest import read_manifest
from tests.unit.archive.builders import WARCINFO
from tests.unit.blogger.pages import CITATION_TWZ, blogger_page
from tests.unit.test_rebuild import BODY, SOURCE_URL, SyntheticCrawl

WAYS = [
    pytest.param([], id="default"),
    pytest.param(["--via-crawl"], id="via-crawl"),
    pytest.param(["--from-log"], id="from-log"),
]


@pytest.mark.parametrize("way", WAYS)
def test_replacing_the_manifest_of_a_locked_archive_exits_3_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], way: list[str]
) -> None:
    manifest = tmp_path / "pairs.jsonl"
    manifest.write_text("as it was\n", encoding="utf-8")
    with ArchiveLock(tmp_path):
        code = main(["rebuild", "--in-place", *way, str(tmp_path)])
    assert code == 3
    err = capsys.readouterr().err
    assert err.count("--in-place once it has ended; nothing was written") == 1
    assert manifest.read_text(encoding="utf-8") == "as it was\n"


@pytest.mark.parametrize("way", WAYS)
def test_a_warc_file_that_is_not_one_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], way: list[str]
) -> None:
    (tmp_path / "BITEXT-20250101000000000-00000-host-1.warc.gz").write_bytes(b"not a WARC file")
    output = tmp_path / "rebuilt.jsonl"
    code = main(["rebuild", *way, str(tmp_path), "-o", str(output)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("rebuild: the archive lost records")
    assert err.count("rebuild: nothing was written") == 1
    assert not output.exists()


def _distributed_archive(directory: Path) -> None:
    """An archive a distributed crawl wrote: its crawl log names the ``blogger-redis`` spider,
    which a replay cannot run."""
    crawl = SyntheticCrawl(
        WarcArchive(directory, warcinfo=WARCINFO, crawl_host="node1"),
        "crawl 1",
        datetime(2025, 3, 1, tzinfo=UTC),
        spider="blogger-redis",
    )
    crawl.post("blog-post_7.html", blogger_page(BODY + CITATION_TWZ))
    crawl.source(SOURCE_URL)
    crawl.archive.close()


def test_an_archive_whose_crawls_cannot_run_again_is_rebuilt_from_its_crawl_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _distributed_archive(tmp_path)
    output = tmp_path / "rebuilt.jsonl"
    assert main(["rebuild", str(tmp_path), "-o", str(output), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert (
        "rebuild: cannot run the crawls again (a crawl of the archive ran the 'blogger-redis'"
        in (captured.err)
    )
    assert "; rebuilding from the crawl-log records" in captured.err
    [pair] = read_manifest(output)
    assert pair.cited_url == SOURCE_URL and pair.status == "ok"


def test_via_crawl_fails_on_an_archive_whose_crawls_cannot_run_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _distributed_archive(tmp_path)
    output = tmp_path / "rebuilt.jsonl"
    assert main(["rebuild", "--via-crawl", str(tmp_path), "-o", str(output)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rebuild: a crawl of the archive ran the 'blogger-redis' spider")
    assert "crawl-log records" not in err and not output.exists()
