"""Archive every HTTP exchange of a crawl into WARC files, as it was on the wire.

Scrapy's ``response_downloaded`` signal fires before any downloader middleware touches the
response: the body is still content-encoded and ``Content-Encoding``/``Content-Length`` are intact,
which is what a WARC record must hold. Robots.txt, sitemaps, feeds, pages and every redirect hop
pass through the downloader, so all of them are captured.

What cannot be kept, because Scrapy does not expose it: the status line's reason phrase (the
standard one is written), the original order of differently named headers and their case, and the
exact request bytes (the request record is rebuilt from the headers Scrapy sent).

The records are built, compressed and written by a thread of their own
(``crawler/archive/background.py``), in the order the exchanges came: the event loop hands an
exchange over and goes on. Until the write is done the request's meta holds pending pointers
(the read-ahead's reading pickles them for its worker once they are written); on Scrapy's
``response_received`` signal, before any callback or errback sees the response, they are
replaced by the written pointers and the payload digest. A write that fails is found there, or
at the next exchange, or at the close: it is reported then, as it would have been at once.

The request record is what was sent to the origin: the headers addressed to the crawler's own
proxy (``Proxy-Authorization`` with its credentials, any other ``Proxy-*``) are left out. Scrapy
sends them on the CONNECT of an https tunnel, or to the proxy that forwards a plain http request,
never to the site.
"""

from __future__ import annotations

import logging
import platform
import socket
import sqlite3
from collections import deque
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.archive import DigestIndex, HttpExchange, WarcArchive, build_cdxj_index
from crawler.archive.background import BackgroundWriter, PendingPointer, WriterStopped
from crawler.archive.index import write_fragment
from crawler.archive.layout import DIGESTS_NAME, STATE_DIR
from crawler.archive.wacz import package_archive
from crawler.archive.writer import valid_prefix
from crawler.dates import isoformat
from crawler.truncation import warc_truncated
from crawler.util.filemodes import share_file, shared_directory

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.archive import WarcPointer, WrittenExchange

logger = logging.getLogger(__name__)

# Request.meta keys set on every captured request (the final hop of a redirect chain included).
# The two pointers are PendingPointers from the download until response_received.
META_POINTER = "warc_pointer"  # WarcPointer of the record holding the payload bytes
META_RECORD = "warc_record"  # WarcPointer of the record this fetch wrote (response or revisit)
META_FETCHED_AT = "warc_fetched_at"  # the record's WARC-Date, ISO 8601 to the second
# The WARC-Payload-Digest of the payload (None for a 304 revisit): the crawl state keeps it, so
# nothing reads it back from the record just written. Set on response_received.
META_PAYLOAD_DIGEST = "warc_payload_digest"


class CannotOpen(Exception):
    """The archive cannot be opened for a reason the message names, with what to do."""


def _open_digest_index(state_dir: Path) -> DigestIndex:
    path = state_dir / DIGESTS_NAME
    try:
        index = DigestIndex(path)
    except sqlite3.DatabaseError as exc:
        raise CannotOpen(
            f"the digest index {path} cannot be opened ({exc}); if it is damaged, move it aside "
            "(with its -wal and -shm files) or delete it: the next crawl starts a new one, and "
            "payloads archived before are then stored again instead of as revisit records"
        ) from exc
    share_file(path)
    return index


class WarcCapture:
    def __init__(self, crawler: Crawler, archive_dir: Path) -> None:
        self.crawler = crawler
        self.archive_dir = archive_dir
        self.archive: BackgroundWriter | None = None
        self.digest_index: DigestIndex | None = None
        self._write_failed = False  # an exchange could not be written: the crawl is closing
        # What the writer thread has done since the event loop last looked (deque: thread-safe).
        self._done: deque[tuple[str, str, Future[Any]]] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", defaults.WARC_ENABLED):
            raise NotConfigured("WARC_ENABLED is off")
        ext = cls(crawler, Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR)))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        # A crawl that cannot archive must not run: what it fetched would be lost.
        try:
            self._open(spider)
        except CannotOpen as exc:
            logger.error("%s; closing the crawl, nothing was fetched", exc)
        except Exception:
            logger.exception(
                "cannot open the WARC archive in %s; closing the crawl", self.archive_dir
            )
        else:
            return
        self._stats_inc("warc/open_errors")
        assert self.crawler.engine is not None
        self.crawler.engine.close_spider(spider, "warc_open_error")

    def _open(self, spider: Spider) -> None:
        settings = self.crawler.settings
        if settings.getbool("WARC_DEDUP", defaults.WARC_DEDUP):
            self.digest_index = _open_digest_index(shared_directory(self.archive_dir / STATE_DIR))
        prefix = settings.get("WARC_PREFIX", defaults.WARC_PREFIX)
        if not valid_prefix(prefix):
            raise CannotOpen(
                f"WARC_PREFIX={prefix!r} cannot start a file name: use letters, digits, '.', '_' "
                "and '-' only"
            )
        archive = WarcArchive(
            self.archive_dir,
            prefix=prefix,
            max_file_size=settings.getint("WARC_MAX_FILE_SIZE", defaults.WARC_MAX_FILE_SIZE),
            compresslevel=settings.getint("WARC_COMPRESSLEVEL", defaults.WARC_COMPRESSLEVEL),
            warcinfo=self._warcinfo(spider),
            digest_index=self.digest_index,
            on_file_closed=self._index_closed_file if self._indexing() else None,
            index_as_written=self._indexing(),
        )
        self.archive = BackgroundWriter(archive)

    def _indexing(self) -> bool:
        return self.crawler.settings.getbool("WARC_CDXJ_INDEX", defaults.WARC_CDXJ_INDEX)

    def _index_closed_file(self, path: Path) -> None:
        # Each file is indexed as its records are written and its lines sorted as it is closed,
        # so that the crawl's close only merges the files' indexes; one this misses is indexed
        # when the index is built.
        try:
            write_fragment(self.archive_dir, path)
        except Exception as exc:
            logger.warning("could not index %s now (%s); it is indexed at the close", path, exc)

    def _warcinfo(self, spider: Spider) -> dict[str, str]:
        settings = self.crawler.settings
        from importlib.metadata import version

        from crawler import __version__

        return {
            "software": (
                f"bitext-crawler/{__version__} (Scrapy {version('scrapy')}, "
                f"warcio {version('warcio')}, Python {platform.python_version()})"
            ),
            "hostname": socket.gethostname(),
            "operator": settings.get("WARC_OPERATOR", defaults.WARC_OPERATOR),
            "isPartOf": spider.name,
            "description": f"{spider.name} crawl of {getattr(spider, 'blog', '')}".strip(),
            "http-header-user-agent": settings.get("USER_AGENT", ""),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        self._look_at_writes(spider)
        if self.archive is None or self._write_failed:
            return
        exchange = exchange_from(request, response)
        pending = self.archive.write_exchange(exchange)
        pending.written.add_done_callback(
            lambda written: self._done.append(("exchange", request.url, written))
        )
        request.meta[META_POINTER] = pending.payload
        request.meta[META_RECORD] = pending.record
        request.meta.pop(META_PAYLOAD_DIGEST, None)  # an earlier hop's; set once written
        request.meta[META_FETCHED_AT] = isoformat(exchange.started_at)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """The written pointers into the meta, before any callback or errback reads it."""
        settle(request.meta)
        self._look_at_writes(spider)

    def _look_at_writes(self, spider: Spider) -> None:
        """Count the writes done since the last look; report the ones that failed."""
        while self._done:
            kind, target, written = self._done.popleft()
            error = written.exception()
            if error is None:
                if kind == "exchange":
                    revisit = written.result().is_revisit
                    self._stats_inc("warc/revisits" if revisit else "warc/responses")
            elif isinstance(error, WriterStopped):
                pass  # given before the failure was seen here; nothing more is written
            elif kind == "exchange":
                self._exchange_failed(target, error, spider)
            else:
                logger.error("cannot write the metadata record about %s: %s", target, error)
                self._stats_inc("warc/metadata_errors")

    def _exchange_failed(self, url: str, error: BaseException, spider: Spider) -> None:
        if not isinstance(error, OSError):
            logger.error("could not archive %s", url, exc_info=error)
            return
        if self._write_failed:
            return
        # A full disk or a lost mount: stop now, with every file still readable, rather than
        # go on crawling what cannot be archived.
        self._write_failed = True
        logger.error("cannot write WARC record for %s: %s; closing the crawl", url, error)
        self._stats_inc("warc/write_errors")
        assert self.crawler.engine is not None
        self.crawler.engine.close_spider(spider, "warc_write_error")

    def write_metadata(
        self, target_uri: str, payload: bytes, content_type: str, refers_to: str | None
    ) -> WarcPointer | None:
        """Add a metadata record to this crawl's archive (None when it archives nothing). The
        record is written in the order given; a write that fails is logged as an ERROR."""
        if self.archive is None or self._write_failed:
            return None
        pointer = self.archive.write_metadata(target_uri, payload, content_type, refers_to)
        pointer.written.add_done_callback(
            lambda written: self._done.append(("metadata", target_uri, written))
        )
        return pointer

    def _stats_inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is not None:
            # Every record given is written first; after a failed exchange the file stays .open.
            archive, self.archive = self.archive, None
            try:
                archive.close()
            finally:
                self._look_at_writes(spider)
        if self.digest_index is not None:
            self.digest_index.close()
        if self._indexing():
            try:
                build_cdxj_index(self.archive_dir)
            except Exception:
                logger.exception("could not build the CDXJ index of %s", self.archive_dir)
        if self.crawler.settings.getbool("WARC_WACZ", defaults.WARC_WACZ):
            self._write_wacz(spider)

    def _write_wacz(self, spider: Spider) -> None:
        # Runs after the pairs pipeline has closed (Scrapy closes pipelines before it sends
        # spider_closed), so the page list comes from this crawl's manifest.
        manifest = self.archive_dir / self.crawler.settings.get(
            "PAIRS_MANIFEST", defaults.PAIRS_MANIFEST
        )
        try:
            package = package_archive(self.archive_dir, manifest, title=spider.name)
        except Exception:
            logger.exception("could not write the WACZ of %s", self.archive_dir)
            return
        logger.info("wrote %s (%d pages listed)", package.path, len(package.pages))


def settle(meta: dict[str, Any]) -> None:
    """Put the written pointers (and the payload digest) where ``response_downloaded`` put
    pending ones, waiting for the write if it is not done; drop them if it failed. Values set
    since by others (the archive cache on a redirect's last hop) are left alone."""
    record = meta.get(META_RECORD)
    if isinstance(record, PendingPointer):
        if record.failed():
            del meta[META_RECORD]
        else:
            meta[META_RECORD] = record.resolved()
    pointer = meta.get(META_POINTER)
    if not isinstance(pointer, PendingPointer):
        return
    if pointer.failed():
        for key in (META_POINTER, META_FETCHED_AT):
            meta.pop(key, None)
        return
    written: WrittenExchange = pointer.written.result()
    meta[META_POINTER] = written.payload
    meta[META_PAYLOAD_DIGEST] = written.payload_digest


def exchange_from(request: Request, response: Response) -> HttpExchange:
    """The exchange as it went over the wire, from what Scrapy kept of it."""
    latency = float(request.meta.get("download_latency") or 0.0)
    started_at = datetime.now(UTC) - timedelta(seconds=latency)
    host = urlsplit(request.url).netloc
    request_headers = [("Host", host)]
    for name, values in request.headers.items():
        if not is_proxy_header(name):
            request_headers.extend((_text(name), _text(value)) for value in values)
    response_headers = [
        (_text(name), _text(value))
        for name in response.headers
        for value in response.headers.getlist(name)
    ]
    return HttpExchange(
        url=request.url,
        method=request.method,
        request_headers=tuple(request_headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason="",
        response_headers=tuple(response_headers),
        body=response.body,
        started_at=started_at,
        ip_address=str(response.ip_address) if response.ip_address else None,
        # Cut short on the wire or stopped at DOWNLOAD_MAXSIZE (WARC 1.1: "length"), or stopped
        # at the time budget ("time").
        truncated=warc_truncated(response.flags),
    )


def is_proxy_header(name: bytes | str) -> bool:
    """Whether a request header is addressed to the crawler's proxy, not to the origin."""
    return _text(name).strip().lower().startswith("proxy-")


def _text(value: bytes | str) -> str:
    # HTTP header bytes are ISO-8859-1 by definition; this round-trips every byte.
    return value.decode("latin-1") if isinstance(value, bytes) else value
