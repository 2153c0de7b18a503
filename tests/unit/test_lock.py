"""One crawl per archive: the lock, its takeover from a killed crawl, and the repairs that follow.

flock is per open file description, so two locks in one process exclude each other exactly as two
processes do; one test kills a real process holding the lock to show the kernel releases it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.archive import DigestIndex, WarcArchive
from crawler.archive.dedup import Capture
from crawler.archive.lock import LOCK_NAME, ArchiveLock, ArchiveLocked, LockHolder
from crawler.archive.pointer import WarcPointer
from crawler.archive.writer import recover_open_files
from crawler.extensions.archive_lock import JOB_MARKER, ArchiveLockExtension
from crawler.state import CrawlState, PostRecord
from tests.unit.archive.builders import (
    WARCINFO,
    compressed_members,
    fixed_clock,
    id_factory,
    make_exchange,
    read_records,
    warcio_check,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_a_second_lock_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    first = ArchiveLock(tmp_path)
    holder = first.acquire()
    assert holder.pid == os.getpid() and holder.host == socket.gethostname()
    with pytest.raises(ArchiveLocked) as refused:
        ArchiveLock(tmp_path).acquire()
    message = str(refused.value)
    assert "is being written by another crawl" in message
    assert f"(pid {os.getpid()} on host {socket.gethostname()} since {holder.since})" in message
    assert refused.value.holder == holder
    first.release()


def test_a_released_lock_can_be_taken_and_leaves_no_note(tmp_path: Path) -> None:
    with ArchiveLock(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert (tmp_path / LOCK_NAME).read_text() == ""
    again = ArchiveLock(tmp_path)
    again.acquire()
    assert again.taken_over is None  # the previous holder ended cleanly
    again.release()


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from crawler.archive.lock import ArchiveLock
        ArchiveLock(Path({str(tmp_path)!r})).acquire()
        print("held", flush=True)
        time.sleep(60)
        """
    )
    command = [sys.executable, "-c", script]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(ArchiveLocked, match=f"pid {holder.pid} on host"):
                ArchiveLock(tmp_path).acquire()
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
    lock = ArchiveLock(tmp_path)
    lock.acquire()
    assert lock.taken_over is not None and lock.taken_over.pid == holder.pid
    lock.release()


def test_an_unreadable_note_still_gives_a_refusal(tmp_path: Path) -> None:
    with ArchiveLock(tmp_path):
        (tmp_path / LOCK_NAME).write_text("garbage")
        with pytest.raises(ArchiveLocked, match="not recorded"):
            ArchiveLock(tmp_path).acquire()
    assert LockHolder.from_text("garbage") is None


def crawler_for(archive: Path, **settings: object) -> object:
    return get_crawler(Spider, {"ARCHIVE_DIR": str(archive), **settings})


def test_the_extension_refuses_a_crawl_while_the_archive_is_held(tmp_path: Path) -> None:
    with ArchiveLock(tmp_path), pytest.raises(ArchiveLocked):
        ArchiveLockExtension.from_crawler(crawler_for(tmp_path))  # type: ignore[arg-type]
    ext = ArchiveLockExtension.from_crawler(crawler_for(tmp_path))  # type: ignore[arg-type]
    assert ext.held.held
    ext.engine_stopped()
    assert not ext.held.held


def killed_archive(directory: Path, exchanges: int) -> tuple[Path, list[WarcPointer]]:
    """A WARC file as a killed writer leaves it: still ``.open``, never closed."""
    archive = WarcArchive(
        directory, warcinfo=WARCINFO, clock=fixed_clock(), new_record_id=id_factory()
    )
    pointers = []
    for n in range(exchanges):
        body = f"<html><body><p>Synthetic page {n}.</p></body></html>".encode()
        pointers.append(archive.write_exchange(make_exchange(body=body)).record)
    name = archive.current_filename
    assert name is not None
    path = directory / (name + ".open")
    left = path.read_bytes()  # what a SIGKILL would leave: every record flushed, never closed
    archive.close()
    (directory / name).unlink()
    path.write_bytes(left)
    return path, pointers


def test_recovery_cuts_a_member_torn_in_the_middle(tmp_path: Path) -> None:
    path, pointers = killed_archive(tmp_path, 3)
    members = compressed_members(path)  # warcinfo, then response + request per exchange
    assert len(members) == 7
    whole = sum(len(m) for m in members[:5])
    torn = members[5][: len(members[5]) // 2]
    path.write_bytes(b"".join(members[:5]) + torn)

    [recovered] = recover_open_files(tmp_path)

    final = tmp_path / path.name.removesuffix(".open")
    assert not path.exists() and final.exists()
    assert (recovered.filename, recovered.kept, recovered.cut) == (final.name, whole, len(torn))
    assert recovered.records == 5 and "cut short" in (recovered.problem or "")
    assert final.stat().st_size == whole
    assert [r.type for r in read_records(final)] == ["warcinfo", *["response", "request"] * 2]
    assert warcio_check(final) == 0
    assert pointers[2].offset == whole  # the third exchange is the one cut off


def test_recovery_cuts_a_member_that_does_not_inflate(tmp_path: Path) -> None:
    path, _ = killed_archive(tmp_path, 2)
    members = compressed_members(path)
    damaged = bytearray(members[3])
    damaged[len(damaged) // 2] ^= 0xFF
    path.write_bytes(b"".join([*members[:3], bytes(damaged), *members[4:]]))

    [recovered] = recover_open_files(tmp_path)

    assert recovered.kept == sum(len(m) for m in members[:3]) and recovered.records == 3
    assert warcio_check(tmp_path / recovered.filename) == 0


def test_recovery_renames_a_whole_file_and_removes_an_empty_one(tmp_path: Path) -> None:
    path, _ = killed_archive(tmp_path, 1)
    size = path.stat().st_size
    (tmp_path / "BITEXT-empty.warc.gz.open").write_bytes(b"")
    recovered = {r.filename: r for r in recover_open_files(tmp_path)}
    assert recovered[path.name.removesuffix(".open")].cut == 0
    assert recovered[path.name.removesuffix(".open")].kept == size
    assert recovered[""].records == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name.removesuffix(".open")]


def test_taking_the_lock_repairs_the_archive_and_forgets_what_was_cut(tmp_path: Path) -> None:
    path, pointers = killed_archive(tmp_path, 3)
    members = compressed_members(path)
    path.write_bytes(b"".join(members[:5]) + members[5][:10])
    name = path.name.removesuffix(".open")
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    with DigestIndex(state_dir / "digests.sqlite") as index:
        for n, pointer in enumerate(pointers):
            index.add(f"sha1:DIGEST{n}", Capture("https://example.com/", "2025", pointer))
    with CrawlState.open(tmp_path) as state:
        for n, pointer in enumerate(pointers):
            record = PostRecord(
                f"https://blog.example/{n}.html", "", 200, "parsed", None, pointer, None, "t"
            )
            state.record_post(record, [])

    ext = ArchiveLockExtension.from_crawler(crawler_for(tmp_path))  # type: ignore[arg-type]
    ext.engine_stopped()

    assert (tmp_path / name).exists() and not path.exists()
    with DigestIndex(state_dir / "digests.sqlite") as index:
        assert [index.lookup(f"sha1:DIGEST{n}") is not None for n in range(3)] == [
            True,
            True,
            False,
        ]
    with CrawlState.open(tmp_path) as state:
        kept = [state.post(f"https://blog.example/{n}.html") is not None for n in range(3)]
    assert kept == [True, True, False]


def test_a_jobdir_left_by_a_killed_crawl_is_reset(tmp_path: Path) -> None:
    archive, job = tmp_path / "archive", tmp_path / "job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.seen").write_text("0123\n")
    (job / "spider.state").write_bytes(b"stale")
    (job / JOB_MARKER).write_text("pid 1 on host h since t\n")

    ext = ArchiveLockExtension.from_crawler(crawler_for(archive, JOBDIR=str(job)))  # type: ignore[arg-type]

    assert sorted(p.name for p in job.iterdir()) == [JOB_MARKER]
    assert str(os.getpid()) in (job / JOB_MARKER).read_text()
    ext.engine_stopped()
    assert not (job / JOB_MARKER).exists()


def test_a_jobdir_closed_cleanly_is_kept_for_resuming(tmp_path: Path) -> None:
    archive, job = tmp_path / "archive", tmp_path / "job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "spider.state").write_bytes(b"kept")
    ext = ArchiveLockExtension.from_crawler(crawler_for(archive, JOBDIR=str(job)))  # type: ignore[arg-type]
    ext.engine_stopped()
    assert (job / "requests.queue").is_dir() and (job / "spider.state").read_bytes() == b"kept"


def test_the_crawl_removes_only_the_temporaries_of_writes_made_under_the_lock(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from crawler.util.atomic import temporary_file

    (tmp_path / "pairs.jsonl").write_text("the old manifest\n", encoding="utf-8")
    killed = []
    for target in ("pairs.jsonl", "index.cdxj", "T2-20260101-00001.warc.gz"):
        fd, temp = temporary_file(tmp_path / target)
        os.write(fd, b"complete, never renamed")
        os.close(fd)
        killed.append(temp)
    fd, export = temporary_file(tmp_path / "export.jsonl")  # another command's, maybe running
    os.close(fd)

    ext = ArchiveLockExtension.from_crawler(crawler_for(tmp_path))  # type: ignore[arg-type]
    ext.engine_stopped()

    assert not any(temp.exists() for temp in killed)
    assert export.exists()
    assert (tmp_path / "pairs.jsonl").read_text(encoding="utf-8") == "the old manifest\n"
    removed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("removed .")]
    assert len(removed) == 3 and any("write of index.cdxj" in m for m in removed)
