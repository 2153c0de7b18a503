"""Citation blocks and URL repair (synthetic lines in the target blog's conventions).

The real blog's own lines are in test_real_conventions.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.blogger import parse_citation_block, repair_url

TWZ = "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays"


@pytest.mark.parametrize(
    ("written", "repaired"),
    [
        (TWZ, TWZ),
        ("  " + TWZ + "\u3000", TWZ),
        ("www.twz.com/sea/navys-new-frigate-program-faces-more-delays", TWZ),
        ("ｈｔｔｐｓ：／／ｗｗｗ．ｔｗｚ．ｃｏｍ／ｓｅａ／ｘ", "https://www.twz.com/sea/x"),
        ("https://www.twz.com/sea/x.html(原文)", "https://www.twz.com/sea/x.html"),
        ("https://www.twz.com/sea/x.html（原文）", "https://www.twz.com/sea/x.html"),
        ("元記事https://www.twz.com/sea/x", "https://www.twz.com/sea/x"),
        ("「https://news.usni.org/2025/02/03/x」", "https://news.usni.org/2025/02/03/x"),
        ("https://www.defensenews.com/air/x/。", "https://www.defensenews.com/air/x/"),
        ("https://www.defensenews.com/air/x/、", "https://www.defensenews.com/air/x/"),
        ("https://www.defensenews.com/air/x/）", "https://www.defensenews.com/air/x/"),
        ("(https://www.twz.com/x)", "https://www.twz.com/x"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        (
            "https://breakingdefense.com/2025/02/x/?utm_source=tw&id=3&fbclid=z&utm_medium=s#top",
            "https://breakingdefense.com/2025/02/x/?id=3",
        ),
        (
            "https://www.twz.com/x?ocid=1&b=2&cmpid=3&a=1&gclid=4&mc_cid=5&mc_eid=6",
            "https://www.twz.com/x?b=2&a=1",
        ),
        ("HTTPS://WWW.TWZ.COM/Sea/X", "https://www.twz.com/Sea/X"),
        ("http://www.twz.com/x", "http://www.twz.com/x"),
        ("https//www.twz.com/x", "https://www.twz.com/x"),
        ("twz.com/sea/x", "https://twz.com/sea/x"),
        ("原文はこちら", None),
        ("By Joseph Trevithick", None),
        ("F/A-18", None),
        # Links copied from Google: kept as written in the citation, fetched unwrapped.
        (
            "https://www.google.com/url?q=https://www.twz.com/air/x&sa=D&source=editors&ust=1&usg=AOv",
            "https://www.twz.com/air/x",
        ),
        (
            "https://www.google.com/url?sa=t&url=https%3A%2F%2Fbreakingdefense.com%2F2025%2F02%2Fx%2F",
            "https://breakingdefense.com/2025/02/x/",
        ),
        ("https://www.google.com/search?q=twz", "https://www.google.com/search?q=twz"),
        # URLs no public page has are kept, so that the URL guard refuses them with its reason
        # (source_refused) instead of the pair losing its citation; only after a written scheme.
        ("http://127.0.0.1:8080/admin", "http://127.0.0.1:8080/admin"),
        ("http://169.254.169.254/latest/meta-data/", "http://169.254.169.254/latest/meta-data/"),
        ("https://localhost/x", "https://localhost/x"),
        ("http://[::1]/a", "http://[::1]/a"),
        ("元記事file:///etc/passwd。", "file:///etc/passwd"),
        ("ftp://ftp.example.com/pub/x", "ftp://ftp.example.com/pub/x"),
        ("localhost/x", None),
        ("", None),
    ],
)
def test_repair_url(written: str, repaired: str | None) -> None:
    assert repair_url(written) == repaired


def test_twz_block_with_subtitle() -> None:
    block = parse_citation_block(
        [
            "Navy's New Frigate Program Faces More Delays",
            "The Constellation class is now years late.",
            "By\u00a0Joseph Trevithick",
            "Published Feb 4, 2025 12:59 PM EST",
            TWZ,
        ]
    )
    (article,) = block.citations
    assert article.title == "Navy's New Frigate Program Faces More Delays"
    assert article.subtitle == "The Constellation class is now years late."
    assert article.author == "Joseph Trevithick"
    assert article.date == "Published Feb 4, 2025 12:59 PM EST"
    assert article.published == datetime.fromisoformat("2025-02-04T12:59:00-05:00")
    assert (article.url, article.repaired_url, article.language) == (TWZ, TWZ, "en")
    assert (block.repaired_urls, block.other_urls(TWZ)) == ((TWZ,), ())
    assert block.raw.split("\n")[2] == "By\u00a0Joseph Trevithick"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published Feb 4, 2025 12:59 PM EST", "2025-02-04T12:59:00-05:00"),
        ("on February 04, 2025 at 12:59 PM", "2025-02-04T12:59:00-05:00"),
        ("February 3, 2025 6:33 PM", "2025-02-03T18:33:00-05:00"),
        ("Feb 4, 2025, 12:59 PM", "2025-02-04T12:59:00-05:00"),
    ],
)
def test_date_line_styles(line: str, expected: str) -> None:
    (article,) = parse_citation_block(
        ["Synthetic Headline", "By Synthetic Writer", line, TWZ]
    ).citations
    assert article.subtitle is None
    assert article.date == line
    assert article.published == datetime.fromisoformat(expected)


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Synthetic Writer and Another Writer", "Synthetic Writer and Another Writer"),
        ("By Synthetic Writer, Another Writer", "Synthetic Writer, Another Writer"),
        ("By\u00a0 Synthetic\u00a0Writer", "Synthetic Writer"),
    ],
)
def test_author_forms(line: str, author: str) -> None:
    assert parse_citation_block(["Synthetic Headline", line, TWZ]).citations[0].author == author


def test_two_urls_and_footer() -> None:
    block = parse_citation_block(
        [
            "Synthetic Headline",
            "By Synthetic Writer",
            "February 3, 2025 6:33 PM",
            "https://news.usni.org/2025/02/03/synthetic?utm_source=newsletter",
            "ｗｗｗ．ｔｗｚ．ｃｏｍ／ｓｅａ／ｓｙｎｔｈｅｔｉｃ",
            "合成ブログのフッター文。",
        ]
    )
    first, second = block.citations
    assert first.url == "https://news.usni.org/2025/02/03/synthetic?utm_source=newsletter"
    assert (first.title, first.author) == ("Synthetic Headline", "Synthetic Writer")
    # A URL line right after another: an article of its own, which the header does not describe.
    assert second.url == "ｗｗｗ．ｔｗｚ．ｃｏｍ／ｓｅａ／ｓｙｎｔｈｅｔｉｃ"
    assert (second.title, second.author, second.date) == (None, None, None)
    assert block.other_urls(first.repaired_url) == (second.url,)
    assert block.repaired_urls == (
        "https://news.usni.org/2025/02/03/synthetic",
        "https://www.twz.com/sea/synthetic",
    )
    assert block.raw.endswith("合成ブログのフッター文。")


def test_glued_url_is_kept_as_written() -> None:
    block = parse_citation_block(["Synthetic Headline", "元記事" + TWZ + "(原文)"])
    assert block.citations[0].url == "元記事" + TWZ + "(原文)"
    assert block.repaired_urls == (TWZ,)


def test_link_text_and_href_disagree() -> None:
    # The visible text is a complete URL: it wins over the link target.
    block = parse_citation_block(
        ["Synthetic Headline", "https://www.twz.com/sea/as-typed"],
        ["https://www.twz.com/sea/as-linked"],
    )
    assert block.repaired_urls == ("https://www.twz.com/sea/as-typed",)
    # The visible text is cut short: the link target wins.
    block = parse_citation_block(
        ["Synthetic Headline", "https://www.twz.com/sea/navys-new-frigate..."], [TWZ]
    )
    assert block.citations[0].url == TWZ
    # The visible text is not a URL at all: the link target is the source.
    block = parse_citation_block(["Synthetic Headline", "原文"], [TWZ])
    assert (block.citations[0].url, block.repaired_urls) == (TWZ, (TWZ,))


def test_linked_footer_is_not_a_source_when_lines_are_known() -> None:
    block = parse_citation_block(
        ["Synthetic Headline", "By Synthetic Writer", "記事リンク", "フッターのリンク"],
        line_hrefs=[
            [],
            [],
            ["https://www.twz.com/air/synthetic"],
            ["https://synthetic-example.blogspot.com/p/about.html"],
        ],
    )
    (article,) = block.citations
    assert (article.url, article.title) == (
        "https://www.twz.com/air/synthetic",
        "Synthetic Headline",
    )


def test_block_without_url() -> None:
    block = parse_citation_block(["Synthetic Headline", "By Synthetic Writer"])
    article = block.citations[0]
    assert (article.title, article.author, article.url, block.repaired_urls) == (
        "Synthetic Headline",
        "Synthetic Writer",
        None,
        (),
    )
