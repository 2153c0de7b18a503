"""Every selector and pattern the WordPress profile uses, in one place.

WordPress core names what it renders the same in every theme: ``entry-content`` /
``wp-block-post-content`` around the post's content, ``entry-title`` / ``wp-block-post-title``,
``time.entry-date.published``, ``rel="category tag"`` links, ``figcaption`` /
``wp-caption-text`` captions. Popular Japanese themes keep those names and add their own
(Cocoon: ``entry-content cf``, ``sns-share``, ``related-entries``, ``author-box``, ``blogcard``;
SWELL: ``post_content``, ``p-blogCard``; JIN: ``cps-post-main``).
"""

from __future__ import annotations

import re

from crawler.blogger.selectors import has_class

# The post's content, most specific first; the largest of the first kind found is the post's
# (related-post grids and widgets may reuse the class names with a few words each).
POST_BODY = (
    f"//*[{has_class('wp-block-post-content')}]",
    f"//*[{has_class('entry-content')}]",
    f"//*[{has_class('post_content')}]",
    f"//*[{has_class('cps-post-main')}]",
    "//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' articleBody ')]",
    f"//article//*[{has_class('post-content')}]",
    f"//*[{has_class('elementor-widget-theme-post-content')}]",  # Elementor's post template
)
# What a body must not be inside of: comments, sidebars, related-post widgets.
NOT_THE_POST = (
    "ancestor::*[@id='comments' or @id='secondary' or self::aside or "
    f"{has_class('comments-area')} or {has_class('widget')} or {has_class('related-entries')}]"
)
POST_CONTAINER = (
    "ancestor::article[1]",
    f"ancestor::*[{has_class('hentry')} or {has_class('type-post')}][1]",
    "ancestor::main[1]",
)
POST_TITLE = (
    f".//*[{has_class('wp-block-post-title')}]",
    f".//h1[{has_class('entry-title')}]",
    f".//*[{has_class('entry-title')}]",
    f"//h1[{has_class('entry-title')} or {has_class('wp-block-post-title')}]",
)
META_OG_TITLE = "//meta[@property='og:title']/@content"
META_SITE_NAME = "//meta[@property='og:site_name']/@content"
DOCUMENT_TITLE = "//title"
META_PUBLISHED = "//meta[@property='article:published_time']/@content"
PUBLISHED_TIME = (
    f".//time[{has_class('published')}]/@datetime",
    f".//*[{has_class('wp-block-post-date')}]//time/@datetime",
    f".//time[{has_class('entry-date')}]/@datetime",
    ".//time[@itemprop='datePublished']/@datetime",
    ".//*[@itemprop='datePublished']/@content",
    ".//time[@datetime]/@datetime",
)
ARTICLE_TYPES = frozenset({"Article", "BlogPosting", "NewsArticle", "Report", "TechArticle"})
CATEGORIES = (
    ".//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]",
    f".//*[{has_class('cat-links')} or {has_class('entry-categories')} or "
    f"{has_class('taxonomy-category')}]//a",
)
TAGS = (
    ".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]",
    f".//*[{has_class('tags-links')} or {has_class('entry-tags')} or "
    f"{has_class('taxonomy-post_tag')}]//a",
)
META_SECTION = "//meta[@property='article:section']/@content"
META_TAG = "//meta[@property='article:tag']/@content"
CANONICAL_LINK = "//link[@rel='canonical']/@href"
SHORTLINK = "//link[@rel='shortlink']/@href"
HTML_LANG = "/html/@lang"
ARTICLE_ID = re.compile(r"^post-(\d+)$")
BODY_POSTID = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")

# Inside the content, what is not the post: share buttons, related posts, the author box,
# comments, ads, tables of contents, navigation. Matched on class tokens (any part of a token
# for the words, the whole token for the short ones) and ids.
CHROME_CLASS_PARTS = re.compile(
    r"share|sharing|sns-|social|related|author-?box|author-info|about-author|profile-box|"
    r"comment|adsbygoogle|advert|sponsor|ad-area|ad-wrap|ad-unit|ad-container|ads-|"
    r"ez-toc|toc_container|post-navigation|nav-links|pagination|wpulike|like-button|"
    r"yarpp|crp_related|jp-relatedposts|sharedaddy|addtoany|a2a_|follow-",
    re.IGNORECASE,
)
CHROME_CLASS_TOKENS = frozenset(
    {"ad", "ads", "toc", "navigation", "screen-reader-text", "sd-block", "code-block"}
)
CHROME_IDS = re.compile(r"^(?:comments|respond|toc|ez-toc-container|jp-relatedposts)$")
CHROME_TAGS = frozenset({"script", "style", "noscript", "form", "nav", "aside", "button"})

CAPTION_CLASSES = frozenset({"wp-caption-text", "wp-element-caption", "gallery-caption"})
CARD_CLASS_PARTS = re.compile(
    r"blogcard|blogCard|linkcard|link-card|is-type-wp-embed|wp-embedded-content|embedly-card"
)

# The page says it is WordPress: generator meta, REST API discovery, core asset paths.
GENERATOR = "//meta[@name='generator']/@content"
WORDPRESS_GENERATOR = re.compile(r"^WordPress(?:\.com)?\b", re.IGNORECASE)
PAGE_MARKS = (
    (re.compile(rb"""<meta[^>]+content=["']WordPress""", re.IGNORECASE), "generator meta"),
    (re.compile(rb"""rel=["']https://api\.w\.org/["']"""), "REST API link"),
    (re.compile(rb"/wp-content/(?:themes|plugins|uploads)/"), "wp-content paths"),
    (re.compile(rb"/wp-includes/"), "wp-includes paths"),
    (re.compile(rb"""class=["'][^"']*\bwp-block-"""), "block markup"),
)
API_LINK_HEADER = re.compile(r"""rel=["']?https://api\.w\.org/""")

# Titles: 【翻訳】T, [翻訳] T; T｜Publication, T | Blog name, T – Blog name.
TITLE_PREFIX = re.compile(
    r"^\s*(?:【(?P<a>[^】]{1,20})】|\[(?P<b>[^\]]{1,20})\]|〔(?P<c>[^〕]{1,20})〕)\s*"
)
TITLE_SEPARATORS = re.compile(r"\s*(?:｜|\||\s[–—-]\s|\s::\s|\s»\s)\s*")
