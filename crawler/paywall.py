"""Paywall evidence on a source page: the markers it shows and whether the body is a teaser.

Markers are what paywalled news sites put on a locked article: a paywall or registration-wall
element (by class or id), a "subscribe to continue reading" phrase in the visible text, or
schema.org's ``isAccessibleForFree: false`` in JSON-LD (what publishers give search engines for
flexible sampling). The caller (``crawler/reading.py``) decides the status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.extraction import ExtractedArticle, jsonld_objects, parse_html

__all__ = ["TEASER_MAX_CHARS", "PaywallSignals", "paywall_signals"]

# A cited defence-news article runs to several thousand characters; a paywall teaser is a
# lead paragraph or two. Below this many characters of body text a page with paywall markers
# is reported as a teaser.
TEASER_MAX_CHARS = 1500

_PAYWALL_CLASS_XPATH = (
    "//*[contains(@class,'paywall') or contains(@id,'paywall') or contains(@class,'regwall')"
    " or contains(@class,'subscriber-only') or contains(@class,'subscribers-only')"
    " or contains(@class,'premium-content') or contains(@class,'article-locked')]"
)
_PAYWALL_PHRASES = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to read"
    r"|(?:log|sign) in to (?:continue|keep) reading|register to continue reading"
    r"|this (?:article|story|content) is (?:only )?(?:available )?(?:for|to) subscribers"
    r"|subscribers? only|you have reached your (?:free )?(?:article|story) limit"
    r"|to continue reading,? (?:please )?(?:subscribe|log in|sign in)",
    re.IGNORECASE,
)
_VISIBLE_TEXT_XPATH = "//body//text()[not(ancestor::script or ancestor::style)]"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PaywallSignals:
    """Paywall evidence on a page: the markers seen and whether the body looks like a teaser."""

    markers: tuple[str, ...]  # e.g. "class:paywall", "phrase:subscribe to continue reading"
    text_chars: int
    teaser: bool  # markers seen and the extracted text is shorter than TEASER_MAX_CHARS


def paywall_signals(html: bytes | str, article: ExtractedArticle) -> PaywallSignals | None:
    """Paywall markers on the page, or ``None`` when there are none."""
    tree = parse_html(html)
    if tree is None:
        return None
    markers: list[str] = []
    for element in tree.xpath(_PAYWALL_CLASS_XPATH):
        attribute = f"{element.get('class', '')} {element.get('id', '')}".lower()
        for token in ("paywall", "regwall", "subscriber", "premium-content", "article-locked"):
            if token in attribute and f"class:{token}" not in markers:
                markers.append(f"class:{token}")
    for node in tree.xpath(_VISIBLE_TEXT_XPATH):
        for match in _PAYWALL_PHRASES.finditer(str(node)):
            marker = f"phrase:{_SPACE.sub(' ', match.group(0).lower())}"
            if marker not in markers:
                markers.append(marker)
    if any(_free_flag(obj) is False for obj in jsonld_objects(tree)):
        markers.append("jsonld:isAccessibleForFree=false")
    if not markers:
        return None
    chars = len(article.text)
    return PaywallSignals(tuple(markers), chars, chars < TEASER_MAX_CHARS)


def _free_flag(obj: dict[str, Any]) -> bool | None:
    # The flag sits on the article or on a ``hasPart`` WebPageElement naming the locked section.
    parts = obj.get("hasPart")
    parts = [p for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
    for value in [obj.get("isAccessibleForFree")] + [p.get("isAccessibleForFree") for p in parts]:
        if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
            return False
    return None
