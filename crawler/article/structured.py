"""What a source page states for machines: JSON-LD, meta tags and publication-time elements.

News sites publish these for search engines; they keep the publication time with its offset (JSON-LD
``datePublished``, ``article:published_time``, ``<time datetime>``) and give clean headlines,
authors and site names. Everything is read from the page's one lxml tree
(``crawler.article.extraction.parse_html``), which is never modified here. Values are made safe for
the manifest: control characters and lone surrogates (JSON-LD escapes carry them) are dropped, empty
strings become None, and so does a language that is no language subtag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "StructuredData",
    "byline",
    "clean",
    "jsonld_objects",
    "language_subtag",
    "meta_tags",
]

# Compiled once: a page is read with each of them.
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)
_META = etree.XPath("//meta[@content]")
# Publication-time elements, most specific first; a bare <time> elsewhere on the page is often a
# related story's or a comment's. In that order (``_publication_times``), each in page order:
# ``datePublished`` microdata (its datetime, then its content), <time pubdate>, a <time> in an
# <article>, in a <header>, an hAtom ``published`` <abbr> (as WordPress and Blogger write), the
# first <time>. The <time datetime> elements are found in one walk of the tree, not four.
_DATE_PUBLISHED = etree.XPath("//*[@itemprop='datePublished']")
_DATED_TIMES = etree.XPath("//time[@datetime]")
_ABBR_PUBLISHED = etree.XPath("//abbr[contains(@class,'published')]/@title", smart_strings=False)
# Every other machine timestamp of the page: read only for the zone it is written in, when the
# publication time has none (crawler/article/dates.py).
_STAMPS = etree.XPath(
    "//time/@datetime | //*[starts-with(@itemprop, 'date')]/@content", smart_strings=False
)
_STAMP_KEYS = ("datePublished", "dateModified", "dateCreated", "uploadDate")
_STAMP_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:published_time",
    "og:article:modified_time",
    "article:updated_time",
    "dc.date",
    "dcterms.modified",
)
# schema.org types of an article page (NewsArticle and its subtypes, blog posts, reports).
_NEWS_SUBTYPES = ("Analysis", "AskPublic", "Background", "Opinion", "Reportage", "Review")
ARTICLE_TYPES = frozenset(
    {"Article", "NewsArticle", "BlogPosting", "Report"}
    | {f"{kind}NewsArticle" for kind in _NEWS_SUBTYPES}
)

_SPACE = re.compile(r"\s+")
# C0/C1 controls other than whitespace, and lone surrogates (UTF-8 cannot write them).
UNWRITABLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
# A primary language subtag (BCP 47): what the manifest's language field holds.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
_BY = re.compile(r"^by\s+", re.IGNORECASE)


@dataclass(frozen=True)
class StructuredData:
    """The article's fields as the page states them for machines."""

    headline: str | None
    author: str | None
    dates: tuple[str, ...]  # the page's publication times, most specific first
    stamps: tuple[str, ...]  # its other machine timestamps
    site_name: str | None
    language: str | None
    description: str | None
    body: str | None  # JSON-LD articleBody

    @classmethod
    def read(cls, tree: HtmlElement) -> StructuredData:
        objects = tuple(jsonld_objects(tree))
        article = next(
            (o for o in objects if ARTICLE_TYPES & set(_as_list(o.get("@type")))),
            {},
        )
        meta = meta_tags(tree)
        dates = [_first_str(article.get("datePublished")), meta.get("article:published_time")]
        dates += _publication_times(tree)
        stamps = [_first_str(o.get(k)) for o in objects for k in _STAMP_KEYS]
        stamps += [meta.get(key) for key in _STAMP_META]
        stamps += [str(v) for v in _STAMPS(tree)]
        publisher = article.get("publisher")
        return cls(
            headline=clean(_first_str(article.get("headline"))),
            author=_authors(article.get("author")) or byline(meta.get("author")),
            dates=tuple(d for d in dates if d),
            stamps=tuple(s for s in stamps if s),
            site_name=clean(
                (publisher.get("name") if isinstance(publisher, dict) else None)
                or meta.get("og:site_name")
            ),
            language=language_subtag(
                tree.get("lang"),
                _first_str(article.get("inLanguage")),
                meta.get("content-language"),
                meta.get("og:locale"),
            ),
            description=clean(
                meta.get("description")
                or meta.get("og:description")
                or _first_str(article.get("description"))
            ),
            body=_first_str(article.get("articleBody")),
        )


def _publication_times(tree: HtmlElement) -> list[str]:
    """The page's publication-time attributes, most specific first (above)."""
    published = _DATE_PUBLISHED(tree)
    times = _DATED_TIMES(tree)
    return [
        *_values(published, "datetime"),
        *_values(published, "content"),
        *_values([t for t in times if t.get("pubdate") is not None], "datetime"),
        *_values([t for t in times if _within(t, "article")], "datetime"),
        *_values([t for t in times if _within(t, "header")], "datetime"),
        *_ABBR_PUBLISHED(tree),
        *_values(times[:1], "datetime"),
    ]


def _values(elements: list[HtmlElement], attribute: str) -> list[str]:
    return [value for element in elements if (value := element.get(attribute)) is not None]


def _within(element: HtmlElement, tag: str) -> bool:
    return next(element.iterancestors(tag), None) is not None


def meta_tags(tree: HtmlElement) -> dict[str, str]:
    """The page's ``<meta>`` values by lower-cased property, name or http-equiv."""
    tags: dict[str, str] = {}
    for element in _META(tree):
        key = element.get("property") or element.get("name") or element.get("http-equiv") or ""
        key = key.strip().lower()
        if key and key not in tags:  # the first occurrence wins, as for crawlers of the big engines
            tags[key] = element.get("content", "")
    return tags


def jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, those in lists and ``@graph`` included."""
    for script in _JSONLD(tree):
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue  # sites ship broken JSON-LD; the other sources still apply
        yield from _walk_jsonld(data)


def _walk_jsonld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk_jsonld(data.get("@graph"))


def _authors(value: Any) -> str | None:
    names = []
    for item in _as_list(value):
        name = item.get("name") if isinstance(item, dict) else item
        cleaned = byline(_first_str(name))
        if cleaned and cleaned not in names:
            names.append(cleaned)
    return ", ".join(names) or None


def byline(value: str | None) -> str | None:
    """An author value without its "By"."""
    cleaned = clean(value)
    return clean(_BY.sub("", cleaned)) if cleaned else None


def language_subtag(*values: str | None) -> str | None:
    """The primary subtag of the first value that is a language tag: "en-US", "en_US", "EN",
    "en, fr" give "en"; "x-default", "english", "*" are skipped."""
    for value in values:
        primary = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0] if value else ""
        if _LANGUAGE.fullmatch(primary):
            return primary.lower()
    return None


def clean(value: str | None) -> str | None:
    """A value made safe for the manifest, or None when nothing is left."""
    if not value:
        return None
    # JSON-LD and meta values are often entity-escaped twice by the CMS ("&#163;71.6m").
    return _SPACE.sub(" ", UNWRITABLE.sub("", unescape(value))).strip() or None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_str(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, str):
            return item
    return None
