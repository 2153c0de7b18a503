"""A post body as lines of text: paragraphs, image captions, and the citation block.

Blogger's editor writes a post body as loose text, ``<br>`` and block elements; image captions
sit in ``tr-caption-container`` tables, and this blog ends the translation with an end mark (■)
followed by the citation of the original article.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from lxml.html import HtmlElement

from crawler.blogger import selectors as sel
from crawler.blogger.citation import (
    RULE_END_MARK,
    RULE_FRONT_MATTER,
    CitationBlock,
    found_by,
    looks_like_citation,
    merge_header,
    parse_citation_block,
)
from crawler.blogger.front import Note, read_front_matter


@dataclass(frozen=True)
class Caption:
    credit: str
    text: str


@dataclass(frozen=True)
class Body:
    """A post body read: the translation's paragraphs and everything around them."""

    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...]
    citation: CitationBlock | None
    notes: tuple[Note, ...] = ()
    comment: str | None = None  # the translator's comment, written as the body's first line
    comment_line: str = ""  # that line as written


def read_body(body: HtmlElement, *, title: str = "", publication: str | None = None) -> Body:
    """The paragraphs of a post body, its captions, its front matter and its citation block.

    ``title`` and ``publication`` come from the post's title line: a repeated title and a line
    naming the credited outlet are recognised by them.
    """
    lines, captions = _BodyWalker().walk(body)
    text_lines, block = _split_citation(lines, publication)
    text_lines = [line for line in text_lines if clean_text(line.text)]
    texts = [clean_text(line.text) for line in text_lines]
    front = read_front_matter(
        texts, [line.hrefs for line in text_lines], title=title, publication=publication
    )
    citation = found_by(block, RULE_END_MARK, "end") if block is not None else None
    if front.header is not None:
        citation = merge_header(front.header, front.header_raw, citation)
        citation = found_by(citation, RULE_FRONT_MATTER, "top") if citation is not None else None
    elif front.citation is not None and (block is None or not block.repaired_urls):
        citation = found_by(front.citation, RULE_FRONT_MATTER, "top")
    paragraphs = tuple(texts[front.skip :])
    return Body(
        paragraphs, tuple(captions), citation, front.notes, front.comment, front.comment_line
    )


@dataclass
class _Line:
    text: str = ""
    hrefs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Leave:
    """A step of the body walk: the end of an element's content (a block element ends its line).

    It holds the element until then, as the recursive walk's stack frame did: lxml frees the
    Python proxy of an element no longer referenced, and to do so looks for the nearest ancestor
    that still has one, so a deep tree walked without its ancestors' proxies costs time
    quadratic in its depth.
    """

    element: HtmlElement
    block: bool


# What the walk does next: enter an element, add a text (None: an absent one), leave an element.
_Step: TypeAlias = "HtmlElement | str | _Leave | None"


def _children_and_tails(element: HtmlElement) -> Iterator[HtmlElement | str | None]:
    """An element's content after its own text, in document order: each child, then its tail."""
    for child in element:
        yield child
        yield child.tail


class _BodyWalker:
    """Turns a post body into lines of text (block elements and ``<br>`` end a line).

    Lines keep NBSP (the citation block's ``By\\u00a0`` needs it); paragraphs drop it later.
    Caption tables are set aside as captions, a one-character drop cap is glued to its word.
    """

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.captions: list[Caption] = []
        self._current = _Line()
        self._glue = False

    def walk(self, root: HtmlElement) -> tuple[list[_Line], list[Caption]]:
        # Depth-first with a stack of its own rather than recursion, so that no nesting depth
        # (a hostile body of 100,000 nested divs) can exhaust Python's stack. Each entry is what
        # the recursive walk would do next: enter an element, add a text (an element's text or
        # tail), or leave an element (a block element's line ends).
        stack: list[_Step] = [*reversed([root.text, *_children_and_tails(root)])]
        while stack:
            step = stack.pop()
            if step is None or isinstance(step, str):
                self._text(step)
            elif isinstance(step, _Leave):
                if step.block:
                    self._break()
            else:
                self._enter(step, stack)
        self._glue = False
        self._break()
        return self.lines, self.captions

    def _enter(self, element: HtmlElement, stack: list[_Step]) -> None:
        """Read ``element`` itself, and put what its content asks for on ``stack``."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in sel.SKIP_TAGS:
            return
        if tag == "table" and sel.CAPTION_TABLE_CLASS in (element.get("class") or "").split():
            self._break()
            self.captions.extend(_caption(cell) for cell in element.xpath(sel.CAPTION_CELL))
            return
        if _is_drop_cap(element):
            self._current.text += element.text_content().strip()
            self._glue = True
            return
        block = tag in sel.BLOCK_TAGS
        if block:
            self._break()
        stack.append(_Leave(element, block))
        if tag == "a" and element.get("href") and element.text_content().strip():
            self._current.hrefs.append(element.get("href", ""))
        stack.extend(reversed([element.text, *_children_and_tails(element)]))

    def _text(self, text: str | None) -> None:
        if not text:
            return
        if self._glue:
            if not text.strip():
                return
            text, self._glue = text.lstrip(), False
        self._current.text += text

    def _break(self) -> None:
        if self._glue:  # a drop cap set as a block of its own still belongs to the next word
            return
        raw = sel.CJK_LINE_BREAK.sub("", self._current.text)
        raw = sel.ASCII_SPACE.sub(" ", raw).strip()
        if raw.strip():
            self.lines.append(_Line(raw, self._current.hrefs))
        self._current = _Line()


def _caption(cell: HtmlElement) -> Caption:
    lines = [clean_text(line.text) for line in _BodyWalker().walk(cell)[0]]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        # One line: a Latin-script credit may lead a Japanese caption ("USAF 米空軍の..."); else a
        # Japanese line is the caption itself and anything else the photo credit.
        only = lines[0]
        first_cjk = sel.CJK_CHAR.search(only)
        if first_cjk is None:
            return Caption(only, "")
        credit = only[: first_cjk.start()]
        # A designator that starts the caption ("F-35A 戦闘機") is text, not a credit.
        designator = " " not in credit.strip() and any(c.isdigit() for c in credit)
        if (
            not credit.endswith(" ")
            or designator
            or not sel.CAPTION_CREDIT.fullmatch(credit.strip())
        ):
            credit = ""
        credit = credit.strip()
        return Caption(credit, only[len(credit) :].strip() if credit else only)
    return Caption(lines[0] if lines else "", "\n".join(lines[1:]))


def _is_drop_cap(element: HtmlElement) -> bool:
    marked = sel.DROP_CAP_CLASS.search(element.get("class") or "") or sel.DROP_CAP_STYLE.search(
        element.get("style") or ""
    )
    return bool(marked) and len(element.text_content().strip()) == 1


def _split_citation(
    lines: list[_Line], publication: str | None
) -> tuple[list[_Line], CitationBlock | None]:
    """The body's lines before the end mark, and the citation block after it."""
    for index, before, after in _marks(lines):
        block = lines[index + 1 :]
        if after:
            block = [_Line(after, []), *block]
        texts = [line.text for line in block]
        hrefs = [line.hrefs for line in block]
        last = index == len(lines) - 1 and not after
        if not (last or looks_like_citation(texts, hrefs)):
            continue
        body = lines[:index]
        if before:
            body.append(_Line(before, lines[index].hrefs))
        citation = None
        if texts:
            citation = parse_citation_block(texts, line_hrefs=hrefs, publication=publication)
        return body, citation
    return lines, None


def _marks(lines: list[_Line]) -> Iterator[tuple[int, str, str]]:
    """Candidate end marks, last first: (line index, text before the mark, text after it)."""
    for index in range(len(lines) - 1, -1, -1):
        text = clean_text(lines[index].text)
        if sel.END_MARK not in text:
            continue
        if text == sel.END_MARK:
            yield index, "", ""
        elif text.endswith(sel.END_MARK):
            yield index, text[: -len(sel.END_MARK)].strip(), ""
        elif text.startswith(sel.END_MARK):
            yield index, "", lines[index].text.strip()[len(sel.END_MARK) :].strip()


def clean_text(text: str) -> str:
    """``text`` on one line: Blogger's line breaks inside CJK text dropped, spaces collapsed."""
    return " ".join(sel.CJK_LINE_BREAK.sub("", text).split())
