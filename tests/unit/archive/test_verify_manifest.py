"""``verify`` checks the manifest against the archive: every post and source of the crawl-log
records has its pair lines, and no line was refused by the schema (all content synthetic)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawler.archive import verify_archive
from crawler.archive.coverage import (
    POST,
    SOURCE,
    LoggedItem,
    ManifestLine,
    coverage_problems,
    logged_item,
    owed_pairs,
    rejected_pairs,
)
from crawler.archive.layout import JOURNAL_DIR, MANIFEST_NAME, REJECTED_NAME, STATE_DIR
from crawler.cli import main
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, CrawlLogError
from crawler.manifest import pair_id, read_manifest
from crawler.manifest.rejected import append_rejected, unwritable_record
from tests.unit.archive.conftest import ArchiveFactory
from tests.unit.state.test_derive import _two_crawls
from tests.unit.test_rebuild import BLOG, SOURCE_URL, UNREACHABLE_URL

FIRST_POST = BLOG + "blog-post_7.html"  # cites SOURCE_URL
SECOND_POST = BLOG + "blog-post_8.html"  # cites UNREACHABLE_URL


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Two crawls of two posts and their sources, with their pipeline's manifest and state."""
    directory = tmp_path / "archive"
    _two_crawls(directory)
    # Whatever the schema of the day refuses in these synthetic pairs is not this test's subject.
    (directory / REJECTED_NAME).unlink(missing_ok=True)
    return directory


def manifest_lines(directory: Path) -> list[str]:
    return (directory / MANIFEST_NAME).read_text(encoding="utf-8").splitlines(keepends=True)


def remove_line(directory: Path, wanted: str) -> str:
    """Take the line of pair ``wanted`` out of the manifest; returns it."""
    lines = manifest_lines(directory)
    (removed,) = [line for line in lines if json.loads(line)["pair_id"] == wanted]
    (directory / MANIFEST_NAME).write_text(
        "".join(line for line in lines if line is not removed), encoding="utf-8"
    )
    return removed


def first_pair_id() -> str:
    return pair_id(FIRST_POST, SOURCE_URL)


def test_a_whole_manifest_passes_and_every_logged_item_is_counted(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(archive_dir)]) == 0
    out = capsys.readouterr().out
    assert "note(s)" not in out
    report = verify_archive(archive_dir)
    # Two posts fetched twice and once, their sources three times in all, and one outcome.
    assert {(item.kind, item.url) for item in report.logged} == {
        (POST, FIRST_POST),
        (POST, SECOND_POST),
        (SOURCE, SOURCE_URL),
        (SOURCE, UNREACHABLE_URL),
    }
    assert f"{len(report.logged)} crawl-log records." in out
    assert "OK: no problems found." in out


def test_a_pair_missing_from_the_manifest_fails_naming_it(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    removed = first_pair_id()
    remove_line(archive_dir, removed)
    assert main(["verify", str(archive_dir)]) == 1
    out = capsys.readouterr().out
    (problem,) = [line for line in out.splitlines() if removed in line]
    assert f"pair {removed} ({FIRST_POST}, cited {SOURCE_URL}) is not in {MANIFEST_NAME}" in problem
    assert "crawl-log record at BITEXT-" in problem and "rebuild --in-place" in problem
    # The source's own check does not say it a second time.
    assert "1 problem(s):" in out


def test_a_pair_whose_line_is_only_in_rejected_pairs_fails_twice(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    removed = first_pair_id()
    line = json.loads(remove_line(archive_dir, removed))
    append_rejected(archive_dir, [unwritable_record("synthetic schema message", line)])
    assert main(["verify", str(archive_dir)]) == 1
    out = capsys.readouterr().out
    assert f"is not in {MANIFEST_NAME} (its line is only in {REJECTED_NAME})" in out
    assert (
        f"{REJECTED_NAME}, line 1: pair {removed} ({FIRST_POST}, cited {SOURCE_URL}) was refused "
        "by the manifest schema (synthetic schema message), that could not be written" in out
    )
    assert "2 problem(s):" in out


def test_every_rejected_line_is_a_problem_even_with_the_manifest_whole(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = json.loads(manifest_lines(archive_dir)[0])
    records = [
        {"error": "synthetic refusal", "pair": pair, "defects": [{"field": "source.url"}]},
        unwritable_record("not JSON", "{torn"),
    ]
    append_rejected(archive_dir, records)
    with (archive_dir / REJECTED_NAME).open("a", encoding="utf-8") as out:
        out.write("{cut short\n")
    found = rejected_pairs(archive_dir)
    assert [pair_id for pair_id, _ in found] == [pair["pair_id"], None, None]
    assert "written repaired, with its defects" in found[0][1]
    assert found[1][1].startswith(f"{REJECTED_NAME}, line 2: a line was refused")
    assert found[2][1] == f"{REJECTED_NAME}, line 3: not JSON (a line cut short?)."
    assert main(["verify", str(archive_dir)]) == 1
    assert "3 problem(s):" in capsys.readouterr().out


def test_a_pair_journalled_but_not_folded_is_reported_once_as_such(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    removed = remove_line(archive_dir, first_pair_id())
    journal = archive_dir / JOURNAL_DIR / "20250302040000-crawl2-1.jsonl"
    journal.write_text(removed + "{torn", encoding="utf-8")
    assert main(["verify", str(archive_dir)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s):" in out
    assert f"{JOURNAL_DIR}/{journal.name}: 2 pair lines not folded" in out


def test_without_the_crawl_state_each_post_and_source_needs_a_line(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(archive_dir / STATE_DIR)
    assert owed_pairs(archive_dir) == {}
    assert main(["verify", str(archive_dir)]) == 0
    assert "2 archived post(s) unknown to the crawl state" in capsys.readouterr().out  # a note
    remove_line(archive_dir, pair_id(SECOND_POST, UNREACHABLE_URL))
    assert main(["verify", str(archive_dir)]) == 1
    out = capsys.readouterr().out
    assert f"post {SECOND_POST} has no line in {MANIFEST_NAME}" in out
    assert f"source {UNREACHABLE_URL} is cited by no line of {MANIFEST_NAME}" in out
    assert "2 problem(s):" in out
    assert not (archive_dir / STATE_DIR).exists()  # verify wrote nothing


def test_the_state_is_what_a_post_owes_and_is_read_without_writing(archive_dir: Path) -> None:
    state = archive_dir / STATE_DIR / "crawl.sqlite"
    before = state.stat().st_mtime_ns
    assert owed_pairs(archive_dir) == {
        FIRST_POST: [(SOURCE_URL, first_pair_id())],
        SECOND_POST: [(UNREACHABLE_URL, pair_id(SECOND_POST, UNREACHABLE_URL))],
    }
    assert state.stat().st_mtime_ns == before
    state.write_bytes(b"not a database")
    assert owed_pairs(archive_dir) == {}  # falls back to the manifest alone


def test_a_post_owing_a_pair_the_manifest_lacks_is_found_among_others() -> None:
    logged = [
        LoggedItem(POST, "https://b.example/p1", "A.warc.gz, offset 10"),
        LoggedItem(POST, "https://b.example/p1", "B.warc.gz, offset 20"),  # fetched again
        LoggedItem(SOURCE, "https://n.example/1", "A.warc.gz, offset 30"),
        LoggedItem(SOURCE, "https://n.example/2", "B.warc.gz, offset 40"),
    ]
    lines = [ManifestLine("1111", "https://b.example/p1", "https://n.example/1")]
    notes: list[str] = []
    problems = coverage_problems(Path("/nonexistent"), logged, lines, notes=notes)
    assert len(notes) == 1 and notes[0].startswith("1 archived post(s) unknown")
    # No state: the post has a line; the second source is cited by none.
    assert problems == [
        "source https://n.example/2 is cited by no line of pairs.jsonl: it was archived "
        "(crawl-log record at B.warc.gz, offset 40); `python -m crawler rebuild --in-place "
        "ARCHIVE_DIR` recomposes it from the archive."
    ]


def test_verify_checks_another_manifest_with_manifest_file(
    archive_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "pairs.rebuilt.jsonl"
    other.write_text(manifest_lines(archive_dir)[1], encoding="utf-8")
    assert len(list(read_manifest(other))) == 1
    assert main(["verify", str(archive_dir), "--manifest", str(other)]) == 1
    assert f"is not in {other}" in capsys.readouterr().out
    assert main(["verify", str(archive_dir)]) == 0
    assert main(["verify", str(archive_dir), "--manifest", str(tmp_path / "none.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_unreadable_manifest_is_one_problem(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (archive_dir / MANIFEST_NAME).write_text("{not json\n", encoding="utf-8")
    assert main(["verify", str(archive_dir)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s):" in out and f"{MANIFEST_NAME}: cannot be read" in out


def test_an_undecodable_crawl_log_record_is_a_problem(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    archive.write_metadata("https://b.example/p", b"kind: {not json\r\n", CRAWL_LOG_CONTENT_TYPE)
    archive.write_metadata("https://b.example/q", b"other tool's note", "text/plain")
    archive.close()
    report = verify_archive(tmp_path / "warcs")
    (problem,) = report.problems
    assert "crawl-log record" in problem and "cannot be read (field 'kind' is not JSON" in problem
    assert report.logged == []


def test_logged_item_reads_posts_and_sources_and_skips_other_metadata() -> None:
    assert logged_item(b'kind: "post"\r\nurl: "https://b.example/p"\r\n', "W") == LoggedItem(
        POST, "https://b.example/p", "W"
    )
    source = b'kind: "source"\r\ncited_url: "https://n.example/a"\r\nurl: null\r\n'
    assert logged_item(source, "W") == LoggedItem(SOURCE, "https://n.example/a", "W")
    assert logged_item(b'kind: "note"\r\n', "W") is None
    with pytest.raises(CrawlLogError):
        logged_item(b"no colon here\r\n", "W")
