"""The replica Hatena blog's pages, in the markup of Hatena Blog's standard themes.

Every theme of Hatena Blog (Boilerplate and the themes built from it) renders one skeleton:
``<html data-blog … data-admin-domain="//blog.hatena.ne.jp" data-page="entry">``,
``article.entry.hentry`` with ``header.entry-header`` (``div.date.entry-date`` around a
``<time datetime>`` in UTC, ``h1.entry-title`` with ``a.entry-title-link``,
``div.entry-categories``), ``div.entry-content.hatenablog-entry`` (the post as Hatena's editor
writes it: ``<p>`` paragraphs, ``figure.figure-image`` photos with a ``figcaption``,
``[URL:embed:cite]`` link cards, ``>URL:title>`` quotes), then ``div.entry-footer`` with the star
container, share buttons, an ad, comments, then related entries, the pager and the sidebar's
``hatena-module`` boxes. Written for this project from that documented structure; the texts are
the synthetic corpus's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC
from functools import cache
from html import escape
from importlib import resources
from string import Template
from urllib.parse import quote, urlsplit

from replica.corpus import date_line
from replica.model import SourceArticle
from replica.sites import hatena_cases as hc
from replica.sites.hatena_cases import HATENA_USER, HatenaCase

WIKIPEDIA = "https://ja.wikipedia.org/wiki/"
PHOTO_CREDIT_URL = "https://www.flickr.com/photos/official-photos/"
RELATED_COVERAGE = "https://news.usni.org/category/fleet-tracker"
AD_URL = "https://ad.example-adnetwork.com/click?campaign=hatena-2025"
COMMENTER_URL = "https://reader-notes.example.net/"
PARTS = "https://hatenablog-parts.com/embed?url="


@cache
def template(name: str) -> Template:
    """``replica/templates/hatena_{name}.html`` as a ``string.Template``."""
    path = resources.files("replica").joinpath(f"templates/hatena_{name}.html")
    return Template(path.read_text("utf-8"))


def head(blog: str, name: str, title: str, page: str, body_class: str, extra: str = "") -> str:
    host = urlsplit(blog).netloc
    return template("head").substitute(
        title=escape(title),
        name=escape(name),
        extra=extra,
        blog=blog,
        origin=blog.rstrip("/"),
        host=host,
        user=HATENA_USER,
        page=page,
        body_class=body_class,
    )


def footer(blog: str, name: str, cases: Sequence[HatenaCase]) -> str:
    origin = blog.rstrip("/")
    recent = "".join(
        f'<li class="urllist-item recent-entries-item"><div class="urllist-item-inner '
        f'recent-entries-item-inner"><a href="{origin}{c.path}" class="urllist-title-link '
        f'recent-entries-title-link urllist-title recent-entries-title">{escape(c.display_title)}'
        "</a></div></li>"
        for c in cases[:5]
    )
    labels = dict.fromkeys(label for c in cases for label in c.post.labels[:1])
    category_list = "".join(
        f'<li><a href="{blog}archive/category/{quote(label)}" class="category-{escape(label)}">'
        f"{escape(label)} (1)</a></li>"
        for label in labels
    )
    return template("footer").substitute(
        blog=blog, name=escape(name), user=HATENA_USER, recent=recent, category_list=category_list
    )


def render_post(
    case: HatenaCase,
    blog: str,
    name: str,
    sources: dict[str, SourceArticle],
    cases: Sequence[HatenaCase],
) -> bytes:
    post = case.post
    url = blog.rstrip("/") + case.path
    data = {
        "@context": "http://schema.org",
        "@type": "Article",
        "dateModified": post.updated.isoformat(),
        "datePublished": post.published.isoformat(),
        "headline": case.display_title,
        "image": "https://cdn.blog.st-hatena.com/images/theme/og-image-1500.png",
    }
    shown = f"{escape(case.display_title)} - {escape(name)}"
    extra = "\n".join(
        [
            f'<link rel="canonical" href="{url}"/>',
            f'<meta property="og:title" content="{shown}" />',
            '<meta property="og:type" content="article" />',
            f'<meta property="og:url" content="{url}" />',
            f'<meta name="twitter:title" content="{shown}" />',
            f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>',
        ]
    )
    first_label = post.labels[0] if post.labels else ""
    page = head(
        blog,
        name,
        f"{case.display_title} - {name}",
        "entry",
        f"page-entry category-{escape(first_label)}",
        extra,
    )
    page += entry(case, blog, sources, cases, name)
    page += footer(blog, name, cases)
    return page.encode("utf-8")


def entry(
    case: HatenaCase,
    blog: str,
    sources: dict[str, SourceArticle],
    cases: Sequence[HatenaCase],
    name: str,
) -> str:
    post = case.post
    url = blog.rstrip("/") + case.path
    utc = post.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = post.published
    others = [c for c in cases if c is not case]
    index = list(cases).index(case) if case in cases else 0
    newer = cases[index - 1] if index > 0 else None
    older = cases[index + 1] if index + 1 < len(cases) else None
    return template("entry").substitute(
        entry_id=case.entry_id,
        chars=sum(len(p) for p in post.paragraphs),
        blog=blog,
        day_path=f"{local:%Y/%m/%d}",
        utc=utc,
        year=f"{local:%Y}",
        month=f"{local:%m}",
        dom=f"{local:%d}",
        url=url,
        title=escape(case.display_title),
        categories=_categories(blog, post.labels),
        body=_body(case, blog, sources, others),
        user=HATENA_USER,
        clock=f"{local:%H:%M}",
        host_path=url.split("//", 1)[1],
        ad_url=AD_URL,
        commenter=COMMENTER_URL,
        related=_related(blog, others),
        pager=_pager(blog, newer, older),
    )


def _body(
    case: HatenaCase, blog: str, sources: dict[str, SourceArticle], others: Sequence[HatenaCase]
) -> str:
    post, cited = case.post, case.cited
    article = sources.get(cited.repaired_url) if cited else None
    parts: list[str] = []
    other = others[0] if others else None
    if case.style == hc.NONE and other is not None:  # another post of the blog, first
        parts.append(embed_card(blog.rstrip("/") + other.path, other.display_title, blog=True))
    if cited and article and case.style == hc.TOP_CARD:
        parts.append(embed_card(cited.url, article.title))
    if cited and case.style == hc.CITATION_ONLY:
        parts.append(citation(cited.url))
    for number, paragraph in enumerate(post.paragraphs):
        text = escape(paragraph)
        if number == 0:
            text = _wikipedia_link(text)
        if case.style == hc.QUOTE and cited and article and number == 1:
            parts.append(
                f'<blockquote cite="{cited.url}" data-uuid="{case.entry_id}-q"><p>{text}</p>'
                f'<cite><a href="{cited.url}">{escape(article.title)}</a></cite></blockquote>'
            )
        else:
            parts.append(f"<p>{text}</p>")
        if number == 0:
            parts.extend(_figure(c.credit, c.text) for c in post.captions)
        if number == 1 and other is not None:  # related reading: another post, mid-text
            parts.append(embed_card(blog.rstrip("/") + other.path, other.display_title, blog=True))
    parts.append(f'<p>参考：<a href="{RELATED_COVERAGE}">USNI News Fleet Tracker</a></p>')
    if cited is not None:
        parts.append(_source(case.style, cited.url, article, cited.title))
    if case.style == hc.NONE:
        parts.append(embed_card(f"{WIKIPEDIA}Ticonderoga", "タイコンデロガ級ミサイル巡洋艦"))
    return "\n".join(part for part in parts if part)


def _source(style: str, url: str, article: SourceArticle | None, title: str | None) -> str:
    if article is None:  # the article is gone: only the URL and the title the post wrote
        return f'<p>出典：<a href="{url}">{escape(title or "")}</a></p>'
    if style == hc.SOURCE_LINE:
        return f'<p>出典：<a href="{url}" target="_blank">{escape(article.title)}</a></p>'
    if style == hc.INTRODUCED_CARD:
        return "<p>元記事：</p>\n" + embed_card(url, article.title)
    if style == hc.TYPED_URL:
        return f'<p>引用元：<a href="{url}">{url}</a></p>'
    if style == hc.END_BLOCK:
        byline = f"By {escape(hc.byline(article.authors))}"
        dated = escape(date_line(article.site, article.published))
        return (
            f'<p>{escape(article.title)}<br />{byline}<br />{dated}<br /><a href="{url}">{url}</a>'
            "</p>"
        )
    return ""  # QUOTE, TOP_CARD and CITATION_ONLY wrote it above


def embed_card(url: str, title: str, *, blog: bool = False) -> str:
    """``[URL:embed:cite]`` as Hatena renders it: the card's iframe, then its citation."""
    kind = "embed-blogcard" if blog else "embed-webcard"
    return (
        f'<p><iframe src="{PARTS}{quote(url, safe="")}" title="{escape(title)}" '
        f'class="embed-card {kind}" scrolling="no" frameborder="0" '
        'style="display: block; width: 100%; height: 155px; max-width: 500px; margin: 10px 0px;"'
        f' loading="lazy"></iframe>{citation(url, inline=True)}</p>'
    )


def citation(url: str, *, inline: bool = False) -> str:
    cite = f'<cite class="hatena-citation"><a href="{url}">{urlsplit(url).netloc}</a></cite>'
    return cite if inline else f"<p>{cite}</p>"


def _wikipedia_link(text: str) -> str:
    """The first Latin-script word of a paragraph linked to Wikipedia (the text is unchanged)."""
    match = re.search(r"[A-Za-z][A-Za-z0-9-]{2,}", text)
    if match is None:
        return text
    word = match.group(0)
    link = f'<a href="{WIKIPEDIA}{word}" class="keyword">{word}</a>'
    return text[: match.start()] + link + text[match.end() :]


def _figure(credit: str, text: str) -> str:
    credit_html = f'（写真：<a href="{PHOTO_CREDIT_URL}">{escape(credit)}</a>）' if credit else ""
    return (
        '<figure class="figure-image figure-image-fotolife mceNonEditable" title="写真">'
        '<p><span itemscope itemtype="http://schema.org/Photograph"><img '
        'src="https://cdn-ak.f.st-hatena.com/images/fotolife/h/honyaku-news/20250411/20250411193000.jpg"'
        ' width="1200" height="675" loading="lazy" title="" class="hatena-fotolife" '
        'itemprop="image"></span></p>'
        f"<figcaption>{escape(text)}{credit_html}</figcaption></figure>"
    )


def _categories(blog: str, labels: Sequence[str]) -> str:
    return "".join(
        f'<a href="{blog}archive/category/{quote(label)}" class="entry-category-link '
        f'category-{escape(label)}">{escape(label)}</a>'
        for label in labels
    )


def _related(blog: str, others: Sequence[HatenaCase]) -> str:
    return "".join(
        f'<li class="urllist-item related-entries-item"><div class="urllist-item-inner">'
        f'<a href="{blog.rstrip("/")}{o.path}" class="urllist-title-link">'
        f"{escape(o.display_title)}</a></div></li>"
        for o in others[:3]
    )


def _pager(blog: str, newer: HatenaCase | None, older: HatenaCase | None) -> str:
    parts = []
    if newer is not None:
        parts.append(
            f'<span class="pager-prev"><a href="{blog.rstrip("/")}{newer.path}" rel="prev">'
            f'<span class="pager-arrow">&laquo; </span>{escape(newer.display_title)}</a></span>'
        )
    if older is not None:
        parts.append(
            f'<span class="pager-next"><a href="{blog.rstrip("/")}{older.path}" rel="next">'
            f'{escape(older.display_title)}<span class="pager-arrow"> &raquo;</span></a></span>'
        )
    return "".join(parts)


def render_index(
    blog: str,
    name: str,
    shown: Sequence[HatenaCase],
    cases: Sequence[HatenaCase],
    sources: dict[str, SourceArticle],
    next_page: str | None,
) -> bytes:
    """The top page: the newest entries in full, and a pager to older ones."""
    page = head(blog, name, name, "index", "page-index")
    for case in shown:
        page += entry(case, blog, sources, cases, name).split('<div class="related-entries')[0]
    if next_page:
        page += (
            f'<div class="pager autopagerize_insert_before"><span class="pager-next">'
            f'<a href="{next_page}" rel="next">次のページ</a></span></div>'
        )
    page += footer(blog, name, cases)
    return page.encode("utf-8")


def render_page(blog: str, name: str, title: str, text: str, cases: Sequence[HatenaCase]) -> bytes:
    """``/about``, ``/archive``, or the 404 page."""
    page = head(blog, name, f"{title} - {name}", "about", "page-about")
    page += (
        f'<div class="page-about"><h2 class="entry-title">{escape(title)}</h2>'
        f'<div class="entry-content"><p>{escape(text)}</p></div></div>\n'
    )
    page += footer(blog, name, cases)
    return page.encode("utf-8")
