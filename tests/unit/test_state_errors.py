"""A crawl state database that cannot be used says which file it is and what to do about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.state import STATE_DIR, STATE_NAME, CrawlState, StateError


def state_path(archive: Path) -> Path:
    return archive / STATE_DIR / STATE_NAME


def test_a_file_that_is_not_a_database_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"synthetic garbage, not SQLite\n" * 200)
    with pytest.raises(StateError) as caught:
        CrawlState.open(tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert "file is not a database" in message  # SQLite's own words
    assert "move it aside" in message and "fetch everything again" in message
    assert caught.value.path == path
    assert isinstance(caught.value, sqlite3.DatabaseError)  # callers catching SQLite's still do


def test_a_path_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    path.mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(StateError) as caught:
        CrawlState.open(tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert "unable to open database file" in message
    assert "readable and writable" in message


def test_damage_found_after_opening_is_named_too(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path):
        pass
    path = state_path(tmp_path)
    data = path.read_bytes()
    # Keep the header (the file still opens as SQLite), wipe every page after the first.
    page_size = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[:page_size] + b"\xa5" * (len(data) - page_size))
    with pytest.raises(StateError) as caught, CrawlState.open(tmp_path) as state:
        state.counts()
    message = str(caught.value)
    assert str(path) in message
    assert "malformed" in message


def test_programming_errors_are_not_dressed_up(tmp_path: Path) -> None:
    state = CrawlState.open(tmp_path)
    state.close()
    with pytest.raises(sqlite3.ProgrammingError) as caught:
        state.counts()
    assert not isinstance(caught.value, StateError)


def test_a_database_another_process_locks_says_so(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path):
        pass
    holder = sqlite3.connect(str(state_path(tmp_path)), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        state = CrawlState.open(tmp_path)
        state._db.execute("PRAGMA busy_timeout=0")
        with pytest.raises(StateError) as caught:
            state.record_journaled("0123456789abcdef", "ok", "2025-02-08T00:00:00+00:00")
        assert str(state_path(tmp_path)) in str(caught.value)
        assert "another process holds it" in str(caught.value)
        state.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
