"""Clean text and metadata of a cited news article; the only module that calls trafilatura.

A page is decoded once (BOM, HTTP charset, ``<meta charset>``, then UTF-8 with replacement) and
parsed once with lxml. Structured data is read from that tree first, because it is what news
sites publish for search engines and it keeps the publication time with its offset (JSON-LD
``datePublished``, ``article:published_time``, ``<time datetime>``); trafilatura's metadata fills
what is missing (its date is day-precision only); ``crawler/sourcedates.py`` decides which time
is the publication time, and its zone when it has no offset. Values are made safe for the
manifest here: control characters and lone surrogates (JSON-LD escapes carry them) are dropped,
empty strings become None, and so does a language that is no language subtag. The body comes
from ``bare_extraction`` on the same tree (it works on a copy), tuned for news pages and
measured by ``bench/extraction_f1.py``:

- ``favor_precision``: drops related-link boxes, newsletter boxes, share bars and captions more
  aggressively; it raises mean token F1 on the article-extraction-benchmark. Where it keeps
  almost nothing (a reprint notice), the balanced mode runs once more on the same tree.
- ``include_comments=False``: reader comments are not the article.
- tables stay in: some older sites lay the whole article out in a table.
- no ``deduplicate``: trafilatura's duplicate cache is process-wide, so a page fetched twice (a
  redirect target, a retry) would come back empty the second time.
- pages rendered by scripts carry the article only in JSON-LD ``articleBody``; it is used when
  the markup yields much less.

``parse_html`` and ``jsonld_objects`` serve the other readers of a source page
(``crawler/paywall.py``), so that trafilatura's parser is called from here alone.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from typing import TYPE_CHECKING, Any

from trafilatura import bare_extraction
from trafilatura.utils import load_html
from w3lib.encoding import resolve_encoding

from crawler.sourcedates import resolve_published

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "ExtractedArticle",
    "decode_html",
    "extract_article",
    "jsonld_objects",
    "looks_like_html",
    "parse_html",
]

_JSONLD_XPATH = "//script[@type='application/ld+json']/text()"
_META_XPATH = "//meta[@content]"
# Publication-time elements, most specific first; a bare <time> elsewhere on the page is often a
# related story's or a comment's.
_TIME_XPATHS = (
    "//*[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@content",
    "//time[@pubdate]/@datetime",
    "//article//time[@datetime]/@datetime",
    "//header//time[@datetime]/@datetime",
    "//abbr[contains(@class,'published')]/@title",  # hAtom, as WordPress and Blogger themes write
    "(//time[@datetime])[1]/@datetime",
)
# Every other machine timestamp of the page: read only for the zone it is written in, when the
# publication time has none (crawler/sourcedates.py).
_STAMP_XPATH = "//time/@datetime | //*[starts-with(@itemprop, 'date')]/@content"
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
_ARTICLE_TYPES = frozenset(
    {"Article", "NewsArticle", "ReportageNews", "AnalysisNewsArticle", "OpinionNewsArticle"}
    | {"BackgroundNewsArticle", "BlogPosting", "Report"}
)

_MAGIC_NOT_HTML = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:-]+)", re.IGNORECASE)
_BOMS = {
    codecs.BOM_UTF8: "utf-8",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
}
_SPACE = re.compile(r"\s+")
# C0/C1 controls other than whitespace, and lone surrogates (UTF-8 cannot write them).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
# A primary language subtag (BCP 47): what the manifest's language field holds.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
_BY = re.compile(r"^by\s+", re.IGNORECASE)
_DATE_PARAMS = {"original_date": True, "extensive_search": False}
# Below this many characters the precision-mode body is checked against the balanced mode.
_RETRY_BELOW_CHARS = 600
# Use JSON-LD articleBody when the page's markup yields less than half of it.
_BODY_FALLBACK_RATIO = 2.0


@dataclass(frozen=True)
class ExtractedArticle:
    """What the crawler keeps of a source page."""

    title: str | None
    author: str | None
    published: datetime | date | None  # aware, or a date: see crawler/sourcedates.py
    site_name: str | None
    language: str | None  # primary language subtag, e.g. "en"
    text: str  # paragraphs joined by "\n\n"
    paragraphs: tuple[str, ...]
    description: str | None  # meta description / dek
    published_basis: str | None = None  # how ``published`` was resolved (sourcedates.py)


def looks_like_html(content_type: str | None, body: bytes) -> bool:
    """Whether a response is an HTML page: PDFs, images and archives are not, whatever the label."""
    head = body[:1024]
    if head.startswith(_MAGIC_NOT_HTML) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return False
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in {"text/html", "application/xhtml+xml"}:
        return True
    if mime and mime not in {"application/octet-stream", "text/plain", "binary/octet-stream"}:
        return False
    # Missing or generic label: sniff the way browsers do, on the start of the document.
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return _HTML_START.match(head) is not None


def decode_html(body: bytes, encoding: str | None = None) -> str:
    """Decode a page: BOM, then the HTTP charset, then ``<meta charset>``, then UTF-8.

    Never raises: undecodable bytes become U+FFFD.
    """
    # A byte-order mark outranks the HTTP label (WHATWG "decode"): servers mislabel, BOMs do not.
    for bom, name in _BOMS.items():
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    codec = _codec(encoding)
    meta = _META_CHARSET.search(body[:4096]) if codec is None else None
    if meta is not None:
        codec = _codec(meta.group(1).decode("ascii"))
        if codec and codec.startswith("utf-16"):
            codec = "utf-8"  # a page that declares its charset in ASCII is not UTF-16 (WHATWG)
    return body.decode(codec or "utf-8", errors="replace")


def parse_html(html: bytes | str, encoding: str | None = None) -> HtmlElement | None:
    """The page decoded (``decode_html``) and parsed as trafilatura parses it; ``None`` when
    there is nothing to parse."""
    text = decode_html(html, encoding) if isinstance(html, bytes) else html
    return load_html(text) if text.strip() else None


def extract_article(
    html: bytes | str, url: str, *, encoding: str | None = None
) -> ExtractedArticle:
    """Extract a news article's text and metadata from its page."""
    tree = parse_html(html, encoding)
    if tree is None:
        return ExtractedArticle(None, None, None, None, None, "", (), None)
    structured = _StructuredData.read(tree)
    document = _run_trafilatura(tree, url, precision=True)
    body = _field(document, "text") or ""
    if len(body) < _RETRY_BELOW_CHARS:
        # Precision mode sometimes keeps only a boxed notice (reprint terms, a caption) of a
        # page whose article it judged uncertain; the balanced mode finds the article there.
        balanced = _field(_run_trafilatura(tree, url, precision=False), "text") or ""
        body = max(body, balanced, key=len)
    site_name = structured.site_name or _clean(_field(document, "sitename"))
    title = _title(structured.headline, _clean(_field(document, "title")), site_name)
    description = structured.description or _clean(_field(document, "description"))
    heading = (title, *_deks(tree))
    paragraphs = _paragraphs(body, heading)
    if structured.body and len(structured.body) > _BODY_FALLBACK_RATIO * sum(map(len, paragraphs)):
        # Script-rendered pages ship the article only in JSON-LD ``articleBody``.
        paragraphs = _paragraphs(structured.body, heading)
    published = resolve_published(
        (*structured.dates, _field(document, "date")), page_stamps=structured.stamps, url=url
    )
    return ExtractedArticle(
        title=title,
        author=structured.author or _byline(_field(document, "author")),
        published=published.value if published else None,
        site_name=site_name,
        language=structured.language or _language(_field(document, "language")),
        text="\n\n".join(paragraphs),
        paragraphs=paragraphs,
        description=description,
        published_basis=published.basis if published else None,
    )


def _run_trafilatura(tree: HtmlElement, url: str, *, precision: bool) -> object | None:
    # bare_extraction copies a tree it is given, so one parse serves every pass.
    return bare_extraction(
        tree,
        url=url,
        favor_precision=precision,
        include_comments=False,
        include_tables=True,
        with_metadata=precision,
        # Its date is only the last fallback after the page's structured data: ask for the
        # publication (not last-modified) date, without htmldate's slow full-text search.
        date_extraction_params=_DATE_PARAMS,
    )


def _field(document: object | None, name: str) -> str | None:
    value = getattr(document, name, None)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class _StructuredData:
    headline: str | None
    author: str | None
    dates: tuple[str, ...]  # the page's publication times, most specific first
    stamps: tuple[str, ...]  # its other machine timestamps
    site_name: str | None
    language: str | None
    description: str | None
    body: str | None  # JSON-LD articleBody

    @classmethod
    def read(cls, tree: HtmlElement) -> _StructuredData:
        article = next(
            (o for o in jsonld_objects(tree) if _ARTICLE_TYPES & set(_as_list(o.get("@type")))),
            {},
        )
        meta = _meta_tags(tree)
        dates = [_first_str(article.get("datePublished")), meta.get("article:published_time")]
        dates += [str(v) for xp in _TIME_XPATHS for v in tree.xpath(xp)]
        stamps = [_first_str(o.get(k)) for o in jsonld_objects(tree) for k in _STAMP_KEYS]
        stamps += [meta.get(key) for key in _STAMP_META]
        stamps += [str(v) for v in tree.xpath(_STAMP_XPATH)]
        publisher = article.get("publisher")
        return cls(
            headline=_clean(_first_str(article.get("headline"))),
            author=_authors(article.get("author")) or _byline(meta.get("author")),
            dates=tuple(d for d in dates if d),
            stamps=tuple(s for s in stamps if s),
            site_name=_clean(
                (publisher.get("name") if isinstance(publisher, dict) else None)
                or meta.get("og:site_name")
            ),
            language=_language(
                tree.get("lang"),
                _first_str(article.get("inLanguage")),
                meta.get("content-language"),
                meta.get("og:locale"),
            ),
            description=_clean(
                meta.get("description")
                or meta.get("og:description")
                or _first_str(article.get("description"))
            ),
            body=_first_str(article.get("articleBody")),
        )


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for element in tree.xpath(_META_XPATH):
        key = element.get("property") or element.get("name") or element.get("http-equiv") or ""
        key = key.strip().lower()
        if key and key not in tags:  # the first occurrence wins, as for crawlers of the big engines
            tags[key] = element.get("content", "")
    return tags


def jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, those in lists and ``@graph`` included."""
    for script in tree.xpath(_JSONLD_XPATH):
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
        cleaned = _byline(_first_str(name))
        if cleaned and cleaned not in names:
            names.append(cleaned)
    return ", ".join(names) or None


def _title(headline: str | None, page_title: str | None, site_name: str | None) -> str | None:
    # JSON-LD headlines are clean but some sites cut them to a search engine's length limit.
    title = page_title if not headline or headline.endswith(("...", "…")) else headline
    if title and site_name:
        for separator in (" | ", " - ", " – ", " — "):
            if title.endswith(separator + site_name):
                return title[: -len(separator + site_name)].strip() or title
    return title


def _byline(value: str | None) -> str | None:
    cleaned = _clean(value)
    return _clean(_BY.sub("", cleaned)) if cleaned else None


def _paragraphs(text: str, heading: tuple[str | None, ...]) -> tuple[str, ...]:
    lines = [_SPACE.sub(" ", _UNWRITABLE.sub("", line)).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    # trafilatura keeps the page's <h1> and the dek under it as the first lines; both are the
    # article's heading (title, subtitle), not its text.
    folded = {_fold(t) for t in heading if t}
    while lines and _fold(lines[0]) in folded:
        lines = lines[1:]
    return tuple(lines)


# Where news templates put the dek (standfirst, subheadline): named by class or microdata. An
# auto-generated meta description often repeats the first paragraph instead, so only text shown
# in such an element counts as a dek.
_DEK_XPATH = (
    "//*[self::p or self::h2 or self::div or self::span]"
    "[@itemprop='description' or re:test(@class, '(^|[-_ ])(dek|deck|standfirst|subtitle|"
    "subheadline|sub-headline|subhead|excerpt)([-_ ]|$)', 'i')]"
)
_REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}


def _deks(tree: HtmlElement) -> list[str]:
    found = tree.xpath(_DEK_XPATH, namespaces=_REGEXP_NS)
    return [text for element in found[:3] if (text := _clean(element.text_content()))]


def _codec(label: str | None) -> str | None:
    # Labels name the encodings browsers decode with (WHATWG Encoding Standard), which are
    # supersets of what the labels say: Shift_JIS pages use windows-31j characters (①, ㈱),
    # ISO-8859-1 pages use windows-1252 quotes. Python's codec of the same name would fail there.
    return resolve_encoding(label.strip().strip("\"'")) if label else None


def _language(*values: str | None) -> str | None:
    """The primary subtag of the first value that is a language tag: "en-US", "en_US", "EN",
    "en, fr" give "en"; "x-default", "english", "*" are skipped."""
    for value in values:
        primary = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0] if value else ""
        if _LANGUAGE.fullmatch(primary):
            return primary.lower()
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_str(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, str):
            return item
    return None


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    # JSON-LD and meta values are often entity-escaped twice by the CMS ("&#163;71.6m").
    return _SPACE.sub(" ", _UNWRITABLE.sub("", unescape(value))).strip() or None


def _fold(value: str) -> str:
    return re.sub(r"\W+", " ", value).strip().lower()
