"""End to end: pywb replays the t2 crawl's archive, giving back the archived payloads byte for byte.

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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.archive.pointer import WarcPointer
from crawler.manifest import STATUS_OK, read_manifest
from tests.e2e.conftest import CrawlRun

pytestmark = pytest.mark.e2e

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


@pytest.fixture(scope="module")
def pywb(t2_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pywb]:
    wayback = PYWB_BIN / "wayback"
    if not wayback.is_file():
        pytest.skip(f"pywb is not installed at {wayback}: run scripts/setup")
    root = tmp_path_factory.mktemp("pywb")
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
    manager("add", COLLECTION, *(str(p) for p in sorted(t2_crawl.archive.glob("*.warc.gz"))))
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


def _archived(archive: Path, url: str, pointer: WarcPointer) -> Archived:
    with (archive / pointer.filename).open("rb") as stream:
        stream.seek(pointer.offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_type == "response"
        timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
        encoding = record.http_headers.get_header("Content-Encoding") or ""
        payload = bytes(record.content_stream().read())
        return Archived(url, timestamp, payload, encoding.lower() == "gzip")


def _replay(pywb: Pywb, archived: Archived) -> bytes:
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


@pytest.fixture(scope="module")
def ok_pairs(t2_crawl: CrawlRun) -> list[tuple[Archived, Archived]]:
    pairs = []
    for pair in read_manifest(t2_crawl.archive / "pairs.jsonl"):
        if pair.status != STATUS_OK or pair.source is None:
            continue
        assert pair.translation.warc is not None and pair.source.warc is not None
        translation = _archived(t2_crawl.archive, pair.translation.url, pair.translation.warc)
        source = _archived(t2_crawl.archive, pair.source.url, pair.source.warc)
        pairs.append((translation, source))
    assert pairs, "the manifest has no ok pair"
    return pairs


def test_translation_permalinks_replay_byte_for_byte(
    pywb: Pywb, ok_pairs: list[tuple[Archived, Archived]]
) -> None:
    for translation, _ in ok_pairs:
        assert translation.payload
        assert _replay(pywb, translation) == translation.payload, translation.url


def test_sources_replay_byte_for_byte_and_as_the_site_rendered_them(
    t2_crawl: CrawlRun, pywb: Pywb, ok_pairs: list[tuple[Archived, Archived]]
) -> None:
    for _, source in ok_pairs:
        replayed = _replay(pywb, source)
        assert replayed == source.payload, source.url
        parts = urlsplit(source.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        rendered = t2_crawl.world.sites[parts.netloc].resolve(path, {})
        assert rendered is not None and replayed == rendered.body, source.url
    assert any(source.gzipped for _, source in ok_pairs), "no gzip-encoded source was replayed"
