"""The citation block of a translation post: one :class:`Citation` per cited article.

The real blogs write the block after the ``■`` that ends the translation, one article after the
other: English title, subtitle, byline, date line, URL (``URL last``); some posts put the URL
first and the rest under it; some years put the block before the body, or a translated header
(Japanese title, outlet, katakana author, date line) before the body with only the URL after
``■`` (:mod:`crawler.blogger.front` finds those). The block is typed by hand, so its lines are
classified by what they look like (:mod:`crawler.blogger.bylines`) and by where they stand:
URL lines split the block into articles; in each article the first free line is the title and
the one right after it the subtitle; a bare name counts as the byline only as the last line
before the date or the URL, where bylines stand. Lines after the last URL (the blog's footer)
stay in ``raw`` only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from crawler.blogger import selectors as sel
from crawler.blogger.bylines import is_date_line, publication_line, read_byline
from crawler.blogger.urlrepair import find_urls, repair_url
from crawler.dates import parse_date_line

__all__ = [
    "Citation",
    "CitationBlock",
    "looks_like_citation",
    "merge_header",
    "parse_citation_block",
    "read_article",
]


@dataclass(frozen=True)
class Citation:
    """One cited article as the block describes it; ``url`` as written, ``repaired_url`` fetched."""

    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    publication: str | None = None
    date: str | None = None
    published: datetime | None = None
    url: str | None = None
    repaired_url: str | None = None
    # The rule that found this article as the post's source, and where in the page: the
    # decision's evidence (rules: crawler/platforms/sources.py; Blogger's ■ block: RULE_END_MARK).
    rule: str | None = None
    where: str | None = None

    @property
    def language(self) -> str | None:
        """The language the description is written in: a translated header is Japanese."""
        if self.title is None:
            return None
        return "ja" if sel.CJK_CHAR.search(self.title) else "en"


@dataclass(frozen=True)
class CitationBlock:
    """A post's citation text as written (``raw``) and the articles it cites, in order."""

    raw: str
    citations: tuple[Citation, ...]

    @property
    def repaired_urls(self) -> tuple[str, ...]:
        """Every fetchable URL of the block once, in block order: the post's pairs."""
        urls = (c.repaired_url for c in self.citations if c.repaired_url)
        return tuple(dict.fromkeys(urls))

    def for_url(self, url: str | None) -> Citation | None:
        """The article a repaired URL belongs to; None asks for the block's first article."""
        if url is None:
            return self.citations[0] if self.citations else None
        return next((c for c in self.citations if c.repaired_url == url), None)

    def other_urls(self, url: str | None) -> tuple[str, ...]:
        """The block's URLs as written, but ``url``'s own: what else the post cites."""
        own = self.for_url(url)
        return tuple(c.url for c in self.citations if c.url and c is not own)


# Blogger's convention: the block after the end mark ■ (or written before the body instead).
RULE_END_MARK = "end_mark"
RULE_FRONT_MATTER = "front_matter"


def found_by(block: CitationBlock, rule: str, where: str) -> CitationBlock:
    """``block`` with each article that has no rule yet marked as found by ``rule`` ``where``."""
    return replace(
        block,
        citations=tuple(
            c if c.rule is not None else replace(c, rule=rule, where=where) for c in block.citations
        ),
    )


def parse_citation_block(
    lines: Sequence[str],
    hrefs: Sequence[str] = (),
    *,
    line_hrefs: Sequence[Sequence[str]] | None = None,
    publication: str | None = None,
) -> CitationBlock:
    """Parse a citation block's lines.

    ``hrefs`` are the targets of the links in the block, in order. A caller that knows which
    line each link sits on passes ``line_hrefs`` instead (one sequence per line): that tells a
    linked source line ("原文") from a linked footer line, which a flat list cannot.
    ``publication`` is the outlet the post title credits: a line naming it is the outlet line.
    """
    texts = [line.strip() for line in lines]
    keep = [i for i, text in enumerate(texts) if text]
    texts = [texts[i] for i in keep]
    loose: list[str] = []
    if line_hrefs is not None and len(line_hrefs) == len(lines):
        per_line = [tuple(_web(line_hrefs[i])) for i in keep]
    else:
        per_line, loose = _attribute(texts, _web(hrefs))
    raw = "\n".join(texts)

    written = _line_urls(texts, per_line)
    if not written and loose:
        written = {len(texts): loose[:1]}  # a link no line names: after every line
    articles: list[Citation] = []
    for meta, urls in _articles(texts, written):
        described = read_article(meta, publication=publication)
        for number, url in enumerate(urls or [None]):
            article = described if number == 0 else Citation()
            articles.append(replace(article, url=url, repaired_url=repair_url(url or "") or None))
    return CitationBlock(raw=raw, citations=tuple(articles))


def read_article(lines: Sequence[str], *, publication: str | None = None) -> Citation:
    """The description of one article from its lines (no URL among them)."""
    roles: list[str | None] = [None] * len(lines)
    author = outlet = date = None
    for i, text in enumerate(lines):
        byline = read_byline(text, needs_by=True)
        if is_date_line(text):
            roles[i], date = "date", date or text
        elif byline is not None:
            roles[i] = "byline"
            author, outlet = author or byline.author, outlet or byline.publication
            date = date or byline.date
        elif i and (name := publication_line(text, publication)) is not None:
            roles[i], outlet = "publication", outlet or name
    if author is None:
        # A bare name is a byline only where bylines stand: the last free line, after the title.
        free = [i for i, role in enumerate(roles) if role is None]
        if len(free) > 1 and (byline := read_byline(lines[free[-1]])) is not None:
            roles[free[-1]] = "byline"
            author, outlet = byline.author, outlet or byline.publication
            date = date or byline.date
    free = [i for i, role in enumerate(roles) if role is None]
    title = lines[free[0]] if free else None
    subtitle = lines[free[0] + 1] if free and free[0] + 1 in free else None
    return Citation(
        title=title,
        subtitle=subtitle,
        author=author,
        publication=outlet,
        date=date,
        published=parse_date_line(date) if date else None,
    )


def merge_header(header: Citation, header_raw: str, block: CitationBlock | None) -> CitationBlock:
    """A header written before the body, joined with the block after ``■`` (URLs, maybe more).

    The header describes the first article; what the block says of it itself comes first.
    """
    if block is None or not block.citations:
        raw = "\n".join(part for part in (header_raw, block.raw if block else "") if part)
        return CitationBlock(raw=raw, citations=(header,))
    first, *rest = block.citations
    merged = Citation(
        title=first.title or header.title,
        subtitle=first.subtitle or (header.subtitle if not first.title else None),
        author=first.author or header.author,
        publication=first.publication or header.publication,
        date=first.date or header.date,
        published=first.published or header.published,
        url=first.url,
        repaired_url=first.repaired_url,
        rule=first.rule,  # the block's URL makes it a source; the header describes it
        where=f"top and {first.where}" if first.where else None,
    )
    return CitationBlock(raw=f"{header_raw}\n{block.raw}", citations=(merged, *rest))


def looks_like_citation(lines: Sequence[str], line_hrefs: Sequence[Sequence[str]]) -> bool:
    """Whether lines after a ``■`` read as a citation block: a URL, a byline or a date line.

    Japanese lines never count: a ``■`` heading inside the body is followed by more body.
    """
    for i, line in enumerate(lines):
        if find_urls(line):
            return True
        if i == 0 or sel.CJK_CHAR.search(line):
            continue
        if read_byline(line, needs_by=True) or _web(line_hrefs[i]) or is_date_line(line):
            return True
    return False


def _line_urls(texts: list[str], per_line: list[tuple[str, ...]]) -> dict[int, list[str]]:
    """The URLs written on each URL line, by line index."""
    typed = {i: _written_urls(find_urls(t), per_line[i]) for i, t in enumerate(texts)}
    typed = {i: urls for i, urls in typed.items() if urls and find_urls(texts[i])}
    if typed:
        return typed
    # No URL typed out: the source is a link whose text is not a URL ("原文", the title). Only
    # the first such line after the title counts; a linked line after it is the blog's footer.
    taken = {i for i, t in enumerate(texts) if is_date_line(t) or read_byline(t, needs_by=True)}
    linked = [i for i, hrefs in enumerate(per_line) if hrefs and i not in taken]
    if not linked:
        return {}
    line = next((i for i in linked if i > 0), linked[0])
    return {line: list(per_line[line][:1])}


def _articles(texts: list[str], written: dict[int, list[str]]) -> list[tuple[list[str], list[str]]]:
    """Split the block into (description lines, URLs) per article.

    URL first when the block opens with a URL and does not end with one; otherwise each
    article's URL closes its description, and lines after the last URL are the blog's footer.
    """
    if not written:
        return [(texts, [])]
    starts = sorted(written)
    described = [i for i in range(len(texts)) if i not in written]
    url_first = starts[0] == 0 and bool(described) and described[-1] > starts[-1]
    articles: list[tuple[list[str], list[str]]] = []
    if url_first:
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(texts)
            articles.append((texts[start + 1 : end], written[start]))
        return articles
    previous = 0
    for start in starts:
        articles.append((texts[previous:start], written[start]))
        previous = start + 1
    return articles


def _written_urls(text_urls: list[str], hrefs: tuple[str, ...]) -> list[str]:
    """URLs of one line: the visible text when it is a complete URL, else the link target."""
    if not text_urls:
        return list(hrefs[:1])
    written = []
    for text in text_urls:
        complete = repair_url(text) is not None and not sel.URL_ELLIPSIS.search(text)
        written.append(text if complete or not hrefs else hrefs[0])
    return written


def _attribute(texts: list[str], hrefs: list[str]) -> tuple[list[tuple[str, ...]], list[str]]:
    """Put each link on the line that names its host; links naming no host stay loose."""
    per_line: list[list[str]] = [[] for _ in texts]
    loose: list[str] = []
    for href in hrefs:
        host = (urlsplit(href).hostname or "").removeprefix("www.")
        for i, text in enumerate(texts):
            if host and host in unicodedata.normalize("NFKC", text).lower():
                per_line[i].append(href)
                break
        else:
            loose.append(href)
    return [tuple(line) for line in per_line], loose


def _web(hrefs: Sequence[str]) -> list[str]:
    return [h.strip() for h in hrefs if sel.URL_HAS_SCHEME.match(h.strip())]
