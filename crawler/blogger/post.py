"""A Blogger post permalink page as one record: title, date, labels, body, captions, citation.

The post is found the way Blogger builds it, whatever the theme: the body is the ``post-body``
element inside the Blog widget, and everything else (title, timestamp, labels) is read from the
post element around that body, so sidebar widgets that reuse the same class names never leak in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

from crawler.blogger import selectors as sel
from crawler.blogger.body import Caption, clean_text, read_body
from crawler.blogger.citation import CitationBlock
from crawler.blogger.front import NOTE_COMMENT, Note
from crawler.blogger.title import split_title
from crawler.blogger.urls import canonical_host, canonical_post_url
from crawler.dates import parse_date_header, parse_timestamp

__all__ = [
    "BloggerPost",
    "Caption",
    "PostParseError",
    "parse_post",
    "split_title",
    "with_feed_date",
]


class PostParseError(ValueError):
    """The page holds no post body (an error page, a search page, not Blogger), or an empty one."""


@dataclass(frozen=True)
class BloggerPost:
    url: str
    post_id: str | None
    blog_id: str | None
    page_type: str | None
    title: str
    raw_title: str
    publication: str | None
    comment: str | None
    published: datetime | None
    published_from: str | None
    labels: tuple[str, ...]
    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...]
    citation: CitationBlock | None
    language: str | None
    notes: tuple[Note, ...] = ()  # lines taken out of the text (banner, repeated title, ...)
    # The calendar day the page gives without a time of day, when that is all it gives:
    # ``published`` is then its midnight UTC, which the feed's timestamp may make precise.
    published_day: date | None = None


def parse_post(
    html: bytes | str,
    url: str,
    *,
    feed_published: datetime | None = None,
    encoding: str | None = None,
) -> BloggerPost:
    """Parse a post page; ``url`` is where it was fetched, ``feed_published`` the feed's date
    (applied by :func:`with_feed_date`: the parse itself reads only the page).

    Raises PostParseError when the page has no post body, or one without any text.
    """
    doc = _load(html, encoding)
    context = "\n".join(
        script.text or ""
        for script in doc.xpath(sel.INLINE_SCRIPTS)
        if sel.DATA_CONTEXT_MARK in (script.text or "")
    )
    body = _find_body(doc)
    if body is None:
        raise PostParseError(f"no post body (class post-body / itemprop articleBody) in {url}")
    if not body.text_content().strip():
        # A post saved empty (or whose text a theme script fills in) has nothing to pair.
        raise PostParseError(f"the post body is empty (no text) in {url}")
    post = _container(body)
    raw_title = _title(doc, post, context)
    title, comment, publication = split_title(raw_title)
    published, published_from, published_day = _published(post, body)
    read = read_body(body, title=title, publication=publication)
    notes = read.notes
    if read.comment is not None:
        # A comment line under a title that has its own comment is kept as a note.
        if comment is None:
            comment = read.comment
        else:
            notes = (Note(NOTE_COMMENT, read.comment_line), *notes)
    parsed = BloggerPost(
        url=_post_url(doc, url),
        post_id=_first_match(sel.DATA_POST_ID, context) or _post_id(post, body),
        blog_id=_first_match(sel.DATA_BLOG_ID, context) or _first(doc.xpath(sel.BLOG_ID_META)),
        page_type=_first_match(sel.DATA_PAGE_TYPE, context),
        title=title,
        raw_title=raw_title,
        publication=publication,
        comment=comment,
        published=published,
        published_from=published_from,
        labels=_labels(post),
        paragraphs=read.paragraphs,
        captions=read.captions,
        citation=read.citation,
        language=_first(doc.xpath(sel.HTML_LANG)) or _first_match(sel.DATA_LOCALE, context),
        notes=notes,
        published_day=published_day,
    )
    return with_feed_date(parsed, feed_published)


def with_feed_date(post: BloggerPost, feed: datetime | None) -> BloggerPost:
    """``post`` dated by the feed's timestamp where the page says less: the page gives no date,
    or gives the same calendar day without a time (the feed's is the same moment made
    precise). Otherwise the page's date stands."""
    if feed is None:
        return post
    same_day = post.published_day is not None and feed.tzinfo is not None
    if post.published is None or (same_day and feed.date() == post.published_day):
        return replace(post, published=feed, published_from="feed")
    return post


def _load(html: bytes | str, encoding: str | None) -> HtmlElement:
    if isinstance(html, bytes):
        # Decoded here, not by libxml2: it knows fewer charset labels (a LookupError on
        # "x-sjis") and w3lib decodes them as browsers do, invalid bytes as U+FFFD.
        _, html = html_to_unicode(f"charset={encoding}" if encoding else None, html)
    if not html.strip():
        raise PostParseError("empty page")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    return lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)


def _find_body(doc: HtmlElement) -> HtmlElement | None:
    scopes = [*doc.xpath(sel.BLOG_WIDGET), doc]
    for scope in scopes:
        for xpath in sel.POST_BODY:
            for element in scope.xpath(xpath):
                if not element.xpath(sel.OTHER_POST_WIDGETS):
                    return element
    return None


def _container(body: HtmlElement) -> HtmlElement:
    for xpath in sel.POST_CONTAINERS:
        found = body.xpath(xpath)
        if found:
            return found[0]
    parent = body.getparent()
    return parent if parent is not None else body


def _title(doc: HtmlElement, post: HtmlElement, context: str) -> str:
    for xpath in sel.POST_TITLE:
        for element in post.xpath(xpath):
            text = clean_text(element.text_content())
            if text:
                return text
    og_title = clean_text(_first(doc.xpath(sel.META_OG_TITLE)) or "")
    if og_title:
        return og_title
    titles = doc.xpath(sel.DOCUMENT_TITLE)
    text = clean_text(titles[0].text_content()) if titles else ""
    blog = _first_match(sel.DATA_BLOG_TITLE, context)
    if blog:
        blog = sel.JS_HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), blog)
        blog = clean_text(lxml.html.fromstring(f"<p>{blog}</p>").text_content())
        for pattern in (f"{blog}: ", f" | {blog}", f" - {blog}"):
            if text.startswith(pattern) or text.endswith(pattern):
                text = text.replace(pattern, "", 1).strip()
    return text


def _published(
    post: HtmlElement, body: HtmlElement
) -> tuple[datetime | None, str | None, date | None]:
    """The page's publication time, where it was read, and the day when only a day is given."""
    for source, xpath in (("abbr", sel.PUBLISHED_ABBR), ("time", sel.PUBLISHED_TIME)):
        for value in post.xpath(xpath):
            text = value if isinstance(value, str) else value.get("datetime") or value.text
            stamp = parse_timestamp(text)
            if stamp is not None:
                return _aware(stamp), source, None
    for element in post.xpath(sel.PUBLISHED_ITEMPROP):
        for attribute in ("content", "title", "datetime"):
            stamp = parse_timestamp(element.get(attribute))
            if stamp is not None:
                return _aware(stamp), "itemprop", None
    stamp = _json_ld_published(post)
    if stamp is not None:
        return stamp, "itemprop", None
    for element in post.xpath(sel.PUBLISHED_ITEMPROP):
        day = parse_date_header(clean_text(element.text_content()))
        if day is not None:
            return _midnight(day), "itemprop", day
    headers = [
        *post.xpath(sel.DATE_HEADER_INSIDE),
        *body.xpath(sel.DATE_HEADER_BEFORE),
        *post.xpath(sel.POST_TIMESTAMP),
    ]
    for element in headers:
        day = parse_date_header(clean_text(element.text_content()))
        if day is not None:
            return _midnight(day), "date-header", day
    return None, None, None


def _midnight(day: date) -> datetime:
    # A date alone carries no time or offset: midnight UTC keeps the calendar date.
    return datetime.combine(day, time(0), tzinfo=UTC)


def _json_ld_published(post: HtmlElement) -> datetime | None:
    for script in post.xpath(sel.JSON_LD):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("@type") == "BlogPosting":
            stamp = parse_timestamp(str(data.get("datePublished") or ""))
            if stamp is not None and stamp.tzinfo is not None:
                return stamp
    return None


def _aware(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _labels(post: HtmlElement) -> tuple[str, ...]:
    labels: list[str] = []
    for link in post.xpath(sel.LABELS):
        text = clean_text(link.text_content())
        if text and text not in labels:
            labels.append(text)
    return tuple(labels)


def _post_id(post: HtmlElement, body: HtmlElement) -> str | None:
    for value in (
        _first(post.xpath(sel.POST_ID_META)),
        _match_group(sel.POST_BODY_ID, body.get("id") or ""),
        _first(body.xpath(sel.POST_ID_DATA)),
        *post.xpath(sel.POST_ID_ANCHOR),
    ):
        if value and sel.NUMERIC_ID.match(value):
            return str(value)
    return None


def _post_url(doc: HtmlElement, url: str) -> str:
    canonical = canonical_post_url(url)
    if canonical is None:
        canonical = canonical_post_url(_first(doc.xpath(sel.CANONICAL_LINK)) or "")
    if canonical is not None:
        return canonical
    parts = urlsplit(url.strip())
    host = canonical_host(parts.hostname or "")
    return urlunsplit(("https", host, parts.path or "/", "", ""))


def _first(values: list[object]) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _first_match(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _match_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.match(text)
    return match.group(1) if match else None
