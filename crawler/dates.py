"""Every date the crawler reads goes through this module (dateparser is called nowhere else).

Three kinds of input reach it: machine timestamps (ISO 8601 from ``abbr.published@title``,
``time@datetime``, feeds and sitemaps), Blogger's localised date headers
(``2025年2月7日金曜日``), and the free-text date lines of news sites and citation blocks
(``on February 04, 2025 at 12:59 PM``). The US defence press writes those lines in US Eastern
local time without an offset, so that is the default zone for them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import dateparser

from crawler.dateforms import read_strict_form

__all__ = [
    "SOURCE_TIMEZONE",
    "isoformat",
    "parse_date_header",
    "parse_date_line",
    "parse_timestamp",
]

SOURCE_TIMEZONE = "America/New_York"

# Words that news sites put around a date ("Published", "Updated", "on ... at ...") and that
# dateparser does not skip by itself; zone abbreviations are dropped because the zone database
# knows better than the abbreviation which offset applied on that day.
_NOISE = re.compile(
    r"^\s*(?:(?:first\s+)?published|posted|updated|last\s+updated|date)\s*:?\s*"
    r"|^\s*on\s+|\s+at\s+(?=\d)|[(（]?\b(?:EST|EDT|ET)\b[)）]?|\|"
    # Japanese date lines of translated headers: 2026年1月3日 午前4時46分(EST)更新.
    r"|(?:更新|公開|掲載|配信)(?:日時?)?\s*[:：]?\s*$|^\s*(?:更新|公開|掲載|配信)(?:日時?)?\s*[:：]\s*",
    re.IGNORECASE,
)
_NAMED_UTC = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?) (?:GMT|UTC)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９：／", "0123456789:/")
# What every date the crawler reads has: a digit (of any script) for its day or year. Without one,
# dateparser only accepts words it completes from the clock of the reading ("yesterday",
# "Monday", "December", "just now"), which a rebuild from the archive would read otherwise; and
# its refusals are its slowest answers (some 10 ms: it tries every language).
_DATE_CUE = re.compile(r"\d")
# ... and beside the digit, a mark of a date or a time: a year or a longer number (ISO, compact,
# epoch), digits joined by a date or clock separator, a month (English names; other languages'
# headers write the year out), the CJK date and time units, or "ago". A title with a number
# ("F-35A", "Block 60", "1,550個") has none and is not asked about: dateparser would only refuse it,
# slowly, and it reads a lone number ("5") as a month of the reading's year.
_DATE_MARK = re.compile(
    r"\d{4}|\d\s?[-/.:]\s?\d|[年月日時分前]|\bago\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)


# The languages of date lines (a source's byline, a citation's date): English, or Japanese in a
# translated citation. Named, dateparser loads only their data; asked to detect the language, it
# loads every language it knows (about 35 MB more in each parse worker). Date headers and
# timestamps are still read in any language: a blog's own headers may be in its language.
DATE_LINE_LANGUAGES = ("en", "ja")


def parse_timestamp(value: str | None) -> datetime | None:
    """Parse a machine timestamp (ISO 8601 / RFC 3339), keeping the offset it was written with."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # "2019-11-18 17:19:53 GMT" (news sites' meta tags): UTC, as dateparser reads it.
    named_utc = _NAMED_UTC.fullmatch(text)
    try:
        return datetime.fromisoformat(f"{named_utc[1]}+00:00" if named_utc else text)
    except ValueError:
        return _dateparse(text, None, None)


def parse_date_header(text: str | None, language: str | None = None) -> date | None:
    """Parse a Blogger date header: ``2025年2月7日金曜日``, ``Friday, December 23, 2016``."""
    if not text or not text.strip():
        return None
    languages = (language,) if language else None
    parsed = _dateparse(text.strip().translate(_FULLWIDTH), languages, None)
    return parsed.date() if parsed else None


def parse_date_line(text: str | None, timezone: str = SOURCE_TIMEZONE) -> datetime | None:
    """Parse a news site's or a citation block's date line as local time in ``timezone``.

    ``on February 04, 2025 at 12:59 PM`` -> 2025-02-04T12:59:00-05:00.
    """
    if not text or not text.strip():
        return None
    cleaned = _NOISE.sub(" ", text.translate(_FULLWIDTH))
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" ,.")
    if not cleaned:
        return None
    return _dateparse(cleaned, DATE_LINE_LANGUAGES, timezone)


def isoformat(value: datetime | date | None) -> str | None:
    """ISO 8601 text for the manifest: seconds precision, offset kept."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _dateparse(
    text: str, languages: tuple[str, ...] | None, timezone: str | None
) -> datetime | None:
    """dateparser's reading of ``text`` in ``languages`` (None: any it knows)."""
    if _DATE_CUE.search(text) is None or _DATE_MARK.search(text) is None:
        return None
    # The common forms are read without dateparser, to its value (crawler/dateforms.py).
    strict = read_strict_form(text, languages)
    if strict is not None and strict.tzinfo is None:
        return _in_zone(strict, timezone) if timezone else strict
    # A written offset is read so only for a timestamp: in a date line, dateparser moves it to the
    # line's zone its own way (an hour off in the repeated hour of a DST change).
    if strict is not None and timezone is None:
        return strict
    return _parse_with_dateparser(text, languages, timezone)


def _in_zone(parsed: datetime, timezone: str) -> datetime:
    # dateparser attaches a fixed offset; re-attach the named zone so DST is right for the day.
    return (
        parsed.replace(tzinfo=None)
        .replace(tzinfo=ZoneInfo(timezone))
        .astimezone(ZoneInfo(timezone))
    )


@lru_cache(maxsize=4096)
def _parse_with_dateparser(
    text: str, languages: tuple[str, ...] | None, timezone: str | None
) -> datetime | None:
    settings: dict[str, object] = {"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}
    if timezone:
        settings["TIMEZONE"] = timezone
        settings["RETURN_AS_TIMEZONE_AWARE"] = True
    named = list(languages) if languages else None
    parsed = dateparser.parse(text, languages=named, settings=settings)
    if parsed is None or timezone is None:
        return parsed
    return _in_zone(parsed, timezone)
