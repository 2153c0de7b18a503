"""Clean text and metadata of a cited news article; the only module that calls trafilatura.

A page is decoded once (BOM, HTTP charset, ``<meta charset>``, then UTF-8 with replacement) and
parsed once with lxml (``parse_html``); every reader of the page works on that one tree and none
modifies it: the caller (``crawler/reading/page.py``) gives it to ``extract_article`` and to
``crawler/article/paywall.py``. Structured data is read from it first
(``crawler/article/structured.py``), because it is what news sites publish for search engines and it
keeps the publication time with its offset; trafilatura's metadata fills what is missing (its date
is day-precision only); ``crawler/article/dates.py`` decides which time is the publication time, and
its zone when it has no offset. The body comes from ``bare_extraction`` on the same tree (it works
on a copy), tuned for news pages and measured by ``bench/extraction_f1.py``:

- ``favor_precision``: drops related-link boxes, newsletter boxes, share bars and captions more
  aggressively; it raises mean token F1 on the article-extraction-benchmark. Where it keeps
  almost nothing (a reprint notice), the balanced mode runs once more on the same tree.
- ``include_comments=False``: reader comments are not the article.
- the lines of furniture that reach trafilatura's text anyway (a photo credit in a layout table,
  a comment-policy note, a share or newsletter prompt, a "Related:" link) are dropped, and
  one-cell layout-table rows lose their pipes: ``crawler/article/boilerplate.py``.
- tables stay in: some older sites lay the whole article out in a table.
- no ``deduplicate``: trafilatura's duplicate cache is process-wide, so a page fetched twice (a
  redirect target, a retry) would come back empty the second time.
- pages rendered by scripts carry the article only in JSON-LD ``articleBody``; it is used when
  the markup yields much less.
- ``fast`` first: trafilatura's comparison with readability and jusText (some 7 ms a real page)
  changes nothing where precision mode finds a whole article, so it runs only where the fast
  pass keeps less than ``_RETRY_BELOW_CHARS``: there it finds the article of pages whose markup
  precision mode misjudges (without it one benchmark page reads at token F1 0.13, not 0.92),
  and its result is kept as it would be without ``fast``. Skipping it on the long pages also
  keeps readability from replacing a right article with the whole page (one benchmark page, F1
  0.34 -> 0.99). The balanced retry behind it is fast too: on every measured page it read the
  same with the comparison. Measured by ``bench/extraction_f1.py`` (mean token F1 on the
  article-extraction-benchmark 0.9671 -> 0.9707, news pages unchanged) and
  ``bench/source_reading.py``.

trafilatura's parser is called from ``parse_html`` alone.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.utils import load_html
from w3lib.encoding import resolve_encoding

from crawler.article.boilerplate import clean_lines
from crawler.article.dates import resolve_published
from crawler.article.structured import (
    UNWRITABLE,
    StructuredData,
    byline,
    clean,
    jsonld_objects,
    language_subtag,
)

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
    published: datetime | date | None  # aware, or a date: see crawler/article/dates.py
    site_name: str | None
    language: str | None  # primary language subtag, e.g. "en"
    text: str  # paragraphs joined by "\n\n"
    paragraphs: tuple[str, ...]
    description: str | None  # meta description / dek
    published_basis: str | None = None  # how ``published`` was resolved (article/dates.py)


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
    page: HtmlElement | bytes | str | None, url: str, *, encoding: str | None = None
) -> ExtractedArticle:
    """Extract a news article's text and metadata from its page: the tree ``parse_html`` gave
    (which is left as it was), or the page's bytes or text, parsed here (``encoding``: the HTTP
    charset)."""
    tree = parse_html(page, encoding) if isinstance(page, bytes | str) else page
    if tree is None:
        return ExtractedArticle(None, None, None, None, None, "", (), None)
    structured = StructuredData.read(tree)
    document = _run_trafilatura(tree, url, precision=True, fast=True, metadata=True)
    body = _field(document, "text") or ""
    if len(body) < _RETRY_BELOW_CHARS:
        # Little found: where the comparison with readability and jusText can find the article.
        # A pass that finds too little text returns no metadata either: then this one brings it.
        compared = _run_trafilatura(
            tree, url, precision=True, fast=False, metadata=document is None
        )
        document = compared if document is None else document
        body = _field(compared, "text") or ""
    if len(body) < _RETRY_BELOW_CHARS:
        # Precision mode sometimes keeps only a boxed notice (reprint terms, a caption) of a
        # page whose article it judged uncertain; the balanced mode finds the article there.
        balanced = _run_trafilatura(tree, url, precision=False, fast=True)
        body = max(body, _field(balanced, "text") or "", key=len)
    site_name = structured.site_name or clean(_field(document, "sitename"))
    title = _title(structured.headline, clean(_field(document, "title")), site_name)
    description = structured.description or clean(_field(document, "description"))
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
        author=structured.author or byline(_field(document, "author")),
        published=published.value if published else None,
        site_name=site_name,
        language=structured.language or language_subtag(_field(document, "language")),
        text="\n\n".join(paragraphs),
        paragraphs=paragraphs,
        description=description,
        published_basis=published.basis if published else None,
    )


def _run_trafilatura(
    tree: HtmlElement, url: str, *, precision: bool, fast: bool, metadata: bool = False
) -> object | None:
    # bare_extraction copies a tree it is given, so one parse serves every pass.
    return bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=precision,
        include_comments=False,
        include_tables=True,
        with_metadata=metadata,
        # Its date is only the last fallback after the page's structured data: ask for the
        # publication (not last-modified) date, without htmldate's slow full-text search.
        date_extraction_params=_DATE_PARAMS,
    )


def _field(document: object | None, name: str) -> str | None:
    value = getattr(document, name, None)
    return value if isinstance(value, str) else None


def _title(headline: str | None, page_title: str | None, site_name: str | None) -> str | None:
    # JSON-LD headlines are clean but some sites cut them to a search engine's length limit.
    title = page_title if not headline or headline.endswith(("...", "…")) else headline
    if title and site_name:
        for separator in (" | ", " - ", " – ", " — "):
            if title.endswith(separator + site_name):
                return title[: -len(separator + site_name)].strip() or title
    return title


def _paragraphs(text: str, heading: tuple[str | None, ...]) -> tuple[str, ...]:
    lines = [_SPACE.sub(" ", UNWRITABLE.sub("", line)).strip() for line in text.splitlines()]
    # Credits, prompts and notices trafilatura let through (crawler/article/boilerplate.py).
    lines = clean_lines(line for line in lines if line)
    # trafilatura keeps the page's <h1> and the dek under it as the first lines; both are the
    # article's heading (title, subtitle), not its text.
    folded = {_fold(t) for t in heading if t}
    while lines and _fold(lines[0]) in folded:
        lines = lines[1:]
    return tuple(lines)


# Where news templates put the dek (standfirst, subheadline): named by class or microdata. An
# auto-generated meta description often repeats the first paragraph instead, so only text shown
# in such an element counts as a dek.
# A union of four name steps: libxml2 walks the tree for each faster than it tests every
# element's name against four (half the time on real news pages); the union is in document order.
_DEK_CANDIDATES = etree.XPath("(//p | //h2 | //div | //span)[@itemprop or @class]")
# Tested in Python, not with EXSLT's re:test, which calls back into Python for every element.
_DEK_CLASS = re.compile(
    r"(^|[-_ ])(dek|deck|standfirst|subtitle|subheadline|sub-headline|subhead|excerpt)([-_ ]|$)",
    re.IGNORECASE,
)


def _deks(tree: HtmlElement) -> list[str]:
    found = [
        element
        for element in _DEK_CANDIDATES(tree)
        if element.get("itemprop") == "description" or _DEK_CLASS.search(element.get("class", ""))
    ]
    return [text for element in found[:3] if (text := clean(element.text_content()))]


def _codec(label: str | None) -> str | None:
    # Labels name the encodings browsers decode with (WHATWG Encoding Standard), which are
    # supersets of what the labels say: Shift_JIS pages use windows-31j characters (①, ㈱),
    # ISO-8859-1 pages use windows-1252 quotes. Python's codec of the same name would fail there.
    return resolve_encoding(label.strip().strip("\"'")) if label else None


def _fold(value: str) -> str:
    return re.sub(r"\W+", " ", value).strip().lower()
