"""Memory of a parse worker: what each import costs, and how much a worker grows as it reads.

1. Imports: a fresh interpreter imports, one after another, the modules a worker's reading code
   pulls in, and prints the RSS each adds (``/proc/self/status`` VmRSS; Linux only). The
   modules are the worker's own, in the order it imports them, grouped by top-level package.
2. Reading: a :class:`~crawler.reading.pool.ParsingPool` of one worker reads the replica's
   post and source pages of a generated blog (``--scale`` posts, ``--passes`` times over) and
   the worker's RSS is printed when it is ready and after each pass: a worker should not keep
   growing with the number of pages it has read.
3. What grows: the same pages read in this process, with every ``dateparser.parse`` call that
   adds more than ``--jump`` MB of RSS printed (its text and languages): dateparser loads a
   language's data the first time it tries it, and ``languages=None`` tries them all.

    .venv/bin/python bench/worker_memory.py              # both
    .venv/bin/python bench/worker_memory.py --scale 500 --passes 3
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.reading.pool import PageReading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script

# In a fresh interpreter: import what a worker imports, top-level package by package.
IMPORTS = """\
import importlib, subprocess, sys
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024
base = rss()
order = sys.argv[1:]
for name in order:
    before = rss()
    importlib.import_module(name)
    print(f"  {name:36s} +{rss() - before:5.1f} MB")
print(f"  {'total':36s} {rss():6.1f} MB (a bare interpreter: {base:.1f})")
"""

# The worker's modules, in the order it imports them, as top-level packages (printed once).
LIST_MODULES = """\
import sys
before = set(sys.modules)
import crawler.reading.worker, multiprocessing.connection
import crawler.reading.pool
seen = []
for name in sys.modules:
    top = name.split(".")[0]
    if name in before or top in seen or top.startswith("_") or top in sys.stdlib_module_names:
        continue
    if top in sys.modules and getattr(sys.modules[top], "__file__", None):
        seen.append(top)
print(" ".join(name for name in seen if name != "crawler"))  # third-party packages only
"""


def imports() -> None:
    python = sys.executable
    tops = subprocess.run(
        [python, "-c", LIST_MODULES], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    # Third-party packages (and the standard library they use) first, then the reading code.
    order = [*tops, "crawler.items", "crawler.defaults", "crawler.reading.page"]
    order.append("crawler.reading.pool")
    print("RSS added by each import in a fresh interpreter (a worker's imports, in order):")
    subprocess.run([python, "-c", IMPORTS, *order], check=True, cwd=ROOT)


def worker_rss(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def replica_readings(scale: int) -> list[PageReading]:
    """A reading of every post page and every cited source page of the replica's cases."""
    from replica.world import build_world

    world = build_world(scale=scale)
    readings: list[PageReading] = []
    for blog, cases in world.cases.items():
        host = blog.split("/")[2]
        site = world.sites[host]
        for case in cases:
            resource = site.resolve(case.post.path, {})
            if resource is not None and resource.status == 200:
                url = blog.rstrip("/") + case.post.path
                readings.append(_post(url, resource.body))
            for cited in case.sources:
                parts = cited.split("/", 3)
                source_site = world.sites.get(parts[2]) if len(parts) > 2 else None
                path = "/" + (parts[3] if len(parts) > 3 else "")
                page = source_site.resolve(path, {}) if source_site is not None else None
                if page is not None and page.status == 200 and not page.stream:
                    readings.append(_source(cited, page.body))
    return readings


def reading(readings: list[PageReading], scale: int, passes: int) -> None:
    from crawler.reading.pool import ParsingPool

    pool = ParsingPool(1, timeout=60)
    try:
        pool.start()
        pool.submit(readings[0]).result()  # the worker is up once it has read one page
        pid = next(iter(pool._running.values())).pid
        print(f"\nRSS of one worker reading {len(readings)} pages (replica, --scale {scale}):")
        print(f"  after 1 page:  {worker_rss(pid):6.1f} MB")
        for turn in range(passes):
            for future in [pool.submit(r) for r in readings]:
                future.result()
            print(f"  after pass {turn + 1}:  {worker_rss(pid):6.1f} MB")
    finally:
        pool.close()


def growth(readings: list[PageReading], jump: float) -> None:
    from crawler import dates

    parse: Callable[..., Any] = dates.dateparser.parse

    def watched(text: str, **options: Any) -> Any:
        before = worker_rss()
        parsed = parse(text, **options)
        if worker_rss() - before > jump:
            added = worker_rss() - before
            print(f"  +{added:5.1f} MB  {text[:60]!r} languages={options.get('languages')}")
        return parsed

    print(f"\ndateparser calls adding more than {jump:g} MB, the pages read in this process:")
    dates.dateparser.parse = watched
    try:
        start = worker_rss()
        for page in readings:
            page.run()
        print(f"  RSS {start:.1f} -> {worker_rss():.1f} MB over {len(readings)} pages")
    finally:
        dates.dateparser.parse = parse


def _post(url: str, body: bytes) -> PageReading:
    from crawler.reading.pool import PageReading

    return PageReading.post(
        url=url,
        fetched_url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=body,
        warc=None,
        crawled_at="2025-01-01T00:00:00Z",
    )


def _source(url: str, body: bytes) -> PageReading:
    from crawler.reading.pool import PageReading

    return PageReading.source(
        cited_url=url,
        url=url,
        redirects=(),
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=body,
        truncated=False,
        warc=None,
        crawled_at="2025-01-01T00:00:00Z",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=300, help="a generated blog of N posts")
    parser.add_argument("--passes", type=int, default=2, help="passes over the pages")
    parser.add_argument("--jump", type=float, default=2.0, help="MB: a dateparser call to show")
    parser.add_argument("--imports-only", action="store_true")
    args = parser.parse_args()
    imports()
    if not args.imports_only:
        readings = replica_readings(args.scale)
        reading(readings, args.scale, args.passes)
        growth(readings, args.jump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
