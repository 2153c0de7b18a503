from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive import WarcPointer
from crawler.archive.records import payload_digest
from tests.unit.archive.builders import (
    STARTED,
    SYNTHETIC_HTML,
    gzip_members,
    gzipped,
    id_factory,
    make_exchange,
    read_records,
    warcio_check,
)
from tests.unit.archive.conftest import ArchiveFactory

FILE_NAME = "BITEXT-20250301040000000-00000-testhost.warc.gz"


def only_file(directory: Path) -> Path:
    (path,) = directory.iterdir()
    return path


def test_writes_warcinfo_response_request_readable_by_warcio(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    written = archive.write_exchange(make_exchange())
    archive.close()

    path = tmp_path / "warcs" / FILE_NAME
    assert [p.name for p in path.parent.iterdir()] == [FILE_NAME]
    assert warcio_check(path) == 0
    warcinfo, response, request = read_records(path)
    assert (warcinfo.type, response.type, request.type) == ("warcinfo", "response", "request")
    assert [r.headers.protocol for r in (warcinfo, response, request)] == ["WARC/1.1"] * 3
    assert response.payload == SYNTHETIC_HTML
    assert written.record == WarcPointer(
        FILE_NAME, response.offset, response.headers["WARC-Record-ID"]
    )
    assert written.request == WarcPointer(
        FILE_NAME, request.offset, request.headers["WARC-Record-ID"]
    )
    assert written.payload == written.record
    assert not written.is_revisit
    assert written.payload_digest == response.headers["WARC-Payload-Digest"]
    assert request.headers["WARC-Concurrent-To"] == response.headers["WARC-Record-ID"]
    warcinfo_id = warcinfo.headers["WARC-Record-ID"]
    assert (
        response.headers["WARC-Warcinfo-ID"] == request.headers["WARC-Warcinfo-ID"] == warcinfo_id
    )
    # one gzip member per record
    assert len(gzip_members(path)) == 3


def test_warcinfo_fields(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    archive = make_archive()
    archive.write_exchange(make_exchange())
    archive.close()
    warcinfo = read_records(tmp_path / "warcs" / FILE_NAME)[0]
    fields = dict(
        line.split(": ", 1) for line in warcinfo.payload.decode("utf-8").strip().split("\r\n")
    )
    assert fields["operator"] == "synthetic test operator"
    assert fields["isPartOf"] == "synthetic-test-crawl"
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["conformsTo"].endswith("/warc-1.1/")
    assert fields["software"].startswith("bitext-crawler")
    assert warcinfo.headers["WARC-Filename"] == FILE_NAME
    assert warcinfo.headers["WARC-Date"] == "2025-03-01T04:00:00Z"


def test_request_record_is_the_request_as_sent(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    exchange = make_exchange(
        url="https://news.example.com/search?q=frigate&page=2",
        method="POST",
        request_headers=(("Host", "news.example.com"), ("Content-Length", "9")),
        request_body=b"synthetic",
    )
    archive = make_archive()
    archive.write_exchange(exchange)
    archive.close()
    path = tmp_path / "warcs" / FILE_NAME
    raw = gzip_members(path)[2]
    assert b"\r\n\r\nPOST /search?q=frigate&page=2 HTTP/1.1\r\nHost: news.example.com\r\n" in raw
    request = read_records(path)[2]
    assert request.http.get_header("Host") == "news.example.com"
    assert request.payload == b"synthetic"
    assert request.headers["WARC-Target-URI"] == "https://news.example.com/search?q=frigate&page=2"
    assert request.headers["WARC-Date"] == "2025-03-01T04:05:06.789012Z"


def test_response_record_keeps_the_wire_form(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    body = gzipped(SYNTHETIC_HTML)
    exchange = make_exchange(
        protocol="HTTP/1.1",
        status=203,
        reason="Synthetic Reason",
        response_headers=(
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
            ("X-Latin", "caf\xe9"),
        ),
        body=body,
        ip_address="127.0.0.2",
    )
    archive = make_archive()
    archive.write_exchange(exchange)
    archive.close()
    path = tmp_path / "warcs" / FILE_NAME
    assert warcio_check(path) == 0
    response = read_records(path)[1]
    assert response.http.protocol == "HTTP/1.1"
    assert response.http.statusline == "203 Synthetic Reason"
    assert [v for k, v in response.http.headers if k == "Set-Cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/",
    ]
    assert response.http.get_header("Content-Encoding") == "gzip"
    assert response.payload == body  # still gzip-encoded, byte for byte
    assert response.headers["WARC-Payload-Digest"] == payload_digest(body)
    assert response.headers["WARC-IP-Address"] == "127.0.0.2"
    assert response.headers["WARC-Date"] == "2025-03-01T04:05:06.789012Z"
    assert response.headers["WARC-Target-URI"] == "https://news.example.com/article?id=7&lang=en"
    assert response.headers.get_header("WARC-Truncated") is None
    # a latin-1 header byte is written as that byte, not percent-encoded
    assert b"\r\nX-Latin: caf\xe9\r\n" in gzip_members(path)[1]


def test_standard_reason_phrase_and_no_ip(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    archive = make_archive()
    archive.write_exchange(make_exchange(status=404, reason="", ip_address=None))
    archive.close()
    response = read_records(tmp_path / "warcs" / FILE_NAME)[1]
    assert response.http.statusline == "404 Not Found"
    assert response.headers.get_header("WARC-IP-Address") is None


def test_started_at_in_another_zone_is_written_as_utc(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    tokyo = datetime.fromisoformat("2025-03-01T13:05:06+09:00")
    archive = make_archive()
    archive.write_exchange(make_exchange(started_at=tokyo))
    archive.close()
    response = read_records(tmp_path / "warcs" / FILE_NAME)[1]
    assert response.headers["WARC-Date"] == "2025-03-01T04:05:06Z"


def test_chunked_transfer_encoding_is_renamed(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    exchange = make_exchange(
        response_headers=(("Transfer-Encoding", "chunked"), ("Content-Type", "text/html"))
    )
    archive = make_archive()
    archive.write_exchange(exchange)
    archive.close()
    path = tmp_path / "warcs" / FILE_NAME
    response = read_records(path)[1]
    assert response.http.get_header("Transfer-Encoding") is None
    assert response.http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert response.http.headers[1] == ("Content-Type", "text/html")
    assert warcio_check(path) == 0


@pytest.mark.parametrize("reason", ["length", "time", "disconnect"])
def test_truncated_response_is_marked(
    make_archive: ArchiveFactory, tmp_path: Path, reason: str
) -> None:
    archive = make_archive()
    archive.write_exchange(make_exchange(body=SYNTHETIC_HTML[:10], truncated=reason))
    archive.close()
    path = tmp_path / "warcs" / FILE_NAME
    response = read_records(path)[1]
    assert response.headers["WARC-Truncated"] == reason
    assert response.payload == SYNTHETIC_HTML[:10]
    assert warcio_check(path) == 0


def test_open_file_is_renamed_on_close_and_readable_before(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive()
    assert list(directory.iterdir()) == []  # files are opened with the first exchange
    archive.write_exchange(make_exchange())
    open_path = directory / (FILE_NAME + ".open")
    assert [p.name for p in directory.iterdir()] == [open_path.name]
    assert archive.current_filename == FILE_NAME
    # flushed after each exchange: a reader (or a killed writer) sees whole records
    assert [r.type for r in read_records(open_path)] == ["warcinfo", "response", "request"]
    archive.close()
    assert [p.name for p in directory.iterdir()] == [FILE_NAME]
    assert archive.closed_files == [FILE_NAME]
    with pytest.raises(ValueError):
        archive.write_exchange(make_exchange())


def test_modes_of_created_directory_and_files(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    old_umask = os.umask(0o077)
    try:
        archive = make_archive(tmp_path / "new" / "warcs")
        archive.write_exchange(make_exchange())
        archive.close()
    finally:
        os.umask(old_umask)
    directory = tmp_path / "new" / "warcs"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o755
    assert stat.S_IMODE(only_file(directory).stat().st_mode) == 0o644


def test_rotation_keeps_each_exchange_in_one_file(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive(max_file_size=1500)
    written = [
        archive.write_exchange(make_exchange(url=f"https://news.example.com/p{i}", body=b"x%d" % i))
        for i in range(6)
    ]
    archive.close()
    directory = tmp_path / "warcs"
    names = sorted(p.name for p in directory.iterdir())
    assert len(names) > 1
    assert names == archive.closed_files
    for serial, name in enumerate(names):
        # one clock tick per opened file
        assert name == f"BITEXT-2025030104000{serial}000-{serial:05d}-testhost.warc.gz"
    for w in written:
        assert w.record.filename == w.request.filename
    for name in names:
        path = directory / name
        records = read_records(path)
        assert records[0].type == "warcinfo"
        assert [r.type for r in records[1:]] == ["response", "request"] * ((len(records) - 1) // 2)
        assert warcio_check(path) == 0
        # an exchange is written only while the file is within the limit ...
        assert all(r.offset <= 1500 for r in records if r.type == "response")
        # ... and a file is closed only once past it
        if name != names[-1]:
            assert path.stat().st_size > 1500


def test_file_name_sanitises_host_and_never_overwrites(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    for _ in range(2):  # same clock, same host: the second archive takes the next serial
        archive = make_archive(crawl_host="crawl_host/01:x", prefix="SYNTH")
        archive.write_exchange(make_exchange())
        archive.close()
    assert sorted(p.name for p in directory.iterdir()) == [
        "SYNTH-20250301040000000-00000-crawl-host-01-x.warc.gz",
        "SYNTH-20250301040000000-00001-crawl-host-01-x.warc.gz",
    ]


def test_same_exchanges_give_identical_bytes(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    exchanges = [
        make_exchange(),
        make_exchange(url="https://news.example.com/other", body=b"synthetic other"),
        make_exchange(url="https://news.example.com/again"),  # a revisit
        make_exchange(status=304, body=b""),
    ]
    outputs = []
    for run in ("one", "two"):
        archive = make_archive(tmp_path / run, new_record_id=id_factory())
        for exchange in exchanges:
            archive.write_exchange(exchange)
        archive.close()
        outputs.append(only_file(tmp_path / run).read_bytes())
    assert outputs[0] == outputs[1]
    assert only_file(tmp_path / "one").name == only_file(tmp_path / "two").name


def test_compresslevel_changes_only_the_compression(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    for level in (1, 9):
        archive = make_archive(
            tmp_path / str(level), compresslevel=level, new_record_id=id_factory()
        )
        archive.write_exchange(make_exchange(body=SYNTHETIC_HTML * 50))
        archive.close()
    fast, small = (only_file(tmp_path / str(level)) for level in (1, 9))
    assert gzip_members(fast) == gzip_members(small)
    assert warcio_check(fast) == warcio_check(small) == 0


@pytest.mark.parametrize(
    "options", [{"prefix": "BAD/PREFIX"}, {"compresslevel": 10}, {"warcinfo": {"a\nb": "c"}}]
)
def test_rejects_bad_options(make_archive: ArchiveFactory, options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_archive(**options)


def test_default_seams_give_unique_ids_and_current_time(tmp_path: Path) -> None:
    from crawler.archive import WarcArchive

    before = datetime.now(UTC)
    with WarcArchive(tmp_path, warcinfo={}) as archive:
        first = archive.write_exchange(make_exchange(started_at=STARTED))
        second = archive.write_exchange(make_exchange(started_at=STARTED))
    name = first.record.filename
    assert name.startswith("BITEXT-" + before.strftime("%Y%m%d"))
    assert name.endswith(f"-{os.getpid()}.warc.gz")
    ids = {first.record.record_id, first.request.record_id, second.record.record_id}
    assert len(ids) == 3
    assert all(i.startswith("<urn:uuid:") and i.endswith(">") for i in ids)
