"""Turn a failed request into a manifest status and a sentence a researcher can read."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError
from w3lib.url import safe_url_string

from crawler.downloadermiddlewares.urlguard import UrlRefused
from crawler.policy.urls import ALLOWED_SCHEMES, check_url
from crawler.resolver import refusal

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

NOT_FOUND_CODES = frozenset({404, 410})
# Scrapy's RedirectMiddleware gives up with this message (REDIRECT_MAX_TIMES).
MAX_REDIRECTS = "max redirections reached"
# Scrapy's maximum-size message ends by naming the request, which the manifest already holds.
_IN_REQUEST = re.compile(r"\s+in request <[^>]*>\.?$")


def failure_status(failure: Failure, *, maxsize: int = 0) -> tuple[str, str, Response | None]:
    """(status, error sentence, the response if there was one) for an errback's failure.

    ``maxsize`` is the DOWNLOAD_MAXSIZE the request ran with, named when Scrapy cancels a
    download for its size.
    """
    if failure.check(HttpError):
        response: Response = failure.value.response
        reason = _reason(response.status)
        if 300 <= response.status < 400 and _is_loop(_hops(failure)):
            # A redirect that leads nowhere: the last hop's response describes the source.
            return "source_http_error", _redirects(failure), response
        refused = _refused_redirect(response)
        if refused is not None:
            # As for a hop the guard refuses: the redirect is archived, the pair has no source.
            return "source_refused", refused, None
        if response.status in NOT_FOUND_CODES:
            return "source_not_found", f"HTTP {response.status} {reason}".strip(), response
        return "source_http_error", f"HTTP {response.status} {reason}".strip(), response
    if failure.check(UrlRefused):
        return "source_refused", str(failure.value), None
    if failure.check(IgnoreRequest):
        message = str(failure.value) or "request ignored"
        if "robots.txt" in message:
            return "source_blocked_by_robots", "the host's robots.txt disallows this URL", None
        if message == MAX_REDIRECTS:
            return "source_http_error", _redirects(failure), None
        return "source_http_error", message, None
    if failure.check(DownloadCancelledError):
        # Only the size limit cancels a download (a timeout raises DownloadTimeoutError), and
        # Scrapy then keeps no response at all: the manifest cannot describe one. The spider
        # stops cited pages at the limit itself, so that they end source_truncated instead.
        return "source_unreachable", _too_large(str(failure.value), maxsize), None
    refused = _refused_connection(failure)
    if refused is not None:
        return "source_refused", refused, None
    # Everything else happened below HTTP: DNS, refused or reset connections, timeouts, TLS and
    # proxy tunnel errors. Scrapy has already retried these (RETRY_TIMES).
    return "source_unreachable", _describe(failure), None


def url_too_long(url: str, limit: int) -> tuple[str, str]:
    """(status, error sentence) for a cited URL over URLLENGTH_LIMIT, which Scrapy would drop."""
    return (
        "source_refused",
        f"the URL is {len(url)} characters long, over the crawl's limit of {limit} "
        "(URLLENGTH_LIMIT); it was not fetched",
    )


def _refused_redirect(response: Response) -> str | None:
    """Why a redirect was not followed, when it leads out of the web (``file:``, ``ftp:``):
    Scrapy's RedirectMiddleware hands such a response on as it is, so the guard never sees it."""
    location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
    if not location:
        return None
    target = urljoin(response.url, safe_url_string(location))
    if urlsplit(target).scheme.lower() in ALLOWED_SCHEMES:
        return None  # followed, or stopped for another reason
    return f"redirected to {target}, refused: {check_url(target).reason}"


def _refused_connection(failure: Failure) -> str | None:
    """The resolver's reason, when it failed a connection by refusing the address it got
    (crawler/resolver.py): the lookup error the connection reports does not carry it."""
    request = getattr(failure, "request", None)
    if request is None or not failure.check(DNSLookupError):
        return None
    return refusal(urlsplit(request.url).hostname)


def _hops(failure: Failure) -> list[str]:
    """The URLs a request went through, the one that failed last."""
    request = getattr(failure, "request", None)
    return [*request.meta.get("redirect_urls", []), request.url] if request is not None else []


def _is_loop(hops: list[str]) -> bool:
    return len(hops) > 1 and hops[-1] in hops[:-1]


def _redirects(failure: Failure) -> str:
    hops = _hops(failure)
    if _is_loop(hops):
        return "redirect loop: " + " -> ".join(hops[hops.index(hops[-1]) :])
    return f"too many redirects: gave up after {max(len(hops) - 1, 0)} ({' -> '.join(hops)})"


def _too_large(message: str, maxsize: int) -> str:
    limit = f" of {maxsize} bytes" if maxsize else ""
    detail = _IN_REQUEST.sub("", message.strip())
    sentence = f"the response is larger than the download size limit{limit} (DOWNLOAD_MAXSIZE)"
    return f"{sentence}: {detail}; nothing was kept" if detail else f"{sentence}; nothing was kept"


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
