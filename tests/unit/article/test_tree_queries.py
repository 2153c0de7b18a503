"""The source page's queries made faster select what their plain forms select.

Each fast query of ``crawler/article/`` (the dek candidates, the publication-time elements, the
paywall elements' gate) is checked against the XPath it replaced, on synthetic pages that hold
every case the plain form tells apart, on the replica's news pages and on the real ones.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from lxml.html import HtmlElement

from crawler.article import paywall, structured
from crawler.article.extraction import _DEK_CANDIDATES, parse_html
from replica.corpus import load_cases
from replica.sites.news_templates import render_article

PLAIN_DEK_CANDIDATES = etree.XPath(
    "//*[self::p or self::h2 or self::div or self::span][@itemprop or @class]"
)
PLAIN_PUBLICATION_TIMES = tuple(
    etree.XPath(xpath, smart_strings=False)
    for xpath in (
        "//*[@itemprop='datePublished']/@datetime",
        "//*[@itemprop='datePublished']/@content",
        "//time[@pubdate]/@datetime",
        "//article//time[@datetime]/@datetime",
        "//header//time[@datetime]/@datetime",
        "//abbr[contains(@class,'published')]/@title",
        "(//time[@datetime])[1]/@datetime",
    )
)

# Every kind of element the publication times are read from, nested, empty and out of order.
DATED_PAGE = """<html><head><meta itemprop="datePublished" content="2025-01-01"></head><body>
<header><time datetime="2025-01-02T08:00:00Z">header</time>
  <article><time datetime="2025-01-03">in both</time></article></header>
<time>no datetime</time><time datetime="">empty</time>
<article><div><article><time pubdate datetime="2025-01-04T09:00:00-05:00">nested</time>
  </article></div><span itemprop="datePublished" datetime="2025-01-05" content="2025-01-06">
  </span></article>
<abbr class="updated published" title="2025-01-07T10:00:00+09:00">x</abbr>
<time pubdate>no datetime</time><time datetime="2025-01-08">last</time>
</body></html>"""
UNDATED_PAGE = "<html><body><article><p>No time at all.</p></article></body></html>"
# Dek candidates of every kind: the names, classes and microdata the plain form tells apart.
DEK_PAGE = """<html><body><h1>Title</h1><h2 class="Sub-Headline">A dek</h2>
<p itemprop="description">Microdata</p><p itemprop="name">Named</p><span class="">Empty</span>
<div class="x"><p class="standfirst">Stand</p></div><h3 class="subtitle">Not a candidate</h3>
<span class="excerpt">Excerpt</span><div>Plain</div></body></html>"""
# Pages the paywall gate must let through: each word of the element XPath, in a class or an id.
PAYWALLED_PAGES = (
    '<div class="paywall">x</div>',
    '<div id="article-paywall">x</div>',
    '<div class="regwall-box">x</div>',
    '<div class="content subscriber-only">x</div>',
    '<div class="subscribers-only">x</div>',
    '<section class="premium-content">x</section>',
    '<div class="article-locked">x</div>',
)


def _tree(html: str | bytes) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def _plain_times(tree: HtmlElement) -> list[str]:
    return [str(value) for xpath in PLAIN_PUBLICATION_TIMES for value in xpath(tree)]


def _assert_same_selections(tree: HtmlElement) -> None:
    assert _DEK_CANDIDATES(tree) == PLAIN_DEK_CANDIDATES(tree)
    assert structured._publication_times(tree) == _plain_times(tree)
    if paywall._PAYWALL_ELEMENTS(tree):
        assert paywall._may_have_paywall_elements(tree)


def test_publication_times_come_in_the_plain_xpaths_order() -> None:
    tree = _tree(DATED_PAGE)
    assert structured._publication_times(tree) == _plain_times(tree)
    assert structured._publication_times(tree) == [
        "2025-01-05",  # datePublished microdata: its datetime, then each content
        "2025-01-01",
        "2025-01-06",
        "2025-01-04T09:00:00-05:00",  # <time pubdate>
        "2025-01-03",  # in an <article>
        "2025-01-04T09:00:00-05:00",
        "2025-01-02T08:00:00Z",  # in a <header>
        "2025-01-03",
        "2025-01-07T10:00:00+09:00",  # hAtom
        "2025-01-02T08:00:00Z",  # the first <time datetime>
    ]
    assert structured._publication_times(_tree(UNDATED_PAGE)) == []


def test_dek_candidates_are_the_plain_xpaths_in_page_order() -> None:
    tree = _tree(DEK_PAGE)
    candidates = _DEK_CANDIDATES(tree)
    assert candidates == PLAIN_DEK_CANDIDATES(tree)
    assert [c.text for c in candidates] == [
        "A dek",
        "Microdata",
        "Named",
        "Empty",
        None,
        "Stand",
        "Excerpt",
    ]


def test_the_paywall_gate_lets_every_paywall_element_through() -> None:
    for element in PAYWALLED_PAGES:
        tree = _tree(f"<html><body><p>Text.</p>{element}</body></html>")
        assert paywall._PAYWALL_ELEMENTS(tree), element
        assert paywall._may_have_paywall_elements(tree), element


def test_the_paywall_gate_stops_a_page_without_paywall_elements() -> None:
    # "paywall" in a text or another attribute, a case the XPath does not take, a word split
    # between a class and an id: no element.
    tree = _tree(
        '<html><body><p title="paywall">paywall</p><div class="PayWall">x</div>'
        '<div class="regw" id="all">x</div><div id="Regwall">x</div></body></html>'
    )
    assert not paywall._PAYWALL_ELEMENTS(tree)
    assert not paywall._may_have_paywall_elements(tree)


def test_the_replica_news_pages_get_the_plain_selections() -> None:
    pages = 0
    for case in load_cases("t2"):
        for article in case.sources.values():
            for paywalled in (False, True):
                _assert_same_selections(_tree(render_article(article, paywalled=paywalled)))
                pages += 1
    assert pages > 50


def _real_pages(realpages: Path) -> Iterator[bytes]:
    for path in sorted((realpages / "news").glob("*.html")):
        yield path.read_bytes()
    for path in sorted((realpages / "blogger").glob("*.html")):
        yield path.read_bytes()
    for path in sorted((realpages / "article-extraction-benchmark" / "html").glob("*.html.gz")):
        yield gzip.decompress(path.read_bytes())


def test_the_real_pages_get_the_plain_selections(realpages: Path) -> None:
    pages = 0
    for html in _real_pages(realpages):
        _assert_same_selections(_tree(html))
        pages += 1
    assert pages > 100
