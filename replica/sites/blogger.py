"""A replica Blogger blog: the pages, feeds, sitemaps and robots.txt a blogspot.com host serves.

Routes follow Blogger's: permalinks ``/YYYY/MM/slug.html`` (``?m=1`` for the mobile variant,
other query parameters ignored), the home page and ``/search?updated-max=...`` pages, label
pages, archives, a static page, Atom/RSS feeds paged by ``start-index`` and a sitemap index.
Construction only sorts and indexes the posts; every page is rendered when asked for.

Country-code hosts (``*.blogspot.jp``) answer with a 302 to the same path on the ``.com`` host,
and ``www.blogger.com`` answers the feed URLs that Blogger feeds link to (``rel='next'``).
``BloggerSite.aliases()`` gives both, keyed by host name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cached_property
from urllib.parse import parse_qsl, unquote, urlsplit

from replica.model import TranslationPost
from replica.sites.blogger_body import label_list
from replica.sites.blogger_context import Blog, Page, PostRef, Sidebar
from replica.sites.blogger_feeds import FeedQuery, render_atom, render_rss, sitemap_index, urlset
from replica.sites.blogger_hosts import BLOGGER_COM, RedirectSite
from replica.sites.blogger_pager import paginate
from replica.sites.blogger_templates import THEMES, render_page, render_sidebar
from replica.web import Resource, Site

PERMALINK = re.compile(r"/\d{4}/\d{2}/[^/]+\.html")
ARCHIVE = re.compile(r"/(\d{4})/(?:(\d{2})/)?")
POSTS_FEED = re.compile(r"/feeds/posts/(default|summary|full)(?:/-/(.+))?")
COMMENTS_FEED = re.compile(r"/feeds/(\d+)/comments/(?:default|summary|full)")
MOBILE_BROWSER = re.compile(r"Mobile|iPhone|Android", re.IGNORECASE)
COUNTRY_DOMAINS = ("blogspot.jp",)
ABOUT_PATH = "/p/about.html"
ABOUT_TEXT = (
    "このブログは、航空宇宙・防衛分野の英文ニュース記事を日本語に翻訳して紹介しています。",
    "各記事の末尾の■以下に原文の題名、著者、日付、URLを記載しています。",
    "（このページは試験用に作成された合成データです。）",
)
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-XSS-Protection", "0"),
    ("Server", "GSE"),
)


def stable_id(*parts: str) -> str:
    """A 19-digit id, like Blogger's blog and post ids, fixed by ``parts``."""
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return str(10**18 + int.from_bytes(digest[:8], "big") % (9 * 10**18))


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def cut_off(xml: str) -> str:
    """``xml`` ended in the middle of its second half's first element: not well-formed."""
    return xml[: xml.index("<", len(xml) // 2) + 4]


class BloggerSite:
    """One Blogger blog on ``host``, rendered in ``theme`` ("classic" or "contempo")."""

    def __init__(
        self,
        host: str,
        title: str,
        posts: Sequence[TranslationPost],
        *,
        theme: str = "classic",
        feed: str = "full",
        posts_per_page: int = 7,
        sitemap_page_size: int = 500,
        broken_sitemap_pages: Collection[int] = (),
        broken_feed_pages: Collection[int] = (),
        now: datetime | None = None,
        description: str = "航空宇宙・防衛ニュースの翻訳（試験用の合成データ）",
        author: str = "管理人",
    ) -> None:
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}; expected one of {THEMES}")
        if feed not in ("full", "summary"):
            raise ValueError(f"unknown feed kind {feed!r}; expected 'full' or 'summary'")
        self.host = host
        self.theme = theme
        self.feed = feed
        self.posts_per_page = posts_per_page
        self.sitemap_page_size = sitemap_page_size
        # Sitemap pages (``?page=N``) and feed pages (by ``start-index``) served as XML cut off
        # mid-element, as a failing backend sometimes answers with 200.
        self.broken_sitemap_pages = frozenset(broken_sitemap_pages)
        self.broken_feed_pages = frozenset(broken_feed_pages)
        blog_id = stable_id("blog", host)
        self.blog = Blog(host, title, description, blog_id, author, stable_id("profile", host))
        self._index(posts)
        self.now = now or self.last_updated
        BLOGGER_COM.blogs[blog_id] = self

    def _index(self, posts: Sequence[TranslationPost]) -> None:
        ordered = sorted(posts, key=lambda post: post.published, reverse=True)
        self.refs = tuple(
            PostRef(post, stable_id(self.blog.blog_id, post.path), f"{self.blog.base}{post.path}")
            for post in ordered
        )
        self.by_path = {ref.post.path: number for number, ref in enumerate(self.refs)}
        self.by_id = {ref.post_id: number for number, ref in enumerate(self.refs)}
        self.labels: dict[str, list[int]] = {}
        self.archives: dict[str, list[int]] = {}
        for number, ref in enumerate(self.refs):
            for label in ref.post.labels:
                self.labels.setdefault(label, []).append(number)
            moment = ref.post.published
            self.archives.setdefault(f"{moment.year}", []).append(number)
            self.archives.setdefault(f"{moment.year}/{moment.month:02d}", []).append(number)
        self.last_updated = max(
            (ref.post.updated for ref in self.refs), default=datetime(2025, 1, 1, tzinfo=UTC)
        )

    def add_post(self, post: TranslationPost) -> None:
        """Publish ``post`` on this blog, as its author would between two crawls: the lists
        (sitemap, feeds, listings, sidebar) change, the other posts keep their ``updated``."""
        if post.path in self.by_path:
            raise ValueError(f"{self.host}{post.path} already exists")
        self._index([*(ref.post for ref in self.refs), post])
        self.now = max(self.now, self.last_updated)
        self.__dict__.pop("sidebar_html", None)  # a cached_property: render it again

    def aliases(self) -> dict[str, Site]:
        """Other hosts that answer for this blog: country-code domains and www.blogger.com."""
        name = self.host.removesuffix(".blogspot.com")
        hosts: dict[str, Site] = {}
        if name != self.host:
            for domain in COUNTRY_DOMAINS:
                hosts[f"{name}.{domain}"] = RedirectSite(self.host)
        hosts["www.blogger.com"] = BLOGGER_COM
        return hosts

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        split = urlsplit(path)
        route, query = split.path, dict(parse_qsl(split.query, keep_blank_values=True))
        if route == "/robots.txt":
            return self._respond(self.robots_txt().encode(), "text/plain; charset=UTF-8", headers)
        if route in ("/sitemap.xml", "/sitemap-pages.xml"):
            return self._sitemap(route, query, headers)
        if route.startswith("/feeds/"):
            return self._feed(route, query, headers)
        if "m" not in query and MOBILE_BROWSER.search(header(headers, "User-Agent") or ""):
            mobile = f"{path}{'&' if split.query else '?'}m=1"
            return RedirectSite(self.host).resolve(mobile, headers)
        page = self.page(route, query, mobile=query.get("m") == "1")
        if page is None:
            return None
        body = render_page(self.blog, page, self.theme, self.sidebar_html)
        modified = page.posts[0].post.updated if page.kind == "item" else None
        return self._respond(body.encode(), "text/html; charset=UTF-8", headers, modified)

    def robots_txt(self) -> str:
        return (
            "User-agent: Mediapartners-Google\nDisallow: \n\nUser-agent: *\nDisallow: /search\n"
            f"Allow: /\n\nSitemap: {self.blog.base}/sitemap.xml\n"
        )

    def page(self, route: str, query: Mapping[str, str], *, mobile: bool = False) -> Page | None:
        """The page Blogger shows at ``route`` (``None``: Blogger's 404)."""
        base = self.blog.base
        if PERMALINK.fullmatch(route):
            number = self.by_path.get(route)
            if number is None:
                return None
            ref = self.refs[number]
            return Page(
                "item",
                ref.url,
                (ref,),
                newer_url=self.refs[number - 1].url if number > 0 else None,
                older_url=self.refs[number + 1].url if number + 1 < len(self.refs) else None,
                heading=ref.title,
                mobile=mobile,
            )
        if route == ABOUT_PATH:
            body = "\n".join(f"<p>{line}</p>" for line in ABOUT_TEXT)
            return Page(
                "static_page",
                f"{base}{ABOUT_PATH}",
                heading="このブログについて",
                static_html=body,
                mobile=mobile,
            )
        everything = list(range(len(self.refs)))
        if route == "/":
            homepage = not ({"updated-max", "updated-min"} & query.keys())
            return self._listing(
                "index", f"{base}/", everything, query, mobile, extra={"homepage": homepage}
            )
        if route == "/search":
            words = query.get("q")
            if words:
                everything = [n for n in everything if self._matches(n, words)]
            return self._listing(
                "index", f"{base}/search", everything, query, mobile, query_text=words
            )
        if route.startswith("/search/label/"):
            label = unquote(route.removeprefix("/search/label/"))
            return self._listing(
                "index",
                self.blog.label_url(label),
                self.labels.get(label, []),
                query,
                mobile,
                label=label,
            )
        archive = ARCHIVE.fullmatch(route)
        if archive:
            year, month = archive.groups()
            key = f"{year}/{month}" if month else year
            if key not in self.archives:
                return None
            heading = f"{int(year)}年{int(month)}月" if month else f"{int(year)}年"
            return self._listing(
                "archive", f"{base}{route}", self.archives[key], query, mobile, heading=heading
            )
        return None

    def _matches(self, number: int, words: str) -> bool:
        post = self.refs[number].post
        text = "\n".join((self.refs[number].title, *post.paragraphs))
        return all(word in text for word in words.split())

    def _listing(
        self,
        kind: str,
        url: str,
        numbers: Sequence[int],
        query: Mapping[str, str],
        mobile: bool,
        *,
        label: str | None = None,
        query_text: str | None = None,
        heading: str = "",
        extra: dict[str, bool] | None = None,
    ) -> Page:
        """A multi-post page of ``numbers`` (see ``paginate``)."""
        published = [ref.post.published for ref in self.refs]
        # Label pages page within the label; every other listing pages through /search.
        pager = url if label is not None else f"{self.blog.base}/search"
        chosen, newer, older = paginate(published, numbers, query, self.posts_per_page, pager)
        heading = heading or (label or "")
        return Page(
            kind,
            url,
            tuple(self.refs[n] for n in chosen),
            newer_url=newer,
            older_url=older,
            label=label,
            query=query_text,
            heading=heading,
            mobile=mobile,
            extra=extra or {},
        )

    @cached_property
    def sidebar_html(self) -> str:
        counts = sorted(self.labels.items(), key=lambda item: item[0].casefold())
        years: dict[int, dict[int, int]] = {}
        for ref in self.refs:
            months = years.setdefault(ref.post.published.year, {})
            months[ref.post.published.month] = months.get(ref.post.published.month, 0) + 1
        tree = tuple(
            (year, sum(months.values()), tuple(sorted(months.items(), reverse=True)))
            for year, months in sorted(years.items(), reverse=True)
        )
        newest = self.refs[0].post.published if self.refs else None
        latest_month = tuple(
            ref
            for ref in self.refs
            if newest
            and (ref.post.published.year, ref.post.published.month) == (newest.year, newest.month)
        )
        # "Popular" posts: a stable pick, so the widget repeats other posts' titles and snippets.
        popular = tuple(sorted(self.refs, key=lambda ref: stable_id("popular", ref.post_id))[:5])
        data = Sidebar(popular, tuple((k, len(v)) for k, v in counts), tree, latest_month)
        return render_sidebar(self.blog, data, self.theme)

    def _feed(
        self, route: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Resource | None:
        posts = POSTS_FEED.fullmatch(route)
        comments = COMMENTS_FEED.fullmatch(route)
        if posts is None and (comments is None or comments.group(1) not in self.by_id):
            return None
        try:
            request = FeedQuery.parse(query)
        except ValueError as error:
            message = f"{error}".encode()
            return Resource(400, (("Content-Type", "text/html; charset=UTF-8"),), message)
        numbers: Sequence[int] = []
        kind = "full"
        if posts is not None:
            kind = self.feed if posts.group(1) == "default" else posts.group(1)
            label = posts.group(2)
            numbers = self.labels.get(unquote(label), []) if label else range(len(self.refs))
        refs = request.select([self.refs[n] for n in numbers])
        page = refs[request.start - 1 : request.start - 1 + request.size]
        updated = self.last_updated
        if request.alt == "rss":
            body = render_rss(self.blog, page, len(refs), request, kind, updated)
            mime = "application/rss+xml"
        else:
            labels = label_list(list(self.labels))
            body = render_atom(self.blog, page, len(refs), request, kind, route, updated, labels)
            mime = "application/atom+xml"
        modified = max((ref.post.updated for ref in page), default=self.last_updated)
        if posts is not None and request.start in self.broken_feed_pages:
            body = cut_off(body)
        return self._respond(body.encode(), f"{mime}; charset=UTF-8", headers, modified)

    def _sitemap(
        self, route: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Resource | None:
        if route == "/sitemap-pages.xml":
            body = urlset([(f"{self.blog.base}{ABOUT_PATH}", self.last_updated)])
        elif "page" not in query:
            pages = max(1, -(-len(self.refs) // self.sitemap_page_size))
            body = sitemap_index(
                [f"{self.blog.base}/sitemap.xml?page={n}" for n in range(1, pages + 1)]
            )
        else:
            try:
                number = int(query["page"])
            except ValueError:
                return None
            start = (number - 1) * self.sitemap_page_size
            chunk = self.refs[start : start + self.sitemap_page_size] if number >= 1 else ()
            body = urlset([(ref.url, ref.post.updated) for ref in chunk])
            if number in self.broken_sitemap_pages:
                body = cut_off(body)
        return self._respond(body.encode(), "application/xml; charset=UTF-8", headers)

    def _respond(
        self,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str],
        modified: datetime | None = None,
    ) -> Resource:
        etag = f'W/"{hashlib.sha1(body).hexdigest()[:32]}"'
        fields = [
            ("Content-Type", content_type),
            ("Expires", http_date(self.now)),
            ("Cache-Control", "private, max-age=0"),
            ("ETag", etag),
        ]
        if modified is not None:
            fields.append(("Last-Modified", http_date(modified)))
        fields.extend(SECURITY_HEADERS)
        if header(headers, "If-None-Match") == etag:
            return Resource(304, tuple(fields))
        return Resource(200, tuple(fields), body, gzip=True)
