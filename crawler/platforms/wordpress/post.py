"""A WordPress post permalink page as one record: title, date, labels, body, captions, sources.

The post is the content element WordPress renders (``entry-content``, ``wp-block-post-content``
or a theme's own name for it), and its title, date and terms are read from the article around
it, then from the page's metadata (JSON-LD, ``article:published_time``, ``og:title``). What a
theme or a plugin puts inside the content that is not the post (share buttons, related posts,
the author box, comments, ads, a table of contents) is taken out before the text is read.
The citation of the original is found by the platform-neutral rules of
:mod:`crawler.platforms.sources`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from lxml.html import HtmlElement

from crawler.blogger import BloggerPost, PostParseError
from crawler.blogger.body import clean_text
from crawler.dates import parse_timestamp
from crawler.platforms.page import aware, first, json_ld, load_page, raw_title, read_body
from crawler.platforms.wordpress import selectors as sel
from crawler.platforms.wordpress.title import split_wordpress_title, without_blog_name
from crawler.platforms.wordpress.urls import blog_root, canonical_post_url

__all__ = ["parse_wordpress_post"]

PAGE_TYPE = "post"


def parse_wordpress_post(
    html: bytes | str, url: str, *, encoding: str | None = None
) -> BloggerPost:
    """Parse a WordPress post page fetched at ``url``.

    Raises PostParseError when the page has no post content, or one without any text.
    """
    doc = load_page(html, encoding)
    body = _find_body(doc)
    if body is None:
        raise PostParseError(f"no post content (entry-content, wp-block-post-content) in {url}")
    article = _container(body)
    _drop_chrome(body)
    if not body.text_content().strip():
        raise PostParseError(f"the post content is empty (no text) in {url}")
    post_url = _post_url(doc, url)
    blog_name = _blog_name(doc)
    raw_title = _raw_title(doc, article, blog_name)
    title, comment, publication = split_wordpress_title(raw_title, blog_name)
    published, published_from = _published(doc, article)
    read = read_body(body, post_url, is_caption=_is_caption, is_card=_is_card)
    return BloggerPost(
        url=post_url,
        post_id=_post_id(doc, article),
        blog_id=None,
        page_type=PAGE_TYPE,
        title=title,
        raw_title=raw_title,
        publication=publication,
        comment=comment,
        published=published,
        published_from=published_from,
        labels=_labels(doc, article),
        paragraphs=read.paragraphs,
        captions=read.captions,
        citation=read.citation,
        language=first(doc.xpath(sel.HTML_LANG)),
    )


def _find_body(doc: HtmlElement) -> HtmlElement | None:
    for xpath in sel.POST_BODY:
        candidates = [e for e in doc.xpath(xpath) if not e.xpath(sel.NOT_THE_POST)]
        # Not one inside another found here (a theme's wrapper and core's content).
        outer = [e for e in candidates if not any(o is not e and _inside(e, o) for o in candidates)]
        if outer:
            return max(outer, key=lambda e: len(e.text_content()))
    return None


def _inside(element: HtmlElement, other: HtmlElement) -> bool:
    return any(ancestor is other for ancestor in element.iterancestors())


def _container(body: HtmlElement) -> HtmlElement:
    for xpath in sel.POST_CONTAINER:
        found = body.xpath(xpath)
        if found:
            return found[0]
    return body.getroottree().getroot()


def _drop_chrome(body: HtmlElement) -> None:
    for element in list(_chrome(body)):
        element.drop_tree()  # its tail (text after it) stays


def _chrome(body: HtmlElement) -> Iterator[HtmlElement]:
    for element in body.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        tokens = (element.get("class") or "").split()
        if (
            element.tag in sel.CHROME_TAGS
            or any(sel.CHROME_CLASS_PARTS.search(t) for t in tokens)
            or sel.CHROME_CLASS_TOKENS.intersection(tokens)
            or sel.CHROME_IDS.match(element.get("id") or "")
        ):
            yield element


def _is_caption(element: HtmlElement) -> bool:
    if element.tag == "figcaption":
        return True
    return bool(sel.CAPTION_CLASSES.intersection((element.get("class") or "").split()))


def _is_card(element: HtmlElement) -> bool:
    return bool(sel.CARD_CLASS_PARTS.search(element.get("class") or ""))


def _blog_name(doc: HtmlElement) -> str | None:
    name = first(doc.xpath(sel.META_SITE_NAME))
    if name:
        return clean_text(name)
    for data in json_ld(doc):
        site = data.get("name")
        if data.get("@type") == "WebSite" and isinstance(site, str):
            return clean_text(site)
    return None


def _raw_title(doc: HtmlElement, article: HtmlElement, blog_name: str | None) -> str:
    return raw_title(
        doc,
        article,
        heading=sel.POST_TITLE,
        fallbacks=(sel.META_OG_TITLE, sel.DOCUMENT_TITLE),
        without_blog_name=lambda text: without_blog_name(text, blog_name),
    )


def _published(doc: HtmlElement, article: HtmlElement) -> tuple[datetime | None, str | None]:
    """The publication time and where it was read: JSON-LD, the meta tag, then ``<time>``; a
    date without a time of day (some themes' JSON-LD) only when nothing gives the time."""
    day_only: datetime | None = None
    for data in json_ld(doc):
        if _is_article(data):
            written = str(data.get("datePublished") or "")
            stamp = aware(parse_timestamp(written))
            if stamp is not None and "T" in written:
                return stamp, "json-ld"
            day_only = day_only or stamp
    stamp = aware(parse_timestamp(first(doc.xpath(sel.META_PUBLISHED))))
    if stamp is not None:
        return stamp, "meta"
    for xpath in sel.PUBLISHED_TIME:
        for value in article.xpath(xpath):
            stamp = aware(parse_timestamp(str(value)))
            if stamp is not None:
                return stamp, "time"
    return (day_only, "json-ld") if day_only is not None else (None, None)


def _is_article(data: dict[str, object]) -> bool:
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in sel.ARTICLE_TYPES for k in kinds if isinstance(k, str))


def _labels(doc: HtmlElement, article: HtmlElement) -> tuple[str, ...]:
    labels: list[str] = []
    for xpath in (*sel.CATEGORIES, *sel.TAGS):
        for link in article.xpath(xpath):
            text = clean_text(link.text_content())
            if text and text not in labels:
                labels.append(text)
    if not labels:
        for value in doc.xpath(sel.META_SECTION) + doc.xpath(sel.META_TAG):
            text = clean_text(str(value))
            if text and text not in labels:
                labels.append(text)
    return tuple(labels)


def _post_id(doc: HtmlElement, article: HtmlElement) -> str | None:
    match = sel.ARTICLE_ID.match(article.get("id") or "")
    if match:
        return match.group(1)
    body_class = first(doc.xpath("//body/@class")) or ""
    for pattern, text in ((sel.BODY_POSTID, body_class), (sel.SHORTLINK_ID, _shortlink(doc))):
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def _shortlink(doc: HtmlElement) -> str:
    return first(doc.xpath(sel.SHORTLINK)) or ""


def _post_url(doc: HtmlElement, url: str) -> str:
    parts = urlsplit(url.strip())
    root = blog_root(f"{parts.scheme or 'https'}://{parts.netloc}/")
    for candidate in (url, first(doc.xpath(sel.CANONICAL_LINK)) or ""):
        canonical = canonical_post_url(candidate, root) if candidate else None
        if canonical is not None:
            return canonical
    return urlunsplit((parts.scheme or "https", parts.netloc.lower(), parts.path or "/", "", ""))
