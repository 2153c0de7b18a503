"""End to end: ``python -m crawler rebuild`` recomposes the t2 crawl's manifest from its WARCs,
by running the crawl again offline (the default, or ``--via-crawl``) or (``--from-log``) by
replaying the crawl-log records."""

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
from replica.sites.wordpress_cases import WORDPRESS_BLOG
from replica.world import build_world
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command

pytestmark = pytest.mark.e2e


def _rebuild(archive: Path, output: Path, workers: int) -> subprocess.CompletedProcess[str]:
    return offline_command(
        "rebuild", "--from-log", str(archive), "-o", str(output), "--workers", str(workers)
    )


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


@pytest.fixture(scope="module")
def incremental(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The t2 archive after a second, incremental run: it reads the first run's outcomes back
    and fetches again only what was not final."""
    archive = tmp_path_factory.mktemp("t2-incremental") / "archive"
    shutil.copytree(t2_crawl.archive, archive)
    run = crawl_replica(t2_crawl.world, archive)
    assert run.returncode == 0, run.log[-4000:]
    return archive


def test_rebuild_after_an_incremental_second_crawl(incremental: Path) -> None:
    """The manifest an incremental run leaves is still what the WARC files rebuild."""
    output = incremental.parent / "pairs.rebuilt.jsonl"
    result = _rebuild(incremental, output, workers=2)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "2 crawl(s)" in result.stdout
    crawled, again = _lines(incremental / "pairs.jsonl"), _lines(output)
    _assert_same_lines(crawled, again)


def _replay(archive: Path, output: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return offline_command("rebuild", "--via-crawl", str(archive), "-o", str(output), *more)


def _contents(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_replayed_crawl_gives_the_crawls_manifest_byte_for_byte(
    t2_crawl: CrawlRun, tmp_path: Path
) -> None:
    """The t2 crawl run again with every response from its archive: the same manifest, with no
    network (the replica is not running and any fetch goes to a closed port), nothing written
    into the archive (no WARC file, no crawl-state change) and nothing left beside the output."""
    before = _contents(t2_crawl.archive)
    output = tmp_path / "pairs.replayed.jsonl"
    result = _replay(t2_crawl.archive, output, "--workers", "2")
    assert result.returncode == 0, result.stderr[-4000:]
    assert output.read_bytes() == (t2_crawl.archive / "pairs.jsonl").read_bytes()
    assert _contents(t2_crawl.archive) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [output.name]
    found = re.search(
        r"parsed (\d+) pages \((\d+) in the read-ahead pool of 2 worker", result.stdout
    )
    assert found is not None and int(found[2]) > 0, result.stdout
    assert " ERROR: " not in result.stderr, result.stderr[-4000:]


def test_rebuild_runs_the_crawl_again_by_default(t2_crawl: CrawlRun, tmp_path: Path) -> None:
    output = tmp_path / "pairs.rebuilt.jsonl"
    result = offline_command("rebuild", str(t2_crawl.archive), "-o", str(output))
    assert result.returncode == 0, result.stderr[-4000:]
    assert "replayed the t2 crawl from the archive" in result.stdout
    assert "crawl-log records" not in result.stderr
    assert "Disabled crawler." not in result.stderr  # what a rebuild does not use is left out
    assert output.read_bytes() == (t2_crawl.archive / "pairs.jsonl").read_bytes()


def test_a_replayed_incremental_archive_gives_its_manifest(
    incremental: Path, tmp_path: Path
) -> None:
    # Two runs: the latest capture of each URL and the latest record of each item win.
    output = tmp_path / "pairs.replayed.jsonl"
    result = _replay(incremental, output)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "2 crawl(s)" in result.stdout
    assert output.read_bytes() == (incremental / "pairs.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("spider", "arguments", "world"),
    [
        ("t2", {}, {"archive_posts": True}),  # sources read from web-archive captures
        ("blog", {"blog": WORDPRESS_BLOG}, {}),  # the platform found from the home page
    ],
    ids=["web-archive", "wordpress"],
)
def test_a_replayed_crawl_of_another_kind_gives_its_manifest(
    spider: str,
    arguments: dict[str, str],
    world: dict[str, bool],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    archive = tmp_path_factory.mktemp(f"replay-{spider}") / "archive"
    run = crawl_replica(build_world(**world), archive, spider, spider_args=arguments)
    assert run.returncode == 0, run.log[-4000:]
    output = archive.parent / "pairs.replayed.jsonl"
    result = _replay(archive, output)
    assert result.returncode == 0, result.stderr[-4000:]
    assert output.read_bytes() == (archive / "pairs.jsonl").read_bytes()
    assert f"replayed the {spider} crawl" in result.stdout
