"""Where the crawl's CPU per page goes: a profile of every process, scaled to measured CPU.

On ``replica.world.build_world(scale=--posts)`` behind the replica proxy (in this process), it runs
``python -m crawler crawl t2`` twice into a fresh archive, with ``bench/scale.py``'s settings:

1. unprofiled, polled from /proc as ``bench/scale.py`` does: the CPU seconds of the crawl process
   and of its parse workers, and the pages fetched;
2. under cProfile in every process and thread (a ``sitecustomize`` module put first on
   ``PYTHONPATH``: the crawl's loop, its threads - the WARC writer, the parsing pool's - and each
   parse worker, every profile written at exit).

Each function's own time is charged to a component by its module (``COMPONENTS``); time in a
module of no component (the standard library, C built-ins: ``json``, ``sqlite3``, ``pickle``,
``zlib``) goes to its callers in proportion to the time each caller spent in it, up to the first
caller that has one. The shares of each process kind (crawl, workers) are then scaled to the CPU
per page measured in run 1, so the profiler's own overhead is left out. A profile cannot tell
which page a call served: the figures are averages over every page fetched (posts, sources,
robots.txt, lists).

    .venv/bin/python bench/profile_crawl.py --posts 2000 [--keep DIR] [--top 25]

``--top`` also prints the most costly functions of each kind (own time, scaled); ``-s NAME=VALUE``
sets a Scrapy setting for both crawls; ``--no-profile`` stops after run 1. Last, two pieces of
Scrapy's per-response machinery are timed apart from the crawl (CPU per call).

The breakdown on 2,000 posts (4,025 pages; 2 CPUs shared with other jobs, 1-minute load 3.4 and
4.3 at the start of each run, back to back), ms of CPU per page, before and after the cuts (the
URL guard's proxy check cached per host; a worker's answer pickled without a ForkingPickler; the
crawl log's BITEXT_FULL_CRAWL read once per crawl); "after" is this script's run on the code
as it is:

    | crawl process                                        | before | after |
    | ---------------------------------------------------- | -----: | ----: |
    | asyncio tasks and queues (Scrapy's callback output)  |  1.49  |  1.39 |
    | WARC writer thread (warcio, records, gzip)           |  0.94  |  0.86 |
    | Twisted reactor + network                            |  0.67  |  0.68 |
    | Scrapy, other (of it: the generator-return check)    |  0.60  |  0.53 |
    | Scrapy requests, responses, headers, URLs            |  0.48  |  0.44 |
    | Scrapy's own middlewares (of it: HttpProxy 0.23)     |  0.34  |  0.32 |
    | pairs pipeline (compose, matching)                   |  0.31  |  0.31 |
    | journal + manifest (jsonschema validation)           |  0.26  |  0.27 |
    | URL guard + resolver                                 |  0.25  |  0.01 |
    | Scrapy downloader + HTTP client                      |  0.19  |  0.21 |
    | crawl state (SQLite)                                 |  0.17  |  0.19 |
    | Scrapy engine, scheduler, scraper                    |  0.16  |  0.18 |
    | Scrapy signals                                       |  0.13  |  0.12 |
    | WARC capture hand-off on the loop                    |  0.09  |  0.09 |
    | parsing pool + pipes, crawl side                     |  0.13  |  0.14 |
    | crawl-log extension                                  |  0.07  |  0.06 |
    | Scrapy stats                                         |  0.06  |  0.07 |
    | logging                                              |  0.05  |  0.05 |
    | read-ahead middleware                                |  0.01  |  0.01 |
    | everything else                                      |  0.76  |  0.48 |
    | total, measured                                      |  7.16  |  6.41 |

    | parse workers                                        | before | after |
    | ---------------------------------------------------- | -----: | ----: |
    | dateparser (a post's date line, crawler/dates.py)    |  1.68  |  1.53 |
    | trafilatura                                          |  1.60  |  1.49 |
    | the reading beyond trafilatura/lxml                  |  1.52  |  1.39 |
    | lxml                                                 |  0.73  |  0.68 |
    | worker loop, pipes, pickling                         |  0.19  |  0.16 |
    | everything else                                      |  0.10  |  0.09 |
    | total, measured                                      |  5.82  |  5.34 |

What two Scrapy settings would save (``--no-profile``, four runs alternating, load 0.5 to 3.0):
the crawl process 5.55 and 4.91 ms per page as set, 4.70 and 4.18 with ``-s CONCURRENT_ITEMS=1
-s WARN_ON_GENERATOR_RETURN_VALUE=False``; the same manifest.

Between the two runs only the URL guard's line moves beyond the machine's noise (the workers'
code barely changed, and their total moved by 8 %). The URL guard's cumulative cost went from
0.26 to 0.03 ms per page.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.scale import check_world, crawl_command, run_measured
from replica.crawl import PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from replica.world import build_world

# Put first on PYTHONPATH: every Python process of the crawl profiles itself (its main thread
# and each thread it starts, in CPU time of the thread: a wait costs nothing) and writes one file
# per thread at exit. The crawl process waits
# for its workers to have written theirs: they die with it (PR_SET_PDEATHSIG).
SITECUSTOMIZE = """\
import atexit, cProfile, marshal, os, sys, threading, time
_OUT = os.environ.get("BENCH_PROFILE_DIR")
if _OUT:
    _profiles = []
    def _write(profile, name):
        profile.snapshot_stats()  # no disable(): it may be another thread's profile
        path = os.path.join(_OUT, f"{os.getpid()}-{name}.prof")
        with open(path + ".tmp", "wb") as file:
            marshal.dump(profile.stats, file)
        os.replace(path + ".tmp", path)
    _run = threading.Thread.run
    def _profiled_run(self):
        profile = cProfile.Profile(time.thread_time_ns, 1e-9)
        _profiles.append((profile, self.name))
        profile.enable()
        try:
            _run(self)
        finally:
            profile.disable()
    threading.Thread.run = _profiled_run
    def _at_exit(main):
        main.disable()
        for profile, name in list(_profiles):
            _write(profile, "thread-" + name)
        _write(main, "main")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kids = [c for t in os.listdir("/proc/self/task")
                    for c in open(f"/proc/self/task/{t}/children").read().split()]
            if not kids:
                break
            time.sleep(0.1)
    def _every_second(main):
        # A parse worker is killed at the crawl's end, not left to exit: what it did so far.
        while True:
            time.sleep(1.0)
            _write(main, "main")
    _main = cProfile.Profile(time.thread_time_ns, 1e-9)  # CPU, not waits
    if sys.argv[:1] == ["-c"]:
        threading.Thread(target=_every_second, args=(_main,), daemon=True).start()
    else:
        atexit.register(_at_exit, _main)
    _main.enable()
"""

# (component, module path fragments) in order: the first match wins.
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("profiler", ("cProfile", "sitecustomize")),
    ("crawl-log extension", ("crawler/extensions/crawl_log.py", "crawler/items/crawllog.py")),
    ("item codec", ("crawler/items/",)),
    (
        "WARC capture hand-off (loop)",
        ("crawler/extensions/warc_capture.py", "crawler/archive/exchange.py"),
    ),
    ("WARC writer (thread)", ("crawler/archive/", "warcio/")),
    ("pairs pipeline", ("crawler/pipelines/", "crawler/pairing/")),
    ("journal + manifest", ("crawler/manifest/",)),
    ("crawl state (SQLite)", ("crawler/state/",)),
    ("read-ahead middleware", ("crawler/downloadermiddlewares/read_ahead.py",)),
    ("parsing pool + pipes (crawl side)", ("crawler/reading/pool.py",)),
    ("worker loop + pipes + pickling", ("crawler/reading/worker.py", "multiprocessing/")),
    ("trafilatura", ("trafilatura/", "justext/", "courlan/", "htmldate/")),
    ("dates (dateparser)", ("dateparser/", "dateutil/", "regex/", "tzlocal/")),
    ("lxml", ("lxml", "html5lib", "charset_normalizer", "w3lib/encoding")),
    (
        "reading beyond trafilatura/lxml",
        (
            "crawler/reading/",
            "crawler/article/",
            "crawler/blogger/",
            "crawler/platforms/",
            "crawler/dates.py",
            "crawler/publications.py",
        ),
    ),
    ("URL guard + resolver", ("crawler/downloadermiddlewares/urlguard.py", "crawler/resolver.py")),
    ("archive cache middleware", ("crawler/downloadermiddlewares/archive_cache.py",)),
    (
        "decompression + download handler",
        ("crawler/downloadermiddlewares/decompression.py", "crawler/downloadhandlers/"),
    ),
    ("progress + gc extensions", ("crawler/extensions/progress.py", "crawler/extensions/gc")),
    ("spider (requests, items)", ("crawler/spiders/",)),
    ("crawler, other", ("crawler/", "tldextract/")),
    ("Scrapy signals", ("scrapy/signal", "pydispatch/", "scrapy/utils/signal.py")),
    ("Scrapy stats", ("scrapy/statscollectors.py",)),
    ("logging", ("logging/", "scrapy/logformatter.py", "scrapy/utils/log.py")),
    (
        "Scrapy middlewares (its own)",
        ("scrapy/downloadermiddlewares/", "scrapy/spidermiddlewares/", "scrapy/extensions/"),
    ),
    ("Scrapy middleware chains", ("scrapy/middleware.py", "scrapy/core/spidermw.py")),
    ("Scrapy downloader + HTTP client", ("scrapy/core/downloader/", "scrapy/core/http2/")),
    ("Scrapy engine, scheduler, scraper", ("scrapy/core/", "queuelib/", "scrapy/pqueues.py")),
    ("Scrapy requests, responses, URLs", ("scrapy/http/", "w3lib/", "scrapy/utils/url.py")),
    ("Scrapy, other", ("scrapy/", "itemadapter/", "parsel/")),
    ("Twisted reactor + network", ("twisted/", "OpenSSL/", "ssl.py", "selectors.py", "socket")),
    ("asyncio / Deferreds", ("asyncio/",)),
]
UNCHARGED = "other (stdlib, no caller with a component)"

Func = tuple[str, int, str]


def component_of(func: Func) -> str | None:
    path = func[0].replace("\\", "/")
    name = func[2]
    where = path if path != "~" else name  # a C built-in: its name says its module, if any
    for component, fragments in COMPONENTS:
        if any(fragment in where for fragment in fragments):
            return component
    return None


def charge(stats: pstats.Stats) -> dict[str, float]:
    """Own seconds by component; uncharged time goes up to the callers that have one."""
    table: dict[Func, tuple[int, int, float, float, dict[Func, tuple[int, int, float, float]]]]
    table = stats.stats  # type: ignore[attr-defined]
    shares: dict[Func, dict[str, float]] = {}

    def share(func: Func, stack: set[Func]) -> dict[str, float]:
        if func in shares:
            return shares[func]
        own = component_of(func)
        if own is not None:
            return {own: 1.0}
        callers = table.get(func, (0, 0, 0.0, 0.0, {}))[4]
        weights = {c: v[2] for c, v in callers.items() if c not in stack and v[2] > 0}
        total = sum(weights.values())
        found: dict[str, float] = defaultdict(float)
        if not total:
            found[UNCHARGED] = 1.0
        stack.add(func)
        for caller, weight in weights.items():
            for component, part in share(caller, stack).items():
                found[component] += part * weight / total
        stack.discard(func)
        shares[func] = dict(found)  # a caller on a cycle is left out: an approximation
        return shares[func]

    charged: dict[str, float] = defaultdict(float)
    for func, (_, _, own_seconds, _, _) in table.items():
        for component, part in share(func, set()).items():
            charged[component] += own_seconds * part
    return charged


def load(paths: Iterable[Path]) -> pstats.Stats | None:
    found = [str(p) for p in paths]
    return pstats.Stats(*found) if found else None


def profiled_crawl(
    command: list[str], env: dict[str, str], web: ReplicaWeb, out: Path
) -> tuple[pstats.Stats | None, pstats.Stats | None]:
    """(crawl process, parse workers) profiles of one crawl."""
    hook = out / "hook"
    hook.mkdir(parents=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    profiles = out / "profiles"
    profiles.mkdir()
    env = {
        **env,
        "BENCH_PROFILE_DIR": str(profiles),
        "PYTHONPATH": os.pathsep.join([str(hook), env.get("PYTHONPATH", "")]),
    }
    web.clear()
    process = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if process.returncode != 0:
        raise SystemExit(f"profiled crawl failed:\n{process.stderr[-3000:]}")
    by_pid: dict[str, list[Path]] = defaultdict(list)
    for path in profiles.glob("*.prof"):
        by_pid[path.name.split("-", 1)[0]].append(path)
    # The crawl process is the one with threads of its own (the WARC writer's).
    crawl_pid = next(
        (pid for pid, paths in by_pid.items() if any("warc-writer" in p.name for p in paths)),
        None,
    )
    crawl = load(by_pid.get(crawl_pid, [])) if crawl_pid else None
    workers = load(p for pid, paths in by_pid.items() if pid != crawl_pid for p in paths)
    return crawl, workers


def breakdown(stats: pstats.Stats | None, ms_per_page: float) -> list[tuple[str, float]]:
    """(component, ms per page), largest first, scaled so that the parts sum to the measure."""
    if stats is None:
        return []
    charged = charge(stats)
    charged.pop("profiler", None)
    total = sum(charged.values())
    rows = [(name, ms_per_page * seconds / total) for name, seconds in charged.items()]
    return sorted(rows, key=lambda row: -row[1])


def top_functions(stats: pstats.Stats | None, ms_per_page: float, count: int) -> list[str]:
    if stats is None or count <= 0:
        return []
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for f, v in table.items() if component_of(f) != "profiler")
    rows = sorted(table.items(), key=lambda item: -item[1][2])[:count]
    return [
        f"  {ms_per_page * v[2] / total:6.3f}  {v[1]:>8}  {f[0].split('site-packages/')[-1]}"
        f":{f[1]}({f[2]})"
        for f, v in rows
    ]


def callback_overheads(calls: int = 2000) -> list[str]:
    """CPU per call of two pieces of Scrapy's machinery run for every response, apart from
    the crawl: what the profile charges to asyncio and to ``scrapy/utils/misc.py``."""
    import asyncio

    from scrapy.settings import Settings
    from scrapy.utils.asyncio import _parallel_asyncio
    from scrapy.utils.misc import warn_on_generator_with_return_value

    from crawler.spiders.blogger import BloggerSpider

    async def nothing(item: object, response: object) -> None:
        return None

    async def outputs(count: int) -> float:
        # A callback's output (here two objects) goes through CONCURRENT_ITEMS worker tasks.
        started = time.process_time()
        for _ in range(calls):
            await _parallel_asyncio(iter([1, 2]), count, nothing, None)
        return 1000 * (time.process_time() - started) / calls

    lines = [
        f"  a callback's output, CONCURRENT_ITEMS={count}: {asyncio.run(outputs(count)):.3f} ms"
        for count in (100, 16, 1)
    ]
    spider = BloggerSpider.__new__(BloggerSpider)
    spider.settings = Settings()  # WARN_ON_GENERATOR_RETURN_VALUE on, as by default
    for name in ("parse_post", "parse_source"):
        started = time.process_time()
        for _ in range(calls):
            # A new bound method per response: Scrapy's weak-keyed cache of the answer misses.
            warn_on_generator_with_return_value(spider, getattr(spider, name))
        spent = 1000 * (time.process_time() - started) / calls
        lines.append(f"  WARN_ON_GENERATOR_RETURN_VALUE, callback {name}: {spent:.3f} ms")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS")
    parser.add_argument("--top", type=int, default=0, help="also list the N costliest functions")
    parser.add_argument("--keep", type=Path, help="keep archives, logs and profiles here")
    parser.add_argument("--no-profile", action="store_true", help="measure only (run 1)")
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for both crawls (what a setting would save)",
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-profile-"))
    base.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f}; work directory {base}")
    world = build_world(scale=args.posts)
    check_world(world, args.posts)
    with ReplicaWeb(world.sites) as web:
        env = crawl_env(web.proxy_url)
        archive = base / "archive"
        shutil.rmtree(archive, ignore_errors=True)
        extra = [arg for setting in args.settings for arg in ("-s", setting)]
        command = crawl_command(archive, base / "crawl.log", args.concurrency, None) + extra
        run = run_measured(command, env, "crawl", web)
        pages = len(run.fetches)
        main_ms, workers_ms = run.ms_per_page(run.main_cpu), run.ms_per_page(run.workers_cpu)
        print(
            f"measured: {pages} pages, CPU per page {main_ms + workers_ms:.2f} ms = crawl "
            f"process {main_ms:.2f} + parse workers {workers_ms:.2f} (exit {run.returncode})"
        )
        if args.no_profile:
            return 0
        shutil.rmtree(archive, ignore_errors=True)
        profiled = base / "profiled"
        shutil.rmtree(profiled, ignore_errors=True)
        command = crawl_command(archive, base / "crawl-profiled.log", args.concurrency, None)
        command += extra
        crawl, workers = profiled_crawl(command, env, web, profiled)
    for title, stats, ms in (
        ("crawl process", crawl, main_ms),
        ("parse workers", workers, workers_ms),
    ):
        print(f"\n| {title}: component | ms/page |\n| --- | ---: |")
        for name, value in breakdown(stats, ms):
            print(f"| {name} | {value:.3f} |")
        print(f"| total (measured) | {ms:.3f} |")
        if args.top:
            print(f"\n{title}, costliest functions (own ms/page, calls):")
            print("\n".join(top_functions(stats, ms, args.top)))
    print("\nScrapy's machinery per response, CPU per call, apart from the crawl:")
    print("\n".join(callback_overheads()))
    load_after = os.getloadavg()
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
