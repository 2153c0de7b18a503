"""The URL guard's last word on a direct connection: the address it is about to be made to.

The guard middleware (crawler/downloadermiddlewares/urlguard.py) looks a host name up before the
request goes out, but the connection makes its own lookup later. A name whose server answers a
public address to the first lookup and 127.0.0.1 to the second (DNS rebinding) would pass the
guard and still reach the machine. This resolver, Scrapy's own caching one with one more step,
judges the address each connection is made to with the same policy (crawler/policy/urls.py); a
refused one fails the connection as a failed lookup, and the spider's outcome reads the reason
back (:func:`refusal`), so the pair says ``source_refused``.

Proxies are exempt: behind one, the only name this resolver sees is the proxy's, which is often
on the local network; the proxy resolves the origin itself (docs/settings.md says what that
leaves to it). Per-request proxies on an internal address must be listed in
``URLGUARD_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler import defaults
from crawler.policy.urls import check_url, parse_allowed_hosts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

REMEMBERED_REFUSALS = 1024  # host names; one crawl refuses a handful at most

# The refusals of this process's resolver (there is one per reactor, so one per process).
_refusals: OrderedDict[str, str] = OrderedDict()


class RefusedAddress(DNSLookupError):
    """A name resolved, at connection time, to an address the URL policy refuses."""


def refusal(host: str | None) -> str | None:
    """Why this process's resolver refused to connect to ``host``; None if it did not."""
    return _refusals.get((host or "").lower().rstrip("."))


class GuardedResolver(CachingThreadedResolver):
    """``TWISTED_DNS_RESOLVER``: Scrapy's caching resolver, judging every address it returns."""

    def __init__(
        self,
        reactor: ReactorBase,
        cache_size: int,
        timeout: float,
        *,
        enabled: bool = True,
        allowed_hosts: Sequence[str] = (),
        proxy_hosts: Iterable[str] = (),
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.enabled = enabled
        self.allowed_hosts = tuple(allowed_hosts)
        parse_allowed_hosts(self.allowed_hosts)
        self.proxy_hosts = frozenset(_key(host) for host in proxy_hosts)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> GuardedResolver:
        # Scrapy passes its CrawlerProcess here, not a Crawler: only its settings can be used.
        settings = crawler.settings
        proxies = getproxies() if settings.getbool("HTTPPROXY_ENABLED", True) else {}
        return cls(
            reactor,
            settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0,
            settings.getfloat("DNS_TIMEOUT"),
            enabled=settings.getbool("URLGUARD_ENABLED", defaults.URLGUARD_ENABLED),
            allowed_hosts=settings.getlist(
                "URLGUARD_ALLOWED_HOSTS", list(defaults.URLGUARD_ALLOWED_HOSTS)
            ),
            proxy_hosts=_proxy_hosts(proxies.values()),
        )

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        answer = super().getHostByName(name, timeout)
        if self.enabled and _key(name) not in self.proxy_hosts:
            answer.addCallback(self._judge, name)
        return answer

    def _judge(self, address: str, name: str) -> str:
        verdict = check_url(
            f"http://{_bracketed(name)}/",
            allowed_hosts=self.allowed_hosts,
            resolve=lambda _: [address],
        )
        if verdict.allowed:
            _refusals.pop(_key(name), None)  # it may have been refused earlier: not now
            return address
        reason = f"{name} resolved to {address} when connecting: {verdict.reason}"
        _remember(_key(name), reason)
        logger.warning("refused to connect: %s (DNS rebinding?)", reason)
        raise RefusedAddress(reason)


def _remember(host: str, reason: str) -> None:
    _refusals[host] = reason
    _refusals.move_to_end(host)
    while len(_refusals) > REMEMBERED_REFUSALS:
        _refusals.popitem(last=False)


def _proxy_hosts(proxy_urls: Iterable[str]) -> set[str]:
    hosts = set()
    for url in proxy_urls:
        try:
            host = urlsplit(url if "://" in url else "http://" + url).hostname
        except ValueError:
            continue
        if host:
            hosts.add(host)
    return hosts


def _key(host: str) -> str:
    return host.lower().strip("[]").rstrip(".")


def _bracketed(name: str) -> str:
    return f"[{name}]" if ":" in name else name
