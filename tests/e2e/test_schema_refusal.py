"""End to end: a pair the manifest schema refuses still reaches pairs.jsonl, and the crawl fails.

A test pipeline (tests/e2e/plugins.py, enabled on the command line) gives one post of the
replica a language tag the schema refuses, as a page with odd metadata would; the crawl runs as
``python -m crawler crawl`` does on a server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.manifest import read_manifest
from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env
from replica.model import PairCase
from replica.server import ReplicaWeb
from replica.world import T2_BLOG, World, build_world
from tests.e2e.plugins import BAD_LANGUAGE, CORRUPT_POST, item_pipelines

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def web(world: World) -> Iterator[ReplicaWeb]:
    with ReplicaWeb(world.sites) as replica:
        yield replica


def _ok_case(world: World) -> PairCase:
    """A post citing one article that the replica serves as it is: an ok pair."""
    return next(
        case for case in world.cases[T2_BLOG] if list(case.expected_status.values()) == ["ok"]
    )


def _crawl(web: ReplicaWeb, archive: Path, post: str, *settings: str) -> tuple[int, str, str]:
    log = archive.parent / f"{archive.name}.log"
    command = [sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(archive)]
    command += ["--log-file", str(log), "-a", f"post={post}"]
    for name, value in FAST_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    command += ["-s", f"ITEM_PIPELINES={item_pipelines()}", *settings]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stderr, log.read_text(encoding="utf-8")


def test_a_refused_pair_is_written_with_its_defect_and_the_crawl_exits_1(
    world: World, web: ReplicaWeb, tmp_path: Path
) -> None:
    post = T2_BLOG.rstrip("/") + _ok_case(world).post.path

    # The test pipeline alone changes nothing: the same crawl of the same post finishes.
    code, stderr, log = _crawl(web, tmp_path / "control", post)
    assert code == 0, stderr + log[-3000:]
    [control] = read_manifest(tmp_path / "control" / "pairs.jsonl")
    assert (control.status, control.defects) == ("ok", ())
    assert not (tmp_path / "control" / "rejected-pairs.jsonl").exists()

    archive = tmp_path / "t2"
    code, stderr, log = _crawl(web, archive, post, "-s", f"{CORRUPT_POST}={post}")
    assert code == 1, stderr + log[-3000:]
    # The pair's line is there, the same pair, repaired: the refused value is in its defects.
    [pair] = read_manifest(archive / "pairs.jsonl")
    assert (pair.pair_id, pair.status) == (control.pair_id, "ok")
    assert pair.translation.language is None
    [defect] = pair.defects
    assert (defect.field, defect.value) == ("translation.language", BAD_LANGUAGE)
    assert "is not a language tag" in defect.error
    assert pair.translation.text == control.translation.text
    # The line as composed, for the bug report.
    [rejected] = [
        json.loads(line)
        for line in (archive / "rejected-pairs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert rejected["pair"]["pair_id"] == pair.pair_id
    assert rejected["pair"]["translation"]["language"] == BAD_LANGUAGE
    assert rejected["error"].startswith("translation.language:")
    # Counted in the crawl's stats, named in the log, and said in the line cron mails.
    assert "'bitext/manifest/repaired': 1" in log
    assert f"pair {pair.pair_id} " in log and "the refused values of translation.language" in log
    assert "THE CRAWL FAILED: the manifest schema refused lines" in log
    assert "  FAILED   the manifest schema refused lines" in log
    assert stderr.startswith("bitext-crawler: exit 1: t2: failed, the manifest schema refused")
    assert "1 pair line written repaired, with their defects" in stderr
