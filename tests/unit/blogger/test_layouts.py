"""Post layouts of the real T1/T2 blogs from other years, built around the real strings.

Each byline, date line, banner and comment line below is a real example quoted in the project's
issue on the blogs' conventions; titles, body sentences and URLs around them are invented.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import pytest

from crawler.blogger import BloggerPost, Citation, Note, parse_citation_block, parse_post
from tests.unit.blogger.pages import POST_URL, blogger_page

BODY = ["米空軍は新型機の試験を始めた。", "試験は一年続く予定だ。"]
TWZ = "https://www.twz.com/air/synthetic-test-begins"
FLIGHT = "https://www.flightglobal.com/airframers/synthetic-order/141234.article"
BANNER = "この記事は民間航空を扱うT1と軍事航空安全保障を扱うT2共通記事です"


def _post(lines: list[str], title: str = "新型機の試験開始(The War Zone)") -> BloggerPost:
    body = "\n".join(f"<div>{escape(line)}</div>" for line in lines)
    return parse_post(blogger_page(body, title=title), POST_URL)


def _only(post: BloggerPost) -> Citation:
    assert post.citation is not None
    (article,) = post.citation.citations
    return article


def test_citation_block_before_the_body_2020_t1() -> None:
    post = _post(
        [
            "Synthetic Airline Orders More Jets",
            "By Jon Hemmerdinger12 December 2020",
            FLIGHT,
            *BODY,
            "■",
        ],
        title="合成航空が追加発注(FlightGlobal)",
    )
    assert post.paragraphs == tuple(BODY)
    article = _only(post)
    assert (article.title, article.author, article.date) == (
        "Synthetic Airline Orders More Jets",
        "Jon Hemmerdinger",
        "12 December 2020",
    )
    assert article.repaired_url == FLIGHT
    assert article.published is not None and article.published.date().isoformat() == "2020-12-12"


@pytest.mark.parametrize(
    ("byline", "author", "publication", "date"),
    [
        ("By Flight International30 May 2020", None, "Flight International", "30 May 2020"),
        ("Sean Broderick December 04, 2020", "Sean Broderick", None, "December 04, 2020"),
        ("By Jon Hemmerdinger12 December 2020", "Jon Hemmerdinger", None, "12 December 2020"),
        (
            "By   Jane Roe and John Doe",
            "Jane Roe and John Doe",
            None,
            None,
        ),
        ("Ethan Marsh", "Ethan Marsh", None, None),
    ],
)
def test_bylines(
    byline: str, author: str | None, publication: str | None, date: str | None
) -> None:
    (article,) = parse_citation_block(["Synthetic Headline", byline, FLIGHT]).citations
    assert (article.title, article.author, article.publication, article.date) == (
        "Synthetic Headline",
        author,
        publication,
        date,
    )


def test_author_without_by_after_a_subtitle() -> None:
    block = parse_citation_block(
        ["Synthetic Headline", "A synthetic subtitle says more.", "Ethan Marsh", TWZ]
    )
    (article,) = block.citations
    assert (article.subtitle, article.author) == ("A synthetic subtitle says more.", "Ethan Marsh")


def test_url_first_block() -> None:
    (article,) = parse_citation_block(
        [TWZ, "Synthetic Headline", "A synthetic subtitle says more.", "Ethan Marsh"]
    ).citations
    assert (article.url, article.title, article.subtitle, article.author) == (
        TWZ,
        "Synthetic Headline",
        "A synthetic subtitle says more.",
        "Ethan Marsh",
    )


def test_several_articles_in_one_block_each_get_their_own_description() -> None:
    usni = "https://news.usni.org/2025/02/03/synthetic-second-article"
    block = parse_citation_block(
        [
            "First Synthetic Headline",
            "The first subtitle.",
            "By Ethan Marsh",
            "on February 04, 2025 at 12:59 PM",
            TWZ,
            "Second Synthetic Headline",
            "The second subtitle.",
            "Heather Vale",
            "February 3, 2025 6:33 PM",
            usni,
        ]
    )
    first, second = block.citations
    assert (first.title, first.subtitle, first.author, first.repaired_url) == (
        "First Synthetic Headline",
        "The first subtitle.",
        "Ethan Marsh",
        TWZ,
    )
    assert first.published == datetime.fromisoformat("2025-02-04T12:59:00-05:00")
    assert (second.title, second.subtitle, second.author, second.repaired_url) == (
        "Second Synthetic Headline",
        "The second subtitle.",
        "Heather Vale",
        usni,
    )
    assert second.published == datetime.fromisoformat("2025-02-03T18:33:00-05:00")
    assert block.for_url(usni) is second
    assert block.other_urls(usni) == (TWZ,)


@pytest.mark.parametrize(
    ("publication", "author", "date", "published"),
    [
        ("The Hill", "スティーブン・ロージー", "02/06/26 12:04 PM ET", "2026-02-06T12:04:00-05:00"),
        (
            "Defense News",
            "スティーブン・ロージー",
            "2026年2月10日 午前6時22分",
            "2026-02-10T06:22:00-05:00",
        ),
        (
            "TWZ",
            "スティーブン・ロージー",
            "2026年1月3日 午前4時46分(EST)更新",
            "2026-01-03T04:46:00-05:00",
        ),
    ],
)
def test_translated_header_before_the_body_2026(
    publication: str, author: str, date: str, published: str
) -> None:
    header = ["米陸軍が新型ドローンの試験を開始", publication, author, date]
    post = _post(
        [*header, *BODY[:-1], BODY[-1] + "■", TWZ], title=f"米陸軍が新型ドローン試験({publication})"
    )
    assert post.paragraphs == tuple(BODY)
    article = _only(post)
    assert (article.title, article.publication, article.author, article.date) == (
        "米陸軍が新型ドローンの試験を開始",
        publication,
        author,
        date,
    )
    assert article.language == "ja"
    assert article.published == datetime.fromisoformat(published)
    assert article.repaired_url == TWZ
    assert post.citation is not None and post.citation.raw.startswith("\n".join(header))


def test_banner_and_comment_line_are_not_text() -> None:
    comment = "― これはNATOだけの課題ではありません…"
    post = _post(
        [BANNER, comment, *BODY, "■", "Synthetic Headline", TWZ], title="新型機の試験開始(TWZ)"
    )
    assert post.comment == "これはNATOだけの課題ではありません…"
    assert post.notes == (Note("banner", BANNER),)
    assert post.paragraphs == tuple(BODY)


def test_a_comment_line_under_a_title_with_its_own_comment_is_a_note() -> None:
    post = _post(["― 二つめの感想", *BODY, "■", TWZ], title="新型機の試験開始(TWZ)―最初の感想")
    assert post.comment == "最初の感想"
    assert post.notes == (Note("comment", "― 二つめの感想"),)
    assert post.paragraphs == tuple(BODY)


def test_repeated_title_and_its_photo_credit_are_not_text() -> None:
    post = _post(["新型機の試験が始まった", "(USAF)", *BODY, "■", TWZ])
    assert post.notes == (
        Note("title_repeat", "新型機の試験が始まった"),
        Note("photo_credit", "(USAF)"),
    )
    assert post.paragraphs == tuple(BODY)


def test_a_reworded_title_with_a_credit_under_it_is_not_text() -> None:
    post = _post(
        ["B-52爆撃機のエンジン換装、いよいよ改修作業に着手", "(USAF)", *BODY, "■", TWZ],
        title="B-52のエンジン換装計画、初号機の改修が始まる(TWZ)",
    )
    assert [note.kind for note in post.notes] == ["title_repeat", "photo_credit"]
    assert post.paragraphs == tuple(BODY)


def test_a_first_paragraph_is_not_taken_for_a_repeated_title() -> None:
    first = "新型機の試験は、米空軍が昨年発表した計画どおりに始まった。"
    post = _post([first, *BODY, "■", TWZ])
    assert post.notes == ()
    assert post.paragraphs[0] == first


def test_google_wrapped_url_is_kept_as_written_and_fetched_unwrapped() -> None:
    wrapped = (
        f"https://www.google.com/url?q={TWZ}&sa=D&source=editors&ust=1700000000000&usg=AOvVaw1"
    )
    article = _only(_post([*BODY, "■", "Synthetic Headline", wrapped]))
    assert (article.url, article.repaired_url) == (wrapped, TWZ)


def test_an_english_post_opening_with_a_link_keeps_its_text() -> None:
    # Not a translation: Latin lines with a URL that no Japanese text follows are the body.
    lines = [
        "Python 3.6.0 is now available!",
        "Get it from https://www.python.org/downloads/release/python-360/ today.",
        "Posted by Synthetic Writer",
        "December 23, 2016",
        "More text of the post.",
    ]
    post = _post(lines, title="Python 3.6.0 is now available!")
    assert post.citation is None
    assert post.paragraphs == tuple(lines)  # a line ending a sentence is no repeated title
    assert post.notes == ()
