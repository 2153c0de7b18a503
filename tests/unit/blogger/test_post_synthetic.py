"""parse_post on synthetic pages in the target blog's conventions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from crawler.blogger import BloggerPost, Caption, PostParseError, parse_post, with_feed_date
from tests.unit.blogger.pages import CITATION_TWZ, POST_URL, blogger_page

JST = timezone(timedelta(hours=9))
BODY = "<p>米海軍の新型フリゲート計画は再び遅れている。</p><p>設計の変更が続いたためだ。</p>"


def parse(body: str, **kwargs: Any) -> BloggerPost:
    return parse_post(blogger_page(body, **kwargs), POST_URL)


def test_classic_item_page_fields() -> None:
    post = parse_post(
        blogger_page(
            BODY + CITATION_TWZ,
            title="米海軍の新型フリゲート計画にさらなる遅延(The War Zone)―設計変更が響く",
            labels=("米海軍", "フリゲート", "米海軍"),
        ).encode("utf-8"),
        POST_URL + "?m=1#more",
    )
    assert post.url == POST_URL
    assert post.post_id == "2222222222222222222"
    assert post.blog_id == "1111111111111111111"
    assert post.page_type == "item"
    assert post.language == "ja"
    assert post.title == "米海軍の新型フリゲート計画にさらなる遅延"
    assert post.comment == "設計変更が響く"
    assert post.publication == "The War Zone"
    assert post.raw_title.endswith("(The War Zone)―設計変更が響く")
    assert post.published == datetime(2025, 2, 7, 18, 30, tzinfo=JST)
    assert post.published.utcoffset() == timedelta(hours=9)
    assert post.published_from == "abbr"
    assert post.labels == ("米海軍", "フリゲート")
    assert post.paragraphs == (
        "米海軍の新型フリゲート計画は再び遅れている。",
        "設計の変更が続いたためだ。",
    )
    assert post.citation is not None
    assert post.citation.citations[0].title == "Navy's New Frigate Program Faces More Delays"
    assert post.citation.citations[0].subtitle == "The Constellation class is now years late."
    assert post.citation.citations[0].author == "Joseph Trevithick"
    assert "By\u00a0Joseph Trevithick" in post.citation.raw
    assert post.citation.citations[0].published == datetime.fromisoformat(
        "2025-02-04T12:59:00-05:00"
    )
    assert post.citation.repaired_urls == (
        "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays",
    )


def test_newer_theme_time_element_and_no_sidebar() -> None:
    post = parse(BODY, newer_theme=True)
    assert post.published_from == "time"
    assert post.published == datetime(2025, 2, 7, 18, 30, tzinfo=JST)
    assert "サイドバーの合成テキスト。" not in post.paragraphs
    assert post.title == "合成記事のタイトル"


def test_date_header_then_feed_fallback() -> None:
    post = parse_post(blogger_page(BODY, timestamp=None), POST_URL)
    assert post.published_from == "date-header"
    assert post.published is not None and post.published.date().isoformat() == "2025-02-07"
    feed = datetime(2025, 2, 7, 18, 30, tzinfo=JST)
    post = parse_post(blogger_page(BODY, timestamp=None), POST_URL, feed_published=feed)
    assert (post.published, post.published_from) == (feed, "feed")


def test_the_feed_dates_a_parsed_post_after_its_reading() -> None:
    # The parse reads the page alone; the feed's date, learnt later, is applied afterwards.
    page_only = parse_post(blogger_page(BODY, timestamp=None), POST_URL)
    assert (
        page_only.published_day is not None and page_only.published_day.isoformat() == "2025-02-07"
    )
    feed = datetime(2025, 2, 7, 18, 30, tzinfo=JST)
    dated = with_feed_date(page_only, feed)
    assert (dated.published, dated.published_from) == (feed, "feed")
    assert dated == parse_post(blogger_page(BODY, timestamp=None), POST_URL, feed_published=feed)
    # Another day in the feed, or a feed date without an offset: the page's day stands.
    for other in (datetime(2025, 2, 8, 1, 0, tzinfo=JST), datetime(2025, 2, 7, 18, 30)):
        assert with_feed_date(page_only, other) == page_only
    assert with_feed_date(page_only, None) is page_only


def test_a_full_timestamp_on_the_page_is_never_replaced_by_the_feed() -> None:
    post = parse(BODY)
    assert post.published_day is None
    feed = datetime(2025, 2, 7, 10, 0, tzinfo=JST)
    assert with_feed_date(post, feed) == post


@pytest.mark.parametrize(
    ("raw", "title", "comment", "publication"),
    [
        ("F-47開発が本格化(Breaking Defense)", "F-47開発が本格化", None, "Breaking Defense"),
        ("F-47開発が本格化（Breaking Defense）", "F-47開発が本格化", None, "Breaking Defense"),
        ("揚陸艦の配備計画―議会が懸念(USNI News)", "揚陸艦の配備計画", "議会が懸念", "USNI News"),
        ("F-35の納入再開(2月7日現在)", "F-35の納入再開(2月7日現在)", None, None),
        ("無人機の試験(2)", "無人機の試験(2)", None, None),
        ("題名だけの記事", "題名だけの記事", None, None),
        ("題名―論評だけ", "題名", "論評だけ", None),
    ],
)
def test_title_split(raw: str, title: str, comment: str | None, publication: str | None) -> None:
    post = parse_post(blogger_page(BODY, title=raw), POST_URL)
    assert (post.title, post.comment, post.publication) == (title, comment, publication)
    assert post.raw_title == raw


def test_drop_cap_is_glued_to_its_word() -> None:
    body = (
        '<div><span style="float: left; font-size: 3em; line-height: 1;">米</span>\n'
        "海軍は新型艦の建造を急いでいる。</div><p>次の段落。</p>"
    )
    assert parse(body).paragraphs == ("米海軍は新型艦の建造を急いでいる。", "次の段落。")
    body = '<div class="drop-cap">米</div><p>海軍は急いでいる。</p>'
    assert parse(body).paragraphs == ("米海軍は急いでいる。",)


def test_br_separated_text_spans_and_nbsp() -> None:
    body = (
        "<span style='font-size: medium;'>&nbsp;第一の段落。</span><br /><br />"
        "第二の<b>段落</b>。&nbsp;続き。<br/>第三の段落。<script>var x = 1;</script>"
        "<style>p {}</style><img src='x.jpg'/>"
    )
    assert parse(body).paragraphs == ("第一の段落。", "第二の段落。 続き。", "第三の段落。")


def test_captions_are_not_body_text() -> None:
    body = (
        "<p>本文の段落。</p>"
        '<table class="tr-caption-container"><tbody>'
        '<tr><td><a href="https://example.com/i.jpg"><img src="https://example.com/i.jpg"/></a>'
        "</td></tr>"
        '<tr><td class="tr-caption">U.S. Navy photo<br />試験航行中の合成艦。</td></tr>'
        "</tbody></table>"
        '<table class="tr-caption-container"><tr><td class="tr-caption">合成の説明のみ。</td>'
        "</tr></table>"
        '<table class="tr-caption-container"><tr><td class="tr-caption">Getty Images</td>'
        "</tr></table>"
        "<p>次の段落。</p>"
    )
    post = parse(body)
    assert post.paragraphs == ("本文の段落。", "次の段落。")
    assert post.captions == (
        Caption("U.S. Navy photo", "試験航行中の合成艦。"),
        Caption("", "合成の説明のみ。"),
        Caption("Getty Images", ""),
    )


def test_no_end_mark_means_no_citation_and_body_links_are_never_sources() -> None:
    body = (
        "<p>写真は<a href='https://www.gettyimages.com/detail/1'>Getty Images</a>提供。</p>"
        "<p>映像は<a href='https://www.dvidshub.net/video/2'>DVIDS</a>と"
        "<a href='https://x.com/USNavy/status/3'>X</a>で公開された。</p>"
    )
    post = parse(body)
    assert post.citation is None
    assert len(post.paragraphs) == 2
    post = parse(body + CITATION_TWZ)
    assert post.citation.repaired_urls == (
        "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays",
    )


def test_citation_in_separate_divs_with_link_and_footer() -> None:
    body = (
        BODY + "<div>■</div>"
        "<div>Pentagon Budget Request Arrives</div>"
        "<div>By&nbsp;Synthetic Writer and Another Writer</div>"
        "<div>on February 04, 2025 at 12:59 PM</div>"
        "<div><a href='https://breakingdefense.com/2025/02/synthetic-budget/?utm_source=x'>"
        "https://breakingdefense.com/2025/02/synthetic-budget/</a></div>"
        "<div>合成ブログのフッター文。<a href='https://synthetic-example.blogspot.com/p/about.html'>"
        "このブログについて</a></div>"
    )
    citation = parse(body).citation
    assert citation is not None
    (article,) = citation.citations
    assert article.title == "Pentagon Budget Request Arrives"
    assert article.subtitle is None
    assert article.author == "Synthetic Writer and Another Writer"
    assert article.date == "on February 04, 2025 at 12:59 PM"
    assert article.url == "https://breakingdefense.com/2025/02/synthetic-budget/"
    assert citation.repaired_urls == ("https://breakingdefense.com/2025/02/synthetic-budget/",)
    assert citation.raw.endswith("合成ブログのフッター文。このブログについて")


def test_link_text_that_is_not_a_url_gives_the_href() -> None:
    body = (
        BODY + "■<br>Synthetic Headline<br>By Synthetic Writer<br>Feb 4, 2025, 12:59 PM<br>"
        "<a href='https://www.defensenews.com/air/2025/02/04/synthetic/'>原文はこちら</a>"
    )
    citation = parse(body).citation
    assert citation is not None
    assert citation.citations[0].url == "https://www.defensenews.com/air/2025/02/04/synthetic/"
    assert citation.citations[0].published == datetime.fromisoformat("2025-02-04T12:59:00-05:00")


def test_end_mark_glued_to_last_paragraph() -> None:
    body = "<p>最後の段落である。■</p><p>Synthetic Headline</p><p>www.twz.com/air/synthetic</p>"
    post = parse(body)
    assert post.paragraphs == ("最後の段落である。",)
    assert post.citation.repaired_urls == ("https://www.twz.com/air/synthetic",)


def test_mark_used_as_heading_is_not_the_end_mark() -> None:
    body = "<p>■背景</p><p>本文の続き。</p><p>■</p><p>今後の見通し。</p><p>まとめの段落。</p>"
    post = parse(body)
    assert post.citation is None
    assert post.paragraphs == ("■背景", "本文の続き。", "■", "今後の見通し。", "まとめの段落。")


def test_heading_mark_before_the_real_block() -> None:
    body = "<p>■背景</p><p>本文。</p>" + CITATION_TWZ
    post = parse(body)
    assert post.paragraphs == ("■背景", "本文。")
    assert post.citation.citations[0].author == "Joseph Trevithick"


def test_page_without_post_body_raises() -> None:
    with pytest.raises(PostParseError, match="no post body"):
        parse_post("<html><body><div class='post-body-container'>x</div></body></html>", POST_URL)
    with pytest.raises(ValueError):
        parse_post(b"", POST_URL)


def test_title_fallbacks_og_title_then_document_title() -> None:
    page = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        "<html><head>{og}<title>合成ブログ: 文書の題</title>"
        "</head><body><div class='widget Blog'><div class='post hentry'>"
        "<div class='post-body'>本文。</div></div></div><script>_WidgetManager._SetDataContext("
        "[{{'name': 'blog', 'data': {{'blogId': '1', 'title': '合成ブログ',"
        " 'pageType': 'item'}}}}]);"
        "</script></body></html>"
    )
    with_og = page.format(og="<meta property='og:title' content='OGの題(Defense News)'/>")
    post = parse_post(with_og, POST_URL)
    assert (post.title, post.publication) == ("OGの題", "Defense News")
    post = parse_post(page.format(og=""), POST_URL)
    assert post.title == "文書の題"
    assert post.language is None


def test_explicit_encoding() -> None:
    page = blogger_page(BODY).replace("<head>", "<head><meta charset='shift_jis'/>")
    post = parse_post(page.encode("shift_jis"), POST_URL, encoding="shift_jis")
    assert post.paragraphs[0] == "米海軍の新型フリゲート計画は再び遅れている。"
    assert parse_post(page.encode("shift_jis"), POST_URL).paragraphs == post.paragraphs
