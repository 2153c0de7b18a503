"""Running crawls of the fault world, and what a crawl's archive must look like afterwards.

A :class:`Harness` owns one archive directory and one replica web. It runs
``python -m crawler crawl`` (the scheduled command, whose exit code says what happened) in a
session of its own, optionally with a fault injected (:mod:`tests.faults.inject`), and records
each run: exit code, log, and the processes left in its session once it has ended.

:func:`normalised` is what two crawls of the same world must agree on. Two uninterrupted crawls
differ in :data:`VOLATILE` only, each for a reason of its own (``test_matrix.py`` checks that
nothing else differs).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from tests.faults import inject
from tests.faults.world import BLOG, SETTINGS, FaultWorld
from tests.processes import kill_session, session_processes

# The crawl runs through a proxy that requires credentials: none may reach any file it writes.
PROXY_USER, PROXY_SECRET = "matrix-synthetic", "Fault-Matrix-S3cret"
MATRIX_SETTINGS = {
    **FAST_SETTINGS,
    **SETTINGS,
    # Pages are read in the crawl process (an interpreter start less per crawl); the cases about
    # the crawl's processes run with a worker (tests/faults/test_matrix.py, WORKER).
    "BITEXT_PARSE_WORKERS": "0",
    "PROGRESS_INTERVAL": "0",
}
CRAWL_TIMEOUT = 120.0
ORPHAN_GRACE = 5.0  # seconds a parse worker may take to notice its crawl is gone (it polls: 1 s)

# Fields of a manifest line that differ between two uninterrupted crawls of the same world:
#   crawled_at              when the pair was completed: the clock
#   */warc filename         the WARC file's name holds its creation time, serial, host and pid
#   */warc offset           records are written in the order downloads finish, which varies
#   */warc record_id        a random UUID per record (WARC/1.1 requires it unique)
# A pointer is replaced by what it points to (see :func:`pointed`), so the comparison still
# checks that it leads to the right capture. And in ``error``:
#   "the first N bytes"     how many bytes of a stream cut at the size or time budget arrived
#                           before the cut depends on how the kernel handed them over
VOLATILE = ("crawled_at", "translation.warc", "source.warc")
_BYTES_KEPT = re.compile(r"the first \d+ bytes")


@dataclass(frozen=True)
class Run:
    """One finished crawl process."""

    number: int  # in the order the crawls of a harness started
    seconds: float  # from its start to its end, as the test saw them
    returncode: int
    stderr: str
    log: str
    orphans: dict[int, str]  # processes of its session still alive after ORPHAN_GRACE
    struck: bool  # its injected fault happened


@dataclass
class Harness:
    base: Path
    world: FaultWorld
    runs: list[Run] = field(default_factory=list)
    web: ReplicaWeb | None = None
    started: int = 0  # crawls started (one may start while another runs)

    @property
    def archive(self) -> Path:
        return self.base / "archive"

    @contextmanager
    def serving(self) -> Iterator[Harness]:
        log = self.base / "requests.jsonl"
        credentials = (PROXY_USER, PROXY_SECRET)
        with ReplicaWeb(self.world.world.sites, log_path=log, proxy_credentials=credentials) as web:
            self.web = web
            try:
                yield self
            finally:
                self.web = None

    def crawl(
        self,
        fault: str | None = None,
        *,
        settings: Mapping[str, str] | None = None,
        umask: int = -1,
        during: Callable[[Harness], None] | None = None,
        extra: tuple[str, ...] = (),
    ) -> Run:
        """Run one crawl to its end; with a ``pause@`` fault, ``during`` runs while it waits."""
        assert self.web is not None, "crawl() inside serving()"
        number = self.started
        self.started += 1
        log = self.base / f"crawl-{number}.log"
        fault_dir = self.base / f"fault-{number}"
        fault_dir.mkdir()
        started = time.monotonic()
        every = {**MATRIX_SETTINGS, **(settings or {})}
        if fault is not None:
            every.update(inject.settings(fault, fault_dir))
        command = [sys.executable, "-m", "crawler", "crawl", "blogger", "--archive"]
        command += [str(self.archive), "--log-file", str(log), "-a", f"blog={BLOG}", *extra]
        for name, value in every.items():
            command += ["-s", f"{name}={value}"]
        with subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=crawl_env(self.web.proxy_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a process group of its own, and a session to look into
            umask=umask,
        ) as process:
            try:
                if during is not None:
                    _wait_for(fault_dir / inject.PAUSED, process)
                    during(self)
                    (fault_dir / inject.RESUME).touch()
                _, stderr = process.communicate(timeout=CRAWL_TIMEOUT)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                orphans = _orphans(process.pid)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        struck = (fault_dir / inject.STRUCK).exists()
        seconds = time.monotonic() - started
        run = Run(number, seconds, process.returncode, stderr, text, orphans, struck)
        self.runs.append(run)
        self.runs.sort(key=lambda done: done.number)  # a crawl may end inside another
        return run

    def command(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """``python -m crawler ARGS`` (verify, pairs ...), as a user would run it."""
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _wait_for(marker: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + CRAWL_TIMEOUT
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the crawl ended (exit {process.returncode}) before its pause")
        if time.monotonic() > deadline:
            raise AssertionError("the crawl never reached its pause")
        time.sleep(0.02)


def _orphans(session: int) -> dict[int, str]:
    deadline = time.monotonic() + ORPHAN_GRACE
    left = session_processes(session)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = session_processes(session)
    kill_session(session)
    return left


def pointed(archive: Path, pointer: Mapping[str, Any] | None) -> tuple[object, ...] | None:
    """What a WARC pointer leads to: the record's type, target URI and truncation, and its
    payload digest unless the payload was cut at a budget (then its length varies)."""
    if pointer is None or pointer["filename"] is None:  # pairs/2: no record is an empty pointer
        return None
    with (archive / str(pointer["filename"])).open("rb") as stream:
        stream.seek(int(pointer["offset"]))
        record = next(iter(ArchiveIterator(stream)))
        headers = record.rec_headers
        truncated = headers.get_header("WARC-Truncated")
        digest = None if truncated else headers.get_header("WARC-Payload-Digest")
        found = headers.get_header("WARC-Record-ID")
    if found != pointer["record_id"]:
        raise AssertionError(f"{pointer}: the record there is {found}")
    return (record.rec_type, headers.get_header("WARC-Target-URI"), truncated, digest)


def manifest_lines(archive: Path) -> dict[str, dict[str, Any]]:
    """pairs.jsonl as JSON objects by pair_id (raw: before any normalising)."""
    lines = (archive / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    pairs = [json.loads(line) for line in lines]
    by_id = {pair["pair_id"]: pair for pair in pairs}
    assert len(by_id) == len(pairs), "a pair_id appears twice"
    return by_id


def normalised(archive: Path) -> dict[str, dict[str, Any]]:
    """The manifest with each :data:`VOLATILE` field replaced by what it stands for."""
    pairs = manifest_lines(archive)
    for pair in pairs.values():
        pair["crawled_at"] = "CRAWLED_AT"
        for side in ("translation", "source"):
            if pair.get(side) is not None:
                pair[side]["warc"] = pointed(archive, pair[side].get("warc"))
        if pair.get("error"):
            pair["error"] = _BYTES_KEPT.sub("the first N bytes", pair["error"])
    return pairs


def differing_fields(first: Any, second: Any, path: str = "") -> set[str]:
    """The dotted paths at which two JSON values differ."""
    if isinstance(first, dict) and isinstance(second, dict):
        found: set[str] = set()
        for key in first.keys() | second.keys():
            found |= differing_fields(first.get(key), second.get(key), f"{path}.{key}")
        return found
    return set() if first == second else {path.lstrip(".")}
