"""End to end: a closed WARC file damaged after a crawl (cut inside a record, or exactly at a
record boundary, which leaves a file every reader takes for whole).

``rebuild`` refuses (exit 1, naming the file and the pairs), writes nothing and leaves the
manifest as it is; the next incremental crawl sets the damaged file aside, fetches again what it
lost and downgrades no pair, even one composed anew from a lost source; after it the archive
verifies and rebuilds into that crawl's manifest.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import closed_warc_files
from crawler.manifest import Pair, read_manifest
from replica.corpus import load_cases
from replica.sites.blogger import BloggerSite
from replica.world import T2_BLOG, World, build_world
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command as command

pytestmark = pytest.mark.e2e

NEW_POST = "/2025/07/synthetic-damaged-archive-reuse.html"


def crawl(world: World, archive: Path) -> CrawlRun:
    for suffix in ("-requests.jsonl", "-crawl.log"):
        (archive.parent / f"{archive.name}{suffix}").unlink(missing_ok=True)
    run = crawl_replica(world, archive)
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


def pairs(archive: Path) -> dict[str, Pair]:
    return {pair.pair_id: pair for pair in read_manifest(archive / "pairs.jsonl")}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("damaged-first") / "archive"
    crawl(build_world(), archive)
    return archive


@dataclass
class Damaged:
    kind: str
    archive: Path
    warc: Path
    cut: int
    before: dict[str, Pair]  # the manifest the first crawl wrote
    manifest: bytes  # its bytes, before rebuild
    manifest_after_rebuild: bytes
    rebuild: subprocess.CompletedProcess[str]
    in_place: subprocess.CompletedProcess[str]
    lost_source: str  # an ok source whose page was in the lost part
    run: CrawlRun  # the next crawl, after a post citing lost_source was published
    after: dict[str, Pair]


def cut_file(path: Path, kind: str) -> int:
    size = path.stat().st_size
    if kind == "inside-a-record":
        cut = int(size * 0.6)
    else:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            starts = [(records.get_record_offset(), record.rec_type) for record in records]
        # Just before a response record: what is left ends with whole exchanges, as a file
        # that was never cut does.
        cut = next(o for o, kind in starts[int(len(starts) * 0.6) :] if kind == "response")
    os.truncate(path, cut)
    return cut


@pytest.fixture(scope="module", params=["inside-a-record", "at-a-record-boundary"])
def damaged(
    request: pytest.FixtureRequest, first: Path, tmp_path_factory: pytest.TempPathFactory
) -> Damaged:
    kind = str(request.param)
    archive = tmp_path_factory.mktemp(f"damaged-{kind}") / "archive"
    shutil.copytree(first, archive)
    before = pairs(archive)
    [warc] = closed_warc_files(archive)
    cut = cut_file(warc, kind)
    manifest = (archive / "pairs.jsonl").read_bytes()
    rebuild = command("rebuild", str(archive), "-o", str(archive.parent / "rebuilt.jsonl"))
    in_place = command("rebuild", str(archive), "--in-place")
    manifest_after_rebuild = (archive / "pairs.jsonl").read_bytes()
    lost = {
        pair.cited_url
        for pair in before.values()
        if pair.status == "ok"
        and pair.source
        and pair.source.warc
        and pair.source.warc.offset >= cut
    }
    world = build_world()
    case = next(
        c
        for c in load_cases("t2")
        if len(c.expected_status) == 1 and set(c.expected_status) <= lost
    )
    blog = world.sites[urlsplit(T2_BLOG).netloc]
    assert isinstance(blog, BloggerSite)
    blog.add_post(dataclasses.replace(case.post, path=NEW_POST))
    run = crawl(world, archive)
    return Damaged(
        kind=kind,
        archive=archive,
        warc=warc,
        cut=cut,
        before=before,
        manifest=manifest,
        manifest_after_rebuild=manifest_after_rebuild,
        rebuild=rebuild,
        in_place=in_place,
        lost_source=next(iter(case.expected_status)),
        run=run,
        after=pairs(archive),
    )


def test_rebuild_refuses_and_names_the_file_and_the_pairs(damaged: Damaged) -> None:
    for result in (damaged.rebuild, damaged.in_place):
        assert result.returncode == 1, result.stdout + result.stderr
        assert "rebuild: the archive lost records" in result.stderr
        assert damaged.warc.name in result.stderr
        assert "pair(s) of pairs.jsonl name lost records" in result.stderr
        assert "nothing was written" in result.stderr
    assert not (damaged.archive.parent / "rebuilt.jsonl").exists()


def test_rebuild_in_place_keeps_the_manifest(damaged: Damaged) -> None:
    assert "pairs.jsonl is as it was" in damaged.in_place.stderr
    assert damaged.manifest_after_rebuild == damaged.manifest


def test_the_next_crawl_reports_the_file_and_downgrades_no_pair(damaged: Damaged) -> None:
    warnings = [
        line for line in damaged.run.log.splitlines() if "[crawler.state.repair] WARNING" in line
    ]
    assert len(warnings) == 1 and damaged.warc.name in warnings[0]
    for pair_id, pair in damaged.before.items():
        assert damaged.after[pair_id].status == pair.status, pair_id
    new = [p for p in damaged.after.values() if p.translation.url.endswith(NEW_POST)]
    assert [(p.cited_url, p.status) for p in new] == [(damaged.lost_source, "ok")]
    fetched = {str(r["url"]) for r in damaged.run.requests if r["method"] != "CONNECT"}
    assert damaged.lost_source in fetched  # fetched again, not taken as archived
    assert "source_not_fetched" not in {p.status for p in damaged.after.values()}


def test_the_damaged_file_is_set_aside_when_it_was_damaged(damaged: Damaged) -> None:
    aside = damaged.warc.with_name(damaged.warc.name + ".damaged")
    if damaged.kind == "inside-a-record":
        assert aside.stat().st_size == damaged.cut  # the file as it was
        assert damaged.warc.stat().st_size < damaged.cut  # its whole records
    else:
        assert not aside.exists()  # nothing in it is damaged: it lost records at its end
        assert damaged.warc.stat().st_size == damaged.cut


def test_after_the_crawl_the_archive_verifies_and_rebuilds(damaged: Damaged) -> None:
    verify = command("verify", str(damaged.archive))
    assert verify.returncode == 0, verify.stdout
    output = damaged.archive.parent / "after.jsonl"
    rebuilt = command("rebuild", str(damaged.archive), "-o", str(output))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert output.read_bytes() == (damaged.archive / "pairs.jsonl").read_bytes()
