"""Blogger URL shapes: one canonical form per post, and the blog's feed and sitemap endpoints.

A post is reachable under many URLs: ``?m=1`` (mobile), ``?showComment=...``, fragments, and
country-code hosts (``foo.blogspot.jp`` redirects to ``foo.blogspot.com``). The crawler keys
everything on one form: https, the ``.blogspot.com`` host, no query, no fragment.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from crawler.blogger import selectors as sel

__all__ = ["blog_root", "canonical_host", "canonical_post_url", "feed_url", "sitemap_url"]


def canonical_host(host: str) -> str:
    """Lower-cased host with any country-code blogspot domain mapped to ``.blogspot.com``."""
    host = host.lower().rstrip(".")
    match = sel.BLOGSPOT_HOST.match(host)
    if match:
        return f"{match.group('blog')}.blogspot.com"
    return host


def canonical_post_url(url: str) -> str | None:
    """The canonical permalink of a post URL, or None when the URL is not a post permalink."""
    parts = urlsplit(safe_url_string(url.strip()))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if not sel.PERMALINK_PATH.match(parts.path):
        return None
    return urlunsplit(("https", canonical_host(parts.hostname), parts.path, "", ""))


def blog_root(url: str) -> str:
    """``https://HOST/`` of the blog a URL belongs to (a bare host is accepted too)."""
    text = url.strip()
    if "//" not in text:
        text = "https://" + text
    host = urlsplit(text).hostname
    if not host:
        raise ValueError(f"no host in {url!r}")
    return f"https://{canonical_host(host)}/"


def feed_url(blog: str, start_index: int = 1, max_results: int = 25, summary: bool = False) -> str:
    """One page of the blog's Atom feed (Blogger pages it with start-index / max-results)."""
    if start_index < 1 or max_results < 1:
        raise ValueError("start_index and max_results start at 1")
    kind = "summary" if summary else "default"
    query = urlencode({"start-index": start_index, "max-results": max_results})
    return f"{blog_root(blog)}feeds/posts/{kind}?{query}"


def sitemap_url(blog: str) -> str:
    """The blog's sitemap (an index of ``sitemap.xml?page=N`` pages on large blogs)."""
    return f"{blog_root(blog)}sitemap.xml"
