"""The replica WordPress blog's pages, in the markup of a Cocoon-style classic theme.

Cocoon (the most used free theme of Japanese WordPress blogs) keeps WordPress core's names
(``article.post-N.type-post``, ``h1.entry-title``, ``div.entry-content``, ``time.entry-date``,
``rel="category tag"``) and adds its own around them: ``sns-share`` buttons above and below the
post, ``ad-area`` blocks, ``blogcard`` link cards, ``entry-categories`` / ``entry-tags``,
``related-entries``, an author line, the comment area and a sidebar of widgets. The body is
written as the block editor saves it (``wp-block-image`` figures with ``wp-element-caption``,
``wp-block-quote``, ``wp-block-embed`` cards). Written for this project from those themes'
documented structure; the texts are the synthetic corpus's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from html import escape
from importlib import resources
from string import Template

from replica.corpus import date_line
from replica.model import SourceArticle
from replica.sites import wordpress_cases as wc
from replica.sites.wordpress_cases import WordPressCase

WIKIPEDIA = "https://ja.wikipedia.org/wiki/"
PHOTO_CREDIT_URL = "https://www.flickr.com/photos/official-photos/"
RELATED_COVERAGE = "https://news.usni.org/category/fleet-tracker"
AD_URL = "https://ad.example-adnetwork.com/click?campaign=2025"
COMMENTER_URL = "https://reader-notes.example.net/"


@cache
def template(name: str) -> Template:
    """``replica/templates/wordpress_{name}.html`` as a ``string.Template``."""
    path = resources.files("replica").joinpath(f"templates/wordpress_{name}.html")
    return Template(path.read_text("utf-8"))


def head(blog: str, name: str, title: str, extra: str = "") -> str:
    values = {"title": escape(title), "name": escape(name), "extra": extra}
    return template("head").substitute(values, origin=blog.rstrip("/"))


def header(blog: str, name: str) -> str:
    return template("header").substitute(blog=blog, name=escape(name))


def sidebar_and_footer(blog: str, name: str, recent: Sequence[WordPressCase]) -> str:
    cards = "".join(
        f'<a href="{blog.rstrip("/")}{c.path}" class="new-entry-card-link widget-entry-card-link '
        f'a-wrap" title="{escape(c.display_title)}"><div class="new-entry-card widget-entry-card '
        f'e-card cf"><div class="new-entry-card-content widget-entry-card-content card-content">'
        f'<div class="new-entry-card-title widget-entry-card-title card-title">'
        f"{escape(c.display_title)}</div></div></div></a>"
        for c in recent[:5]
    )
    values = {"blog": blog, "name": escape(name), "cards": cards}
    return template("footer").substitute(values, origin=blog.rstrip("/"))


def render_post(
    case: WordPressCase,
    blog: str,
    name: str,
    sources: dict[str, SourceArticle],
    others: Sequence[WordPressCase],
) -> bytes:
    post = case.post
    url = blog.rstrip("/") + case.path
    iso = post.published.isoformat()
    extra = [
        f'<link rel="canonical" href="{url}">',
        f"<link rel='shortlink' href='{blog}?p={case.post_id}' />",
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(case.display_title)}">',
        f'<meta property="og:url" content="{url}">',
    ]
    if case.date_marks <= 1:
        extra.append(f'<meta property="article:published_time" content="{iso}">')
    if case.date_marks == 0:
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": case.display_title,
            "datePublished": iso,
            "dateModified": post.updated.isoformat(),
            "author": {"@type": "Person", "name": "管理人"},
            "publisher": {"@type": "Organization", "name": name},
        }
        extra.append(
            f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        )
    page = head(blog, name, f"{case.display_title} | {name}", "\n".join(extra))
    categories, tags = post.labels[:1], post.labels[1:]
    page += (
        f'<body class="post-template-default single single-post postid-{case.post_id} '
        "single-format-standard public-page page-body ff-hiragino fz-18px fw-400 "
        'hlt-center-logo-wrap ect-entry-card-wrap rect-entry-card-wrap sidebar-right">\n'
    )
    page += header(blog, name)
    page += template("post").substitute(
        blog=blog,
        post_id=case.post_id,
        title=escape(case.display_title),
        ad_top=_ad("ad-below-title"),
        share_top=_share(url, case.display_title, "ss-top"),
        iso=iso,
        day=f"{post.published:%Y.%m.%d}",
        body=_body(case, blog, sources, others),
        categories=_terms(blog, "category", categories),
        tags=_terms(blog, "tag", tags),
        ad_bottom=_ad("ad-content-bottom"),
        share_bottom=_share(url, case.display_title, "ss-bottom"),
        related=_related(blog, others),
        commenter=COMMENTER_URL,
    )
    page += sidebar_and_footer(blog, name, others)
    return page.encode("utf-8")


def _body(
    case: WordPressCase,
    blog: str,
    sources: dict[str, SourceArticle],
    others: Sequence[WordPressCase],
) -> str:
    post, cited = case.post, case.cited
    article = sources.get(cited.repaired_url) if cited else None
    parts: list[str] = []
    if case.style == wc.TOP_CARD and cited and article:
        parts.append(_blogcard(cited.url, article.title, article.paragraphs[0]))
    for number, paragraph in enumerate(post.paragraphs):
        text = escape(paragraph)
        if number == 0:
            text = _wikipedia_link(text)
        if case.style == wc.QUOTE and cited and number == 1:
            outlet = escape(cited.publication or "")
            parts.append(
                f'<blockquote class="wp-block-quote" cite="{cited.url}"><p>{text}</p>'
                f"<cite>{outlet}</cite></blockquote>"
            )
        else:
            parts.append(f"<p>{text}</p>")
        if number == 0:
            parts.extend(_figure(c.credit, c.text) for c in post.captions)
        if number == 1:
            parts.append(_ad("ad-content-middle"))
    other = next((o for o in others if o.path != case.path), None)
    if other is not None:
        other_url = blog.rstrip("/") + other.path
        parts.append(f'<p>関連記事：<a href="{other_url}">{escape(other.display_title)}</a></p>')
    parts.append(f'<p>参考：<a href="{RELATED_COVERAGE}">USNI News Fleet Tracker</a></p>')
    if cited is not None and article is not None:
        parts.append(_source(case.style, cited.url, article))
    elif cited is not None:  # the article is gone: only the URL and the title the post wrote
        parts.append(f'<p>出典：<a href="{cited.url}">{escape(cited.title or "")}</a></p>')
    if case.style == wc.NONE:
        parts.append(_blogcard(RELATED_COVERAGE, "Fleet Tracker", "Where the fleet is this week."))
        page = f"{WIKIPEDIA}Harpoon"
        parts.append(f'<p><a href="{page}">{page}</a></p>')
    return "\n".join(parts)


def _source(style: str, url: str, article: SourceArticle) -> str:
    title = escape(article.title)
    byline = f"By {escape(wc.byline(article.authors))}"
    dated = escape(date_line(article.site, article.published))
    if style == wc.SOURCE_LINE:
        return f'<p>出典：<a href="{url}" target="_blank" rel="noopener">{title}</a></p>'
    if style == wc.INTRODUCED_BLOCK:
        return f'<p>元記事：<br>{title}<br>{byline}<br>{dated}<br><a href="{url}">{url}</a></p>'
    if style == wc.END_BLOCK:
        return f'<p>{title}<br>{byline}<br>{dated}<br><a href="{url}">{url}</a></p>'
    if style == wc.SOURCE_COLON:
        return f'<p>Source: <a href="{url}">{url}</a></p>'
    if style == wc.INTRODUCED_EMBED:
        return (
            "<p>【原文】</p>\n"
            '<figure class="wp-block-embed is-type-wp-embed is-provider-news '
            'wp-block-embed-news"><div class="wp-block-embed__wrapper">\n'
            f'<blockquote class="wp-embedded-content" data-secret="k3Xq9"><a href="{url}">'
            f'{title}</a></blockquote><iframe class="wp-embedded-content" '
            f'sandbox="allow-scripts" security="restricted" title="&#8220;{title}&#8221;" '
            f'src="{url}embed/#?secret=k3Xq9" data-secret="k3Xq9" width="500" height="282" '
            'frameborder="0" scrolling="no"></iframe>\n</div></figure>'
        )
    if style == wc.VIA:
        outlet = {"usni": "USNI News", "twz": "The War Zone"}.get(article.site, article.site)
        return f'<p>via <a href="{url}">{escape(outlet)}</a></p>'
    return ""  # QUOTE and TOP_CARD wrote it above


def _wikipedia_link(text: str) -> str:
    """The first Latin-script word of a paragraph linked to Wikipedia (the text is unchanged)."""
    match = re.search(r"[A-Za-z][A-Za-z0-9-]{2,}", text)
    if match is None:
        return text
    word = match.group(0)
    link = f'<a href="{WIKIPEDIA}{word}">{word}</a>'
    return text[: match.start()] + link + text[match.end() :]


def _figure(credit: str, text: str) -> str:
    credit_html = f'（写真：<a href="{PHOTO_CREDIT_URL}">{escape(credit)}</a>）' if credit else ""
    return (
        '<figure class="wp-block-image size-large"><img decoding="async" width="1024" '
        'height="576" src="/wp-content/uploads/2025/03/photo-1024x576.jpg" alt="" '
        f'class="wp-image-88"/><figcaption class="wp-element-caption">{escape(text)}'
        f"{credit_html}</figcaption></figure>"
    )


def _blogcard(url: str, title: str, snippet: str) -> str:
    host = url.split("/")[2]
    return (
        f'<a href="{url}" title="{escape(title)}" class="blogcard-wrap external-blogcard-wrap '
        'a-wrap cf" target="_blank" rel="noopener"><div class="blogcard external-blogcard '
        'eb-left cf"><div class="blogcard-label external-blogcard-label"><span class="fa">'
        '</span></div><figure class="blogcard-thumbnail external-blogcard-thumbnail">'
        '<img src="https://s.wordpress.com/mshots/v1/x?w=160&amp;h=90" alt="" '
        'class="blogcard-thumb-image external-blogcard-thumb-image" width="160" height="90" />'
        '</figure><div class="blogcard-content external-blogcard-content"><div '
        f'class="blogcard-title external-blogcard-title">{escape(title)}</div><div '
        f'class="blogcard-snippet external-blogcard-snippet">{escape(snippet[:80])}</div>'
        '</div><div class="blogcard-footer external-blogcard-footer cf"><div '
        'class="blogcard-site external-blogcard-site"><div class="blogcard-domain '
        f'external-blogcard-domain">{host}</div></div></div></div></a>'
    )


def _share(url: str, title: str, where: str) -> str:
    return (
        f'<div class="sns-share ss-col-3 bc-brand-color sbc-hide {where}"><div '
        'class="sns-share-message">シェアする</div><div class="sns-share-buttons sns-buttons">'
        f'<a href="https://x.com/intent/tweet?text={escape(title)}&amp;url={url}" '
        'class="share-button x-corp-button x-corp-share-button-sq" target="_blank" '
        'rel="nofollow noopener noreferrer"><span class="social-icon icon-x-corp"></span>'
        '<span class="button-caption">X</span></a>'
        f'<a href="//www.facebook.com/sharer/sharer.php?u={url}" class="share-button '
        'facebook-button facebook-share-button-sq" target="_blank" rel="nofollow noopener">'
        '<span class="button-caption">シェア</span></a>'
        f'<a href="//b.hatena.ne.jp/entry/s/{url.split("//", 1)[1]}" class="share-button '
        'hatebu-button" target="_blank" rel="nofollow noopener"><span class="button-caption">'
        "B!</span></a></div></div>"
    )


def _ad(where: str) -> str:
    return (
        f'<div class="ad-area no-icon {where} ad-label-visible cf" role="complementary">'
        '<div class="ad-label" data-nosnippet>スポンサーリンク</div><div class="ad-wrap">'
        f'<a href="{AD_URL}" rel="sponsored nofollow">新型ドローンの展示会、事前登録受付中</a>'
        "</div></div>"
    )


def _terms(blog: str, taxonomy: str, names: Sequence[str]) -> str:
    kind = "cat" if taxonomy == "category" else "tag"
    rel = "category tag" if taxonomy == "category" else "tag"
    return "".join(
        f'<a class="{kind}-link {kind}-link-{number + 3}" href="{blog}{taxonomy}/t{number}/" '
        f'rel="{rel}">{escape(name)}</a>'
        for number, name in enumerate(names)
    )


def _related(blog: str, others: Sequence[WordPressCase]) -> str:
    return "".join(
        f'<a href="{blog.rstrip("/")}{o.path}" class="related-entry-card-wrap a-wrap '
        f'border-element cf" title="{escape(o.display_title)}"><article class="related-entry-card '
        f'e-card cf"><div class="related-entry-card-content card-content e-card-content"><h3 '
        f'class="related-entry-card-title card-title e-card-title">{escape(o.display_title)}'
        "</h3></div></article></a>"
        for o in others[:3]
    )


def render_listing(
    blog: str,
    name: str,
    title: str,
    cases: Sequence[WordPressCase],
    others: Sequence[WordPressCase],
) -> bytes:
    """The home page, a category page: entry cards linking to posts."""
    cards = "".join(
        f'<a href="{blog.rstrip("/")}{c.path}" class="entry-card-wrap a-wrap border-element cf" '
        f'title="{escape(c.display_title)}"><article id="post-{c.post_id}" class="post-{c.post_id} '
        'entry card-wrap post type-post status-publish hentry"><div class="entry-card-content '
        f'card-content e-card-content"><h2 class="entry-card-title card-title e-card-title" '
        f'itemprop="headline">{escape(c.display_title)}</h2><div class="entry-card-snippet '
        f'card-snippet e-card-snippet">{escape(c.post.paragraphs[0][:60])}</div></div>'
        "</article></a>"
        for c in cases
    )
    page = head(blog, name, title)
    page += '<body class="home blog public-page page-body">\n' + header(blog, name)
    page += f'<div id="list" class="list ecb-entry-border list-entry-card">{cards}</div>\n'
    page += sidebar_and_footer(blog, name, others)
    return page.encode("utf-8")


def render_page(
    blog: str, name: str, title: str, text: str, others: Sequence[WordPressCase]
) -> bytes:
    """A static page (``/about/``) or the theme's 404 page."""
    page = head(blog, name, f"{title} | {name}")
    page += '<body class="page-template-default page public-page page-body">\n'
    page += header(blog, name)
    page += (
        '<article class="article page type-page status-publish hentry"><header '
        f'class="article-header entry-header"><h1 class="entry-title">{escape(title)}</h1>'
        f'</header><div class="entry-content cf"><p>{escape(text)}</p></div></article>\n'
    )
    page += sidebar_and_footer(blog, name, others)
    return page.encode("utf-8")


def feed_date(stamp: datetime) -> str:
    return format_datetime(stamp, usegmt=False)
