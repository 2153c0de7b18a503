"""``python -m crawler pairs ...`` and ``report`` through ``crawler.cli.main``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from translate.storage.tmx import tmxfile

from crawler.cli import main
from crawler.manifest import decode_line, read_manifest
from tests.unit.corpus.builders import CorpusFixture


def _ok_count(corpus: CorpusFixture) -> int:
    return sum(1 for p in corpus.pairs if p.status == "ok")


def test_stats(corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pairs", "stats", str(corpus.archive)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(corpus.pairs)} pairs")
    ok_line = next(line for line in out.splitlines() if line.strip().startswith("ok "))
    assert ok_line.split()[1] == str(_ok_count(corpus))
    assert "median" in out


def test_stats_with_manifest_and_filters(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["pairs", "stats", "--manifest", str(corpus.manifest), "--site", "news.usni.org"]
    assert main([*argv, "--since", "2025-03-01"]) == 0
    out = capsys.readouterr().out
    expected = sum(
        1
        for p in corpus.pairs
        if p.source
        and p.source.url.startswith("https://news.usni.org/")
        and (p.translation.published or "") >= "2025-03"
    )
    assert out.startswith(f"{expected} pairs")


def test_show(corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]) -> None:
    pair = corpus.archived
    argv = ["pairs", "show", str(corpus.archive), pair.pair_id[:8], "--width", "100"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert pair.pair_id in out
    assert pair.translation.warc is not None and pair.translation.warc.record_id in out
    assert "WARC-Payload-Digest" in out and "Japanese (translation)" in out


def test_show_unknown_and_ambiguous_ids(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pairs", "show", str(corpus.archive), "ffffffffffffffff"]) == 1
    assert "no pair" in capsys.readouterr().err
    assert main(["pairs", "show", str(corpus.archive), ""]) == 2
    assert "give more characters" in capsys.readouterr().err


def test_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pairs", "stats", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2


def test_broken_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pairs.jsonl").write_text('{"schema": "pairs/1"}\n')
    assert main(["pairs", "stats", str(tmp_path)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_export_tmx_paragraphs_to_a_file(
    corpus: CorpusFixture, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pairs.tmx"
    argv = ["pairs", "export", str(corpus.archive), "--format", "tmx"]
    assert main([*argv, "--level", "paragraph", "--min-confidence", "0.8", "-o", str(target)]) == 0
    store = tmxfile(io.BytesIO(target.read_bytes()))
    chosen = {p.pair_id for p in corpus.pairs if p.status == "ok" and (p.confidence or 0) >= 0.8}
    assert chosen
    pair_ids = {u.xmlelement.find("prop").text for u in store.units}
    assert pair_ids == chosen
    assert f"{len(store.units)} paragraph segments" in capsys.readouterr().err


def test_export_tsv_to_stdout_only_ok_by_default(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pairs", "export", str(corpus.archive), "--format", "tsv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == _ok_count(corpus)


def test_export_with_status_includes_other_pairs_with_text(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["pairs", "export", str(corpus.archive), "--format", "jsonl"]
    assert main([*argv, "--status", "source_mismatch"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["pair_id"] for r in rows] == [
        p.pair_id for p in corpus.pairs if p.status == "source_mismatch"
    ]


def test_filter_to_a_file_and_to_stdout(
    corpus: CorpusFixture, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    target = tmp_path / "subset.jsonl"
    argv = ["pairs", "filter", "--manifest", str(corpus.manifest), "--status", "source_not_found"]
    assert main([*argv, "-o", str(target)]) == 0
    written = list(read_manifest(target))
    assert written == [p for p in corpus.pairs if p.status == "source_not_found"]
    capsysbinary.readouterr()
    assert main(argv) == 0
    lines = capsysbinary.readouterr().out.splitlines(keepends=True)
    assert [decode_line(line, "stdout") for line in lines] == written
    assert b"".join(lines) == target.read_bytes()


def test_report_command(corpus: CorpusFixture, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    assert main(["report", str(corpus.archive), "-o", str(target)]) == 0
    assert 'id="chart-months"' in target.read_text(encoding="utf-8")


def test_the_deprecated_archive_option_still_works_and_says_so(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pairs", "stats", "--archive", str(corpus.archive)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{len(corpus.pairs)} pairs")
    assert captured.err == (
        "pairs: --archive DIR is deprecated: give the archive directory first, as in "
        f"`python -m crawler pairs stats {corpus.archive}`\n"
    )
    pair = corpus.archived
    assert main(["pairs", "show", pair.pair_id, "--archive", str(corpus.archive)]) == 0
    assert pair.pair_id in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--manifest", "MANIFEST"], "give ARCHIVE_DIR or --manifest FILE, not both"),
        (["--archive", "ARCHIVE"], "give the archive directory once"),
    ],
)
def test_one_manifest_source_at_a_time(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    values = {"MANIFEST": str(corpus.manifest), "ARCHIVE": str(corpus.archive)}
    argv = ["pairs", "stats", str(corpus.archive), *(values.get(a, a) for a in extra)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_manifest_given_as_the_archive_is_pointed_to_manifest(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pairs", "stats", str(corpus.manifest)]) == 2
    assert f"is a file: give it as --manifest {corpus.manifest}" in capsys.readouterr().err


def test_show_takes_the_archive_then_the_pair_or_the_pair_alone(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = corpus.archived
    argv = ["pairs", "show", "--manifest", str(corpus.manifest), pair.pair_id, "--no-align"]
    assert main(argv) == 0
    assert pair.pair_id in capsys.readouterr().out
