"""The replica's web.archive.org: captures of cited pages, answered in the Wayback Machine's shapes.

- ``/web/<timestamp>id_/<url>``: the raw capture, the bytes the site sent then (its status,
  ``Content-Type``), with ``Memento-Datetime`` and a ``Link`` header naming the original and the
  timemap. A timestamp that is not a capture's own gets a 302 to the nearest capture, as the
  Wayback Machine answers. A captured redirect replays as a redirect to the capture of its target.
- ``/web/<timestamp>/<url>``: the same capture rewritten for a reader, with the toolbar.
- ``/wayback/available?url=&timestamp=``: the availability API's JSON (the closest capture).
- ``/cdx/search/cdx?url=&output=json&fl=``: the CDX API's rows (the first names the fields).
- ``/robots.txt``.

URLs are looked up as the Wayback Machine canonicalises them: without the scheme, a leading
``www.``, the host's case or a trailing slash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from replica.web import Resource

HOST = "web.archive.org"
ORIGIN = f"https://{HOST}"
ROBOTS_TXT = "User-agent: *\nDisallow: /control/\nDisallow: /report/\nDisallow: /save/\n"
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
TOOLBAR = '<div id="wm-ipp-base" lang="en">Wayback Machine toolbar: capture of {ts}</div>'
JSON = ("Content-Type", "application/json")
HTML = ("Content-Type", "text/html; charset=utf-8")


@dataclass(frozen=True)
class Memento:
    """One capture: what ``original`` answered at ``timestamp`` (14 digits, UTC)."""

    original: str
    timestamp: str
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None  # a captured redirect's target

    @property
    def datetime(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def url_key(url: str) -> str:
    """The lookup key of a URL, as the Wayback Machine canonicalises it (roughly its SURT)."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or ""
    return host + path + (f"?{parts.query}" if parts.query else "")


class WaybackSite:
    """web.archive.org, holding the given captures."""

    host = HOST

    def __init__(self, mementos: Iterable[Memento]) -> None:
        self._captures: dict[str, list[Memento]] = {}
        for memento in mementos:
            self._captures.setdefault(url_key(memento.original), []).append(memento)
        for captures in self._captures.values():
            captures.sort(key=lambda m: m.timestamp)
            stamps = [m.timestamp for m in captures]
            if len(set(stamps)) != len(stamps):
                raise ValueError(f"two captures of {captures[0].original} at the same second")

    def captures(self, url: str) -> list[Memento]:
        return list(self._captures.get(url_key(url), ()))

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        route, _, query = path.partition("?")
        if route == "/robots.txt":
            return Resource(200, (("Content-Type", "text/plain"),), ROBOTS_TXT.encode())
        if route == "/wayback/available":
            return self._available(parse_qs(query))
        if route == "/cdx/search/cdx":
            return self._cdx(parse_qs(query))
        if path.startswith("/web/"):
            return self._replay(path.removeprefix("/web/"))
        return None

    def _nearest(self, url: str, timestamp: str | None) -> Memento | None:
        captures = self.captures(url)
        if not captures:
            return None
        if not timestamp:
            return captures[-1]
        wanted = _moment(timestamp)
        return min(
            captures, key=lambda m: (abs((m.datetime - wanted).total_seconds()), m.timestamp)
        )

    def _available(self, query: dict[str, list[str]]) -> Resource:
        url = query.get("url", [""])[0]
        found = self._nearest(url, query.get("timestamp", [""])[0]) if url else None
        snapshots: dict[str, object] = {}
        if found is not None:
            snapshots["closest"] = {
                "status": str(found.status),
                "available": True,
                "url": f"http://{HOST}/web/{found.timestamp}/{found.original}",
                "timestamp": found.timestamp,
            }
        body = {"url": url, "archived_snapshots": snapshots}
        return Resource(200, (JSON,), json.dumps(body).encode())

    def _cdx(self, query: dict[str, list[str]]) -> Resource:
        url = query.get("url", [""])[0]
        fields = query.get("fl", [",".join(CDX_FIELDS)])[0].split(",")
        unknown = [name for name in fields if name not in CDX_FIELDS]
        if not url or unknown:
            message = f"Unknown field: {unknown[0]}" if unknown else "Missing url"
            return Resource(400, (("Content-Type", "text/plain"),), message.encode())
        rows = [[_cdx_value(m, name) for name in fields] for m in self.captures(url)]
        if query.get("output", [""])[0] == "json":
            table = [fields, *rows] if rows else []
            return Resource(200, (JSON,), json.dumps(table).encode())
        text = "".join(" ".join(row) + "\n" for row in rows)
        return Resource(200, (("Content-Type", "text/plain"),), text.encode())

    def _replay(self, rest: str) -> Resource:
        stamp, _, original = rest.partition("/")
        raw = stamp.endswith("id_")
        timestamp = stamp.removesuffix("id_")
        if not timestamp.isdigit() or not original:
            return _not_archived(original or rest)
        nearest = self._nearest(original, timestamp)
        if nearest is None:
            return _not_archived(original)
        links = _link(nearest)
        if nearest.timestamp != timestamp:
            location = f"{ORIGIN}/web/{nearest.timestamp}{'id_' if raw else ''}/{nearest.original}"
            return Resource(302, (("Location", location), *links, HTML), b"")
        headers: tuple[tuple[str, str], ...] = (("Content-Type", nearest.content_type), *links)
        if nearest.location is not None:
            target = f"{ORIGIN}/web/{nearest.timestamp}{'id_' if raw else ''}/{nearest.location}"
            headers = (("Location", target), *headers)
        body = nearest.body if raw else _with_toolbar(nearest)
        return Resource(nearest.status, headers, body)


def _moment(timestamp: str) -> datetime:
    digits = (timestamp + "00000101000000"[len(timestamp) :])[:14]
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)  # as the Wayback Machine does with a timestamp it cannot read


def _link(memento: Memento) -> tuple[tuple[str, str], ...]:
    original = memento.original
    value = (
        f'<{original}>; rel="original", '
        f'<{ORIGIN}/web/timemap/link/{original}>; rel="timemap"; type="application/link-format", '
        f'<{ORIGIN}/web/{memento.timestamp}/{original}>; rel="memento"; '
        f'datetime="{format_datetime(memento.datetime, usegmt=True)}"'
    )
    return (
        ("Memento-Datetime", format_datetime(memento.datetime, usegmt=True)),
        ("Link", value),
    )


def _cdx_value(memento: Memento, name: str) -> str:
    if name == "urlkey":
        return url_key(memento.original)
    if name == "timestamp":
        return memento.timestamp
    if name == "original":
        return memento.original
    if name == "mimetype":
        return memento.content_type.split(";")[0]
    if name == "statuscode":
        return str(memento.status)
    if name == "digest":
        seen = f"{memento.original} {memento.timestamp}".encode() + memento.body
        return base64.b32encode(hashlib.sha1(seen).digest()).decode()  # as CDX writes SHA-1
    return str(len(memento.body))


def _with_toolbar(memento: Memento) -> bytes:
    toolbar = TOOLBAR.format(ts=memento.timestamp).encode()
    head, marker, tail = memento.body.partition(b"<body")
    if not marker:
        return toolbar + memento.body
    opening, close, rest = tail.partition(b">")
    return head + marker + opening + close + toolbar + rest


def _not_archived(url: str) -> Resource:
    body = (
        "<!DOCTYPE html><html><head><title>Wayback Machine</title></head><body>"
        "<h2>Hrm.</h2><p>The Wayback Machine has not archived that URL.</p>"
        f'<p><a href="{escape(quote(url, safe=":/?&=%"))}">{escape(url)}</a></p></body></html>'
    )
    return Resource(404, (HTML,), body.encode())
