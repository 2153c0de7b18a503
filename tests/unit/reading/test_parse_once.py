"""A page's HTML is parsed once: one tree serves a source's extraction (every trafilatura pass),
metadata, dates and paywall markers, and a post's reading; trafilatura leaves it as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree

import crawler.article.extraction as extraction
from crawler.reading.page import read_post_page, read_source_page
from tests.unit.blogger.pages import POST_URL, blogger_page

SOURCE_URL = "https://www.example-news.test/2025/04/short-article/"
THEMES = Path(__file__).resolve().parents[1] / "platforms" / "themes"
# Shorter than _RETRY_BELOW_CHARS: every pass of extract_article reads it.
SHORT_ARTICLE = b"""<!DOCTYPE html><html lang="en"><head><title>Short - Example News</title>
<meta property="og:site_name" content="Example News">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Short",
"datePublished": "2025-04-01T09:00:00-04:00"}</script></head><body>
<header><nav><a href="/">Home</a></nav></header><article><h1>Short</h1>
<p class="dek">A short article's dek.</p>
<p>The Navy tested a new radar this week off the coast of Virginia, officials said.</p>
<p>Subscribe to continue reading the rest of this story.</p></article>
<footer>Example News</footer></body></html>"""


def _counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    function: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return function(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_source_page_is_parsed_once_and_every_pass_reads_that_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses = _counted(monkeypatch, extraction, "load_html")
    documents = _counted(monkeypatch, lxml.html, "document_fromstring")
    passes = _counted(monkeypatch, extraction, "bare_extraction")
    item = read_source_page(
        cited_url=SOURCE_URL,
        url=SOURCE_URL,
        redirects=[],
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=SHORT_ARTICLE,
        truncated=False,
        warc=None,
        crawled_at="2025-04-01T00:00:00Z",
    )
    assert item.status == "source_paywalled"
    assert item.article is not None and item.article.published is not None
    assert len(parses) == 1
    assert len(passes) == 3  # fast, then the comparison and the balanced mode: a short text
    assert len({id(args[0]) for args in passes}) == 1
    # The page itself is parsed once; trafilatura's readability parses its own small results.
    assert sum(1 for args in documents if len(args[0]) >= len(SHORT_ARTICLE) - 16) == 1


def test_trafilatura_leaves_the_tree_it_reads_as_it_was() -> None:
    tree = extraction.parse_html(SHORT_ARTICLE)
    assert tree is not None
    before = etree.tostring(tree)
    article = extraction.extract_article(tree, SOURCE_URL)
    assert article.text
    assert etree.tostring(tree) == before


@pytest.mark.parametrize(
    ("url", "page"),
    [
        (POST_URL, blogger_page("<p>本文の段落です。</p>").encode("utf-8")),
        *[
            (f"https://{path.stem}.example/2024/05/01/post/", path.read_bytes())
            for path in sorted(THEMES.glob("*.html"))
        ],
    ],
    ids=lambda value: value if isinstance(value, str) else "page",
)
def test_a_post_page_is_parsed_once(url: str, page: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _counted(monkeypatch, lxml.html, "document_fromstring")
    item = read_post_page(
        url=url,
        fetched_url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=page,
        warc=None,
        crawled_at="2025-04-01T00:00:00Z",
    )
    assert item.post is not None, item.error
    assert len(documents) == 1
