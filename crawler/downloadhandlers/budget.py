"""Scrapy's HTTP/1.1 download handler, with downloads that end when they are stopped, and a time
budget for the responses whose partial answers are kept.

**Stopping.** A signal handler stops a download by raising ``StopDownload`` (the spider does at
DOWNLOAD_MAXSIZE, ``crawler/spiders/cited_fetches.py``). Scrapy then calls the response
transport's ``stopProducing()`` and ``loseConnection()``. On plain TCP that closes the socket,
but over TLS (every https URL, and every request inside a proxy's CONNECT tunnel) both mean a TLS
shutdown: send close_notify, then wait for the peer's, *reading on* meanwhile. A server busy
sending an endless body never answers it, so the connection was read, and the bytes thrown away,
until the server stopped or the crawl ended. At the headers the transport is also paused, so the
socket stayed open, unread, for as long as the server kept it. Here the transport of every
response aborts the connection instead (``abortConnection``: no further read, no TLS goodbye),
which is what Scrapy itself does when it cancels a download.

**Time budget.** A request with ``meta[META_BUDGET]`` whose body has not ended
``RESPONSE_BUDGET_SECONDS`` after it was sent is stopped there: the connection is aborted and the
response goes on with its status, headers and the bytes received, flagged ``download_stopped``
and ``time_budget`` (archived with ``WARC-Truncated: time``). DOWNLOAD_TIMEOUT, by contrast,
discards everything and retries; it still ends a request whose headers never come.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _ResponseReader,
    _ResultT,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError, StopDownload
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

from crawler import defaults
from crawler.truncation import FLAG_TIME, META_BUDGET

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.internet.base import DelayedCall, ReactorBase
    from twisted.internet.defer import Deferred
    from twisted.web.client import Response as TxResponse

logger = logging.getLogger(__name__)

STATS_TIME_STOPPED = "bitext/budget/time_stopped"


def time_budget(settings: BaseSettings) -> float:
    """RESPONSE_BUDGET_SECONDS: seconds from sending a budgeted request to its last body byte
    (0: no time budget)."""
    return max(0.0, settings.getfloat("RESPONSE_BUDGET_SECONDS", defaults.RESPONSE_BUDGET_SECONDS))


class BudgetHTTP11DownloadHandler(HTTP11DownloadHandler):
    """``DOWNLOAD_HANDLERS`` for http and https: Scrapy's HTTP/1.1 handler, whose stopped
    downloads close their connection, with the time budget of budgeted requests."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._time_budget = time_budget(crawler.settings)

    async def download_request(self, request: Request) -> Response:
        # Scrapy's own method with this module's agent (the spider attributes download_maxsize
        # and download_warnsize, deprecated, are not read: the settings and meta keys are).
        agent = _BudgetAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
            time_budget=self._time_budget if request.meta.get(META_BUDGET) else 0.0,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise


class _AbortingTransport:
    """A response's transport (Twisted's ``TransportProxyProducer``) whose stop and close abort
    the connection; everything else goes to the real one."""

    def __init__(self, proxy: Any) -> None:
        self._proxy = proxy

    def stopProducing(self) -> None:
        self.abort()

    def loseConnection(self) -> None:
        self.abort()

    def abort(self) -> None:
        # The proxy lets go of the connection once the response is over: nothing to abort then.
        connection = getattr(self._proxy, "_producer", None)
        if connection is not None:
            connection.abortConnection()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proxy, name)


class _BudgetAgent(_ScrapyAgent):
    """One download: Scrapy's agent, with the aborting transport and the time budget."""

    def __init__(self, *, time_budget: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._time_budget = time_budget
        self._budget_call: DelayedCall | None = None
        self._out_of_time = False
        self._started = 0.0

    def download_request(self, request: Request) -> Deferred[Response]:
        from twisted.internet import reactor

        self._started = monotonic()
        d = super().download_request(request)
        if self._time_budget > 0:
            self._budget_call = cast("ReactorBase", reactor).callLater(
                self._time_budget, self._budget_spent, request
            )
            d.addBoth(self._end_budget)
        return d

    def _end_budget(self, result: Any) -> Any:
        if self._budget_call is not None and self._budget_call.active():
            self._budget_call.cancel()
        return result

    def _cb_bodyready(
        self, txresponse: TxResponse, request: Request
    ) -> _ResultT | Deferred[_ResultT]:
        # Before Scrapy hands the transport to its reader or stops the download with it.
        txresponse._transport = _AbortingTransport(txresponse._transport)
        if self._out_of_time:
            # The headers came after the budget was spent: keep them, and no body.
            self._log_stop(request, 0)
            txresponse._transport.abort()
            return {
                "txresponse": txresponse,
                "flags": [FLAG_TIME],
                "stop_download": StopDownload(fail=False),
                "certificate": getattr(txresponse, "_scrapy_certificate", None),
                "ip_address": getattr(txresponse, "_scrapy_ip_address", None),
            }
        return super()._cb_bodyready(txresponse, request)

    def _budget_spent(self, request: Request) -> None:
        self._out_of_time = True
        txresponse = self._txresponse  # set once the body is being read
        reader = getattr(txresponse, "_bodyProtocol", None)
        if txresponse is None or not isinstance(reader, _ResponseReader):
            return  # no headers yet: they are stopped on arrival, or DOWNLOAD_TIMEOUT ends it
        if reader._finished.called:
            return
        self._log_stop(request, reader._bytes_received)
        txresponse._transport.abort()
        reader._finish_response(flags=[FLAG_TIME], stop_download=StopDownload(fail=False))

    def _log_stop(self, request: Request, received: int) -> None:
        logger.warning(
            "stopped %s after %.1f s, its time budget (RESPONSE_BUDGET_SECONDS = %g): "
            "%d body bytes received are kept",
            request.url,
            monotonic() - self._started,
            self._time_budget,
            received,
        )
        if self._crawler.stats is not None:
            self._crawler.stats.inc_value(STATS_TIME_STOPPED)
