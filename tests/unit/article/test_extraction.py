"""Source-page extraction: real news pages (read in place) and synthetic pages written here."""

from __future__ import annotations

import gzip
import json
import statistics
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import trafilatura

from crawler.article.extraction import (
    ExtractedArticle,
    decode_html,
    extract_article,
    looks_like_html,
)
from crawler.article.paywall import TEASER_MAX_CHARS, paywall_signals
from crawler.article.structured import ARTICLE_TYPES
from crawler.dates import isoformat
from crawler.manifest import SourceSide, join_paragraphs
from crawler.manifest.io import encode_line
from crawler.pairing.textmetrics import token_f1
from tests.unit.manifest import builders

# Measured with bench/extraction_f1.py: the lowest page scores 0.984 and the mean 0.996; the bars
# leave room for trafilatura patch releases without letting a real regression through.
PAGE_F1_BAR = 0.95
MEAN_F1_BAR = 0.98

# Synthetic article text (written for these tests, not taken from any site).
SYNTHETIC_PARAGRAPHS = (
    "The Air Force has ordered twelve more test aircraft, the service said on Tuesday, "
    "expanding a fleet that has flown more than four hundred sorties since the spring.",
    "Officials said the new airframes would carry an updated radar and a longer-range "
    "datalink, and that the first of them should reach the test squadron next year.",
    "The program office declined to give a unit cost but said the order stays within the "
    "budget approved last year, according to a statement released after the briefing.",
)


def _synthetic_page(body_extra: str = "", head_extra: str = "", charset: str = "utf-8") -> str:
    paragraphs = "\n".join(f"<p>{text}</p>" for text in SYNTHETIC_PARAGRAPHS[:2])
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="{charset}">
<title>Synthetic Test Headline | Synthetic Defense Daily</title>
<meta property="og:site_name" content="Synthetic Defense Daily">
<meta name="description" content="A synthetic dek for a synthetic article.">
{head_extra}</head><body>
<nav><ul><li><a href="/air">Air</a></li><li><a href="/sea">Sea</a></li></ul></nav>
<article><h1>Synthetic Test Headline</h1>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
{paragraphs}
<figure><img src="/a.jpg" alt=""><figcaption>A synthetic caption about a test aircraft on
the flight line. (Synthetic photo credit)</figcaption></figure>
<p>{SYNTHETIC_PARAGRAPHS[2]}</p>
{body_extra}
<aside class="related-posts"><h3>Related stories</h3><ul>
<li><a href="/x">A synthetic related story about a missile test somewhere else</a></li></ul></aside>
<div class="newsletter-signup"><p>Sign up for the synthetic newsletter to get defence news
every morning.</p></div>
</article>
<section id="comments" class="comments"><p>Synthetic reader comment: thanks for the article,
very informative.</p></section>
<footer>Copyright Synthetic Defense Daily</footer></body></html>"""


def _news_pages(realpages: Path) -> list[tuple[str, bytes, str, str]]:
    pages = []
    for truth_path in sorted((realpages / "news").glob("*.ground-truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        html_path = truth_path.with_name(truth_path.name.replace(".ground-truth.json", ".html"))
        pages.append((html_path.name, html_path.read_bytes(), truth["url"], truth["articleBody"]))
    return pages


def test_news_pages_meet_the_f1_bar_and_beat_plain_trafilatura(realpages: Path) -> None:
    pages = _news_pages(realpages)
    assert len(pages) >= 5
    ours, plain = [], []
    for name, body, url, reference in pages:
        f1 = token_f1(extract_article(body, url).text, reference)[2]
        assert f1 >= PAGE_F1_BAR, (name, f1)
        ours.append(f1)
        plain.append(token_f1(trafilatura.extract(body.decode("utf-8")) or "", reference)[2])
    assert statistics.mean(ours) >= MEAN_F1_BAR
    assert statistics.mean(ours) >= statistics.mean(plain)


@pytest.mark.parametrize(
    ("filename", "title", "published", "language"),
    [
        (
            "aeb-chron.com-db6b0816c612.html",
            "Esper accuses China of intimidating smaller Asian nations",
            "2019-11-20T11:19:29+00:00",
            None,  # the page declares no language
        ),
        (
            "aeb-spacenews.com-d1c57d7821e5.html",
            "NASA adds five companies to commercial lunar lander program",
            "2019-11-19T04:50:22+00:00",
            "en",  # the page declares it
        ),
        # JSON-LD gives only the day here; the page's <time datetime> adds the time.
        (
            "aeb-polygraph.info-1ee91d1fce65.html",
            "Russia and Syria: U.S.-backed Syrian Forces Blocking Refugee Return",
            "2019-11-18T20:28:55+00:00",
            "en",  # the page declares it
        ),
        (
            "trafilatura-eval-japantimes.co.jp.surgical.html",
            "Losing face: 6,000 surgical masks stolen from Kobe hospital",
            "2020-02-18T18:07:56+09:00",
            "en",  # the page declares it
        ),
    ],
)
def test_real_page_metadata(
    realpages: Path, filename: str, title: str, published: str, language: str | None
) -> None:
    article = extract_article((realpages / "news" / filename).read_bytes(), "https://example.org/")
    assert article.title == title
    assert article.published == datetime.fromisoformat(published)
    assert article.published is not None
    assert article.published.utcoffset() == datetime.fromisoformat(published).utcoffset()
    assert article.language == language


def test_real_page_keeps_a_non_utc_offset_and_avoids_a_truncated_headline(
    realpages: Path,
) -> None:
    page = (realpages / "news" / "trafilatura-cache-scmp.com.playbook.html").read_bytes()
    article = extract_article(page, "https://www.scmp.com/")
    assert article.published is not None
    assert article.published.utcoffset() == timedelta(hours=8)
    assert article.title is not None and not article.title.endswith(("...", "…"))
    # The page renders its body with scripts; the article text comes from JSON-LD articleBody.
    assert len(article.text) > TEASER_MAX_CHARS


def test_real_full_articles_are_not_reported_as_teasers(realpages: Path) -> None:
    for name, body, url, _ in _news_pages(realpages):
        signals = paywall_signals(body, extract_article(body, url))
        assert signals is None or not signals.teaser, name


def test_synthetic_page_text_excludes_boilerplate() -> None:
    article = extract_article(_synthetic_page(), "https://news.example/2025/02/story")
    assert article.paragraphs == SYNTHETIC_PARAGRAPHS
    assert article.text == "\n\n".join(SYNTHETIC_PARAGRAPHS)
    for boilerplate in ("caption", "Share on", "related story", "newsletter", "reader comment"):
        assert boilerplate not in article.text
    assert article.title == "Synthetic Test Headline"
    assert article.site_name == "Synthetic Defense Daily"
    assert article.description == "A synthetic dek for a synthetic article."
    assert article.language == "en"


def test_jsonld_metadata_wins_and_keeps_the_offset() -> None:
    jsonld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Synthetic Defense Daily"},
            {
                "@type": ["NewsArticle"],
                "headline": "Synthetic Test Headline",
                "datePublished": "2025-02-04T12:59:00-05:00",
                "author": [
                    {"@type": "Person", "name": "By Jane Synthetic"},
                    {"name": "Sam Example"},
                ],
            },
        ],
    }
    head = (
        f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
        '<meta property="article:published_time" content="2025-02-04T17:59:00Z">'
    )
    article = extract_article(_synthetic_page(head_extra=head), "https://news.example/a")
    assert article.published == datetime(2025, 2, 4, 12, 59, tzinfo=timezone(timedelta(hours=-5)))
    assert article.published is not None
    assert article.published.utcoffset() == timedelta(hours=-5)
    assert article.author == "Jane Synthetic, Sam Example"


def test_published_time_meta_is_used_without_jsonld() -> None:
    head = '<meta property="article:published_time" content="2025-02-04T17:59:00+00:00">'
    article = extract_article(_synthetic_page(head_extra=head), "https://news.example/a")
    assert article.published == datetime(2025, 2, 4, 17, 59, tzinfo=UTC)


def test_invalid_utf8_does_not_crash() -> None:
    page = _synthetic_page().encode("utf-8").replace(b"twelve", b"tw\xff\xfeelve")
    article = extract_article(page, "https://news.example/a")
    assert "tw\ufffd\ufffdelve" in article.text
    assert extract_article(b"\xff\xfe\x00garbage", "https://news.example/a").text == ""
    assert extract_article(b"", "https://news.example/a").paragraphs == ()


def test_decoding_prefers_http_charset_then_meta_then_utf8() -> None:
    text = "<html><head><meta charset='shift_jis'></head><body>日本語の本文</body></html>"
    assert "日本語の本文" in decode_html(text.encode("shift_jis"))
    assert "日本語の本文" in decode_html(text.encode("euc-jp"), "EUC-JP")
    # An unknown HTTP label is skipped for the page's own declaration.
    assert "日本語の本文" in decode_html(text.encode("shift_jis"), "no-such-charset")
    # The HTTP label outranks the page's declaration.
    assert "日本語の本文" in decode_html(text.encode("utf-8"), "utf-8")
    plain = "<html><body>caf\u00e9 na\u00efve</body></html>"
    assert "café naïve" in decode_html(plain.encode("utf-8"))
    # Browsers read "iso-8859-1" as windows-1252, where 0x93/0x94 are curly quotes.
    assert "\u201cquoted\u201d" in decode_html(b"\x93quoted\x94", "iso-8859-1")
    assert decode_html(b"\xef\xbb\xbfbom first", "iso-8859-1") == "bom first"


def test_bytes_are_decoded_with_the_given_encoding() -> None:
    page = _synthetic_page(charset="windows-1252").replace("twelve", "twelve \u201cnew\u201d")
    article = extract_article(page.encode("cp1252"), "https://news.example/a", encoding="cp1252")
    assert "\u201cnew\u201d" in article.text


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=utf-8", b"<!DOCTYPE html><html><body>x</body></html>", True),
        ("application/xhtml+xml", b"<?xml version='1.0'?><html/>", True),
        (None, b"\n  <!doctype html><html><head></head></html>", True),
        (None, b"\xef\xbb\xbf<html><body>x</body></html>", True),
        ("application/octet-stream", b"<!-- c --><html><body>x</body></html>", True),
        ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", False),
        ("text/html", b"%PDF-1.4\n1 0 obj", False),  # mislabelled PDF
        ("text/html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", False),
        (None, b"\xff\xd8\xff\xe0\x00\x10JFIF", False),
        (None, b"GIF89a\x01\x00", False),
        (None, b"RIFF\x24\x00\x00\x00WEBPVP8 ", False),
        ("image/png", b"<html>", False),
        (None, b"plain text, not a page", False),
    ],
)
def test_looks_like_html(content_type: str | None, body: bytes, expected: bool) -> None:
    assert looks_like_html(content_type, body) is expected


def test_synthetic_paywall_teaser_is_detected() -> None:
    teaser = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Synthetic Locked Story</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Synthetic Locked Story",
"isAccessibleForFree": false, "hasPart": {{"@type": "WebPageElement",
"isAccessibleForFree": "False", "cssSelector": ".paywall"}}}}</script></head><body>
<article><h1>Synthetic Locked Story</h1><p>{SYNTHETIC_PARAGRAPHS[0]}</p>
<div class="paywall-box"><h2>Subscribe to continue reading</h2>
<p>Synthetic subscription offer: one month for one dollar.</p></div></article></body></html>"""
    article = extract_article(teaser, "https://news.example/locked")
    signals = paywall_signals(teaser.encode("utf-8"), article)
    assert signals is not None
    assert signals.teaser
    assert signals.text_chars == len(article.text) < TEASER_MAX_CHARS
    assert "class:paywall" in signals.markers
    assert "phrase:subscribe to continue reading" in signals.markers
    assert "jsonld:isAccessibleForFree=false" in signals.markers


def test_paywall_markup_on_a_full_article_is_reported_but_not_a_teaser() -> None:
    long_body = "".join(f"<p>{p} {p}</p>" for p in SYNTHETIC_PARAGRAPHS * 4)
    page = _synthetic_page(body_extra=long_body + '<div class="paywall-meter"></div>')
    article = extract_article(page, "https://news.example/a")
    signals = paywall_signals(page, article)
    assert signals is not None and signals.markers == ("class:paywall",)
    assert not signals.teaser


def test_page_without_paywall_markers_has_no_signals() -> None:
    page = _synthetic_page()
    assert paywall_signals(page, extract_article(page, "https://news.example/a")) is None


# --- metadata the manifest must accept, whatever the page says ---------------------------------


def _source_side(article: ExtractedArticle, url: str) -> SourceSide:
    # What crawler/pairing/compose.py makes of an extracted article, inside an otherwise valid pair.
    return builders.source(
        title=article.title,
        author=article.author,
        published=isoformat(article.published),
        published_basis=article.published_basis,
        site_name=article.site_name,
        language=article.language,
        text=join_paragraphs(article.paragraphs) or "(no text)",
        url=url,
        cited_url=builders.CITED_URL,
    )


def _assert_writable(article: ExtractedArticle, url: str = builders.CITED_URL) -> None:
    pair = builders.full_pair(source=_source_side(article, url))
    pair.validate()
    encode_line(pair)  # UTF-8 cannot write a lone surrogate: this is where one would fail


def test_real_pages_give_metadata_the_manifest_accepts(realpages: Path) -> None:
    folder = realpages / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (p.read_bytes(), "https://www.example.org/a") for p in (realpages / "news").glob("*.html")
    ]
    # Benchmark pages whose publication time has no offset or no time (see test_sourcedates.py).
    for prefix in ("5fbc7ccb504c", "921019755f4a", "c13b9c0e04fb", "04a6711caa7c", "c81e134ed499"):
        (path,) = folder.glob(f"html/{prefix}*.html.gz")
        pages.append((gzip.decompress(path.read_bytes()), truth[path.name.split(".")[0]]["url"]))
    bases = set()
    for body, url in pages:
        article = extract_article(body, url)
        _assert_writable(article, url)
        bases.add(article.published_basis)
    assert {"offset", "utc_assumed", "date_only"} <= bases


@pytest.mark.parametrize(
    ("lang", "locale", "expected"),
    [
        ("en-US", None, "en"),
        ("EN_gb", None, "en"),
        ("en, fr", None, "en"),
        ("x-default", "en_US", "en"),  # not a language: the next declaration is read
        ("english", "ja_JP", "ja"),
        ("*", None, None),
        ("", "12_34", None),
    ],
)
def test_language_declarations_become_a_subtag_or_none(
    lang: str, locale: str | None, expected: str | None
) -> None:
    head = f'<meta property="og:locale" content="{locale}">' if locale else ""
    page = _synthetic_page(head_extra=head).replace('lang="en-US"', f'lang="{lang}"')
    article = extract_article(page, "https://news.example/a")
    assert article.language == expected
    _assert_writable(article)


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    # json.dumps escapes the lone surrogate as \ud800, which is how a page's JSON-LD carries one.
    jsonld = {
        "@type": "NewsArticle",
        "headline": "Synthetic\x00 Test\ud800 Headline\x07",
        "author": [{"name": "Jane\x1b Synthetic"}, {"name": "\ud83d"}],
        "publisher": {"name": "Synthetic\x08 Defense Daily"},
        "datePublished": "2025-02-04T12:59:00",
        "articleBody": "\n\n".join(p.replace(" ", "\x01 ", 1) for p in SYNTHETIC_PARAGRAPHS * 3)
        + "\ud800",
    }
    head = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    article = extract_article(_synthetic_page(head_extra=head), "https://news.example/a")
    assert article.title == "Synthetic Test Headline"
    assert article.author == "Jane Synthetic"
    assert article.site_name == "Synthetic Defense Daily"
    assert article.paragraphs[: len(SYNTHETIC_PARAGRAPHS)] == SYNTHETIC_PARAGRAPHS
    assert (article.published_basis, isoformat(article.published)) == (
        "utc_assumed",
        "2025-02-04T12:59:00+00:00",
    )
    _assert_writable(article)


@pytest.mark.parametrize("kind", ["ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"])
def test_the_article_object_is_found_by_its_schema_org_type(kind: str) -> None:
    """NewsArticle's subtypes are named ...NewsArticle (schema.org), as real pages write them."""
    assert kind in ARTICLE_TYPES
    jsonld = {"@type": kind, "headline": "Synthetic Typed Headline", "author": {"name": "J. Doe"}}
    head = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    article = extract_article(_synthetic_page(head_extra=head), "https://news.example/a")
    assert (article.title, article.author) == ("Synthetic Typed Headline", "J. Doe")


def test_empty_metadata_is_none_not_an_empty_string() -> None:
    jsonld = {"@type": "NewsArticle", "headline": " ", "author": [{"name": ""}], "publisher": {}}
    head = (
        f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
        '<meta name="author" content="">'
    )
    page = _synthetic_page(head_extra=head).replace(
        '<meta property="og:site_name" content="Synthetic Defense Daily">',
        '<meta property="og:site_name" content=" ">',
    )
    article = extract_article(page, "https://news.example/a")
    assert article.title == "Synthetic Test Headline"  # the page's <title> fills in
    assert article.author is None
    assert article.site_name == "news.example"  # trafilatura's guess, not the blank og:site_name
    _assert_writable(article)


def test_a_naive_published_time_on_a_known_site_is_read_in_its_zone() -> None:
    head = (
        '<meta property="article:published_time" content="2025-01-22T09:30:00">'
        '<meta property="article:modified_time" content="2025-01-23T10:00:00">'
    )
    page = _synthetic_page(head_extra=head)
    twz = extract_article(page, "https://www.twz.com/air/synthetic")
    assert (isoformat(twz.published), twz.published_basis) == ("2025-01-22T09:30:00-05:00", "site")
    other = extract_article(page, "https://news.example/a")
    assert other.published_basis == "utc_assumed"
    # An offset elsewhere on the page (here an updated time) is the page's zone.
    updated = '<meta property="og:updated_time" content="2025-01-23T10:00:00+01:00">'
    page_zone = extract_article(
        _synthetic_page(head_extra=head + updated), "https://news.example/a"
    )
    assert (isoformat(page_zone.published), page_zone.published_basis) == (
        "2025-01-22T09:30:00+01:00",
        "page",
    )
    for article in (twz, other, page_zone):
        _assert_writable(article)
