"""The renderer writes each convention of the real blog as specified: titles, lines before the
body, the end mark, lists, caption places, drop caps and the links of citation lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from replica.model import Caption, CitedArticle, EndMark, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.blogger_body import display_title, pick, plain_text, render_body
from replica.sites.blogger_citation import citation_hrefs, google_target
from tests.replica.pages import CAPTION, block_texts, expected_blocks, parse_html, permalink_body

JST = timezone(timedelta(hours=9))
HOST = "aviation-space-business.blogspot.com"
URL = "https://www.twz.com/air/synthetic-variant-story"
WRAPPED = (
    "https://www.google.com/url?q=https%3A%2F%2Fwww.twz.com%2Fair%2Fsynthetic-variant-story"
    "&sa=D&source=editors&ust=1767502000000000&usg=AOvVaw0000"
)
BASE = TranslationPost(
    path="/2025/07/variant.html",
    title="合成記事の見出し",
    publication="The War Zone",
    comment="訳者の一言です",
    published=datetime(2025, 7, 1, 8, 0, tzinfo=JST),
    updated=datetime(2025, 7, 1, 8, 0, tzinfo=JST),
    labels=("試験",),
    paragraphs=(
        "第一段落です。",
        "第二段落です▶続きの文です。",
        "第三段落です。",
        "第四段落です。",
    ),
    citation_lines=("Synthetic Variant Story", "By Jane Placeholder", URL),
    citations=(CitedArticle(URL, URL, title="Synthetic Variant Story", author="Jane Placeholder"),),
)


def post_at(index: int, **changes: object) -> TranslationPost:
    """BASE on its own path, so that the per-post habits vary between the variants."""
    return replace(BASE, path=f"/2025/07/variant-{index}.html", **changes)  # type: ignore[arg-type]


def body_of(post: TranslationPost) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(render_body(post, "123"), create_parent="div")


def page_blocks(post: TranslationPost) -> list[str]:
    site = BloggerSite(HOST, "T", [post])
    resource = site.resolve(post.path, {})
    assert resource is not None and resource.status == 200
    return block_texts(permalink_body(parse_html(resource)))


def with_brackets(full_width: bool) -> TranslationPost:
    """A post whose stable bracket choice is full-width (one in five) or ASCII."""
    for index in range(100):
        post = post_at(index)
        if (pick(post.path, "brackets", 5) == 0) == full_width:
            return post
    raise AssertionError("no path with that bracket choice")


def test_the_default_title_puts_the_publication_before_the_comment() -> None:
    assert display_title(with_brackets(False)) == "合成記事の見出し(The War Zone)―訳者の一言です"
    assert display_title(with_brackets(True)) == "合成記事の見出し（The War Zone）―訳者の一言です"
    assert display_title(replace(with_brackets(False), comment=None)).endswith("(The War Zone)")
    assert display_title(replace(BASE, publication=None)) == "合成記事の見出し―訳者の一言です"
    bare = replace(BASE, publication=None, comment=None)
    assert display_title(bare) == "合成記事の見出し"


@pytest.mark.parametrize(
    "line",
    [
        "合成記事の見出し(TWZ) ― 訳者の一言です",
        "世界最大の巨人機(だった)合成機の再建(FlightGlobal)―訳者の一言です ",
        "主張 合成の見出し（Defense News）",
    ],
)
def test_a_title_line_given_by_the_case_is_shown_as_written(line: str) -> None:
    post = replace(BASE, display_title=line)
    assert display_title(post) == line
    site = BloggerSite(HOST, "T", [post])
    resource = site.resolve(post.path, {})
    assert resource is not None
    doc = parse_html(resource)
    (heading,) = doc.xpath("//h3[contains(@class, 'post-title')]")
    assert heading.text_content().strip() == line.strip()


def test_head_lines_come_first_then_the_paragraphs() -> None:
    head = ("この記事はT1とT2共通記事です", "― 訳者の一言です", "見出しの言い換え", "(USAF)")
    for index in range(6):
        post = post_at(index, head_lines=head)
        blocks = [b for b in page_blocks(post) if b != CAPTION]
        assert blocks == expected_blocks(post)
        assert blocks[: len(head)] == list(head)
        assert plain_text(post).startswith(" ".join(head))


@pytest.mark.parametrize(
    ("mark", "citation"), [(EndMark.GLUED, True), (EndMark.LINE, True), (EndMark.LINE, False)]
)
def test_the_end_mark_is_glued_or_on_a_line_of_its_own(mark: EndMark, citation: bool) -> None:
    for index in range(6):
        changes: dict[str, object] = {"end_mark": mark}
        if not citation:  # the block stands before the body: a bare mark ends it
            changes.update(head_lines=BASE.citation_lines, citation_lines=())
        post = post_at(index, **changes)
        blocks = [b for b in page_blocks(post) if b != CAPTION]
        assert blocks == expected_blocks(post)
        if mark is EndMark.GLUED:
            assert blocks[len(post.paragraphs) - 1] == "第四段落です。■"
            assert "■" not in blocks
        else:
            assert blocks.count("■") == 1
            assert blocks[-1] == "■" if not citation else blocks[-4] == "■"


def test_no_end_mark_without_a_citation_block() -> None:
    post = replace(BASE, citation_lines=(), citations=())
    assert post.mark is EndMark.NONE
    assert "■" not in "".join(page_blocks(post))


def test_bulleted_paragraphs_are_one_list() -> None:
    for index in range(6):
        post = post_at(index, bullets=(1, 2))
        body = body_of(post)
        (listing,) = body.xpath(".//ul")
        assert [li.text_content() for li in listing.xpath("./li")] == list(post.paragraphs[1:3])
        assert [b for b in block_texts(body) if b != CAPTION] == expected_blocks(post)


def test_a_caption_stands_before_the_paragraph_the_case_names() -> None:
    captions = (Caption("Photo A", "写真A"), Caption("", "写真B（USAF）"))
    for before in range(4):
        post = post_at(before, captions=tuple(replace(c, before=before) for c in captions))
        blocks = page_blocks(post)
        at = blocks.index(post.paragraphs[before])
        assert blocks[at - 2 : at] == [CAPTION, CAPTION]
        assert [b for b in blocks if b != CAPTION] == expected_blocks(post)


def test_the_drop_cap_opens_the_paragraph_the_case_names() -> None:
    post = replace(BASE, drop_cap=True, drop_cap_at=2)
    body = body_of(post)
    (cap,) = body.xpath(".//span[contains(@style, 'float: left')]")
    assert cap.text == post.paragraphs[2][0]
    assert [b for b in block_texts(body) if b != CAPTION] == expected_blocks(post)


def test_url_lines_link_to_their_own_articles_wherever_the_block_stands() -> None:
    second = "https://breakingdefense.com/2025/07/second-synthetic-story/"
    post = replace(
        BASE,
        head_lines=("Synthetic Variant Story", "By Jane Placeholder", WRAPPED),
        citation_lines=(second,),
        citations=(
            CitedArticle(URL, WRAPPED, title="Synthetic Variant Story"),
            CitedArticle(second, second),
        ),
    )
    assert google_target(WRAPPED) == URL
    assert google_target(URL) is None
    # A Google-wrapped URL links to itself, as the editor's autolinker found it.
    assert citation_hrefs(post, linkify=True) == [None, None, WRAPPED, second]
    assert citation_hrefs(post, linkify=False) == [None] * 4


def test_rendered_variants_keep_the_tags_balanced() -> None:
    post = post_at(
        7,
        head_lines=("この記事はT1とT2共通記事です",),
        bullets=(0, 1),
        end_mark=EndMark.GLUED,
        captions=(Caption("Photo", "写真", before=2),),
        drop_cap=True,
        drop_cap_at=2,
    )
    site = BloggerSite(HOST, "T", [post], theme="contempo")
    resource = site.resolve(post.path, {})
    assert resource is not None
    parse_html(resource)  # asserts the balance
