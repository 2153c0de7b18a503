"""``rebuild`` fails the same way whichever way it rebuilds: a locked archive exits 3, a damaged one
exits 1, each said once on stderr, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive.lock import ArchiveLock
from crawler.cli import main

WAYS = [pytest.param([], id="replay"), pytest.param(["--via-crawl"], id="via-crawl")]


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
