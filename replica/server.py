"""The replica web's forward proxy: real URLs in, replica resources out, all on 127.0.0.1.

A crawler reaches the replica by pointing ``http_proxy``/``https_proxy`` at ``proxy_url``; it keeps
crawling the real URLs. Plain http arrives in absolute form (``GET http://host/path``); https
arrives as ``CONNECT host:443``, after which the proxy itself terminates TLS with a certificate made
at start-up and serves the requests inside the tunnel.

With ``proxy_credentials`` the proxy requires HTTP Basic credentials (``Proxy-Authorization``) on
what is addressed to it, CONNECT and absolute-form requests, as an authenticating corporate proxy
does, and answers 407 without them; requests inside a tunnel go to the origin and need none.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import itertools
import json
import os
import socket
import socketserver
import ssl
import struct
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import IO, NotRequired, TypedDict
from urllib.parse import quote, urlsplit

import trustme

from replica.web import Resource, Site

SERVER_NAME = "replica-web/1 (synthetic)"
IDLE_TIMEOUT = 30.0  # seconds an idle keep-alive connection is kept open

_HTML = (("Content-Type", "text/html; charset=utf-8"),)
NOT_FOUND = Resource(
    404, _HTML, b"<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1></body></html>\n"
)
SERVER_ERROR = Resource(
    500, _HTML, b"<!DOCTYPE html>\n<html><body><h1>500 Error</h1></body></html>\n"
)
_REASONS = {status.value: status.phrase for status in HTTPStatus}
# The server sets these itself so that they always match what goes on the wire.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


class RequestRecord(TypedDict):
    """One line of the request log."""

    time: str  # ISO 8601, UTC, when the request line arrived
    conn: int  # client connection number: equal numbers mean a reused (keep-alive) connection
    method: str
    scheme: str  # "https" inside a CONNECT tunnel, else "http" (or what an absolute URL says)
    host: str
    path: str  # with the query string; "" for CONNECT
    url: str  # full URL; "host:port" for CONNECT
    status: int | str  # HTTP status, or "reset" / "closed" when nothing was answered
    bytes_sent: int  # body bytes written to the socket
    headers: dict[str, list[str]]  # request headers, names as sent
    error: NotRequired[str]  # a Site exception (status 500) or a client that went away
    ended: NotRequired[str]  # a streamed body: ISO 8601, UTC, when its last piece went out


class RequestHeaders(Mapping[str, str]):
    """Request headers as given to ``Site.resolve``: names match case-insensitively."""

    def __init__(self, message: Message) -> None:
        self._values: dict[str, str] = {}
        for name, value in message.items():
            self._values.setdefault(name.lower(), value)

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding value allows gzip (RFC 9110: q=0 refuses, ``*`` matches)."""
    weights: dict[str, float] = {}
    for part in (accept_encoding or "").split(","):
        name, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.lower()] = weight
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    # ThreadingMixIn joins handler threads in server_close(); ReplicaWeb.stop() wakes them first.
    block_on_close = True

    def __init__(self, web: ReplicaWeb, port: int) -> None:
        self.web = web
        super().__init__(("127.0.0.1", port), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # small TLS records otherwise wait ~40 ms for delayed ACKs
    server: _ProxyServer

    def setup(self) -> None:
        super().setup()
        self.web = self.server.web
        self.conn_id = self.web._register(self)
        self.tunnel: tuple[str, int] | None = None

    def handle(self) -> None:
        if self.web._stopping.is_set():
            return  # accepted while stopping, after stop() shut the open connections
        # A client gone mid-response (or a failed TLS handshake) loses only its own connection.
        with contextlib.suppress(OSError):
            super().handle()

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):
                super().finish()
        finally:
            if self.connection is not self.request:  # the TLS socket; the server closes the raw one
                self.connection.close()
            self.web._unregister(self)

    def parse_request(self) -> bool:
        self.arrived = datetime.now(UTC)
        return super().parse_request()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log replaces the stderr access log

    def do_CONNECT(self) -> None:
        host, _, port_text = self.path.rpartition(":")
        host = host.strip("[]").lower()
        port = int(port_text) if port_text.isdigit() else 443
        known = self.tunnel is None and host in self.web.sites
        self.target = ("http", host, "", f"{host}:{port}")
        if self.tunnel is None and not self._proxy_authorized():
            return
        self._log(200 if known else 502)
        if not known:
            self.send_response_only(502)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.rfile.close()
        tls = self.web._tls.wrap_socket(self.connection, server_side=True)
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunnel = (host, port)
        self.close_connection = False  # a tunnel lives on even when CONNECT came as HTTP/1.0

    def do_GET(self) -> None:
        scheme = "https" if self.tunnel else "http"
        if self.path.startswith(("http://", "https://")):
            target = urlsplit(self.path)
            scheme = "https" if self.tunnel else target.scheme
            host, port = (target.hostname or ""), target.port
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        else:
            authority = urlsplit(f"//{self.headers.get('Host', '')}")
            host, port, path = (authority.hostname or ""), authority.port, self.path
        if self.tunnel:
            host, port = self.tunnel  # the bytes went where the tunnel goes, whatever Host says
        default_port = 443 if scheme == "https" else 80
        netloc = host if port in (None, default_port) else f"{host}:{port}"
        self.target = (scheme, host, path, f"{scheme}://{netloc}{path}")
        if self.tunnel is None and not self._proxy_authorized():
            return
        site = self.web.sites.get(host)
        if site is None:
            # What an unreachable origin looks like through a plain-http proxy: no answer at all.
            self._log("closed")
            self.close_connection = True
            return
        error = None
        try:
            resource = site.resolve(path, RequestHeaders(self.headers)) or NOT_FOUND
        except Exception as exc:
            resource, error = SERVER_ERROR, f"{type(exc).__name__}: {exc}"
        if resource.delay and self.web._stopping.wait(resource.delay):
            self._log("closed")
            self.close_connection = True
            return
        if resource.reset:
            self._log("reset")
            self._reset()
            return
        self._respond(resource, error)

    do_HEAD = do_GET

    def _proxy_authorized(self) -> bool:
        """Whether a request addressed to the proxy carries its credentials; answers 407 if not."""
        expected = self.web.proxy_credentials
        if expected is None or _basic_credentials(self.headers.get("Proxy-Authorization")) == (
            expected
        ):
            return True
        self._log(407)
        self.send_response_only(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="replica-web"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        return False

    def _respond(self, resource: Resource, error: str | None) -> None:
        body = resource.body
        headers = [(n, v) for n, v in resource.headers if n.lower() not in _FRAMING_HEADERS]
        if resource.stream is not None:
            self._stream(resource, headers, error)
            return
        if resource.gzip and accepts_gzip(self.headers.get("Accept-Encoding")):
            body = gzip.compress(body, mtime=0)  # mtime=0: the same bytes on every request
            headers.append(("Content-Encoding", "gzip"))
        names = {name.lower() for name, _ in headers}
        if "date" not in names:
            headers.append(("Date", formatdate(usegmt=True)))
        if "server" not in names:
            headers.append(("Server", SERVER_NAME))
        headers.append(("Content-Length", str(len(body))))
        payload = b"" if self.command == "HEAD" else body
        if resource.truncate_to is not None:
            payload = payload[: resource.truncate_to]
            self.close_connection = True
        elif self.close_connection:
            headers.append(("Connection", "close"))
        if any(n.lower() == "connection" and v.lower() == "close" for n, v in headers):
            self.close_connection = True
        lines = [f"{self.protocol_version} {resource.status} {_REASONS.get(resource.status, '')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
        # The record is logged before the last byte goes out, so a client that has read its
        # whole response always finds it in the log.
        try:
            self.wfile.write(data[:-1])
        except OSError as exc:
            self._log(resource.status, 0, error or f"client gone: {exc}")
            raise
        self._log(resource.status, len(payload), error)
        self.wfile.write(data[-1:])
        self.wfile.flush()

    def _stream(
        self, resource: Resource, headers: list[tuple[str, str]], error: str | None
    ) -> None:
        """Send a body made on the fly, piece by piece, until it ends or the client goes away.

        The record is logged once the body is over, with the bytes the socket took and why it
        ended, so a test can tell a client that stopped reading from one that read on.
        """
        assert resource.stream is not None
        names = {name.lower() for name, _ in headers}
        if "date" not in names:
            headers.append(("Date", formatdate(usegmt=True)))
        if "server" not in names:
            headers.append(("Server", SERVER_NAME))
        if resource.chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Connection", "close"))
            self.close_connection = True
        lines = [f"{self.protocol_version} {resource.status} {_REASONS.get(resource.status, '')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        sent, problem = 0, error
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            self.wfile.flush()
            pieces = iter(resource.stream()) if self.command != "HEAD" else iter(())
            for piece in pieces:
                # wait(0) is a plain check: a stop wakes a dripping body at once.
                if self.web._stopping.wait(resource.drip):
                    problem = "the server stopped"
                    self.close_connection = True
                    break
                if not piece:
                    continue
                framed = b"%x\r\n%s\r\n" % (len(piece), piece) if resource.chunked else piece
                self.wfile.write(framed)
                self.wfile.flush()
                sent += len(piece)
            else:
                if resource.chunked and self.command != "HEAD":
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
        except OSError as exc:
            problem = f"client gone: {exc}"
            self.close_connection = True
        finally:
            self._log(resource.status, sent, problem, ended=datetime.now(UTC))

    def _reset(self) -> None:
        """Drop the connection with a TCP RST: SO_LINGER 0, then close the descriptor itself."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # detach(): makefile() readers hold the socket open, so close() alone would not close it.
        os.close(self.connection.detach())
        self.close_connection = True

    def _log(
        self,
        status: int | str,
        sent: int = 0,
        error: str | None = None,
        ended: datetime | None = None,
    ) -> None:
        scheme, host, path, url = self.target
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name, []).append(value)
        record = RequestRecord(
            time=self.arrived.isoformat(),
            conn=self.conn_id,
            method=self.command,
            scheme=scheme,
            host=host,
            path=path,
            url=url,
            status=status,
            bytes_sent=sent,
            headers=headers,
        )
        if error:
            record["error"] = error
        if ended is not None:
            record["ended"] = ended.isoformat()
        self.web._record(record)


def _basic_credentials(value: str | None) -> tuple[str, str] | None:
    """(user, password) of a ``Basic`` credentials header value; None if it is not one."""
    scheme, _, token = (value or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = (
            base64.b64decode(token.strip(), validate=True).decode("latin-1").partition(":")
        )
    except (binascii.Error, ValueError):
        return None
    return (user, password) if colon else None


class ReplicaWeb:
    """A threaded forward proxy on 127.0.0.1 that serves ``sites`` (host name -> Site)."""

    def __init__(
        self,
        sites: Mapping[str, Site],
        log_path: Path | str | None = None,
        port: int = 0,
        *,
        proxy_credentials: tuple[str, str] | None = None,
    ) -> None:
        self.sites: dict[str, Site] = {host.lower(): site for host, site in sites.items()}
        self.proxy_credentials = proxy_credentials
        self.log_path = Path(log_path) if log_path is not None else None
        self.ca = trustme.CA()  # clients that verify certificates can trust this CA
        self._port = port
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._handlers: set[_ProxyHandler] = set()
        self._conn_ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None
        self._log_file: IO[str] | None = None
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.set_alpn_protocols(["http/1.1"])

    @property
    def proxy_url(self) -> str:
        """The proxy's URL, with its credentials as userinfo when it requires some."""
        if self._server is None:
            raise RuntimeError("the replica web is not running")
        userinfo = ""
        if self.proxy_credentials is not None:
            user, password = self.proxy_credentials
            userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}@"
        return f"http://{userinfo}127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ReplicaWeb:
        if self._server is not None or self._stopping.is_set():
            raise RuntimeError("a ReplicaWeb starts once")
        self.ca.issue_cert(*(self.sites or ["localhost"])).configure_cert(self._tls)
        self._server = _ProxyServer(self, self._port)
        if self.log_path is not None:
            self._log_file = self.log_path.open("a", encoding="utf-8")
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._stopping.is_set():
            return
        self._stopping.set()  # wakes handlers sleeping on a delay
        self._server.shutdown()
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            with contextlib.suppress(OSError):
                # The plain socket method: SSLSocket.shutdown would race the reading thread.
                socket.socket.shutdown(handler.connection, socket.SHUT_RDWR)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> ReplicaWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._records)

    def urls(self) -> list[str]:
        """The URLs requested (CONNECT tunnels left out), in order."""
        return [r["url"] for r in self.requests if r["method"] != "CONNECT"]

    def count(self, url: str) -> int:
        return self.urls().count(url)

    def clear(self) -> None:
        """Forget the in-memory log; the JSONL file keeps the whole history."""
        with self._lock:
            self._records.clear()

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            if self._log_file is not None:
                self._log_file.write(json.dumps(record, ensure_ascii=False) + "\n")
                self._log_file.flush()

    def _register(self, handler: _ProxyHandler) -> int:
        with self._lock:
            self._handlers.add(handler)
            return next(self._conn_ids)

    def _unregister(self, handler: _ProxyHandler) -> None:
        with self._lock:
            self._handlers.discard(handler)
