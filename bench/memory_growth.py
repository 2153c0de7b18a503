"""What grows with the number of posts in a crawl: per process, and by allocation site.

For each ``--posts`` size N it serves ``replica.world.build_world(scale=N)`` behind the replica
proxy (in this process, as ``bench/scale.py`` does) and runs ``python -m crawler crawl t2`` into
a fresh archive, with the settings of ``bench/scale.py``. It prints, per size:

- the peak RSS and PSS of each process of the crawl (the crawl process, each parse worker) and
  of their sum (polled from /proc every 0.1 s; the sum at its highest, as ``bench/scale.py``);
- with ``--trace``: the crawl process runs under ``tracemalloc``; a thread in it takes a snapshot
  whenever the traced memory reaches a new high (at most every ``--every`` seconds), with a count
  of the live objects by type (``gc.get_objects()``). The snapshot at the highest traced memory
  is kept for each phase: the crawl, until Scrapy's engine logs "Closing spider", and the close.
  Tracing slows the crawl down and adds its own memory: read the RSS of a run without
  ``--trace`` for the figures, and the traced run for where the memory goes.

With two sizes or more it then prints the growth from the smallest to the largest: of each
process's peak, and with ``--trace`` the allocation sites (``Snapshot.compare_to``, by line or
by ``--group traceback``) and object types that grew most.

    .venv/bin/python bench/memory_growth.py --posts 500,5000            # RSS/PSS per process
    .venv/bin/python bench/memory_growth.py --posts 500,2000 --trace    # where it grows
    options: --top 25, --frames 1, --group lineno|filename|traceback, --concurrency 32,
             --parse-workers N, --every 2, --keep DIR
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.proctree import exited, process_memory, tree
from bench.scale import SAMPLE_SECONDS, check_world, crawl_command
from replica.crawl import PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from replica.world import build_world

TRACED = "--traced"  # the crawl process's own mode: run the crawl under tracemalloc
PHASES = ("crawl", "close")  # before and after Scrapy's "Closing spider"


@dataclass
class Peaks:
    """Peak RSS and PSS (kB) of each process of one crawl, and of their sum."""

    returncode: int = 0
    wall: float = 0.0
    per_process: dict[str, tuple[int, int]] = field(default_factory=dict)  # role: (rss, pss)
    peak_at: dict[str, float] = field(default_factory=dict)  # role: seconds in, at its peak RSS
    total_rss_kb: int = 0
    total_pss_kb: int = 0
    snapshot: Path | None = None  # with --trace: the snapshot at the highest traced memory
    types: Path | None = None


def roles(root: int, pids: list[int], seen: dict[int, str]) -> dict[int, str]:
    """``main`` for the crawl process, ``worker N`` for each other process, in order seen."""
    for pid in pids:
        if pid not in seen:
            seen[pid] = "main" if pid == root else f"worker {len(seen)}"
    return seen


def crawl(posts: int, args: argparse.Namespace, base: Path) -> Peaks:
    world = build_world(scale=posts)
    sources = check_world(world, posts)
    archive = base / f"archive-{posts}"
    shutil.rmtree(archive, ignore_errors=True)
    log = base / f"crawl-{posts}.log"
    command = crawl_command(archive, log, args.concurrency, args.parse_workers)
    peaks = Peaks()
    if args.trace:
        peaks.snapshot = base / f"snapshot-{posts}.tracemalloc"
        peaks.types = base / f"types-{posts}.json"
        # [python, -m, crawler, ...] -> [python, this script, --traced, ..., --, ...]
        command = [
            command[0],
            str(Path(__file__).resolve()),
            TRACED,
            str(peaks.snapshot),
            str(peaks.types),
            str(args.frames),
            str(args.every),
            "--",
            *command[3:],
        ]
    with ReplicaWeb(world.sites) as web:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=crawl_env(web.proxy_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr: list[str] = []
        reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()))  # type: ignore[union-attr]
        reader.start()
        seen: dict[int, str] = {}
        per_pid: dict[int, tuple[int, int]] = {}
        peak_at: dict[int, float] = {}
        while not exited(process.pid):
            pids = tree(process.pid)
            roles(process.pid, pids, seen)
            now = {pid: process_memory(pid) for pid in pids}
            for pid, (rss, pss) in now.items():
                old = per_pid.get(pid, (0, 0))
                if rss > old[0]:
                    peak_at[pid] = time.perf_counter() - started
                per_pid[pid] = (max(old[0], rss), max(old[1], pss))
            peaks.total_rss_kb = max(peaks.total_rss_kb, sum(m[0] for m in now.values()))
            peaks.total_pss_kb = max(peaks.total_pss_kb, sum(m[1] for m in now.values()))
            time.sleep(SAMPLE_SECONDS)
        process.wait()
        reader.join()
        peaks.wall = time.perf_counter() - started
    peaks.returncode = process.returncode
    # A process seen once before it had any memory (a child just forked) is left out.
    peaks.per_process = {seen[pid]: figures for pid, figures in per_pid.items() if figures[0]}
    peaks.peak_at = {seen[pid]: moment for pid, moment in peak_at.items()}
    if process.returncode != 0:
        print(f"crawl {posts}: exit {process.returncode}\n{''.join(stderr)[-3000:]}")
    print(
        f"crawl of {posts} posts citing {sources} sources: {peaks.wall:.1f} s wall, exit "
        f"{peaks.returncode}{', traced' if args.trace else ''}; peak RSS of all processes "
        f"{peaks.total_rss_kb / 1024:.0f} MB (PSS {peaks.total_pss_kb / 1024:.0f})"
    )
    for role, (rss, pss) in sorted(peaks.per_process.items()):
        print(
            f"    {role:10s} peak RSS {rss / 1024:6.1f} MB, PSS {pss / 1024:6.1f} MB; RSS at its "
            f"highest {peaks.peak_at.get(role, 0.0):.1f} s in"
        )
    return peaks


def growth(first: int, small: Peaks, last: int, large: Peaks, args: argparse.Namespace) -> None:
    print(f"\ngrowth from {first} to {last} posts:")
    for role in sorted(set(small.per_process) & set(large.per_process)):
        (rss0, pss0), (rss1, pss1) = small.per_process[role], large.per_process[role]
        print(
            f"    {role:10s} RSS {rss0 / 1024:6.1f} -> {rss1 / 1024:6.1f} MB "
            f"({(rss1 - rss0) / 1024:+.1f}), PSS {pss0 / 1024:6.1f} -> {pss1 / 1024:6.1f} MB "
            f"({(pss1 - pss0) / 1024:+.1f})"
        )
    rss0, rss1 = small.total_rss_kb, large.total_rss_kb
    print(
        f"    {'all':10s} RSS {rss0 / 1024:6.1f} -> {rss1 / 1024:6.1f} MB "
        f"({100 * (rss1 - rss0) / rss0:+.0f} %)"
    )
    if not args.trace or not (small.snapshot and large.snapshot):
        return
    for phase in PHASES:
        where = (small.snapshot.with_name(f"{small.snapshot.name}.{phase}"),)
        where += (large.snapshot.with_name(f"{large.snapshot.name}.{phase}"),)
        if not all(path.exists() for path in where):
            print(f"\n({phase}: no tracemalloc snapshot of both sizes)")
            continue
        before, after = (tracemalloc.Snapshot.load(str(path)) for path in where)
        total = sum(stat.size for stat in after.statistics("filename"))
        print(
            f"\n{phase}: the crawl process at its highest traced memory ({total / 2**20:.1f} MB "
            f"at {last} posts): the {args.top} allocation sites that grew most since {first}"
        )
        for stat in after.compare_to(before, args.group)[: args.top]:
            frames = stat.traceback.format(limit=args.frames)
            site = frames[0].strip() if frames else "?"
            print(
                f"  {stat.size_diff / 2**20:+7.2f} MB {stat.count_diff:+8d} blocks "
                f"(now {stat.size / 2**20:6.2f} MB)  {site}"
            )
            for line in frames[1:]:
                print(f"  {'':37s}{line.strip()}")
        assert small.types is not None and large.types is not None
        counts0, counts1 = (
            Counter(json.loads(path.with_name(f"{path.name}.{phase}").read_text()))
            for path in (small.types, large.types)
        )
        grown = sorted(counts1, key=lambda name: counts1[name] - counts0[name], reverse=True)
        print(f"{phase}: live objects by type that grew most ({first} -> {last} posts):")
        for name in grown[: args.top]:
            change = counts1[name] - counts0[name]
            print(f"  {change:+9d}  {name} ({counts0[name]} -> {counts1[name]})")


# The crawl process, with --trace.


class _Closing(logging.Handler):
    """Sets ``event`` when Scrapy's engine logs that it is closing the spider."""

    def __init__(self, event: threading.Event) -> None:
        super().__init__()
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Closing spider"):
            self.event.set()


def traced(argv: list[str]) -> int:
    """Run ``python -m crawler ARGS`` here under tracemalloc, keeping the snapshot (and the live
    objects by type) at the highest traced memory of each phase: the crawl until Scrapy's engine
    starts closing the spider, then the close."""
    snapshot_path, types_path, frames, every = argv[:4]
    crawl_args = argv[argv.index("--") + 1 :]
    tracemalloc.start(int(frames))
    done, closing = threading.Event(), threading.Event()
    logging.getLogger("scrapy.core.engine").addHandler(_Closing(closing))

    def watch() -> None:
        highest = dict.fromkeys(PHASES, 0)
        while not done.wait(float(every)):
            phase = PHASES[1] if closing.is_set() else PHASES[0]
            current, _ = tracemalloc.get_traced_memory()
            if current <= highest[phase] * 1.02:
                continue
            highest[phase] = current
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            snapshot.dump(f"{snapshot_path}.{phase}")
            types = Counter(type(o).__qualname__ for o in gc.get_objects())
            Path(f"{types_path}.{phase}").write_text(json.dumps(types), encoding="utf-8")

    watcher = threading.Thread(target=watch, name="tracemalloc-watch", daemon=True)
    watcher.start()
    from crawler.cli import main as crawler_main

    try:
        return crawler_main(crawl_args)
    finally:
        done.set()
        watcher.join()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == TRACED:
        return traced(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="500,5000", help="sizes, comma-separated")
    parser.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    parser.add_argument(
        "--parse-workers", type=int, default=None, help="BITEXT_PARSE_WORKERS (default: setting)"
    )
    parser.add_argument("--trace", action="store_true", help="tracemalloc in the crawl process")
    parser.add_argument("--frames", type=int, default=1, help="frames kept per allocation")
    parser.add_argument("--group", choices=("lineno", "filename", "traceback"), default="lineno")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between snapshots")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--keep", type=Path, help="keep archives, logs and snapshots here")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.posts.split(","))
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    base.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f}; work dir {base}")
    measured = [(posts, crawl(posts, args, base)) for posts in sizes]
    if len(measured) > 1:
        (first, small), (last, large) = measured[0], measured[-1]
        growth(first, small, last, large, args)
    print(f"load average after {os.getloadavg()[0]:.2f} (1 min)")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
