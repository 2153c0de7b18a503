"""A post body as lines, for platforms whose editor writes HTML blocks (WordPress, Hatena).

Each block element ends a line; a line keeps its links (target and text) and what kind of
block it stands in, because the citation rules (:mod:`crawler.platforms.sources`) judge a link
by where it is written: in a ``<blockquote cite>``, inside ``<cite>``, in a link card, or in a
plain line. Captions (``figure > figcaption``, ``wp-caption-text``) are set aside as captions,
never lines, so a photo credit's link can never be taken for the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from crawler.blogger import selectors as blogger_sel
from crawler.blogger.body import clean_text

__all__ = ["BodyLine", "Link", "walk_lines"]

KIND_TEXT = "text"
KIND_CARD = "card"  # a link card: the linked page's title, snippet and host in one box


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass
class BodyLine:
    """One line of a post body and what the page says about it."""

    text: str = ""
    links: list[Link] = field(default_factory=list)
    kind: str = KIND_TEXT
    quote_cite: str | None = None  # the ``cite`` attribute of the blockquote it stands in
    cited: list[str] = field(default_factory=list)  # link targets written inside ``<cite>``
    heading: bool = False
    cite_chars: int = 0  # characters written inside <cite>
    other_chars: int = 0  # characters written outside it

    @property
    def attribution(self) -> bool:
        """The line is only a ``<cite>`` (a quote's attribution, "— Breaking Defense")."""
        return self.cite_chars > 0 and self.other_chars == 0

    @property
    def hrefs(self) -> list[str]:
        return [link.href for link in self.links]


@dataclass
class _Context:
    quote_cite: str | None = None
    in_cite: bool = False


def walk_lines(
    body: HtmlElement,
    *,
    is_caption: Callable[[HtmlElement], bool],
    is_card: Callable[[HtmlElement], bool],
) -> tuple[list[BodyLine], list[str]]:
    """The lines of ``body`` and the text of each caption (one string per caption, lines
    joined by newlines). ``is_caption`` and ``is_card`` say which elements are captions and
    link cards on this platform."""
    walker = _Walker(is_caption, is_card)
    walker.walk(body)
    return walker.lines, walker.captions


class _Walker:
    def __init__(
        self,
        is_caption: Callable[[HtmlElement], bool],
        is_card: Callable[[HtmlElement], bool],
    ) -> None:
        self.is_caption = is_caption
        self.is_card = is_card
        self.lines: list[BodyLine] = []
        self.captions: list[str] = []
        self._current = BodyLine()

    def walk(self, root: HtmlElement) -> None:
        # An explicit stack, not recursion: no nesting depth can exhaust Python's stack.
        stack: list[tuple[str, object, _Context]] = [("enter", root, _Context())]
        while stack:
            action, value, context = stack.pop()
            if action == "text":
                self._text(value if isinstance(value, str) else None, context)
            elif action == "leave":
                self._break(context)
            elif isinstance(value, HtmlElement):  # not a comment or a processing instruction
                self._enter(value, context, stack)
        self._break(_Context())

    def _enter(
        self, element: HtmlElement, context: _Context, stack: list[tuple[str, object, _Context]]
    ) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in blogger_sel.SKIP_TAGS:
            return
        if self.is_caption(element):
            self._break(context)
            text = "\n".join(line for raw in element.itertext() if (line := clean_text(raw)))
            if text:
                self.captions.append(text)
            return
        if self.is_card(element):
            self._break(context)
            self._card(element, context)
            return
        inner = context
        if tag == "blockquote":
            inner = _Context(quote_cite=(element.get("cite") or "").strip() or None)
        elif tag == "cite":
            inner = _Context(quote_cite=context.quote_cite, in_cite=True)
        block = tag in blogger_sel.BLOCK_TAGS
        if block:
            self._break(context)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._current.heading = True
        if tag == "a" and element.get("href"):
            href = element.get("href", "").strip()
            self._current.links.append(Link(href, clean_text(element.text_content())))
            if inner.in_cite:
                self._current.cited.append(href)
        steps: list[tuple[str, object, _Context]] = [("text", element.text, inner)]
        for child in element:
            steps.append(("enter", child, inner))
            steps.append(("text", child.tail, inner))
        if block:
            stack.append(("leave", None, inner))
        stack.extend(reversed(steps))

    def _card(self, element: HtmlElement, context: _Context) -> None:
        hrefs = [h.strip() for h in element.xpath("descendant-or-self::a/@href") if h.strip()]
        title = _card_title(element)
        links = [Link(href, title) for href in dict.fromkeys(hrefs)]
        if links:
            line = BodyLine(text=title, links=links, kind=KIND_CARD)
            line.quote_cite = context.quote_cite
            self.lines.append(line)

    def _text(self, text: str | None, context: _Context) -> None:
        if text:
            self._current.text += text
            if context.in_cite:
                self._current.cite_chars += len(text.strip())
            else:
                self._current.other_chars += len(text.strip())
            if context.quote_cite:
                self._current.quote_cite = context.quote_cite

    def _break(self, context: _Context) -> None:
        current = self._current
        current.text = clean_text(current.text)
        if current.text or current.links:
            self.lines.append(current)
        self._current = BodyLine()


def _card_title(element: HtmlElement) -> str:
    """A link card's title: its title element, else its first link's text, else its text."""
    for xpath in (
        ".//*[contains(@class, 'title') or contains(@class, 'Title')]",
        ".//a",
    ):
        for found in element.xpath(xpath):
            text = clean_text(found.text_content())
            if text:
                return text
    return clean_text(element.text_content())
