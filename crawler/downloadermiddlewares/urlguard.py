"""Refuse requests to internal addresses before any download handler sees them.

Every request passes here: posts, cited sources, robots.txt, and each hop of a redirect (Scrapy
schedules a redirect as a new request), so a public URL that redirects to 127.0.0.1 is refused at
that hop. The verdict comes from :mod:`crawler.policy.urls`; this adapter only adds the DNS lookup,
off the reactor thread and cached.

A request that goes through a forward proxy is not resolved here: the proxy resolves the name and
makes the connection, so a local lookup would judge another resolver's answer (and tell it every
cited host). Literal addresses and local-only names are refused whether or not a proxy is used.
"""

from __future__ import annotations

import logging
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import run_in_thread

from crawler import defaults
from crawler.policy.urls import check_url, parse_allowed_hosts

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STATS_REFUSED = "urlguard/refused"
LOOKUP_CACHE_SIZE = 1024  # host names; a crawl of one blog cites a few hundred hosts at most

Lookup = Callable[[str], Awaitable[Sequence[str]]]
GetAddrInfo = Callable[..., list[tuple[Any, ...]]]


class UrlRefused(IgnoreRequest):
    """The guard would not let the request out; ``str()`` of it is the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


class CachedLookup:
    """Every address a host name resolves to (IPv4 and IPv6), looked up in a thread."""

    def __init__(
        self, getaddrinfo: GetAddrInfo = socket.getaddrinfo, size: int = LOOKUP_CACHE_SIZE
    ) -> None:
        self._getaddrinfo = getaddrinfo
        self._size = size
        self._cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    async def __call__(self, host: str) -> Sequence[str]:
        cached = self._cache.get(host)
        if cached is not None:
            self._cache.move_to_end(host)
            return cached
        infos = await run_in_thread(self._getaddrinfo, host, None, proto=socket.IPPROTO_TCP)
        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
        # Failures raise before this point and are not cached: the next request asks again.
        self._cache[host] = addresses
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return addresses


class UrlGuardMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        *,
        allowed_hosts: Sequence[str] = (),
        lookup: Lookup | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        self.crawler = crawler
        self.allowed_hosts = tuple(allowed_hosts)
        parse_allowed_hosts(self.allowed_hosts)  # a typo in an exception stops the crawl at once
        self.lookup = lookup
        self.proxies = dict(proxies or {})
        # proxy_bypass reads the whole environment on every call; its answer for a host does not
        # change during a crawl.
        self._bypass: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlGuardMiddleware:
        settings = crawler.settings
        if not settings.getbool("URLGUARD_ENABLED", defaults.URLGUARD_ENABLED):
            raise NotConfigured("URLGUARD_ENABLED is off")
        allowed = settings.getlist("URLGUARD_ALLOWED_HOSTS", list(defaults.URLGUARD_ALLOWED_HOSTS))
        resolve = settings.getbool("URLGUARD_RESOLVE", defaults.URLGUARD_RESOLVE)
        # The same environment proxies Scrapy's HttpProxyMiddleware will apply after this one.
        proxies = getproxies() if settings.getbool("HTTPPROXY_ENABLED", True) else {}
        return cls(
            crawler,
            allowed_hosts=allowed,
            lookup=CachedLookup() if resolve else None,
            proxies=proxies,
        )

    async def process_request(self, request: Request) -> None:
        verdict = check_url(request.url, allowed_hosts=self.allowed_hosts)
        if verdict.allowed and verdict.lookup and self.lookup and not self._via_proxy(request):
            answer = await _resolve(self.lookup, verdict.lookup)

            def resolve(_host: str) -> list[str]:
                if isinstance(answer, OSError):
                    raise answer
                return answer

            verdict = check_url(request.url, allowed_hosts=self.allowed_hosts, resolve=resolve)
        if not verdict.allowed:
            self._refuse(request, verdict.reason)

    def _via_proxy(self, request: Request) -> bool:
        """Whether the request will be sent through a proxy (HttpProxyMiddleware's own rule)."""
        if "proxy" in request.meta:
            return request.meta["proxy"] is not None
        parts = urlsplit(request.url)
        return parts.scheme in self.proxies and not self._bypassed(parts.hostname or "")

    def _bypassed(self, host: str) -> bool:
        bypassed = self._bypass.get(host)
        if bypassed is None:
            bypassed = self._bypass[host] = bool(proxy_bypass(host))
            if len(self._bypass) > LOOKUP_CACHE_SIZE:
                self._bypass.pop(next(iter(self._bypass)))
        return bypassed

    def _refuse(self, request: Request, reason: str) -> None:
        redirected_from = request.meta.get("redirect_urls")
        if redirected_from:
            reason = f"redirected to {request.url}, refused: {reason}"
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(STATS_REFUSED)
        logger.info("refused %s: %s", request.url, reason)
        raise UrlRefused(request.url, reason)


async def _resolve(lookup: Lookup, host: str) -> list[str] | OSError:
    try:
        return list(await lookup(host))
    except OSError as exc:  # socket.gaierror and timeouts: the policy calls it "cannot tell"
        return exc
