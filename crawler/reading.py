"""What a fetched page means for the corpus: a post item or a source item.

The spiders call these with what Scrapy fetched; ``python -m crawler rebuild`` calls them with
what the WARC records hold. Both paths give the same bytes, headers and times to the same code,
so a manifest rebuilt from the archive equals the crawl's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from w3lib.encoding import http_content_type_encoding

from crawler.blogger import PostParseError, parse_post
from crawler.extraction import extract_article, looks_like_html
from crawler.items import PostItem, SourceItem
from crawler.paywall import paywall_signals

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
    feed_published: datetime | None = None,
) -> PostItem:
    """The post item of a permalink page (``url`` is the canonical permalink)."""
    item = PostItem(
        url=url,
        fetched_url=fetched_url,
        http_status=http_status,
        post=None,
        warc=warc,
        crawled_at=crawled_at,
    )
    try:
        item.post = parse_post(
            body,
            fetched_url,
            feed_published=feed_published,
            encoding=_charset(content_type),
        )
    except PostParseError as exc:
        item.error = str(exc)
    return item


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
    size_limit: int = 0,
) -> SourceItem:
    """The source item of the page a cited URL led to (after ``redirects``).

    ``size_limit`` is set when the crawler stopped the body at that many bytes (DOWNLOAD_MAXSIZE).
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
    if size_limit:
        item.status = "source_truncated"
        item.error = (
            f"the response is larger than the download size limit of {size_limit} bytes "
            f"(DOWNLOAD_MAXSIZE); the first {len(body)} bytes were kept"
        )
    elif truncated:
        item.status, item.error = "source_truncated", "the response was cut short"
    elif not body.strip():
        item.status, item.error = "source_not_html", "the cited URL answered with an empty body"
    elif not looks_like_html(content_type, body):
        item.status = "source_not_html"
        item.error = f"the cited URL serves {content_type or 'an unknown type'}, not a page"
    else:
        item.article = extract_article(body, url, encoding=_charset(content_type))
        signals = paywall_signals(body, item.article)
        if signals is not None:
            item.status, item.error = "source_paywalled", f"a paywalled teaser ({signals})"
    return item


def _charset(content_type: str | None) -> str | None:
    return http_content_type_encoding(content_type) if content_type else None
