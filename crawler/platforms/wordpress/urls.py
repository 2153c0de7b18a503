"""WordPress URL shapes: a post's one canonical form, and the blog's list endpoints.

A permalink may have any structure the blog chose: ``/2025/03/29/slug/``, ``/2025/03/slug/``,
``/archives/123``, ``/slug/`` or the plain ``/?p=123``. What is *not* a post is known instead:
core paths (``/wp-admin/``, ``/wp-json/``, ``/feed/``, ``/category/…``, ``/page/2/``), search
(``?s=``), attachments and replies. A post is keyed on the blog's scheme and host, its path, no
query (but ``p``) and no fragment.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

__all__ = [
    "blog_root",
    "canonical_post_url",
    "feed_url",
    "rest_posts_url",
    "sitemap_urls",
]

NOT_A_POST = re.compile(
    r"^/(?:wp-admin|wp-json|wp-content|wp-includes|wp-login\.php|xmlrpc\.php|wp-sitemap|"
    r"feed|comments|category|tag|author|page|search|attachment|trackback|embed)(?:/|$|[.-])"
    r"|/(?:feed|trackback|embed|amp)/?$|/page/\d+/?$|/attachment/"
    r"|\.(?:xml|xsl|txt|php|json|jpe?g|png|gif|webp|svg|pdf|zip|mp4|css|js)$",
    re.IGNORECASE,
)
POST_ID = re.compile(r"^\d+$")
REST_PAGE_SIZE = 100  # the REST API's largest per_page
REST_FIELDS = "id,link,date_gmt,modified_gmt"


def blog_root(url: str) -> str:
    """``SCHEME://HOST/PATH/`` of a blog URL (a bare host is taken as https)."""
    text = url.strip()
    if "//" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    return urlunsplit((scheme, _netloc(parts), path or "/", "", ""))


def canonical_post_url(url: str, blog: str) -> str | None:
    """The canonical permalink of a post URL of ``blog``, or None when it is not one."""
    parts = urlsplit(safe_url_string(url.strip()))
    root = urlsplit(blog)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if _bare(parts.hostname) != _bare(root.hostname or ""):
        return None  # another site: never this blog's post
    if not parts.path.startswith(root.path.rstrip("/")):
        return None
    relative = "/" + parts.path[len(root.path.rstrip("/")) :].lstrip("/")
    query = dict(parse_qsl(parts.query))
    if relative in ("/", "/index.php"):
        post_id = query.get("p", "")
        if not POST_ID.match(post_id):
            return None  # the home page, a search (?s=), a page (?page_id=)
        return urlunsplit((root.scheme, _netloc(root), root.path, urlencode({"p": post_id}), ""))
    if NOT_A_POST.search(relative) or "replytocom" in query:
        return None
    return urlunsplit((root.scheme, _netloc(root), parts.path, "", ""))


def sitemap_urls(blog: str) -> tuple[str, ...]:
    """The sitemap indexes to try, in order: core's (WordPress 5.5+), then Yoast's / Rank Math's."""
    return (f"{blog}wp-sitemap.xml", f"{blog}sitemap_index.xml")


def feed_url(blog: str, page: int = 1, *, plain: bool = False) -> str:
    """Page ``page`` of the RSS feed; ``plain``: the query form of a blog without pretty
    permalinks (``/?feed=rss2``)."""
    if page < 1:
        raise ValueError("feed pages start at 1")
    if plain:
        query = {"feed": "rss2", **({"paged": str(page)} if page > 1 else {})}
        return f"{blog}?{urlencode(query)}"
    return f"{blog}feed/" + (f"?paged={page}" if page > 1 else "")


def rest_posts_url(blog: str, page: int = 1) -> str:
    """Page ``page`` of the REST API's post list, with only the fields discovery reads."""
    query = urlencode({"per_page": REST_PAGE_SIZE, "page": page, "_fields": REST_FIELDS})
    return f"{blog}wp-json/wp/v2/posts?{query}"


def _bare(host: str) -> str:
    return host.lower().rstrip(".").removeprefix("www.")


def _netloc(parts: object) -> str:
    hostname = getattr(parts, "hostname", None) or ""
    port = getattr(parts, "port", None)
    return f"{hostname}:{port}" if port else hostname
