"""The URL guard as Scrapy runs it: built from settings, driven without a reactor."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler.downloadermiddlewares.urlguard import (
    STATS_REFUSED,
    CachedLookup,
    UrlGuardMiddleware,
    UrlRefused,
)
from crawler.spiders.failures import failure_status

GUARD = "crawler.downloadermiddlewares.urlguard.UrlGuardMiddleware"


class FakeLookup:
    """Answers from a table, records what it was asked; a missing name fails like DNS does."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def make_guard(
    settings: dict[str, Any] | None = None,
    answers: dict[str, list[str]] | None = None,
    proxies: dict[str, str] | None = None,
) -> tuple[UrlGuardMiddleware, FakeLookup]:
    crawler = get_crawler(Spider, settings)
    guard = UrlGuardMiddleware.from_crawler(crawler)
    lookup = FakeLookup(answers or {})
    if guard.lookup is not None:
        guard.lookup = lookup
    guard.proxies = proxies or {}
    return guard, lookup


def run(guard: UrlGuardMiddleware, request: Request) -> None:
    asyncio.run(guard.process_request(request))


def refused_count(guard: UrlGuardMiddleware) -> int:
    assert guard.crawler.stats is not None
    return int(guard.crawler.stats.get_value(STATS_REFUSED, 0))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.com/file",
        "s3://bucket/key",
        "data:text/html,<p>hi</p>",
        "http://127.0.0.1:9/secret",
        "http://2130706433/",
        "http://evil@127.0.0.1/",
        "http://localhost:8080/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_internal_or_non_http_requests_are_refused(url: str) -> None:
    guard, lookup = make_guard()
    request = Request(url)
    with pytest.raises(UrlRefused) as refused:
        run(guard, request)
    assert isinstance(refused.value, IgnoreRequest)  # Scrapy calls the errback, logs nothing
    assert refused.value.url == request.url
    assert str(refused.value) == refused.value.reason != ""
    assert refused_count(guard) == 1
    assert lookup.asked == []


def test_a_public_request_passes_after_a_lookup() -> None:
    guard, lookup = make_guard(answers={"www.twz.com": ["93.184.215.14"]})
    request = Request("https://www.twz.com/air/")
    assert asyncio.run(guard.process_request(request)) is None
    assert lookup.asked == ["www.twz.com"]
    assert refused_count(guard) == 0


def test_a_name_resolving_inside_is_refused() -> None:
    guard, _ = make_guard(answers={"rebind.example.com": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(UrlRefused, match=r"rebind\.example\.com resolves to 10\.0\.0\.7"):
        run(guard, Request("https://rebind.example.com/"))
    assert refused_count(guard) == 1


def test_a_failed_lookup_lets_the_fetch_decide() -> None:
    guard, lookup = make_guard()
    run(guard, Request("https://no-such-host.example.net/"))
    assert lookup.asked == ["no-such-host.example.net"]
    assert refused_count(guard) == 0


def test_no_lookup_when_resolving_is_off() -> None:
    guard, _ = make_guard({"URLGUARD_RESOLVE": False})
    assert guard.lookup is None
    run(guard, Request("https://rebind.example.com/"))  # would resolve inside; not asked
    with pytest.raises(UrlRefused):
        run(guard, Request("http://127.0.0.1/"))  # literals are still refused


def test_a_proxied_request_is_judged_without_a_local_lookup() -> None:
    guard, lookup = make_guard(answers={"www.twz.com": ["10.0.0.1"]})
    run(guard, Request("https://www.twz.com/", meta={"proxy": "http://127.0.0.1:3128"}))
    guard.proxies = {"https": "http://127.0.0.1:3128"}
    run(guard, Request("https://www.twz.com/"))  # the environment's proxy applies
    assert lookup.asked == []
    # The target is still judged: the proxy must not be asked for an internal address.
    with pytest.raises(UrlRefused):
        run(guard, Request("http://169.254.169.254/", meta={"proxy": "http://127.0.0.1:3128"}))
    # A request that opts out of the proxy is resolved here again.
    with pytest.raises(UrlRefused):
        run(guard, Request("https://www.twz.com/", meta={"proxy": None}))
    assert lookup.asked == ["www.twz.com"]


def test_no_proxy_hosts_are_resolved_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "www.twz.com")
    guard, lookup = make_guard(
        answers={"www.twz.com": ["10.0.0.1"]}, proxies={"https": "http://127.0.0.1:3128"}
    )
    with pytest.raises(UrlRefused):
        run(guard, Request("https://www.twz.com/"))
    assert lookup.asked == ["www.twz.com"]


def test_environment_proxies_are_read_like_scrapy_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:3128")
    guard = UrlGuardMiddleware.from_crawler(get_crawler(Spider))
    assert guard.proxies.get("https") == "http://127.0.0.1:3128"
    assert isinstance(guard.lookup, CachedLookup)
    off = UrlGuardMiddleware.from_crawler(get_crawler(Spider, {"HTTPPROXY_ENABLED": False}))
    assert off.proxies == {}


def test_allowed_hosts_come_from_settings() -> None:
    guard, _ = make_guard({"URLGUARD_ALLOWED_HOSTS": ["wiki.internal", "10.1.0.0/16"]})
    run(guard, Request("http://wiki.internal/page"))
    run(guard, Request("http://10.1.2.3/"))
    with pytest.raises(UrlRefused):
        run(guard, Request("http://10.2.0.1/"))


def test_a_bad_allowed_host_stops_the_crawl_at_start() -> None:
    with pytest.raises(ValueError, match="unreadable allowed host"):
        make_guard({"URLGUARD_ALLOWED_HOSTS": ["not a host"]})


def test_the_guard_can_be_switched_off() -> None:
    with pytest.raises(NotConfigured):
        UrlGuardMiddleware.from_crawler(get_crawler(Spider, {"URLGUARD_ENABLED": False}))


def test_a_redirect_to_an_internal_address_is_refused_at_that_hop() -> None:
    crawler = get_crawler(Spider)
    redirects = RedirectMiddleware.from_crawler(crawler)
    guard, lookup = make_guard(answers={"go.shortlink.example": ["93.184.215.14"]})
    cited = Request(
        "https://go.shortlink.example/r/x", meta={"cited_url": "https://go.shortlink.example/r/x"}
    )
    run(guard, cited)
    assert lookup.asked == ["go.shortlink.example"]
    response = Response(
        cited.url, status=302, headers={"Location": "http://127.0.0.1:9/secret"}, request=cited
    )
    hop = redirects.process_response(cited, response)
    assert isinstance(hop, Request) and hop.url == "http://127.0.0.1:9/secret"
    with pytest.raises(UrlRefused) as refused:
        run(guard, hop)
    assert refused.value.reason.startswith("redirected to http://127.0.0.1:9/secret, refused:")
    assert "loopback" in refused.value.reason
    assert hop.meta["cited_url"] == cited.url  # the errback can still name the cited URL


def test_a_redirect_out_of_the_web_is_source_refused_not_an_http_error() -> None:
    """Scrapy's RedirectMiddleware hands a redirect to file: back unfollowed; the guard never sees
    a request, so the outcome says why it was refused."""
    from scrapy.spidermiddlewares.httperror import HttpError

    redirects = RedirectMiddleware.from_crawler(get_crawler(Spider))
    cited = Request("https://go.shortlink.example/r/x")
    for location, scheme in (("file:///etc/passwd", "file:"), ("ftp://10.0.0.5/pub", "ftp:")):
        response = Response(cited.url, status=302, headers={"Location": location}, request=cited)
        assert redirects.process_response(cited, response) is response
        status, error, kept = failure_status(Failure(HttpError(response)))
        assert status == "source_refused" and kept is None  # the pair has no source side
        assert error.startswith(f"redirected to {location}, refused: the URL has {scheme}")
    followed = Response(
        cited.url, status=302, headers={"Location": "https://www.twz.com/x"}, request=cited
    )
    assert failure_status(Failure(HttpError(followed)))[:2] == (
        "source_http_error",
        "HTTP 302 Found",
    )


def test_a_refusal_becomes_source_refused_with_its_reason() -> None:
    failure = Failure(UrlRefused("http://localhost/", "localhost is a local-only name"))
    assert failure_status(failure) == ("source_refused", "localhost is a local-only name", None)
    robots = Failure(IgnoreRequest("Forbidden by robots.txt"))
    assert failure_status(robots)[0] == "source_blocked_by_robots"


def test_the_project_runs_the_guard_before_robots_txt_and_the_proxy() -> None:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    order = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    position = {path.rsplit(".", 1)[-1]: i for i, path in enumerate(order)}
    assert GUARD in order
    assert position["UrlGuardMiddleware"] < position["RobotsTxtMiddleware"]
    assert position["UrlGuardMiddleware"] < position["HttpProxyMiddleware"]
    assert position["UrlGuardMiddleware"] < position["RedirectMiddleware"]


def test_cached_lookup_asks_once_per_name_and_forgets_failures() -> None:
    calls: list[str] = []

    def getaddrinfo(host: str, port: object, **kwargs: object) -> list[tuple[Any, ...]]:
        calls.append(host)
        if host == "down.example":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800::1", 0, 0, 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0)),
        ]

    lookup = CachedLookup(getaddrinfo, size=1)

    async def scenario() -> list[Sequence[str]]:
        first = await lookup("www.twz.com")
        again = await lookup("www.twz.com")
        for _ in range(2):
            with pytest.raises(socket.gaierror):
                await lookup("down.example")
        other = await lookup("news.usni.org")  # evicts www.twz.com (size 1)
        evicted = await lookup("www.twz.com")
        return [first, again, other, evicted]

    first, again, _, evicted = asyncio.run(scenario())
    assert list(first) == ["93.184.215.14", "2606:2800::1"]
    assert again == first == evicted
    assert calls == ["www.twz.com", "down.example", "down.example", "news.usni.org", "www.twz.com"]
