"""The date forms read without dateparser, to the value dateparser gives them.

Nearly every date the blogs and their sources write takes one of a few strict forms; dateparser
spends most of its time (about 0.6-1 ms a date) on the relative and other forms it tries first.
:func:`read_strict_form` reads these forms alone, as dateparser reads them with the settings of
:mod:`crawler.dates` (a naive time, which the caller puts in its zone, or the offset written), and
answers None for anything else, which then goes to dateparser as before. The tests compare both
readings on every date the crawler meets and on each form's edge cases:

- Blogger's Japanese header ``2025年2月7日金曜日``, and a translated date line's
  ``2026年2月10日 午前6時22分`` (one difference: dateparser takes the 月 of a Monday, 月曜日,
  for a second month and reads no date; the header's day is read here);
- English month first: ``[Friday, ]February 3, 2025[, 6:33 PM]``, ``Feb 4, 2025, 12:59 PM``,
  ``Jan. 5, 2021 3:22 p.m``, ``November 20, 2019 13:42``;
- English day first, a date only: ``12 December 2020``;
- numeric, year first: ``2025/01/22`` (the year first leaves one reading; ``03/02/2025`` has two,
  and stays with dateparser);
- machine times with a zone: RFC 2822 ``Mon, 18 Nov 2019 16:07:38 -0600``, ``20 Nov 2019 08:02
  GMT``, JavaScript's ``Wed Nov 20 2019 08:00:58 GMT+0000 (UTC)``; aware, the offset as written
  (dateparser's tzinfo is its own class, of the same offset).

A weekday that is not the date's, an hour outside the clock or a day the month does not have is
left to dateparser too: it decides those its own way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["MONTH_NUMBERS", "read_strict_form"]

# English month names and their abbreviations, lower case, to the month number.
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_JA_WEEKDAYS = "月火水木金土日"

# A clock time after an English date: 12-hour with am/pm (``6:33 PM``, ``3:22 p.m``) or 24-hour.
_CLOCK = r"(?:,?\s(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s?(?P<half>[ap])\.?m\.?)?)?"
_EN_MONTH_FIRST = re.compile(
    r"(?:(?P<weekday>[a-z]+day),\s)?(?P<month>[a-z]+)\.?\s(?P<day>\d{1,2}),\s(?P<year>\d{4})"
    + _CLOCK,
    re.IGNORECASE,
)
_EN_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})\s(?P<month>[a-z]+)\s(?P<year>\d{4})", re.IGNORECASE)
_JA_DAY = re.compile(
    r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"
    r"(?:(?P<weekday>[月火水木金土日])曜日|\s?(?P<half>午前|午後)(?P<hour>\d{1,2})時(?P<minute>\d{1,2})分)?"
)
_YEAR_FIRST = re.compile(r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})")
# Machine times with a zone, of news pages' meta tags and scripts: RFC 2822 and its kin
# (``Mon, 18 Nov 2019 16:07:38 -0600``, ``20 Nov 2019 08:02 GMT``) and JavaScript's
# Date.toString() (``Wed Nov 20 2019 08:00:58 GMT+0000 (UTC)``).
_CLOCK_AND_ZONE = (
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))? (?P<zone>GMT|UTC|[+-]\d{4})"
)
# The offsets dateparser knows (the world's zones have had them); it reads no other.
_OFFSETS = frozenset(
    (
        *("-1200", "-1100", "-1000", "-0930", "-0900", "-0800", "-0700", "-0600", "-0500"),
        *("-0430", "-0400", "-0330", "-0300", "-0230", "-0200", "-0100", "-0000", "+0000"),
        *("+0100", "+0200", "+0300", "+0330", "+0400", "+0430", "+0500", "+0530", "+0545"),
        *("+0600", "+0630", "+0700", "+0800", "+0845", "+0900", "+0930", "+1000", "+1030"),
        *("+1100", "+1130", "+1200", "+1245", "+1300", "+1400"),
    )
)
_ZONED_DAY_FIRST = re.compile(
    r"(?:(?P<weekday>[a-z]{3}), )?(?P<day>\d{1,2}) (?P<month>[a-z]{3}) (?P<year>\d{4}) "
    + _CLOCK_AND_ZONE,
    re.IGNORECASE,
)
_ZONED_SCRIPT = re.compile(
    r"(?P<weekday>[a-z]{3}) (?P<month>[a-z]{3}) (?P<day>\d{2}) (?P<year>\d{4}) "
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) GMT(?P<zone>[+-]\d{4})(?: \(UTC\))?",
    re.IGNORECASE,
)


def read_strict_form(text: str, languages: tuple[str, ...] | None) -> datetime | None:
    """``text`` read without dateparser when it is one of the strict forms, in ``languages``
    (None: any); None otherwise."""
    if languages is None or "ja" in languages:
        match = _JA_DAY.fullmatch(text)
        if match is not None:
            return _japanese(match)
    match = _YEAR_FIRST.fullmatch(text)
    if match is not None:
        return _day(match["year"], match["month"], match["day"])
    if languages is not None and "en" not in languages:
        return None
    match = _EN_MONTH_FIRST.fullmatch(text) or _EN_DAY_FIRST.fullmatch(text)
    if match is not None:
        return _english(match)
    match = _ZONED_DAY_FIRST.fullmatch(text) or _ZONED_SCRIPT.fullmatch(text)
    if match is not None:
        return _zoned(match)
    return None


def _japanese(match: re.Match[str]) -> datetime | None:
    day = _day(match["year"], match["month"], match["day"])
    weekday = match["weekday"]
    if day is None or (weekday and _JA_WEEKDAYS.index(weekday) != day.weekday()):
        return None
    if match["hour"] is None:
        return day
    return _at(day, match["hour"], match["minute"], "p" if match["half"] == "午後" else "a")


def _english(match: re.Match[str]) -> datetime | None:
    month = MONTH_NUMBERS.get(match["month"].lower())
    if month is None:
        return None
    day = _day(match["year"], str(month), match["day"])
    groups = match.groupdict()
    weekday = groups.get("weekday")
    if day is None or (weekday and weekday.lower() not in _WEEKDAYS):
        return None
    if weekday and _WEEKDAYS.index(weekday.lower()) != day.weekday():
        return None
    if groups.get("hour") is None:
        return day
    return _at(day, match["hour"], match["minute"], groups.get("half"))


def _zoned(match: re.Match[str]) -> datetime | None:
    month = MONTH_NUMBERS.get(match["month"].lower())
    day = _day(match["year"], str(month), match["day"]) if month else None
    weekday = (match["weekday"] or "").lower()
    if day is None or (weekday and _WEEKDAYS[day.weekday()][:3] != weekday):
        return None
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    zone = match["zone"].upper()
    if zone in ("GMT", "UTC"):
        zone = "+0000"
    if hour > 23 or minute > 59 or second > 59 or zone not in _OFFSETS:
        return None
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
    return day.replace(
        hour=hour,
        minute=minute,
        second=second,
        tzinfo=timezone(-offset if zone.startswith("-") else offset),
    )


def _at(day: datetime, hour_text: str, minute_text: str, half: str | None) -> datetime | None:
    """``day`` at the clock time; None for a time off the clock (dateparser's to decide)."""
    hour, minute = int(hour_text), int(minute_text)
    if minute > 59:
        return None
    if half is None:
        return day.replace(hour=hour, minute=minute) if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return day.replace(hour=hour % 12 + (12 if half.lower() == "p" else 0), minute=minute)


def _day(year: str, month: str, day: str) -> datetime | None:
    try:
        return datetime(int(year), int(month), int(day))
    except ValueError:
        return None
