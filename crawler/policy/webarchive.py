"""When to ask a web archive for a cited page, and which of its captures to take.

A cited source that is gone (404/410, a domain that no longer resolves) or paywalled now was
usually captured by the Wayback Machine when the translation was made. This module speaks the
Wayback Machine's documented URL shapes: the availability API
(``/wayback/available?url=&timestamp=``), the CDX API (``/cdx/search/cdx?url=&output=json``) and
raw captures (``/web/<timestamp>id_/<url>``, the page as archived, without the toolbar). It
decides, from an answer, the capture closest before the translation's publication, else the
closest after. Pure: the spider builds the requests and reads the capture like a live page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode, urlsplit

WAYBACK_MACHINE = "https://web.archive.org"
# Outcomes a capture may stand in for: gone, paywalled now, or a host that no longer answers.
GONE_STATUSES = frozenset({"source_not_found", "source_paywalled"})
# A source_unreachable whose error says the name no longer resolves: a dead domain. Resets and
# timeouts pass; they are tried live again on the next run.
DEAD_DOMAIN_ERRORS = ("DNSLookupError",)
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
_TIMESTAMP = re.compile(r"^\d{14}$")
# /web/<timestamp>[id_]/<original URL>, as in a memento URL or a nearest-capture redirect.
_MEMENTO_PATH = re.compile(r"/web/(\d{4,14})(?:[a-z]{2}_)?/(.+)$")
CAPTURE_MIMETYPES = ("text/html", "application/xhtml+xml")


class ArchiveAnswerError(ValueError):
    """An archive's answer that is not the JSON its API documents."""


@dataclass(frozen=True)
class Capture:
    """One capture of ``original`` by the archive at ``archive`` (its base URL)."""

    archive: str
    original: str
    timestamp: str  # 14 digits, UTC, as the archive writes it
    status: int | None = None  # the HTTP status the archive recorded; None: not said
    mimetype: str | None = None

    @property
    def datetime(self) -> datetime:
        return parse_timestamp(self.timestamp)

    @property
    def memento_url(self) -> str:
        """The capture's memento URL, the one a reader opens (the archive's rewritten page)."""
        return f"{self.archive}/web/{self.timestamp}/{self.original}"

    @property
    def raw_url(self) -> str:
        """The capture as archived (``id_``): the bytes the site sent, no toolbar, no rewriting."""
        return f"{self.archive}/web/{self.timestamp}id_/{self.original}"

    @property
    def usable(self) -> bool:
        """A capture of a page that answered 200 with HTML (not a capture of the error page)."""
        if self.status is not None and self.status != 200:
            return False
        return self.mimetype is None or self.mimetype.split(";")[0].strip() in CAPTURE_MIMETYPES


def wants_archive(status: str, error: str | None = None) -> bool:
    """Whether a source's outcome is one a capture may recover."""
    if status in GONE_STATUSES:
        return True
    if status == "source_unreachable" and error:
        return error.startswith(DEAD_DOMAIN_ERRORS)
    return False


def wayback_timestamp(moment: datetime) -> str:
    """The 14-digit UTC timestamp of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"a naive datetime has no archive timestamp: {moment!r}")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value: str) -> datetime:
    """An archive timestamp (4 to 14 digits; the missing ones are the earliest) as UTC."""
    if not value.isdigit() or not 4 <= len(value) <= 14:
        raise ArchiveAnswerError(f"not an archive timestamp: {value!r}")
    padded = value + "0101000000"[len(value) - 4 :] if len(value) < 14 else value
    try:
        return datetime.strptime(padded, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError as error:
        raise ArchiveAnswerError(f"not an archive timestamp: {value!r}") from error


def parse_memento_datetime(value: str) -> datetime:
    """A ``Memento-Datetime`` header (RFC 1123, GMT) as UTC."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError) as error:
        raise ArchiveAnswerError(f"not a Memento-Datetime: {value!r}") from error
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def availability_url(archive: str, url: str, at: datetime | None = None) -> str:
    """The availability API's lookup of ``url`` near ``at``."""
    query = {"url": url} | ({"timestamp": wayback_timestamp(at)} if at else {})
    return f"{archive}/wayback/available?{urlencode(query, quote_via=quote)}"


def cdx_url(archive: str, url: str) -> str:
    """The CDX API's list of every capture of ``url`` (JSON rows, the first naming the fields)."""
    query = {"url": url, "output": "json", "fl": "timestamp,original,statuscode,mimetype"}
    return f"{archive}/cdx/search/cdx?{urlencode(query, quote_via=quote)}"


def parse_availability(body: bytes, archive: str) -> list[Capture]:
    """The closest capture an availability answer names (none: an empty list)."""
    data = _json(body)
    if not isinstance(data, dict):
        raise ArchiveAnswerError("an availability answer is a JSON object")
    closest = (data.get("archived_snapshots") or {}).get("closest")
    if not closest or not closest.get("available"):
        return []
    timestamp = str(closest.get("timestamp", ""))
    found = _MEMENTO_PATH.search(str(closest.get("url", "")))
    if not _TIMESTAMP.match(timestamp) or found is None:
        raise ArchiveAnswerError(f"an availability answer without a capture: {closest!r}")
    status = closest.get("status")
    return [Capture(archive, found.group(2), timestamp, _status(status))]


def parse_cdx(body: bytes, archive: str) -> list[Capture]:
    """The captures of a CDX JSON answer (the first row names the fields; empty: none)."""
    if not body.strip():
        return []
    rows = _json(body)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ArchiveAnswerError("a CDX answer is a JSON list of rows")
    if not rows:
        return []
    fields = [str(name) for name in rows[0]]
    if "timestamp" not in fields or "original" not in fields:
        raise ArchiveAnswerError(f"a CDX answer without timestamp and original: {fields}")
    captures = []
    for row in rows[1:]:
        record = dict(zip(fields, row, strict=False))
        timestamp = str(record.get("timestamp", ""))
        if not _TIMESTAMP.match(timestamp):
            raise ArchiveAnswerError(f"a CDX row without a timestamp: {row!r}")
        mimetype = record.get("mimetype")
        captures.append(
            Capture(
                archive,
                str(record["original"]),
                timestamp,
                _status(record.get("statuscode")),
                str(mimetype) if mimetype not in (None, "-") else None,
            )
        )
    return captures


def choose_capture(captures: Iterable[Capture], published: datetime | None) -> Capture | None:
    """The usable capture closest before ``published``, else the closest after it.

    Without a publication time, the earliest usable capture: the page nearest its first state.
    """
    usable = sorted((c for c in captures if c.usable), key=lambda c: c.timestamp)
    if not usable:
        return None
    if published is None:
        return usable[0]
    at = wayback_timestamp(published)
    before = [c for c in usable if c.timestamp <= at]
    return before[-1] if before else usable[0]


def capture_of(url: str, archive: str) -> tuple[str, str] | None:
    """(timestamp, original URL) of a memento or raw-capture URL of ``archive``; else None."""
    if not url.startswith(archive + "/web/"):
        return None
    found = _MEMENTO_PATH.search(url[len(archive) :])
    return (found.group(1), found.group(2)) if found else None


def page_key(url: str) -> str:
    """A URL as archives match it: no scheme, no leading ``www.``, host in lower case, no
    trailing slash (roughly the Wayback Machine's SURT canonicalisation)."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def captured_page(final_url: str, archive: str, cited_url: str) -> tuple[str, str] | None:
    """(timestamp, original URL) when ``final_url``, where a raw capture request ended after the
    archive's redirects, is a capture of ``cited_url``; None when it is not a capture, or is one
    of another page (a captured redirect to a homepage or a section page is not the article)."""
    found = capture_of(final_url, archive)
    if found is None or page_key(found[1]) != page_key(cited_url):
        return None
    return found


def archive_bases(values: Sequence[str] | str) -> tuple[str, ...]:
    """The archives' base URLs from a setting (a list, or one string of comma-separated URLs)."""
    items = values.split(",") if isinstance(values, str) else list(values)
    bases = tuple(str(item).strip().rstrip("/") for item in items if str(item).strip())
    for base in bases:
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"an archive's base URL is http or https: {base!r}")
    return bases


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveAnswerError(f"an archive's answer is not JSON: {error}") from error


def _status(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None
