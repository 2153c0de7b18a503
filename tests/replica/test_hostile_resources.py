"""The replica's hostile answers on the wire: bodies made while sent (endless, dripping), a gzip
bomb, and a proxy that requires credentials. The stub hosts are under the reserved ``.test``."""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import time
import urllib.request
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from replica.server import ReplicaWeb, RequestRecord
from replica.sites.news_faults import ENDLESS_HEAD, endless_page, gzip_bomb, large_page
from replica.web import Resource

HTML = (("Content-Type", "text/html; charset=utf-8"),)
HOST = "hostile.example.test"
LIMIT = 64 * 1024 * 1024  # an endless body's own end, far above what a test reads


class StubSite:
    def __init__(self, pages: dict[str, Resource]) -> None:
        self.pages = pages

    def resolve(self, path: str, headers: Any) -> Resource | None:
        return self.pages.get(path)


PAGES = {
    "/chunked": Resource(200, HTML, stream=endless_page(300_000, piece_size=10_000)),
    "/close": Resource(200, HTML, stream=endless_page(300_000), chunked=False),
    "/endless": Resource(200, HTML, stream=endless_page(LIMIT)),
    "/drip": Resource(200, HTML, stream=endless_page(100_000, piece_size=100), drip=0.1),
    "/page": Resource(200, HTML, b"<p>synthetic</p>"),
}


@pytest.fixture
def web() -> Iterator[ReplicaWeb]:
    with ReplicaWeb({HOST: StubSite(PAGES)}) as server:
        yield server


def _port(web: ReplicaWeb) -> int:
    return int(web.proxy_url.rsplit(":", 1)[1])


def _tunnel(web: ReplicaWeb, headers: dict[str, str] | None = None) -> http.client.HTTPSConnection:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", _port(web), timeout=10, context=context)
    conn.set_tunnel(HOST, 443, headers=headers)
    return conn


def _record(web: ReplicaWeb, path: str, timeout: float = 5) -> RequestRecord:
    """The log line of ``path``, which a streamed body writes once it is over."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in web.requests if r["path"] == path and r["method"] == "GET"]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"{path} never ended"
        time.sleep(0.01)


def test_a_chunked_stream_is_read_whole(web: ReplicaWeb) -> None:
    conn = _tunnel(web)
    conn.request("GET", "/chunked")
    response = conn.getresponse()
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.headers["Content-Length"] is None
    body = response.read()
    conn.close()
    record = _record(web, "/chunked")
    assert len(body) == 300_000 and body.startswith(ENDLESS_HEAD)
    assert record["bytes_sent"] == 300_000 and "error" not in record
    assert datetime.fromisoformat(record["ended"]) >= datetime.fromisoformat(record["time"])


def test_a_stream_framed_by_the_connection_ends_with_it(web: ReplicaWeb) -> None:
    with socket.create_connection(("127.0.0.1", _port(web)), timeout=10) as sock:
        sock.sendall(f"GET http://{HOST}/close HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert "Connection: close" in lines
    assert not [line for line in lines if line.lower().startswith(("content-length", "transfer"))]
    assert len(body) == 300_000


def test_the_server_stops_sending_when_the_client_goes_away(web: ReplicaWeb) -> None:
    conn = _tunnel(web)
    conn.request("GET", "/endless")
    response = conn.getresponse()
    assert len(response.read(1_000_000)) == 1_000_000
    conn.sock.shutdown(socket.SHUT_RDWR)  # what an abort does: no TLS goodbye
    conn.close()
    record = _record(web, "/endless")
    assert str(record.get("error", "")).startswith("client gone")
    # What the client read and the two sockets' buffers held, not the stream's end. The count is
    # of whole pieces written: the one being written when the client left is not in it.
    piece = 64 * 1024  # endless_page's
    assert 1_000_000 - piece <= record["bytes_sent"] < 1_000_000 + 16 * 1024 * 1024 < LIMIT


def test_a_dripping_body_comes_piece_by_piece_and_stop_wakes_it() -> None:
    web = ReplicaWeb({HOST: StubSite(PAGES)}).start()
    conn = _tunnel(web)
    conn.request("GET", "/drip")
    response = conn.getresponse()
    start = time.monotonic()
    got = b""
    while len(got) < len(ENDLESS_HEAD) + 500:
        got += response.read1(65536)
    assert 0.35 < time.monotonic() - start < 3  # five pieces, 0.1 s apart
    start = time.monotonic()
    web.stop()
    assert time.monotonic() - start < 2
    conn.close()
    record = _record(web, "/drip")
    assert record["bytes_sent"] < 100_000 and "error" in record


def test_a_gzip_bomb_is_small_on_the_wire_and_huge_decoded() -> None:
    bomb = gzip_bomb(1 << 30)
    assert len(bomb) < 1_100_000
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    first = decoder.decompress(bomb, 1 << 20)
    assert first == bytes(1 << 20)  # and more behind it; a whole small one checks the trailer
    small = gzip_bomb(4 << 20)
    assert zlib.decompress(small, zlib.MAX_WBITS | 16) == bytes(4 << 20)
    with pytest.raises(ValueError):
        gzip_bomb(1000)


def test_a_large_page_has_its_size() -> None:
    page = large_page(1_000_000)
    assert len(page) == 1_000_000 and page.endswith(b"</body></html>\n")


CREDENTIALS = ("synthetic-user", "synthetic-secret")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_proxy_with_credentials_refuses_a_tunnel_without_them() -> None:
    with ReplicaWeb({HOST: StubSite(PAGES)}, proxy_credentials=CREDENTIALS) as web:
        assert web.proxy_url.startswith("http://synthetic-user:synthetic-secret@127.0.0.1:")
        for headers in (None, {"Proxy-Authorization": _basic("synthetic-user", "wrong")}):
            conn = _tunnel(web, headers)
            with pytest.raises(OSError, match="407"):
                conn.request("GET", "/page")
            conn.close()
        conn = _tunnel(web, {"Proxy-Authorization": _basic(*CREDENTIALS)})
        conn.request("GET", "/page")  # inside the tunnel: the origin, no credentials
        assert conn.getresponse().read() == b"<p>synthetic</p>"
        conn.close()
        records = web.requests
    assert [(r["method"], r["status"]) for r in records] == [
        ("CONNECT", 407),
        ("CONNECT", 407),
        ("CONNECT", 200),
        ("GET", 200),
    ]
    assert "Proxy-Authorization" not in records[-1]["headers"]


def test_a_proxy_with_credentials_serves_plain_http_only_with_them() -> None:
    with ReplicaWeb({HOST: StubSite(PAGES)}, proxy_credentials=CREDENTIALS) as web:
        anonymous = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": web.proxy_url.replace("synthetic-user:", "x:")})
        )
        with pytest.raises(urllib.error.HTTPError, match="407"):
            anonymous.open(f"http://{HOST}/page", timeout=10)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
        with opener.open(f"http://{HOST}/page", timeout=10) as response:
            assert response.read() == b"<p>synthetic</p>"
        assert [r["status"] for r in web.requests] == [407, 200]
