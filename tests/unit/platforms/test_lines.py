"""A post body as lines: blocks end lines, links keep their line, captions and cards apart."""

from __future__ import annotations

import lxml.html

from crawler.platforms.lines import KIND_CARD, walk_lines
from crawler.platforms.wordpress.post import _is_caption, _is_card


def _walk(body: str) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    element = lxml.html.fragment_fromstring(body, create_parent="div")
    lines, captions = walk_lines(element, is_caption=_is_caption, is_card=_is_card)
    return [(line.text, line.kind, line.hrefs) for line in lines], captions


def test_blocks_and_breaks_end_lines_and_links_stay_on_theirs() -> None:
    lines, _ = _walk(
        '<p>一行目<br>二行目 <a href="https://a.example/">リンク</a></p><div>三行目</div>'
    )
    assert lines == [
        ("一行目", "text", []),
        ("二行目 リンク", "text", ["https://a.example/"]),
        ("三行目", "text", []),
    ]


def test_captions_are_set_aside_with_their_links() -> None:
    body = (
        '<p>本文。</p><figure><img src="a.jpg"><figcaption>護衛艦<br>'
        '（写真：<a href="https://credit.example/">JMSDF</a>）</figcaption></figure>'
        '<div class="wp-caption"><p class="wp-caption-text">F-35A</p></div>'
    )
    lines, captions = _walk(body)
    assert lines == [("本文。", "text", [])]
    assert captions == ["護衛艦\n（写真：\nJMSDF\n）", "F-35A"]


def test_a_link_card_is_one_line_with_its_title() -> None:
    card = (
        '<a class="blogcard-wrap" href="https://news.example/a"><div class="blogcard">'
        '<div class="blogcard-title">Card Title</div><div class="blogcard-snippet">Snippet</div>'
        "</div></a>"
    )
    lines, _ = _walk(card + "<p>本文。</p>")
    assert lines[0] == ("Card Title", KIND_CARD, ["https://news.example/a"])


def test_quotes_and_cite_are_marked() -> None:
    element = lxml.html.fragment_fromstring(
        '<blockquote cite="https://q.example/"><p>引用。</p><cite>Outlet</cite></blockquote>',
        create_parent="div",
    )
    lines, _ = walk_lines(element, is_caption=_is_caption, is_card=_is_card)
    assert [(line.quote_cite, line.attribution) for line in lines] == [
        ("https://q.example/", False),
        ("https://q.example/", True),
    ]


def test_no_nesting_depth_exhausts_the_stack() -> None:
    # Deeper than Python's recursion limit (libxml2 caps what it parses; a tree built in code
    # is not capped).
    root = lxml.html.fragment_fromstring("<div></div>")
    inner = root
    for _ in range(5_000):
        inner = lxml.html.etree.SubElement(inner, "div")
    inner.text = "深い"
    lines, _ = walk_lines(root, is_caption=_is_caption, is_card=_is_card)
    assert [line.text for line in lines] == ["深い"]
