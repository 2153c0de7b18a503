"""The replica web's corpus: hand-written synthetic cases, the seed's posts, a generated blog.

``t2.json`` (the defence blog) and ``t1.json`` (its civil-aviation sister blog) hold posts,
the articles they cite and the golden expectations, all written for this project; each blog's
theme files ``{blog}-*.json`` add more cases (``t2-conventions.json``: the real blog's title and
body conventions). They are read into the frozen records of :mod:`replica.model`. When the text
dump of a real T2 page is present (:mod:`replica.corpus.seed`), its four posts join the t2
cases. :func:`generate_cases` recombines the hand-written OK cases into a blog of any size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from replica.corpus.generated import PUBLICATIONS, SITES, date_line, generate_cases
from replica.corpus.seed import load_seed_cases
from replica.model import (
    Caption,
    CitedArticle,
    EndMark,
    Note,
    NoteKind,
    PairCase,
    SourceArticle,
    SourceBehaviour,
    TranslationPost,
)

__all__ = [
    "BLOGS",
    "PUBLICATIONS",
    "SITES",
    "CorpusBlog",
    "date_line",
    "generate_cases",
    "load_blog",
    "load_cases",
    "load_file_cases",
]

BLOGS = ("t2", "t1")


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
    """The cases of a corpus blog ("t2" or "t1"): its files, then the seed's posts (t2 only).

    A blog's files are ``{blog}.json`` followed by its extra case sets ``{blog}-*.json`` in name
    order (each a ``{"cases": [...]}`` object), so each theme of cases keeps a file of its own.
    The seed's four posts are built at run time from the real page's text dump when it is
    present (:func:`replica.corpus.seed.load_seed_cases`); without it they are simply absent.
    """
    cases = load_file_cases(blog)
    if blog == "t2":
        cases.extend(load_seed_cases())
    return cases


def load_file_cases(blog: str = "t2", *, themes: bool = True) -> list[PairCase]:
    """The cases written in the project's files: ``{blog}.json``, then (``themes``) its
    ``{blog}-*.json`` files in name order."""
    cases = [_case(item) for item in _read(blog)["cases"]]
    if themes:
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
        published_markup=data.get("published_markup", "offset"),
    )


def _citations(data: dict[str, Any]) -> tuple[CitedArticle, ...]:
    """One golden article per cited URL, from ``citations`` or a legacy ``citation`` object.

    A legacy object describes its block's header and lists every URL: the header belongs to the
    first URL, and each further URL line is an article known by its URL only.
    """
    if "citations" in data:
        return tuple(
            CitedArticle(
                repaired_url=item["repaired_url"],
                url=item["url"],
                title=item.get("title"),
                subtitle=item.get("subtitle"),
                author=item.get("author"),
                publication=item.get("publication"),
                date=item.get("date"),
                language=item.get("language", "en"),
            )
            for item in data["citations"]
        )
    legacy = data.get("citation")
    if legacy is None:
        return ()
    written = [legacy["url"], *legacy.get("extra_urls", ())]
    repaired = list(legacy.get("repaired_urls", ()))
    if len(repaired) != len(written):
        raise ValueError(f"{data['path']}: one repaired URL per written URL, in order")
    first = CitedArticle(
        repaired_url=repaired[0],
        url=written[0],
        title=legacy["title"],
        subtitle=legacy["subtitle"],
        author=legacy["author"],
        date=legacy["date"],
    )
    pairs = zip(written[1:], repaired[1:], strict=True)
    rest = (CitedArticle(repaired_url=repaired_url, url=url) for url, repaired_url in pairs)
    return (first, *rest)


def _caption(data: dict[str, Any]) -> Caption:
    return Caption(data["credit"], data["text"], data.get("before"))


def _post(data: dict[str, Any]) -> TranslationPost:
    end_mark = data.get("end_mark")
    return TranslationPost(
        path=data["path"],
        title=data["title"],
        publication=data["publication"],
        comment=data["comment"],
        published=_datetime(data["published"]),
        updated=_datetime(data["updated"]),
        labels=tuple(data["labels"]),
        paragraphs=tuple(data["paragraphs"]),
        captions=tuple(_caption(c) for c in data.get("captions", ())),
        citation_lines=tuple(data.get("citation_lines", ())),
        drop_cap=bool(data.get("drop_cap", False)),
        alignment=tuple(
            (tuple(target), tuple(source)) for target, source in data.get("alignment", ())
        ),
        display_title=data.get("display_title"),
        head_lines=tuple(data.get("head_lines", ())),
        citations=_citations(data),
        notes=tuple(Note(NoteKind(n["kind"]), n["text"]) for n in data.get("notes", ())),
        end_mark=EndMark(end_mark) if end_mark is not None else None,
        drop_cap_at=int(data.get("drop_cap_at", 0)),
        bullets=tuple(data.get("bullets", ())),
    )


def _case(data: dict[str, Any]) -> PairCase:
    return PairCase(
        post=_post(data["post"]),
        sources={url: _article(a) for url, a in data.get("sources", {}).items()},
        behaviours={url: SourceBehaviour(b) for url, b in data.get("behaviours", {}).items()},
        expected_status=dict(data.get("expected_status", {})),
        note=data.get("note", ""),
    )
