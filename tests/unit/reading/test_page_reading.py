"""A source page is read once: one parse, whose tree the article, its metadata and dates, and the
paywall markers all read, and which none of them changes.

Pages are the replica's renderings of corpus articles and synthetic pages written here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree

from crawler.article import extraction
from crawler.article.extraction import ExtractedArticle, extract_article, parse_html
from crawler.article.paywall import PaywallSignals, paywall_signals
from crawler.reading.page import read_source_page
from replica.corpus import load_cases
from replica.model import SourceArticle
from replica.sites.news_faults import in_windows_1252, malformed, with_invalid_utf8
from replica.sites.news_templates import render_article

URL = "https://www.example-news.test/2025/04/article/"
HTML_UTF8 = "text/html; charset=utf-8"


def _articles() -> list[SourceArticle]:
    """One corpus article per site template."""
    by_site: dict[str, SourceArticle] = {}
    for case in load_cases("t2"):
        for article in case.sources.values():
            by_site.setdefault(article.site, article)
    return list(by_site.values())


def _pages() -> list[tuple[str, bytes, str | None]]:
    pages: list[tuple[str, bytes, str | None]] = []
    for article in _articles():
        for paywalled in (False, True):
            pages.append((article.url, render_article(article, paywalled=paywalled), HTML_UTF8))
        body = render_article(article)
        pages.append((article.url, malformed(body), HTML_UTF8))
        pages.append((article.url, with_invalid_utf8(body), HTML_UTF8))
        pages.append((article.url, in_windows_1252(body), "text/html"))
    return pages


def _read(url: str, body: bytes, content_type: str | None) -> Any:
    return read_source_page(
        cited_url=url,
        url=url,
        redirects=(),
        http_status=200,
        content_type=content_type,
        body=body,
        truncated=False,
        warc=None,
        crawled_at="2025-04-01T00:00:00Z",
    )


def test_a_source_page_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[object] = []
    load_html = extraction.load_html

    def counted(page: Any) -> Any:
        parses.append(page)
        return load_html(page)

    monkeypatch.setattr(extraction, "load_html", counted)
    statuses = set()
    for url, body, content_type in _pages():
        parses.clear()
        statuses.add(_read(url, body, content_type).status)
        assert len(parses) == 1, url
    assert statuses == {"ok", "source_paywalled"}


@pytest.mark.parametrize(("url", "body", "content_type"), _pages())
def test_the_tree_gives_what_the_bytes_give_and_stays_as_it_was(
    url: str, body: bytes, content_type: str | None
) -> None:
    encoding = "utf-8" if content_type == HTML_UTF8 else None
    tree = parse_html(body, encoding)
    assert tree is not None
    before = etree.tostring(tree)
    article = extract_article(tree, url)
    signals = paywall_signals(tree, article)
    assert etree.tostring(tree) == before
    assert article == extract_article(body, url, encoding=encoding)
    assert signals == paywall_signals(body, article)


def test_nothing_to_parse_is_an_empty_article_and_no_markers() -> None:
    article = extract_article(parse_html(b"  \n "), URL)
    assert article == ExtractedArticle(None, None, None, None, None, "", (), None)
    assert paywall_signals(None, article) is None


# What the markers were before the page was read once: a parse of its own, and the phrases
# searched for in each text node apart.
_CLASS_XPATH = (
    "//*[contains(@class,'paywall') or contains(@id,'paywall') or contains(@class,'regwall')"
    " or contains(@class,'subscriber-only') or contains(@class,'subscribers-only')"
    " or contains(@class,'premium-content') or contains(@class,'article-locked')]"
)
_PHRASES = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to read"
    r"|(?:log|sign) in to (?:continue|keep) reading|register to continue reading"
    r"|this (?:article|story|content) is (?:only )?(?:available )?(?:for|to) subscribers"
    r"|subscribers? only|you have reached your (?:free )?(?:article|story) limit"
    r"|to continue reading,? (?:please )?(?:subscribe|log in|sign in)",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def _markers_node_by_node(html: str) -> tuple[str, ...]:
    tree = parse_html(html)
    assert tree is not None
    markers: list[str] = []
    for element in tree.xpath(_CLASS_XPATH):
        attribute = f"{element.get('class', '')} {element.get('id', '')}".lower()
        for token in ("paywall", "regwall", "subscriber", "premium-content", "article-locked"):
            if token in attribute and f"class:{token}" not in markers:
                markers.append(f"class:{token}")
    for node in tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]"):
        for match in _PHRASES.finditer(str(node)):
            marker = f"phrase:{_SPACE.sub(' ', match.group(0).lower())}"
            if marker not in markers:
                markers.append(marker)
    return tuple(markers)


BODIES = (
    "<p>Subscribe to continue reading.</p><p>Already a subscriber? Log in to keep reading</p>",
    "<p>Subscribe <b>to continue</b> reading</p>",  # split by markup: not a phrase
    "<p>Subscribers</p><p>only</p><p>subscribe to</p> <p>read</p>",  # nor across elements
    "<p>subscribe to\ncontinue reading</p><p>sign in\nto continue reading</p>",
    "<p>Subscribers only. This story is only available to subscribers; subscribe to read</p>",
    "<p>YOU HAVE REACHED YOUR FREE ARTICLE LIMIT</p><div>To continue reading, please log in</div>",
    "<p>Reading list</p><p>limits\nsubscription</p><p>Subscribe now to keep reading</p>",
    "<script>var s = 'subscribe to continue reading';</script>"
    "<style>/* subscribers only */</style>",
    "<p>\u017fubscribe to read, \u017fubscribers only</p>",  # long s: matched case-insensitively
    "<div class='Paywall premium-content'>x</div><div id='paywall-box'>y</div>",
    "<div class='regwall subscriber-only'>Register to continue reading</div>",
    "<p>Subscribe to continue reading</p>" * 3,
    "Subscribe to read <!-- subscribers only --> the rest",
)


@pytest.mark.parametrize("body", BODIES)
def test_the_phrase_search_finds_what_a_search_of_each_text_node_finds(body: str) -> None:
    html = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    article = extract_article(html, URL)
    signals = paywall_signals(parse_html(html), article)
    expected = _markers_node_by_node(html)
    assert (signals.markers if isinstance(signals, PaywallSignals) else ()) == expected
