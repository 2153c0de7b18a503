"""A Hatena Blog entry page as one record: title, date, categories, body, captions, sources.

The post is ``div.entry-content`` of ``article.entry``; its title, date and categories are read
from the entry's header (``h1.entry-title``, ``div.entry-date time[datetime]``,
``div.entry-categories``), then from the page's JSON-LD and ``og:title``. Link cards
(``iframe.embed-card`` and the ``<cite class="hatena-citation">`` Hatena writes after it) are
made one card each before the lines are read, so a card is judged as a card: the source when it
stands before the text or is introduced as the source, never when it is related reading. The
citation of the original is found by :mod:`crawler.platforms.sources`.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml.html import HtmlElement

from crawler.blogger import BloggerPost, PostParseError
from crawler.blogger.body import clean_text
from crawler.dates import parse_timestamp
from crawler.platforms.hatena import selectors as sel
from crawler.platforms.hatena.title import split_hatena_title, without_blog_name
from crawler.platforms.hatena.urls import blog_root, canonical_post_url
from crawler.platforms.page import aware, first, json_ld, load_page, raw_title, read_body

__all__ = ["parse_hatena_post"]

PAGE_TYPE = "post"


def parse_hatena_post(html: bytes | str, url: str, *, encoding: str | None = None) -> BloggerPost:
    """Parse a Hatena Blog entry page fetched at ``url``.

    Raises PostParseError when the page has no entry content, or one without any text.
    """
    doc = load_page(html, encoding)
    body = _find_body(doc)
    if body is None:
        raise PostParseError(f"no entry content (article.entry div.entry-content) in {url}")
    article = _container(body)
    _drop_chrome(body)
    make_cards(body)
    if not body.text_content().strip() and not body.xpath(f".//*[@class='{sel.CARD_CLASS}']"):
        raise PostParseError(f"the entry content is empty (no text) in {url}")
    post_url = _post_url(doc, url)
    blog_name = _blog_name(doc)
    raw_title = _raw_title(doc, article, blog_name)
    title, comment, publication = split_hatena_title(raw_title, blog_name)
    published, published_from = _published(doc, article)
    read = read_body(body, post_url, is_caption=_is_caption, is_card=_is_card)
    return BloggerPost(
        url=post_url,
        post_id=_post_id(article),
        blog_id=None,
        page_type=PAGE_TYPE,
        title=title,
        raw_title=raw_title,
        publication=publication,
        comment=comment,
        published=published,
        published_from=published_from,
        labels=_labels(article),
        paragraphs=read.paragraphs,
        captions=read.captions,
        citation=read.citation,
        language=first(doc.xpath(sel.HTML_LANG)),
    )


def make_cards(body: HtmlElement) -> None:
    """Each link card as one element the line walker reads as a card: an ``iframe.embed-card``
    (its URL in the ``src``'s ``url=`` parameter, its title in ``title``) with the
    ``cite.hatena-citation`` after it, or a ``cite.hatena-citation`` standing alone."""
    for iframe in body.xpath("." + sel.EMBED_IFRAME):
        url = embed_target(iframe.get("src") or "")
        citation = _citation_after(iframe)
        if url is None and citation is not None:
            url = first(citation.xpath(".//a/@href"))
        if url is None:
            continue  # a card whose page is not said: nothing to read
        if citation is not None:
            citation.drop_tree()
        iframe.addprevious(_card(iframe, url, clean_text(iframe.get("title") or "")))
        iframe.drop_tree()
    for citation in body.xpath(f".//cite[{sel.CITATION}]"):
        url = first(citation.xpath(".//a/@href"))
        if url is not None:  # the host it shows is no title
            citation.addprevious(_card(citation, url, ""))
        citation.drop_tree()


def embed_target(src: str) -> str | None:
    """The page an embed card shows: its ``src``'s ``url=`` parameter (hatenablog-parts.com)."""
    values = parse_qs(urlsplit(src.strip()).query).get(sel.EMBED_URL_PARAM)
    target = values[0].strip() if values else ""
    return target if target.startswith(("http://", "https://")) else None


def _citation_after(iframe: HtmlElement) -> HtmlElement | None:
    following = iframe.getnext()
    if (iframe.tail or "").strip() or following is None or following.tag != "cite":
        return None
    return following if "hatena-citation" in (following.get("class") or "").split() else None


def _card(near: HtmlElement, url: str, title: str) -> HtmlElement:
    card = near.makeelement("div", {"class": sel.CARD_CLASS})
    link = near.makeelement("a", {"href": url})
    if title:
        span = near.makeelement("span", {"class": "title"})
        span.text = title
        link.append(span)
    card.append(link)
    return card


def _find_body(doc: HtmlElement) -> HtmlElement | None:
    for xpath in sel.POST_BODY:
        candidates = [e for e in doc.xpath(xpath) if not e.xpath(sel.NOT_THE_POST)]
        if candidates:
            return max(candidates, key=lambda e: len(e.text_content()))
    return None


def _container(body: HtmlElement) -> HtmlElement:
    for xpath in sel.POST_CONTAINER:
        found = body.xpath(xpath)
        if found:
            return found[0]
    return body.getroottree().getroot()


def _drop_chrome(body: HtmlElement) -> None:
    chrome = [
        element
        for element in body.iterdescendants()
        if isinstance(element.tag, str)
        and (
            element.tag in sel.CHROME_TAGS
            or sel.CHROME_CLASS_TOKENS.intersection((element.get("class") or "").split())
        )
    ]
    for element in chrome:
        if element.getparent() is not None:
            element.drop_tree()  # its tail (text after it) stays


def _is_caption(element: HtmlElement) -> bool:
    return element.tag == "figcaption"


def _is_card(element: HtmlElement) -> bool:
    return sel.CARD_CLASS in (element.get("class") or "").split()


def _blog_name(doc: HtmlElement) -> str | None:
    for xpath in (sel.HTML_BLOG_NAME, sel.META_SITE_NAME):
        name = first(doc.xpath(xpath))
        if name:
            return clean_text(name)
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
    """The publication time and where it was read: the entry's ``<time>``, then JSON-LD."""
    for xpath in sel.PUBLISHED_TIME:
        for value in article.xpath(xpath):
            stamp = aware(parse_timestamp(str(value)))
            if stamp is not None:
                return stamp, "time"
    for data in json_ld(doc):
        kind = data.get("@type")
        if isinstance(kind, str) and kind in sel.ARTICLE_TYPES:
            stamp = aware(parse_timestamp(str(data.get("datePublished") or "")))
            if stamp is not None:
                return stamp, "json-ld"
    return None, None


def _labels(article: HtmlElement) -> tuple[str, ...]:
    for xpath in sel.CATEGORIES:
        labels = [text for a in article.xpath(xpath) if (text := clean_text(a.text_content()))]
        if labels:
            return tuple(dict.fromkeys(labels))
    return ()


def _post_id(article: HtmlElement) -> str | None:
    uuid = (article.get("data-uuid") or "").strip()
    if uuid.isdigit():
        return uuid
    match = sel.ENTRY_ID.match(article.get("id") or "")
    return match.group(1) if match else None


def _post_url(doc: HtmlElement, url: str) -> str:
    parts = urlsplit(url.strip())
    root = blog_root(f"{parts.scheme or 'https'}://{parts.netloc}/")
    for candidate in (url, first(doc.xpath(sel.CANONICAL_LINK)) or ""):
        canonical = canonical_post_url(candidate, root) if candidate else None
        if canonical is not None:
            return canonical
    return urlunsplit((parts.scheme or "https", parts.netloc.lower(), parts.path or "/", "", ""))
