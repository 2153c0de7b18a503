"""Bad inputs a news host serves: documents that are not HTML, broken bytes, odd page shapes.

Each is what real sites have been seen to send at an article's URL: a PDF or an image, a page
whose CMS cut multi-byte characters apart, a legacy charset named only in ``<meta>``, missing end
tags, a script-rendered page on one huge line, a maintenance page with 503. The hostile ones are
made on the fly: a body that never ends (a misconfigured stream, a tarpit), a gzip bomb.
"""

from __future__ import annotations

import functools
import json
import struct
import zlib
from collections.abc import Callable, Iterator

SERVICE_UNAVAILABLE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service your request "
    b"due to maintenance downtime or capacity problems. Please try again later.</p></body></html>\n"
)


def pdf_document(title: str) -> bytes:
    """A small valid one-page PDF (offsets in the xref table are exact)."""
    text = ("Synthetic replica document: " + title).encode("latin-1", "replace")
    text = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_image(width: int = 8, height: int = 8) -> bytes:
    """A small valid grey PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def with_invalid_utf8(page: bytes) -> bytes:
    """The page with a ticker whose CMS cut multi-byte characters apart (outside the article)."""
    ticker = b'<div class="ticker">Markets \xe2\x80 closed \xff\xfe higher \xc3</div>'
    return page.replace(b"</body>", ticker + b"</body>", 1)


def in_windows_1252(page: bytes) -> bytes:
    """The page re-encoded as windows-1252, its charset named only in a ``<meta>`` element."""
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    text = page.decode("utf-8").replace('<meta charset="utf-8">', meta, 1)
    return text.encode("cp1252", errors="xmlcharrefreplace")


def malformed(page: bytes) -> bytes:
    """The page as a careless template writes it: optional and other end tags missing."""
    for tag in (b"</p>", b"</li>", b"</span>", b"</body>", b"</html>"):
        page = page.replace(tag, b"")
    return page.replace(b"<main", b"</div></em><main", 1)  # stray end tags before the content


def on_one_line(page: bytes, size: int = 5_000_000) -> bytes:
    """The page on a single line of ``size`` bytes: a script-rendered site's inline data blob."""
    teaser = {"title": "Synthetic related story", "summary": "Synthetic teaser. " * 8}
    items = [{"id": number, **teaser} for number in range(size // 200)]
    blob = json.dumps({"props": {"pageProps": {"related": items}}}, separators=(",", ":"))
    script = f'<script id="__NEXT_DATA__" type="application/json">{blob}</script>'.encode()
    line = b" ".join(page.splitlines()).replace(b"</head>", script + b"</head>", 1)
    return line + b" " * max(0, size - len(line))


ENDLESS_HEAD = b"<!DOCTYPE html>\n<html><head><title>Synthetic endless page</title></head><body>\n"
ENDLESS_LINE = (
    b"<p>Synthetic text that goes on and on, as a broken stream or a tarpit sends it.</p>\n"
)


def endless_page(limit: int, piece_size: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A page body that does not end: ``piece_size`` pieces of repeated paragraphs, made as they
    are sent (serve it as a ``Resource.stream``).

    ``limit`` bounds it (in bytes, the head included) so that a client that never stops reading
    still ends; a test sets it far above what a working client reads, and the server stops
    sooner when the client goes away.
    """
    lines = max(1, piece_size // len(ENDLESS_LINE))
    piece = ENDLESS_LINE * lines

    def stream() -> Iterator[bytes]:
        sent = len(ENDLESS_HEAD)
        yield ENDLESS_HEAD
        while sent < limit:
            part = piece[: limit - sent]
            sent += len(part)
            yield part

    return stream


def gzip_bomb(decoded_size: int = 1 << 30) -> bytes:
    """A gzip member of ``decoded_size`` zero bytes, about a thousandth of that on the wire.

    Made in well under a second however large: one MiB of zeros deflated and fully flushed gives
    the same bytes every time, so the stream is that block repeated (a full flush resets the
    window), a final empty block, and the trailer's CRC-32 and size.
    """
    blocks, rest = divmod(decoded_size, _MIB)
    if rest:
        raise ValueError(f"a gzip bomb's size is whole MiB, not {decoded_size} bytes")
    block, crc = _deflated_zero_mib(), _zeros_crc(blocks)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0
    final = b"\x03\x00"  # an empty final fixed-Huffman block
    return header + block * blocks + final + struct.pack("<II", crc, decoded_size & 0xFFFFFFFF)


_MIB = 1 << 20


@functools.cache
def _deflated_zero_mib() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the header is ours
    return compressor.compress(bytes(_MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)


@functools.cache
def _zeros_crc(blocks: int) -> int:
    crc, zeros = 0, bytes(_MIB)
    for _block in range(blocks):
        crc = zlib.crc32(zeros, crc)
    return crc


def large_page(size: int) -> bytes:
    """An HTML page of ``size`` bytes: a real article page's shell around synthetic padding."""
    head = b"<!DOCTYPE html>\n<html><head><title>Synthetic large page</title></head><body>\n"
    tail = b"</body></html>\n"
    filler = ENDLESS_LINE * ((size - len(head) - len(tail)) // len(ENDLESS_LINE) + 1)
    return head + filler[: size - len(head) - len(tail)] + tail
