"""The strict forms of :mod:`crawler.dateforms` read as dateparser reads them, to the same value,
offset and awareness, on real strings and on each form's edge cases; everything else is left to
dateparser. (``tests/unit/test_dates.py`` compares both readings on every date the crawler meets.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crawler import dateforms, dates
from crawler.dates import SOURCE_TIMEZONE
from tests.unit.test_dates import same_reading

# Each strict form on real strings (the real date lines and timestamps of test_dates.py, the
# replica's date lines of the press it copies) and on its edge cases: ends of months, leap days,
# 12 AM and 12 PM, a 24-hour clock, daylight-saving changes in the zone of the date lines.
STRICT_FORMS = (
    ("2025年2月7日金曜日", datetime(2025, 2, 7)),
    ("2024年2月29日木曜日", datetime(2024, 2, 29)),
    ("2025年2月7日", datetime(2025, 2, 7)),
    ("2026年2月10日 午前6時22分", datetime(2026, 2, 10, 6, 22)),
    ("2026年1月3日 午前4時46分", datetime(2026, 1, 3, 4, 46)),
    ("2025年12月31日 午後11時59分", datetime(2025, 12, 31, 23, 59)),
    ("2024年2月29日 午前12時05分", datetime(2024, 2, 29, 0, 5)),
    ("2025年3月1日午後12時0分", datetime(2025, 3, 1, 12, 0)),
    ("Friday, December 23, 2016", datetime(2016, 12, 23)),
    ("Saturday, February 29, 2020", datetime(2020, 2, 29)),
    ("February 3, 2025 6:33 PM", datetime(2025, 2, 3, 18, 33)),
    ("February 3, 2025, 12:05 am", datetime(2025, 2, 3, 0, 5)),
    ("May 30, 2019", datetime(2019, 5, 30)),
    ("Feb 4, 2025, 12:59 PM", datetime(2025, 2, 4, 12, 59)),
    ("Feb 4, 2025 12:59 PM", datetime(2025, 2, 4, 12, 59)),
    ("Jan 2, 2019, 7:59 PM", datetime(2019, 1, 2, 19, 59)),
    ("Jun 3, 2025 10:05 AM", datetime(2025, 6, 3, 10, 5)),
    ("Jan. 5, 2021 3:22 p.m", datetime(2021, 1, 5, 15, 22)),
    ("Sept. 30, 2024 12:00 AM", datetime(2024, 9, 30, 0, 0)),
    ("Sep 30, 2024, 12:00 PM", datetime(2024, 9, 30, 12, 0)),
    ("Feb 29, 2024 11:59 P.M.", datetime(2024, 2, 29, 23, 59)),
    ("Dec 31, 2025, 11:59pm", datetime(2025, 12, 31, 23, 59)),
    ("Mar 9, 2025 2:30 AM", datetime(2025, 3, 9, 2, 30)),  # not on New York's clocks
    ("Nov 2, 2025 1:30 AM", datetime(2025, 11, 2, 1, 30)),  # twice on New York's clocks
    ("November 20, 2019 13:42", datetime(2019, 11, 20, 13, 42)),
    ("February 3, 2025 18:33", datetime(2025, 2, 3, 18, 33)),
    ("Dec 31, 2025 0:00", datetime(2025, 12, 31, 0, 0)),
    ("12 December 2020", datetime(2020, 12, 12)),
    ("30 May 2020", datetime(2020, 5, 30)),
    ("1 March 2022", datetime(2022, 3, 1)),
    ("3 February 2025", datetime(2025, 2, 3)),
    ("29 Feb 2024", datetime(2024, 2, 29)),
    ("31 Dec 2025", datetime(2025, 12, 31)),
    ("2025/01/22", datetime(2025, 1, 22)),
    ("2024/02/29", datetime(2024, 2, 29)),
    ("2025/12/31", datetime(2025, 12, 31)),
)


def _offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


# The machine forms with a zone, read so in timestamps only (in a date line, dateparser moves the
# offset to the line's zone): RFC 2822 and its kin, JavaScript's Date.toString(); the real ones
# are nbcdfw.com's, aljazeera.com's and nbcnews.com's (test_dates.py's REAL_TIMESTAMPS).
ZONED_FORMS = (
    ("Mon, 18 Nov 2019 16:07:38 -0600", datetime(2019, 11, 18, 16, 7, 38, tzinfo=_offset(-6))),
    ("Thu, 29 Feb 2024 23:59:59 +0900", datetime(2024, 2, 29, 23, 59, 59, tzinfo=_offset(9))),
    ("Wed, 31 Dec 2025 00:00:00 +0545", datetime(2025, 12, 31, tzinfo=_offset(5, 45))),
    ("20 Nov 2019 08:02 GMT", datetime(2019, 11, 20, 8, 2, tzinfo=UTC)),
    ("19 Nov 2019 07:09 GMT", datetime(2019, 11, 19, 7, 9, tzinfo=UTC)),
    ("1 Mar 2025 00:00 UTC", datetime(2025, 3, 1, tzinfo=UTC)),
    ("30 Apr 2025 12:00 -0930", datetime(2025, 4, 30, 12, tzinfo=_offset(-9, -30))),
    ("Wed Nov 20 2019 08:00:58 GMT+0000", datetime(2019, 11, 20, 8, 0, 58, tzinfo=UTC)),
    ("Wed Nov 20 2019 09:28:00 GMT+0000 (UTC)", datetime(2019, 11, 20, 9, 28, tzinfo=UTC)),
    ("Tue Nov 19 2019 05:44:06 GMT+0000", datetime(2019, 11, 19, 5, 44, 6, tzinfo=UTC)),
    ("Sun Nov 02 2025 01:30:00 GMT-0400", datetime(2025, 11, 2, 1, 30, tzinfo=_offset(-4))),
    ("Sun Mar 09 2025 12:00:00 GMT-0500", datetime(2025, 3, 9, 12, tzinfo=_offset(-5))),
)


@pytest.mark.parametrize("languages", [None, dates.DATE_LINE_LANGUAGES])
@pytest.mark.parametrize(("text", "read"), STRICT_FORMS)
def test_the_strict_forms_read_as_dateparser_reads_them(
    text: str, read: datetime, languages: tuple[str, ...] | None
) -> None:
    assert dateforms.read_strict_form(text, languages) == read
    assert dates._parse_with_dateparser.__wrapped__(text, languages, None) == read
    # A date line's zone is attached alike on both ways.
    zoned = dates._parse_with_dateparser.__wrapped__(text, languages, SOURCE_TIMEZONE)
    assert same_reading(dates._dateparse(text, languages, SOURCE_TIMEZONE), zoned)


@pytest.mark.parametrize("languages", [None, dates.DATE_LINE_LANGUAGES])
@pytest.mark.parametrize(("text", "read"), ZONED_FORMS)
def test_the_zoned_forms_read_as_dateparser_reads_them(
    text: str, read: datetime, languages: tuple[str, ...] | None
) -> None:
    expected = dates._parse_with_dateparser.__wrapped__(text, languages, None)
    assert same_reading(expected, read)
    assert same_reading(dateforms.read_strict_form(text, languages), expected)
    assert same_reading(dates.parse_timestamp(text), expected)


@pytest.mark.parametrize("text", [text for text, _ in ZONED_FORMS[:4]])
def test_a_zoned_form_in_a_date_line_is_left_to_dateparser(text: str, refusing: list[str]) -> None:
    dates.parse_date_line(text)
    assert refusing == [text]


def test_the_strict_forms_never_reach_dateparser(refusing: list[str]) -> None:
    for text, read in (*STRICT_FORMS, *ZONED_FORMS):
        assert same_reading(dates._dateparse(text, None, None), read)
    assert refusing == []


@pytest.mark.parametrize(
    "text",
    [
        "2025年2月7日月曜日",  # not that day's weekday: dateparser decides
        "Monday, December 23, 2016",
        "Tuesday, Feb 3, 2025",
        "February 30, 2025",
        "Feb 29, 2025",
        "Smarch 3, 2025",
        "February 3, 2025 13:33 PM",
        "Jan 5, 2021 0:30 PM",
        "Jan 5, 2021 24:00",
        "Jan 5, 2021 3:60 PM",
        "2026年2月10日 午後0時22分",  # dateparser: 00:22
        "2026年2月10日 午後13時22分",
        "2026年2月10日火曜日 午後1時05分",  # a weekday and a time: no real date line has both
        "2025/13/01",  # dateparser: 13 January
        "2025/02/30",
        "03/02/2025",  # day or month first
        "02/06/26 12:04 PM",
        "Tue, 18 Nov 2019 16:07:38 -0600",  # dateparser ignores the weekday: left to it
        "Mon, 18 Nov 2019 16:07:38 +0030",  # an offset dateparser does not know
        "20 Nov 2019 24:02 GMT",
        "20 Nov 2019 08:02 EST",  # zone names: dateparser's table decides
        "Wed Nov 20 2019 08:00:58 GMT+0000 (Coordinated Universal Time)",
        "01:38:07 PM IST Nov 20, 2019",
    ],
)
def test_other_forms_are_left_to_dateparser(text: str) -> None:
    assert dateforms.read_strict_form(text, None) is None


def test_a_strict_form_is_read_only_in_the_languages_asked() -> None:
    assert dateforms.read_strict_form("2025年2月7日", ("en",)) is None
    assert dateforms.read_strict_form("February 7, 2025", ("de",)) is None
    assert dateforms.read_strict_form("7 February 2025", ("de",)) is None
    assert dateforms.read_strict_form("February 7, 2025", ("en", "ja")) == datetime(2025, 2, 7)


def test_a_monday_header_is_read_where_dateparser_reads_none() -> None:
    # dateparser takes the 月 of 月曜日 (Monday) for a second month and refuses the header; the
    # strict reading reads the day the header names (its weekday checked).
    assert dates._parse_with_dateparser.__wrapped__("2025年2月24日月曜日", None, None) is None
    assert dates.parse_date_header("2025年2月24日月曜日") == date(2025, 2, 24)
