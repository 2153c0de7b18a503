"""Which links of a post name its original: the citation rules for posts without a ``■`` block.

Translators on WordPress, Hatena Blog and the like write the source the way their editor makes
easy, and a post has many other external links. The rules, in the order they are tried:

- ``source_line``: a line introduced by 出典 / 元記事 / 原文 / 引用元 / 元スレ / ソース / via /
  Source / Original (``出典：<a>…</a>``, ``【元記事】``, ``Source: https://…``). Its link or typed
  URL is the source; without one, the next few lines (an English title, a byline, a date, the
  URL or a link card) are its description, up to the first URL;
- ``blockquote_cite``: a ``<blockquote cite="URL">``;
- ``cite_element``: a link written inside ``<cite>``;
- ``link_card``: a link card standing before any text (an introduced card is a source line's);
- ``top_block`` / ``end_block``: a citation written before the first or after the last text
  line without an introducer; it must read as one (a title with a byline or a date line, and a
  typed URL), so a bare link at the end is never taken.

Never a source, whatever introduces it: a link to the blog itself (another post), a share
button, a caption's link (an image credit: captions are not lines). A link introduced otherwise
(参考, 関連記事, See also, 写真) or written in running text (related coverage, a Wikipedia
link) is no rule's, so it is no source. Each source records its rule and where it stands
(``top``, ``end`` or ``inside`` the text, and the line) for the pair's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from urllib.parse import urlsplit

from crawler.blogger import selectors as blogger_sel
from crawler.blogger.bylines import is_date_line, publication_line, read_byline
from crawler.blogger.citation import Citation, CitationBlock, read_article
from crawler.blogger.urlrepair import find_urls, repair_url
from crawler.platforms.lines import KIND_CARD, BodyLine

__all__ = ["SourceCitation", "SourcesFound", "find_sources", "introducer", "introduces_other"]

SOURCE_LINE = "source_line"
BLOCKQUOTE_CITE = "blockquote_cite"
CITE_ELEMENT = "cite_element"
LINK_CARD = "link_card"
TOP_BLOCK = "top_block"
END_BLOCK = "end_block"

# 出典：… / 【元記事】… / ■原文 … / Source: … / via … : the introducer, then its separator.
INTRODUCER = re.compile(
    r"^[\s【\[［〔(（■◆●▼▶・*]*"
    r"(?P<word>出典|元記事|原文|原典|引用元|元スレ|ソース|via|source|original(?:\s+article)?)"
    r"[\s】\]］〕)）]*(?P<sep>[:：]|(?<=[】\]］〕)）])|\s|$)",
    re.IGNORECASE,
)
# Introducers in Latin script are ordinary words too ("Sources said…"): the line must be short.
LATIN_INTRODUCER_MAX_CHARS = 160
# Lines that introduce something else than the source: they never start or extend a citation.
OTHER_INTRODUCER = re.compile(
    r"^[\s【\[［〔(（■◆●▼▶・*]*(?:参考|関連|あわせて読みたい|合わせて読みたい|おすすめ|"
    r"画像|写真|動画|see also|related|photo|image|credit|read more)",
    re.IGNORECASE,
)
END_MARK = blogger_sel.END_MARK  # a "■" line before a block is the block's, not a title
ASIDE_SEPARATOR = re.compile(r"[^\s:：】\]］〕)）]{0,6}[\s]*[:：】\]］〕)）]")
DESCRIPTION_MAX_LINES = 5  # an introducer's description lines, up to its URL
# Hosts of share buttons and intents: a link there is never a source.
SHARE_HOSTS = re.compile(
    r"(?:^|\.)(?:twitter\.com/intent|x\.com/intent|facebook\.com/share|b\.hatena\.ne\.jp|"
    r"line\.me|getpocket\.com|pinterest\.com/pin)"
)


@dataclass(frozen=True)
class SourceCitation(Citation):
    """A cited article found by a rule: ``rule`` and ``where`` ("top", "end" or "inside", and the
    line: "end, line 12") are the decision's evidence."""


@dataclass(frozen=True)
class SourcesFound:
    """The lines that are text (citation lines taken out) and the sources found, if any."""

    lines: tuple[BodyLine, ...]
    block: CitationBlock | None


def introducer(text: str) -> re.Match[str] | None:
    """The introducer a line starts with (出典：, Source:, …), or None."""
    match = INTRODUCER.match(text)
    if match is None:
        return None
    if match.group("word").isascii() and len(text) > LATIN_INTRODUCER_MAX_CHARS:
        return None
    return match


def _bare_latin(match: re.Match[str]) -> bool:
    """A Latin introducer without a colon ("via X", "Source X"): an ordinary word unless the
    line itself has the link."""
    return match.group("word").isascii() and not match.group("sep").strip()


def find_sources(lines: Sequence[BodyLine], *, blog_host: str) -> SourcesFound:
    """The sources ``lines`` name by the rules above; ``blog_host`` is the blog's own host."""
    finder = _Finder(list(lines), blog_host)
    return finder.run()


class _Finder:
    def __init__(self, lines: list[BodyLine], blog_host: str) -> None:
        self.lines = lines
        self.own = _bare_host(blog_host)
        self.taken: set[int] = set()
        self.found: list[tuple[int, Citation, str]] = []  # (first line, article, rule)

    def run(self) -> SourcesFound:
        for index, line in enumerate(self.lines):
            if index not in self.taken:
                self._source_line(index, line)
        quoted: set[str] = set()
        for index, line in enumerate(self.lines):
            if index in self.taken:
                continue
            if line.quote_cite and self._usable(line.quote_cite):
                if line.quote_cite not in quoted:  # one source per quote, not per line
                    quoted.add(line.quote_cite)
                    self._add(
                        index,
                        [index],
                        self._quote(line.quote_cite),
                        BLOCKQUOTE_CITE,
                        keep_text=True,
                    )
            elif cited := [h for h in line.cited if self._usable(h)]:
                self._add(index, [index], Citation(url=cited[0]), CITE_ELEMENT, keep_text=True)
        self._top_card()
        self._blocks()
        text = tuple(line for i, line in enumerate(self.lines) if i not in self.taken)
        return SourcesFound(text, self._block())

    # -- the rules --------------------------------------------------------------------------

    def _source_line(self, index: int, line: BodyLine) -> None:
        match = introducer(line.text)
        if match is None or line.kind == KIND_CARD:
            return
        rest = line.text[match.end() :].strip()
        urls = self._urls(line)
        if not urls and _bare_latin(match):
            return
        if urls:
            self._add(index, [index], self._described([rest], urls[0], line), SOURCE_LINE)
            return
        # The introducer alone: its description follows, up to the first URL.
        description = [rest] if rest else []
        for following in range(index + 1, min(index + 1 + DESCRIPTION_MAX_LINES, len(self.lines))):
            below = self.lines[following]
            if following in self.taken or introducer(below.text) or _other(below.text):
                return
            urls = self._urls(below)
            if urls:
                text = [] if below.kind == KIND_CARD or find_urls(below.text) else [below.text]
                card = [below.text] if below.kind == KIND_CARD else []
                article = self._described([*description, *text, *card], urls[0], below)
                self._add(index, list(range(index, following + 1)), article, SOURCE_LINE)
                return
            if blogger_sel.CJK_CHAR.search(below.text) and not is_date_line(below.text):
                return  # the text goes on: the introducer named a source without a URL
            description.append(below.text)

    def _top_card(self) -> None:
        for index, line in enumerate(self.lines):
            if index in self.taken:
                continue
            if line.kind == KIND_CARD:
                urls = self._urls(line)
                if urls:
                    self._add(
                        index, [index], self._described([line.text], urls[0], line), LINK_CARD
                    )
            return  # only the first line counts: a card before any text

    def _blocks(self) -> None:
        text_lines = [i for i, line in enumerate(self.lines) if i not in self.taken]
        top = _leading_run(self.lines, text_lines)
        end = _leading_run(self.lines, text_lines[::-1])[::-1]
        for run, rule in ((top, TOP_BLOCK), (end, END_BLOCK)):
            if run and not (set(run) & self.taken) and not (rule == END_BLOCK and run == top):
                self._block_of(run, rule)

    def _block_of(self, run: list[int], rule: str) -> None:
        lines = [self.lines[i] for i in run]
        urls = [url for line in lines if find_urls(line.text) for url in self._urls(line)]
        description = [
            line.text for line in lines if not find_urls(line.text) and line.text != END_MARK
        ]
        dated = any(is_date_line(t) or read_byline(t, needs_by=True) for t in description)
        if not urls or not description or not dated:
            return
        article = read_article(description)
        if article.title is None:
            return
        self._add(run[0], run, replace(article, url=urls[0]), rule)

    # -- reading the lines ----------------------------------------------------------------

    def _quote(self, url: str) -> Citation:
        """A quote's source, with the outlet or title its attribution (``<cite>``) names."""
        for line in self.lines:
            if line.quote_cite == url and line.attribution:
                text = line.text.lstrip("—–-― ").strip()
                name = publication_line(text)
                return (
                    Citation(publication=name, url=url) if name else Citation(title=text, url=url)
                )
        return Citation(url=url)

    def _described(self, texts: list[str], url: str, line: BodyLine) -> Citation:
        """The article an introduced line (or its description lines) names at ``url``."""
        texts = [t for t in texts if t and not find_urls(t)]
        if len(texts) == 1 and (name := publication_line(texts[0])) is not None:
            return Citation(publication=name, url=url)
        link_text = next((link.text for link in line.links if link.href == url), "")
        if not texts and link_text and not find_urls(link_text):
            texts = [link_text]
        article = read_article(texts) if texts else Citation()
        return replace(article, url=url)

    def _urls(self, line: BodyLine) -> list[str]:
        """The usable URLs of a line: typed out, else the targets of its links."""
        typed = [u for u in find_urls(line.text) if self._usable(repair_url(u) or "")]
        if typed and line.kind != KIND_CARD:
            return typed
        return [href for href in line.hrefs if self._usable(href)]

    def _usable(self, url: str) -> bool:
        """Whether ``url`` may be a source: a web page elsewhere than this blog, not a share."""
        repaired = repair_url(url)
        if repaired is None:
            return False
        parts = urlsplit(repaired)
        host = _bare_host(parts.hostname or "")
        if not host or host == self.own or host.endswith("." + self.own):
            return False
        return not SHARE_HOSTS.search(host + parts.path)

    def _add(
        self, first: int, span: list[int], article: Citation, rule: str, *, keep_text: bool = False
    ) -> None:
        if not keep_text:
            self.taken.update(span)
        self.found.append((first, article, rule))

    def _block(self) -> CitationBlock | None:
        if not self.found:
            return None
        text_lines = [i for i in range(len(self.lines)) if i not in self.taken]
        articles: list[Citation] = []
        raws: list[str] = []
        for first, article, rule in sorted(self.found, key=lambda found: found[0]):
            where = _where(first, text_lines)
            url = article.url or ""
            described = {f.name: getattr(article, f.name) for f in fields(Citation)}
            described.update(url=url, repaired_url=repair_url(url), rule=rule)
            articles.append(SourceCitation(**described | {"where": f"{where}, line {first + 1}"}))
            raws.append(self.lines[first].text or url)
        return CitationBlock(raw="\n".join(dict.fromkeys(raws)), citations=tuple(articles))


def _leading_run(lines: list[BodyLine], order: list[int]) -> list[int]:
    """The lines in ``order`` up to the first Japanese one (a citation is written in Latin
    script), stopping at a line introducing something else."""
    run = []
    for index in order:
        text = lines[index].text
        if blogger_sel.CJK_CHAR.search(text) or _other(text) or lines[index].kind == KIND_CARD:
            break
        run.append(index)
    return run


def _where(first: int, text_lines: list[int]) -> str:
    if not text_lines or first < text_lines[0]:
        return "top"
    if first > text_lines[-1]:
        return "end"
    return "inside"


def introduces_other(text: str) -> bool:
    """Whether a line introduces something else than the source (``関連記事：…``, ``写真：…``,
    ``See also: …``): an aside, not text of the translation."""
    match = OTHER_INTRODUCER.match(text)
    return match is not None and bool(ASIDE_SEPARATOR.match(text, match.end()))


def _other(text: str) -> bool:
    return OTHER_INTRODUCER.match(text) is not None


def _bare_host(host: str) -> str:
    return host.lower().rstrip(".").removeprefix("www.")
