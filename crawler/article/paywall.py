"""Paywall evidence on a source page: the markers it shows and whether the body is a teaser.

Markers are what paywalled news sites put on a locked article: a paywall or registration-wall
element (by class or id), a "subscribe to continue reading" phrase in the visible text, or
schema.org's ``isAccessibleForFree: false`` in JSON-LD (what publishers give search engines for
flexible sampling). They are read from the tree the article was extracted from, not from a
second parse. The caller (``crawler/reading/page.py``) decides the status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from crawler.article.extraction import ExtractedArticle, parse_html
from crawler.article.structured import jsonld_objects

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["TEASER_MAX_CHARS", "PaywallSignals", "paywall_signals"]

# A cited defence-news article runs to several thousand characters; a paywall teaser is a
# lead paragraph or two. Below this many characters of body text a page with paywall markers
# is reported as a teaser.
TEASER_MAX_CHARS = 1500

# The words a paywall element's class holds (its id: "paywall" only), as _PAYWALL_ELEMENTS tests.
_CLASS_WORDS = (
    "paywall",
    "regwall",
    "subscriber-only",
    "subscribers-only",
    "premium-content",
    "article-locked",
)
# Most elements have neither attribute: the first test keeps them from the seven below.
_PAYWALL_ELEMENTS = etree.XPath(
    "//*[@class or @id]"
    "[contains(@class,'paywall') or contains(@id,'paywall') or contains(@class,'regwall')"
    " or contains(@class,'subscriber-only') or contains(@class,'subscribers-only')"
    " or contains(@class,'premium-content') or contains(@class,'article-locked')]"
)
# Seven contains() for each element with a class or an id cost a real news page more than its
# parse (1.3 ms): the page's attribute values, searched in Python, say whether any can match.
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)
_ID_VALUES = etree.XPath("//@id", smart_strings=False)
_PAYWALL_PHRASES = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to read"
    r"|(?:log|sign) in to (?:continue|keep) reading|register to continue reading"
    r"|this (?:article|story|content) is (?:only )?(?:available )?(?:for|to) subscribers"
    r"|subscribers? only|you have reached your (?:free )?(?:article|story) limit"
    r"|to continue reading,? (?:please )?(?:subscribe|log in|sign in)",
    re.IGNORECASE,
)
# A word every phrase above has: lines without one are not searched for the phrases (an
# alternation that opens with common letters is slow to search, about 0.25 µs a character).
_PHRASE_CUES = re.compile(r"subscri|reading|limit", re.IGNORECASE)
# Plain strings: the text is only searched, never traced back to its element.
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style)]", smart_strings=False
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PaywallSignals:
    """Paywall evidence on a page: the markers seen and whether the body looks like a teaser."""

    markers: tuple[str, ...]  # e.g. "class:paywall", "phrase:subscribe to continue reading"
    text_chars: int
    teaser: bool  # markers seen and the extracted text is shorter than TEASER_MAX_CHARS


def paywall_signals(
    page: HtmlElement | bytes | str | None, article: ExtractedArticle
) -> PaywallSignals | None:
    """Paywall markers on the page (the tree ``article`` was extracted from, or the page's bytes
    or text), or ``None`` when there are none."""
    tree = parse_html(page) if isinstance(page, bytes | str) else page
    if tree is None:
        return None
    markers: list[str] = []
    for element in _PAYWALL_ELEMENTS(tree) if _may_have_paywall_elements(tree) else ():
        attribute = f"{element.get('class', '')} {element.get('id', '')}".lower()
        for token in ("paywall", "regwall", "subscriber", "premium-content", "article-locked"):
            if token in attribute and f"class:{token}" not in markers:
                markers.append(f"class:{token}")
    for phrase in _phrases("\n".join(_VISIBLE_TEXT(tree))):
        marker = f"phrase:{_SPACE.sub(' ', phrase.lower())}"
        if marker not in markers:
            markers.append(marker)
    if any(_free_flag(obj) is False for obj in jsonld_objects(tree)):
        markers.append("jsonld:isAccessibleForFree=false")
    if not markers:
        return None
    chars = len(article.text)
    return PaywallSignals(tuple(markers), chars, chars < TEASER_MAX_CHARS)


def _may_have_paywall_elements(tree: HtmlElement) -> bool:
    """Whether ``_PAYWALL_ELEMENTS`` can find an element: a class or an id holds one of its words.

    Values joined by newlines: no word holds one, so a word is in the join only within a value.
    """
    classes = "\n".join(_CLASS_VALUES(tree))
    return any(word in classes for word in _CLASS_WORDS) or "paywall" in "\n".join(_ID_VALUES(tree))


def _phrases(text: str) -> Iterator[str]:
    """The paywall phrases of ``text`` in order, searched only on the lines that have a cue.

    No phrase holds a newline, so none spans two lines (nor two text nodes, which the caller
    joins by newlines), and the lines without a cue word hold none.
    """
    searched = 0  # the end of the last line searched
    for cue in _PHRASE_CUES.finditer(text):
        if cue.start() < searched:
            continue
        start = text.rfind("\n", 0, cue.start()) + 1
        end = text.find("\n", cue.end())
        searched = len(text) if end < 0 else end
        for match in _PAYWALL_PHRASES.finditer(text, start, searched):
            yield match.group(0)


def _free_flag(obj: dict[str, Any]) -> bool | None:
    # The flag sits on the article or on a ``hasPart`` WebPageElement naming the locked section.
    parts = obj.get("hasPart")
    parts = [p for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
    for value in [obj.get("isAccessibleForFree")] + [p.get("isAccessibleForFree") for p in parts]:
        if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
            return False
    return None
