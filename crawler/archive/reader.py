"""Read the record a WARC pointer names: the one way into an archived record.

A pointer (file name, offset, record id) comes from a manifest, the crawl state or a crawl-log
record, all of which a person can edit; so the file name must be a plain name of the archive
directory (no path, no ``..``), the record at the offset must carry the pointer's id, and every
failure, from a missing file to warcio's errors on damaged bytes, is one :class:`RecordError`
naming the place. A file the running crawl is still writing (``NAME.warc.gz.open``) is read as
well, since every record in it is flushed whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import OPEN_SUFFIX
from crawler.archive.pointer import WarcPointer

_T = TypeVar("_T")

ANY_KIND: Collection[str] = ()


class RecordError(ValueError):
    """The pointer does not lead to a readable record of the kind asked for."""


def where(pointer: WarcPointer) -> str:
    return f"{pointer.filename} at offset {pointer.offset}"


def warc_path(archive_dir: Path, pointer: WarcPointer) -> Path:
    """The file ``pointer`` names in ``archive_dir`` (its ``.open`` file while it is written)."""
    name = pointer.filename
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        raise RecordError(f"{where(pointer)}: not a file of the archive directory")
    path = Path(archive_dir) / name
    if not path.exists() and path.with_name(name + OPEN_SUFFIX).exists():
        return path.with_name(name + OPEN_SUFFIX)
    return path


def read_record(
    archive_dir: Path,
    pointer: WarcPointer,
    read: Callable[[Any], _T],
    *,
    kinds: Collection[str] = ("response",),
) -> _T:
    """``read`` applied to the record at ``pointer`` (a warcio record, its block unread), which
    must be of one of ``kinds`` (any with :data:`ANY_KIND`); any failure is a RecordError."""
    try:
        with warc_path(archive_dir, pointer).open("rb") as stream:
            stream.seek(pointer.offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                raise RecordError(
                    f"{where(pointer)}: record {pointer.record_id} is not there (no record at "
                    "that offset)"
                )
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            if record_id != pointer.record_id:
                raise RecordError(
                    f"{where(pointer)}: record {pointer.record_id} is not there "
                    f"(the record is {record_id})"
                )
            if kinds and record.rec_type not in kinds:
                raise RecordError(
                    f"{where(pointer)}: a {record.rec_type} record, not a {' or '.join(kinds)}"
                )
            if "response" in kinds and record.rec_type == "response" and not record.http_headers:
                raise RecordError(f"{where(pointer)}: a response record without HTTP headers")
            return read(record)
    except RecordError:
        raise
    except OSError as exc:
        raise RecordError(f"{where(pointer)}: cannot be read ({exc})") from exc
    except Exception as exc:  # warcio raises assorted errors on damaged bytes
        raise RecordError(f"{where(pointer)}: not a readable WARC record ({exc})") from exc
