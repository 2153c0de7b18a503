"""The replica web's corpus: hand-written synthetic cases and a generated blog for benchmarks.

``t2.json`` (the defence blog) and ``t1.json`` (its civil-aviation sister blog) hold posts,
the articles they cite and the golden expectations, all written for this project. They are read
into the frozen records of :mod:`replica.model`. :func:`generate_cases` recombines the
hand-written OK cases into a blog of any size whose expectations stay exact.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from replica.model import (
    Caption,
    CitationExpectation,
    PairCase,
    SourceArticle,
    SourceBehaviour,
    TranslationPost,
)

__all__ = ["BLOGS", "SITES", "CorpusBlog", "date_line", "generate_cases", "load_blog", "load_cases"]

BLOGS = ("t2", "t1")
SITES = ("twz", "breakingdefense", "usni", "defensenews")
PUBLICATIONS = {
    "twz": "The War Zone",
    "breakingdefense": "Breaking Defense",
    "usni": "USNI News",
    "defensenews": "Defense News",
}
_EASTERN = ZoneInfo("America/New_York")
_BLOG_TZ = timezone(timedelta(hours=9))
_TWZ_SECTIONS = ("air", "sea", "land", "news-features")
_DEFENSENEWS_SECTIONS = ("air", "naval", "land", "space", "global")
# Generated sources are spread over these years (inclusive start, six years).
_FIRST_DAY = date(2019, 1, 1)
_SPAN_DAYS = 6 * 365


@dataclass(frozen=True)
class CorpusBlog:
    """The Blogger blog a corpus file describes."""

    host: str
    title: str
    language: str


def load_blog(blog: str = "t2") -> CorpusBlog:
    """The host and title of a corpus blog ("t2" or "t1")."""
    data = _read(blog)["blog"]
    return CorpusBlog(host=data["host"], title=data["title"], language=data["language"])


def load_cases(blog: str = "t2") -> list[PairCase]:
    """The hand-written cases of a corpus blog ("t2" or "t1"), in file order.

    A blog's cases are ``{blog}.json`` followed by its extra case sets ``{blog}-*.json`` in name
    order (each a ``{"cases": [...]}`` object), so each theme of cases keeps a file of its own.
    """
    cases = [_case(item) for item in _read(blog)["cases"]]
    for name in _extra_case_files(blog):
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
        cases.extend(_case(item) for item in json.loads(text)["cases"])
    return cases


def _extra_case_files(blog: str) -> list[str]:
    return sorted(
        entry.name
        for entry in resources.files(__name__).iterdir()
        if entry.name.startswith(f"{blog}-") and entry.name.endswith(".json")
    )


def _read(blog: str) -> dict[str, Any]:
    # A fixed list of names, so a caller's string never becomes an arbitrary path.
    if blog not in BLOGS:
        raise ValueError(f"unknown corpus blog {blog!r}; expected one of {BLOGS}")
    text = resources.files(__name__).joinpath(f"{blog}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"corpus datetime without an offset: {value!r}")
    return parsed


def _article(data: dict[str, Any]) -> SourceArticle:
    return SourceArticle(
        site=data["site"],
        url=data["url"],
        title=data["title"],
        subtitle=data["subtitle"],
        authors=tuple(data["authors"]),
        published=_datetime(data["published"]),
        paragraphs=tuple(data["paragraphs"]),
        captions=tuple(data.get("captions", ())),
        tags=tuple(data.get("tags", ())),
    )


def _citation(data: dict[str, Any] | None) -> CitationExpectation | None:
    if data is None:
        return None
    return CitationExpectation(
        title=data["title"],
        subtitle=data["subtitle"],
        author=data["author"],
        date=data["date"],
        url=data["url"],
        extra_urls=tuple(data.get("extra_urls", ())),
        repaired_urls=tuple(data.get("repaired_urls", ())),
    )


def _post(data: dict[str, Any]) -> TranslationPost:
    return TranslationPost(
        path=data["path"],
        title=data["title"],
        publication=data["publication"],
        comment=data["comment"],
        published=_datetime(data["published"]),
        updated=_datetime(data["updated"]),
        labels=tuple(data["labels"]),
        paragraphs=tuple(data["paragraphs"]),
        captions=tuple(Caption(c["credit"], c["text"]) for c in data.get("captions", ())),
        citation_lines=tuple(data.get("citation_lines", ())),
        citation=_citation(data.get("citation")),
        drop_cap=bool(data.get("drop_cap", False)),
        alignment=tuple(
            (tuple(target), tuple(source)) for target, source in data.get("alignment", ())
        ),
    )


def _case(data: dict[str, Any]) -> PairCase:
    return PairCase(
        post=_post(data["post"]),
        sources={url: _article(a) for url, a in data.get("sources", {}).items()},
        behaviours={url: SourceBehaviour(b) for url, b in data.get("behaviours", {}).items()},
        expected_status=dict(data.get("expected_status", {})),
        note=data.get("note", ""),
    )


def date_line(site: str, published: datetime) -> str:
    """The date line a citation block copies from ``site``'s article page."""
    local = published.astimezone(_EASTERN)
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    if site == "twz":
        return f"Published {local:%b} {local.day}, {local.year} {clock} {local.tzname()}"
    if site == "breakingdefense":
        return f"on {local:%B %d, %Y} at {clock}"
    if site == "usni":
        return f"{local:%B} {local.day}, {local.year} {clock}"
    if site == "defensenews":
        return f"{local:%b} {local.day}, {local.year}, {clock}"
    raise ValueError(f"no date line style for site {site!r}")


def generate_cases(n: int, seed: int = 0) -> list[PairCase]:
    """A deterministic blog of ``n`` OK posts built from the hand-written OK cases of t2.

    Each post joins runs of whole alignment groups from one or two hand-written cases, so the
    golden alignment stays exact; source URLs are new and unique, spread over the four sites,
    and dates are spread over six years.
    """
    rng = random.Random(seed)
    pool = [case for case in load_cases("t2") if _reusable(case)]
    days = sorted(rng.randrange(_SPAN_DAYS) for _ in range(n))
    per_month: dict[str, int] = {}
    cases: list[PairCase] = []
    for index, day in enumerate(days):
        # Daytime hours only: a wall-clock time inside a DST gap would not round-trip.
        published = datetime.combine(
            _FIRST_DAY + timedelta(days=day), datetime.min.time(), tzinfo=_EASTERN
        ).replace(hour=rng.randint(6, 21), minute=rng.randrange(60))
        translated = published + timedelta(days=rng.randint(1, 5), hours=rng.randrange(24))
        translated = translated.astimezone(_BLOG_TZ)
        month = f"/{translated.year}/{translated.month:02d}/"
        count = per_month.get(month, 0)
        per_month[month] = count + 1
        path = f"{month}blog-post{f'_{count}' if count else ''}.html"
        site = SITES[index % len(SITES)]
        bases = rng.sample(pool, k=rng.choice((1, 2)))
        cases.append(_generated(rng, index, seed, site, path, published, translated, bases))
    return cases


def _reusable(case: PairCase) -> bool:
    citation = case.post.citation
    return (
        citation is not None
        and len(case.sources) == 1
        and any(target and source for target, source in case.post.alignment)
        and all(b is SourceBehaviour.OK for b in case.behaviours.values())
    )


def _generated(
    rng: random.Random,
    index: int,
    seed: int,
    site: str,
    path: str,
    published: datetime,
    translated: datetime,
    bases: list[PairCase],
) -> PairCase:
    first = next(iter(bases[0].sources.values()))
    source: list[str] = []
    target: list[str] = []
    alignment: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for base in bases:
        article = next(iter(base.sources.values()))
        groups = _run(rng, base.post.alignment)
        for group_target, group_source in groups:
            alignment.append(
                (
                    tuple(range(len(target), len(target) + len(group_target))),
                    tuple(range(len(source), len(source) + len(group_source))),
                )
            )
            target.extend(base.post.paragraphs[i] for i in group_target)
            source.extend(article.paragraphs[i] for i in group_source)
    slug = re.sub(r"[^a-z0-9]+", "-", first.title.lower()).strip("-")
    url = _url(rng, site, f"{slug}-{index + 1}", published)
    article = SourceArticle(
        site=site,
        url=url,
        title=first.title,
        subtitle=first.subtitle,
        authors=first.authors,
        published=published,
        paragraphs=tuple(source),
        tags=first.tags,
    )
    author = " and ".join(first.authors)
    when = date_line(site, published)
    header = (first.title, *([first.subtitle] if first.subtitle else []))
    labels = tuple(dict.fromkeys(label for base in bases for label in base.post.labels))
    post = TranslationPost(
        path=path,
        title=bases[0].post.title,
        publication=PUBLICATIONS[site],
        comment=bases[0].post.comment,
        published=translated,
        updated=translated,
        labels=labels,
        paragraphs=tuple(target),
        citation_lines=(*header, f"By\u00a0{author}", when, url),
        citation=CitationExpectation(
            title=first.title,
            subtitle=first.subtitle,
            author=author,
            date=when,
            url=url,
            repaired_urls=(url,),
        ),
        drop_cap=rng.random() < 0.1,
        alignment=tuple(alignment),
    )
    origin = " + ".join(base.post.path for base in bases)
    return PairCase(
        post=post,
        sources={url: article},
        behaviours={url: SourceBehaviour.OK},
        expected_status={url: "ok"},
        note=f"Generated (seed {seed}, #{index}) from {origin}.",
    )


def _run(
    rng: random.Random, groups: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """A run of at least three consecutive alignment groups holding at least one 1-1 pair."""
    size = min(3, len(groups))
    while True:
        start = rng.randrange(len(groups) - size + 1)
        end = rng.randint(start + size, len(groups))
        run = list(groups[start:end])
        if any(t and s for t, s in run):
            return run


def _url(rng: random.Random, site: str, slug: str, published: datetime) -> str:
    when = published.astimezone(_EASTERN)
    if site == "twz":
        return f"https://www.twz.com/{rng.choice(_TWZ_SECTIONS)}/{slug}"
    if site == "breakingdefense":
        return f"https://breakingdefense.com/{when:%Y/%m}/{slug}/"
    if site == "usni":
        return f"https://news.usni.org/{when:%Y/%m/%d}/{slug}"
    return (
        f"https://www.defensenews.com/{rng.choice(_DEFENSENEWS_SECTIONS)}/{when:%Y/%m/%d}/{slug}/"
    )
