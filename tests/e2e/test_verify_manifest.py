"""End to end: ``python -m crawler verify`` checks a real crawl's manifest against its archive.

A crawl of the replica web is verified whole, then with one pair line taken out of its manifest
(as when the line only reached rejected-pairs.jsonl): verify must fail and name the pair.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.archive.layout import MANIFEST_NAME, REJECTED_NAME
from crawler.manifest import read_manifest
from crawler.manifest.rejected import append_rejected, unwritable_record
from replica.world import build_world
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    archive = tmp_path_factory.mktemp("verify") / "archive"
    run = crawl_replica(build_world(), archive, spider_args={"limit": "8"})
    if run.returncode != 0:
        pytest.fail(f"the t2 crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


def verify(archive: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(archive)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_of(run: CrawlRun, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(run.archive, target)
    return target


def without_line(archive: Path, wanted: str) -> dict[str, object]:
    manifest = archive / MANIFEST_NAME
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if json.loads(line)["pair_id"] != wanted]
    assert len(kept) == len(lines) - 1
    manifest.write_text("".join(kept), encoding="utf-8")
    (removed,) = [json.loads(line) for line in lines if json.loads(line)["pair_id"] == wanted]
    return removed


def test_the_crawl_verifies_with_every_post_and_source_checked(crawl: CrawlRun) -> None:
    result = verify(crawl.archive)
    assert result.returncode == 0, result.stdout + result.stderr
    pairs = list(read_manifest(crawl.archive / MANIFEST_NAME))
    posts = {pair.translation.url for pair in pairs}
    logged = int(result.stdout.split(" crawl-log records.")[0].rsplit(" ", 1)[-1])
    assert logged >= len(posts) >= 8


def test_a_pair_line_taken_out_fails_naming_the_pair(crawl: CrawlRun, tmp_path: Path) -> None:
    archive = copy_of(crawl, tmp_path)
    pairs = list(read_manifest(archive / MANIFEST_NAME))
    cited = [pair for pair in pairs if pair.cited_url and pair.status == "ok"]
    uncited = [pair for pair in pairs if pair.cited_url is None]
    chosen = [cited[0], *uncited[:1]]
    for pair in chosen:
        without_line(archive, pair.pair_id)
    result = verify(archive)
    assert result.returncode == 1, result.stdout
    for pair in chosen:
        assert (
            f"pair {pair.pair_id} ({pair.translation.url}, cited {pair.cited_url or 'nothing'}) "
            f"is not in {MANIFEST_NAME}" in result.stdout
        ), result.stdout
    assert f"{len(chosen)} problem(s):" in result.stdout


def test_a_line_only_in_rejected_pairs_fails_twice(crawl: CrawlRun, tmp_path: Path) -> None:
    archive = copy_of(crawl, tmp_path)
    pair = next(p for p in read_manifest(archive / MANIFEST_NAME) if p.cited_url)
    line = without_line(archive, pair.pair_id)
    append_rejected(archive, [unwritable_record("a schema message", line)])
    result = verify(archive)
    assert result.returncode == 1, result.stdout
    assert f"(its line is only in {REJECTED_NAME})" in result.stdout
    assert f"{REJECTED_NAME}, line 1: pair {pair.pair_id}" in result.stdout
