"""Whether a WARC file is damaged: the one check the crawl, ``rebuild`` and ``verify`` share.

A closed file is damaged when one of its gzip members is cut short or does not inflate, or does
not hold exactly one whole WARC record (a record shorter than its Content-Length): the damage
starts at that member, and every record before it is whole. A file can also look whole and
still have lost records, when it was cut exactly at a record boundary (a copy that stopped, a
restore from an older or shorter copy); only what names its records shows that: the manifest,
the crawl state, the CDXJ index. :func:`check_warc` reads a file once; :func:`lost_records`
holds what names records against the files checked.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive.index import INDEX_NAME
from crawler.archive.pointer import WarcPointer

_CHUNK = 1 << 16
# WARC headers take a few hundred bytes; a member whose first 64 KiB hold none holds no record.
_HEAD = 1 << 16
_END_OF_RECORD = b"\r\n\r\n"
CAPTURES = ("response", "revisit")


@dataclass(frozen=True)
class SeenRecord:
    """A whole record of a checked file."""

    record_id: str
    rec_type: str
    refers_to: str | None  # WARC-Refers-To: for a crawl-log record, the capture it describes
    date: str  # WARC-Date


@dataclass
class WarcCheck:
    """One read of a WARC file: its whole records, and where the damage starts if any."""

    filename: str
    size: int
    records: dict[int, SeenRecord] = field(default_factory=dict)  # by their member's offset
    # Bytes of whole exchanges from the start, the records worth keeping: the size when nothing
    # is wrong, else ``problem_at`` or the capture before it whose request is lost there.
    whole: int = 0
    problem: str | None = None  # what is wrong with the member at offset ``problem_at``
    problem_at: int = 0

    @property
    def damaged(self) -> bool:
        return self.problem is not None

    def describe(self) -> str:
        if self.problem is None:
            return f"{self.filename}: {len(self.records)} whole records ({self.size} bytes)"
        orphan = (
            f" (the capture at offset {self.whole} lost its request record there)"
            if self.whole < self.problem_at
            else ""
        )
        return (
            f"{self.filename}, offset {self.problem_at}: {self.problem}; the "
            f"{len(self.records)} records before offset {self.whole} ({self.whole} of "
            f"{self.size} bytes) are whole{orphan}"
        )


@dataclass(frozen=True)
class Named:
    """A record something says the archive holds: a manifest pointer, a crawl-state entry, an
    index line. ``source`` is what says so, ``label`` which of its entries."""

    source: str
    label: str
    filename: str
    offset: int
    record_id: str | None = None  # None: the source names no record id (the CDXJ index)

    @classmethod
    def pointer(cls, source: str, label: str, pointer: WarcPointer) -> Named:
        return cls(source, label, pointer.filename, pointer.offset, pointer.record_id)


def check_warc(path: Path) -> WarcCheck:
    """Read every gzip member of ``path`` up to the first damaged one (bounded memory)."""
    check = WarcCheck(path.name, path.stat().st_size)
    with path.open("rb") as stream:
        pending = b""  # input read but not yet inflated; it starts at offset ``check.whole``
        while True:
            pending = pending or stream.read(_CHUNK)
            if not pending:
                last = max(check.records, default=None)
                if last is not None and check.records[last].rec_type in CAPTURES:
                    kind = check.records.pop(last).rec_type
                    return _damaged(
                        check,
                        f"the file ends with this {kind} record, without the request record "
                        "written after it (it was cut between the two)",
                        at=last,
                    )
                return check
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            head, tail, length, fed = bytearray(), b"", 0, 0
            data = pending
            try:
                while not inflater.eof:
                    data = data or stream.read(_CHUNK)
                    if not data:
                        cut = "the gzip member is cut short (the file ends inside it)"
                        return _damaged(check, cut, at=check.whole)
                    fed += len(data)
                    while data and not inflater.eof:
                        out = inflater.decompress(data, _CHUNK)
                        data = inflater.unconsumed_tail
                        length += len(out)
                        head += out[: max(0, _HEAD - len(head))]
                        tail = (tail + out)[-len(_END_OF_RECORD) :]
            except zlib.error as error:
                problem = f"the gzip member does not decompress ({describe_error(error)})"
                return _damaged(check, problem, at=check.whole)
            pending = inflater.unused_data
            record, problem = _one_record(bytes(head), tail, length)
            if record is None:
                return _damaged(check, f"the gzip member {problem}", at=check.whole)
            check.records[check.whole] = record
            check.whole += fed - len(pending)


def _damaged(check: WarcCheck, problem: str, *, at: int) -> WarcCheck:
    """``check`` with ``problem`` at offset ``at``. An exchange is written as its response (or
    revisit) record, then its request record: a capture just before the damage lost its request
    there, so it is left out of what is whole too."""
    check.problem, check.problem_at, check.whole = problem, at, at
    last = max((o for o in check.records if o < at), default=None)
    if last is not None and check.records[last].rec_type in CAPTURES:
        del check.records[last]
        check.whole = last
    return check


def _one_record(head: bytes, tail: bytes, length: int) -> tuple[SeenRecord | None, str]:
    """The record an inflated member holds, from its first bytes, last bytes and length."""
    end = head.find(_END_OF_RECORD)
    if not head.startswith(b"WARC/") or end < 0:
        return None, "holds no WARC record"
    fields: dict[str, str] = {}
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower().decode("latin-1")] = value.strip().decode("utf-8", "replace")
    try:
        declared = int(fields["content-length"])
    except (KeyError, ValueError):
        return None, "holds a record without a Content-Length"
    block = length - end - 2 * len(_END_OF_RECORD)
    if block < declared:
        return None, (
            f"holds a record shorter than its Content-Length ({max(block, 0)} of {declared} bytes)"
        )
    if block > declared or tail != _END_OF_RECORD:
        return None, "holds more than one record, or bytes after its record"
    record = SeenRecord(
        fields.get("warc-record-id", ""),
        fields.get("warc-type", ""),
        fields.get("warc-refers-to"),
        fields.get("warc-date", ""),
    )
    return record, ""


def lost_records(
    checks: Mapping[str, WarcCheck], named: Iterable[Named], present: Collection[str]
) -> list[Named]:
    """What ``named`` says the archive holds and it does not: a record of a checked file that is
    not whole at that offset (or is another record), or any record of a file not ``present``
    (the names of the files in the archive, closed or open). Records of present files that were
    not checked are taken as they are."""
    lost = []
    for name in named:
        check = checks.get(name.filename)
        if check is None:
            if name.filename not in present:
                lost.append(name)
            continue
        seen = check.records.get(name.offset)
        if seen is None or (name.record_id is not None and seen.record_id != name.record_id):
            lost.append(name)
    return lost


def index_names(directory: Path) -> Iterator[Named]:
    """The records the CDXJ index of ``directory`` names (none without an index); a line that
    is not an entry is verify's finding, not a lost record."""
    index = Path(directory) / INDEX_NAME
    if not index.is_file():
        return
    with index.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line.split(" ", 2)[2])
                yield Named(INDEX_NAME, f"line {number}", entry["filename"], int(entry["offset"]))
            except (IndexError, ValueError, KeyError, TypeError):
                continue


def describe_losses(filename: str, lost: Collection[Named], size: int | None) -> str:
    """One line: how many records of ``filename`` what names them says are gone, and who says."""
    by_source: dict[str, int] = {}
    for name in lost:
        by_source[name.source] = by_source.get(name.source, 0) + 1
    sources = ", ".join(f"{source} {count}" for source, count in sorted(by_source.items()))
    where = "the file is not in the archive" if size is None else f"it has {size} bytes"
    return (
        f"{filename}: {len(lost)} record(s) named in the archive are not in it ({sources}); {where}"
    )


def describe_error(error: Exception, limit: int = 120) -> str:
    """An error as one short printable line: readers quote the damaged bytes in their messages."""
    text = " ".join(str(error).split())
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in text)
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(error).__name__}: {text}"
