"""WordPress post pages read on real themes: title, publication time, terms, body, captions,
what is not the body, and the source. Two themes written for the tests (tests/unit/platforms/
pages.py) and real WordPress pages of other themes (skipped where the real pages are absent)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.blogger import PostParseError
from crawler.pairing.textmetrics import token_f1
from crawler.platforms import read_post
from crawler.platforms.wordpress.post import parse_wordpress_post
from tests.unit.platforms.pages import (
    BLOCK_URL,
    BREAKING,
    CLASSIC_URL,
    TWENTY_TWENTY_FOUR,
    TWENTY_TWENTY_ONE,
    USNI,
)

JST = timezone(timedelta(hours=9))


def test_block_theme_twenty_twenty_four() -> None:
    platform, post = read_post(TWENTY_TWENTY_FOUR.encode(), BLOCK_URL)
    assert platform == "wordpress"
    assert post.url == BLOCK_URL
    assert post.post_id == "42"
    assert post.title == "海上自衛隊がトマホークを初受領"
    assert post.raw_title == "【翻訳】海上自衛隊がトマホークを初受領｜Breaking Defense"
    assert post.publication == "Breaking Defense"
    assert post.published == datetime(2025, 3, 6, 9, 30, tzinfo=JST)
    assert post.published_from == "time"
    assert post.labels == ("日本", "トマホーク", "海上自衛隊")
    assert post.paragraphs == (
        "海上自衛隊は、米国からトマホーク巡航ミサイルの初回分を受領した。",
        "受領は当初計画より2年早い。防衛省は2025年度中に配備を始める。",
        "今後の配備",
        "最初の搭載艦はイージス艦となる見込みだ。",
    )
    assert [(c.credit, c.text) for c in post.captions] == [("JMSDF", "護衛艦「ちょうかい」")]
    assert post.citation is not None
    [source] = post.citation.citations
    assert source.repaired_url == BREAKING
    assert source.title == "Japan takes delivery of first Tomahawks, years ahead of plan"
    assert post.language == "ja"


def test_classic_theme_twenty_twenty_one_with_jetpack() -> None:
    platform, post = read_post(TWENTY_TWENTY_ONE.encode(), CLASSIC_URL)
    assert platform == "wordpress"
    assert (post.url, post.post_id) == (CLASSIC_URL, "318")
    assert (post.title, post.publication) == ("日米がAMRAAMの共同生産を開始", None)
    assert post.published == datetime(2025, 3, 14, 8, 0, tzinfo=JST)
    assert post.published_from == "json-ld"
    assert post.labels == ("ミサイル", "AMRAAM")
    # Jetpack's share buttons and related posts are inside the content: not the post's.
    assert post.paragraphs == (
        "日米両政府は、AMRAAM空対空ミサイルの共同生産を始めると発表した。",
        "生産は2026年に始まる。",
    )
    assert [(c.credit, c.text) for c in post.captions] == [("航空自衛隊", "AMRAAMを搭載したF-15J")]
    assert post.citation is not None
    assert [c.repaired_url for c in post.citation.citations] == [USNI]


def test_the_og_title_without_the_blog_name_when_the_page_has_no_heading() -> None:
    page = TWENTY_TWENTY_ONE.replace(
        '<h1 class="entry-title">日米がAMRAAMの共同生産を開始</h1>', ""
    )
    _, post = read_post(page.encode(), CLASSIC_URL)
    assert post.title == "日米がAMRAAMの共同生産を開始"


def test_meta_published_time_when_there_is_no_json_ld() -> None:
    page = TWENTY_TWENTY_FOUR.replace(
        "</head>",
        '<meta property="article:published_time" content="2025-03-06T00:30:00+00:00" /></head>',
    )
    post = parse_wordpress_post(page.encode(), BLOCK_URL)
    assert (post.published, post.published_from) == (
        datetime(2025, 3, 6, 0, 30, tzinfo=UTC),
        "meta",
    )


def test_a_page_without_post_content_is_refused() -> None:
    with pytest.raises(PostParseError, match="no post content"):
        parse_wordpress_post(
            b'<html><meta name="generator" content="WordPress 6.5"><p>x</p></html>', BLOCK_URL
        )
    empty = (
        TWENTY_TWENTY_ONE.split('<div class="entry-content">')[0]
        + '<div class="entry-content"> </div></article></html>'
    )
    with pytest.raises(PostParseError, match="empty"):
        parse_wordpress_post(empty.encode(), CLASSIC_URL)


# Real WordPress pages of the article-extraction benchmark: (file, theme, title start, day).
REAL_THEMES = [
    (
        "20b2b64916b00b25203c9f1bf14248922f4d522f18328e9f876cce116df0083e",
        "tortuga",
        "Black Friday per nostalgici",
        "2017-11-23",
    ),
    (
        "0e014df693f182824fe5e24030ddbe1d0b96ddb9685cf20d5766457ed32ffa2d",
        "soledad",
        "Hiking the Boulder Flat Irons",
        "2014-09-15",
    ),
    (
        "4219d096902dad9fd9d57e881e7928ca66bdf5334c2bc7dfddaa264887777a7a",
        "soledad",
        "Homemade Spiced Honey Pear Jam",
        "2017-12-06",
    ),
    (
        "c582d3b772578e8feaa3cfd8f5ae8100bb6f0bc66048204a9a398395841c1164",
        "elementor",
        "Business Focus",
        "2018-08-08",
    ),
    (
        "95301fb7883e0ee5214d1111554d30dd97e08c6380d7699369c0b9c15f42e6aa",
        "basel",
        "About bugs",
        "2018-08-13",
    ),
]


@pytest.mark.parametrize(
    ("name", "theme", "title", "day"), REAL_THEMES, ids=[t[1] + "-" + t[0][:6] for t in REAL_THEMES]
)
def test_real_wordpress_themes(
    realpages: Path, name: str, theme: str, title: str, day: str
) -> None:
    folder = realpages / "article-extraction-benchmark"
    page = folder / "html" / f"{name}.html.gz"
    if not page.exists():
        pytest.skip(f"{page.name} is not among the real pages")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))[name]
    platform, post = read_post(gzip.decompress(page.read_bytes()), truth["url"])
    assert platform == "wordpress"
    assert post.title.startswith(title)
    assert post.published is not None and post.published.date().isoformat() == day
    assert post.labels
    # The body is the article: share buttons, related posts, author boxes and comments are not.
    precision, recall, f1 = token_f1("\n".join(post.paragraphs), truth["articleBody"])
    assert precision > 0.9 and recall > 0.9, (precision, recall, f1)
