"""The golden checks of a crawl of a replica blog on another platform (WordPress, Hatena Blog):
each post's pairs and statuses, its fields, its citation and the rule that found it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from crawler.manifest import Pair
from crawler.manifest.model import join_paragraphs
from replica.model import CitedArticle, PairCase, TranslationPost


class PlatformCase(Protocol):
    @property
    def case(self) -> PairCase: ...
    @property
    def post(self) -> TranslationPost: ...
    @property
    def path(self) -> str: ...
    @property
    def post_id(self) -> int: ...
    @property
    def cited(self) -> CitedArticle | None: ...
    @property
    def rule(self) -> str | None: ...


def expected_statuses(
    cases: Iterable[PlatformCase], blog: str
) -> dict[tuple[str, str | None], str]:
    """(post URL, cited URL) -> status, as the goldens say; a post citing nothing: no_citation."""
    expected: dict[tuple[str, str | None], str] = {}
    for case in cases:
        url = blog.rstrip("/") + case.path
        if not case.case.expected_status:
            expected[(url, None)] = "no_citation"
        for cited, status in case.case.expected_status.items():
            expected[(url, cited)] = status
    return expected


def golden_differences(
    pairs: Iterable[Pair], cases: Sequence[PlatformCase], blog: str
) -> list[tuple[object, ...]]:
    """(post path, field, got, golden) for every field of a post or its citation that is not its
    golden value, the citation's rule included."""
    by_url = {p.translation.url: p for p in pairs}
    wrong: list[tuple[object, ...]] = []
    for case in cases:
        pair = by_url[blog.rstrip("/") + case.path]
        side, post = pair.translation, case.post
        assert side.published is not None
        expected = {
            "title": post.title,
            "publication": post.publication,
            "labels": post.labels,
            "published": post.published,
            "text": join_paragraphs(post.paragraphs),
            "captions": tuple((c.credit or None, c.text) for c in post.captions),
            "post_id": str(case.post_id),
        }
        got = {
            "title": side.title,
            "publication": side.publication,
            "labels": side.labels,
            "published": datetime.fromisoformat(side.published),
            "text": side.text,
            "captions": tuple((c.credit, c.text) for c in side.captions),
            "post_id": side.post_id,
        }
        wrong += [(case.path, k, got[k], v) for k, v in expected.items() if got[k] != v]
        if case.cited is None:
            continue
        citation = pair.citation
        assert citation is not None
        for name in ("title", "author", "date", "publication"):
            if getattr(citation, name) != getattr(case.cited, name):
                wrong.append((case.path, name, getattr(citation, name), getattr(case.cited, name)))
        # The decision's evidence: the rule the post's way of citing calls for, and where.
        if case.rule is not None and (citation.rule, bool(citation.where)) != (case.rule, True):
            wrong.append((case.path, "rule", (citation.rule, citation.where), case.rule))
    return wrong


def requested_links(
    requests: Iterable[Mapping[str, object]], links: Iterable[str], own_host: str
) -> list[tuple[str, str]]:
    """The (host, path) requests made at ``links`` on other hosts than the blog's: a page at
    its path, or under it (a site's root: that page only)."""
    fetched = {(str(r["host"]), str(r["path"])) for r in requests}
    made = []
    for url in links:
        parts = urlsplit(url)
        if parts.netloc == own_host:
            continue
        prefix = parts.path if parts.path != "/" else None
        made += [
            (host, path)
            for host, path in fetched
            if host == parts.netloc and (path == parts.path or (prefix and path.startswith(prefix)))
        ]
    return made


def manifest_defects(archive: Path) -> list[object]:
    """Rejected lines and the defects of every manifest line (none in a clean crawl)."""
    found: list[object] = []
    if (archive / "rejected-pairs.jsonl").exists():
        found.append("rejected-pairs.jsonl")
    for text in (archive / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        found += json.loads(text)["defects"]
    return found
