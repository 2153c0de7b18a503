"""The chrome every replica news page shares, whatever its site's template.

Masthead and menu, breadcrumbs, share bar, photos, related and "More from" boxes, newsletter
promo, tags, sidebar, comments, footer, paywall and ad slots, and the <head> with its meta tags
and schema.org JSON-LD. The per-site templates in ``news_templates`` arrange these pieces in each
platform's markup.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from replica.model import SourceArticle

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


def author_links(brand: Brand, article: SourceArticle, cls: str = "author-link") -> str:
    links = [
        f'<a class="{cls}" rel="author" href="{e(_author_url(brand, name))}">{e(name)}</a>'
        for name in article.authors or (f"{brand.name} Staff",)
    ]
    return links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]


def _description(article: SourceArticle) -> str:
    first = article.paragraphs[0] if article.paragraphs else article.title
    return article.subtitle or (first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…")


def machine_time(article: SourceArticle) -> str:
    """``published`` as the page's machine timestamps print it (``article.published_markup``)."""
    if article.published_markup == "naive":
        return article.published.replace(tzinfo=None).isoformat()
    if article.published_markup == "date_only":
        return article.published.date().isoformat()
    return article.published.isoformat()


def news_article_ld(brand: Brand, article: SourceArticle, *, paywalled: bool) -> dict[str, Any]:
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": _description(article),
        "datePublished": machine_time(article),
        "dateModified": machine_time(article),
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


def article_head(brand: Brand, article: SourceArticle, ld: dict[str, Any], extra: str = "") -> str:
    published = machine_time(article)
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


def plain_head(brand: Brand, title: str) -> str:
    return (
        f'<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n'
        f'<meta property="og:site_name" content="{e(brand.name)}">\n</head>'
    )


def site_header(brand: Brand, current: str | None = None) -> str:
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


def site_footer(brand: Brand) -> str:
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


def breadcrumbs(brand: Brand, section: tuple[str, str]) -> str:
    return (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
        f'<li><a href="{brand.origin}/">Home</a></li>'
        f'<li><a href="{e(brand.origin + section[1])}">{e(section[0])}</a></li></ol></nav>'
    )


def share_bar(article: SourceArticle, cls: str = "share-buttons") -> str:
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
        f'<div id="page" class="site">\n{site_header(brand, current)}\n'
        f'<main id="main" class="site-main">\n{main}\n</main>\n{site_footer(brand)}\n</div>'
    )
    return document(head, ' class="archive"', body)
