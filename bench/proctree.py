"""Memory and CPU time of a process tree, read from /proc (Linux), for ``bench/scale.py``."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Memory:
    """Peaks of a process tree, polled from /proc (kB)."""

    rss_kb: int = 0  # sum of the tree's RSS at its highest
    pss_kb: int = 0  # sum of the tree's PSS at its highest (shared pages counted once)
    processes: int = 0  # most processes seen at once
    maxrss_kb: int = 0  # ru_maxrss: the largest single process

    @property
    def rss_mb(self) -> float:
        return self.rss_kb / 1024


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.extend(int(child) for child in text.split())
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(children(current))
    return pids


def field_kb(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of one live process, kB (0 once it is gone)."""
    return field_kb(f"/proc/{pid}/status", "VmRSS:"), field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")


def _stat_fields(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def process_cpu(pid: int) -> float:
    """CPU seconds a live process has used so far (0.0 once it is gone)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def exited(pid: int) -> bool:
    """Whether the child ``pid`` has ended, leaving it unreaped (so /proc still shows it)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def final_cpu(pid: int) -> tuple[float, float] | None:
    """CPU seconds of an ended, unreaped child: its own, and those of the children it reaped
    (the kernel's final figures, which polling a live process only approaches)."""
    fields = _stat_fields(pid)
    if not fields:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
