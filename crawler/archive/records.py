"""Building WARC/1.1 records (warcinfo, response, revisit, request, metadata) with warcio,
uncompressed.

Each function returns the record's bytes; the archive compresses every record into its own gzip
member. Record ids and dates come from the caller so the same input always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawler.archive.exchange import Headers, HttpExchange

WARC_VERSION = "WARC/1.1"
WARC_FORMAT = "WARC File Format 1.1"
WARC_CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# warcio's default revisit profile is the WARC/1.0 one; these are the WARC/1.1 URIs.
PROFILE_IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# pywb's prefix for a header whose value no longer describes the bytes it serves.
ORIG_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"
ORIG_CONTENT_LENGTH = "X-Archive-Orig-Content-Length"


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` value warcio computes for these bytes (``sha1:BASE32``)."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


EMPTY_PAYLOAD_DIGEST = payload_digest(b"")


def warc_date(moment: datetime) -> str:
    """``WARC-Date`` text: UTC, with microseconds when there are any (allowed by WARC/1.1)."""
    naive_utc = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(naive_utc, use_micros=True))


class _WireHeaders(StatusAndHeaders):
    """HTTP status line and headers serialised back to their wire bytes.

    warcio percent-encodes any non-ASCII header value; values here are latin-1 decoded wire bytes,
    so encoding them as latin-1 reproduces exactly what the server sent.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def archived_response_headers(
    headers: Headers, *, kept: int | None = None
) -> list[tuple[str, str]]:
    """Response headers as written to the record.

    The HTTP client hands over the body already de-chunked, so a ``Transfer-Encoding: chunked``
    header would make readers try to de-chunk it again: its value is kept under
    ``X-Archive-Orig-Transfer-Encoding`` instead (the convention of warcprox and pywb).
    ``Content-Encoding`` stays as is because the payload is stored still encoded.

    ``kept`` is the length of a payload cut short (``WARC-Truncated``). Replay tools serve the
    header block as written, so a ``Content-Length`` announcing the whole body would leave their
    clients waiting for bytes that never came: it says ``kept`` instead (the stored bytes, still
    content-encoded), and the announced value is kept under ``X-Archive-Orig-Content-Length``.
    A body without a length (chunked, or ended by the connection) gets none.
    """
    archived: list[tuple[str, str]] = []
    length_written = False
    for name, value in headers:
        lower = name.lower()
        if lower == "transfer-encoding" and "chunked" in value.lower():
            archived.append((ORIG_TRANSFER_ENCODING, value))
        elif lower == "content-length" and kept is not None and value.strip() != str(kept):
            if not length_written:
                archived.append((name, str(kept)))
                length_written = True
            archived.append((ORIG_CONTENT_LENGTH, value))
        else:
            archived.append((name, value))
    return archived


class RecordSerializer:
    """Builds records with warcio and returns their uncompressed bytes."""

    def __init__(self) -> None:
        self._buffer = BytesIO()
        # gzip=False: the archive compresses each record itself, at a cheaper level than warcio's 9.
        self._writer = WARCWriter(self._buffer, gzip=False, warc_version=WARC_VERSION)

    def warcinfo(
        self, *, filename: str, record_id: str, date: datetime, fields: Mapping[str, str]
    ) -> bytes:
        block = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode("utf-8")
        warc_headers = _warc_headers(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", record_id),
                ("WARC-Date", warc_date(date)),
                ("WARC-Filename", filename),
            ]
        )
        record = self._writer.create_warc_record(
            "", "warcinfo", payload=BytesIO(block), length=len(block), warc_headers=warc_headers
        )
        return self._serialize(record)

    def response(
        self, exchange: HttpExchange, *, record_id: str, warcinfo_id: str, digest: str
    ) -> bytes:
        fields = _capture_fields("response", exchange, record_id, warcinfo_id)
        if exchange.truncated:
            fields.append(("WARC-Truncated", exchange.truncated))
        # Given up front (the archive needs it for dedup first) so warcio does not hash twice.
        fields.append(("WARC-Payload-Digest", digest))
        record = self._writer.create_warc_record(
            exchange.target_uri,
            "response",
            payload=BytesIO(exchange.body),
            length=len(exchange.body),
            warc_headers=_warc_headers(fields),
            http_headers=_status_headers(
                exchange, kept=len(exchange.body) if exchange.truncated else None
            ),
        )
        return self._serialize(record)

    def revisit(
        self,
        exchange: HttpExchange,
        *,
        record_id: str,
        warcinfo_id: str,
        profile: str,
        digest: str | None,
        refers_to_id: str | None = None,
        refers_to_uri: str | None = None,
        refers_to_date: str | None = None,
    ) -> bytes:
        """A revisit keeps the HTTP headers and drops the payload (found in the referred record)."""
        fields = _capture_fields("revisit", exchange, record_id, warcinfo_id)
        fields.append(("WARC-Profile", profile))
        if refers_to_id:
            fields.append(("WARC-Refers-To", refers_to_id))
        if refers_to_uri:
            fields.append(("WARC-Refers-To-Target-URI", refers_to_uri))
        if refers_to_date:
            fields.append(("WARC-Refers-To-Date", refers_to_date))
        if digest:
            fields.append(("WARC-Payload-Digest", digest))
        record = self._writer.create_warc_record(
            exchange.target_uri,
            "revisit",
            warc_headers=_warc_headers(fields),
            http_headers=_status_headers(exchange),
        )
        return self._serialize(record)

    def request(
        self, exchange: HttpExchange, *, record_id: str, warcinfo_id: str, concurrent_to: str
    ) -> bytes:
        fields = [
            ("WARC-Type", "request"),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", warc_date(exchange.started_at)),
            ("WARC-Target-URI", exchange.target_uri),
            ("WARC-Warcinfo-ID", warcinfo_id),
            ("WARC-Concurrent-To", concurrent_to),
        ]
        http_headers = _WireHeaders(
            f"{exchange.method} {exchange.request_target} {exchange.protocol}",
            list(exchange.request_headers),
            is_http_request=True,
        )
        record = self._writer.create_warc_record(
            exchange.target_uri,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers=_warc_headers(fields),
            http_headers=http_headers,
        )
        return self._serialize(record)

    def metadata(
        self,
        *,
        target_uri: str,
        record_id: str,
        warcinfo_id: str,
        date: datetime,
        payload: bytes,
        content_type: str,
        refers_to: str | None,
    ) -> bytes:
        """A metadata record about ``target_uri``; ``refers_to`` names the record it describes."""
        fields = [
            ("WARC-Type", "metadata"),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", warc_date(date)),
            ("WARC-Target-URI", target_uri),
            ("WARC-Warcinfo-ID", warcinfo_id),
        ]
        if refers_to:
            fields.append(("WARC-Refers-To", refers_to))
        record = self._writer.create_warc_record(
            target_uri,
            "metadata",
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type=content_type,
            warc_headers=_warc_headers(fields),
        )
        return self._serialize(record)

    def _serialize(self, record: Any) -> bytes:
        self._writer.write_record(record)
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


def _warc_headers(fields: list[tuple[str, str]]) -> Any:
    return StatusAndHeaders("", fields, protocol=WARC_VERSION)


def _capture_fields(
    record_type: str, exchange: HttpExchange, record_id: str, warcinfo_id: str
) -> list[tuple[str, str]]:
    fields = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(exchange.started_at)),
        ("WARC-Target-URI", exchange.target_uri),
    ]
    if exchange.ip_address:
        fields.append(("WARC-IP-Address", exchange.ip_address))
    fields.append(("WARC-Warcinfo-ID", warcinfo_id))
    return fields


def _status_headers(exchange: HttpExchange, *, kept: int | None = None) -> Any:
    reason = exchange.reason or _standard_reason(exchange.status)
    # The space after the code is required by RFC 9112 even when the reason phrase is empty.
    return _WireHeaders(
        f"{exchange.status} {reason}",
        archived_response_headers(exchange.response_headers, kept=kept),
        protocol=exchange.protocol,
    )


def _standard_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
