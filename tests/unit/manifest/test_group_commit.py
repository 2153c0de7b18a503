"""ManifestJournal's group commit: each line is in the file at once, fsyncs come in groups.

os.fsync is replaced by a recorder that can hold an fsync until the test lets it go, so what the
background thread does is decided by the test, not by how fast it runs.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.manifest import ManifestJournal, Pair, encode_line
from crawler.manifest import journal as manifest_journal
from tests.unit.manifest.builders import full_pair

BOUND = 10.0  # seconds a test waits for the thread at most: a hung thread fails, never a slow one
FLUSHER = "journal-fsync"
WRITER = "writer"  # the thread that appends (or closes)


def _pairs(count: int) -> list[Pair]:
    """Lines of one pair crawled at different times (a journal takes any number of each)."""
    return [full_pair(crawled_at=f"2026-01-01T00:00:{n:02d}+00:00") for n in range(count)]


class Fsyncs:
    """The fsync calls made (by the flusher or another thread), each held while ``gate`` is
    closed."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self._made = threading.Condition()
        self.fail_next: OSError | None = None

    def __call__(self, fd: int) -> None:
        with self._made:
            name = threading.current_thread().name
            self.threads.append(FLUSHER if name == FLUSHER else WRITER)
            self._made.notify_all()
        assert self.gate.wait(BOUND), "the test never let the fsync go"
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def wait_for(self, count: int) -> None:
        with self._made:
            assert self._made.wait_for(lambda: len(self.threads) >= count, BOUND), self.threads


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fsyncs]:
    recorder = Fsyncs()
    monkeypatch.setattr(os, "fsync", recorder)
    yield recorder
    recorder.gate.set()  # a failing test never leaves a thread held


def _close_within_bound(journal: ManifestJournal) -> None:
    closing = threading.Thread(target=journal.close)
    closing.start()
    closing.join(BOUND)
    assert not closing.is_alive(), "close() waited for the fsync interval"


def _flushers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == FLUSHER]


def test_interval_0_fsyncs_each_line_before_append_returns(tmp_path: Path, fsyncs: Fsyncs) -> None:
    with ManifestJournal(tmp_path / "j.jsonl", fsync_interval=0) as journal:
        for n, pair in enumerate(_pairs(3), 1):
            journal.append(pair)
            assert fsyncs.threads == [WRITER] * n
        assert _flushers() == []
    assert fsyncs.threads == [WRITER] * 3  # nothing was left for the close


def test_a_line_is_in_the_file_when_append_returns_before_any_fsync(
    tmp_path: Path, fsyncs: Fsyncs
) -> None:
    path = tmp_path / "j.jsonl"
    first, second = _pairs(2)
    fsyncs.gate.clear()  # every fsync is held
    journal = ManifestJournal(path, fsync_interval=0.5)
    journal.append(first)
    assert path.read_bytes() == encode_line(first)
    fsyncs.wait_for(1)  # the thread's fsync has begun and is held
    journal.append(second)  # the writer does not wait for it
    assert path.read_bytes() == encode_line(first) + encode_line(second)
    assert journal.appended == 2
    fsyncs.gate.set()
    _close_within_bound(journal)
    assert WRITER not in fsyncs.threads[:-1]  # only the close's own fsync


def test_lines_written_during_an_fsync_share_the_next_one(tmp_path: Path, fsyncs: Fsyncs) -> None:
    pairs = _pairs(10)
    fsyncs.gate.clear()
    journal = ManifestJournal(tmp_path / "j.jsonl", fsync_interval=0.001)
    journal.append(pairs[0])
    fsyncs.wait_for(1)
    for pair in pairs[1:]:
        journal.append(pair)
    fsyncs.gate.set()
    fsyncs.wait_for(2)  # the nine lines, together
    _close_within_bound(journal)
    # No line was left after the second fsync, so the thread made no third: one at the close.
    assert fsyncs.threads == [FLUSHER, FLUSHER, WRITER]


def test_at_most_one_fsync_per_interval_and_close_fsyncs_the_rest(
    tmp_path: Path, fsyncs: Fsyncs
) -> None:
    pairs = _pairs(5)
    journal = ManifestJournal(tmp_path / "j.jsonl", fsync_interval=3600)
    journal.append(pairs[0])
    fsyncs.wait_for(1)
    for pair in pairs[1:]:
        journal.append(pair)  # within the hour that follows the first fsync
    _close_within_bound(journal)
    assert fsyncs.threads == [FLUSHER, WRITER]
    assert _flushers() == []


def test_flush_fsyncs_at_once(tmp_path: Path, fsyncs: Fsyncs) -> None:
    first, second = _pairs(2)
    with ManifestJournal(tmp_path / "j.jsonl", fsync_interval=3600) as journal:
        journal.append(first)
        fsyncs.wait_for(1)
        journal.append(second)
        journal.flush()
        assert fsyncs.threads == [FLUSHER, WRITER]


def test_a_refused_write_is_cut_back_with_group_commit(
    tmp_path: Path, fsyncs: Fsyncs, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.jsonl"
    real_write = os.write
    refused: list[bool] = []

    def half_then_full(fd: int, data: bytes) -> int:
        if not refused:
            refused.append(True)
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    first, second = _pairs(2)
    with ManifestJournal(path, fsync_interval=0.5) as journal:
        monkeypatch.setattr(manifest_journal.os, "write", half_then_full)
        with pytest.raises(OSError, match="No space"):
            journal.append(first)
        assert path.read_bytes() == b""
        journal.append(second)
    assert path.read_bytes() == encode_line(second)


def test_an_fsync_that_fails_in_the_thread_is_an_error_in_the_log(
    tmp_path: Path, fsyncs: Fsyncs, caplog: pytest.LogCaptureFixture
) -> None:
    fsyncs.fail_next = OSError(errno.EIO, "Input/output error")
    with caplog.at_level(logging.ERROR, logger=manifest_journal.__name__):
        journal = ManifestJournal(tmp_path / "j.jsonl", fsync_interval=0.5)
        journal.append(full_pair())
        fsyncs.wait_for(1)
        _close_within_bound(journal)  # after the thread is done with its error
    [record] = caplog.records
    assert "cannot fsync the journal" in record.getMessage()
    assert "Input/output error" in record.getMessage()
    assert fsyncs.threads == [FLUSHER, WRITER]  # the close fsyncs again


@pytest.mark.parametrize("interval", [-1.0, float("nan")])
def test_an_interval_below_0_is_refused(tmp_path: Path, interval: float) -> None:
    with pytest.raises(ValueError, match="fsync_interval"):
        ManifestJournal(tmp_path / "j.jsonl", fsync_interval=interval)
    assert _flushers() == []
