"""Crawl speed, CPU, memory and close time on a large generated replica, against the essential work.

For each ``--posts`` size N it serves ``replica.world.build_world(scale=N)`` (N generated posts,
each citing its own source article) behind the replica proxy, in this process, and runs:

(a) the real crawl, ``python -m crawler crawl t2`` in a subprocess with politeness delays off,
    into a fresh archive: pages/s over the proxy log; CPU per page of the crawl process and of
    its parse workers (the kernel's final figures, read when the crawl has ended but is not yet
    reaped: its own time and its reaped children's, the workers polled from /proc as a floor;
    and, from the samples, the CPU between the first request and the last: no start-up or close);
    peak RSS of all its processes together (the sum over the process tree at each 0.1 s sample,
    the highest sum), and PSS the same way; the close time, from the crawl's last item (its last
    crawl-log record, written on ``item_scraped``: WARC-Date, microseconds) to the end of
    ``spider_closed`` (Scrapy's "Spider closed" line, logged after every handler and the stats
    dump; the log is written with epoch times to the millisecond for this); the garbage
    collections of the crawl process and their CPU per page, from its stats
    (``crawler/extensions/gc_tuning.py``);
(b) a fetch-only Scrapy spider (``bench/fetch_only.py``, nothing of the project's) over exactly the
    URLs the crawl fetched, in its own process, through the same proxy, at the same concurrency.
    (a) and (b) alternate ``--repeat`` times, so that both see the same load from whatever else
    the machine runs; the figures are medians, the crawl / fetch-only ratio the median of the
    turns' ratios, peak memory the highest;
(e) the essential work, on the pages of the last crawl's WARC files (``bench/essential.py``: a
    sample of ``--sample`` posts and sources, median CPU per call): the fetch-only spider's CPU
    per page, lxml parse of each post, ``trafilatura.bare_extraction(fast=True)`` of each source,
    gzip + SHA-1 of each page's record, ``json.dumps`` of each manifest line, summed per page;
(d) a second crawl of the unchanged replica into the same archive: the requests it makes;
(c) on the largest size only (unless ``--no-rebuild``): ``python -m crawler rebuild --from-log
    DIR --workers 2`` against plain ``trafilatura.extract`` over the same post and source pages in
    a 2-process pool (payloads read from the WARC files first; only the extraction is timed), and
    the wall time of the default rebuild (the crawl again, ``--via-crawl``) beside it.

The replica proxy runs in this process (threads), apart from the crawl's; (a) and (b) both go
through it, so its CPU time is in neither figure, and it is printed apart. A table of every
figure by size, with the targets of issue 13 beside them, ends the output; with two sizes or
more, the peak memory's growth from the smallest to the largest says whether it is flat.

    .venv/bin/python bench/scale.py --posts 500 --repeat 1            # a first reading, minutes
    .venv/bin/python bench/scale.py --posts 500,2000 [--repeat 3]     # the figures of issue 13
    .venv/bin/python bench/scale.py --posts 500,2000,5000             # memory flat with size?
    options: --parse-workers N, --concurrency 32, --sample 200, --no-rebuild, --keep DIR
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.essential import Essential, measure, scan_archive
from bench.proctree import Memory, cpu_seconds, exited, field_kb, final_cpu, process_cpu, tree
from replica.crawl import FAST_SETTINGS, PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb, RequestRecord
from replica.world import T2_BLOG, World, build_world

# The targets of issue 13.
TARGET_CPU_MS = 15.0  # CPU per page, all processes
TARGET_CPU_VS_ESSENTIAL = 1.25
TARGET_CRAWL_RATIO = 0.6  # crawl / fetch-only, pages/s
TARGET_CLOSE_S = 2.0
TARGET_CLOSE_POSTS = 2000  # the close target is set at this size; smaller crawls must meet it too
TARGET_PEAK_MB = 300.0
FLAT_GROWTH = 0.10  # "flat": the largest size's peak at most 10 % above the smallest's
TARGET_REBUILD_RATIO = 0.8

# Epoch seconds to the millisecond: log lines that can be set against WARC-Dates.
LOG_FORMAT = "%(created).3f [%(name)s] %(levelname)s: %(message)s"
ENGINE_LINE = re.compile(
    r"^(\d+\.\d+) \[scrapy\.core\.engine\] INFO: (Closing spider|Spider closed)"
)
SAMPLE_SECONDS = 0.1
# In the stats Scrapy dumps at the end of the log.
GC_COLLECTIONS = re.compile(r"'gc/collections/(\d)': (\d+)")
GC_SECONDS = re.compile(r"'gc/cpu_seconds': ([\d.]+)")


@dataclass
class Close:
    """Epoch times of the crawl's end, from its archive and its log."""

    last_item: float | None = None  # the last crawl-log record
    closing: float | None = None  # "Closing spider": the engine found nothing left to do
    closed: float | None = None  # "Spider closed": every spider_closed handler done
    ended: float = 0.0  # the process was seen gone (within SAMPLE_SECONDS)

    @property
    def seconds(self) -> float | None:
        if self.last_item is None or self.closed is None:
            return None
        return self.closed - self.last_item


@dataclass
class Run:
    label: str
    wall: float
    returncode: int
    requests: list[RequestRecord]
    memory: Memory = field(default_factory=Memory)
    main_cpu: float = 0.0  # CPU seconds (user + system) of the process itself
    workers_cpu: float = 0.0  # of its descendants (the parse workers)
    proxy_cpu: float = 0.0  # CPU seconds of this process meanwhile: the replica proxy
    close: Close = field(default_factory=Close)
    # (epoch time, CPU seconds of the tree so far) at each sample, from /proc
    cpu_series: list[tuple[float, float]] = field(default_factory=list)
    # The crawl's garbage collections by generation and their CPU seconds (its stats, from
    # crawler/extensions/gc_tuning.py); empty when the crawl did not count them.
    gc_collections: list[int] = field(default_factory=list)
    gc_seconds: float | None = None

    @property
    def cpu(self) -> float:
        return self.main_cpu + self.workers_cpu

    def ms_per_page(self, seconds: float) -> float:
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

    @property
    def steady_ms_per_page(self) -> float:
        """CPU per page from the first request to the last: no start-up, no close."""
        times = [datetime.fromisoformat(r["time"]).timestamp() for r in self.fetches]
        if len(times) < 2 or len(self.cpu_series) < 2:
            return 0.0
        spent = cpu_at(self.cpu_series, max(times)) - cpu_at(self.cpu_series, min(times))
        return 1000 * spent / len(times)


def cpu_at(series: list[tuple[float, float]], moment: float) -> float:
    """The tree's CPU seconds at ``moment``, interpolated between samples."""
    index = bisect.bisect_left(series, moment, key=lambda sample: sample[0])
    if index == 0:
        return series[0][1]
    if index == len(series):
        return series[-1][1]
    (t0, c0), (t1, c1) = series[index - 1], series[index]
    return c0 + (c1 - c0) * (moment - t0) / (t1 - t0) if t1 > t0 else c1


def run_measured(command: Sequence[str], env: dict[str, str], label: str, web: ReplicaWeb) -> Run:
    """Run ``command`` to its end, polling its process tree; the proxy log it made."""
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
    seen_cpu: dict[int, float] = {}  # last CPU seconds seen of each process of the tree
    series: list[tuple[float, float]] = []
    while not exited(process.pid):
        pids = tree(process.pid)
        for pid in pids:
            seen_cpu[pid] = process_cpu(pid) or seen_cpu.get(pid, 0.0)
        series.append((time.time(), sum(seen_cpu.values())))
        rss = sum(field_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
        pss = sum(field_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
        memory.rss_kb = max(memory.rss_kb, rss)
        memory.pss_kb = max(memory.pss_kb, pss)
        memory.processes = max(memory.processes, len(pids))
        time.sleep(SAMPLE_SECONDS)
    ended = time.time()
    final = final_cpu(process.pid)  # before the wait below reaps it
    process.wait()
    wall = time.perf_counter() - started
    reader.join()
    memory.maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode != 0:
        print(f"{label}: exit {process.returncode}\n{''.join(stderr)[-3000:]}", file=sys.stderr)
    run = Run(label, wall, process.returncode, web.requests, memory)
    run.proxy_cpu = cpu_seconds(resource.RUSAGE_SELF) - self_before
    run.close.ended = ended
    run.cpu_series = series
    sampled_workers = sum(cpu for pid, cpu in seen_cpu.items() if pid != process.pid)
    if final is not None:
        # A worker the crawl did not reap is not in its children's time: the samples are.
        run.main_cpu, reaped = final
        run.workers_cpu = max(reaped, sampled_workers)
    else:
        run.main_cpu = seen_cpu.get(process.pid, 0.0)
        run.workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_before - run.main_cpu
    return run


def read_close(run: Run, archive: Path, log: Path) -> None:
    run.close.last_item = scan_archive(archive).last_item
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    text = "\n".join(lines)
    run.gc_collections = [int(n) for _, n in sorted(GC_COLLECTIONS.findall(text))]
    spent = GC_SECONDS.search(text)
    run.gc_seconds = float(spent[1]) if spent else None
    for line in lines:
        match = ENGINE_LINE.match(line)
        if match is None:
            continue
        if match[2] == "Closing spider":
            run.close.closing = float(match[1])
        else:
            run.close.closed = float(match[1])


def crawl_command(archive: Path, log: Path, concurrency: int, workers: int | None) -> list[str]:
    settings = {
        **FAST_SETTINGS,
        "CONCURRENT_REQUESTS": str(concurrency),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": LOG_FORMAT,
        "PROGRESS_INTERVAL": "0",
    }
    if workers is not None:
        settings["BITEXT_PARSE_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(archive)]
    command += ["--log-file", str(log)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def fetch_only(
    crawl: Run, base: Path, env: dict[str, str], concurrency: int, web: ReplicaWeb
) -> Run:
    url_file = base / "urls.txt"
    url_file.write_text("".join(r["url"] + "\n" for r in crawl.fetches), encoding="utf-8")
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "fetch_only.py"), str(url_file)]
    command += ["--concurrency", str(concurrency)]
    command += ["--per-domain", FAST_SETTINGS["CONCURRENT_REQUESTS_PER_DOMAIN"]]
    return run_measured(command, env, "fetch-only", web)


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


def rebuild(archive: Path, workers: int, way: str = "--from-log") -> tuple[float, float, str]:
    """(pages/s as ``rebuild --from-log`` reports it, else 0, wall seconds, its summary line);
    ``way``: ``--from-log`` or ``--via-crawl``."""
    output = archive.parent / "rebuilt.jsonl"
    command = [sys.executable, "-m", "crawler", "rebuild", way, str(archive)]
    command += ["--workers", str(workers), "-o", str(output)]
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, env=crawl_env("")
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"rebuild failed:\n{result.stderr}")
    line = result.stdout.splitlines()[0]
    rate = float(line.split(" pages/s")[0].rsplit("(", 1)[1]) if " pages/s" in line else 0.0
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


@dataclass
class Size:
    """Every run of one size, and what was measured on them."""

    posts: int
    sources: int
    crawls: list[Run] = field(default_factory=list)
    fetches: list[Run] = field(default_factory=list)
    essential: Essential | None = None
    again: Run | None = None

    def median(self, figure: Callable[[Run], float], runs: list[Run] | None = None) -> float:
        return statistics.median(figure(run) for run in (self.crawls if runs is None else runs))

    @property
    def ratio(self) -> float:
        pairs = zip(self.crawls, self.fetches, strict=True)
        return statistics.median(c.pages_per_second / f.pages_per_second for c, f in pairs)

    @property
    def fetch_ms(self) -> float:
        """The bare Scrapy fetch: the fetch-only spider's CPU per page."""
        return self.median(lambda f: f.ms_per_page(f.cpu), self.fetches)

    @property
    def cpu_ms(self) -> float:
        return self.median(lambda c: c.ms_per_page(c.cpu))

    @property
    def essential_ms(self) -> float:
        assert self.essential is not None
        return self.essential.per_page(self.fetch_ms, len(self.crawls[-1].fetches))

    @property
    def close_s(self) -> float | None:
        found = [c.close.seconds for c in self.crawls if c.close.seconds is not None]
        return statistics.median(found) if found else None

    @property
    def peak_mb(self) -> float:
        return max(c.memory.rss_mb for c in self.crawls)


def measure_size(posts: int, args: argparse.Namespace, base: Path, rebuild_too: bool) -> Size:
    world = build_world(scale=posts)
    size = Size(posts, check_world(world, posts))
    archive = base / f"archive-{posts}"
    with ReplicaWeb(world.sites) as web:
        env = crawl_env(web.proxy_url)
        # The machine is shared: (a) and (b) alternate, so that both see the same load.
        for turn in range(args.repeat):
            shutil.rmtree(archive, ignore_errors=True)  # else the crawl is incremental
            log = base / f"crawl-{posts}-{turn}.log"
            command = crawl_command(archive, log, args.concurrency, args.parse_workers)
            crawl = run_measured(command, env, f"crawl {posts}", web)
            read_close(crawl, archive, log)
            size.crawls.append(crawl)
            close = crawl.close
            print(
                f"(a) crawl of {posts} posts citing {size.sources} sources: "
                f"{len(crawl.fetches)} requests in {crawl.wall:.1f} s wall, "
                f"{crawl.pages_per_second:.1f} pages/s over the proxy log; peak RSS "
                f"{crawl.memory.rss_mb:.0f} MB (PSS {crawl.memory.pss_kb / 1024:.0f}) over "
                f"{crawl.memory.processes} process(es); close {seconds(close.seconds)} s; exit "
                f"{crawl.returncode}"
            )
            print(f"    {cpu_text(crawl)}")
            if crawl.gc_seconds is not None:
                print(
                    f"    garbage collections by generation {crawl.gc_collections}: "
                    f"{crawl.ms_per_page(crawl.gc_seconds):.2f} ms CPU per page"
                )
            fetch = fetch_only(crawl, base, env, args.concurrency, web)
            size.fetches.append(fetch)
            print(
                f"(b) fetch-only spider, same {len(fetch.fetches)} URLs: {fetch.wall:.1f} s "
                f"wall, {fetch.pages_per_second:.1f} pages/s over the proxy log; exit "
                f"{fetch.returncode}"
            )
            print(f"    {cpu_text(fetch)}")
        size.essential = measure(archive, args.sample)
        print(f"(e) essential work: {essential_text(size)}")
        log = base / f"crawl-{posts}-again.log"
        command = crawl_command(archive, log, args.concurrency, args.parse_workers)
        size.again = run_measured(command, env, "incremental crawl", web)
        print(
            f"(d) second crawl of the unchanged replica: {len(size.again.fetches)} requests "
            f"({', '.join(f'{k} {v}' for k, v in sorted(kinds(size.again).items()))}); "
            f"exit {size.again.returncode}"
        )
    if rebuild_too:
        rebuild_rate, wall, line = rebuild(archive, args.rebuild_workers)
        workers = args.rebuild_workers
        print(f"(c) rebuild --from-log --workers {workers}: {line} ({wall:.1f} s wall)")
        _, crawl_wall, crawl_line = rebuild(archive, args.rebuild_workers, "--via-crawl")
        print(
            f"(c) rebuild (the crawl again, the default) --workers {args.rebuild_workers}: "
            f"{crawl_line} ({crawl_wall:.1f} s wall, {crawl_wall / wall:.1f}x --from-log's)"
        )
        pages, plain_rate = extraction_baseline(archive, args.rebuild_workers)
        ratio = rebuild_rate / plain_rate
        print(
            f"(c) plain trafilatura.extract, {args.rebuild_workers}-process pool, same {pages} "
            f"pages: {plain_rate:.1f} pages/s; rebuild / plain {ratio:.2f}x (target >= "
            f"{TARGET_REBUILD_RATIO}x: {verdict(ratio >= TARGET_REBUILD_RATIO)})"
        )
    return size


def seconds(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def cpu_text(run: Run) -> str:
    return (
        f"CPU per page: {run.ms_per_page(run.cpu):.1f} ms ({run.ms_per_page(run.main_cpu):.1f} "
        f"main process, {run.ms_per_page(run.workers_cpu):.1f} workers), "
        f"{run.steady_ms_per_page:.1f} from the first request to the last; "
        f"{run.ms_per_page(run.proxy_cpu):.1f} ms in the proxy; "
        f"{(run.cpu + run.proxy_cpu) / run.wall:.2f} cores busy on average"
    )


def essential_text(size: Size) -> str:
    found = size.essential
    assert found is not None
    pages = len(size.crawls[-1].fetches)
    share = {
        "lxml": found.posts * found.lxml_post,
        "extraction": found.sources * found.extract_source,
        "gzip+sha1": found.posts * found.gzip_post + found.sources * found.gzip_source,
        "JSON": found.pairs * found.json_line,
    }
    parts = " + ".join(f"{name} {total / pages:.2f}" for name, total in share.items())
    return (
        f"{size.essential_ms:.1f} ms per page = fetch {size.fetch_ms:.1f} + {parts}; per call "
        f"(median, {found.sampled} pages timed): lxml {found.lxml_post:.2f} per post, "
        f"extraction {found.extract_source:.2f} per source, gzip+sha1 {found.gzip_post:.2f} "
        f"per post / {found.gzip_source:.2f} per source, JSON {found.json_line:.3f} per pair "
        f"({found.posts} posts, {found.sources} sources, {found.pairs} pairs, {pages} pages)"
    )


def table(sizes: list[Size], repeat: int) -> list[str]:
    """The figures by size (medians of ``repeat`` turns), targets beside them."""

    def row(figure: str, cells: Sequence[str], target: str) -> str:
        return f"| {figure} | {' | '.join(cells)} | {target} |"

    lines = [
        row("figure", [f"{s.posts} posts" for s in sizes], "target"),
        row("---", ["---"] * len(sizes), "---"),
        row("crawl, pages/s", [f"{s.median(lambda r: r.pages_per_second):.1f}" for s in sizes], ""),
        row(
            "fetch-only spider, pages/s",
            [f"{s.median(lambda r: r.pages_per_second, s.fetches):.1f}" for s in sizes],
            "",
        ),
        row(
            "crawl / fetch-only",
            [mark(f"{s.ratio:.2f}x", s.ratio >= TARGET_CRAWL_RATIO) for s in sizes],
            f">= {TARGET_CRAWL_RATIO}x",
        ),
        row(
            "CPU ms per page: crawl main process",
            [f"{s.median(lambda r: r.ms_per_page(r.main_cpu)):.1f}" for s in sizes],
            "",
        ),
        row(
            "CPU ms per page: parse workers",
            [f"{s.median(lambda r: r.ms_per_page(r.workers_cpu)):.1f}" for s in sizes],
            "",
        ),
        row(
            "CPU ms per page: total",
            [mark(f"{s.cpu_ms:.1f}", s.cpu_ms <= TARGET_CPU_MS) for s in sizes],
            f"<= {TARGET_CPU_MS:.0f}",
        ),
        row(
            "- total, first request to last (no start-up, no close)",
            [f"{s.median(lambda r: r.steady_ms_per_page):.1f}" for s in sizes],
            "",
        ),
        row("essential work, ms per page", [f"{s.essential_ms:.1f}" for s in sizes], ""),
        row(
            "- of it: bare Scrapy fetch (fetch-only CPU per page)",
            [f"{s.fetch_ms:.1f}" for s in sizes],
            "",
        ),
        row(
            "crawl CPU / essential",
            [
                mark(
                    f"{s.cpu_ms / s.essential_ms:.2f}x",
                    s.cpu_ms <= TARGET_CPU_VS_ESSENTIAL * s.essential_ms,
                )
                for s in sizes
            ],
            f"<= {TARGET_CPU_VS_ESSENTIAL}x",
        ),
        row(
            "peak RSS of all the crawl's processes, MB (PSS)",
            [
                mark(
                    f"{s.peak_mb:.0f} ({max(r.memory.pss_kb for r in s.crawls) / 1024:.0f}), "
                    f"{max(r.memory.processes for r in s.crawls)} proc.",
                    s.peak_mb <= TARGET_PEAK_MB,
                )
                for s in sizes
            ],
            f"<= {TARGET_PEAK_MB:.0f}",
        ),
        row(
            "close, s: last item to end of spider_closed",
            [close_cell(s) for s in sizes],
            f"<= {TARGET_CLOSE_S:.0f} at {TARGET_CLOSE_POSTS:,} posts",
        ),
        row(
            "requests of an unchanged re-crawl",
            [recrawl_cell(s) for s in sizes],
            "robots.txt, sitemaps, feeds only",
        ),
        row(
            "CPU ms per page in the proxy (crawl)",
            [f"{s.median(lambda r: r.ms_per_page(r.proxy_cpu)):.1f}" for s in sizes],
            "",
        ),
    ]
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        growth = last.peak_mb - first.peak_mb
        flat = last.peak_mb <= first.peak_mb * (1 + FLAT_GROWTH)
        lines.append(
            f"peak RSS from {first.posts} to {last.posts} posts: {first.peak_mb:.0f} -> "
            f"{last.peak_mb:.0f} MB ({growth:+.0f} MB, {100 * growth / first.peak_mb:+.0f} %); "
            f"flat (<= +{100 * FLAT_GROWTH:.0f} %): {verdict(flat)}"
        )
    lines.append(f"medians of {repeat} turn(s); peak memory the highest")
    return lines


def close_cell(size: Size) -> str:
    value = size.close_s
    if value is None:
        return "?"
    ok = value <= TARGET_CLOSE_S if size.posts <= TARGET_CLOSE_POSTS else None
    # Where it goes: the engine noticing the end, then the close itself (pipelines, handlers).
    parts = [
        (
            c.close.closing - c.close.last_item,
            c.close.closed - c.close.closing,
            c.close.ended - c.close.closed,
        )
        for c in size.crawls
        if c.close.last_item and c.close.closing and c.close.closed
    ]
    detail = ""
    if parts:
        idle, closing, leaving = (statistics.median(p[i] for p in parts) for i in range(3))
        detail = (
            f" ({idle:.2f} to 'Closing spider', {closing:.2f} closing; the process ends "
            f"{leaving:.1f} later)"
        )
    return mark(f"{value:.2f}{detail}", ok)


def mark(text: str, ok: bool | None) -> str:
    return text if ok is None else f"{text} {verdict(ok)}"


def recrawl_cell(size: Size) -> str:
    if size.again is None:
        return "-"
    counted = kinds(size.again)
    pages = counted["post"] + counted["source"]
    return f"{len(size.again.fetches)} ({pages} posts/sources) {verdict(pages == 0)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="500,2000", help="sizes, comma-separated")
    parser.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    parser.add_argument(
        "--parse-workers", type=int, default=None, help="BITEXT_PARSE_WORKERS (default: setting)"
    )
    parser.add_argument("--rebuild-workers", type=int, default=2)
    parser.add_argument(
        "--no-rebuild", action="store_true", help="leave out (c), the rebuild comparison"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="crawl and fetch-only turns of each size"
    )
    parser.add_argument(
        "--sample", type=int, default=200, help="posts and sources timed for the essential work"
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
    measured = [
        measure_size(posts, args, base, rebuild_too=not args.no_rebuild and posts == sizes[-1])
        for posts in sizes
    ]
    load_after = os.getloadavg()
    print()
    print("\n".join(table(measured, args.repeat)))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
