"""A replica self-hosted WordPress blog: the pages, sitemaps, feed, REST API and robots.txt.

Routes follow WordPress core's with pretty permalinks (``/%year%/%monthnum%/%day%/%postname%/``):
a post without its trailing slash gets a 301 to it, ``/?p=N`` (the feed's ``<guid>``) a 301 to
the permalink, ``/page/N/`` the older posts, ``/category/…/``, ``/about/`` (a static page), and
any other path the theme's 404 page. Core's sitemaps (``/wp-sitemap.xml`` and its
``wp-sitemap-posts-post-N.xml`` pages, split at ``SITEMAP_PAGE`` URLs; pages, categories and
users in sitemaps of their own), the RSS feed (``/feed/``, ``?paged=N``, a 404 past the last
page) and the REST API (``/wp-json/wp/v2/posts``, ``X-WP-Total`` / ``X-WP-TotalPages``, a 400
past the last page). ``robots.txt`` is core's virtual one. No SEO plugin: ``/sitemap_index.xml``
is a 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC
from html import escape
from urllib.parse import parse_qsl, urlsplit

from replica.model import SourceArticle
from replica.sites.wordpress_cases import WordPressCase
from replica.sites.wordpress_theme import (
    feed_date,
    render_listing,
    render_page,
    render_post,
)
from replica.web import Resource

SITEMAP_PAGE = 4  # URLs per posts sitemap page (core's default is 2000; a filter lowers it)
FEED_PAGE = 4  # posts per feed page (Settings > Reading)
HOME_PAGE = 5
HTML = ("Content-Type", "text/html; charset=UTF-8")
XML = ("Content-Type", "application/xml; charset=UTF-8")
RSS = ("Content-Type", "application/rss+xml; charset=UTF-8")
JSON = ("Content-Type", "application/json; charset=UTF-8")
ABOUT = "このブログは、海外の防衛ニュースを日本語に翻訳して紹介する個人ブログです。"
POSTS_SITEMAP = re.compile(r"/wp-sitemap-posts-post-(\d+)\.xml")
PAGED = re.compile(r"/page/(\d+)/")


class WordPressSite:
    """One WordPress blog at ``host`` (https), serving ``cases`` as its posts."""

    def __init__(
        self,
        host: str,
        name: str,
        cases: Sequence[WordPressCase],
        sources: Mapping[str, SourceArticle],
    ) -> None:
        self.host = host
        self.name = name
        self.blog = f"https://{host}/"
        self.cases = sorted(cases, key=lambda c: c.published, reverse=True)  # newest first
        self.by_path = {c.path: c for c in cases}
        self.by_id = {c.post_id: c for c in cases}
        self.sources = dict(sources)
        self.headers = (
            HTML,
            ("Server", "nginx"),
            ("Link", f'<{self.blog}wp-json/>; rel="https://api.w.org/"'),
            ("X-Powered-By", "PHP/8.2.18"),
        )

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        parts = urlsplit(path)
        route, query = parts.path, dict(parse_qsl(parts.query))
        if route == "/robots.txt":
            return Resource(200, (("Content-Type", "text/plain; charset=utf-8"),), self.robots())
        if route in ("/", "/index.php") and "p" in query:
            return self._shortlink(query["p"])
        if route == "/" and "s" not in query:
            return self._html(
                render_listing(self.blog, self.name, self.name, self.cases[:HOME_PAGE], self.cases)
            )
        if route == "/wp-sitemap.xml":
            return self._xml(self.sitemap_index())
        if (match := POSTS_SITEMAP.fullmatch(route)) is not None:
            return self._posts_sitemap(int(match.group(1)))
        if route == "/wp-sitemap-posts-page-1.xml":
            return self._xml(_urlset([(f"{self.blog}about/", None)]))
        if route == "/wp-sitemap-taxonomies-category-1.xml":
            return self._xml(_urlset([(f"{self.blog}category/t0/", None)]))
        if route == "/wp-sitemap-users-1.xml":
            return self._xml(_urlset([(f"{self.blog}author/admin/", None)]))
        if route == "/feed/":
            return self._feed(int(query.get("paged", "1") or 1))
        if route == "/wp-json/wp/v2/posts":
            return self._rest(query)
        if route == "/about/":
            return self._html(
                render_page(self.blog, self.name, "このブログについて", ABOUT, self.cases)
            )
        if route in self.by_path:
            case = self.by_path[route]
            others = [c for c in self.cases if c is not case]
            return self._html(render_post(case, self.blog, self.name, self.sources, others))
        if route + "/" in self.by_path:
            return self._redirect(self.blog.rstrip("/") + route + "/")
        if route.startswith("/category/") or (PAGED.fullmatch(route) and route != "/page/1/"):
            listed = self.cases[HOME_PAGE:] if PAGED.fullmatch(route) else self.cases
            return self._html(render_listing(self.blog, self.name, self.name, listed, self.cases))
        return Resource(
            404,
            self.headers,
            render_page(
                self.blog, self.name, "ページが見つかりませんでした", "404 NOT FOUND", self.cases
            ),
        )

    def robots(self) -> bytes:
        # WordPress core's virtual robots.txt.
        return (
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {self.blog}wp-sitemap.xml\n"
        ).encode()

    def sitemap_index(self) -> bytes:
        pages = -(-len(self.cases) // SITEMAP_PAGE)
        names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, pages + 1)]
        names += [
            "wp-sitemap-posts-page-1.xml",
            "wp-sitemap-taxonomies-category-1.xml",
            "wp-sitemap-users-1.xml",
        ]
        entries = "".join(f"<sitemap><loc>{self.blog}{name}</loc></sitemap>" for name in names)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<?xml-stylesheet type="text/xsl" href="{self.blog}wp-sitemap-index.xsl" ?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            "</sitemapindex>\n"
        ).encode()

    def _posts_sitemap(self, page: int) -> Resource | None:
        oldest_first = sorted(self.cases, key=lambda c: c.post_id)
        chunk = oldest_first[(page - 1) * SITEMAP_PAGE : page * SITEMAP_PAGE]
        if page < 1 or not chunk:
            return None
        return self._xml(_urlset([(self.blog.rstrip("/") + c.path, c.post.updated) for c in chunk]))

    def _feed(self, page: int) -> Resource | None:
        chunk = self.cases[(page - 1) * FEED_PAGE : page * FEED_PAGE]
        if page < 1 or not chunk:
            return None  # WordPress answers 404 past the last page
        items = "".join(self._item(case) for case in chunk)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
            f"<title>{escape(self.name)}</title>\n"
            f'<atom:link href="{self.blog}feed/" rel="self" type="application/rss+xml" />\n'
            f"<link>{self.blog}</link>\n<description>海外の防衛ニュースを日本語で</description>\n"
            f"<lastBuildDate>{feed_date(self.cases[0].post.updated.astimezone(UTC))}"
            "</lastBuildDate>\n<language>ja</language>\n"
            "<sy:updatePeriod>hourly</sy:updatePeriod>\n"
            f"<generator>https://wordpress.org/?v=6.5.2</generator>\n{items}</channel>\n</rss>\n"
        )
        return Resource(200, (RSS, *self.headers[1:]), body.encode())

    def _item(self, case: WordPressCase) -> str:
        link = self.blog.rstrip("/") + case.path
        categories = "".join(
            f"<category><![CDATA[{label}]]></category>" for label in case.post.labels
        )
        return (
            f"<item>\n<title>{escape(case.display_title)}</title>\n<link>{link}</link>\n"
            f"<dc:creator><![CDATA[管理人]]></dc:creator>\n"
            f"<pubDate>{feed_date(case.published.astimezone(UTC))}</pubDate>\n{categories}\n"
            f'<guid isPermaLink="false">{self.blog}?p={case.post_id}</guid>\n'
            f"<description><![CDATA[{case.post.paragraphs[0][:80]}…]]></description>\n"
            "</item>\n"
        )

    def _rest(self, query: Mapping[str, str]) -> Resource:
        per_page = max(1, min(100, int(query.get("per_page", "10") or 10)))
        page = max(1, int(query.get("page", "1") or 1))
        total_pages = max(1, -(-len(self.cases) // per_page))
        if page > total_pages:
            error = {
                "code": "rest_post_invalid_page_number",
                "message": "要求されたページ番号が使用可能なページ数よりも多いです。",
                "data": {"status": 400},
            }
            return Resource(400, (JSON,), json.dumps(error, ensure_ascii=False).encode())
        chunk = self.cases[(page - 1) * per_page : page * per_page]
        posts = [
            {
                "id": c.post_id,
                "date_gmt": c.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "modified_gmt": c.post.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "link": self.blog.rstrip("/") + c.path,
            }
            for c in chunk
        ]
        headers = (
            JSON,
            ("X-WP-Total", str(len(self.cases))),
            ("X-WP-TotalPages", str(total_pages)),
            ("Link", f'<{self.blog}wp-json/>; rel="https://api.w.org/"'),
        )
        return Resource(200, headers, json.dumps(posts, ensure_ascii=False).encode())

    def _shortlink(self, post_id: str) -> Resource | None:
        case = self.by_id.get(int(post_id)) if post_id.isdigit() else None
        return self._redirect(self.blog.rstrip("/") + case.path) if case else None

    def _redirect(self, location: str) -> Resource:
        return Resource(301, (("Location", location), HTML, ("X-Redirect-By", "WordPress")))

    def _html(self, body: bytes) -> Resource:
        return Resource(200, self.headers, body)

    def _xml(self, body: bytes) -> Resource:
        return Resource(200, (XML, *self.headers[1:]), body)


def _urlset(entries: Sequence[tuple[str, object]]) -> bytes:
    rows = "".join(
        f"<url><loc>{loc}</loc>"
        + (f"<lastmod>{stamp.isoformat()}</lastmod>" if stamp is not None else "")  # type: ignore[attr-defined]
        + "</url>"
        for loc, stamp in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>\n'
    ).encode()
