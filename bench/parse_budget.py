"""How long one large page takes to read, without a parse budget and with the default one.

Each page is read in a worker of a :class:`~crawler.reading.pool.ParsingPool`, as in a crawl:

- *before*: no size budget (``max_bytes=0``) and no time budget but ``--cap`` seconds, after
  which the reading is stopped and reported as ``> cap`` (what the crawl did before the budgets:
  it waited, however long);
- *after*: the defaults, ``BITEXT_PARSE_MAX_BYTES`` and ``BITEXT_PARSE_TIMEOUT``.

Pages (synthetic, from the replica's corpus):

- ``article``: a cited article as tens of thousands of short paragraphs; trafilatura's time grows
  with the number of nodes, faster than the page;
- ``post``: a Blogger permalink page whose post body has as many paragraphs;
- ``blob``: the article on one line with an inline JSON blob (the replica's ``HUGE_PAGE``).

Run: ``.venv/bin/python bench/parse_budget.py --sizes 4,8,16 --kinds article,post``
(MB are 10**6 bytes; the default size budget is 8 MiB = 8,388,608 bytes). The figures are
wall-clock seconds from submitting the reading to its answer (what the time budget counts), the
worker's CPU seconds on it (steadier on a shared machine) and its peak RSS (sampled every 50 ms),
and the 1-minute load average after the row. Each reading has a fresh worker, which first reads
a small page of the same kind: the first reading of a worker also pays for what the reading code
sets up once.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.proctree import children, field_kb, process_cpu
from crawler import defaults
from crawler.reading.pool import PageReading, ParseTimeout, ParsingPool, ReadingAbandoned
from replica.corpus import load_cases
from replica.model import PairCase, SourceArticle
from replica.sites.blogger import BloggerSite
from replica.sites.news_faults import on_one_line
from replica.sites.news_templates import render_article

BLOG = "https://parse-budget-bench.blogspot.com"
HTML = "text/html; charset=utf-8"
FETCHED_AT = "2025-04-01T00:00:00Z"


def _case() -> tuple[PairCase, str, SourceArticle]:
    for case in load_cases("t2"):
        for url, article in case.sources.items():
            if article.url == url:
                return case, url, article
    raise LookupError("no plain case in the corpus")


def _sized(render: Callable[[int], bytes], size: int) -> bytes:
    """``render(paragraphs)`` with as many paragraphs as make about ``size`` bytes."""
    small, large = len(render(1000)), len(render(2000))
    per = (large - small) / 1000
    return render(max(1, round((size - (small - 1000 * per)) / per)))


def _article_page(article: SourceArticle, size: int) -> bytes:
    text = article.paragraphs[0][:60]

    def render(count: int) -> bytes:
        many = tuple(f"{text} ({n % 1000})" for n in range(count))
        return render_article(replace(article, paragraphs=many))

    return _sized(render, size)


def _post_page(case: PairCase, size: int) -> bytes:
    line = "合成の段落です。戦闘機とレーダーと予算についての文章がここに続きます。"

    def render(count: int) -> bytes:
        post = replace(case.post, paragraphs=(line,) * count)
        resource = BloggerSite(BLOG.split("/")[2], "合成ブログ", [post]).resolve(post.path, {})
        assert resource is not None
        return resource.body

    return _sized(render, size)


def reading(kind: str, size: int, *, budget: bool) -> PageReading:
    case, url, article = _case()
    limit = {} if budget else {"max_bytes": 0}
    if kind == "post":
        page_url = BLOG + case.post.path
        return PageReading.post(
            url=page_url,
            fetched_url=page_url,
            http_status=200,
            content_type=HTML,
            body=_post_page(case, size),
            warc=None,
            crawled_at=FETCHED_AT,
            **limit,
        )
    body = (
        _article_page(article, size)
        if kind == "article"
        else on_one_line(render_article(article), size)
    )
    return PageReading.source(
        cited_url=url,
        url=url,
        redirects=[],
        http_status=200,
        content_type=HTML,
        body=body,
        truncated=False,
        warc=None,
        crawled_at=FETCHED_AT,
        **limit,
    )


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, submit to answer
    cpu: float  # the worker's CPU seconds on the reading
    peak_mb: int  # the worker's peak RSS
    outcome: str
    capped: bool  # stopped by the time budget


def measure(page: PageReading, timeout: float | None, warm: PageReading) -> Run:
    """One reading, by a fresh worker that has read ``warm`` first."""
    pool = ParsingPool(1, timeout=timeout)
    try:
        return _measure(pool, page, warm)
    finally:
        pool.close()


def _measure(pool: ParsingPool, page: PageReading, warm: PageReading) -> Run:
    pool.submit(warm).result(timeout=300)
    [worker] = children(os.getpid())  # the pool's one worker, this process's only child
    status = f"/proc/{worker}/status"
    peak, cpu = [0], [0.0]  # cpu: the last figure before a kill ends the worker
    done = threading.Event()

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], field_kb(status, "VmRSS"))
            cpu[0] = process_cpu(worker) or cpu[0]
            if done.wait(0.05):
                return

    cpu_before = process_cpu(worker)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    capped = False
    try:
        item = pool.submit(page).result()
        outcome = getattr(item, "status", None) or (item.error or "parsed")
        cpu_after = process_cpu(worker)
    except ReadingAbandoned as exc:
        outcome, capped, cpu_after = str(exc), isinstance(exc, ParseTimeout), 0.0
    elapsed = time.monotonic() - started
    peak[0] = max(peak[0], field_kb(status, "VmRSS"))
    done.set()
    sampler.join()
    used = max(cpu_after, cpu[0]) - cpu_before
    return Run(elapsed, used, peak[0] // 1024, outcome, capped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,8,16", help="page sizes in MB (10**6 bytes)")
    parser.add_argument("--kinds", default="article,post", help="article, post, blob")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds 'before' may take")
    args = parser.parse_args()
    print(
        f"budgets: BITEXT_PARSE_MAX_BYTES={defaults.BITEXT_PARSE_MAX_BYTES}, "
        f"BITEXT_PARSE_TIMEOUT={defaults.BITEXT_PARSE_TIMEOUT:g} s; before capped at {args.cap:g} s"
    )
    print(
        "kind     size MB  bytes      | before: s     cpu s  peak MB | after: s  cpu s  peak MB"
        "  outcome | load"
    )
    for kind in args.kinds.split(","):
        warm = reading(kind, 50_000, budget=True)
        for size in (int(float(s) * 1_000_000) for s in args.sizes.split(",")):
            unbudgeted = reading(kind, size, budget=False)
            length = len(unbudgeted.arguments["body"])
            before = measure(unbudgeted, args.cap, warm)
            after = measure(reading(kind, size, budget=True), defaults.BITEXT_PARSE_TIMEOUT, warm)
            wall = f"> {args.cap:g}" if before.capped else f"{before.seconds:.2f}"
            print(
                f"{kind:8} {size / 1e6:7g}  {length:<10} | {wall:>9}  {before.cpu:7.2f}  "
                f"{before.peak_mb:7} | {after.seconds:7.2f}  {after.cpu:5.2f}  {after.peak_mb:7}  "
                f"{after.outcome[:60]} | {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
