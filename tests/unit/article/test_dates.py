"""The rule for a source page's publication time: inline stamps for every basis, and real pages
(read in place) whose time has no offset or no time at all."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.article.dates import (
    PUBLISHED_BASES,
    SITE_TIMEZONES,
    SourceDate,
    resolve_published,
    site_timezone,
)
from crawler.article.extraction import ExtractedArticle, extract_article
from crawler.manifest import ManifestError, Pair
from tests.unit.manifest import builders

EASTERN = ZoneInfo("America/New_York")
HOURS = timedelta(hours=1)


def test_a_time_with_an_offset_is_kept_as_written() -> None:
    resolved = resolve_published(["2025-01-22T09:30:00-05:00"], url="https://www.twz.com/a")
    assert resolved == SourceDate(
        datetime(2025, 1, 22, 9, 30, tzinfo=timezone(-5 * HOURS)), "offset"
    )
    assert resolved.isoformat() == "2025-01-22T09:30:00-05:00"
    # A zone named in a free-text stamp counts as an offset too.
    named = resolve_published(["November 19, 2019, 07:47 PM EST"])
    assert named is not None and named.basis == "offset"
    assert named.isoformat() == "2019-11-19T19:47:00-05:00"


def test_a_naive_time_takes_the_offset_of_another_stamp_on_the_page() -> None:
    resolved = resolve_published(
        ["2025-01-22T09:30:00"],
        page_stamps=["2025-01-22T11:00:00+01:00"],
        url="https://news.example.org/a",
    )
    assert resolved is not None and resolved.basis == "page"
    assert resolved.isoformat() == "2025-01-22T09:30:00+01:00"


def test_another_publication_time_of_another_day_can_give_the_offset() -> None:
    # A <time datetime> of a related story is not the publication time, but it shows the zone.
    resolved = resolve_published(["2025-01-22T09:30:00", "2025-01-20T18:00:00-05:00"])
    assert resolved is not None and resolved.basis == "page"
    assert resolved.isoformat() == "2025-01-22T09:30:00-05:00"


def test_the_nearest_stamp_of_the_page_gives_the_offset() -> None:
    resolved = resolve_published(
        ["2025-03-20T08:00:00"],
        page_stamps=["2024-11-01T08:00:00+09:00", "2025-03-20T09:15:00+05:30"],
    )
    assert resolved is not None and resolved.isoformat() == "2025-03-20T08:00:00+05:30"


def test_a_page_offset_the_site_zone_agrees_with_follows_daylight_saving() -> None:
    # Modified in July (EDT, -04:00), published in January: the site's zone says EST (-05:00).
    stamps = ["2025-07-01T10:00:00-04:00"]
    twz = resolve_published(
        ["2025-01-22T09:30:00"], page_stamps=stamps, url="https://www.twz.com/a"
    )
    assert twz is not None and twz.basis == "page"
    assert twz.isoformat() == "2025-01-22T09:30:00-05:00"
    # A site whose zone has another offset keeps the page's offset as it is.
    other = resolve_published(
        ["2025-01-22T09:30:00"], page_stamps=stamps, url="https://www.flightglobal.com/a"
    )
    assert other is not None and (other.basis, other.isoformat()) == (
        "page",
        "2025-01-22T09:30:00-04:00",
    )


@pytest.mark.parametrize(
    ("url", "winter", "summer"),
    [
        ("https://www.twz.com/air/x", "-05:00", "-04:00"),
        ("https://news.usni.org/2025/01/22/x", "-05:00", "-04:00"),
        ("https://breakingdefense.com/2025/01/x/", "-05:00", "-04:00"),
        ("https://www.flightglobal.com/x", "+00:00", "+01:00"),
    ],
)
def test_a_naive_time_on_a_known_site_is_read_in_the_site_zone(
    url: str, winter: str, summer: str
) -> None:
    january = resolve_published(["2025-01-22T09:30:00"], url=url)
    july = resolve_published(["2025-07-22T09:30:00"], url=url)
    assert january is not None and january.basis == "site"
    assert january.isoformat() == "2025-01-22T09:30:00" + winter
    assert july is not None and july.isoformat() == "2025-07-22T09:30:00" + summer


def test_a_naive_time_elsewhere_is_assumed_utc_and_says_so() -> None:
    for url in ("https://news.example.org/a", "https://nottwz.com/a", None):
        resolved = resolve_published(["2025-01-22T09:30:00.123456"], url=url)
        assert resolved is not None and resolved.basis == "utc_assumed", url
        assert resolved.value == datetime(2025, 1, 22, 9, 30, tzinfo=UTC)
        assert resolved.isoformat() == "2025-01-22T09:30:00+00:00"


@pytest.mark.parametrize("stamp", ["2025-01-22", "January 22, 2025", "2025/01/22"])
def test_a_day_without_a_time_stays_a_date(stamp: str) -> None:
    resolved = resolve_published([stamp], url="https://www.twz.com/a")
    assert resolved == SourceDate(date(2025, 1, 22), "date_only")
    assert resolved.isoformat() == "2025-01-22"


def test_a_later_stamp_of_the_same_day_adds_the_time_and_offset() -> None:
    refined = resolve_published(["2025-01-22", "2025-01-22T14:05:00-05:00"])
    assert refined is not None and refined.isoformat() == "2025-01-22T14:05:00-05:00"
    assert refined.basis == "offset"
    # A stamp of another day (a related story's <time>) does not.
    other_day = resolve_published(["2025-01-22", "2025-01-25T14:05:00-05:00"])
    assert other_day == SourceDate(date(2025, 1, 22), "date_only")


def test_placeholders_and_garbage_are_no_publication_time() -> None:
    assert resolve_published([]) is None
    assert resolve_published([None, "", "   ", "not a date at all", 20250122]) is None
    # Read relative to the crawl's own time by dateparser, or an epoch: no year written out.
    assert resolve_published(["yesterday", "2 hours ago", "NaN", "1574186400", "T09:30"]) is None
    assert resolve_published(["0001-01-01T00:00:00Z"]) is None
    fallback = resolve_published(["0001-01-01T00:00:00Z", "2019-11-20"])
    assert fallback == SourceDate(date(2019, 11, 20), "date_only")


def test_site_table_holds_registered_domains_and_real_zones() -> None:
    for domain, zone in SITE_TIMEZONES.items():
        assert domain == domain.lower() and not domain.startswith("www.")
        assert ZoneInfo(zone)
    assert site_timezone("https://WWW.TwZ.com/x") == "America/New_York"
    assert site_timezone("https://usni.org/x") == site_timezone("https://news.usni.org/x")
    assert site_timezone("https://twz.com.example.org/x") is None
    assert site_timezone("not a url") is None
    assert site_timezone(None) is None
    assert set(PUBLISHED_BASES) == {"offset", "page", "site", "utc_assumed", "date_only"}


def test_the_manifest_takes_every_form_the_rule_gives_and_nothing_else() -> None:
    for value, basis in (("2025-01-22T09:30:00-05:00", "site"), ("2025-01-22", "date_only")):
        pair = builders.full_pair(source=builders.source(published=value, published_basis=basis))
        pair.validate()
        assert Pair.from_json(pair.to_json()) == pair
    # A line written before published_basis existed still reads.
    line = builders.full_pair().to_json()
    del line["source"]["published_basis"]
    line["schema"] = "pairs/1"  # a pairs/2 line has every key
    old = Pair.from_json(line).source
    assert old is not None and old.published_basis is None
    assert old.published == "2025-02-04T12:59:00-05:00"
    refused = [
        ("2025-01-22T09:30:00", "utc_assumed"),  # a time without an offset
        ("2025-02-30", "date_only"),  # no such day
        ("2025-01-22", "sometimes"),  # no such basis
    ]
    for value, basis in refused:
        pair = builders.full_pair(source=builders.source(published=value, published_basis=basis))
        with pytest.raises(ManifestError, match=r"^source\.published"):
            pair.validate()
    # The date form is for the source alone: the blog always gives the post's time.
    undated = builders.full_pair(translation=builders.translation(published="2025-01-22"))
    with pytest.raises(ManifestError, match=r"^translation\.published"):
        undated.validate()


# --- real pages ---------------------------------------------------------------------------------


def _benchmark_page(realpages: Path, prefix: str) -> tuple[bytes, str]:
    folder = realpages / "article-extraction-benchmark"
    (path,) = folder.glob(f"html/{prefix}*.html.gz")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return gzip.decompress(path.read_bytes()), truth[path.name.split(".")[0]]["url"]


def _published(article: ExtractedArticle) -> tuple[str | None, str | None]:
    value = article.published
    return (value.isoformat() if value else None), article.published_basis


@pytest.mark.parametrize(
    ("prefix", "published"),
    [
        # JSON-LD "2019-11-19 19:31:39" and <time datetime> without an offset, nothing with one.
        ("5fbc7ccb504c", "2019-11-19T19:31:39+00:00"),  # zdnet.com
        ("921019755f4a", "2019-11-20T06:37:00+00:00"),  # news.sky.com: "2019-11-20T06:37:00"
        ("c13b9c0e04fb", "2019-11-19T18:18:25+00:00"),  # spokesman.com, with microseconds
        ("d0382c0d9573", "2019-11-20T06:09:25+00:00"),  # timesunion.com, JSON-LD and meta
    ],
)
def test_real_pages_with_only_naive_times_are_assumed_utc(
    realpages: Path, prefix: str, published: str
) -> None:
    body, url = _benchmark_page(realpages, prefix)
    assert _published(extract_article(body, url)) == (published, "utc_assumed")


def test_a_real_naive_page_on_a_known_site_is_read_in_its_zone(realpages: Path) -> None:
    body, _ = _benchmark_page(realpages, "921019755f4a")
    article = extract_article(body, "https://www.twz.com/news-features/x")
    assert _published(article) == ("2019-11-20T06:37:00-05:00", "site")


def test_a_real_naive_page_with_an_offset_stamp_takes_the_page_zone(realpages: Path) -> None:
    body, url = _benchmark_page(realpages, "921019755f4a")
    stamp = b'<meta property="article:modified_time" content="2019-11-20T11:42:00+00:00">'
    article = extract_article(body.replace(b"</head>", stamp + b"</head>", 1), url)
    assert _published(article) == ("2019-11-20T06:37:00+00:00", "page")


@pytest.mark.parametrize(
    ("prefix", "day"),
    [
        ("04a6711caa7c", "2019-11-19"),  # nytimes.com: only a day anywhere
        ("f81c6c05d9cb", "2019-11-13"),  # businessinsider.com: meta date "2019-11-13"
        ("33fe2471fd55", "2018-09-15"),  # inexhibit.com: Article datePublished "2018-09-15"
        ("c81e134ed499", "2019-11-20"),  # floridatoday.com: JSON-LD 0001-01-01T00:00:00Z
    ],
)
def test_real_pages_that_give_only_the_day_keep_a_date(
    realpages: Path, prefix: str, day: str
) -> None:
    body, url = _benchmark_page(realpages, prefix)
    article = extract_article(body, url)
    assert _published(article) == (day, "date_only")
    assert type(article.published) is date


def test_a_naive_real_stamp_is_refined_by_a_same_day_stamp_with_an_offset(
    realpages: Path,
) -> None:
    # washingtonexaminer.com: article:published_time "2019-11-18T17:01:27.893" (no offset), and
    # itemprop datePublished "2019-11-18T17:01:27.893Z".
    body, url = _benchmark_page(realpages, "87bf60570e6e")
    article = extract_article(body, url)
    assert article.published_basis == "offset"
    assert isinstance(article.published, datetime) and article.published.utcoffset() == timedelta(0)
