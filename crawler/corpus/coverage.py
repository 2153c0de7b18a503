"""What the manifest covers: the crawls that wrote its lines, and the publication dates of its
posts (range and posts per month).

A line names its crawl only through ``crawler`` (name, version, spider, and any further key a
crawl adds, such as a crawl id) and ``crawled_at``. Lines whose ``crawler`` carries nothing beyond
name, version and spider are told apart by the UTC day of ``crawled_at``: one crawl a day is
what scheduled crawls make.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from crawler.corpus.select import UNDATED, publication_date, publication_month
from crawler.manifest import STATUS_OK, Pair
from crawler.manifest.schema import parse_iso

# ``crawler`` keys every line has, which name the program rather than one run of it.
PROGRAM_KEYS = ("name", "version", "spider")


@dataclass(frozen=True)
class Crawl:
    """The lines one crawl wrote: ``run`` is what tells it from other runs of the same program
    (its own ``crawler`` keys, ``key=value``, or the UTC day of its lines)."""

    program: str  # "bitext-crawler 0.1.0"
    spider: str | None
    run: str
    pairs: int
    first_crawled_at: str
    last_crawled_at: str


@dataclass(frozen=True)
class Coverage:
    crawls: tuple[Crawl, ...]  # earliest first
    posts: int  # distinct translation URLs
    undated_posts: int
    first_published: date | None
    last_published: date | None
    source_first_published: date | None  # of the ok pairs' sources
    source_last_published: date | None
    posts_by_month: tuple[tuple[str, int], ...]  # chronological, "undated" last


def crawl_of(pair: Pair) -> tuple[str, str | None, str]:
    """(program, spider, run) of the crawl that wrote ``pair``'s line."""
    info = pair.crawler
    program = " ".join(v for v in (info.get("name"), info.get("version")) if v)
    own = sorted((k, v) for k, v in info.items() if k not in PROGRAM_KEYS)
    run = ", ".join(f"{k}={v}" for k, v in own) if own else pair.crawled_at[:10]
    return program, info.get("spider"), run


def _first_and_last(times: list[str]) -> tuple[str, str]:
    # As instants: "2025-07-01T00:00:00Z" and "2025-07-01T00:00:00.5+00:00" do not sort as text.
    return min(times, key=parse_iso), max(times, key=parse_iso)


def compute_coverage(pairs: Iterable[Pair]) -> Coverage:
    crawls: dict[tuple[str, str | None, str], list[str]] = {}
    posts: dict[str, str] = {}  # translation URL -> month
    days: list[date] = []
    source_days: list[date] = []
    for pair in pairs:
        crawls.setdefault(crawl_of(pair), []).append(pair.crawled_at)
        url = pair.translation.url
        if url not in posts:
            posts[url] = publication_month(pair)
            day = publication_date(pair)
            if day is not None:
                days.append(day)
        # A mismatched page's date is not the cited article's.
        if pair.status == STATUS_OK and pair.source and pair.source.published is not None:
            source_days.append(date.fromisoformat(pair.source.published[:10]))
    months = Counter(posts.values())
    found = [
        Crawl(
            program, spider, run, len(times), min(times, key=parse_iso), max(times, key=parse_iso)
        )
        for (program, spider, run), times in crawls.items()
    ]
    return Coverage(
        crawls=tuple(sorted(found, key=lambda c: (c.first_crawled_at, c.run, c.program))),
        posts=len(posts),
        undated_posts=months.get(UNDATED, 0),
        first_published=min(days, default=None),
        last_published=max(days, default=None),
        source_first_published=min(source_days, default=None),
        source_last_published=max(source_days, default=None),
        posts_by_month=tuple(sorted(months.items(), key=lambda i: (i[0] == UNDATED, i[0]))),
    )
