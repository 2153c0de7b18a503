"""Which pairs a researcher wants: filters on status, publication date, source site, confidence.

The same criteria serve ``pairs stats``, ``pairs export``, ``pairs filter`` and the report, so a
count printed by one command is the number of lines another writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from crawler.manifest import Pair

UNDATED = "undated"
NO_SITE = "(no cited URL)"


def source_site(pair: Pair) -> str | None:
    """The host the source came from: the page reached after redirects, else the cited URL."""
    url = pair.source.url if pair.source is not None else pair.cited_url
    if not url:
        return None
    return urlsplit(url).hostname or None


def publication_date(pair: Pair) -> date | None:
    """The translation's publication day in the blog's own time zone (as the post shows it)."""
    published = pair.translation.published
    if published is None:
        return None
    return datetime.fromisoformat(published.replace("Z", "+00:00")).date()


def publication_month(pair: Pair) -> str:
    """``YYYY-MM`` of the translation's publication, or ``undated``."""
    day = publication_date(pair)
    return UNDATED if day is None else f"{day.year:04d}-{day.month:02d}"


def _bare_host(host: str) -> str:
    return host.removeprefix("www.")


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


@dataclass(frozen=True, kw_only=True)
class PairFilter:
    """Criteria a pair must all meet; a criterion left at None does not filter.

    ``sites`` entries match the source host or any host under it (``usni.org`` matches
    ``news.usni.org``, ``twz.com`` matches ``www.twz.com``) or the page's ``site_name``
    (case-insensitive, e.g. ``The War Zone``).
    ``since``/``until`` are inclusive days of the translation's publication; undated pairs are
    left out as soon as either bound is given. ``min_confidence`` leaves out pairs without one.
    """

    statuses: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None
    sites: frozenset[str] | None = None
    min_confidence: float | None = None

    def matches(self, pair: Pair) -> bool:
        if self.statuses is not None and pair.status not in self.statuses:
            return False
        if self.min_confidence is not None and (
            pair.confidence is None or pair.confidence < self.min_confidence
        ):
            return False
        if self.since is not None or self.until is not None:
            day = publication_date(pair)
            if day is None:
                return False
            if self.since is not None and day < self.since:
                return False
            if self.until is not None and day > self.until:
                return False
        return self.sites is None or self._site_matches(pair)

    def _site_matches(self, pair: Pair) -> bool:
        assert self.sites is not None
        wanted = {_bare_host(site.strip().lower()) for site in self.sites}
        host = source_site(pair)
        if host is not None and any(_under(host.lower(), domain) for domain in wanted):
            return True
        name = pair.source.site_name if pair.source is not None else None
        return name is not None and name.strip().lower() in wanted


def select_pairs(pairs: Iterable[Pair], criteria: PairFilter) -> Iterator[Pair]:
    """The pairs that meet ``criteria``, in the order given."""
    return (pair for pair in pairs if criteria.matches(pair))
