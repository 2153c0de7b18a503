"""The replica web's forward proxy, checked on the wire with stdlib clients and a real Scrapy crawl.

The stub sites here are synthetic; their host names are under the reserved ``.test`` domain.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from replica.server import ReplicaWeb, accepts_gzip
from replica.web import Resource

HTML = (("Content-Type", "text/html; charset=utf-8"),)
PAGE = b"<html><head><title>Synthetic page</title></head><body>" + b"synthetic text " * 200
PAGE += b"</body></html>"
BIG = b"x" * (8 * 1024 * 1024)


class StubSite:
    """A synthetic host: fixed resources by path, and a path that raises inside the site."""

    def __init__(self, pages: Mapping[str, Resource]) -> None:
        self.pages = dict(pages)
        self.seen: list[tuple[str, dict[str, str]]] = []

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        self.seen.append((path, {"user-agent": headers.get("User-Agent", "")}))
        if path == "/boom":
            raise RuntimeError("synthetic site failure")
        return self.pages.get(path)


def stub_sites() -> dict[str, StubSite]:
    pages = {
        "/": Resource(200, HTML, PAGE),
        "/page?id=7": Resource(200, HTML, b"<p>query seven</p>"),
        "/cookies": Resource(
            200, (*HTML, ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")), b"ok"
        ),
        "/dated": Resource(200, (("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),), b"d"),
        "/gz": Resource(200, HTML, PAGE, gzip=True),
        "/short": Resource(200, HTML, b"0123456789" * 10, truncate_to=25),
        "/reset": Resource(reset=True),
        "/slow": Resource(200, HTML, b"slow", delay=0.6),
        "/hang": Resource(200, HTML, b"never", delay=30.0),
        "/big": Resource(200, (("Content-Type", "application/octet-stream"),), BIG),
    }
    return {"a.example.test": StubSite(pages), "b.example.test": StubSite(pages)}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[ReplicaWeb]:
    with ReplicaWeb(stub_sites(), log_path=tmp_path / "requests.jsonl") as server:
        yield server


def proxy_port(web: ReplicaWeb) -> int:
    return int(web.proxy_url.rsplit(":", 1)[1])


def tunnel(
    web: ReplicaWeb, host: str, context: ssl.SSLContext | None = None
) -> http.client.HTTPSConnection:
    if context is None:  # like Scrapy: no certificate verification
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", proxy_port(web), timeout=10, context=context)
    conn.set_tunnel(host, 443)
    return conn


def raw_exchange(web: ReplicaWeb, request: bytes) -> bytes:
    """Send one plain request to the proxy and read everything until the server closes."""
    with socket.create_connection(("127.0.0.1", proxy_port(web)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[list[str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), body


def test_plain_http_through_proxy_handler(web: ReplicaWeb) -> None:
    assert web.proxy_url.startswith("http://127.0.0.1:")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    opener.addheaders = [("User-Agent", "synthetic-agent/1.0")]
    with opener.open("http://a.example.test/page?id=7", timeout=10) as response:
        assert response.status == 200
        assert response.read() == b"<p>query seven</p>"
        assert response.headers["Server"]
        assert response.headers["Date"]
    [record] = web.requests
    assert record["method"] == "GET"
    assert record["scheme"] == "http"
    assert record["host"] == "a.example.test"
    assert record["path"] == "/page?id=7"
    assert record["url"] == "http://a.example.test/page?id=7"
    assert record["status"] == 200
    assert record["bytes_sent"] == len(b"<p>query seven</p>")
    assert record["headers"]["User-Agent"] == ["synthetic-agent/1.0"]
    assert web.count("http://a.example.test/page?id=7") == 1


def test_site_sees_request_headers_case_insensitively() -> None:
    site = stub_sites()["a.example.test"]
    with ReplicaWeb({"a.example.test": site}) as own:
        raw_exchange(
            own,
            b"GET http://a.example.test/ HTTP/1.1\r\nuser-agent: lower/1\r\n"
            b"Connection: close\r\n\r\n",
        )
    assert site.seen == [("/", {"user-agent": "lower/1"})]


def test_https_tunnel_keeps_the_connection_alive(web: ReplicaWeb) -> None:
    conn = tunnel(web, "b.example.test")
    conn.request("GET", "/", headers={"User-Agent": "synthetic-agent/1.0"})
    first = conn.getresponse()
    assert (first.status, first.read()) == (200, PAGE)
    conn.request("GET", "/page?id=7")
    second = conn.getresponse()
    assert (second.status, second.read()) == (200, b"<p>query seven</p>")
    conn.close()
    connect, get1, get2 = web.requests
    assert (connect["method"], connect["url"], connect["status"]) == (
        "CONNECT",
        "b.example.test:443",
        200,
    )
    assert [get1["url"], get2["url"]] == [
        "https://b.example.test/",
        "https://b.example.test/page?id=7",
    ]
    assert {r["scheme"] for r in (get1, get2)} == {"https"}
    assert connect["conn"] == get1["conn"] == get2["conn"]  # one tunnel, two requests
    assert web.urls() == [get1["url"], get2["url"]]  # CONNECT is not a URL


def test_new_tunnels_are_not_stalled(web: ReplicaWeb) -> None:
    # Nagle's algorithm against delayed ACKs costs ~40 ms per new tunnel; a crawl opens many.
    times = []
    for _ in range(5):
        start = time.monotonic()
        conn = tunnel(web, "a.example.test")
        conn.request("GET", "/page?id=7")
        conn.getresponse().read()
        conn.close()
        times.append(time.monotonic() - start)
    assert sorted(times)[2] < 0.03


def test_certificate_covers_every_host(web: ReplicaWeb) -> None:
    context = ssl.create_default_context()
    web.ca.configure_trust(context)
    for host in ("a.example.test", "b.example.test"):
        conn = tunnel(web, host, context)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()


def test_repeated_headers_kept_in_order(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("GET", "/cookies")
    response = conn.getresponse()
    response.read()
    names = [name for name, _ in response.getheaders()]
    assert names[:3] == ["Content-Type", "Set-Cookie", "Set-Cookie"]
    assert response.headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    conn.close()


def test_resource_date_is_not_replaced(web: ReplicaWeb) -> None:
    lines, body = split_response(
        raw_exchange(web, b"GET http://a.example.test/dated HTTP/1.1\r\nConnection: close\r\n\r\n")
    )
    assert [line for line in lines if line.startswith("Date:")] == [
        "Date: Mon, 01 Jan 2024 00:00:00 GMT"
    ]
    assert "Content-Length: 1" in lines
    assert body == b"d"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br", True),
        ("*", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        (None, False),
    ],
)
def test_accepts_gzip(accept: str | None, expected: bool) -> None:
    assert accepts_gzip(accept) is expected


def test_gzip_bytes_on_the_wire(web: ReplicaWeb) -> None:
    lines, body = split_response(
        raw_exchange(
            web,
            b"GET http://a.example.test/gz HTTP/1.1\r\nAccept-Encoding: gzip, deflate\r\n"
            b"Connection: close\r\n\r\n",
        )
    )
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "Content-Encoding: gzip" in lines
    assert f"Content-Length: {len(body)}" in lines
    assert body[:2] == b"\x1f\x8b"
    assert gzip.decompress(body) == PAGE
    assert web.requests[-1]["bytes_sent"] == len(body) < len(PAGE)


def test_gzip_resource_is_identity_when_not_accepted(web: ReplicaWeb) -> None:
    lines, body = split_response(
        raw_exchange(web, b"GET http://a.example.test/gz HTTP/1.1\r\nConnection: close\r\n\r\n")
    )
    assert not any(line.lower().startswith("content-encoding") for line in lines)
    assert body == PAGE


def test_head_declares_the_length_and_sends_no_body(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("HEAD", "/")
    head = conn.getresponse()
    assert head.status == 200
    assert head.headers["Content-Length"] == str(len(PAGE))
    assert head.read() == b""
    # A body sent after HEAD would be read here as the next response.
    conn.request("GET", "/page?id=7")
    assert conn.getresponse().read() == b"<p>query seven</p>"
    conn.close()
    assert web.requests[1]["method"] == "HEAD"
    assert web.requests[1]["bytes_sent"] == 0


def test_truncated_body_keeps_the_full_length(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("GET", "/short")
    response = conn.getresponse()
    assert response.headers["Content-Length"] == "100"
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == b"0123456789" * 2 + b"01234"
    conn.close()
    assert web.requests[-1]["bytes_sent"] == 25


def test_reset_is_a_tcp_reset(web: ReplicaWeb) -> None:
    with socket.create_connection(("127.0.0.1", proxy_port(web)), timeout=10) as sock:
        sock.sendall(b"GET http://a.example.test/reset HTTP/1.1\r\nHost: a.example.test\r\n\r\n")
        with pytest.raises(ConnectionResetError):  # a FIN would read as b"" instead
            sock.recv(1024)
    assert web.requests[-1]["status"] == "reset"


def test_reset_inside_a_tunnel(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("GET", "/reset")
    with pytest.raises((ConnectionError, ssl.SSLError)):
        conn.getresponse()
    conn.close()
    assert (web.requests[-1]["url"], web.requests[-1]["status"]) == (
        "https://a.example.test/reset",
        "reset",
    )


def wait_until_asked(site: StubSite, path: str) -> None:
    """Block until ``path`` reached the site: the request is inside the server."""
    deadline = time.monotonic() + 5
    while path not in [seen for seen, _ in site.seen]:
        assert time.monotonic() < deadline, f"{path} never reached the site"
        time.sleep(0.01)


def test_delay_is_honoured_without_blocking_others() -> None:
    sites = stub_sites()
    elapsed: list[float] = []
    with ReplicaWeb(sites) as web:

        def slow() -> None:
            start = time.monotonic()
            conn = tunnel(web, "a.example.test")
            conn.request("GET", "/slow")
            assert conn.getresponse().read() == b"slow"
            elapsed.append(time.monotonic() - start)
            conn.close()

        thread = threading.Thread(target=slow)
        thread.start()
        wait_until_asked(sites["a.example.test"], "/slow")
        start = time.monotonic()
        conn = tunnel(web, "b.example.test")
        conn.request("GET", "/page?id=7")
        assert conn.getresponse().read() == b"<p>query seven</p>"
        fast = time.monotonic() - start
        conn.close()
        thread.join(timeout=10)
    assert elapsed and elapsed[0] >= 0.6
    assert fast < 0.4


def test_stop_is_prompt_during_a_long_delay() -> None:
    sites = stub_sites()
    web = ReplicaWeb(sites).start()
    errors: list[BaseException] = []

    def hang() -> None:
        conn = tunnel(web, "a.example.test")
        try:
            conn.request("GET", "/hang")
            conn.getresponse()
        except (ConnectionError, ssl.SSLError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=hang)
    thread.start()
    wait_until_asked(sites["a.example.test"], "/hang")
    start = time.monotonic()
    web.stop()
    assert time.monotonic() - start < 2.0
    thread.join(timeout=5)
    assert errors
    assert (web.requests[-1]["path"], web.requests[-1]["status"]) == ("/hang", "closed")


def test_unknown_path_is_a_404_page(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("GET", "/no/such/page")
    response = conn.getresponse()
    assert response.status == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"404" in response.read()
    conn.close()


def test_site_exception_is_a_500_and_logged(web: ReplicaWeb) -> None:
    conn = tunnel(web, "a.example.test")
    conn.request("GET", "/boom")
    response = conn.getresponse()
    assert (response.status, response.headers["Content-Type"]) == (500, HTML[0][1])
    response.read()
    conn.request("GET", "/page?id=7")  # the connection and the server carry on
    assert conn.getresponse().read() == b"<p>query seven</p>"
    conn.close()
    failed = web.requests[-2]
    assert (failed["path"], failed["status"]) == ("/boom", 500)
    assert "synthetic site failure" in failed["error"]


def test_connect_to_unknown_host_is_a_502(web: ReplicaWeb) -> None:
    conn = tunnel(web, "unknown.example.test")
    with pytest.raises(OSError, match="502"):
        conn.request("GET", "/")
    conn.close()
    [record] = web.requests
    assert (record["method"], record["host"], record["status"]) == (
        "CONNECT",
        "unknown.example.test",
        502,
    )


def test_plain_http_to_unknown_host_closes_without_answer(web: ReplicaWeb) -> None:
    raw = raw_exchange(web, b"GET http://unknown.example.test/ HTTP/1.1\r\n\r\n")
    assert raw == b""
    assert web.requests[-1]["status"] == "closed"


def test_client_leaving_mid_response_does_not_kill_the_server(web: ReplicaWeb) -> None:
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", proxy_port(web)), timeout=10) as sock:
            sock.sendall(b"GET http://a.example.test/big HTTP/1.1\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
    raw = raw_exchange(
        web, b"GET http://b.example.test/page?id=7 HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    assert raw.endswith(b"<p>query seven</p>")
    deadline = time.monotonic() + 5
    while len(web.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    big = [r for r in web.requests if r["path"] == "/big"]
    assert len(big) == 3


def test_jsonl_log_matches_the_request_log(web: ReplicaWeb, tmp_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    opener.open("http://a.example.test/", timeout=10).read()
    conn = tunnel(web, "b.example.test")
    conn.request("GET", "/cookies")
    conn.getresponse().read()
    conn.close()
    # The file is flushed per request: readable while the server still runs.
    lines = (tmp_path / "requests.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == web.requests
    assert len(lines) == 3
    web.clear()
    assert web.requests == []
    assert len((tmp_path / "requests.jsonl").read_text(encoding="utf-8").splitlines()) == 3


SPIDER_SCRIPT = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

START, OUT = sys.argv[1], sys.argv[2]


class StubSpider(scrapy.Spider):
    name = "stub"
    start_urls = [START]

    def parse(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "title": response.css("title::text").get(),
            "redirect_urls": response.meta.get("redirect_urls", []),
        }
        yield from response.follow_all(css="a")


process = CrawlerProcess({
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": "synthetic-test-crawler/1.0",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "RETRY_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 10,
    "LOG_LEVEL": "INFO",
    "FEEDS": {OUT: {"format": "json"}},
})
process.crawl(StubSpider)
process.start()
"""


def crawl_sites() -> dict[str, StubSite]:
    def page(title: str, links: str = "") -> bytes:
        return f"<html><head><title>{title}</title></head><body>{links}</body></html>".encode()

    index_links = (
        '<a href="/post/1">post</a> <a href="/private/secret">private</a>'
        ' <a href="/old-article">moved</a> <a href="http://plain.example.test/page">plain</a>'
    )
    post = page("Synthetic post", "<p>" + "compressible synthetic text " * 100 + "</p>")
    robots = b"User-agent: *\nDisallow: /private/\n"
    text = (("Content-Type", "text/plain"),)
    moved = (("Location", "https://news.example.test/article"),)
    return {
        "blog.example.test": StubSite(
            {
                "/robots.txt": Resource(200, text, robots),
                "/": Resource(200, HTML, page("Synthetic index", index_links)),
                "/post/1": Resource(200, HTML, post, gzip=True),
                "/private/secret": Resource(200, HTML, page("Should not be fetched")),
                "/old-article": Resource(301, moved),
            }
        ),
        "news.example.test": StubSite(
            {
                "/robots.txt": Resource(200, text, b"User-agent: *\nAllow: /\n"),
                "/article": Resource(200, HTML, page("Synthetic article")),
            }
        ),
        "plain.example.test": StubSite({"/page": Resource(200, HTML, page("Plain page"))}),
    }


@pytest.mark.e2e
def test_scrapy_crawls_through_the_proxy(tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(SPIDER_SCRIPT, encoding="utf-8")
    out = tmp_path / "items.json"
    sites = crawl_sites()
    with ReplicaWeb(sites, log_path=tmp_path / "requests.jsonl") as web:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            http_proxy=web.proxy_url,
            https_proxy=web.proxy_url,
            TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
        )
        result = subprocess.run(
            [sys.executable, str(script), "https://blog.example.test/", str(out)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        records = web.requests

    items = {item["url"]: item for item in json.loads(out.read_text(encoding="utf-8"))}
    assert set(items) == {
        "https://blog.example.test/",
        "https://blog.example.test/post/1",
        "https://news.example.test/article",
        "http://plain.example.test/page",
    }
    assert items["https://blog.example.test/post/1"]["title"] == "Synthetic post"  # gunzipped
    assert items["https://news.example.test/article"]["redirect_urls"] == [
        "https://blog.example.test/old-article"
    ]
    assert items["http://plain.example.test/page"]["title"] == "Plain page"

    urls = [r["url"] for r in records if r["method"] != "CONNECT"]
    for robots in (
        "https://blog.example.test/robots.txt",
        "https://news.example.test/robots.txt",
        "http://plain.example.test/robots.txt",
    ):
        assert urls.count(robots) == 1
    assert "https://blog.example.test/private/secret" not in urls
    assert urls.count("https://blog.example.test/old-article") == 1
    connects = {r["host"] for r in records if r["method"] == "CONNECT" and r["status"] == 200}
    assert connects == {"blog.example.test", "news.example.test"}
    by_url = {r["url"]: r for r in records if r["method"] == "GET"}
    assert by_url["http://plain.example.test/page"]["scheme"] == "http"
    assert by_url["https://news.example.test/article"]["scheme"] == "https"
    post = by_url["https://blog.example.test/post/1"]
    assert "gzip" in post["headers"]["Accept-Encoding"][0]
    assert post["bytes_sent"] < len(sites["blog.example.test"].pages["/post/1"].body)
    assert {r["headers"]["User-Agent"][0] for r in by_url.values()} == {
        "synthetic-test-crawler/1.0"
    }
    logged = (tmp_path / "requests.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in logged] == records
