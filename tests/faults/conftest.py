"""The fault matrix's reference: one uninterrupted crawl of the fault world per test session."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.faults.harness import Harness, manifest_lines, normalised
from tests.faults.world import FaultWorld, build_fault_world


@dataclass(frozen=True)
class Reference:
    """The uninterrupted crawl every case's final archive is compared with."""

    world: FaultWorld
    archive: Path
    raw: dict[str, dict[str, Any]]  # pairs.jsonl as written
    manifest: dict[str, dict[str, Any]]  # normalised (tests/faults/harness.py)
    exchanges: int  # HTTP exchanges archived (request records)
    metadata: int  # crawl-log metadata records
    log: str


def _records(archive: Path, kind: str) -> int:
    count = 0
    for path in archive.glob("*.warc.gz"):
        with path.open("rb") as stream:
            count += sum(record.rec_type == kind for record in ArchiveIterator(stream))
    return count


@pytest.fixture(scope="session")
def fault_world() -> FaultWorld:
    return build_fault_world()


@pytest.fixture(scope="session")
def reference_future(
    tmp_path_factory: pytest.TempPathFactory, fault_world: FaultWorld
) -> Iterator[Future[Reference]]:
    """The reference crawl, started now: the fault matrix starts its cases alongside it."""
    base = tmp_path_factory.mktemp("reference")
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(make_reference, base, fault_world)


@pytest.fixture(scope="session")
def reference(reference_future: Future[Reference]) -> Reference:
    return reference_future.result()


def make_reference(base: Path, world: FaultWorld) -> Reference:
    """Crawl the fault world once, uninterrupted, and check the crawl is one to compare with."""
    harness = Harness(base, world)
    with harness.serving():
        run = harness.crawl()
    assert run.returncode == 0, f"the reference crawl exited {run.returncode}:\n{run.log[-4000:]}"
    archive = harness.archive
    verify = harness.command("verify", str(archive))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    raw = manifest_lines(archive)
    statuses = {
        (pair["translation"]["url"], pair["cited_url"] or ""): pair["status"]
        for pair in raw.values()
    }
    assert statuses == world.expected
    return Reference(
        world=world,
        archive=archive,
        raw=raw,
        manifest=normalised(archive),
        exchanges=_records(archive, "request"),
        metadata=_records(archive, "metadata"),
        log=run.log,
    )
