"""The seed's four posts as replica cases, built at run time from the real page's text dump.

``../shared/seed/000_0e74ed82056e5262.txt`` (relative to the repository root; the directory can
be given by ``BITEXT_SEED_DIR``) is a text dump of one real page of the T2 blog: a date header
and four posts. Nothing of it is kept in the project: ``seed_recipe.json`` holds only a layout
recipe written after reading it (the number and role of each line: title line, caption credit
and caption, paragraph, list item, citation line; the drop cap each post lost in the dump), the
publication names, times and labels chosen for the replica, and English source articles written
for this project. The golden values are references to the dump's lines, read when the cases are
built; the source pages take their title, subtitle, byline and date from the citation lines.

When the dump is absent (or is not the file the recipe was written for: its sha256 is checked),
there are no seed cases and the replica web is the same without them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from replica.model import (
    Caption,
    CitedArticle,
    EndMark,
    PairCase,
    SourceArticle,
    SourceBehaviour,
    TranslationPost,
)

__all__ = ["SEED_DIR_VARIABLE", "SeedStatus", "load_seed_cases", "seed_recipe", "seed_status"]

SEED_DIR_VARIABLE = "BITEXT_SEED_DIR"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED_DIR = REPOSITORY_ROOT.parent / "shared" / "seed"
_BLOG_TZ = timezone(timedelta(hours=9))
_EASTERN = ZoneInfo("America/New_York")
_DATE_HEADER = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_BY = re.compile(r"^By\s+")
_BULLET = re.compile(r"^[•・]\s*")


@dataclass(frozen=True)
class SeedStatus:
    """Where the seed dump is looked for, and whether it can be used (else why not)."""

    path: Path
    available: bool
    reason: str


def seed_recipe() -> dict[str, Any]:
    """The layout recipe (``replica/corpus/seed_recipe.json``)."""
    text = resources.files(__package__).joinpath("seed_recipe.json").read_text(encoding="utf-8")
    recipe: dict[str, Any] = json.loads(text)
    return recipe


def seed_status() -> SeedStatus:
    """Whether the seed dump is present and is the file the recipe describes."""
    seed = seed_recipe()["seed"]
    folder = Path(os.environ.get(SEED_DIR_VARIABLE) or DEFAULT_SEED_DIR)
    path = folder / seed["file"]
    if not path.is_file():
        return SeedStatus(path, False, f"the seed dump {path} is not there")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != seed["sha256"]:
        return SeedStatus(path, False, f"{path} is not the dump the recipe describes ({digest})")
    return SeedStatus(path, True, f"the seed dump {path}")


def load_seed_cases() -> list[PairCase]:
    """The seed's four posts as cases, or none when the dump cannot be used."""
    status = seed_status()
    if not status.available:
        return []
    return list(_cases(str(status.path)))


@cache
def _cases(path: str) -> tuple[PairCase, ...]:
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    recipe = seed_recipe()
    day = _header_day(lines[recipe["seed"]["date_header"]])
    roles: dict[int, str] = {recipe["seed"]["date_header"]: "date header"}
    cases = tuple(_case(lines, day, post, roles) for post in recipe["posts"])
    unassigned = [n for n, line in enumerate(lines) if line.strip() and n not in roles]
    if unassigned:
        raise ValueError(f"seed recipe: lines {unassigned} of the dump have no role")
    return cases


def _header_day(line: str) -> datetime:
    match = _DATE_HEADER.search(line)
    if match is None:
        raise ValueError(f"seed recipe: {line!r} is not a date header")
    year, month, day = (int(part) for part in match.groups())
    return datetime(year, month, day, tzinfo=_BLOG_TZ)


def _text(lines: list[str], number: int | None) -> str:
    """A line as a reader sees it: runs of spaces (NBSP too) collapsed, ends trimmed."""
    return "" if number is None else " ".join(lines[number].split())


def _claim(roles: dict[int, str], number: int, role: str, lines: list[str]) -> None:
    if number in roles:
        raise ValueError(f"seed recipe: line {number} is both {roles[number]} and {role}")
    if not lines[number].strip():
        raise ValueError(f"seed recipe: line {number} ({role}) is blank")
    roles[number] = role


def _case(lines: list[str], day: datetime, post: dict[str, Any], roles: dict[int, str]) -> PairCase:
    _claim(roles, post["title_line"], "title", lines)
    for caption in post["captions"]:
        for key in ("credit", "text"):
            if caption[key] is not None:
                _claim(roles, caption[key], f"caption {key}", lines)
    numbers = [
        n
        for start, end in post["paragraphs"]
        for n in range(start, end + 1)
        if lines[n].strip() and n not in roles
    ]
    for n in numbers:
        _claim(roles, n, "paragraph", lines)
    for n in post["citation_lines"]:
        _claim(roles, n, "citation line", lines)
    index = {n: i for i, n in enumerate(numbers)}
    paragraphs = [_BULLET.sub("", _text(lines, n)) for n in numbers]
    end_mark = EndMark(post["end_mark"])
    if end_mark is EndMark.GLUED:  # "...確かだ。■": the mark is not text
        if not paragraphs[-1].endswith("■"):
            raise ValueError(f"seed recipe: line {numbers[-1]} does not end in ■")
        paragraphs[-1] = paragraphs[-1].removesuffix("■")
    drop = post.get("drop_cap")
    if drop:
        paragraphs[index[drop["line"]]] = drop["restore"] + paragraphs[index[drop["line"]]]
    title, publication, comment = _title(_text(lines, post["title_line"]), post["publication"])
    citations = tuple(_cited(lines, item) for item in post["citations"])
    hour, minute = (int(part) for part in post["time"].split(":"))
    published = day.replace(hour=hour, minute=minute)
    translation = TranslationPost(
        path=post["path"],
        title=title,
        publication=publication,
        comment=comment,
        published=published,
        updated=published,
        labels=tuple(post["labels"]),
        paragraphs=tuple(paragraphs),
        captions=tuple(
            Caption(_text(lines, c["credit"]), _text(lines, c["text"]), index[c["before"]])
            for c in post["captions"]
        ),
        citation_lines=tuple(lines[n].strip() for n in post["citation_lines"]),
        drop_cap=bool(drop),
        drop_cap_at=index[drop["line"]] if drop else 0,
        alignment=tuple(
            (tuple(index[n] for n in target), tuple(source)) for target, source in post["alignment"]
        ),
        display_title=lines[post["title_line"]].strip(),
        citations=citations,
        end_mark=end_mark,
        bullets=tuple(index[n] for n in post.get("bullets", ())),
    )
    article = _source(post["source"], citations[0], lines, post["citations"][0])
    url = citations[0].repaired_url
    return PairCase(
        post=translation,
        sources={url: article},
        behaviours={url: SourceBehaviour.OK},
        expected_status={url: "ok"},
        note=(
            f"The seed's post at line {post['title_line']} of the T2 page dump, verbatim (built "
            "at run time from the dump; the English source page is written for this project)."
        ),
    )


def _title(line: str, publication: str) -> tuple[str, str, str | None]:
    """Golden title, publication and comment of a line ``{title}({publication})―{comment}``."""
    title, mark, rest = line.partition(f"({publication})")
    if not mark:
        raise ValueError(f"seed recipe: {line!r} does not name ({publication})")
    comment = rest.strip().removeprefix("―").strip()
    return title.strip(), publication, comment or None


def _cited(lines: list[str], item: dict[str, Any]) -> CitedArticle:
    url = lines[item["url"]].strip()
    if not url.startswith("https://") or " " in url:
        raise ValueError(f"seed recipe: line {item['url']} is not a plain URL")
    author = _BY.sub("", _text(lines, item["author"])) if item["author"] is not None else None
    return CitedArticle(
        repaired_url=url,
        url=url,
        title=_text(lines, item["title"]) or None,
        subtitle=_text(lines, item["subtitle"]) or None,
        author=author or None,
        date=_text(lines, item["date"]) or None,
    )


def _source(
    data: dict[str, Any], cited: CitedArticle, lines: list[str], item: dict[str, Any]
) -> SourceArticle:
    if "date_format" in data:
        local = datetime.strptime(_text(lines, item["date"]), data["date_format"])
        published = local.replace(tzinfo=_EASTERN)
        published = published.astimezone(timezone(published.utcoffset() or timedelta(0)))
    else:
        published = datetime.fromisoformat(data["published"])
    if cited.title is None:
        raise ValueError("seed recipe: a source needs the citation's title")
    return SourceArticle(
        site=data["site"],
        url=cited.repaired_url,
        title=cited.title,
        subtitle=cited.subtitle,
        authors=tuple(cited.author.split(" and ")) if cited.author else (),
        published=published,
        paragraphs=tuple(data["paragraphs"]),
        tags=tuple(data.get("tags", ())),
    )
