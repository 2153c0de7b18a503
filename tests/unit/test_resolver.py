"""crawler/resolver.py: the address a direct connection is made to is judged as it is resolved,
so a name that rebinds to an internal address after the guard's lookup is still refused."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.resolver import dnscache
from scrapy.settings import Settings
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler.resolver import GuardedResolver, RefusedAddress, refusal
from crawler.spiders.failures import failure_status

PUBLIC = "93.184.215.14"


@pytest.fixture(autouse=True)
def answers() -> Iterator[dict[str, str]]:
    """What the resolver's lookups answer: Scrapy's cache, primed, so no lookup leaves the test."""
    saved = dict(dnscache)
    dnscache.clear()
    table: dict[str, str] = {}
    yield table
    dnscache.clear()
    dnscache.update(saved)


def resolver(answers: dict[str, str], **options: object) -> GuardedResolver:
    guarded = GuardedResolver(SimpleNamespace(), 100, 5.0, **options)  # type: ignore[arg-type]
    dnscache.update(answers)
    return guarded


def resolved(guarded: GuardedResolver, name: str) -> str | Failure:
    results: list[str | Failure] = []
    guarded.getHostByName(name).addBoth(results.append)
    (result,) = results  # the cache answers at once
    return result


def test_a_public_answer_is_returned(answers: dict[str, str]) -> None:
    assert resolved(resolver({"www.twz.com": PUBLIC}), "www.twz.com") == PUBLIC
    assert refusal("www.twz.com") is None


def test_a_name_that_now_resolves_to_loopback_is_refused_and_the_reason_kept() -> None:
    guarded = resolver({"rebind.news-synthetic.com": "127.0.0.1"})
    result = resolved(guarded, "rebind.news-synthetic.com")
    assert isinstance(result, Failure) and result.check(RefusedAddress, DNSLookupError)
    reason = refusal("Rebind.News-Synthetic.com.")
    assert reason is not None and reason.startswith(
        "rebind.news-synthetic.com resolved to 127.0.0.1 when connecting: "
    )
    assert "loopback" in reason
    # The connection reports a lookup that gave nothing; the outcome reads the reason back.
    failure = Failure(DNSLookupError("no results for hostname lookup: rebind.news-synthetic.com"))
    failure.request = Request("https://rebind.news-synthetic.com/x")  # type: ignore[attr-defined]
    assert failure_status(failure) == ("source_refused", reason, None)
    # Once the name answers a public address again, it is no longer reported as refused.
    dnscache["rebind.news-synthetic.com"] = PUBLIC
    assert resolved(guarded, "rebind.news-synthetic.com") == PUBLIC
    assert refusal("rebind.news-synthetic.com") is None
    assert failure_status(failure)[0] == "source_unreachable"


def test_proxies_allowed_hosts_and_a_disabled_guard_are_not_judged() -> None:
    answers = {"proxy.corp.example": "10.0.0.8", "archive.lan.example": "192.168.1.20"}
    guarded = resolver(
        answers, proxy_hosts=["proxy.corp.example"], allowed_hosts=["192.168.1.0/24"]
    )
    assert resolved(guarded, "proxy.corp.example") == "10.0.0.8"
    assert resolved(guarded, "archive.lan.example") == "192.168.1.20"
    assert resolved(resolver({"x.example": "127.0.0.1"}, enabled=False), "x.example") == "127.0.0.1"


def test_the_project_installs_it_with_the_guards_settings_and_the_environment_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    assert settings["TWISTED_DNS_RESOLVER"] == "crawler.resolver.GuardedResolver"
    settings.set("URLGUARD_ALLOWED_HOSTS", ["10.1.0.0/16"])
    monkeypatch.setenv("https_proxy", "http://user:secret@proxy.corp.example:3128")
    # Scrapy builds the resolver from its CrawlerProcess, which has settings and no spider.
    guarded = GuardedResolver.from_crawler(SimpleNamespace(settings=settings), SimpleNamespace())  # type: ignore[arg-type]
    assert guarded.enabled and guarded.allowed_hosts == ("10.1.0.0/16",)
    assert guarded.proxy_hosts == frozenset({"proxy.corp.example"})
    assert guarded.timeout == settings.getfloat("DNS_TIMEOUT")
    settings.set("URLGUARD_ENABLED", False)
    off = GuardedResolver.from_crawler(SimpleNamespace(settings=settings), SimpleNamespace())  # type: ignore[arg-type]
    assert not off.enabled


def test_a_cache_miss_is_judged_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a cached answer the lookup runs in a thread; its answer is judged the same way."""
    from scrapy.resolver import CachingThreadedResolver
    from twisted.internet.base import ThreadedResolver

    monkeypatch.setattr(
        ThreadedResolver, "getHostByName", lambda self, name, timeout=(): defer.succeed("10.9.9.9")
    )
    guarded = resolver({})
    assert isinstance(guarded, CachingThreadedResolver)
    result = resolved(guarded, "fresh.news-synthetic.com")
    assert isinstance(result, Failure) and result.check(RefusedAddress)
    assert (
        dnscache["fresh.news-synthetic.com"] == "10.9.9.9"
    )  # cached as answered, judged each time
    assert isinstance(resolved(guarded, "fresh.news-synthetic.com"), Failure)
