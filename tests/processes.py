"""What a test sees of processes it started (Linux ``/proc``): to check that none outlives its
crawl, run the crawl in a session of its own and look for what is left in that session."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def session_processes(session: int) -> dict[int, str]:
    """The live (not zombie) processes of a session: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            found[int(entry.name)] = command.strip()
    return found


def kill_session(session: int) -> None:
    """SIGKILL what is left of a session a test started, by pid."""
    for pid in session_processes(session):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status  # exited, not yet reaped by whoever adopted it
