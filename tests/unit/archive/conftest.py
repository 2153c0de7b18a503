"""Fixtures for the archive tests: deterministic WarcArchive objects and a SQLite digest index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import DigestIndex, WarcArchive
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory

ArchiveFactory = Callable[..., WarcArchive]


@pytest.fixture
def make_archive(tmp_path: Path) -> Iterator[ArchiveFactory]:
    """Deterministic WarcArchive objects writing into ``tmp_path/warcs``, closed after the test."""
    opened: list[WarcArchive] = []
    # One id sequence per test: record ids stay unique across the archives of one directory.
    new_record_id = id_factory()

    def factory(directory: Path | None = None, **options: Any) -> WarcArchive:
        settings: dict[str, Any] = {
            "warcinfo": WARCINFO,
            "clock": fixed_clock(),
            "new_record_id": new_record_id,
            "crawl_host": "testhost",
        }
        settings.update(options)
        archive = WarcArchive(directory or tmp_path / "warcs", **settings)
        opened.append(archive)
        return archive

    yield factory
    for archive in opened:
        archive.close()


@pytest.fixture
def digest_db(tmp_path: Path) -> Iterator[DigestIndex]:
    with DigestIndex(tmp_path / "digests.sqlite") as index:
        yield index
