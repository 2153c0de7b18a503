"""CPU time of reading a source page, by stage: what ``read_source_page`` spends its time on.

The pages are the replica's news pages, rendered at run time as the replica serves them (every cited
URL of the replica's cases, redirects followed, HTML answers only), and optionally real news pages
from a folder given on the command line (``news/*.html`` of the real-page fixtures). Each page goes
through ``crawler.reading.page.read_source_page`` as in a crawl; the functions it calls are timed in
place, each stage without the stages it calls:

- ``parse``: decoding and lxml (``parse_html``), every time a page is parsed;
- ``trafilatura``: ``bare_extraction`` (body, its metadata, htmldate);
- ``dates``: ``resolve_published`` (dateparser included);
- ``paywall``: ``paywall_signals``;
- ``metadata``: the rest of ``extract_article`` (JSON-LD, meta tags, title, deks, paragraphs);
- ``other``: the rest of ``read_source_page``.

Process CPU time per page, the mean over ``--repeat`` passes (dateparser's cache is emptied
before each pass, as a new crawl starts with it empty).

    .venv/bin/python bench/source_reading.py                  # the replica's cases
    .venv/bin/python bench/source_reading.py --scale 300      # a generated blog of 300 posts
    .venv/bin/python bench/source_reading.py --realpages DIR  # plus DIR/news/*.html
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler import dates
from crawler.article.extraction import looks_like_html
from crawler.reading import page as reading
from replica.world import build_world

STAGES = ("parse", "trafilatura", "metadata", "dates", "paywall", "other")
# (module, function, stage): the names are looked up where their callers find them, and a name a
# module does not have is skipped, so the benchmark runs on every layout of the reading code.
PROBES = (
    ("crawler.reading.page", "read_source_page", "other"),
    ("crawler.reading.page", "extract_article", "metadata"),
    ("crawler.reading.page", "paywall_signals", "paywall"),
    ("crawler.reading.page", "parse_html", "parse"),
    ("crawler.article.extraction", "parse_html", "parse"),
    ("crawler.article.paywall", "parse_html", "parse"),
    ("crawler.article.extraction", "bare_extraction", "trafilatura"),
    ("crawler.article.extraction", "resolve_published", "dates"),
)


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str | None
    body: bytes


class Clock:
    """Exclusive CPU time per stage: a stage's time excludes the stages it calls."""

    def __init__(self) -> None:
        self.spent: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._stack: list[str] = []
        self._since = 0

    def _switch(self, now: int) -> None:
        if self._stack:
            self.spent[self._stack[-1]] += now - self._since
        self._since = now

    def wrap(
        self, stage: str, function: Callable[..., Any], counter: str | None = None
    ) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch(time.process_time_ns())
            self._stack.append(stage)
            self.calls[counter or stage] += 1
            try:
                return function(*args, **kwargs)
            finally:
                self._switch(time.process_time_ns())
                self._stack.pop()

        return timed


def install(clock: Clock) -> None:
    for module_name, name, stage in PROBES:
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            setattr(module, name, clock.wrap(stage, getattr(module, name)))
    # dateparser's time is the dates stage's; its calls are counted apart.
    dates.dateparser.parse = clock.wrap("dates", dates.dateparser.parse, "dateparser")


def replica_pages(scale: int | None) -> Iterator[Page]:
    """The HTML page each cited URL of the replica's cases ends at, once per final URL."""
    world = build_world(scale=scale)
    seen: set[str] = set()
    for cases in world.cases.values():
        for case in cases:
            for cited in case.behaviours:
                page = _follow(world.sites, cited)
                if page is not None and page.url not in seen:
                    seen.add(page.url)
                    yield page


def _follow(sites: Any, url: str, hops: int = 5) -> Page | None:
    for _ in range(hops):
        parts = urlsplit(url)
        site = sites.get(parts.netloc)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        resource = site.resolve(path or "/", {}) if site is not None else None
        if resource is None or resource.reset or resource.stream or resource.truncate_to:
            return None
        headers = {name.lower(): value for name, value in resource.headers}
        if resource.status in (301, 302, 303, 307, 308) and "location" in headers:
            url = urljoin(url, headers["location"])
            continue
        content_type = headers.get("content-type")
        if resource.status != 200 or not looks_like_html(content_type, resource.body):
            return None
        return Page(url, content_type, resource.body)
    return None


def real_pages(folder: Path) -> list[Page]:
    return [
        Page(f"https://{path.stem}.example/", "text/html", path.read_bytes())
        for path in sorted((folder / "news").glob("*.html"))
    ]


def measure(label: str, pages: list[Page], clock: Clock, repeat: int, quiet: bool = False) -> None:
    clock.spent.clear()
    clock.calls.clear()
    for _ in range(repeat):
        for name in ("_parse_with_dateparser", "_dateparse"):  # the cached one, in any layout
            getattr(getattr(dates, name, None), "cache_clear", lambda: None)()
        for page in pages:
            reading.read_source_page(
                cited_url=page.url,
                url=page.url,
                redirects=(),
                http_status=200,
                content_type=page.content_type,
                body=page.body,
                truncated=False,
                warc=None,
                crawled_at="2025-01-01T00:00:00Z",
                max_bytes=0,
            )
    if quiet:
        return
    reads = len(pages) * repeat
    size = sum(len(p.body) for p in pages) / len(pages) / 1024
    print(f"\n{label}: {len(pages)} pages (mean {size:.0f} KiB), {repeat} passes")
    print("  " + " ".join(f"{s:>11}" for s in (*STAGES, "total")) + "   (CPU ms per page)")
    values = [clock.spent[s] / reads / 1e6 for s in STAGES]
    print("  " + " ".join(f"{v:11.2f}" for v in (*values, sum(values))))
    print(
        f"  per page: {clock.calls['parse'] / reads:.1f} parses, "
        f"{clock.calls['trafilatura'] / reads:.1f} trafilatura runs, "
        f"{clock.calls['dateparser'] / reads:.2f} dateparser calls"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=None, help="a generated blog of N posts")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the pages")
    parser.add_argument("--realpages", type=Path, help="folder of real pages (news/*.html)")
    args = parser.parse_args()
    pages = list(replica_pages(args.scale))
    clock = Clock()
    install(clock)
    sets = {"replica news pages": pages}
    if args.realpages is not None:
        found = real_pages(args.realpages)
        if not found:
            print(f"no news/*.html under {args.realpages}", file=sys.stderr)
            return 2
        sets[f"real news pages ({args.realpages})"] = found
    # A first pass loads what the reading code loads lazily (dateparser's languages): not measured.
    for found in sets.values():
        measure("", found, clock, 1, quiet=True)
    for label, found in sets.items():
        measure(label, found, clock, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
