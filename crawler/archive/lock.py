"""One writer per archive directory: an advisory lock on ``ARCHIVE_DIR/.lock``.

``fcntl.flock`` is held by the open file, so the kernel releases it when the process ends, however
it ends: a crawl killed with SIGKILL leaves no lock behind, only its note in the file (pid, host,
time), which the next crawl reads to say whose crawl it took over. The note also makes the
refusal readable: "ARCHIVE_DIR ... is being written by another crawl (pid N on host H since T)".

flock is per open file description, so two ``ArchiveLock`` objects in one process exclude each
other as two processes do. It does not work across NFS clients; archives live on local disks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from crawler.archive.layout import LOCK_NAME
from crawler.dates import isoformat
from crawler.util.filemodes import FILE_MODE, share_file, shared_directory


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) the lock, as written in the lock file."""

    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host} since {self.since}"

    def to_json(self) -> str:
        return json.dumps({"pid": self.pid, "host": self.host, "since": self.since})

    @classmethod
    def from_text(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data["since"]))
        except (ValueError, TypeError, KeyError):
            return None


NOTHING_FETCHED = "this crawl fetched nothing"  # what a crawl the lock refused says of itself


class ArchiveLocked(RuntimeError):
    """Another crawl is writing the archive directory."""

    def __init__(self, archive_dir: Path, holder: LockHolder | None) -> None:
        self.archive_dir = archive_dir
        self.holder = holder
        who = holder.describe() if holder else "its pid, host and start time are not recorded"
        super().__init__(f"ARCHIVE_DIR {archive_dir} is being written by another crawl ({who})")


class ArchiveLock:
    """``acquire()`` or raise ArchiveLocked; ``release()`` (or the process's end) frees it.

    ``taken_over`` is the note of a previous holder that ended without releasing the lock (it was
    killed, or its machine stopped): what it wrote may need repair.
    """

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self.path = self.archive_dir / LOCK_NAME
        self.taken_over: LockHolder | None = None
        self.holder: LockHolder | None = None
        self._fd: int | None = None

    def acquire(self, *, now: datetime | None = None) -> LockHolder:
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this object")
        shared_directory(self.archive_dir)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            share_file(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ArchiveLocked(self.archive_dir, LockHolder.from_text(_read(fd))) from None
            previous = _read(fd)
            self.taken_over = LockHolder.from_text(previous) if previous.strip() else None
            moment = now or datetime.now(UTC)
            holder = LockHolder(os.getpid(), socket.gethostname(), isoformat(moment) or "")
            _write(fd, holder.to_json() + "\n")
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self.holder = holder
        return holder

    def release(self) -> None:
        """Clear the note (a clean end) and unlock; harmless when not held."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            with contextlib.suppress(OSError):
                _write(fd, "")
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    data = memoryview(text.encode("utf-8"))
    while data:
        data = data[os.write(fd, data) :]
    os.fsync(fd)
