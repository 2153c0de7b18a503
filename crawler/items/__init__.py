"""What the spiders hand to the pipelines: one item per fetched post, one per cited source, and
the dates each list page gave its posts.

Pairs are composed from these when the crawl closes (a source cited by several posts is fetched
once), so each item carries everything the manifest needs about its side, including failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from crawler.archive.pointer import WarcPointer
    from crawler.article.extraction import ExtractedArticle
    from crawler.blogger import BloggerPost


@dataclass
class PostItem:
    """A translation post: its parse, or why it could not be parsed."""

    url: str  # canonical permalink
    fetched_url: str  # the URL actually fetched (may carry ?m=1, a country-code host, ...)
    http_status: int
    post: BloggerPost | None
    warc: WarcPointer | None
    crawled_at: str
    error: str | None = None  # set when the page had no parsable post
    payload_digest: str | None = None  # the WARC-Payload-Digest of the page at ``warc``
    # Read back from an earlier crawl's archive (the pairs pipeline resuming its pairs), not
    # fetched by this crawl.
    from_archive: bool = False
    # The blogging platform the page was read as (crawler/platforms/); for a page that could not
    # be read, the platform the crawl took the blog to be on.
    platform: str = "blogger"

    @property
    def feed_published(self) -> str | None:
        """The feed's date, where the parse took the post's date from it (then it is that date):
        what reading the page again needs to give the same post. Taken from the parse, not from
        the spider's feed map, which may have learnt it only after the page was read."""
        post = self.post
        if post is None or post.published_from != "feed" or post.published is None:
            return None
        return post.published.isoformat()


@dataclass
class SourceItem:
    """The outcome of fetching one cited URL (as repaired)."""

    cited_url: str
    status: str  # a manifest status: "ok" or what went wrong
    crawled_at: str
    url: str | None = None  # final URL after redirects
    redirects: list[str] = field(default_factory=list)  # the hops before ``url``
    http_status: int | None = None
    content_type: str | None = None
    article: ExtractedArticle | None = None
    warc: WarcPointer | None = None
    error: str | None = None
    payload_digest: str | None = None  # the WARC-Payload-Digest of the page at ``warc``
    # Taken from an earlier crawl's archive (crawler/downloadermiddlewares/archive_cache.py), not
    # fetched by this one: nothing about it is recorded again.
    from_archive: bool = False
    # Read from a web archive's capture (crawler/spiders/archive_fallback.py): the capture
    # (``url``: its memento URL, ``datetime``: ISO, ``archive``: the archive's base URL) and what
    # the live URL answered (``status``, ``error``, ``url``, ``redirects``, ``http_status``,
    # ``content_type``, ``warc``, ``payload_digest``). None for a page read from the live URL.
    memento: dict[str, str] | None = None
    live: dict[str, Any] | None = None
    # Source drift (crawler/state/drift.py). ``drift``: this fetch found the page changed against
    # the archived one (``{"paragraphs": {...} | None}``, written to its crawl-log record);
    # ``changed_since``: when the page its pairs take was first seen changed (the manifest's
    # ``source.changed_since``).
    drift: dict[str, Any] | None = None
    changed_since: str | None = None

    def live_item(self) -> SourceItem:
        """The outcome of the live URL alone, for a source read from a capture (else itself)."""
        live = self.live
        if live is None:
            return self
        from crawler.archive.pointer import WarcPointer

        warc = live.get("warc")
        return SourceItem(
            cited_url=self.cited_url,
            status=live["status"],
            crawled_at=self.crawled_at,
            url=live.get("url"),
            redirects=list(live.get("redirects") or ()),
            http_status=live.get("http_status"),
            content_type=live.get("content_type"),
            warc=WarcPointer.from_dict(warc) if warc else None,
            error=live.get("error"),
            payload_digest=live.get("payload_digest"),
            from_archive=self.from_archive,
            changed_since=self.changed_since,
        )


def live_outcome(item: SourceItem) -> dict[str, Any]:
    """What ``item``, the outcome of a live URL, says of it, as ``SourceItem.live`` keeps it."""
    return {
        "status": item.status,
        "error": item.error,
        "url": item.url,
        "redirects": list(item.redirects),
        "http_status": item.http_status,
        "content_type": item.content_type,
        "warc": item.warc.to_dict() if item.warc is not None else None,
        "payload_digest": item.payload_digest,
    }


@dataclass(frozen=True)
class ListedPost:
    """A post as a list gave it: its canonical permalink and the dates the list shows."""

    url: str
    lastmod: datetime | None = None  # a sitemap's <lastmod>
    updated: datetime | None = None  # a feed's <updated>


@dataclass
class ListingItem:
    """The posts one list page (sitemap, feed, archive page) gave, with their dates: the pairs
    pipeline notes them in the crawl state, which dates a fetched post's archived copy by the
    newest of them (crawler/state/recording.py)."""

    posts: list[ListedPost]
