"""CPU per date read: dateparser against the strict forms of ``crawler/dateforms.py``.

The dates are those the crawler asks ``crawler.dates`` to read beyond ISO 8601 (the questions that
reach ``_dateparse``: citation date lines, bylines, date headers, timestamps Python does not read)
while reading the posts of a generated blog of ``--scale`` posts (``replica.world.build_world``)
and, with ``--realpages DIR``, the real pages under ``DIR``: the Blogger posts of ``blogger/``,
the news pages of ``news/`` and of ``article-extraction-benchmark/html/`` (gzipped). Each distinct
question is read ``--repeat`` times in two ways:

- ``dateparser``: ``dateparser.parse`` with the crawler's settings, uncached (a new worker's
  first reading of each text);
- ``crawler``: ``crawler.dates._dateparse`` with its cache emptied before each pass: the strict
  reading when the text is one of its forms, else dateparser as above.

It prints, for the questions the strict forms read and for those left to dateparser, how many
there are and the CPU per call of each way (process time, mean over the passes).

    .venv/bin/python bench/date_forms.py [--scale 2000] [--realpages ../shared/realpages]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler import dateforms, dates
from crawler.blogger import parse_post
from crawler.reading.page import read_source_page
from replica.world import build_world

Question = tuple[str, tuple[str, ...] | None, str | None]


def gather(read: Callable[[], None]) -> list[Question]:
    """The distinct questions asked of ``dates._dateparse`` while ``read`` runs."""
    asked: dict[Question, None] = {}
    ask = dates._dateparse

    def record(
        text: str, languages: tuple[str, ...] | None, timezone: str | None
    ) -> datetime | None:
        asked[(text, languages, timezone)] = None
        return ask(text, languages, timezone)

    dates._dateparse = record
    try:
        read()
    finally:
        dates._dateparse = ask
    return list(asked)


def read_replica(scale: int) -> None:
    world = build_world(scale=scale)
    for blog, cases in world.cases.items():
        site = world.sites[blog.split("/")[2]]
        for case in cases:
            page = site.resolve(case.post.path, {})
            if page is not None and page.status == 200:
                parse_post(page.body, blog.rstrip("/") + case.post.path)


def read_real(folder: Path) -> None:
    for path in sorted((folder / "blogger").glob("*.html")):
        parse_post(path.read_bytes(), f"https://{path.stem}.blogspot.com/2020/01/post.html")
    news = sorted((folder / "news").glob("*.html"))
    benchmark = sorted((folder / "article-extraction-benchmark" / "html").glob("*.html.gz"))
    pages = [(p.stem, p.read_bytes()) for p in news]
    pages += [(p.name[:12], gzip.decompress(p.read_bytes())) for p in benchmark]
    for name, body in pages:
        read_source_page(
            cited_url=f"https://{name}.example/",
            url=f"https://{name}.example/",
            redirects=(),
            http_status=200,
            content_type="text/html",
            body=body,
            truncated=False,
            warc=None,
            crawled_at="2025-01-01T00:00:00Z",
        )


def cpu_per_call(
    read: Callable[[Question], object], questions: list[Question], repeat: int
) -> float:
    """Mean process CPU ms per reading of each question."""
    spent = 0
    for _ in range(repeat):
        dates._parse_with_dateparser.cache_clear()
        start = time.process_time_ns()
        for question in questions:
            read(question)
        spent += time.process_time_ns() - start
    return spent / 1e6 / (repeat * len(questions)) if questions else 0.0


def report(label: str, questions: Iterable[Question], repeat: int) -> None:
    questions = list(questions)
    strict = [q for q in questions if dateforms.read_strict_form(q[0], q[1]) is not None]
    chosen = set(strict)
    left = [q for q in questions if q not in chosen]
    uncached = dates._parse_with_dateparser.__wrapped__
    print(f"\n{label}: {len(questions)} distinct dates asked, {repeat} passes")
    print(f"  {'':34} {'count':>6} {'dateparser':>11} {'crawler':>9}   (CPU ms per call)")
    for name, group in (("read by the strict forms", strict), ("left to dateparser", left)):
        before = cpu_per_call(lambda q: uncached(*q), group, repeat)
        after = cpu_per_call(lambda q: dates._dateparse(*q), group, repeat)
        print(f"  {name:34} {len(group):6d} {before:11.4f} {after:9.4f}")
    for text, languages, timezone in left[:20]:
        print(f"    left: {text!r} {languages} {timezone}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="posts of the generated blog")
    parser.add_argument("--realpages", type=Path, help="folder of real pages (blogger/, news/)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the dates")
    args = parser.parse_args()
    sets = {f"replica blog of {args.scale} posts": gather(lambda: read_replica(args.scale))}
    if args.realpages is not None:
        sets[f"real pages ({args.realpages})"] = gather(lambda: read_real(args.realpages))
    # A first reading loads what dateparser loads lazily (its languages): not measured.
    for questions in sets.values():
        cpu_per_call(lambda q: dates._parse_with_dateparser.__wrapped__(*q), questions, 1)
    for label, questions in sets.items():
        report(label, questions, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
