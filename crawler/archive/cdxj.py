"""What the CDXJ line of a WARC record is: cdxj-indexer's, whether the record is read back from
its file or indexed by the writer as it writes it.

cdxj-indexer turns each record it reads into a line in one place (``filter_record``, then
``process_index_entry``), asking the file's reader only where the record starts and how long it
is. A record being written is indexed through that same place from its uncompressed bytes, with
the offset and the compressed length the writer knows: the line is the one reading the file
back gives (tests/unit/archive/test_index_as_written.py compares both, byte for byte).
"""

from __future__ import annotations

import importlib.metadata
import io
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import IO, Any

# The record's type, from its WARC headers (a field name is case-insensitive, its value is not).
_WARC_TYPE = re.compile(rb"\r\n(?i:WARC-Type):[ \t]*([^\r\n]*?)[ \t]*\r\n")
_HEADERS_END = b"\r\n\r\n"


@cache
def indexer_version() -> str:
    """The indexer that made a line: another one may make other lines of the same record."""
    return "cdxj-indexer " + importlib.metadata.version("cdxj-indexer")


@cache
def _indexer_class() -> Any:
    # Imported on first use: cdxj_indexer pulls in surt, tldextract, requests and pyamf (about
    # 0.2 s), which every importer of crawler.archive would otherwise pay.
    from cdxj_indexer import CDXJIndexer

    class Indexer(CDXJIndexer):
        def _get_digest(self, record: Any, name: str) -> Any:
            # A revisit without WARC-Payload-Digest (a 304) has no digest to compute, but the
            # base class spools the record into a temporary file it never closes to find that.
            if record.rec_type == "revisit" and not record.rec_headers.get_header(name):
                return None
            return super()._get_digest(record, name)

    return Indexer


def index_warc_files(inputs: Iterable[Path], out: IO[str]) -> None:
    """Write cdxj-indexer's sorted index of ``inputs`` to ``out`` (file names as base names,
    matching WarcPointer.filename)."""
    paths = [str(path) for path in inputs]
    _indexer_class()(output=out, inputs=paths, sort=True).process_all()


def sorting_writer(out: IO[str]) -> Any:
    """What cdxj-indexer sorts a file's lines with: ``write`` each line, then ``flush`` writes
    them sorted to ``out``, a line equal to the one before left out (spilling to temporary files
    past 32 MB of lines, as cdxj-indexer does)."""
    from cdxj_indexer.main import SortingWriter

    return SortingWriter(out)


class RecordIndexer:
    """The index lines of the records of the WARC file ``filename``, given one at a time as they
    are written; the lines come unsorted, in the order of the records."""

    def __init__(self, filename: str) -> None:
        self._indexer = _indexer_class()(output=None, inputs=[])
        # What cdxj-indexer names the file it reads (a base name).
        self._indexer.curr_filename = filename

    def write_lines(self, record: bytes, offset: int, length: int, out: IO[str]) -> None:
        """Write to ``out`` the lines of the one record serialized (uncompressed) in ``record``,
        stored at ``offset`` of the file as a gzip member of ``length`` bytes."""
        indexer = self._indexer
        if not self._may_index(record):
            return
        position = _Position(offset, length)
        for parsed in indexer._create_record_iter(io.BytesIO(record)):
            # As cdxj-indexer's process_one does for each record it reads.
            if not indexer.include_records or indexer.filter_record(parsed):
                indexer.process_index_entry(position, parsed, indexer.curr_filename, out)

    def _may_index(self, record: bytes) -> bool:
        # A record of a type cdxj-indexer leaves out (a request, the warcinfo) is not parsed:
        # its filter_record would drop it on that type alone.
        included = self._indexer.include_records
        match = _WARC_TYPE.search(record, 0, record.find(_HEADERS_END) + 2)
        return not included or match is None or match[1].decode("latin-1") in included


class _Position:
    """Where a record is in its file, as cdxj-indexer asks the iterator that read it."""

    def __init__(self, offset: int, length: int) -> None:
        self._offset = offset
        self._length = length

    def get_record_offset(self) -> int:
        return self._offset

    def get_record_length(self) -> int:
        return self._length
