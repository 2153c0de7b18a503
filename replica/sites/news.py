"""The replica's source news hosts: article pages, redirects and the failures a crawl meets.

Each host answers like its real platform: WordPress adds the trailing slash with a 301, Next.js
removes it with a 308, Arc XP sets cookies, unknown paths get the site's own 404 page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta
from email.utils import format_datetime
from html import escape
from urllib.parse import urlsplit

from replica.model import PairCase, SourceArticle, SourceBehaviour
from replica.sites.news_faults import (
    SERVICE_UNAVAILABLE,
    in_windows_1252,
    malformed,
    on_one_line,
    pdf_document,
    png_image,
    with_invalid_utf8,
)
from replica.sites.news_templates import (
    Brand,
    brand_for,
    render_article,
    render_error_page,
    render_listing,
    section_of,
    stable_number,
)
from replica.web import Resource, Site

TEMPLATE_BY_HOST = {
    "www.twz.com": "twz",
    "www.thedrive.com": "twz",
    "breakingdefense.com": "breakingdefense",
    "news.usni.org": "usni",
    "www.defensenews.com": "defensenews",
}
GZIP_TEMPLATES = frozenset({"twz", "breakingdefense", "defensenews"})  # behind CDNs that compress
ROBOTS_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
HTML = ("Content-Type", "text/html; charset=utf-8")
# Where an internal redirect points: the discard port of the crawler's own machine.
INTERNAL_TARGET = "http://127.0.0.1:9/secret"


def default_robots(host: str, template: str) -> str:
    """The robots.txt the platform ships: WordPress core rules, Next.js and Arc API paths."""
    origin = f"https://{host}"
    if template in ("breakingdefense", "usni"):
        rules = "Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
        sitemaps = [f"{origin}/sitemap_index.xml", f"{origin}/news-sitemap.xml"]
    elif template == "twz":
        rules = "Disallow: /api/\nDisallow: /search\nDisallow: /_next/data/\n\nUser-agent: GPTBot\n"
        rules += "Disallow: /\n"
        sitemaps = [f"{origin}/sitemap.xml"]
    elif template == "defensenews":
        rules = "Disallow: /pf/api/\nDisallow: /search/\n\nUser-agent: CCBot\nDisallow: /\n"
        feeds = f"{origin}/arc/outboundfeeds"
        sitemaps = [
            f"{feeds}/sitemap-index/?outputType=xml",
            f"{feeds}/news-sitemap/?outputType=xml",
        ]
    else:
        rules = "Disallow: /search/\n"
        sitemaps = [f"{origin}/sitemap.xml"]
    return "User-agent: *\n" + rules + "\n" + "".join(f"Sitemap: {url}\n" for url in sitemaps)


def platform_headers(host: str, template: str) -> tuple[tuple[str, str], ...]:
    if template in ("breakingdefense", "usni"):
        return (
            ("Content-Type", "text/html; charset=UTF-8"),
            ("Server", "nginx"),
            ("Link", f'<https://{host}/wp-json/>; rel="https://api.w.org/"'),
            ("Cache-Control", "max-age=300, must-revalidate"),
            ("Vary", "Accept-Encoding"),
        )
    if template == "twz":
        next_cache = ("Cache-Control", "s-maxage=300, stale-while-revalidate")
        return (HTML, ("X-Powered-By", "Next.js"), next_cache, ("Vary", "RSC, Accept-Encoding"))
    if template == "defensenews":
        return (HTML, ("Cache-Control", "max-age=120"), ("Vary", "Accept-Encoding"))
    return (HTML, ("Server", "Apache"), ("Vary", "Accept-Encoding"))


def article_headers(
    host: str, template: str, article: SourceArticle
) -> tuple[tuple[str, str], ...]:
    """Headers of an article page; Arc XP sets a visitor cookie and a geo cookie on each."""
    published = article.published.astimezone(UTC)
    headers = (
        *platform_headers(host, template),
        ("Last-Modified", format_datetime(published, True)),
    )
    if template == "defensenews":
        expires = format_datetime(published + timedelta(days=365), usegmt=True)
        domain = host.removeprefix("www.")
        visitor = f"{stable_number(article.url):08x}-{stable_number(host):08x}"
        headers += (
            (
                "Set-Cookie",
                f"_arc_vid={visitor}; Domain=.{domain}; Path=/; Expires={expires}; "
                "Secure; SameSite=None",
            ),
            ("Set-Cookie", "arc-geo=US; Path=/; Max-Age=3600; Secure; HttpOnly"),
        )
    return headers


def redirect(location: str, status: int = 301) -> Resource:
    link = escape(location)
    body = f'<html><body>Moved to <a href="{link}">{link}</a></body></html>\n'
    return Resource(status, (("Location", location), HTML), body.encode())


class NewsSite:
    """One news host: articles at their paths, home and section pages, robots.txt, 404 pages."""

    def __init__(
        self,
        host: str,
        template: str = "generic",
        *,
        robots_txt: str | None = None,
        gzip: bool | None = None,
    ) -> None:
        self.host = host
        self.template = template
        self.brand: Brand = brand_for(host)
        self.robots_txt = default_robots(host, template) if robots_txt is None else robots_txt
        self.gzip = template in GZIP_TEMPLATES if gzip is None else gzip
        self.resets = False  # the whole host drops connections, robots.txt included
        self._articles: dict[str, tuple[SourceArticle, bool]] = {}
        self._resources: dict[str, Resource] = {}

    def add_article(
        self, article: SourceArticle, *, path: str | None = None, paywalled: bool = False
    ) -> None:
        """Serve ``article`` at ``path`` (default: the path of its URL); the same twice is fine."""
        path = path or urlsplit(article.url).path or "/"
        known = self._articles.setdefault(path, (article, paywalled))
        if known != (article, paywalled):
            raise ValueError(f"{self.host}{path} already serves {known[0].url}")
        self._claim(path)

    def article_at(self, path: str) -> SourceArticle | None:
        """The article served at ``path``, if any."""
        known = self._articles.get(path)
        return known[0] if known is not None else None

    def revise_article(self, path: str, article: SourceArticle) -> None:
        """Serve ``article`` at ``path`` in place of the one published there (an edited page)."""
        _, paywalled = self._articles[path]
        self._articles[path] = (article, paywalled)

    def remove_article(self, path: str) -> None:
        """Stop serving the article at ``path``: it answers 404 from now on (a deleted page)."""
        del self._articles[path]

    def add_resource(self, path: str, resource: Resource) -> None:
        """Serve ``resource`` at ``path``; a key with "?query" only answers that exact query."""
        if self._resources.setdefault(path, resource) != resource:
            raise ValueError(f"{self.host}{path} already serves another resource")
        self._claim(path)

    def _claim(self, path: str) -> None:
        if path in self._articles and path in self._resources:
            raise ValueError(f"{self.host}{path} is both an article and another resource")

    def error_page(self, status: int) -> Resource:
        heading, message = {
            404: ("Page not found", "Sorry, the page you were looking for could not be found."),
            410: ("This article is no longer available", "This content has been removed."),
        }[status]
        body = render_error_page(self.brand, status, heading, message)
        return Resource(status, platform_headers(self.host, self.template), body, gzip=self.gzip)

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        if self.resets:
            return Resource(reset=True)
        if path in self._resources:
            return self._resources[path]
        path = path.split("?", 1)[0] or "/"  # tracking parameters change nothing, as on real CMSs
        if path in self._resources:
            return self._resources[path]
        if path in self._articles:
            article, paywalled = self._articles[path]
            body = render_article(article, paywalled=paywalled)
            return Resource(
                200, article_headers(self.host, self.template, article), body, gzip=self.gzip
            )
        if path == "/robots.txt":
            robots_headers = (("Content-Type", "text/plain; charset=utf-8"),)
            return Resource(200, robots_headers, self.robots_txt.encode(), gzip=self.gzip)
        return self._page(path) or self._canonical_redirect(path) or self.error_page(404)

    def _page(self, path: str) -> Resource | None:
        """The home page and section pages: lists of the host's articles."""
        articles = [article for article, _ in self._articles.values()]
        sections = {section_path: label for label, section_path in self.brand.sections}
        if path == "/":
            body = render_listing(self.brand, f"{self.brand.name}: Latest News", articles)
        elif path in sections:
            own = [a for a in articles if section_of(self.brand, a)[1] == path]
            body = render_listing(self.brand, sections[path], own, current=path)
        else:
            return None
        return Resource(200, platform_headers(self.host, self.template), body, gzip=self.gzip)

    def _canonical_redirect(self, path: str) -> Resource | None:
        """A URL off only by its trailing slash: WordPress and Arc 301, Next.js 308s."""
        alternate = path[:-1] if path.endswith("/") else path + "/"
        if alternate not in self._articles:
            return None
        return redirect(self.brand.origin + alternate, 308 if self.template == "twz" else 301)


class HostRedirect:
    """A bare domain that sends every path to its www host (twz.com -> www.twz.com)."""

    def __init__(self, host: str, target_origin: str) -> None:
        self.host = host
        self.target_origin = target_origin

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        return redirect(self.target_origin + path)


# The Drive's old War Zone URLs point at the bare twz.com, which adds the www: a 2-hop chain.
APEX_HOPS = {("www.thedrive.com", "www.twz.com"): "twz.com"}
HOST_WIDE = (SourceBehaviour.RESET, SourceBehaviour.ROBOTS_BLOCKED)
# The article page itself, served at its own URL with bytes changed on the way out.
REWRITTEN = {
    SourceBehaviour.INVALID_UTF8: with_invalid_utf8,
    SourceBehaviour.META_CHARSET: in_windows_1252,
    SourceBehaviour.MALFORMED: malformed,
    SourceBehaviour.HUGE_PAGE: on_one_line,
}
NEEDS_ARTICLE = (
    SourceBehaviour.OK,
    SourceBehaviour.REDIRECT,
    SourceBehaviour.PAYWALLED,
    SourceBehaviour.TRUNCATED,
    SourceBehaviour.LONG_URL,
    *REWRITTEN,
)
TOO_LARGE_BYTES = 12_000_000


class _SourceWeb:
    """Collects what every case needs from every host, refusing contradictions."""

    def __init__(self, cases: Sequence[PairCase]) -> None:
        self.sites: dict[str, NewsSite | HostRedirect] = {}
        self.host_modes: dict[str, SourceBehaviour] = {}
        for case in cases:
            for url, behaviour in case.behaviours.items():
                if behaviour in HOST_WIDE:
                    host = urlsplit(url).netloc
                    if self.host_modes.setdefault(host, behaviour) != behaviour:
                        raise ValueError(f"{host} cannot both reset and block robots")

    def news_site(self, host: str, article: SourceArticle | None) -> NewsSite:
        site = self.sites.get(host)
        if site is None:
            template = TEMPLATE_BY_HOST.get(host) or (article.site if article else "generic")
            site = self.sites[host] = NewsSite(host, template)
        if not isinstance(site, NewsSite):
            raise ValueError(f"{host} only redirects; it cannot serve pages")
        return site

    def publish(self, article: SourceArticle, cited: str) -> None:
        """Serve ``article`` at its own URL, on a host that does serve pages."""
        host = urlsplit(article.url).netloc
        if host in self.host_modes:
            raise ValueError(f"{cited}: {article.url} is on {host}, which serves nothing")
        self.news_site(host, article).add_article(article)

    def serve(self, url: str, behaviour: SourceBehaviour, article: SourceArticle | None) -> None:
        if behaviour is SourceBehaviour.REFUSED:
            return  # an internal address: no host of the replica web answers for it
        parts = urlsplit(url)
        host, path = parts.netloc, parts.path or "/"
        if self.host_modes.get(host, behaviour) != behaviour:
            raise ValueError(f"{url}: {host} is {self.host_modes[host]} for every path")
        if article is None and behaviour in NEEDS_ARTICLE:
            raise ValueError(f"{url}: behaviour {behaviour} needs the served article")
        site = self.news_site(host, article)
        if behaviour is SourceBehaviour.OK and article:
            self.publish(article, url)
            if (host, path) != (urlsplit(article.url).netloc, urlsplit(article.url).path):
                site.add_article(article, path=path)
        elif behaviour is SourceBehaviour.REDIRECT and article:
            self.publish(article, url)
            if article.url.split("?")[0] == f"https://{host}{path}":
                raise ValueError(f"{url} cannot redirect to itself")
            site.add_resource(path, redirect(self.redirect_target(host, article)))
        elif behaviour in (SourceBehaviour.NOT_FOUND, SourceBehaviour.GONE):
            site.add_resource(
                path, site.error_page(404 if behaviour is SourceBehaviour.NOT_FOUND else 410)
            )
        elif behaviour is SourceBehaviour.SERVER_ERROR:
            headers = (HTML, ("Retry-After", "120"), ("Cache-Control", "no-store"))
            site.add_resource(path, Resource(503, headers, SERVICE_UNAVAILABLE))
        elif behaviour is SourceBehaviour.RESET:
            site.resets = True
        elif behaviour is SourceBehaviour.ROBOTS_BLOCKED:
            site.robots_txt = ROBOTS_DISALLOW_ALL
            if article:  # a crawler that ignored robots.txt would get the page
                site.add_article(article, path=path)
        elif behaviour is SourceBehaviour.NOT_HTML:
            name = article.title if article else path.rsplit("/", 1)[-1]
            pdf_headers = (("Content-Type", "application/pdf"), ("Accept-Ranges", "bytes"))
            site.add_resource(path, Resource(200, pdf_headers, pdf_document(name)))
        elif behaviour is SourceBehaviour.PAYWALLED and article:
            site.add_article(article, path=path, paywalled=True)
        elif behaviour is SourceBehaviour.MISMATCH:
            self.mismatch(site, path, article)
        elif behaviour is SourceBehaviour.INTERNAL_REDIRECT:
            site.add_resource(path, redirect(INTERNAL_TARGET, 302))
        else:
            self.serve_fault(site, url, behaviour, article)

    def serve_fault(
        self, site: NewsSite, url: str, behaviour: SourceBehaviour, article: SourceArticle | None
    ) -> None:
        """The bad inputs: broken bytes, odd sizes and loops at the cited URL."""
        path = urlsplit(url).path or "/"
        headers = platform_headers(site.host, site.template)
        if article is not None and behaviour in REWRITTEN:
            if url != article.url:
                raise ValueError(f"{url}: a rewritten page is served at its article's own URL")
            page = REWRITTEN[behaviour](render_article(article))
            if behaviour is SourceBehaviour.META_CHARSET:
                headers = (("Content-Type", "text/html"), *headers[1:])
            site.add_resource(path, Resource(200, headers, page, gzip=site.gzip))
        elif behaviour is SourceBehaviour.TRUNCATED and article is not None:
            page = render_article(article)
            site.add_resource(path, Resource(200, headers, page, truncate_to=len(page) // 3))
        elif behaviour is SourceBehaviour.LONG_URL and article is not None:
            self.publish(article, url)  # the host ignores the query, as news CMSs do
        elif behaviour is SourceBehaviour.IMAGE:
            image_headers = (("Content-Type", "image/png"), ("Accept-Ranges", "bytes"))
            site.add_resource(path, Resource(200, image_headers, png_image()))
        elif behaviour is SourceBehaviour.EMPTY:
            site.add_resource(path, Resource(200, headers, b""))
        elif behaviour is SourceBehaviour.TOO_LARGE:
            filler = b"<!-- synthetic padding -->" * (TOO_LARGE_BYTES // 26)
            body = b"<!DOCTYPE html><html><body>" + filler + b"</body></html>"
            site.add_resource(path, Resource(200, headers, body))
        elif behaviour is SourceBehaviour.REDIRECT_LOOP:
            other = path[:-1] if path.endswith("/") else path + "/"
            site.add_resource(path, redirect(site.brand.origin + other))
            site.add_resource(other, redirect(site.brand.origin + path))

    def mismatch(self, site: NewsSite, path: str, article: SourceArticle | None) -> None:
        """Serve the unrelated article at the cited path, or send the URL to a section page."""
        if article is not None:
            site.add_article(article, path=path)
            return
        first = path.strip("/").split("/")[0]
        sections = [p for _, p in site.brand.sections if p.strip("/").split("/")[-1] == first]
        site.add_resource(path, redirect(site.brand.origin + (sections[0] if sections else "/")))

    def redirect_target(self, cited_host: str, article: SourceArticle) -> str:
        target = urlsplit(article.url)
        apex = APEX_HOPS.get((cited_host, target.netloc))
        if apex is None:
            return article.url
        self.sites.setdefault(apex, HostRedirect(apex, f"https://{target.netloc}"))
        return f"https://{apex}{target.path}"


def build_source_sites(cases: Sequence[PairCase]) -> dict[str, Site]:
    """Every host the cases cite or redirect to, answering each cited URL as its case says."""
    web = _SourceWeb(cases)
    for case in cases:
        for url, behaviour in case.behaviours.items():
            web.serve(url, SourceBehaviour(behaviour), case.sources.get(url))
    return dict(web.sites)
