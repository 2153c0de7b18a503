"""The status vocabulary of a pair: what went right, or what went wrong."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

STATUS_OK = "ok"
STATUS_NO_CITATION = "no_citation"
STATUS_SOURCE_NOT_FOUND = "source_not_found"
STATUS_SOURCE_HTTP_ERROR = "source_http_error"
STATUS_SOURCE_UNREACHABLE = "source_unreachable"
STATUS_SOURCE_BLOCKED_BY_ROBOTS = "source_blocked_by_robots"
STATUS_SOURCE_NOT_HTML = "source_not_html"
STATUS_SOURCE_PAYWALLED = "source_paywalled"
STATUS_SOURCE_MISMATCH = "source_mismatch"
STATUS_SOURCE_REFUSED = "source_refused"
STATUS_SOURCE_TRUNCATED = "source_truncated"
STATUS_SOURCE_NOT_FETCHED = "source_not_fetched"
STATUS_TRANSLATION_UNPARSABLE = "translation_unparsable"
STATUS_TRANSLATION_UNAVAILABLE = "translation_unavailable"

# One line each: shown by the CLI next to per-status counts and listed in docs/manifest.md.
STATUS_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        STATUS_OK: "The cited article was fetched and matches the citation.",
        STATUS_NO_CITATION: "The post has no citation block with a usable URL.",
        STATUS_SOURCE_NOT_FOUND: "The cited URL answered 404 Not Found or 410 Gone.",
        STATUS_SOURCE_HTTP_ERROR: (
            "The cited URL answered another HTTP error (4xx or 5xx), or its redirects led "
            "nowhere (a loop, too many hops)."
        ),
        STATUS_SOURCE_UNREACHABLE: (
            "The host could not be reached (DNS failure, connection refused or reset, timeout)."
        ),
        STATUS_SOURCE_BLOCKED_BY_ROBOTS: "The host's robots.txt disallows the cited URL.",
        STATUS_SOURCE_NOT_HTML: "The cited URL serves something other than HTML (PDF, image).",
        STATUS_SOURCE_PAYWALLED: "The page shows a teaser or paywall instead of the article.",
        STATUS_SOURCE_MISMATCH: "The fetched page is not the cited article (low confidence).",
        STATUS_SOURCE_REFUSED: "The URL is not allowed (not http/https, or an internal address).",
        STATUS_SOURCE_TRUNCATED: "The response was cut short or exceeded the size limit.",
        STATUS_SOURCE_NOT_FETCHED: "The crawl ended before the cited URL was fetched.",
        STATUS_TRANSLATION_UNPARSABLE: "The post page has no post body that could be read.",
        STATUS_TRANSLATION_UNAVAILABLE: (
            "The post page could not be fetched (HTTP error or network failure)."
        ),
    }
)
STATUSES: tuple[str, ...] = tuple(STATUS_DESCRIPTIONS)
