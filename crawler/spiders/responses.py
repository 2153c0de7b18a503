"""What the spiders read off a response (or a failure's, when there was one) for their items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.dates import isoformat
from crawler.extensions.warc_capture import META_FETCHED_AT

if TYPE_CHECKING:
    from scrapy.http import Response


def header(response: Response | None, name: bytes) -> str | None:
    """A response header's (first) value as text; None without the header or the response."""
    value = response.headers.get(name) if response is not None else None
    return value.decode("latin-1") if value else None


def now() -> str:
    return isoformat(datetime.now(UTC)) or ""


def archived_as(response: Response | None) -> dict[str, Any]:
    """Where the WARC capture put a response that failed (nothing for a failure without one)."""
    return response.meta if response is not None else {}


def fetched_at(response: Response) -> str:
    # The WARC-Date of the capture, so a manifest rebuilt from the archive has the same times.
    return str(response.meta.get(META_FETCHED_AT) or now())
