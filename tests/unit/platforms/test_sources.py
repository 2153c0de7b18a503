"""The citation rules for posts without a ``■`` block: what introduces a source, and what
never is one."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.platforms.lines import walk_lines
from crawler.platforms.sources import SourceCitation, find_sources, introducer, introduces_other
from crawler.platforms.wordpress.post import _is_caption, _is_card

BLOG = "example-blog.jp"
TWZ = "https://www.twz.com/air/synthetic-article"
TEXT = "<p>米空軍は新型機の初飛行を2028年に予定している。</p>"


def _found(body: str) -> tuple[list[SourceCitation], list[str]]:
    element = lxml.html.fragment_fromstring(body, create_parent="div")
    lines, _captions = walk_lines(element, is_caption=_is_caption, is_card=_is_card)
    found = find_sources(lines, blog_host=BLOG)
    if found.block is None:
        return [], [line.text for line in found.lines]
    citations = [c for c in found.block.citations if isinstance(c, SourceCitation)]
    assert len(citations) == len(found.block.citations)
    return citations, [line.text for line in found.lines]


@pytest.mark.parametrize(
    "line",
    [
        f'出典：<a href="{TWZ}">Synthetic Article Title</a>',
        f'【元記事】<a href="{TWZ}">Synthetic Article Title</a>',
        f'■原文 <a href="{TWZ}">Synthetic Article Title</a>',
        f'引用元: <a href="{TWZ}">Synthetic Article Title</a>',
        f'元スレ：<a href="{TWZ}">Synthetic Article Title</a>',
        f'Source: <a href="{TWZ}">Synthetic Article Title</a>',
        f'Original article: <a href="{TWZ}">Synthetic Article Title</a>',
    ],
)
def test_an_introduced_link_is_the_source(line: str) -> None:
    citations, text = _found(f"{TEXT}<p>{line}</p>")
    [source] = citations
    assert (source.repaired_url, source.title, source.rule) == (
        TWZ,
        "Synthetic Article Title",
        "source_line",
    )
    assert source.where == "end, line 2"
    assert text == ["米空軍は新型機の初飛行を2028年に予定している。"]


def test_a_typed_url_after_the_introducer_with_its_description() -> None:
    body = (
        f"{TEXT}<p>元記事：<br>Synthetic Article Title<br>By Jane Roe<br>"
        f"Published Mar 27, 2025 4:12 PM EDT<br>{TWZ}?utm_source=x</p>"
    )
    [source], _ = _found(body)
    assert source.title == "Synthetic Article Title"
    assert source.author == "Jane Roe"
    assert source.date == "Published Mar 27, 2025 4:12 PM EDT"
    assert source.url == f"{TWZ}?utm_source=x" and source.repaired_url == TWZ


def test_via_names_the_outlet() -> None:
    [source], _ = _found(f'{TEXT}<p>via <a href="{TWZ}">The War Zone</a></p>')
    assert (source.publication, source.title, source.rule) == ("The War Zone", None, "source_line")


def test_blockquote_cite_and_its_attribution() -> None:
    body = (
        f'<blockquote cite="{TWZ}"><p>引用の一節。</p><cite>The War Zone</cite></blockquote>{TEXT}'
    )
    [source], text = _found(body)
    assert (source.repaired_url, source.publication, source.rule) == (
        TWZ,
        "The War Zone",
        "blockquote_cite",
    )
    assert "引用の一節。" in text  # the quoted text stays the post's text


def test_a_link_inside_cite() -> None:
    [source], _ = _found(f'{TEXT}<p><cite><a href="{TWZ}">The War Zone</a></cite></p>')
    assert source.rule == "cite_element"


def test_a_link_card_before_the_text_and_one_after_an_introducer() -> None:
    card = (
        f'<a class="blogcard-wrap" href="{TWZ}">'
        '<div class="blogcard-title">Synthetic Article Title</div></a>'
    )
    [top], _ = _found(card + TEXT)
    assert (top.rule, top.title, top.where) == (
        "link_card",
        "Synthetic Article Title",
        "top, line 1",
    )
    [introduced], _ = _found(f"{TEXT}<p>【出典】</p>{card}")
    assert introduced.rule == "source_line"
    assert introduced.title == "Synthetic Article Title"


def test_a_citation_block_at_the_end_without_introducer() -> None:
    body = f"{TEXT}<p>Synthetic Article Title<br>By Jane Roe<br>March 27, 2025 4:12 PM<br>{TWZ}</p>"
    [source], text = _found(body)
    assert (source.rule, source.title, source.author) == (
        "end_block",
        "Synthetic Article Title",
        "Jane Roe",
    )
    assert text == ["米空軍は新型機の初飛行を2028年に予定している。"]


def test_a_citation_block_at_the_top() -> None:
    body = f"<p>Synthetic Article Title<br>By Jane Roe<br>March 27, 2025 4:12 PM<br>{TWZ}</p>{TEXT}"
    [source], _ = _found(body)
    assert (source.rule, source.where) == ("top_block", "top, line 1")


@pytest.mark.parametrize(
    "body",
    [
        # Related coverage, Wikipedia, another post of the blog: not introduced as the source.
        '<p>米空軍は<a href="https://ja.wikipedia.org/wiki/F-47">F-47</a>の初飛行を予定している。</p>',
        f'{TEXT}<p>参考：<a href="{TWZ}">Synthetic Article Title</a></p>',
        f'{TEXT}<p>関連記事：<a href="{TWZ}">Synthetic Article Title</a></p>',
        f'{TEXT}<p>See also: <a href="{TWZ}">Synthetic Article Title</a></p>',
        f'{TEXT}<p>出典：<a href="https://{BLOG}/2025/01/01/older-post/">前の記事</a></p>',
        f'{TEXT}<p>出典：<a href="https://www.{BLOG}/2025/01/01/older-post/">前の記事</a></p>',
        f'{TEXT}<p>出典：<a href="https://twitter.com/intent/tweet?url={TWZ}">ツイート</a></p>',
        # A photo credit's link is in a caption, never a line.
        f'{TEXT}<figure><img src="a.jpg"><figcaption>写真：<a href="{TWZ}">出典：USAF</a>'
        "</figcaption></figure>",
        # A link card after the text, a bare URL at the end: no rule's.
        f'{TEXT}<a class="blogcard-wrap" href="{TWZ}">'
        '<div class="blogcard-title">Related</div></a>',
        f"{TEXT}<p>{TWZ}</p>",
        # An English word that could introduce, in running text: not an introducer.
        f'{TEXT}<p>Sources said the <a href="{TWZ}">program</a> was late.</p>',
        f"{TEXT}<p>出典：米空軍</p>",  # a credit without a link or URL
    ],
)
def test_links_that_are_not_introduced_as_the_source_are_never_sources(body: str) -> None:
    citations, _ = _found(body)
    assert citations == []


def test_two_sources_in_page_order_with_where_they_stand() -> None:
    other = "https://breakingdefense.com/2025/03/synthetic/"
    body = (
        f'<p>出典：<a href="{TWZ}">First Title</a></p>{TEXT}'
        f'<p>出典：<a href="{other}">Second Title</a></p>'
    )
    citations, _ = _found(body)
    assert [(c.repaired_url, c.where) for c in citations] == [
        (TWZ, "top, line 1"),
        (other, "end, line 3"),
    ]


def test_introducers() -> None:
    assert introducer("出典：The War Zone") is not None
    assert introducer("【元記事】") is not None
    assert introducer("出典一覧の作り方について") is None
    assert introducer("Source " + "x" * 200) is None
    assert introduces_other("関連記事：別の記事")
    assert introduces_other("写真：USAF")
    assert not introduces_other("写真は米空軍が公開したもの。")
