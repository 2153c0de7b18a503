"""End to end: ``python -m crawler rebuild`` recomposes the t2 crawl's manifest from its WARCs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import verify_archive
from crawler.archive.naming import closed_warc_files
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, decode_crawl_log
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command

pytestmark = pytest.mark.e2e


def _rebuild(archive: Path, output: Path, workers: int) -> subprocess.CompletedProcess[str]:
    return offline_command("rebuild", str(archive), "-o", str(output), "--workers", str(workers))


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _assert_same_lines(crawled: list[dict[str, object]], again: list[dict[str, object]]) -> None:
    """The same pairs in the same order, every field of every line equal."""
    assert [line["pair_id"] for line in again] == [line["pair_id"] for line in crawled]
    for old, new in zip(crawled, again, strict=True):
        for name in sorted(old.keys() | new.keys()):
            assert new.get(name) == old.get(name), f"{old['pair_id']}: {name} differs"


@pytest.fixture(scope="module")
def rebuilt(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("rebuild") / "pairs.rebuilt.jsonl"
    before = sorted(p.name for p in t2_crawl.archive.iterdir())
    result = _rebuild(t2_crawl.archive, output, workers=2)
    assert result.returncode == 0, result.stderr[-4000:]
    # The archive is only read: nothing in it changes or appears.
    assert sorted(p.name for p in t2_crawl.archive.iterdir()) == before
    return output, result.stdout


def test_rebuilt_manifest_equals_the_crawls(t2_crawl: CrawlRun, rebuilt: tuple[Path, str]) -> None:
    crawled = _lines(t2_crawl.archive / "pairs.jsonl")
    again = _lines(rebuilt[0])
    _assert_same_lines(crawled, again)
    # Every outcome of the replica web is among them, not only the easy ones.
    statuses = Counter(str(line["status"]) for line in crawled)
    assert {"ok", "source_unreachable", "source_not_found", "source_blocked_by_robots"} <= set(
        statuses
    )
    assert rebuilt[0].read_bytes() == (t2_crawl.archive / "pairs.jsonl").read_bytes()


def test_rebuild_parses_pages_in_more_than_one_process(rebuilt: tuple[Path, str]) -> None:
    found = re.search(r"parsed (\d+) pages .* (\d+) worker process", rebuilt[1])
    assert found is not None, rebuilt[1]
    assert int(found[1]) > 0
    assert int(found[2]) == 2


def test_every_item_has_one_crawl_log_record(t2_crawl: CrawlRun) -> None:
    ids: dict[str, str] = {}
    logged: Counter[str] = Counter()
    refers: list[str] = []
    for path in closed_warc_files(t2_crawl.archive):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = record.rec_headers
                ids[headers.get_header("WARC-Record-ID")] = record.rec_type
                if record.rec_type != "metadata":
                    continue
                assert headers.get_header("Content-Type") == CRAWL_LOG_CONTENT_TYPE
                fields = decode_crawl_log(record.content_stream().read())
                url = fields["url"] if fields["kind"] == "post" else fields["cited_url"]
                assert headers.get_header("WARC-Target-URI") == url
                logged[f"{fields['kind']} {url}"] += 1
                if headers.get_header("WARC-Refers-To"):
                    refers.append(headers.get_header("WARC-Refers-To"))
    crawled = _lines(t2_crawl.archive / "pairs.jsonl")
    posts = {str(line["translation"]["url"]) for line in crawled}  # type: ignore[index]
    assert {f"post {url}" for url in posts} <= set(logged)
    assert max(logged.values()) == 1
    assert refers and all(ids.get(record_id) in ("response", "revisit") for record_id in refers)


def test_the_archive_with_crawl_log_records_verifies(t2_crawl: CrawlRun) -> None:
    report = verify_archive(t2_crawl.archive)
    assert report.ok, report.format()
    index = (t2_crawl.archive / "index.cdxj").read_text(encoding="utf-8")
    # Indexers skip warc-fields metadata: replay never lands on a crawl-log record.
    assert CRAWL_LOG_CONTENT_TYPE not in index and '"mime": "warc/metadata"' not in index


def test_rebuild_after_an_incremental_second_crawl(
    t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second run reads the first run's outcomes back and fetches again only what was not
    final; the manifest it leaves is still what the WARC files rebuild."""
    archive = tmp_path_factory.mktemp("t2-incremental") / "archive"
    shutil.copytree(t2_crawl.archive, archive)
    run = crawl_replica(t2_crawl.world, archive)
    assert run.returncode == 0, run.log[-4000:]
    output = archive.parent / "pairs.rebuilt.jsonl"
    result = _rebuild(archive, output, workers=2)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "2 crawl(s)" in result.stdout
    crawled, again = _lines(archive / "pairs.jsonl"), _lines(output)
    _assert_same_lines(crawled, again)
