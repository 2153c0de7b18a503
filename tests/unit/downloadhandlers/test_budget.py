"""The download handler's pieces that can be driven without a reactor; the end-to-end tests
(tests/e2e/test_hostile_responses.py) hold it to a server on the wire."""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings

from crawler import defaults
from crawler import settings as project_settings
from crawler.downloadhandlers.budget import _AbortingTransport, time_budget

HANDLER = "crawler.downloadhandlers.budget.BudgetHTTP11DownloadHandler"


class FakeConnection:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def abortConnection(self) -> None:
        self.calls.append("abort")

    def loseConnection(self) -> None:
        self.calls.append("lose")  # over TLS: a shutdown that reads on until the peer answers

    def getPeer(self) -> str:
        return "peer"


class FakeProxy:
    """Twisted's TransportProxyProducer: ``_producer`` is the connection, None once let go."""

    def __init__(self, connection: FakeConnection | None) -> None:
        self._producer: Any = connection
        self.calls: list[str] = []

    def stopProducing(self) -> None:
        self.calls.append("stop")

    def loseConnection(self) -> None:
        self.calls.append("lose")

    def pauseProducing(self) -> None:
        self.calls.append("pause")


def test_stopping_or_closing_a_response_aborts_its_connection() -> None:
    connection = FakeConnection()
    proxy = FakeProxy(connection)
    transport = _AbortingTransport(proxy)
    transport.stopProducing()
    transport.loseConnection()
    assert connection.calls == ["abort", "abort"]
    assert proxy.calls == []
    # Everything else is the real transport's: Scrapy reads the peer and certificate from it.
    transport.pauseProducing()
    assert proxy.calls == ["pause"]
    assert transport._producer.getPeer() == "peer"


def test_a_transport_let_go_has_nothing_to_abort() -> None:
    _AbortingTransport(FakeProxy(None)).stopProducing()  # no error


def test_the_time_budget_setting() -> None:
    assert time_budget(Settings()) == defaults.RESPONSE_BUDGET_SECONDS == 30.0
    assert time_budget(Settings({"RESPONSE_BUDGET_SECONDS": "2.5"})) == 2.5
    assert time_budget(Settings({"RESPONSE_BUDGET_SECONDS": 0})) == 0.0
    assert time_budget(Settings({"RESPONSE_BUDGET_SECONDS": -1})) == 0.0
    # Below the download timeout, or it never comes into play.
    assert defaults.RESPONSE_BUDGET_SECONDS < project_settings.DOWNLOAD_TIMEOUT


def test_the_project_downloads_http_and_https_with_it() -> None:
    handlers = project_settings.DOWNLOAD_HANDLERS
    assert handlers["http"] == handlers["https"] == HANDLER
    # Scrapy's other handlers are turned off: the crawl fetches the web, nothing else.
    assert {scheme: handlers[scheme] for scheme in handlers if scheme not in ("http", "https")} == (
        dict.fromkeys(("file", "s3", "ftp", "data"))
    )
