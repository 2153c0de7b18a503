"""A generated blog of any size whose golden expectations stay exact, for benchmarks.

:func:`generate_cases` recombines the hand-written OK cases of ``t2.json`` (never the theme
files or the seed, so the generated blog is the same on every machine): each post joins runs of
whole alignment groups from one or two cases, cites one new article, and shows its title the
way the real blog does, ``{title}({Publication})―{comment}``.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from replica.model import (
    CitedArticle,
    PairCase,
    SourceArticle,
    SourceBehaviour,
    TranslationPost,
)

__all__ = ["PUBLICATIONS", "SITES", "date_line", "generate_cases"]

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
    """A deterministic blog of ``n`` OK posts built from the hand-written OK cases of t2.json.

    Each post joins runs of whole alignment groups from one or two hand-written cases, so the
    golden alignment stays exact; source URLs are new and unique, spread over the four sites,
    and dates are spread over six years.
    """
    from replica.corpus import load_file_cases  # the corpus package imports this module

    rng = random.Random(seed)
    pool = [case for case in load_file_cases("t2", themes=False) if _reusable(case)]
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
    return (
        len(case.post.citations) >= 1
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
        citations=(
            CitedArticle(
                repaired_url=url,
                url=url,
                title=first.title,
                subtitle=first.subtitle,
                author=author,
                date=when,
            ),
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
