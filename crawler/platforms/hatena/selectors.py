"""Every selector and pattern the Hatena Blog profile uses, in one place.

Hatena Blog renders every theme from one skeleton: ``<html data-blog="…"
data-admin-domain="//blog.hatena.ne.jp" data-page="entry" …>`` on every page (custom domains
included), ``article.entry.hentry`` (``data-uuid``: the entry's id) around ``header.entry-header``
(``div.date.entry-date`` with a ``<time datetime>``, ``h1.entry-title`` with
``a.entry-title-link``, ``div.entry-categories`` of ``a.entry-category-link``),
``div.entry-content.hatenablog-entry`` (the post), and ``footer.entry-footer`` (share buttons
``div.social-buttons``, ``div.hatena-star-container``, ``div.related-entries``,
``div.comment-box``), then ``div.pager``. Link cards are ``iframe.embed-card`` (its ``src`` is
``https://hatenablog-parts.com/embed?url=URL``) followed by ``<cite class="hatena-citation">``
with the link; quotes are ``<blockquote cite="URL">`` with a ``<cite>`` attribution.
"""

from __future__ import annotations

import re

from crawler.blogger.selectors import has_class

POST_BODY = (
    f"//article[{has_class('entry')}]//div[{has_class('entry-content')}]",
    f"//div[{has_class('hatenablog-entry')}]",
    f"//div[{has_class('entry-content')}]",
)
# What a body must not be inside of: the sidebar's modules, related entries, comments.
NOT_THE_POST = (
    f"ancestor::*[{has_class('hatena-module')} or {has_class('related-entries')} or "
    f"{has_class('comment-box')} or @id='box2']"
)
POST_CONTAINER = (
    f"ancestor::article[{has_class('entry')}][1]",
    "ancestor::article[1]",
)
POST_TITLE = (
    f".//h1[{has_class('entry-title')}]//a[{has_class('entry-title-link')}]",
    f".//*[{has_class('entry-title')}]",
)
META_OG_TITLE = "//meta[@property='og:title']/@content"
META_SITE_NAME = "//meta[@property='og:site_name']/@content"
HTML_BLOG_NAME = "/html/@data-blog-name"
DOCUMENT_TITLE = "//title"
PUBLISHED_TIME = (
    f".//*[{has_class('entry-date')}]//time/@datetime",
    ".//time[@datetime]/@datetime",
)
ARTICLE_TYPES = frozenset({"Article", "BlogPosting", "NewsArticle"})
CATEGORIES = (
    f".//*[{has_class('entry-categories')}]//a[{has_class('entry-category-link')}]",
    f".//a[{has_class('entry-category-link')}]",
)
CANONICAL_LINK = "//link[@rel='canonical']/@href"
HTML_LANG = "/html/@lang"
ENTRY_ID = re.compile(r"^entry-(\d+)$")

# Inside the content, what is not the post: a table of contents ([:contents]), Amazon and
# Rakuten product boxes, ads, share buttons and stars a theme may put there.
CHROME_CLASS_TOKENS = frozenset(
    {
        "table-of-contents",
        "hatena-asin-detail",
        "hatena-module",
        "social-buttons",
        "hatena-star-container",
        "related-entries",
        "comment-box",
        "google-afc-user-container",
        "adsbygoogle",
        "entry-footer",
        "customized-footer",
        "sentry",
    }
)
CHROME_TAGS = frozenset({"script", "style", "noscript", "form", "nav", "aside", "button"})

# Link cards: the iframe Hatena renders for ``[URL:embed]``, and the card this profile makes of it.
EMBED_IFRAME = f"//iframe[{has_class('embed-card')}]"
CITATION = f"{has_class('hatena-citation')}"
CARD_CLASS = "hatena-embed-card"
EMBED_URL_PARAM = "url"

# The page says it is Hatena Blog: the attributes of its <html>, the service's asset host.
PAGE_MARKS = (
    (
        re.compile(rb"""<html[^>]*\sdata-admin-domain=["']//blog\.hatena\.ne\.jp["']""", re.I),
        "data-admin-domain on <html>",
    ),
    (re.compile(rb"""<html[^>]*\sdata-brand=["']hatenablog["']""", re.I), "data-brand on <html>"),
    (re.compile(rb"//cdn\.blog\.st-hatena\.com/"), "cdn.blog.st-hatena.com assets"),
)
# The Atom feed's generator: <generator uri="https://blog.hatena.ne.jp/" …>Hatena::Blog</…>.
FEED_GENERATOR = re.compile(rb"""<generator[^>]+uri=["']https?://blog\.hatena\.ne\.jp/?["']""")
