"""The replica web's data model: synthetic translation posts and the articles they cite.

Everything the replica serves is rendered from these records, and the same records are the
golden expectations the tests compare the crawler's output with. The texts are written for this
project (synthetic), shaped like the real blog and the real news sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceBehaviour(StrEnum):
    """How the replica answers a cited URL, and so which status the pair must end with."""

    OK = "ok"  # 200 article page
    REDIRECT = "redirect"  # cross-host or same-host 301/302 chain ending in the article
    NOT_FOUND = "not_found"  # 404
    GONE = "gone"  # 410
    SERVER_ERROR = "server_error"  # 500/503
    RESET = "reset"  # connection reset by the host
    ROBOTS_BLOCKED = "robots_blocked"  # the host's robots.txt disallows the path
    NOT_HTML = "not_html"  # a PDF or an image
    PAYWALLED = "paywalled"  # a teaser and a subscribe box instead of the article
    MISMATCH = "mismatch"  # 200, but another article than the one cited
    REFUSED = "refused"  # an internal address the crawler must never ask for; nothing serves it
    INTERNAL_REDIRECT = "internal_redirect"  # a public URL answering 302 to an internal address
    TRUNCATED = "truncated"  # the article page cut short on the wire (Content-Length stays full)
    IMAGE = "image"  # a PNG photo at the cited URL
    EMPTY = "empty"  # 200 with an empty body
    INVALID_UTF8 = "invalid_utf8"  # the article page with stray invalid UTF-8 bytes around it
    META_CHARSET = "meta_charset"  # the article page in windows-1252, declared only in <meta>
    MALFORMED = "malformed"  # the article page with unclosed and stray tags
    LONG_URL = "long_url"  # a cited URL over 2083 characters (a share token in its query)
    # Cases for separate worlds, built by tests that crawl with their own settings:
    HUGE_PAGE = "huge_page"  # the article page on one 5 MB line (an inline data blob)
    TOO_LARGE = "too_large"  # a 12 MB page, over a crawl's lowered DOWNLOAD_MAXSIZE
    REDIRECT_LOOP = "redirect_loop"  # A 301 -> A/ 301 -> A


@dataclass(frozen=True)
class Caption:
    """An image caption inside a post body: the English photo credit and the Japanese caption."""

    credit: str
    text: str


@dataclass(frozen=True)
class SourceArticle:
    """An English article on a source site (www.twz.com, breakingdefense.com, ...)."""

    site: str  # key of the site template: "twz", "breakingdefense", "usni", "defensenews"
    url: str  # the article's canonical https URL
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    published: datetime  # timezone-aware, US Eastern local time
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()  # photo captions shown in the page, never part of the text
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitationExpectation:
    """The parse of a citation block that the crawler must produce."""

    title: str | None
    subtitle: str | None
    author: str | None  # without the "By" prefix
    date: str | None  # the raw date line, as written
    url: str | None  # the first URL, exactly as written
    extra_urls: tuple[str, ...] = ()  # further URLs, as written
    repaired_urls: tuple[str, ...] = ()  # every URL after repair, in order (url first)


@dataclass(frozen=True)
class TranslationPost:
    """A Japanese translation post on the replica Blogger blog."""

    path: str  # permalink path, e.g. "/2025/02/blog-post_7.html"
    title: str  # Japanese title without the publication suffix and comment
    publication: str | None  # e.g. "The War Zone", shown as "(The War Zone)" after the title
    comment: str | None  # the translator's comment, shown after "―" (U+2015)
    published: datetime  # timezone-aware, +09:00
    updated: datetime
    labels: tuple[str, ...]
    paragraphs: tuple[str, ...]  # the translated body, without captions and citation block
    captions: tuple[Caption, ...] = ()
    # The citation block exactly as its lines appear after the "■" mark; empty when there is none.
    citation_lines: tuple[str, ...] = ()
    citation: CitationExpectation | None = None
    drop_cap: bool = False  # render the first character of the body as a drop cap
    # Golden paragraph alignment: pairs of (translation paragraph indices, source paragraph
    # indices); an empty side marks an added (1-0) or omitted (0-1) paragraph.
    alignment: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()


@dataclass(frozen=True)
class PairCase:
    """One translation post, the article(s) it cites, and how the replica serves them."""

    post: TranslationPost
    # Per cited URL (as repaired): the article the replica serves there (after any redirect);
    # for a mismatch case, the unrelated article that is served instead of the cited one.
    sources: dict[str, SourceArticle] = field(default_factory=dict)
    # Per cited URL (as repaired): how the replica answers it.
    behaviours: dict[str, SourceBehaviour] = field(default_factory=dict)
    # Per cited URL (as repaired): the manifest status the pair must end with.
    expected_status: dict[str, str] = field(default_factory=dict)
    note: str = ""  # what this case exercises
