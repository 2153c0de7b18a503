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
    """An image caption inside a post body: the English photo credit and the Japanese caption.

    ``credit`` or ``text`` may be empty (an English line alone, a Japanese caption alone).
    """

    credit: str
    text: str
    # The paragraph the caption stands before, as on a real page; None: the renderer spreads the
    # captions over the body by a stable per-post choice. Layout only, not a golden field.
    before: int | None = None


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
    # How the page's machine timestamps (JSON-LD, meta, <time datetime>) print ``published``:
    # "offset" (2025-03-27T16:12:00-04:00), "naive" (2025-03-27T16:12:00, Eastern wall clock,
    # as some real sites write it) or "date_only" (2025-03-27). The visible date line is unchanged.
    published_markup: str = "offset"


@dataclass(frozen=True)
class CitedArticle:
    """One article a post's citation names, as the crawler must read it (golden), in block order.

    Each pair's ``citation`` describes its own article: a block citing two articles gives two
    of these, each with its own title, byline and date; a URL line with no header of its own
    gives one with only its URLs.
    """

    repaired_url: str  # the URL the crawler fetches: the pair's cited_url
    url: str  # the URL exactly as written (full-width, without a scheme, wrapped by Google...)
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None  # without "By", runs of spaces collapsed
    publication: str | None = None  # a publication line of the block ("The Hill"), not the title's
    date: str | None = None  # the date line as written, or the date part of a glued byline
    language: str = "en"  # "ja" for the Japanese-translated header of the 2026 layout


class NoteKind(StrEnum):
    """Lines of a post body that are neither translation nor citation."""

    BANNER = "banner"  # a cross-post banner ("この記事は...T1とT2共通記事です")
    COMMENT = "comment"  # a comment line ("― ...") in a post whose title has its own comment
    TITLE_REPEAT = "title_repeat"  # the title repeated (reworded) as the first body line
    PHOTO_CREDIT = "photo_credit"  # a photo credit in parentheses on a line of its own, "(USAF)"


@dataclass(frozen=True)
class Note:
    """A line the crawler must take out of the translated text (golden): its kind, and the line
    as written (runs of spaces collapsed)."""

    kind: NoteKind
    text: str


class EndMark(StrEnum):
    """How the translation's end mark "■" is written."""

    LINE = "line"  # on a line of its own
    GLUED = "glued"  # glued to the end of the last paragraph ("...確かだ。■")
    NONE = "none"  # no end mark


@dataclass(frozen=True)
class CitationExpectation:
    """The legacy one-per-post view of a citation (:attr:`TranslationPost.citation`): the first
    article's header with every URL of the post. New code reads ``TranslationPost.citations``."""

    title: str | None
    subtitle: str | None
    author: str | None  # without the "By" prefix
    date: str | None  # the raw date line, as written
    url: str | None  # the first URL, exactly as written
    extra_urls: tuple[str, ...] = ()  # further URLs, as written
    repaired_urls: tuple[str, ...] = ()  # every URL after repair, in order (url first)


@dataclass(frozen=True)
class TranslationPost:
    """A Japanese translation post on the replica Blogger blog.

    The body is rendered in this order: ``head_lines`` (lines the editor wrote before the
    translation), ``paragraphs`` with the ``captions`` between them, the end mark, and
    ``citation_lines``. The golden fields (``title``, ``publication``, ``comment``, ``notes``,
    ``paragraphs``, ``citations``) say what the crawler must read from that.
    """

    path: str  # permalink path, e.g. "/2025/02/blog-post_7.html"
    title: str  # Japanese title without the publication and the comment (golden)
    publication: str | None  # the title's publication, "(The War Zone)" (golden)
    # The translator's comment (golden): after "―" (U+2015) in the title, or the text of a
    # comment line opening the body ("― これは...") when the title has none.
    comment: str | None
    published: datetime  # timezone-aware, +09:00
    updated: datetime
    labels: tuple[str, ...]
    # The translated body (golden): no caption, banner, comment, title-repeat or credit line, no
    # article header, no citation block, no end mark.
    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...] = ()
    # The citation block exactly as its lines appear after the "■" mark; empty when there is none.
    citation_lines: tuple[str, ...] = ()
    drop_cap: bool = False  # render the first character of a paragraph as a drop cap
    # Golden paragraph alignment: pairs of (translation paragraph indices, source paragraph
    # indices); an empty side marks an added (1-0) or omitted (0-1) paragraph.
    alignment: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()
    # The title line exactly as the blog shows it; None: "{title}({publication})―{comment}".
    display_title: str | None = None
    # Lines written before the first paragraph, exactly as written: a cross-post banner, a
    # comment line, the title repeated and a photo credit, the Japanese article header of the
    # 2026 layout, or a citation block written before the body.
    head_lines: tuple[str, ...] = ()
    citations: tuple[CitedArticle, ...] = ()  # golden, one per cited article, in block order
    notes: tuple[Note, ...] = ()  # golden: the lines of head_lines that are notes, in order
    end_mark: EndMark | None = None  # None: on a line of its own before a citation block, else none
    drop_cap_at: int = 0  # the paragraph that opens with the drop cap (after a lead, say)
    bullets: tuple[int, ...] = ()  # paragraphs written as items of a bulleted list (<ul><li>)

    @property
    def repaired_urls(self) -> tuple[str, ...]:
        """The URLs the crawler fetches, in block order: the keys of the case's statuses."""
        return tuple(article.repaired_url for article in self.citations)

    @property
    def mark(self) -> EndMark:
        if self.end_mark is not None:
            return self.end_mark
        return EndMark.LINE if self.citation_lines else EndMark.NONE

    @property
    def citation(self) -> CitationExpectation | None:
        """The legacy one-per-post view: the first article's header, with every URL."""
        if not self.citations:
            return None
        first = self.citations[0]
        return CitationExpectation(
            title=first.title,
            subtitle=first.subtitle,
            author=first.author,
            date=first.date,
            url=first.url,
            extra_urls=tuple(article.url for article in self.citations[1:]),
            repaired_urls=self.repaired_urls,
        )


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
