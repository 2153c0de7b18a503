"""Hatena Blog URL shapes: a post's one canonical form, and the blog's list endpoints.

Every Hatena blog stands at the root of its host (``NAME.hatenablog.com``, ``.hatenablog.jp``,
``.hateblo.jp``, ``.hatenadiary.com`` / ``.jp`` / ``.org``, or a custom domain). A post's
permalink is ``/entry/`` and either the time it was first published in the blog's time zone
(``/entry/2025/02/07/123456``) or the slug its author chose (``/entry/slug``, which may hold
slashes and Japanese). Nothing else is a post: the AMP copy (``/amp/entry/…``), archives
(``/archive/…``), ``/about``, the feeds, the sitemaps, search. A post is keyed on the blog's
scheme and host, its path (no trailing slash), no query and no fragment.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string

__all__ = [
    "ENTRY_PATH",
    "HATENA_HOST",
    "blog_root",
    "canonical_post_url",
    "feed_url",
    "sitemap_urls",
]

# Hosts Hatena Blog gives its blogs (a custom domain is recognised by its pages instead).
HATENA_HOST = re.compile(
    r"(?:^|\.)(?:hatenablog\.(?:com|jp)|hateblo\.jp|hatenadiary\.(?:com|jp|org))$"
)
ENTRY_PATH = re.compile(r"^/entry/(?P<rest>[^?#]+?)/?$")
DATED_ENTRY = re.compile(r"^\d{4}/\d{2}/\d{2}/\d{6}$")


def blog_root(url: str) -> str:
    """``SCHEME://HOST/`` of a blog URL (a bare host is taken as https)."""
    text = url.strip()
    if "//" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    return urlunsplit((scheme, _netloc(parts.hostname, parts.port), "/", "", ""))


def canonical_post_url(url: str, blog: str) -> str | None:
    """The canonical permalink of a post URL of ``blog``, or None when it is not one."""
    parts = urlsplit(safe_url_string(url.strip()))
    root = urlsplit(blog)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.hostname.lower().rstrip(".") != (root.hostname or "").lower():
        return None  # another blog, even of the same service: never this blog's post
    match = ENTRY_PATH.match(parts.path)
    if match is None or not match.group("rest").strip("/"):
        return None
    path = "/entry/" + match.group("rest").strip("/")
    return urlunsplit((root.scheme, _netloc(root.hostname or "", root.port), path, "", ""))


def is_dated_entry(url: str) -> bool:
    """Whether a permalink is of the dated form (``/entry/2025/02/07/123456``)."""
    match = ENTRY_PATH.match(urlsplit(url).path)
    return bool(match and DATED_ENTRY.match(match.group("rest")))


def sitemap_urls(blog: str) -> tuple[str, ...]:
    """The sitemap indexes to try, in order: ``/sitemap.xml``, then ``/sitemap_index.xml``
    (the name robots.txt gives on some blogs; both serve the same index)."""
    return (f"{blog}sitemap.xml", f"{blog}sitemap_index.xml")


def feed_url(blog: str) -> str:
    """The first page of the Atom feed; the next pages are the ``rel="next"`` links it gives."""
    return f"{blog}feed"


def _netloc(hostname: str, port: int | None) -> str:
    return f"{hostname.lower()}:{port}" if port else hostname.lower()
