"""The title forms of translation blogs on WordPress: decoration, outlet and blog name out."""

from __future__ import annotations

import pytest

from crawler.platforms.wordpress.title import split_wordpress_title, without_blog_name

BLOG = "防衛ニュース翻訳ノート"


@pytest.mark.parametrize(
    ("raw", "title", "publication"),
    [
        ("【翻訳】F-47の初飛行は2028年に｜The War Zone", "F-47の初飛行は2028年に", "The War Zone"),
        (
            "F-47の初飛行は2028年に（Breaking Defense）",
            "F-47の初飛行は2028年に",
            "Breaking Defense",
        ),
        ("[和訳] F-47の初飛行は2028年に | USNI News", "F-47の初飛行は2028年に", "USNI News"),
        ("F-47の初飛行は2028年に – Defense News", "F-47の初飛行は2028年に", "Defense News"),
        ("【Reuters】F-47の初飛行は2028年に", "F-47の初飛行は2028年に", "Reuters"),
        ("【コラム】F-47の初飛行は2028年に", "F-47の初飛行は2028年に", None),
        # The blog's name is never the outlet, before or after the title.
        (f"F-47の初飛行は2028年に | {BLOG}", "F-47の初飛行は2028年に", None),
        (
            f"F-47の初飛行は2028年に｜The War Zone – {BLOG}",
            "F-47の初飛行は2028年に",
            "The War Zone",
        ),
        # Parentheses and brackets that belong to the title stay.
        (
            "海上自衛隊（JMSDF）がトマホークの初回受領",
            "海上自衛隊（JMSDF）がトマホークの初回受領",
            None,
        ),
        ("F-47の初飛行は2028年に", "F-47の初飛行は2028年に", None),
    ],
)
def test_title_forms(raw: str, title: str, publication: str | None) -> None:
    got_title, _comment, got_publication = split_wordpress_title(raw, BLOG)
    assert (got_title, got_publication) == (title, publication)


def test_the_blog_name_is_cut_from_either_end_only() -> None:
    assert without_blog_name(f"{BLOG} | 記事", BLOG) == "記事"
    assert without_blog_name(f"記事 – {BLOG}", BLOG) == "記事"
    assert without_blog_name("記事 – 別のブログ", BLOG) == "記事 – 別のブログ"
    assert without_blog_name("記事", None) == "記事"
