"""The replica news sites' pages, in the markup of each real site's platform.

breakingdefense.com and news.usni.org are WordPress themes, www.defensenews.com is an Arc XP
(Fusion) site and www.twz.com a Next.js front end; other hosts get a plain HTML5 news template.
Each page carries the chrome an extractor must skip, built from the pieces in ``news_chrome``.
Everything the page adds around the article (menus, related headlines, teasers, promos) is
synthetic text written for the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from replica.model import SourceArticle
from replica.sites.news_chrome import (
    COMMENTS,
    NEWSLETTER_TEXT,
    RELATED_STORIES,
    Brand,
    article_body,
    article_head,
    author_links,
    breadcrumbs,
    document,
    e,
    lead_figure,
    machine_time,
    more_from,
    most_read,
    news_article_ld,
    newsletter_box,
    page_chrome,
    plain_head,
    related_box,
    script_json,
    section_of,
    share_bar,
    site_footer,
    site_header,
    slugify,
    stable_number,
    tag_list,
)

# Includes the news_chrome names that callers have always imported from here.
__all__ = [
    "BRANDS",
    "NEWSLETTER_TEXT",
    "RELATED_STORIES",
    "RENDERERS",
    "Brand",
    "brand_for",
    "date_breakingdefense",
    "date_defensenews",
    "date_generic",
    "date_twz",
    "date_usni",
    "render_article",
    "render_breakingdefense",
    "render_defensenews",
    "render_error_page",
    "render_generic",
    "render_listing",
    "render_twz",
    "render_usni",
    "section_of",
    "stable_number",
]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


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
        _brand("The Hill", "thehill.com", "News=/news/;Policy=/policy/;Defense=/policy/defense/;"
               "Opinion=/opinion/", " | The Hill", True, "/wp-content/uploads"),
        _brand("FlightGlobal", "www.flightglobal.com", "Airframers=/airframers;Airlines=/airlines;"
               "Defence=/defence;Safety=/safety", " | FlightGlobal", False, "/images"),
        _brand("Aviation Week", "aviationweek.com", "Air Transport=/air-transport;Defense="
               "/defense;Space=/space;MRO=/mro", " | Aviation Week Network", False, "/sites"),
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


def render_listing(
    brand: Brand, heading: str, articles: Sequence[SourceArticle], current: str | None = None
) -> bytes:
    items = "".join(
        f'<li class="post-item"><h3 class="entry-title"><a href="{e(a.url)}">{e(a.title)}</a></h3>'
        f'<time datetime="{a.published.isoformat()}">{date_generic(a.published)}</time></li>'
        for a in sorted(articles, key=lambda a: (a.published, a.url), reverse=True)
    )
    main = f'<h1 class="page-title">{e(heading)}</h1>\n<ul class="post-list">{items}</ul>'
    return page_chrome(brand, plain_head(brand, heading + brand.title_suffix), main, current)


def render_error_page(brand: Brand, status: int, heading: str, message: str) -> bytes:
    main = (
        f'<section class="error-{status} not-found"><h1 class="page-title">{e(heading)}</h1>'
        f'<p>{e(message)}</p><form role="search" method="get" action="{brand.origin}/">'
        '<input type="search" name="s"><button type="submit">Search</button></form></section>'
    )
    return page_chrome(brand, plain_head(brand, heading + brand.title_suffix), main)


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
        f'<header class="{c("ArticleHeader_root")}">{breadcrumbs(brand, section)}\n'
        f'<h1 class="{c("ArticleHeader_title")}">{e(article.title)}</h1>{dek}\n'
        f'<div class="{c("ArticleHeader_meta")}"><span class="{c("Byline_authors")}">By '
        f'{author_links(brand, article)}</span><span class="{c("Byline_date")}">Published '
        f'<time datetime="{machine_time(article)}">{date_twz(article.published)}</time>'
        f"</span></div>\n{share_bar(article)}</header>"
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
        f'<div id="__next"><div class="{c("Layout_root")}">\n{site_header(brand, section[1])}\n'
        f'<main class="{c("Layout_main")}"><article class="{c("Article_root")}">\n{header}\n'
        f"{lead_figure(brand, article, c('Article_lead'))}\n"
        f'<div class="{c("ArticleBody_root")}" data-testid="article-body">\n{body}\n</div>\n'
        f"{newsletter_box(brand)}\n{tag_list(brand, article)}\n</article>\n"
        f"{more_from(brand, article)}\n{COMMENTS}\n</main>\n{site_footer(brand)}\n</div></div>\n"
        f'<script id="__NEXT_DATA__" type="application/json">{script_json(next_data)}</script>'
    )
    head = article_head(brand, article, news_article_ld(brand, article, paywalled=paywalled), extra)
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
        f"Skip to content</a>\n{site_header(brand, section[1])}\n"
        '<div id="content" class="site-content"><div id="primary" class="content-area">'
        f'<main id="main" class="site-main">\n<article id="post-{post_id}" class="{classes}">\n'
        f"{entry_header}\n{lead_figure(brand, article, 'wp-caption featured')}\n"
        f'<div class="entry-content">\n{body}\n</div>\n'
        f'<footer class="entry-footer">{tag_list(brand, article)}</footer>\n</article>\n'
        f"{newsletter_box(brand)}\n{more_from(brand, article)}\n{COMMENTS}\n</main></div>\n"
        f'<aside id="secondary" class="widget-area">{most_read(brand, article)}</aside></div>\n'
        f"{site_footer(brand)}\n</div>"
    )
    body_class = f"post-template-default single single-post postid-{post_id} single-format-standard"
    return document(article_head(brand, article, graph, extra), f' class="{body_class}"', page)


def _dated(article: SourceArticle, visible: str, cls: str) -> str:
    return f'<time class="{cls}" datetime="{machine_time(article)}">{visible}</time>'


def render_breakingdefense(article: SourceArticle, *, paywalled: bool = False) -> bytes:
    brand = brand_for(urlsplit(article.url).netloc)
    dek = f'<p class="entry-subtitle">{e(article.subtitle)}</p>' if article.subtitle else ""
    when = _dated(article, date_breakingdefense(article.published), "entry-date published")
    entry_header = (
        f'<header class="entry-header">{breadcrumbs(brand, section_of(brand, article))}\n'
        f'<h1 class="entry-title">{e(article.title)}</h1>{dek}\n<div class="entry-meta">'
        '<span class="byline">By <span class="author vcard">'
        f"{author_links(brand, article, 'url fn n')}"
        f'</span></span> <span class="posted-on">on {when}</span></div>\n'
        f"{share_bar(article)}</header>"
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
        f'{dek}\n<div class="entry-meta"><span class="byline">By: '
        f"{author_links(brand, article)}</span>"
        f'<span class="sep"> | </span>'
        f"{_dated(article, date_usni(article.published), 'entry-date published')}</div>\n"
        f"{share_bar(article, 'sharedaddy sd-sharing-enabled')}</header>"
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
        f'<div id="fusion-app" class="b-application">\n{site_header(brand, path)}\n'
        '<main class="b-right-rail"><div class="b-right-rail__main"><article class="b-article">\n'
        f'<div class="b-overline"><a class="c-overline" href="{e(brand.origin + path)}">'
        f'{e(label)}</a></div>\n<h1 class="c-heading b-headline">{e(article.title)}</h1>{dek}\n'
        '<div class="b-byline-date"><div class="b-byline">By '
        f"{author_links(brand, article, 'c-link')}"
        f'</div><div class="b-date">{when}'
        f"</div></div>\n{share_bar(article, 'b-share-bar')}\n"
        f"{lead_figure(brand, article, 'c-media-item b-lead-art')}\n"
        f'<div class="b-article-body">\n{body}\n</div>\n{tag_list(brand, article, "b-tag-list")}'
        f"\n</article>\n{newsletter_box(brand)}\n{more_from(brand, article)}\n{COMMENTS}\n</div>"
        f'<aside class="b-right-rail__rail">{most_read(brand, article)}</aside></main>\n'
        f"{site_footer(brand)}\n</div>"
    )
    head = article_head(brand, article, news_article_ld(brand, article, paywalled=paywalled), extra)
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
        f'<div class="page">\n{site_header(brand, section[1])}\n<main id="main">\n'
        '<article class="story" itemscope itemtype="https://schema.org/NewsArticle">\n'
        f'{breadcrumbs(brand, section)}\n<h1 itemprop="headline">{e(article.title)}</h1>{dek}\n'
        f'<div class="story-byline">By {author_links(brand, article)} · '
        f"{_dated(article, date_generic(article.published), 'story-date')}</div>\n"
        f"{share_bar(article)}\n{lead_figure(brand, article, 'story-image')}\n"
        f'<div class="story-body" itemprop="articleBody">\n{body}\n</div>\n'
        f"{tag_list(brand, article)}\n</article>\n{newsletter_box(brand)}\n"
        f"{more_from(brand, article)}\n{COMMENTS}\n</main>\n{site_footer(brand)}\n</div>"
    )
    head = article_head(brand, article, news_article_ld(brand, article, paywalled=paywalled))
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
