"""End to end: ``python -m crawler state rebuild`` derives the t2 crawl's own crawl state from its
archive, and an incremental crawl deciding from the derived state fetches what one deciding from
the crawl's own state fetches (tests/e2e/test_incremental.py): its lists and the retries only.

A copy of the session's t2 archive: its state is derived into a second file and compared table by
table with the crawl's own; then derived in place, a second crawl runs into the copy, and the
state it leaves is compared with the one derived again from the two crawls' archive.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.archive.naming import closed_warc_files
from crawler.manifest import Pair
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command
from tests.e2e.test_incremental import fetched, is_discovery, manifest, post_pages, retried
from tests.e2e.test_incremental import robots_of as robots_txt_of

pytestmark = pytest.mark.e2e

TABLES = ("posts", "citations", "sources", "history", "journaled", "listed", "checked_files")
# What cannot be derived (docs/incremental.md#rebuilding-the-crawl-state): the autoincrement id
# of a history row (the rows' order is kept) and the time a WARC file was read whole.
NOT_DERIVED = {"history": {"id"}, "checked_files": {"checked_at"}}


@dataclass
class Derived:
    archive: Path
    first: Path  # derived from the first crawl's archive into a second path
    first_own: Path  # the first crawl's own state, as it left it
    in_place: Path  # the first derivation again, replacing the archive's state
    second: CrawlRun  # an incremental crawl deciding from the derived state
    first_manifest: dict[str, Pair]
    first_files: list[str]  # the closed WARC files of the first crawl
    again: Path  # derived from the two crawls' archive


def _state_rebuild(archive: Path, *output: str) -> subprocess.CompletedProcess[str]:
    return offline_command("state", "rebuild", str(archive), *output, "--workers", "2")


def _rows(database: Path, table: str) -> Counter[tuple[object, ...]]:
    """The rows of ``table`` without the columns that cannot be derived, in no order."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in NOT_DERIVED.get(table, set())]
        return Counter(db.execute(f"SELECT {', '.join(kept)} FROM {table}"))


def _history_in_order(database: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return list(db.execute("SELECT cited_url, old_status, new_status FROM history ORDER BY id"))


def _assert_derived(derived: Path, own: Path, files: list[str]) -> None:
    """``derived`` holds every row of ``own``; only ``checked_files`` holds more: the WARC files
    the crawl wrote, which it had not read whole yet."""
    for table in TABLES:
        if table == "checked_files":
            continue
        assert _rows(derived, table) == _rows(own, table), table
    assert _history_in_order(derived) == _history_in_order(own)
    checked = _rows(derived, "checked_files")
    assert _rows(own, "checked_files") <= checked
    assert sorted(row[0] for row in checked) == files


@pytest.fixture(scope="module")
def derived(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Derived:
    base = tmp_path_factory.mktemp("derive-state")
    archive = base / "archive"
    shutil.copytree(t2_crawl.archive, archive)
    own_state = archive / "state" / "crawl.sqlite"
    first_own = base / "own-1.sqlite"
    with closing(sqlite3.connect(own_state)) as db, closing(sqlite3.connect(first_own)) as copy:
        db.backup(copy)
    before = sorted(p.name for p in archive.iterdir())
    first = base / "derived-1.sqlite"
    result = _state_rebuild(archive, "-o", str(first))
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Wrote " in result.stdout
    # Written elsewhere: nothing in the archive changes or appears.
    assert sorted(p.name for p in archive.iterdir()) == before
    first_manifest = manifest(archive)
    first_files = [p.name for p in closed_warc_files(archive)]
    result = _state_rebuild(archive)
    assert result.returncode == 0, result.stderr[-4000:]
    in_place = base / "in-place.sqlite"
    with closing(sqlite3.connect(own_state)) as db, closing(sqlite3.connect(in_place)) as copy:
        db.backup(copy)
    second = crawl_replica(t2_crawl.world, archive)
    assert second.returncode == 0, second.log[-4000:]
    again = base / "derived-2.sqlite"
    result = _state_rebuild(archive, "-o", str(again))
    assert result.returncode == 0, result.stderr[-4000:]
    return Derived(archive, first, first_own, in_place, second, first_manifest, first_files, again)


def test_the_derived_state_is_the_crawls_own(derived: Derived) -> None:
    _assert_derived(derived.first, derived.first_own, derived.first_files)
    assert sum(_rows(derived.first, "posts").values()) > 10
    assert sum(_rows(derived.first, "listed").values()) > 10


def test_derived_in_place_replaces_the_state_with_the_same_rows(derived: Derived) -> None:
    for table in TABLES:
        assert _rows(derived.in_place, table) == _rows(derived.first, table), table


def test_a_crawl_deciding_from_the_derived_state_fetches_no_post_and_only_retries(
    derived: Derived,
) -> None:
    # As test_an_unchanged_blog_costs_only_its_lists_and_the_retries, with the crawl's own state.
    retry = retried(derived.first_manifest)
    assert retry
    assert post_pages(derived.second) == set()
    others = {url for url in fetched(derived.second) if not is_discovery(url)}
    assert others - retry <= {robots_txt_of(url) for url in retry}
    assert retry <= others


def test_the_state_of_two_crawls_derives_too(derived: Derived) -> None:
    own = derived.archive / "state" / "crawl.sqlite"
    files = [p.name for p in closed_warc_files(derived.archive)]
    assert len(files) > len(derived.first_files)
    _assert_derived(derived.again, own, files)
