"""A replica Hatena Blog blog: its entry pages, sitemaps, Atom feed, top page and robots.txt.

Routes follow Hatena Blog's: ``/entry/…`` (both permalink forms; any other ``/entry/`` path is
a 404, as is a permalink with a trailing slash), the top page (``/``, the newest entries in
full; ``/?page=EPOCH`` the older ones), ``/about``, ``/archive`` and ``/archive/category/…``.
``/sitemap.xml`` (and ``/sitemap_index.xml``, the same) is an index of ``sitemap_common.xml``
and one ``sitemap_periodical.xml?year=YYYY&month=M`` per month with entries; ``/feed`` is the
Atom feed, ``FEED_PAGE`` entries a page, each page but the last linking the next with
``rel="next"`` (``/feed?page=EPOCH``: the entries published before that time); ``/rss`` is the
RSS 2.0 feed. ``robots.txt`` is the service's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from urllib.parse import parse_qsl, urlsplit

from replica.model import SourceArticle
from replica.sites.hatena_cases import HATENA_USER, HatenaCase
from replica.sites.hatena_theme import render_index, render_page, render_post
from replica.web import Resource

FEED_PAGE = 3  # entries per feed page
TOP_PAGE = 3  # entries on the top page
HTML = ("Content-Type", "text/html; charset=utf-8")
XML = ("Content-Type", "application/xml; charset=utf-8")
ATOM = ("Content-Type", "application/atom+xml; charset=utf-8")
ABOUT = "海外の軍事・防衛ニュースを翻訳して紹介するブログです。"
DISALLOWED = ("/api/", "/draft/", "/preview", "/search")


class HatenaSite:
    """One Hatena blog at ``host`` (https), serving ``cases`` as its entries."""

    def __init__(
        self,
        host: str,
        name: str,
        cases: Sequence[HatenaCase],
        sources: Mapping[str, SourceArticle],
    ) -> None:
        self.host = host
        self.name = name
        self.blog = f"https://{host}/"
        self.cases = sorted(cases, key=lambda c: c.published, reverse=True)  # newest first
        self.by_path = {c.path: c for c in cases}
        self.sources = dict(sources)
        self.headers = (HTML, ("Server", "nginx"), ("X-Dispatch", "Hatena::Epic::Blogs::Entry"))

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        parts = urlsplit(path)
        route, query = parts.path, dict(parse_qsl(parts.query))
        if route == "/robots.txt":
            return Resource(200, (("Content-Type", "text/plain; charset=utf-8"),), self.robots())
        if route == "/":
            return self._top(query.get("page"))
        if route in ("/sitemap.xml", "/sitemap_index.xml"):
            return self._xml(self.sitemap_index())
        if route == "/sitemap_common.xml":
            rows = [(f"{self.blog}{p}", None) for p in ("", "about", "archive")]
            return self._xml(_urlset(rows))
        if route == "/sitemap_periodical.xml":
            return self._periodical(query.get("year", ""), query.get("month", ""))
        if route == "/feed":
            return self._feed(query.get("page"))
        if route in self.by_path:
            case = self.by_path[route]
            return Resource(
                200, self.headers, render_post(case, self.blog, self.name, self.sources, self.cases)
            )
        if route == "/about":
            return self._page("このブログについて", ABOUT)
        if route == "/archive" or route.startswith("/archive/"):
            return self._page("記事一覧", "、".join(c.display_title for c in self.cases))
        body = render_page(
            self.blog, self.name, "404 Not Found", "記事が見つかりません", self.cases
        )
        return Resource(404, self.headers, body)

    def robots(self) -> bytes:
        disallowed = "".join(f"Disallow: {path}\n" for path in DISALLOWED)
        return f"User-agent: *\n{disallowed}\nSitemap: {self.blog}sitemap_index.xml\n".encode()

    def months(self) -> list[tuple[int, int]]:
        return sorted({(c.published.year, c.published.month) for c in self.cases}, reverse=True)

    def sitemap_index(self) -> bytes:
        locs = [f"{self.blog}sitemap_common.xml"] + [
            f"{self.blog}sitemap_periodical.xml?year={year}&amp;month={month}"
            for year, month in self.months()
        ]
        entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            "</sitemapindex>\n"
        ).encode()

    def _periodical(self, year: str, month: str) -> Resource | None:
        chosen = [
            c
            for c in self.cases
            if year.isdigit()
            and month.isdigit()
            and (c.published.year, c.published.month) == (int(year), int(month))
        ]
        rows = [(self.blog.rstrip("/") + c.path, c.post.updated) for c in chosen]
        return self._xml(_urlset(rows))  # an empty month is an empty urlset, as Hatena serves

    def _older_than(self, page: str | None) -> list[HatenaCase]:
        if page is None:
            return self.cases
        if not page.isdigit():
            return []
        before = datetime.fromtimestamp(int(page), UTC)
        return [c for c in self.cases if c.published < before]

    def _feed(self, page: str | None) -> Resource:
        listed = self._older_than(page)
        chunk, rest = listed[:FEED_PAGE], listed[FEED_PAGE:]
        following = ""
        if chunk and rest:
            epoch = int(chunk[-1].published.timestamp())
            following = f'<link rel="next" href="{self.blog}feed?page={epoch}" />\n'
        entries = "".join(self._entry(c) for c in chunk)
        updated = self.cases[0].post.updated.isoformat() if self.cases else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">\n'
            f'<title>{escape(self.name)}</title>\n<link href="{self.blog}"/>\n'
            f"<updated>{updated}</updated>\n<author><name>{HATENA_USER}</name></author>\n"
            '<generator uri="https://blog.hatena.ne.jp/" version="a1b2c3d4e5f6">Hatena::Blog'
            "</generator>\n<id>hatenablog://blog/6802418398300000001</id>\n"
            f"{following}{entries}</feed>\n"
        )
        return Resource(200, (ATOM, *self.headers[1:]), body.encode())

    def _entry(self, case: HatenaCase) -> str:
        link = self.blog.rstrip("/") + case.path
        categories = "".join(
            f'<category term="{escape(label)}" label="{escape(label)}" />'
            for label in case.post.labels
        )
        return (
            f'<entry>\n<title>{escape(case.display_title)}</title>\n<link href="{link}"/>\n'
            f"<id>hatenablog://entry/{case.entry_id}</id>\n"
            f"<published>{case.published.isoformat()}</published>\n"
            f"<updated>{case.post.updated.isoformat()}</updated>\n"
            f'<summary type="html">{escape(case.post.paragraphs[0][:80])}</summary>\n'
            f"{categories}\n<author><name>{HATENA_USER}</name></author>\n</entry>\n"
        )

    def _top(self, page: str | None) -> Resource:
        listed = self._older_than(page)
        shown, rest = listed[:TOP_PAGE], listed[TOP_PAGE:]
        following = None
        if shown and rest:
            following = f"{self.blog}?page={int(shown[-1].published.timestamp())}"
        body = render_index(self.blog, self.name, shown, self.cases, self.sources, following)
        return Resource(200, self.headers, body)

    def _page(self, title: str, text: str) -> Resource:
        return Resource(
            200, self.headers, render_page(self.blog, self.name, title, text, self.cases)
        )

    def _xml(self, body: bytes) -> Resource:
        return Resource(200, (XML, *self.headers[1:]), body)


def _urlset(entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    rows = "".join(
        f"<url><loc>{loc}</loc>"
        + (f"<lastmod>{stamp.isoformat()}</lastmod>" if stamp is not None else "")
        + "</url>"
        for loc, stamp in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>\n'
    ).encode()
