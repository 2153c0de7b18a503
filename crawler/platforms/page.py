"""What every platform whose posts are HTML theme pages (WordPress, Hatena Blog) reads alike:
the page decoded as a browser would, its JSON-LD, and a post body made paragraphs, captions and
the sources its author cites (through :mod:`crawler.platforms.lines` and
:mod:`crawler.platforms.sources`). Each profile keeps only what its markup says differently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import lxml.html
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

from crawler.blogger import Caption, PostParseError
from crawler.blogger import selectors as blogger_sel
from crawler.blogger.body import clean_text
from crawler.blogger.citation import CitationBlock
from crawler.blogger.urlrepair import find_urls
from crawler.platforms.lines import KIND_CARD, walk_lines
from crawler.platforms.sources import find_sources, introduces_other

__all__ = [
    "CAPTION_CREDIT",
    "JSON_LD",
    "ReadBody",
    "aware",
    "first",
    "json_ld",
    "load_page",
    "raw_title",
    "read_body",
]

JSON_LD = "//script[@type='application/ld+json']"
# A credit in parentheses closing a Japanese caption: （写真：米空軍）, (USAF), (Photo: US Navy).
CAPTION_CREDIT = re.compile(
    r"[(（]\s*(?:(?:写真|画像|出典|photo|image|credit)\s*[:：]\s*(?P<labelled>[^()（）]+)"
    r"|(?P<latin>[A-Za-z][^()（）\u3000-\u30ff\u4e00-\u9fff]*))[)）]\s*$",
    re.IGNORECASE,
)


def load_page(html: bytes | str, encoding: str | None) -> HtmlElement:
    """The page's tree, decoded as browsers do (w3lib), not by libxml2, which knows fewer
    charset labels; PostParseError for an empty page."""
    if isinstance(html, bytes):
        _, html = html_to_unicode(f"charset={encoding}" if encoding else None, html)
    if not html.strip():
        raise PostParseError("empty page")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    return lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)


def json_ld(doc: HtmlElement) -> Iterator[dict[str, object]]:
    """Every JSON-LD object of the page, ``@graph`` members included (Yoast, Rank Math)."""
    for script in doc.xpath(JSON_LD):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    yield from (g for g in graph if isinstance(g, dict))


def aware(stamp: datetime | None) -> datetime | None:
    """A time without an offset read as UTC (what the themes mean by one)."""
    if stamp is None:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def first(values: list[object]) -> str | None:
    """The first non-blank string of an XPath result, stripped."""
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def raw_title(
    doc: HtmlElement,
    article: HtmlElement,
    *,
    heading: tuple[str, ...],
    fallbacks: tuple[str, ...],
    without_blog_name: Callable[[str], str],
) -> str:
    """The post's title as its page writes it: the entry's heading (``heading`` XPaths, inside
    ``article``), else the first of ``fallbacks`` (og:title, <title>: page-wide XPaths) without
    the blog's name, which those carry."""
    for xpath in heading:
        for element in article.xpath(xpath):
            text = clean_text(element.text_content())
            if text:
                return text
    for xpath in fallbacks:
        for value in doc.xpath(xpath):
            text = clean_text(value if isinstance(value, str) else value.text_content())
            if text:
                return without_blog_name(text)
    return ""


@dataclass(frozen=True)
class ReadBody:
    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...]
    citation: CitationBlock | None


def read_body(
    body: HtmlElement,
    post_url: str,
    *,
    is_caption: Callable[[HtmlElement], bool],
    is_card: Callable[[HtmlElement], bool],
) -> ReadBody:
    """The body's paragraphs (without the lines that cite, link cards and asides), captions,
    and the sources the post cites (links to ``post_url``'s own blog are never sources)."""
    lines, caption_texts = walk_lines(body, is_caption=is_caption, is_card=is_card)
    found = find_sources(lines, blog_host=urlsplit(post_url).hostname or "")
    paragraphs = tuple(
        text
        for line in found.lines
        if line.kind != KIND_CARD and not line.attribution and (text := _paragraph(line.text))
    )
    return ReadBody(paragraphs, tuple(_caption(text) for text in caption_texts), found.block)


def _paragraph(text: str) -> str:
    """A line as a paragraph of the translation, or "" when it is none: an end mark, a bare
    URL, an aside (関連記事：…)."""
    text = text.removesuffix(blogger_sel.END_MARK).strip()
    if not text or text == blogger_sel.END_MARK or introduces_other(text):
        return ""
    urls = find_urls(text)
    if urls and not blogger_sel.CJK_CHAR.search(text) and len("".join(urls)) >= len(text) * 0.8:
        return ""
    return text


def _caption(text: str) -> Caption:
    """A caption's credit and text: a Latin first line is the credit, and so is a credit in
    parentheses closing a Japanese caption (``（写真：USAF）``)."""
    lines = text.split("\n")
    if len(lines) > 1 and not blogger_sel.CJK_CHAR.search(lines[0]):
        return Caption(lines[0], "\n".join(lines[1:]))
    if not blogger_sel.CJK_CHAR.search(text):
        return Caption(text, "")
    match = CAPTION_CREDIT.search(text)
    if match is not None:
        credit = match.group("labelled") or match.group("latin")
        return Caption(credit.strip(), text[: match.start()].strip())
    return Caption("", text)
