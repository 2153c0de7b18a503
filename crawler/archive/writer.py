"""``WarcArchive``: writes HTTP exchanges into rotating, gzip-per-record WARC/1.1 files."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from crawler.archive.damage import check_warc
from crawler.archive.dedup import Capture, DigestIndex, is_dedup_candidate
from crawler.archive.exchange import HttpExchange
from crawler.archive.index_part import PartWriter
from crawler.archive.naming import OPEN_SUFFIX, default_crawl_host, warc_filename
from crawler.archive.pointer import WarcPointer
from crawler.archive.records import (
    PROFILE_IDENTICAL_PAYLOAD,
    PROFILE_SERVER_NOT_MODIFIED,
    WARC_CONFORMS_TO,
    WARC_FORMAT,
    RecordSerializer,
    payload_digest,
    warc_date,
)
from crawler.util.closeable import Closeable
from crawler.util.filemodes import FILE_MODE, shared_directory

_PREFIX = re.compile(r"[A-Za-z0-9._-]+")


def valid_prefix(prefix: str) -> bool:
    """Whether ``prefix`` can start a WARC file name (``WARC_PREFIX``)."""
    return _PREFIX.fullmatch(prefix) is not None


@dataclass(frozen=True)
class WrittenExchange:
    """Where one exchange went.

    ``record`` is the response (or revisit) record, ``request`` its request record, ``payload``
    the record holding the payload bytes: ``record`` itself, or for an identical-payload revisit
    the original capture it refers to. ``payload_digest`` is ``None`` for a ``304`` revisit, which
    carries no payload.
    """

    record: WarcPointer
    request: WarcPointer
    payload: WarcPointer
    payload_digest: str | None
    is_revisit: bool


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_urn_uuid() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def software_name() -> str:
    try:
        crawler = "bitext-crawler/" + importlib.metadata.version("bitext-crawler")
    except importlib.metadata.PackageNotFoundError:
        crawler = "bitext-crawler"
    return f"{crawler} warcio/{importlib.metadata.version('warcio')}"


def gzip_member(data: bytes, level: int) -> bytes:
    """One complete gzip member (zlib writes a zero mtime, so the bytes are reproducible)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


class WarcArchive(Closeable):
    """Writes exchanges as WARC/1.1 records, one gzip member each, into files named
    ``PREFIX-YYYYMMDDhhmmssfff-SERIAL-CRAWLHOST.warc.gz``.

    A file is written as ``NAME.open`` and renamed to ``NAME`` when closed (on rotation and on
    ``close()``), then given to ``on_file_closed``, which must not raise; it starts with a
    warcinfo record and is opened only when the first exchange comes. Each exchange is flushed
    as a whole, so a killed process leaves whole members behind.

    With ``index_as_written``, the CDXJ lines of each record are written as the record is
    (crawler/archive/index_part.py), so that the file's index is made without reading it back.

    Without a ``digest_index``, repeated payloads are deduplicated within this archive object
    only (an in-memory index). Not thread-safe: call it from one thread at a time.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "BITEXT",
        max_file_size: int = 1_000_000_000,
        warcinfo: Mapping[str, str],
        digest_index: DigestIndex | None = None,
        clock: Callable[[], datetime] = utc_now,
        new_record_id: Callable[[], str] = new_urn_uuid,
        crawl_host: str | None = None,
        compresslevel: int = 6,
        on_file_closed: Callable[[Path], None] | None = None,
        index_as_written: bool = False,
    ) -> None:
        if not valid_prefix(prefix):
            raise ValueError(f"file name prefix must match [A-Za-z0-9._-]+, got {prefix!r}")
        if not 0 <= compresslevel <= 9:
            raise ValueError(f"compresslevel must be 0-9, got {compresslevel}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_file_size = max_file_size
        self.compresslevel = compresslevel
        self.crawl_host = crawl_host if crawl_host is not None else default_crawl_host()
        self._warcinfo_fields = _warcinfo_fields(warcinfo)
        self._owns_index = digest_index is None
        self._index = digest_index if digest_index is not None else DigestIndex()
        self._clock = clock
        self._new_record_id = new_record_id
        self._on_file_closed = on_file_closed
        self._index_as_written = index_as_written
        self._part: PartWriter | None = None
        self._records = RecordSerializer()
        self._serial = 0
        self._file: BinaryIO | None = None
        self._filename = ""
        self._size = 0
        self._warcinfo_id = ""
        self._closed = False
        self.closed_files: list[str] = []
        shared_directory(self.directory)

    @property
    def current_filename(self) -> str | None:
        """The final name of the file being written (it is ``NAME.open`` on disk until closed)."""
        return self._filename if self._file is not None else None

    def write_exchange(self, exchange: HttpExchange) -> WrittenExchange:
        if self._closed:
            raise ValueError("write_exchange() on a closed WarcArchive")
        # Checked before writing, so the records of one exchange always share a file.
        if self._file is not None and self._size > self.max_file_size:
            self._close_file()
        if self._file is None:
            self._open_file()

        record_id = self._record_id()
        request_id = self._record_id()
        digest = payload_digest(exchange.body)
        dedup = is_dedup_candidate(exchange.status, digest, exchange.truncated)
        original: Capture | None = None
        is_revisit = True
        if exchange.status == 304:
            record = self._records.revisit(
                exchange,
                record_id=record_id,
                warcinfo_id=self._warcinfo_id,
                profile=PROFILE_SERVER_NOT_MODIFIED,
                digest=None,
            )
        elif dedup and (original := self._index.lookup(digest)):
            record = self._records.revisit(
                exchange,
                record_id=record_id,
                warcinfo_id=self._warcinfo_id,
                profile=PROFILE_IDENTICAL_PAYLOAD,
                digest=digest,
                refers_to_id=original.pointer.record_id,
                refers_to_uri=original.uri,
                refers_to_date=original.date,
            )
        else:
            is_revisit = False
            record = self._records.response(
                exchange, record_id=record_id, warcinfo_id=self._warcinfo_id, digest=digest
            )
        request = self._records.request(
            exchange, record_id=request_id, warcinfo_id=self._warcinfo_id, concurrent_to=record_id
        )

        record_offset, request_offset = self._write_records(record, request)
        record_pointer = WarcPointer(self._filename, record_offset, record_id)
        request_pointer = WarcPointer(self._filename, request_offset, request_id)
        # Added only once the record is on disk, so the index never names a record that a
        # crash could have lost.
        if dedup and not is_revisit:
            capture = Capture(exchange.target_uri, warc_date(exchange.started_at), record_pointer)
            self._index.add(digest, capture)
        return WrittenExchange(
            record=record_pointer,
            request=request_pointer,
            payload=original.pointer if original is not None else record_pointer,
            payload_digest=None if exchange.status == 304 else digest,
            is_revisit=is_revisit,
        )

    def write_metadata(
        self,
        target_uri: str,
        payload: bytes,
        content_type: str,
        refers_to: str | None = None,
    ) -> WarcPointer:
        """Write one ``metadata`` record (dated now) about ``target_uri``; ``refers_to`` is the
        record id of the record it describes, when there is one."""
        if self._closed:
            raise ValueError("write_metadata() on a closed WarcArchive")
        if self._file is not None and self._size > self.max_file_size:
            self._close_file()
        if self._file is None:
            self._open_file()
        record_id = self._record_id()
        record = self._records.metadata(
            target_uri=target_uri,
            record_id=record_id,
            warcinfo_id=self._warcinfo_id,
            date=self._clock(),
            payload=payload,
            content_type=content_type,
            refers_to=refers_to,
        )
        (offset,) = self._write_records(record)
        return WarcPointer(self._filename, offset, record_id)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._file is not None:
            self._close_file()
        if self._owns_index:
            self._index.close()

    def abandon(self) -> None:
        """Close without finishing: the file stays ``NAME.open``, as a killed writer leaves it,
        for the next writer to recover (``recover_open_files``); for an archive whose last
        write failed."""
        if self._closed:
            return
        self._closed = True
        if self._file is not None:
            # What was flushed is on disk; whatever else is what recovery cuts off.
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
            if self._part is not None:
                self._part.abandon()
                self._part = None
        if self._owns_index:
            self._index.close()

    def _record_id(self) -> str:
        record_id = self._new_record_id()
        return record_id if record_id.startswith("<") else f"<{record_id}>"

    def _open_file(self) -> None:
        created = self._clock()
        while True:
            filename = warc_filename(self.prefix, created, self._serial, self.crawl_host)
            self._serial += 1
            final = self.directory / filename
            if not final.exists() and not _open_path(final).exists():
                break
        fd = os.open(_open_path(final), os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # the umask may have narrowed the mode given to open()
        self._file = os.fdopen(fd, "wb")
        self._filename = filename
        self._size = 0
        if self._index_as_written:
            self._part = PartWriter(self.directory, filename)
        self._warcinfo_id = self._record_id()
        warcinfo = self._records.warcinfo(
            filename=filename,
            record_id=self._warcinfo_id,
            date=created,
            fields=self._warcinfo_fields,
        )
        self._write_records(warcinfo)

    def _write_records(self, *records: bytes) -> list[int]:
        """Append ``records``, a gzip member each, flushed at once; returns their offsets."""
        members = [gzip_member(record, self.compresslevel) for record in records]
        offset = self._write(b"".join(members))
        offsets = []
        for record, member in zip(records, members, strict=True):
            offsets.append(offset)
            # Indexed once on disk, as the digest index: a crash loses no record it names.
            if self._part is not None:
                self._part.add(record, offset, len(member))
            offset += len(member)
        return offsets

    def _write(self, data: bytes) -> int:
        """Append and flush; returns the offset the data starts at."""
        assert self._file is not None
        offset = self._size
        self._file.write(data)
        self._file.flush()
        self._size += len(data)
        return offset

    def _close_file(self) -> None:
        assert self._file is not None
        self._file.close()
        self._file = None
        final = self.directory / self._filename
        if self._part is not None:
            self._part.finish(_open_path(final))
            self._part = None
        os.replace(_open_path(final), final)
        self.closed_files.append(self._filename)
        if self._on_file_closed is not None:
            self._on_file_closed(final)


def _open_path(final: Path) -> Path:
    return final.with_name(final.name + OPEN_SUFFIX)


def _warcinfo_fields(extra: Mapping[str, str]) -> dict[str, str]:
    fields = {"software": software_name(), **extra}
    # The format fields state what this writer produces; the caller cannot change them.
    fields["format"] = WARC_FORMAT
    fields["conformsTo"] = WARC_CONFORMS_TO
    for name, value in fields.items():
        if not name or ":" in name or any(c in name + value for c in "\r\n"):
            raise ValueError(f"warcinfo field cannot be written as a WARC field: {name!r}")
    return fields


@dataclass(frozen=True)
class RecoveredFile:
    """A ``.open`` file left by a killed writer, cut to its last whole record and renamed."""

    filename: str  # the final name it now has ("" when the file held nothing and was removed)
    kept: int  # bytes kept: whole gzip members, each holding one whole record
    cut: int  # bytes cut off from the end
    records: int
    problem: str | None  # what was wrong with the first byte cut off


def recover_open_files(directory: Path) -> list[RecoveredFile]:
    """Finish every ``*.warc.gz.open`` in ``directory``: keep its whole members, rename it.

    Call only while no writer has the directory open (the archive lock). A member that does not
    inflate, fails its CRC, or holds anything but exactly one parsable record is cut off, with
    everything after it, and so is a response (or revisit) whose request record it lost; a file
    left empty is removed.
    """
    return [_recover(path) for path in sorted(Path(directory).glob("*.warc.gz" + OPEN_SUFFIX))]


def _recover(path: Path) -> RecoveredFile:
    # The one check of what is whole (crawler/archive/damage.py): a capture at the end that lost
    # its request record is cut off with the torn member.
    check = check_warc(path)
    kept, size, problem = check.whole, check.size, check.problem
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if kept == 0:
        path.unlink()
        return RecoveredFile("", 0, size, 0, problem)
    if kept < size:
        with path.open("r+b") as stream:
            stream.truncate(kept)
            stream.flush()
            os.fsync(stream.fileno())
    os.replace(path, final)
    return RecoveredFile(final.name, kept, size - kept, len(check.records), problem)
