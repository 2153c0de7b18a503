"""The cues dateparser is only asked about text that has: every real date has a digit and a mark
of a date or a time (a year, a separator between digits, a month, a date unit, "ago").

The proof that the cue rejects nothing dateparser accepted: every text the crawler asks about
while reading the replica's posts (t1, t2, the seed's posts when present) and its source pages,
the date lines of every case and of every site's template, and the real forms below, is read
with and without the cue, to the same value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from crawler import dates
from crawler.blogger import parse_post
from crawler.dates import SOURCE_TIMEZONE
from crawler.reading.page import read_source_page
from replica.corpus import load_cases
from replica.corpus.generated import date_line
from replica.sites.blogger import BloggerSite
from replica.sites.news import build_source_sites
from replica.sites.news_templates import (
    date_breakingdefense,
    date_defensenews,
    date_generic,
    date_twz,
    date_usni,
)
from replica.world import BLOG_TITLES, T1_BLOG, T2_BLOG

# Date forms of the real blogs and of the sites they cite, as the crawler meets them.
REAL_DATE_LINES = (
    "December 04, 2020",
    "02/06/26 12:04 PM ET",
    "2026年1月3日 午前4時46分(EST)更新",
    "2026年2月10日 午前6時22分",
    "Published Jan. 5, 2021 3:22 p.m. ET",
    "Posted: 5 hours ago",
    "on February 04, 2025 at 12:59 PM",
    "Published Feb 4, 2025 12:59 PM EST",
    "Feb 4, 2025, 12:59 PM",
    "February 3, 2025 6:33 PM",
    "November 19, 2019, 07:47 PM EST",
    "12 December 2020",
    "30 May 2020",
    "２０２５年２月７日",
)
REAL_DATE_HEADERS = (
    "2025年2月7日金曜日",
    "Friday, December 23, 2016",
    "Thursday, May 30, 2019",
    "Samstag, 5. Oktober 2013",
    "Freitag, 5. Juni 2015",
    "mardi 5 juin 2018",
    "21 de ago de 2017",
    "2月 07, 2025",
)
REAL_TIMESTAMPS = (
    "20 Nov 2019 08:02 GMT",
    "Wed Nov 20 2019 08:00:58 GMT+0000",
    "January 16, 2020",
    "2019-11-19 19:31:39",
    "2025/01/22",
    # The article extraction benchmark's pages (realpages): autoindustriya.com's date labels,
    # crn.com's byline date, cbssports.com's <time datetime>, nbcdfw.com's RFC 2822 date,
    # aljazeera.com's and nbcnews.com's (JavaScript's Date.toString()) dates.
    "November 20, 2019 13:42",
    "November 20, 2019 12:32",
    "November 19, 2019, 07:47 PM EST",
    "2019-11-19 02:24:00 UTC",
    "2019-11-19 23:46:00 UTC",
    "Mon, 18 Nov 2019 16:07:38 -0600",
    "19 Nov 2019 07:09 GMT",
    "Tue Nov 19 2019 05:44:06 GMT+0000",
    "Wed Nov 20 2019 09:28:00 GMT+0000 (UTC)",
)
_EVERYTHING = re.compile("")


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None, str | None]]:
    """Record what is asked of dateparser (before the cue) from now on."""
    asked: list[tuple[str, str | None, str | None]] = []
    ask = dates._dateparse

    def record(text: str, language: str | None, timezone: str | None) -> datetime | None:
        asked.append((text, language, timezone))
        return ask(text, language, timezone)

    monkeypatch.setattr(dates, "_dateparse", record)
    return asked


def _read_replica() -> None:
    cases = {T2_BLOG: load_cases("t2"), T1_BLOG: load_cases("t1")}
    for blog, blog_cases in cases.items():
        site = BloggerSite(blog.split("/")[2], BLOG_TITLES[blog], [c.post for c in blog_cases])
        for case in blog_cases:
            page = site.resolve(case.post.path, {})
            assert page is not None
            parse_post(page.body, blog.rstrip("/") + case.post.path)
    sites = build_source_sites([c for blog_cases in cases.values() for c in blog_cases])
    for case in cases[T2_BLOG]:
        for url in {article.url for article in case.sources.values()}:
            host, _, path = url.partition("://")[2].partition("/")
            page = sites[host].resolve("/" + path, {}) if host in sites else None
            if page is not None and page.status == 200 and not page.reset and page.body:
                headers = dict(page.headers)
                read_source_page(
                    cited_url=url,
                    url=url,
                    redirects=(),
                    http_status=200,
                    content_type=headers.get("Content-Type"),
                    body=page.body,
                    truncated=False,
                    warc=None,
                    crawled_at="2025-01-01T00:00:00Z",
                )


def _template_lines() -> Iterator[str]:
    cases = [*load_cases("t2"), *load_cases("t1")]
    for case in cases:
        yield from (article.date for article in case.post.citations if article.date)
        for article in case.sources.values():
            when = article.published
            for render in (date_twz, date_breakingdefense, date_usni, date_defensenews):
                yield render(when)
            yield date_generic(when)
            for site in ("twz", "breakingdefense", "usni", "defensenews"):
                yield date_line(site, when)


def same_reading(read: datetime | None, expected: datetime | None) -> bool:
    """The same instant and the same offset (== alone compares aware times by instant)."""
    if read is None or expected is None:
        return read is expected
    return read == expected and read.utcoffset() == expected.utcoffset()


def _uncued(text: str, language: str | None, timezone: str | None) -> datetime | None:
    return dates._parse_with_dateparser.__wrapped__(text, language, timezone)


def test_every_text_the_crawler_asks_about_keeps_its_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = _asked(monkeypatch)
    _read_replica()
    for line in (*REAL_DATE_LINES, *_template_lines()):
        dates.parse_date_line(line)
    for header in REAL_DATE_HEADERS:
        dates.parse_date_header(header)
    for stamp in REAL_TIMESTAMPS:
        dates.parse_timestamp(stamp)
    assert len(asked) > 100
    accepted = 0
    for question in dict.fromkeys(asked):
        before = _uncued(*question)
        if before is not None:
            accepted += 1
            assert dates._DATE_CUE.search(question[0]), question
            assert dates._DATE_MARK.search(question[0]), question
        if before is None or "ago" not in question[0]:  # "ago" is read from the clock
            assert same_reading(dates._dateparse(*question), before), question
    assert accepted > 100


@pytest.mark.parametrize("line", REAL_DATE_LINES)
def test_real_date_lines_read_the_same_with_and_without_the_cue(
    line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cued = dates.parse_date_line(line)
    assert cued is not None
    if "ago" in line:
        return  # relative to the moment of reading: compared above by acceptance only
    monkeypatch.setattr(dates, "_DATE_CUE", _EVERYTHING)
    monkeypatch.setattr(dates, "_DATE_MARK", _EVERYTHING)
    assert dates.parse_date_line(line) == cued


@pytest.mark.parametrize("line", [*REAL_DATE_LINES, *_template_lines()])
def test_date_lines_read_in_english_and_japanese_as_in_any_language(
    line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming the languages spares loading every language's data; no reading changes."""
    assert dates.DATE_LINE_LANGUAGES == ("en", "ja")
    named = dates.parse_date_line(line)
    monkeypatch.setattr(dates, "DATE_LINE_LANGUAGES", None)  # dateparser detects the language
    detected = dates.parse_date_line(line)
    if "ago" in line:
        assert (named is None) == (detected is None)
    else:
        assert named == detected


@pytest.mark.parametrize("header", REAL_DATE_HEADERS)
def test_real_date_headers_read_the_same_with_and_without_the_cue(
    header: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cued = dates.parse_date_header(header)
    assert cued is not None
    monkeypatch.setattr(dates, "_DATE_CUE", _EVERYTHING)
    monkeypatch.setattr(dates, "_DATE_MARK", _EVERYTHING)
    assert dates.parse_date_header(header) == cued


@pytest.mark.parametrize(
    "text", ["yesterday", "Monday", "December", "just now", "Posted by Jane Placeholder", "NaN"]
)
def test_text_without_a_digit_never_reaches_dateparser(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError(f"dateparser was asked about {text!r}")

    monkeypatch.setattr(dates.dateparser, "parse", refuse)
    assert dates.parse_date_line(text) is None
    assert dates.parse_date_header(text) is None
    assert dates.parse_timestamp(text) is None


def test_digits_of_any_script_are_a_cue() -> None:
    # Fullwidth digits are translated before; Arabic-Indic ones reach dateparser as written.
    assert dates.parse_date_header("٢٠٢٥-٠٢-٠٧") is not None
    assert dates.parse_date_header("２０２５年２月７日") is not None


# Numbers that are no date: designators, counts and section numbers of the kind news titles and
# Japanese translations carry, and a lone number that dateparser reads as a month of this year.
NUMBERS_WITHOUT_A_DATE = ("F-35A", "P-8A", "Block 60", "Title 50", "1,550個", "800基", "5", "No. 3")


@pytest.mark.parametrize("text", NUMBERS_WITHOUT_A_DATE)
def test_a_number_without_a_date_mark_never_reaches_dateparser(
    text: str, refusing: list[str]
) -> None:
    assert dates.parse_date_line(text) is None
    assert dates.parse_date_header(text) is None
    assert dates.parse_timestamp(text) is None
    assert refusing == []


def test_the_real_forms_still_reach_dateparser(refusing: list[str]) -> None:
    for line in REAL_DATE_LINES:
        dates.parse_date_line(line)
    for header in REAL_DATE_HEADERS:
        dates.parse_date_header(header)
    for stamp in REAL_TIMESTAMPS:
        dates.parse_timestamp(stamp)
    # Only these forms are asked about: Python reads the ISO 8601 timestamps (the UTC ones too),
    # the strict forms are read without dateparser (compared with its readings above).
    assert sorted(refusing) == sorted(
        {
            "02/06/26 12:04 PM",  # day or month first: ambiguous
            "5 hours ago",
            "Samstag, 5. Oktober 2013",
            "Freitag, 5. Juni 2015",
            "mardi 5 juin 2018",
            "21 de ago de 2017",
            "2月 07, 2025",
            "November 19, 2019, 07:47 PM EST",  # as a timestamp the zone is not dropped
        }
    )


@pytest.mark.parametrize(
    "stamp",
    [
        "2019-11-19 02:24:00 UTC",  # cbssports.com's <time datetime> (realpages)
        "2019-11-19 23:46:00 UTC",
        "2024-02-29 23:59:59 GMT",
        "2025-12-31T00:00 UTC",
        "2025-01-01 00:00:00 GMT",
    ],
)
def test_utc_named_timestamps_are_read_as_dateparser_reads_them(
    stamp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = dates._parse_with_dateparser.__wrapped__(stamp, None, None)
    assert expected is not None and expected.utcoffset() is not None

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError(f"dateparser was asked about {stamp!r}")

    monkeypatch.setattr(dates.dateparser, "parse", refuse)
    assert same_reading(dates.parse_timestamp(stamp), expected)


@pytest.mark.parametrize("stamp", ["2023-02-29 10:00:00 UTC", "2025-01-01 24:00:00 GMT"])
def test_a_utc_named_timestamp_python_refuses_goes_to_dateparser_as_written(
    stamp: str, refusing: list[str]
) -> None:
    assert dates.parse_timestamp(stamp) is None
    assert refusing == [stamp]


def test_what_the_mark_keeps_from_dateparser_on_the_seed_page_it_refuses(
    seed_lines: list[str],
) -> None:
    # The lines the citation reader may take for a date line: short ones with a digit.
    lines = [s for line in seed_lines if (s := line.strip()) and len(s) <= 64]
    lines = [s for s in lines if re.search(r"\d", s)]
    unmarked = [s for s in lines if not dates._DATE_MARK.search(s)]
    assert unmarked
    assert [_uncued(s, None, SOURCE_TIMEZONE) for s in unmarked] == [None] * len(unmarked)
    # The page's Blogger date header and its citations' date lines have the mark, and are read.
    assert dates.parse_date_header(lines[0]) == date(2025, 2, 7)
    assert sum(dates.parse_date_line(s) is not None for s in lines) >= 4


def test_the_seed_pages_titles_with_designators_never_reach_dateparser(
    seed_lines: list[str], refusing: list[str]
) -> None:
    # English titles whose only digits are in a designator (an aircraft, a squadron): no date.
    designator = re.compile(r"[A-Z]+-\d+[A-Z]?")
    lines = [s for line in seed_lines if (s := line.strip()).isascii() and designator.search(s)]
    titles = [s for s in lines if not re.search(r"\d", designator.sub("", s))]
    assert len(titles) >= 2
    for title in titles:
        assert dates.parse_date_line(title) is None
    assert refusing == []
