"""When a source page says it was published, and on what basis: the one rule for it.

Pages state their publication time in several places (JSON-LD ``datePublished``,
``article:published_time``, ``<time datetime>``, trafilatura's date) and real sites often leave
the offset out (``2025-01-22T00:00:00``) or give only the day. The manifest holds instants or
plain dates, never a local time without a zone, so every source publication time is resolved
here and ``source.published_basis`` records how:

- ``offset``: the page wrote an offset or a zone with the time; kept as written.
- ``page``: no offset, but another machine timestamp on the same page carries one
  (``article:modified_time``, ``og:updated_time``, another JSON-LD date, a ``<time datetime>``):
  a page's stamps come from one CMS in one zone. The stamp nearest in wall-clock time gives the
  offset (a daylight-saving change is least likely between two close stamps); when the site's
  zone (below) has that same offset at that stamp, the named zone is used, so that the offset of
  the naive time's own day is right.
- ``site``: else the zone of the site, from :data:`SITE_TIMEZONES` (the press the target blog
  cites; they write local time).
- ``utc_assumed``: else UTC. It is a guess, and the basis says so.
- ``date_only``: the page gives a day without a time: kept as a date, no time is invented.

Dates outside 1991..2100 are placeholders (``0001-01-01T00:00:00Z``), not publication times,
and a stamp that does not write its year out ("yesterday", an epoch number) is not read.
dateparser is called from :mod:`crawler.dates` only; this module decides, it does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timezone, tzinfo
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler.dates import SOURCE_TIMEZONE, isoformat, parse_timestamp

__all__ = [
    "BASIS_DATE_ONLY",
    "BASIS_OFFSET",
    "BASIS_PAGE",
    "BASIS_SITE",
    "BASIS_UTC_ASSUMED",
    "PUBLISHED_BASES",
    "SITE_TIMEZONES",
    "SourceDate",
    "resolve_published",
    "site_timezone",
]

BASIS_OFFSET = "offset"
BASIS_PAGE = "page"
BASIS_SITE = "site"
BASIS_UTC_ASSUMED = "utc_assumed"
BASIS_DATE_ONLY = "date_only"
PUBLISHED_BASES = (BASIS_OFFSET, BASIS_PAGE, BASIS_SITE, BASIS_UTC_ASSUMED, BASIS_DATE_ONLY)

# Registered domains of the sources the target blog cites, and the zone their local times are
# in: the US defence and aviation press writes US Eastern, FlightGlobal UK time. A host matches
# its domain and every host under it (news.usni.org is usni.org's; www.twz.com is twz.com's).
SITE_TIMEZONES: Mapping[str, str] = MappingProxyType(
    {
        "twz.com": SOURCE_TIMEZONE,
        "thedrive.com": SOURCE_TIMEZONE,
        "breakingdefense.com": SOURCE_TIMEZONE,
        "defensenews.com": SOURCE_TIMEZONE,
        "usni.org": SOURCE_TIMEZONE,
        "militarytimes.com": SOURCE_TIMEZONE,
        "airandspaceforces.com": SOURCE_TIMEZONE,
        "defenseone.com": SOURCE_TIMEZONE,
        "aviationweek.com": SOURCE_TIMEZONE,
        "thehill.com": SOURCE_TIMEZONE,
        "nationalinterest.org": SOURCE_TIMEZONE,
        "19fortyfive.com": SOURCE_TIMEZONE,
        "stripes.com": SOURCE_TIMEZONE,
        "flightglobal.com": "Europe/London",
    }
)

# A clock time in the text: what tells "2025-01-22T00:00" (a time) from "2025-01-22" (a day),
# which parse to the same midnight.
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
# A stamp must write its year out: dateparser reads "yesterday", "2 hours ago" or "NaN" relative
# to the moment of the crawl, and a bare number may be an epoch in seconds or milliseconds.
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_YEARS = (1991, 2100)  # the web's first year; a century ahead covers every real page


@dataclass(frozen=True)
class SourceDate:
    """A resolved publication time: an aware datetime, or a date when the basis is date_only."""

    value: datetime | date
    basis: str

    def isoformat(self) -> str:
        """The manifest form: ``2025-01-22T09:30:00-05:00`` or ``2025-01-22``."""
        text = isoformat(self.value)
        assert text is not None
        return text


@dataclass(frozen=True)
class _Stamp:
    value: datetime
    timed: bool  # the text has a clock time

    @property
    def aware(self) -> bool:
        return self.value.tzinfo is not None


def resolve_published(
    candidates: Iterable[object],
    *,
    page_stamps: Iterable[object] = (),
    url: str | None = None,
) -> SourceDate | None:
    """The publication time of a page.

    ``candidates`` are the page's statements of its publication time, most trusted first;
    ``page_stamps`` every other machine timestamp on the page (modification times and the
    like), read only for their offset; ``url`` is the page's final URL, for its site's zone.
    """
    stated = list(candidates)
    chosen = _choose([s for s in map(_read, stated) if s is not None])
    if chosen is None:
        return None
    if not chosen.timed:
        return SourceDate(chosen.value.date(), BASIS_DATE_ONLY)
    if chosen.aware:
        return SourceDate(chosen.value, BASIS_OFFSET)
    site = site_timezone(url)
    # The other publication times count as the page's stamps too (one of another day, say).
    page = _page_zone(chosen.value, [*stated, *page_stamps], site)
    if page is not None:
        return SourceDate(_localize(chosen.value, page), BASIS_PAGE)
    if site is not None:
        return SourceDate(_localize(chosen.value, ZoneInfo(site)), BASIS_SITE)
    return SourceDate(_localize(chosen.value, UTC), BASIS_UTC_ASSUMED)


def site_timezone(url: str | None) -> str | None:
    """The zone of a known source site (:data:`SITE_TIMEZONES`) for a page URL, else None."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = host.rstrip(".").split(".")
    for start in range(len(labels) - 1):
        zone = SITE_TIMEZONES.get(".".join(labels[start:]))
        if zone is not None:
            return zone
    return None


def _read(value: object) -> _Stamp | None:
    if not isinstance(value, str) or not _YEAR.search(value):
        return None
    parsed = parse_timestamp(value)
    if parsed is None or not _YEARS[0] <= parsed.year <= _YEARS[1]:
        return None
    return _Stamp(parsed, _CLOCK.search(value) is not None)


def _choose(stamps: list[_Stamp]) -> _Stamp | None:
    """The first stamp with a time and an offset, else the first one.

    A later, vaguer place (a bare ``<time>`` may be a related story's) only replaces the first
    stamp when it names the same day: it then adds the time or the offset that one lacks.
    """
    for stamp in stamps:
        if stamp.timed and stamp.aware and stamp.value.date() == stamps[0].value.date():
            return stamp
    return stamps[0] if stamps else None


def _page_zone(naive: datetime, page_stamps: Iterable[object], site: str | None) -> tzinfo | None:
    aware = [s.value for s in map(_read, page_stamps) if s is not None and s.timed and s.aware]
    if not aware:
        return None
    nearest = min(aware, key=lambda s: abs(s.replace(tzinfo=None) - naive))
    offset = nearest.utcoffset()
    assert offset is not None
    if site is not None and ZoneInfo(site).utcoffset(nearest.replace(tzinfo=None)) == offset:
        return ZoneInfo(site)
    # A fixed offset, never the parser's zone object: some of those are only right for one date.
    return timezone(offset)


def _localize(naive: datetime, zone: tzinfo) -> datetime:
    # Microseconds go: the manifest keeps seconds.
    return naive.replace(tzinfo=zone, microsecond=0)
