"""pywb, in its own virtualenv, serving a crawl's WARC files on 127.0.0.1 for the replay tests.

pywb pins old versions of redis and werkzeug, so it lives in its own virtualenv (``.venv-pywb``,
made by ``scripts/setup``) and runs as a subprocess on a free port of 127.0.0.1.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.archive.pointer import WarcPointer

PYWB_BIN = Path(__file__).resolve().parents[2] / ".venv-pywb" / "bin"
COLLECTION = "demo"
START_TIMEOUT = 60.0
# No proxy for these requests, whatever the environment says: pywb is on 127.0.0.1.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Pywb:
    base: str  # http://127.0.0.1:PORT/demo/


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _local_env() -> dict[str, str]:
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    return {k: v for k, v in os.environ.items() if k.lower() not in proxies}


def _answers(url: str) -> bool:
    try:
        with LOCAL.open(url, timeout=2) as response:
            return int(response.status) == 200
    except (OSError, urllib.error.URLError):
        return False


@contextmanager
def wayback(warcs: list[Path], root: Path) -> Iterator[Pywb]:
    """pywb serving ``warcs`` from a collection made in ``root``, until the block ends."""
    wayback = PYWB_BIN / "wayback"
    if not wayback.is_file():
        pytest.skip(f"pywb is not installed at {wayback}: run scripts/setup")
    env = _local_env()

    def manager(*args: str) -> None:
        result = subprocess.run(
            [str(PYWB_BIN / "wb-manager"), *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    manager("init", COLLECTION)
    manager("add", COLLECTION, *(str(p) for p in warcs))
    port = _free_port()
    log = (root / "wayback.log").open("wb")
    server = subprocess.Popen(
        [str(wayback), "--bind", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(base):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"wayback did not start:\n{(root / 'wayback.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield Pywb(f"{base}{COLLECTION}/")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@dataclass(frozen=True)
class Archived:
    url: str
    timestamp: str  # 14 digits, the WARC-Date of the capture
    payload: bytes  # warcio's content_stream(): content-encoding undone
    gzipped: bool  # stored with Content-Encoding: gzip


def archived_at(archive: Path, url: str, pointer: WarcPointer) -> Archived:
    with (archive / pointer.filename).open("rb") as stream:
        stream.seek(pointer.offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_type == "response"
        timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
        encoding = record.http_headers.get_header("Content-Encoding") or ""
        payload = bytes(record.content_stream().read())
        return Archived(url, timestamp, payload, encoding.lower() == "gzip")


def replay(pywb: Pywb, archived: Archived) -> bytes:
    url = f"{pywb.base}{archived.timestamp}id_/{archived.url}"
    with LOCAL.open(url, timeout=30) as response:
        assert response.status == 200, url
        body = bytes(response.read())
        # pywb 2.10 undoes a stored Content-Encoding in identity mode (and reports it as
        # X-Archive-Orig-Content-Encoding); a replay tool that passes the stored bytes on keeps
        # the header, and urllib does not decode it.
        if (response.headers.get("Content-Encoding") or "").lower() == "gzip":
            body = gzip.decompress(body)
        return body
