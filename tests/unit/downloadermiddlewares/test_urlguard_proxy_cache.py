"""The URL guard asks ``proxy_bypass`` once per host name and keeps its answer."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.downloadermiddlewares import urlguard
from crawler.downloadermiddlewares.urlguard import LOOKUP_CACHE_SIZE, UrlGuardMiddleware

PROXIES = {"https": "http://127.0.0.1:3128"}


def guard_asking(monkeypatch: pytest.MonkeyPatch, bypassed: set[str]) -> list[str]:
    asked: list[str] = []

    def proxy_bypass(host: str) -> bool:
        asked.append(host)
        return host in bypassed

    monkeypatch.setattr(urlguard, "proxy_bypass", proxy_bypass)
    return asked


def test_each_host_is_asked_once_and_answered_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = guard_asking(monkeypatch, bypassed={"local.example.org"})
    guard = UrlGuardMiddleware(get_crawler(Spider), proxies=PROXIES)
    via = [
        guard._via_proxy(Request(url))
        for url in (
            "https://www.twz.com/a",
            "https://local.example.org/a",
            "https://www.twz.com/b",
            "https://local.example.org/b",
        )
    ]
    assert via == [True, False, True, False]
    assert asked == ["www.twz.com", "local.example.org"]


def test_the_answers_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = guard_asking(monkeypatch, bypassed=set())
    guard = UrlGuardMiddleware(get_crawler(Spider), proxies=PROXIES)
    for number in range(LOOKUP_CACHE_SIZE + 1):
        assert guard._via_proxy(Request(f"https://host{number}.example.com/"))
    assert guard._via_proxy(Request("https://host0.example.com/"))  # the oldest, dropped
    assert asked.count("host0.example.com") == 2
    assert len(asked) == LOOKUP_CACHE_SIZE + 2
