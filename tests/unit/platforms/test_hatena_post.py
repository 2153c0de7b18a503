"""Hatena Blog entry pages: two pages written for these tests from Hatena Blog's markup
(themes/hatena_*.html: the default theme on a hatenablog.com host, and a Pro blog on a custom
domain), their fields, the link cards and quotes as citations, and what is never a source.
The texts are synthetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.blogger import PostParseError
from crawler.platforms import PROFILES, UnsupportedPlatform, detect_site, page_profiles, read_post
from crawler.platforms.hatena import HATENA
from crawler.platforms.hatena.post import embed_target, parse_hatena_post
from crawler.platforms.hatena.title import split_hatena_title
from crawler.platforms.wordpress import WordPressProfile
from tests.unit.platforms.pages import THEMES

DEFAULT = (THEMES / "hatena_default.html").read_bytes()
CUSTOM = (THEMES / "hatena_custom_domain.html").read_bytes()
DEFAULT_URL = "https://yakusha-memo.hatenablog.com/entry/2025/03/06/120000"
CUSTOM_URL = "https://news.gaishin-honyaku.jp/entry/f35-tr3-delay"
BREAKING = "https://breakingdefense.com/2025/03/synthetic-tomahawk/"
DEFENSE_NEWS = "https://www.defensenews.com/air/2025/01/29/synthetic-f-35-deliveries/"


def _sources(body: bytes, url: str) -> list[tuple[str | None, str | None, str | None]]:
    post = parse_hatena_post(body, url)
    citations = post.citation.citations if post.citation else ()
    return [(c.repaired_url, c.title, getattr(c, "rule", None)) for c in citations]


def _entry(content: str, *, head: str = "", title: str = "記事の題") -> bytes:
    return (
        '<html lang="ja" data-admin-domain="//blog.hatena.ne.jp" data-blog-name="ブログ">'
        f"<head><title>{title} - ブログ</title>{head}</head><body>"
        '<article class="entry hentry" data-uuid="123"><header class="entry-header">'
        '<div class="date entry-date first"><time datetime="2025-02-07T03:34:56Z"></time></div>'
        f'<h1 class="entry-title"><a class="entry-title-link bookmark">{title}</a></h1></header>'
        f'<div class="entry-content hatenablog-entry">{content}</div></article></body></html>'
    ).encode()


def test_the_default_theme_entry() -> None:
    platform, post = read_post(DEFAULT, DEFAULT_URL + "?utm_source=feed")
    assert platform == "hatena"
    assert post.url == DEFAULT_URL
    assert post.post_id == "4207112889912345678"
    assert post.raw_title == "【翻訳】海上自衛隊がトマホークの初回受領｜Breaking Defense"
    assert (post.title, post.publication) == (
        "海上自衛隊がトマホークの初回受領",
        "Breaking Defense",
    )
    assert post.published == datetime(2025, 3, 6, 3, 0, tzinfo=UTC)
    assert post.published_from == "time"
    assert post.labels == ("翻訳", "海上自衛隊")
    assert post.language == "ja"
    assert post.paragraphs == (
        "海上自衛隊はトマホークの初回分を予定より早く受領した。",
        "受領の経緯",
        "日本政府は当初2026年度の受領を予定していた。",  # the quoted text stays the post's
        "配備先は今後決まる見通しだという。",
    )
    assert [(c.credit, c.text) for c in post.captions] == [("JMSDF", "発射試験を行う護衛艦")]


def test_a_hatena_quote_with_its_cite_is_the_source() -> None:
    assert _sources(DEFAULT, DEFAULT_URL) == [
        (BREAKING, "Japan takes delivery of first Tomahawks years ahead of plan", "blockquote_cite")
    ]


def test_chrome_and_other_links_are_neither_text_nor_source() -> None:
    post = parse_hatena_post(DEFAULT, DEFAULT_URL)
    text = "\n".join(post.paragraphs)
    for chrome in (
        "受領の経緯\n受領の経緯",
        "巡航ミサイル入門",
        "前回の記事",
        "原文",
        "参考",
        "B!",
    ):
        assert chrome not in text
    # Not the card to another post, the Wikipedia keyword, 参考, Amazon, the comment's link.
    assert [url for url, _, _ in _sources(DEFAULT, DEFAULT_URL)] == [BREAKING]


def test_the_custom_domain_entry_and_its_top_card() -> None:
    platform, post = read_post(CUSTOM, CUSTOM_URL)
    assert platform == "hatena"
    assert post.url == CUSTOM_URL
    assert (post.title, post.publication) == ("F-35の納入再開もTR-3は依然遅延", None)
    assert post.published == datetime(2025, 1, 30, 21, 30, tzinfo=UTC)
    assert post.labels == ("F-35",)
    assert post.paragraphs == (
        "国防総省はF-35の納入を再開したが、TR-3の戦闘ソフトウェアはなお遅れている。",
        "詳しくはF-35のWikipedia記事も参照。",
    )
    # The card before the text; the Wikipedia link and the Wikipedia card after it are not.
    assert _sources(CUSTOM, CUSTOM_URL) == [
        (
            DEFENSE_NEWS,
            "Pentagon resumes F-35 deliveries, but TR-3 combat software still lags",
            "link_card",
        )
    ]


def test_an_introduced_card_and_a_citation_alone() -> None:
    card = (
        '<p>元記事：</p><p><iframe class="embed-card embed-webcard" '
        'title="Pentagon resumes F-35 deliveries" '
        f'src="https://hatenablog-parts.com/embed?url={DEFENSE_NEWS}"></iframe>'
        f'<cite class="hatena-citation"><a href="{DEFENSE_NEWS}">www.defensenews.com</a></cite>'
        "</p><p>本文です。</p>"
    )
    assert _sources(_entry(card), "https://b.hatenablog.com/entry/x") == [
        (DEFENSE_NEWS, "Pentagon resumes F-35 deliveries", "source_line")
    ]
    alone = (
        f'<p><cite class="hatena-citation"><a href="{BREAKING}">breakingdefense.com</a></cite></p>'
    )
    # The host the citation shows is no title.
    assert _sources(_entry(alone + "<p>本文です。</p>"), "https://b.hatenablog.com/entry/x") == [
        (BREAKING, None, "link_card")
    ]


def test_a_card_to_another_post_of_the_blog_first_is_no_source() -> None:
    own = "https://b.hatenablog.com/entry/2025/01/01/000000"
    card = (
        f'<p><iframe class="embed-card embed-blogcard" title="前の記事" src="https://hatenablog-'
        f'parts.com/embed?url={own}"></iframe><cite class="hatena-citation"><a href="{own}">'
        "b.hatenablog.com</a></cite></p><p>本文です。</p>"
    )
    post = parse_hatena_post(_entry(card), "https://b.hatenablog.com/entry/x")
    assert post.citation is None
    assert post.paragraphs == ("本文です。",)


def test_the_page_an_embed_card_shows() -> None:
    src = "https://hatenablog-parts.com/embed?url=https%3A%2F%2Fnews.usni.org%2F2025%2F04%2Fx"
    assert embed_target(src) == "https://news.usni.org/2025/04/x"
    assert embed_target("https://www.youtube.com/embed/abc") is None
    assert embed_target("https://hatenablog-parts.com/embed?url=javascript:alert(1)") is None


def test_the_document_title_without_the_blog_name_when_there_is_no_heading() -> None:
    page = DEFAULT.replace(b'class="entry-title"', b'class="entry-heading"')
    post = parse_hatena_post(page, DEFAULT_URL)
    assert post.raw_title == "【翻訳】海上自衛隊がトマホークの初回受領｜Breaking Defense"
    assert post.publication == "Breaking Defense"


@pytest.mark.parametrize(
    ("raw", "title", "publication"),
    [
        ("【翻訳】米海軍が新型艦を発注｜USNI News", "米海軍が新型艦を発注", "USNI News"),
        ("【翻訳】米海軍が新型艦を発注 - 翻訳帳", "米海軍が新型艦を発注", None),
        ("米海軍が新型艦を発注（The War Zone） - 翻訳帳", "米海軍が新型艦を発注", "The War Zone"),
        ("【雑記】今週の予定", "今週の予定", None),
    ],
)
def test_title_forms(raw: str, title: str, publication: str | None) -> None:
    got = split_hatena_title(raw, "翻訳帳")
    assert (got[0], got[2]) == (title, publication)


def test_the_date_from_json_ld_when_the_entry_has_no_time() -> None:
    page = DEFAULT.replace(b'<time datetime="2025-03-06T03:00:00Z"', b"<span")
    post = parse_hatena_post(page, DEFAULT_URL)
    assert (post.published, post.published_from) == (
        datetime(2025, 3, 6, 3, 0, tzinfo=UTC),
        "json-ld",
    )


def test_a_page_without_an_entry_is_refused() -> None:
    with pytest.raises(PostParseError, match="no entry content"):
        parse_hatena_post(b'<html data-brand="hatenablog"><body><p>x</p></body></html>', "u")
    with pytest.raises(PostParseError, match="empty"):
        parse_hatena_post(_entry("<p> </p>"), "https://b.hatenablog.com/entry/x")


# -- detection -------------------------------------------------------------------------------


def test_a_hatena_host_is_hatena_without_its_page() -> None:
    for host in ("a.hatenablog.com", "a.hatenablog.jp", "a.hateblo.jp", "a.hatenadiary.com"):
        assert HATENA.site_marks(f"https://{host}/", b"", {}) == "a Hatena Blog host"


def test_a_custom_domain_is_hatena_by_its_markup() -> None:
    found = detect_site("https://news.gaishin-honyaku.jp/", CUSTOM, {}, PROFILES)
    assert (found.platform, found.evidence) == ("hatena", "data-admin-domain on <html>")
    # Each mark alone tells.
    brand = b'<html lang="ja" data-brand="hatenablog"><head></head></html>'
    assets = b'<html><head><link href="https://cdn.blog.st-hatena.com/css/blog.css"></head></html>'
    assert HATENA.page_marks(brand) == "data-brand on <html>"
    assert HATENA.page_marks(assets) == "cdn.blog.st-hatena.com assets"
    feed = b'<feed><generator uri="https://blog.hatena.ne.jp/" version="1">Hatena::Blog</generator>'
    assert HATENA.page_marks(feed) == "the Atom feed's generator"


def test_hatena_marks_are_not_found_elsewhere() -> None:
    page = b'<html data-blog="x"><body><a href="https://b.hatena.ne.jp/entry/s/x">B!</a></body>'
    assert HATENA.page_marks(page) is None
    with pytest.raises(UnsupportedPlatform, match="supported are blogger, wordpress, hatena"):
        detect_site("https://example.org/", page, {}, PROFILES)


def test_a_hatena_page_linking_a_wordpress_file_is_hatena() -> None:
    page = CUSTOM.replace(
        b"<p>\xe8\xa9\xb3",
        b'<p><a href="https://wp.example.jp/wp-content/uploads/r.pdf">PDF</a>\xe8\xa9\xb3',
    )
    assert [p.name for p in page_profiles(page)] == ["hatena", "wordpress"]
    assert detect_site("https://news.gaishin-honyaku.jp/", page, {}, PROFILES).platform == "hatena"
    assert read_post(page, CUSTOM_URL)[0] == "hatena"


def test_a_page_its_first_marked_profile_reads_is_not_searched_for_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The page above bears WordPress's marks too: reading it needs Hatena's alone.
    page = CUSTOM.replace(
        b"<p>\xe8\xa9\xb3",
        b'<p><a href="https://wp.example.jp/wp-content/uploads/r.pdf">PDF</a>\xe8\xa9\xb3',
    )
    searched: list[bytes] = []
    wordpress_marks = WordPressProfile.page_marks

    def page_marks(profile: WordPressProfile, body: bytes) -> str | None:
        searched.append(body)
        return wordpress_marks(profile, body)

    monkeypatch.setattr(WordPressProfile, "page_marks", page_marks)
    assert read_post(page, CUSTOM_URL)[0] == "hatena"
    assert searched == []
    assert [p.name for p in page_profiles(page)] == ["hatena", "wordpress"]  # every mark
    assert searched == [page]
