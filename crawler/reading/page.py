"""What a fetched page means for the corpus: a post item or a source item.

The spiders call these with what Scrapy fetched; ``python -m crawler rebuild`` calls them with
what the WARC records hold. Both paths give the same bytes, headers and times to the same code,
so a manifest rebuilt from the archive equals the crawl's.

A page larger than ``max_bytes`` (``BITEXT_PARSE_MAX_BYTES``) is not read at all: the time
trafilatura takes grows faster than the page (a 2.6 MB article page takes 45 s, see
``bench/parse_budget.py``), and so does its memory. Such a page, and one whose reading a worker
gave up on (``crawler/reading/pool.py``), gets the item of :func:`unread_post_page` or
:func:`unread_source_page`, which says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from w3lib.encoding import http_content_type_encoding

from crawler import defaults
from crawler.article.extraction import extract_article, looks_like_html, parse_html
from crawler.article.paywall import paywall_signals
from crawler.blogger import PostParseError, with_feed_date
from crawler.items import PostItem, SourceItem
from crawler.platforms import read_post

if TYPE_CHECKING:
    from crawler.archive.pointer import WarcPointer


def read_post_page(
    *,
    url: str,
    fetched_url: str,
    http_status: int,
    content_type: str | None,
    body: bytes,
    warc: WarcPointer | None,
    crawled_at: str,
    max_bytes: int = defaults.BITEXT_PARSE_MAX_BYTES,
) -> PostItem:
    """The post item of a permalink page (``url`` is the canonical permalink), read from the
    page alone: the feed's date is applied after, by :func:`dated_by_feed`, so a worker's
    reading is the callback's whatever the spider learnt meanwhile.

    A page over ``max_bytes`` (0: no limit) is not read: its item has no post and says why.
    """
    if max_bytes and len(body) > max_bytes:
        return unread_post_page(
            too_large(len(body), max_bytes),
            url=url,
            fetched_url=fetched_url,
            http_status=http_status,
            warc=warc,
            crawled_at=crawled_at,
        )
    item = PostItem(
        url=url,
        fetched_url=fetched_url,
        http_status=http_status,
        post=None,
        warc=warc,
        crawled_at=crawled_at,
    )
    try:
        # The page says which platform it is (crawler/platforms/), so a reading from the
        # archive needs nothing the crawl knew.
        item.platform, item.post = read_post(body, fetched_url, encoding=_charset(content_type))
    except PostParseError as exc:
        item.error = str(exc)
    return item


def dated_by_feed(item: PostItem, feed_published: datetime | None) -> PostItem:
    """``item`` with its post dated by the feed's timestamp where the page says less
    (``crawler.blogger.with_feed_date``)."""
    if item.post is not None:
        item.post = with_feed_date(item.post, feed_published)
    return item


@dataclass(frozen=True)
class Cutoff:
    """Why the crawler stopped taking a source's response, and what it kept of it.

    ``budget`` is ``"size"`` (the body on the wire reached DOWNLOAD_MAXSIZE, or its headers
    announced more), ``"time"`` (the download took RESPONSE_BUDGET_SECONDS) or ``"decoded"``
    (the whole body arrived, but decompressed it is larger than DOWNLOAD_MAXSIZE). ``limit`` is
    that budget (bytes or seconds), ``kept`` the body bytes received and archived, still
    content-encoded, ``announced`` the Content-Length of the headers, ``encoding`` their
    Content-Encoding.
    """

    budget: str
    limit: float
    kept: int
    announced: int | None = None
    encoding: str | None = None

    def sentence(self) -> str:
        """The pair's ``error``: which budget, and how much of the response was kept."""
        size = f"{int(self.limit)} bytes (DOWNLOAD_MAXSIZE)"
        if self.budget == "time":
            return (
                f"the response took longer than the time budget of {self.limit:g} seconds "
                f"(RESPONSE_BUDGET_SECONDS); the first {self.kept} bytes were kept"
            )
        if self.budget == "decoded":
            return (
                f"decompressed size over the limit of {size}: the {self.kept} bytes received "
                f"({self.encoding or 'content-encoded'}) decode to more; they were archived as "
                "received and not read"
            )
        if self.kept == 0 and self.announced is not None and self.announced > self.limit:
            return (
                f"the response announced {self.announced} bytes (Content-Length), over the "
                f"download size limit of {size}; it was stopped at its headers and none of its "
                "body was kept"
            )
        return (
            f"the response is larger than the download size limit of {size}; "
            f"the first {self.kept} bytes were kept"
        )


def read_source_page(
    *,
    cited_url: str,
    url: str,
    redirects: Sequence[str],
    http_status: int,
    content_type: str | None,
    body: bytes,
    truncated: bool,
    warc: WarcPointer | None,
    crawled_at: str,
    cutoff: Cutoff | None = None,
    max_bytes: int = defaults.BITEXT_PARSE_MAX_BYTES,
) -> SourceItem:
    """The source item of the page a cited URL led to (after ``redirects``).

    ``cutoff`` is set when the crawler stopped taking the response at one of its budgets. An
    HTML page over ``max_bytes`` (0: no limit) is not read: it is ``source_truncated``, as a
    page cut off at a download budget is, with an error that names the parse budget.
    """
    item = SourceItem(
        cited_url=cited_url,
        status="ok",
        crawled_at=crawled_at,
        url=url,
        redirects=list(redirects),
        http_status=http_status,
        content_type=content_type,
        warc=warc,
    )
    if cutoff is not None:
        item.status, item.error = "source_truncated", cutoff.sentence()
    elif truncated:
        item.status, item.error = "source_truncated", "the response was cut short"
    elif not body.strip():
        item.status, item.error = "source_not_html", "the cited URL answered with an empty body"
    elif not looks_like_html(content_type, body):
        item.status = "source_not_html"
        item.error = f"the cited URL serves {content_type or 'an unknown type'}, not a page"
    elif max_bytes and len(body) > max_bytes:
        item.status, item.error = STATUS_NOT_READ, too_large(len(body), max_bytes)
    else:
        # One parse: the article, its metadata and dates, and the paywall markers all read it.
        tree = parse_html(body, _charset(content_type))
        item.article = extract_article(tree, url)
        signals = paywall_signals(tree, item.article)
        if signals is not None:
            item.status, item.error = "source_paywalled", f"a paywalled teaser ({signals})"
    return item


# A page fetched whole but not read within the parse budget. Like a page cut off at a download
# budget, the source has its response (status, headers, the archived bytes) and no text; and the
# status is not final (crawler/state/rules.py): the next run fetches the page again and reads it
# if its budget allows.
STATUS_NOT_READ = "source_truncated"


def too_large(size: int, max_bytes: int) -> str:
    return (
        f"the page is {size} bytes, over the parse size budget of {max_bytes} bytes "
        "(BITEXT_PARSE_MAX_BYTES): it was not read"
    )


def unread_post_page(
    reason: str,
    *,
    url: str,
    fetched_url: str,
    http_status: int,
    warc: WarcPointer | None,
    crawled_at: str,
    **_: Any,
) -> PostItem:
    """The item of a permalink page that was not read, for ``reason``: no post, so its pair is
    ``translation_unparsable`` with that error."""
    return PostItem(
        url=url,
        fetched_url=fetched_url,
        http_status=http_status,
        post=None,
        warc=warc,
        crawled_at=crawled_at,
        error=reason,
    )


def unread_source_page(
    reason: str,
    *,
    cited_url: str,
    url: str,
    redirects: Sequence[str],
    http_status: int,
    content_type: str | None,
    warc: WarcPointer | None,
    crawled_at: str,
    **_: Any,
) -> SourceItem:
    """The item of a cited page that was not read, for ``reason``: ``source_truncated``."""
    return SourceItem(
        cited_url=cited_url,
        status=STATUS_NOT_READ,
        crawled_at=crawled_at,
        url=url,
        redirects=list(redirects),
        http_status=http_status,
        content_type=content_type,
        warc=warc,
        error=reason,
    )


def _charset(content_type: str | None) -> str | None:
    return http_content_type_encoding(content_type) if content_type else None
