"""The other hosts that answer for a replica blog: country-code domains and www.blogger.com.

Blogger sends a country-code host (``NAME.blogspot.jp``) to the same path on ``NAME.blogspot.com``
with a 302, and serves every blog's feeds at ``www.blogger.com/feeds/BLOGID/posts/...`` too (the
``rel='next'`` links of a feed point there).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from replica.web import Resource

if TYPE_CHECKING:
    from replica.sites.blogger import BloggerSite


class RedirectSite:
    """A host answering every path with a redirect to the same path on ``target_host``."""

    def __init__(self, target_host: str, status: int = 302) -> None:
        self.target_host = target_host
        self.status = status

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource:
        location = f"https://{self.target_host}{path}"
        body = (
            "<HTML>\n<HEAD>\n<TITLE>Moved Temporarily</TITLE>\n</HEAD>\n<BODY>\n"
            f'<H1>Moved Temporarily</H1>\nThe document has moved <A HREF="{location}">here</A>.'
            "\n</BODY>\n</HTML>\n"
        )
        return Resource(
            status=self.status,
            headers=(("Location", location), ("Content-Type", "text/html; charset=UTF-8")),
            body=body.encode(),
        )


class BloggerDotCom:
    """``www.blogger.com``: ``/feeds/BLOGID/posts/...`` served for every blog built here."""

    def __init__(self) -> None:
        self.blogs: weakref.WeakValueDictionary[str, BloggerSite] = weakref.WeakValueDictionary()

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        match = re.fullmatch(r"/feeds/(\d+)(/posts/.*)", urlsplit(path).path)
        site = self.blogs.get(match.group(1)) if match else None
        if site is None or match is None:
            return None
        query = urlsplit(path).query
        return site.resolve(f"/feeds{match.group(2)}" + (f"?{query}" if query else ""), headers)


BLOGGER_COM = BloggerDotCom()
