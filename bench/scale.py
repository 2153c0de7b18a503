"""Crawl throughput, memory and incremental cost on a large generated replica (synthetic pages).

For each ``--posts`` size it serves ``replica.world.build_world(scale=N)`` (N generated posts, each
citing its own source article) behind the replica proxy, in this process, and measures:

(a) the real crawl, ``python -m crawler crawl t2`` in a subprocess with politeness delays off:
    wall time, pages/s over the proxy log, peak memory of its process tree (the crawl and any
    parsing workers; RSS and PSS polled from /proc, plus ``ru_maxrss`` of the largest process);
(b) a fetch-only Scrapy spider (``bench/fetch_only.py``, nothing of the project's) over exactly the
    URLs the crawl fetched, in its own process, through the same proxy, at the same concurrency;
(c) ``python -m crawler rebuild DIR --workers 2`` against plain ``trafilatura.extract`` over the
    same post and source pages in a 2-process pool (payloads read from the WARC files first; only
    the extraction is timed, after the workers have started);
(d) a second crawl of the unchanged replica into the same archive: the requests it makes.

(b)-(d) run on the largest size only; (a) and (b) alternate ``--repeat`` times there (the ratio
is their median), so that both see the same load from whatever else the machine runs. The replica
proxy runs in this process (threads), apart from the crawl's; (a) and (b) both go through it, so
its CPU time is in both figures, and it is printed apart.

    .venv/bin/python bench/scale.py --posts 500,2000 [--repeat 3] [--parse-workers N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.proctree import Memory, cpu_seconds, field_kb, process_cpu, tree
from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb, RequestRecord
from replica.world import T2_BLOG, World, build_world

TARGET_CRAWL_RATIO = 0.8
TARGET_REBUILD_RATIO = 0.8
TARGET_PEAK_MB = 300.0


@dataclass
class Run:
    label: str
    wall: float
    returncode: int
    requests: list[RequestRecord]
    memory: Memory = field(default_factory=Memory)
    cpu: float = 0.0  # CPU seconds of the process tree (user + system), workers included
    main_cpu: float = 0.0  # of these, the crawl process's own (last seen in /proc)
    proxy_cpu: float = 0.0  # CPU seconds of this process meanwhile: the replica proxy

    def cpu_ms_per_page(self, seconds: float) -> float:
        return 1000 * seconds / len(self.fetches) if self.fetches else 0.0

    @property
    def fetches(self) -> list[RequestRecord]:
        return [r for r in self.requests if r["method"] != "CONNECT"]

    @property
    def span(self) -> float:
        times = [datetime.fromisoformat(r["time"]) for r in self.fetches]
        return (max(times) - min(times)).total_seconds() if len(times) > 1 else 0.0

    @property
    def pages_per_second(self) -> float:
        return len(self.fetches) / self.span if self.span else 0.0


def run_measured(command: Sequence[str], env: dict[str, str], label: str, web: ReplicaWeb) -> Run:
    """Run ``command`` to its end, polling its process tree's memory; the proxy log it made."""
    web.clear()
    memory = Memory()
    children_before, self_before = (
        cpu_seconds(resource.RUSAGE_CHILDREN),
        cpu_seconds(resource.RUSAGE_SELF),
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    main_cpu = 0.0
    while process.poll() is None:
        pids = tree(process.pid)
        main_cpu = process_cpu(process.pid) or main_cpu
        rss = sum(field_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
        pss = sum(field_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
        memory.rss_kb = max(memory.rss_kb, rss)
        memory.pss_kb = max(memory.pss_kb, pss)
        memory.processes = max(memory.processes, len(pids))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    reader.join()
    memory.maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode != 0:
        print(f"{label}: exit {process.returncode}\n{''.join(stderr)[-3000:]}", file=sys.stderr)
    run = Run(label, wall, process.returncode, web.requests, memory)
    # Grandchildren (parsing workers) count once the crawl has waited for them, as it does.
    run.cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_before
    run.proxy_cpu = cpu_seconds(resource.RUSAGE_SELF) - self_before
    run.main_cpu = main_cpu
    return run


def cpu_text(run: Run) -> str:
    return (
        f"CPU per page: {run.cpu_ms_per_page(run.cpu):.1f} ms in the crawl's processes "
        f"({run.cpu_ms_per_page(run.main_cpu):.1f} in the main one), "
        f"{run.cpu_ms_per_page(run.proxy_cpu):.1f} ms in the proxy; "
        f"{(run.cpu + run.proxy_cpu) / run.wall:.2f} cores busy on average"
    )


def crawl_command(archive: Path, log: Path, concurrency: int, workers: int | None) -> list[str]:
    settings = {
        **FAST_SETTINGS,
        "CONCURRENT_REQUESTS": str(concurrency),
        "LOG_LEVEL": "INFO",
        "PROGRESS_INTERVAL": "0",
    }
    if workers is not None:
        settings["BITEXT_PARSE_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(archive)]
    command += ["--log-file", str(log)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def check_world(world: World, posts: int) -> int:
    cases = world.cases[T2_BLOG]
    sources = {url for case in cases for url in case.sources}
    if len(cases) != posts:
        raise SystemExit(f"build_world(scale={posts}) made {len(cases)} posts")
    return len(sources)


def plain_extract(html: bytes) -> int:
    import trafilatura

    return len(trafilatura.extract(html) or "")


def _warm(_: int) -> int:
    import trafilatura

    return len(trafilatura.extract("<html><body><p>warm</p></body></html>") or "")


def extraction_baseline(archive: Path, workers: int) -> tuple[int, float]:
    """(pages, pages/s) of plain ``trafilatura.extract`` over the pages a rebuild reads."""
    from crawler.archive.naming import closed_warc_files
    from crawler.archive.pointer import WarcPointer
    from crawler.rebuild import read_payload, reads_page, scan_crawl_log

    pages = [
        read_payload(archive, WarcPointer.from_dict(entry.fields["warc"]))
        for path in closed_warc_files(archive)
        for entry in scan_crawl_log(path)
        if reads_page(entry) and not entry.fields.get("truncated")
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_warm, range(workers * 2)))  # workers started, trafilatura imported
        started = time.perf_counter()
        chunksize = max(1, min(32, len(pages) // (workers * 4)))
        list(pool.map(plain_extract, pages, chunksize=chunksize))
        elapsed = time.perf_counter() - started
    return len(pages), len(pages) / elapsed


def rebuild(archive: Path, workers: int) -> tuple[float, float, str]:
    """(pages/s as the command reports it, wall seconds, its summary line)."""
    output = archive.parent / "rebuilt.jsonl"
    command = [sys.executable, "-m", "crawler", "rebuild", str(archive)]
    command += ["--workers", str(workers), "-o", str(output)]
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, env=crawl_env("")
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"rebuild failed:\n{result.stderr}")
    line = result.stdout.splitlines()[0]
    rate = float(line.split(" pages/s")[0].rsplit("(", 1)[1])
    return rate, wall, line


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def kinds(run: Run) -> Counter[str]:
    counted: Counter[str] = Counter()
    for record in run.fetches:
        path = record["path"]
        if path.startswith("/robots.txt"):
            counted["robots.txt"] += 1
        elif "sitemap" in path:
            counted["sitemap"] += 1
        elif "/feeds/" in path:
            counted["feed"] += 1
        elif record["host"] == T2_BLOG.split("/")[2]:
            counted["post"] += 1
        else:
            counted["source"] += 1
    return counted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="500,2000", help="sizes, comma-separated")
    parser.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    parser.add_argument(
        "--parse-workers", type=int, default=None, help="BITEXT_PARSE_WORKERS (default: setting)"
    )
    parser.add_argument("--rebuild-workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=3, help="crawl and fetch-only runs of the largest size"
    )
    parser.add_argument("--keep", type=Path, help="keep archives and logs in this directory")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.posts.split(","))
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} {load_before[1]:.2f}")
    workers = "default" if args.parse_workers is None else args.parse_workers
    print(f"work directory {base}; BITEXT_PARSE_WORKERS={workers}")

    crawls: dict[int, list[Run]] = {}
    fetches: list[Run] = []
    for posts in sizes:
        world = build_world(scale=posts)
        sources = check_world(world, posts)
        archive = base / f"archive-{posts}"
        largest = posts == sizes[-1]
        with ReplicaWeb(world.sites) as web:
            env = crawl_env(web.proxy_url)
            # The machine is shared: (a) and (b) alternate, so that both see the same load.
            for turn in range(args.repeat if largest else 1):
                shutil.rmtree(archive, ignore_errors=True)  # else the crawl is incremental
                log = base / f"crawl-{posts}-{turn}.log"
                command = crawl_command(archive, log, args.concurrency, args.parse_workers)
                crawl = run_measured(command, env, f"crawl {posts}", web)
                crawls.setdefault(posts, []).append(crawl)
                print(
                    f"(a) crawl of {posts} posts citing {sources} sources: {len(crawl.fetches)} "
                    f"requests in {crawl.wall:.1f} s wall, {crawl.pages_per_second:.1f} pages/s "
                    f"over the proxy log; peak tree RSS {crawl.memory.rss_mb:.0f} MB, PSS "
                    f"{crawl.memory.pss_kb / 1024:.0f} MB, {crawl.memory.processes} "
                    f"process(es), largest process {crawl.memory.maxrss_kb / 1024:.0f} MB "
                    f"(ru_maxrss); exit {crawl.returncode}"
                )
                print(f"    {cpu_text(crawl)}")
                if not largest:
                    continue
                fetch = fetch_only(crawl, base, env, args.concurrency, web)
                fetches.append(fetch)
                print(
                    f"(b) fetch-only spider, same {len(fetch.fetches)} URLs: {fetch.wall:.1f} s "
                    f"wall, {fetch.pages_per_second:.1f} pages/s over the proxy log; exit "
                    f"{fetch.returncode}"
                )
                print(f"    {cpu_text(fetch)}")
            if not largest:
                continue
            log = base / f"crawl-{posts}-again.log"
            command = crawl_command(archive, log, args.concurrency, args.parse_workers)
            again = run_measured(command, env, "incremental crawl", web)
            print(
                f"(d) second crawl of the unchanged replica: {len(again.fetches)} requests "
                f"({', '.join(f'{k} {v}' for k, v in sorted(kinds(again).items()))}); "
                f"exit {again.returncode}"
            )
        rebuild_rate, _, line = rebuild(archive, args.rebuild_workers)
        print(f"(c) rebuild --workers {args.rebuild_workers}: {line}")
        pages, plain_rate = extraction_baseline(archive, args.rebuild_workers)
        print(
            f"(c) plain trafilatura.extract, {args.rebuild_workers}-process pool, same {pages} "
            f"pages: {plain_rate:.1f} pages/s"
        )

    pairs = list(zip(crawls[sizes[-1]], fetches, strict=True))
    ratios = sorted(crawl.pages_per_second / fetch.pages_per_second for crawl, fetch in pairs)
    crawl_ratio = statistics.median(ratios)
    wall_ratio = statistics.median(
        (len(c.fetches) / c.wall) / (len(f.fetches) / f.wall) for c, f in pairs
    )
    rebuild_ratio = rebuild_rate / plain_rate
    peaks = {n: max(run.memory.rss_mb for run in runs) for n, runs in crawls.items()}
    pss = {n: max(run.memory.pss_kb for run in runs) / 1024 for n, runs in crawls.items()}
    growth = peaks[sizes[-1]] - peaks[sizes[0]]
    load_after = os.getloadavg()
    rates = "; ".join(f"{c.pages_per_second:.1f} / {f.pages_per_second:.1f}" for c, f in pairs)
    print()
    print(f"| figure ({sizes[-1]} posts) | measured | target | |")
    print("|---|---|---|---|")
    print(
        f"| crawl vs fetch-only spider, pages/s (median of {len(pairs)}) | {rates}: "
        f"{crawl_ratio:.2f}x (by wall time {wall_ratio:.2f}x) | >= {TARGET_CRAWL_RATIO}x | "
        f"{verdict(crawl_ratio >= TARGET_CRAWL_RATIO)} |"
    )
    print(
        f"| rebuild vs plain extraction pool, pages/s | {rebuild_rate:.1f} / {plain_rate:.1f}: "
        f"{rebuild_ratio:.2f}x | >= {TARGET_REBUILD_RATIO}x | "
        f"{verdict(rebuild_ratio >= TARGET_REBUILD_RATIO)} |"
    )
    sizes_text = ", ".join(f"{n} posts {peaks[n]:.0f} MB (PSS {pss[n]:.0f})" for n in peaks)
    print(
        f"| peak RSS of the crawl's processes | {sizes_text}; growth {growth:+.0f} MB | <= "
        f"{TARGET_PEAK_MB:.0f} MB | {verdict(max(peaks.values()) <= TARGET_PEAK_MB)} |"
    )
    print(f"| requests of a second, incremental crawl | {len(again.fetches)} | - | - |")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    return 0


def fetch_only(
    crawl: Run, base: Path, env: dict[str, str], concurrency: int, web: ReplicaWeb
) -> Run:
    url_file = base / "urls.txt"
    url_file.write_text("".join(r["url"] + "\n" for r in crawl.fetches), encoding="utf-8")
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "fetch_only.py"), str(url_file)]
    command += ["--concurrency", str(concurrency)]
    command += ["--per-domain", FAST_SETTINGS["CONCURRENT_REQUESTS_PER_DOMAIN"]]
    return run_measured(command, env, "fetch-only", web)


if __name__ == "__main__":
    sys.exit(main())
