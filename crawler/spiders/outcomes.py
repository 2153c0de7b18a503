"""Turn a failed request into a manifest status and a sentence a researcher can read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.downloadermiddlewares.urlguard import UrlRefused

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

NOT_FOUND_CODES = frozenset({404, 410})


def failure_status(failure: Failure) -> tuple[str, str, Response | None]:
    """(status, error sentence, the response if there was one) for an errback's failure."""
    if failure.check(HttpError):
        response: Response = failure.value.response
        reason = _reason(response.status)
        if response.status in NOT_FOUND_CODES:
            return "source_not_found", f"HTTP {response.status} {reason}".strip(), response
        return "source_http_error", f"HTTP {response.status} {reason}".strip(), response
    if failure.check(UrlRefused):
        return "source_refused", str(failure.value), None
    if failure.check(IgnoreRequest):
        message = str(failure.value) or "request ignored"
        if "robots.txt" in message:
            return "source_blocked_by_robots", "the host's robots.txt disallows this URL", None
        return "source_http_error", message, None
    # Everything else happened below HTTP: DNS, refused or reset connections, timeouts, TLS and
    # proxy tunnel errors. Scrapy has already retried these (RETRY_TIMES).
    return "source_unreachable", _describe(failure), None


def _describe(failure: Failure) -> str:
    name = type(failure.value).__name__
    detail = failure.getErrorMessage().strip()
    return f"{name}: {detail}" if detail and detail != name else name


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
