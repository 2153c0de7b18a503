"""The replica news sites' pages, in the markup of each real site's platform.

breakingdefense.com and news.usni.org are WordPress themes, www.defensenews.com is an Arc XP
(Fusion) site and www.twz.com a Next.js front end; other hosts get a plain HTML5 news template.
Each page carries the chrome an extractor must skip. Everything the page adds around the
article (menus, related headlines, teasers, promos) is synthetic text written for the tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from replica.model import SourceArticle

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
COPYRIGHT_YEAR = 2025
SYNTHETIC_NOTE = "<!-- Synthetic replica page: real-site layout, texts written for tests. -->"
SUBSCRIBE_TEXT = "Subscribe to continue reading this article."
NEWSLETTER_TEXT = (
    "Sign up for the morning briefing on programmes, budgets and operations, "
    "delivered to your inbox every weekday."
)
# Synthetic headlines and teasers for the related boxes, "More from" lists and sidebars.
RELATED_STORIES = (
    (
        "Fleet readiness review flags shipyard backlog",
        "Maintenance delays ripple into deployments.",
    ),
    ("Tanker refuelling boom fix slips another year", "The program office blames supplier tests."),
    (
        "Army picks two teams for drone interceptor trials",
        "Prototypes fly against swarms this fall.",
    ),
    (
        "Budget request trims satellite ground stations",
        "Appropriators ask for a consolidation plan.",
    ),
    (
        "Allied navies rehearse mine clearance off the coast",
        "Divers and unmanned boats worked in tandem.",
    ),
    (
        "Hypersonic test range adds a second launch pad",
        "Officials expect faster flight-test turnaround.",
    ),
    (
        "Training jet fleet grounded after engine inspections",
        "Instructors shift students to simulators.",
    ),
    (
        "Marine Corps tests long-range radar on small islands",
        "The radar fits in two cargo containers.",
    ),
)


@dataclass(frozen=True)
class Brand:
    """How one host presents itself: name, sections and URL conventions."""

    name: str
    host: str
    sections: tuple[tuple[str, str], ...]  # (label, path)
    title_suffix: str
    trailing_slash: bool  # the permalink style: "/air/" or "/air"
    media: str  # where the CMS serves uploaded images

    @property
    def origin(self) -> str:
        return f"https://{self.host}"

    def path(self, *parts: str) -> str:
        return "/" + "/".join(parts) + ("/" if self.trailing_slash else "")


def _brand(name: str, host: str, sections: str, suffix: str, slash: bool, media: str) -> Brand:
    pairs = tuple(
        (part[0], part[2]) for part in (item.partition("=") for item in sections.split(";"))
    )
    return Brand(name, host, pairs, suffix, slash, media)


BRANDS = {
    brand.host: brand
    for brand in (
        _brand("The War Zone", "www.twz.com", "Air=/air;Sea=/sea;Land=/land;Space=/space;"
               "News & Features=/news-features", " | The War Zone", False, "/uploads"),
        _brand("The Drive", "www.thedrive.com", "News=/news;Car Reviews=/car-reviews;Tech=/tech;"
               "Culture=/culture", " | The Drive", False, "/uploads"),
        _brand("Breaking Defense", "breakingdefense.com", "Air=/category/air/;Land=/category/land/;"
               "Naval=/category/naval/;Space=/category/space/;Networks & Digital Warfare="
               "/category/networks-digital-warfare/;Congress=/category/congress/",
               " - Breaking Defense", True, "/wp-content/uploads"),
        _brand("USNI News", "news.usni.org", "Fleet Tracker=/category/fleet-tracker;Aviation="
               "/category/aviation;Budget=/category/budget-industry;Documents=/category/documents;"
               "Surface Warfare=/category/surface-warfare", " - USNI News", False,
               "/wp-content/uploads"),
        _brand("Defense News", "www.defensenews.com", "Air=/air/;Land=/land/;Naval=/naval/;"
               "Space=/space/;Pentagon=/pentagon/;Congress=/congress/;Global=/global/", "", True,
               "/resizer/v2"),
    )
}  # fmt: skip


def brand_for(host: str) -> Brand:
    """The brand of a known source host, or a plain news brand named after the host."""
    if host in BRANDS:
        return BRANDS[host]
    name = host.removeprefix("www.").rsplit(".", 1)[0].replace("-", " ").replace(".", " ").title()
    return _brand(
        name, host, "News=/news/;World=/world/;Opinion=/opinion/", f" | {name}", True, "/images"
    )


def stable_number(text: str) -> int:
    """A number derived from ``text``: ids and choices stay the same from run to run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def section_of(brand: Brand, article: SourceArticle) -> tuple[str, str]:
    first = urlsplit(article.url).path.strip("/").split("/")[0]
    for label, path in brand.sections:
        if path.strip("/").split("/")[-1] == first:
            return label, path
    return brand.sections[stable_number(article.url) % len(brand.sections)]


def _clock(when: datetime) -> str:
    return f"{(when.hour % 12) or 12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def date_twz(when: datetime) -> str:
    zone = {timedelta(hours=-5): "EST", timedelta(hours=-4): "EDT"}.get(
        when.utcoffset() or timedelta(0), when.tzname() or "UTC"
    )
    return f"{MONTHS[when.month - 1][:3]} {when.day}, {when.year} {_clock(when)} {zone}"


def date_breakingdefense(when: datetime) -> str:
    return f"{MONTHS[when.month - 1]} {when.day:02d}, {when.year} at {_clock(when)}"


def date_usni(when: datetime) -> str:
    return f"{MONTHS[when.month - 1]} {when.day}, {when.year} {_clock(when)}"


def date_defensenews(when: datetime) -> str:
    return f"{MONTHS[when.month - 1][:3]} {when.day}, {when.year}, {_clock(when)}"


def date_generic(when: datetime) -> str:
    return f"{MONTHS[when.month - 1]} {when.day}, {when.year}"


def e(text: str) -> str:
    return escape(text, quote=True)


def script_json(data: Any) -> str:
    """JSON safe inside <script>: tag and entity characters are escaped as WordPress does."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _link_list(items: Sequence[tuple[str, str]], attrs: str = "") -> str:
    rows = "".join(
        f'<li class="menu-item"><a href="{e(href)}">{e(t)}</a></li>' for t, href in items
    )
    return f"<ul{attrs}>{rows}</ul>"


def _stories(brand: Brand, article: SourceArticle, count: int) -> list[tuple[str, str, str]]:
    start = stable_number(article.url + brand.host)
    picked = [RELATED_STORIES[(start + i) % len(RELATED_STORIES)] for i in range(count)]
    section = section_of(brand, article)[1].strip("/")
    return [(t, teaser, brand.origin + brand.path(section, slugify(t))) for t, teaser in picked]


def _image(brand: Brand, article: SourceArticle, index: int) -> str:
    stamp = f"{article.published:%Y/%m}"
    return f"{brand.origin}{brand.media}/{stamp}/{slugify(article.title)[:40]}-{index}.jpg"


def _author_url(brand: Brand, name: str) -> str:
    return brand.origin + brand.path("author", slugify(name))


def _authors(brand: Brand, article: SourceArticle, cls: str = "author-link") -> str:
    links = [
        f'<a class="{cls}" rel="author" href="{e(_author_url(brand, name))}">{e(name)}</a>'
        for name in article.authors or (f"{brand.name} Staff",)
    ]
    return links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]


def _description(article: SourceArticle) -> str:
    first = article.paragraphs[0] if article.paragraphs else article.title
    return article.subtitle or (first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…")


def news_article_ld(brand: Brand, article: SourceArticle, *, paywalled: bool) -> dict[str, Any]:
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": _description(article),
        "datePublished": article.published.isoformat(),
        "dateModified": article.published.isoformat(),
        "author": [
            {"@type": "Person", "name": name, "url": _author_url(brand, name)}
            for name in article.authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": brand.name,
            "logo": {"@type": "ImageObject", "url": f"{brand.origin}/logo.png"},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "image": [_image(brand, article, 0)],
        "articleSection": section_of(brand, article)[0],
        "keywords": list(article.tags),
    }
    if paywalled:  # Google's markup for subscription content
        ld["isAccessibleForFree"] = False
        ld["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywall",
        }
    return ld


def _head(brand: Brand, article: SourceArticle, ld: dict[str, Any], extra: str = "") -> str:
    published = article.published.isoformat()
    metas = [
        ("name", "description", _description(article)),
        ("name", "author", ", ".join(article.authors)),
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:description", _description(article)),
        ("property", "og:url", article.url),
        ("property", "og:site_name", brand.name),
        ("property", "og:image", _image(brand, article, 0)),
        ("property", "article:published_time", published),
        ("property", "article:modified_time", published),
        ("property", "article:section", section_of(brand, article)[0]),
        *(("property", "article:tag", tag) for tag in article.tags),
        ("name", "twitter:card", "summary_large_image"),
    ]
    tags = "\n".join(f'<meta {kind}="{name}" content="{e(value)}">' for kind, name, value in metas)
    return (
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(article.title + brand.title_suffix)}</title>\n{tags}\n"
        f'<link rel="canonical" href="{e(article.url)}">\n'
        f'<script type="application/ld+json">{script_json(ld)}</script>\n{extra}\n</head>'
    )


def _plain_head(brand: Brand, title: str) -> str:
    return (
        f'<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n'
        f'<meta property="og:site_name" content="{e(brand.name)}">\n</head>'
    )


def _site_header(brand: Brand, current: str | None = None) -> str:
    items = "".join(
        f'<li class="menu-item{" current-menu-item" if path == current else ""}">'
        f'<a href="{e(brand.origin + path)}">{e(label)}</a></li>'
        for label, path in brand.sections
    )
    return (
        '<header id="masthead" class="site-header" role="banner">\n'
        f'<a class="site-logo" href="{brand.origin}/" rel="home">{e(brand.name)}</a>\n'
        f'<form class="search-form" role="search" method="get" action="{brand.origin}/">'
        '<input type="search" name="s" placeholder="Search"><button type="submit">Search</button>'
        f'</form>\n<a class="header-subscribe" href="{brand.path("subscribe")}">Subscribe</a>\n'
        '<nav id="site-navigation" class="main-navigation" role="navigation" aria-label="Main">'
        f'<ul id="primary-menu" class="menu">{items}</ul></nav>\n</header>'
    )


def _site_footer(brand: Brand) -> str:
    company = [
        (label, brand.path(slugify(label)))
        for label in (
            "About Us",
            "Contact",
            "Advertise",
            "Careers",
            "Newsletters",
            "Privacy",
            "Terms of Use",
            "Accessibility",
            "RSS Feeds",
            "Site Map",
        )
    ]
    social = [
        ("Facebook", "https://www.facebook.com/"),
        ("X", "https://x.com/"),
        ("LinkedIn", "https://www.linkedin.com/"),
    ]
    return (
        '<footer id="colophon" class="site-footer" role="contentinfo">\n'
        f'<nav class="footer-sections" aria-label="Sections">{_link_list(brand.sections)}</nav>\n'
        f'<nav class="footer-company" aria-label="Company">{_link_list(company)}</nav>\n'
        f'<nav class="footer-social" aria-label="Follow us">{_link_list(social)}</nav>\n'
        f'<p class="copyright">© {COPYRIGHT_YEAR} {e(brand.name)}. All rights reserved.</p>\n'
        "</footer>"
    )


def _breadcrumbs(brand: Brand, section: tuple[str, str]) -> str:
    return (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
        f'<li><a href="{brand.origin}/">Home</a></li>'
        f'<li><a href="{e(brand.origin + section[1])}">{e(section[0])}</a></li></ol></nav>'
    )


def _share(article: SourceArticle, cls: str = "share-buttons") -> str:
    url, title = quote(article.url, safe=""), quote(article.title, safe="")
    targets = (
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url}"),
        ("X", f"https://twitter.com/intent/tweet?url={url}&text={title}"),
        ("LinkedIn", f"https://www.linkedin.com/shareArticle?mini=true&url={url}"),
        ("Email", f"mailto:?subject={title}&body={url}"),
    )
    links = "".join(
        f'<a class="share-{name.lower()}" href="{e(href)}" rel="noopener">{name}</a>'
        for name, href in targets
    )
    return f'<div class="{cls}" aria-label="Share this article">{links}</div>'


def _figure(brand: Brand, article: SourceArticle, index: int, cls: str) -> str:
    return (
        f'<figure class="{cls}"><img src="{e(_image(brand, article, index))}" alt="" '
        f'width="1200" height="675" loading="lazy"><figcaption class="wp-caption-text">'
        f"{e(article.captions[index])}</figcaption></figure>"
    )


def lead_figure(brand: Brand, article: SourceArticle, cls: str = "featured-image") -> str:
    return _figure(brand, article, 0, cls) if article.captions else ""


def _inline(text: str, index: int, href: str) -> str:
    """Every other paragraph gets a link or an emphasis over a few words, as editors add them."""
    parts = re.split(r"(\s+)", text)
    if index % 2 == 0 or len(parts) < 15:
        return e(text)
    inner = e("".join(parts[4:9]))
    marked = f'<a href="{e(href)}">{inner}</a>' if index % 4 == 1 else f"<em>{inner}</em>"
    return e("".join(parts[:4])) + marked + e("".join(parts[9:]))


def related_box(brand: Brand, article: SourceArticle, heading: str, cls: str) -> str:
    links = "".join(
        f'<li><a href="{e(h)}">{e(t)}</a></li>' for t, _, h in _stories(brand, article, 3)
    )
    return (
        f'<aside class="{cls} related-posts" aria-label="Related">'
        f"<h3>{heading}</h3><ul>{links}</ul></aside>"
    )


def paywall_box(brand: Brand) -> str:
    return (
        '<div class="paywall" id="paywall" data-paywall-state="locked">\n'
        '<div class="paywall__fade"></div><div class="paywall__box">'
        f'<h2 class="paywall__heading">{SUBSCRIBE_TEXT}</h2>'
        f"<p>Subscribe to continue reading and get unlimited access to {e(brand.name)} "
        "reporting, newsletters and the archive.</p>"
        f'<a class="paywall__subscribe button" href="{brand.path("subscribe")}">Subscribe now</a>'
        '<p class="paywall__login">Already a subscriber? '
        f'<a href="{brand.path("login")}">Log in</a></p></div>\n</div>'
    )


def article_body(
    brand: Brand,
    article: SourceArticle,
    p_attrs: str,
    related: str,
    *,
    paywalled: bool,
    figure_cls: str = "wp-caption aligncenter",
) -> str:
    """The paragraphs, one <p> each, with the related box and later photos between them."""
    visible = article.paragraphs
    if paywalled:  # a teaser of one or two paragraphs, as metered sites show
        visible = visible[: 2 if len(visible) >= 4 else 1]
    inserts: dict[int, list[str]] = {min(1, len(visible) - 1): [related]}
    if len(visible) > 4:  # an in-content ad slot, as ad-funded sites place them
        inserts.setdefault(2, []).append(ad_slot(article, "content"))
    for index in range(1, len(article.captions)):
        spot = min(2 * index + 1, len(visible) - 1)
        inserts.setdefault(spot, []).append(_figure(brand, article, index, figure_cls))
    links = _stories(brand, article, 2)
    out: list[str] = []
    for index, text in enumerate(visible):
        out.append(f"<p{p_attrs}>{_inline(text, index, links[index % 2][2])}</p>")
        out.extend(inserts.get(index, []))
    if paywalled:
        out.append(paywall_box(brand))
    return "\n".join(out)


def ad_slot(article: SourceArticle, position: str) -> str:
    slot = f"div-gpt-ad-{stable_number(article.url + position) % 10**13}-0"
    call = f"googletag.cmd.push(function(){{googletag.display('{slot}');}});"
    return f'<div class="ad-slot {position}-ad" id="{slot}"><script>{call}</script></div>'


def newsletter_box(brand: Brand) -> str:
    return (
        '<div class="newsletter-signup" id="newsletter-signup">'
        f"<h2>Sign up for {e(brand.name)} newsletters</h2><p>{NEWSLETTER_TEXT}</p>"
        f'<form class="newsletter-form" method="post" action="{brand.path("newsletters")}">'
        '<label for="newsletter-email">Email address</label>'
        '<input type="email" id="newsletter-email" name="email" required>'
        '<button type="submit">Sign up</button></form></div>'
    )


def tag_list(brand: Brand, article: SourceArticle, cls: str = "tags") -> str:
    links = "".join(
        f'<li><a rel="tag" href="{e(brand.path("tag", slugify(tag)))}">{e(tag)}</a></li>'
        for tag in article.tags
    )
    label = '<span class="tags-label">Tags:</span>'
    return f'<div class="{cls}">{label}<ul class="tag-list">{links}</ul></div>'


def more_from(brand: Brand, article: SourceArticle) -> str:
    items = "".join(
        f'<li class="more-from__item"><a class="more-from__title" href="{e(href)}">{e(title)}</a>'
        f'<p class="more-from__teaser">{e(teaser)}</p></li>'
        for title, teaser, href in _stories(brand, article, 4)
    )
    return (
        f'<section class="more-from related-stories" aria-label="More from {e(brand.name)}">'
        f"<h2>More from {e(brand.name)}</h2><ul>{items}</ul></section>"
    )


def most_read(brand: Brand, article: SourceArticle) -> str:
    links = "".join(
        f'<li><a href="{e(h)}">{e(t)}</a></li>' for t, _, h in _stories(brand, article, 5)
    )
    heading = '<h2 class="widget-title">Most Read</h2>'
    return f'<section class="widget widget-most-read">{heading}<ol>{links}</ol></section>'


COMMENTS = (
    '<section id="comments" class="comments-area"><h2 class="comments-title">Comments</h2>'
    '<div id="disqus_thread"></div><noscript>Please enable JavaScript to view the comments.'
    "</noscript></section>"
)


def document(head: str, body_attrs: str, body: str) -> bytes:
    html = f'<!DOCTYPE html>\n<html lang="en-US">\n{head}\n<body{body_attrs}>\n{SYNTHETIC_NOTE}\n'
    return (html + body + "\n</body>\n</html>\n").encode()


def page_chrome(brand: Brand, head: str, main: str, current: str | None = None) -> bytes:
    """A page of the site that is not an article: home, section and error pages."""
    body = (
        f'<div id="page" class="site">\n{_site_header(brand, current)}\n'
        f'<main id="main" class="site-main">\n{main}\n</main>\n{_site_footer(brand)}\n</div>'
    )
    return document(head, ' class="archive"', body)


def render_listing(
    brand: Brand, heading: str, articles: Sequence[SourceArticle], current: str | None = None
) -> bytes:
    items = "".join(
        f'<li class="post-item"><h3 class="entry-title"><a href="{e(a.url)}">{e(a.title)}</a></h3>'
        f'<time datetime="{a.published.isoformat()}">{date_generic(a.published)}</time></li>'
        for a in sorted(articles, key=lambda a: (a.published, a.url), reverse=True)
    )
    main = f'<h1 class="page-title">{e(heading)}</h1>\n<ul class="post-list">{items}</ul>'
    return page_chrome(brand, _plain_head(brand, heading + brand.title_suffix), main, current)


def render_error_page(brand: Brand, status: int, heading: str, message: str) -> bytes:
    main = (
        f'<section class="error-{status} not-found"><h1 class="page-title">{e(heading)}</h1>'
        f'<p>{e(message)}</p><form role="search" method="get" action="{brand.origin}/">'
        '<input type="search" name="s"><button type="submit">Search</button></form></section>'
    )
    return page_chrome(brand, _plain_head(brand, heading + brand.title_suffix), main)


def _module_class(name: str) -> str:
    """A CSS-modules class name as Next.js builds emit them (component_part__hash)."""
    return f"{name}__{stable_number(name) % 0xFFFFF:05x}"


def render_twz(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    brand = brand_for(urlsplit(article.url).netloc)
    section = section_of(brand, article)
    build_id = f"{stable_number(brand.host):08x}"
    c = _module_class
    extra = (
        f'<link rel="preload" as="script" href="/_next/static/chunks/main-{build_id}.js">\n'
        '<meta name="next-head-count" content="32">'
    )
    dek = (
        f'<p class="{c("ArticleHeader_dek")}">{e(article.subtitle)}</p>' if article.subtitle else ""
    )
    header = (
        f'<header class="{c("ArticleHeader_root")}">{_breadcrumbs(brand, section)}\n'
        f'<h1 class="{c("ArticleHeader_title")}">{e(article.title)}</h1>{dek}\n'
        f'<div class="{c("ArticleHeader_meta")}"><span class="{c("Byline_authors")}">By '
        f'{_authors(brand, article)}</span><span class="{c("Byline_date")}">Published '
        f'<time datetime="{article.published.isoformat()}">{date_twz(article.published)}</time>'
        f"</span></div>\n{_share(article)}</header>"
    )
    related = related_box(brand, article, "Related", c("InlineRelated_root"))
    body = article_body(brand, article, "", related, paywalled=paywalled, figure_cls="Image_figure")
    next_data = {
        "props": {
            "pageProps": {
                "post": {
                    "id": stable_number(article.url) % 10**6,
                    "slug": urlsplit(article.url).path.rsplit("/", 1)[-1],
                    "title": article.title,
                }
            }
        },
        "page": "/[category]/[slug]",
        "buildId": build_id,
        "isFallback": False,
        "gsp": True,
    }
    page = (
        f'<div id="__next"><div class="{c("Layout_root")}">\n{_site_header(brand, section[1])}\n'
        f'<main class="{c("Layout_main")}"><article class="{c("Article_root")}">\n{header}\n'
        f"{lead_figure(brand, article, c('Article_lead'))}\n"
        f'<div class="{c("ArticleBody_root")}" data-testid="article-body">\n{body}\n</div>\n'
        f"{newsletter_box(brand)}\n{tag_list(brand, article)}\n</article>\n"
        f"{more_from(brand, article)}\n{COMMENTS}\n</main>\n{_site_footer(brand)}\n</div></div>\n"
        f'<script id="__NEXT_DATA__" type="application/json">{script_json(next_data)}</script>'
    )
    head = _head(brand, article, news_article_ld(brand, article, paywalled=paywalled), extra)
    return document(head, "", page)


def _wordpress(
    brand: Brand, article: SourceArticle, entry_header: str, *, paywalled: bool, theme: str
) -> bytes:
    """The single-post page of a WordPress theme (Yoast SEO graph, hentry classes)."""
    post_id = 100000 + stable_number(article.url) % 900000
    section = section_of(brand, article)
    ld = news_article_ld(brand, article, paywalled=paywalled)
    context = ld.pop("@context")
    site = {"@type": "WebSite", "@id": f"{brand.origin}/#website", "name": brand.name}
    graph = {"@context": context, "@graph": [ld, site]}
    extra = (
        f'<link rel="https://api.w.org/" href="{brand.origin}/wp-json/">\n'
        f'<link rel="shortlink" href="{brand.origin}/?p={post_id}">\n'
        f'<link rel="stylesheet" id="{theme}-style-css" '
        f'href="{brand.origin}/wp-content/themes/{theme}/style.css?ver=2.4.1" media="all">'
    )
    terms = " ".join(f"tag-{slugify(tag)}" for tag in article.tags)
    classes = (
        f"post-{post_id} post type-post status-publish format-standard has-post-thumbnail "
        f"hentry category-{slugify(section[0])} {terms}"
    )
    related = related_box(brand, article, "Related", "wp-block-related")
    body = article_body(brand, article, "", related, paywalled=paywalled)
    page = (
        '<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">'
        f"Skip to content</a>\n{_site_header(brand, section[1])}\n"
        '<div id="content" class="site-content"><div id="primary" class="content-area">'
        f'<main id="main" class="site-main">\n<article id="post-{post_id}" class="{classes}">\n'
        f"{entry_header}\n{lead_figure(brand, article, 'wp-caption featured')}\n"
        f'<div class="entry-content">\n{body}\n</div>\n'
        f'<footer class="entry-footer">{tag_list(brand, article)}</footer>\n</article>\n'
        f"{newsletter_box(brand)}\n{more_from(brand, article)}\n{COMMENTS}\n</main></div>\n"
        f'<aside id="secondary" class="widget-area">{most_read(brand, article)}</aside></div>\n'
        f"{_site_footer(brand)}\n</div>"
    )
    body_class = f"post-template-default single single-post postid-{post_id} single-format-standard"
    return document(_head(brand, article, graph, extra), f' class="{body_class}"', page)


def _dated(article: SourceArticle, visible: str, cls: str) -> str:
    return f'<time class="{cls}" datetime="{article.published.isoformat()}">{visible}</time>'


def render_breakingdefense(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    brand = brand_for(urlsplit(article.url).netloc)
    dek = f'<p class="entry-subtitle">{e(article.subtitle)}</p>' if article.subtitle else ""
    when = _dated(article, date_breakingdefense(article.published), "entry-date published")
    entry_header = (
        f'<header class="entry-header">{_breadcrumbs(brand, section_of(brand, article))}\n'
        f'<h1 class="entry-title">{e(article.title)}</h1>{dek}\n<div class="entry-meta">'
        f'<span class="byline">By <span class="author vcard">{_authors(brand, article, "url fn n")}'
        f'</span></span> <span class="posted-on">on {when}</span></div>\n'
        f"{_share(article)}</header>"
    )
    return _wordpress(brand, article, entry_header, paywalled=paywalled, theme="breakingdefense")


def render_usni(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    brand = brand_for(urlsplit(article.url).netloc)
    label, path = section_of(brand, article)
    dek = f'<h2 class="entry-subtitle">{e(article.subtitle)}</h2>' if article.subtitle else ""
    entry_header = (
        '<header class="entry-header"><div class="entry-category">'
        f'<a href="{e(brand.origin + path)}" rel="category tag">{e(label)}</a></div>\n'
        f'<h1 class="entry-title">{e(article.title)}</h1>'
        f'{dek}\n<div class="entry-meta"><span class="byline">By: {_authors(brand, article)}</span>'
        f'<span class="sep"> | </span>'
        f"{_dated(article, date_usni(article.published), 'entry-date published')}</div>\n"
        f"{_share(article, 'sharedaddy sd-sharing-enabled')}</header>"
    )
    return _wordpress(brand, article, entry_header, paywalled=paywalled, theme="usni-news")


def render_defensenews(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    """An Arc XP Fusion page: b-* blocks and c-* components."""
    brand = brand_for(urlsplit(article.url).netloc)
    label, path = section_of(brand, article)
    extra = (
        '<script id="fusion-metadata" type="application/javascript">window.Fusion=window.Fusion'
        '||{};Fusion.arcSite="defense-news";Fusion.contextPath="/pf";Fusion.deployment="412";'
        '</script>\n<link rel="stylesheet" href="/pf/resources/dist/defense-news/css/news.css">'
    )
    when = _dated(article, date_defensenews(article.published), "c-date")
    dek = (
        f'<h2 class="c-heading b-subheadline">{e(article.subtitle)}</h2>'
        if article.subtitle
        else ""
    )
    related = related_box(brand, article, "Read more:", "b-interstitial-link")
    body = article_body(
        brand,
        article,
        ' class="c-paragraph"',
        related,
        paywalled=paywalled,
        figure_cls="c-media-item b-article-body__image",
    )
    page = (
        f'<div id="fusion-app" class="b-application">\n{_site_header(brand, path)}\n'
        '<main class="b-right-rail"><div class="b-right-rail__main"><article class="b-article">\n'
        f'<div class="b-overline"><a class="c-overline" href="{e(brand.origin + path)}">'
        f'{e(label)}</a></div>\n<h1 class="c-heading b-headline">{e(article.title)}</h1>{dek}\n'
        f'<div class="b-byline-date"><div class="b-byline">By {_authors(brand, article, "c-link")}'
        f'</div><div class="b-date">{when}'
        f"</div></div>\n{_share(article, 'b-share-bar')}\n"
        f"{lead_figure(brand, article, 'c-media-item b-lead-art')}\n"
        f'<div class="b-article-body">\n{body}\n</div>\n{tag_list(brand, article, "b-tag-list")}'
        f"\n</article>\n{newsletter_box(brand)}\n{more_from(brand, article)}\n{COMMENTS}\n</div>"
        f'<aside class="b-right-rail__rail">{most_read(brand, article)}</aside></main>\n'
        f"{_site_footer(brand)}\n</div>"
    )
    head = _head(brand, article, news_article_ld(brand, article, paywalled=paywalled), extra)
    return document(head, ' class="b-article-page"', page)


def render_generic(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    """A plain HTML5 news page with schema.org microdata."""
    brand = brand_for(urlsplit(article.url).netloc)
    section = section_of(brand, article)
    dek = (
        f'<p class="story-dek" itemprop="description">{e(article.subtitle)}</p>'
        if article.subtitle
        else ""
    )
    related = related_box(brand, article, "Read more", "story-related")
    body = article_body(brand, article, "", related, paywalled=paywalled, figure_cls="story-image")
    page = (
        f'<div class="page">\n{_site_header(brand, section[1])}\n<main id="main">\n'
        '<article class="story" itemscope itemtype="https://schema.org/NewsArticle">\n'
        f'{_breadcrumbs(brand, section)}\n<h1 itemprop="headline">{e(article.title)}</h1>{dek}\n'
        f'<div class="story-byline">By {_authors(brand, article)} · '
        f"{_dated(article, date_generic(article.published), 'story-date')}</div>\n"
        f"{_share(article)}\n{lead_figure(brand, article, 'story-image')}\n"
        f'<div class="story-body" itemprop="articleBody">\n{body}\n</div>\n'
        f"{tag_list(brand, article)}\n</article>\n{newsletter_box(brand)}\n"
        f"{more_from(brand, article)}\n{COMMENTS}\n</main>\n{_site_footer(brand)}\n</div>"
    )
    head = _head(brand, article, news_article_ld(brand, article, paywalled=paywalled))
    return document(head, ' class="article-page"', page)


RENDERERS: dict[str, Callable[..., bytes]] = {
    "twz": render_twz,
    "breakingdefense": render_breakingdefense,
    "usni": render_usni,
    "defensenews": render_defensenews,
    "generic": render_generic,
}


def render_article(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    """The article page in its site's template (``article.site``), UTF-8 HTML."""
    return RENDERERS.get(article.site, render_generic)(article, paywalled=paywalled)
