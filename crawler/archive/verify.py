"""Checking an archive directory: gzip members, records, digests, record links, index, pointers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.archive.coverage import LoggedItem, is_crawl_log, logged_item
from crawler.archive.damage import check_warc
from crawler.archive.damage import describe_error as _describe
from crawler.archive.index import INDEX_NAME
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.records import PROFILE_IDENTICAL_PAYLOAD
from crawler.archive.recover import damaged_files
from crawler.util.atomic import leftover_temporaries

_CHUNK = 1 << 16
CAPTURE_TYPES = ("response", "revisit")


@dataclass
class VerifyReport:
    directory: Path
    files: int = 0
    records: int = 0
    index_entries: int = 0
    pointers: int = 0
    # The posts and sources the crawl-log records name: what the manifest must have lines for.
    logged: list[LoggedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Worth knowing but not wrong, such as a revisit of a capture kept in another archive.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        lines = [
            f"Archive {self.directory}: {self.files} WARC files, {self.records} records, "
            f"{self.index_entries} index entries, {self.pointers} pointers checked, "
            f"{len(self.logged)} crawl-log records."
        ]
        if self.ok:
            lines.append("OK: no problems found.")
        else:
            lines.append(f"{len(self.problems)} problem(s):")
            lines.extend(f"  - {problem}" for problem in self.problems)
        if self.notes:
            lines.append(f"{len(self.notes)} note(s):")
            lines.extend(f"  - {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Record:
    filename: str
    offset: int
    rec_type: str
    record_id: str
    uri: str
    date: str
    headers: Any

    def where(self) -> str:
        return f"{self.filename}, offset {self.offset}"


def verify_archive(
    directory: Path, *, pointers: Iterable[tuple[str, WarcPointer]] = ()
) -> VerifyReport:
    """Check every WARC file in ``directory``, its CDXJ index (if any) and the given pointers,
    named by a label each (such as a manifest pair id); never raises on a damaged archive."""
    directory = Path(directory)
    report = VerifyReport(directory)
    if not directory.is_dir():
        report.problems.append(f"{directory} is not a directory.")
        return report
    for path in open_warc_files(directory):
        report.problems.append(
            f"{path.name}: still being written (an '.open' file: its writer is running, or was "
            "stopped before closing it)."
        )
    _check_leftover_temporary_files(directory, report)
    for path in damaged_files(directory):
        report.notes.append(
            f"{path.name}: a damaged WARC file that a crawl set aside, its whole records kept in "
            "the file of its name without the suffix; keep it to recover the rest by hand."
        )
    by_file: dict[str, list[_Record]] = {}
    for path in closed_warc_files(directory):
        report.files += 1
        _check_gzip_members(path, report)
        records = _read_records(path, report)
        report.records += len(records)
        by_file[path.name] = records
        _check_file_links(path.name, records, report)
    by_id: dict[str, _Record] = {}
    for record in (r for records in by_file.values() for r in records):
        if record.record_id in by_id:
            first = by_id[record.record_id]
            report.problems.append(
                f"{record.where()}: record id {record.record_id} is already used at "
                f"{first.where()}."
            )
        by_id.setdefault(record.record_id, record)
    _check_revisits(by_file, by_id, report)
    _check_metadata_links(by_file, by_id, report)
    index = directory / INDEX_NAME
    if index.is_file():
        _check_index(index, by_file, report)
    _check_pointers(pointers, by_file, {p.name for p in open_warc_files(directory)}, report)
    return report


def _check_leftover_temporary_files(directory: Path, report: VerifyReport) -> None:
    """A ``*.tmp`` file is an atomic write that never reached its rename: a killed crawl or
    command. The file it was to replace is untouched; the leftover only takes space."""
    for leftover in leftover_temporaries(directory):
        name = leftover.path.relative_to(directory).as_posix()
        target = leftover.target
        if target is not None:
            what = (
                f"the temporary file of an unfinished write of {target} (a crawl or command "
                f"was killed before it replaced {target}, which it did not touch)"
            )
        else:
            what = "a temporary file, not part of the archive (left by an interrupted write)"
        report.problems.append(
            f"{name}: {what}; delete {name} once no crawl or command is running on this archive."
        )


def _check_gzip_members(path: Path, report: VerifyReport) -> None:
    """Every member must inflate with a good CRC and hold one whole record, up to the last byte
    of the file: the check the crawl and ``rebuild`` make too (crawler/archive/damage.py)."""
    check = check_warc(path)
    if check.problem is not None:
        report.problems.append(f"{path.name}, offset {check.problem_at}: {check.problem}.")


def _read_records(path: Path, report: VerifyReport) -> list[_Record]:
    records: list[_Record] = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream, check_digests=True)
        try:
            for record in iterator:
                headers = record.rec_headers
                # A crawl-log block is kept (a few hundred bytes) to learn what it names.
                logs = record.rec_type == "metadata" and is_crawl_log(
                    headers.get_header("Content-Type") or ""
                )
                block = []
                while chunk := record.raw_stream.read(_CHUNK):  # this runs the digest check
                    if logs:
                        block.append(chunk)
                found = _Record(
                    filename=path.name,
                    offset=iterator.get_record_offset(),
                    rec_type=str(record.rec_type),
                    record_id=headers.get_header("WARC-Record-ID") or "",
                    uri=headers.get_header("WARC-Target-URI") or "",
                    date=headers.get_header("WARC-Date") or "",
                    headers=headers,
                )
                records.append(found)
                if logs:
                    _note_logged(b"".join(block), found, report)
                for problem in record.digest_checker.problems:
                    report.problems.append(f"{found.where()}: {found.rec_type} record {problem}.")
        except Exception as error:  # any reader failure is a finding, not a crash
            after = f"the record at offset {records[-1].offset}" if records else "the start"
            report.problems.append(
                f"{path.name}: warcio cannot read on after {after} ({_describe(error)})."
            )
        if iterator.err_count:
            report.problems.append(
                f"{path.name}: {iterator.err_count} record(s) not followed by the expected blank "
                "lines (a wrong Content-Length)."
            )
    return records


def _note_logged(block: bytes, record: _Record, report: VerifyReport) -> None:
    try:
        item = logged_item(block, record.where())
    except ValueError as error:  # not UTF-8, or not the crawl-log format
        report.problems.append(
            f"{record.where()}: crawl-log record {record.record_id} cannot be read ({error})."
        )
        return
    if item is not None:
        report.logged.append(item)


def _check_file_links(filename: str, records: list[_Record], report: VerifyReport) -> None:
    if not records:
        report.problems.append(f"{filename}: holds no records.")
        return
    first = records[0]
    if first.rec_type != "warcinfo":
        report.problems.append(
            f"{first.where()}: the first record is {first.rec_type}, not warcinfo."
        )
    else:
        for record in records[1:]:
            if record.headers.get_header("WARC-Warcinfo-ID") != first.record_id:
                report.problems.append(
                    f"{record.where()}: WARC-Warcinfo-ID does not name this file's warcinfo "
                    f"record {first.record_id}."
                )
    captures = {r.record_id: r for r in records if r.rec_type in CAPTURE_TYPES}
    requested: set[str] = set()
    for request in (r for r in records if r.rec_type == "request"):
        linked = request.headers.get_header("WARC-Concurrent-To")
        if linked in captures:
            requested.add(linked)
        else:
            report.problems.append(
                f"{request.where()}: request record {request.record_id} for {request.uri} has no "
                f"response or revisit record {linked} (WARC-Concurrent-To) in this file."
            )
    for capture in captures.values():
        if capture.record_id not in requested:
            report.problems.append(
                f"{capture.where()}: {capture.rec_type} record {capture.record_id} for "
                f"{capture.uri} has no request record (WARC-Concurrent-To) in this file."
            )


def _check_revisits(
    by_file: dict[str, list[_Record]], by_id: dict[str, _Record], report: VerifyReport
) -> None:
    by_capture = {
        (r.uri, r.date): r
        for records in by_file.values()
        for r in records
        if r.rec_type == "response"
    }
    for records in by_file.values():
        for revisit in (r for r in records if r.rec_type == "revisit"):
            if revisit.headers.get_header("WARC-Profile") != PROFILE_IDENTICAL_PAYLOAD:
                continue  # a server-not-modified revisit need not name an original
            _check_identical_payload_revisit(revisit, by_id, by_capture, report)


def _check_identical_payload_revisit(
    revisit: _Record,
    by_id: dict[str, _Record],
    by_capture: dict[tuple[str, str], _Record],
    report: VerifyReport,
) -> None:
    headers = revisit.headers
    refers_to = headers.get_header("WARC-Refers-To")
    uri = headers.get_header("WARC-Refers-To-Target-URI")
    date = headers.get_header("WARC-Refers-To-Date")
    where = f"{revisit.where()}: revisit record {revisit.record_id}"
    if not uri or not date:
        report.problems.append(f"{where} lacks WARC-Refers-To-Target-URI or WARC-Refers-To-Date.")
        return
    original = by_id.get(refers_to) if refers_to else by_capture.get((uri, date))
    if original is None:
        same_capture = by_capture.get((uri, date))
        if same_capture is not None:
            report.problems.append(
                f"{where} refers to {refers_to}, which is not in the archive, while the capture "
                f"of {uri} at {date} is record {same_capture.record_id} ({same_capture.where()})."
            )
        else:
            report.notes.append(f"{where} refers to a capture of {uri} at {date} kept elsewhere.")
        return
    digest = headers.get_header("WARC-Payload-Digest")
    if original.rec_type != "response":
        report.problems.append(
            f"{where} refers to a {original.rec_type} record ({original.where()}), not a response."
        )
    elif (original.uri, original.date) != (uri, date):
        report.problems.append(
            f"{where} names {uri} at {date}, but the record it refers to ({original.where()}) "
            f"is {original.uri} at {original.date}."
        )
    elif original.headers.get_header("WARC-Payload-Digest") != digest:
        report.problems.append(
            f"{where} has payload digest {digest}, but the record it refers to "
            f"({original.where()}) has a different one."
        )


def _check_metadata_links(
    by_file: dict[str, list[_Record]], by_id: dict[str, _Record], report: VerifyReport
) -> None:
    """A metadata record (such as a crawl-log record) must refer to a record of the archive."""
    for records in by_file.values():
        for record in (r for r in records if r.rec_type == "metadata"):
            refers_to = record.headers.get_header("WARC-Refers-To")
            if refers_to and refers_to not in by_id:
                report.problems.append(
                    f"{record.where()}: metadata record {record.record_id} for {record.uri} "
                    f"refers to {refers_to}, which is not in the archive."
                )


def _check_index(index: Path, by_file: dict[str, list[_Record]], report: VerifyReport) -> None:
    name = index.name
    lines = index.read_text(encoding="utf-8").splitlines()
    if lines != sorted(lines):
        report.problems.append(f"{name}: the index is not sorted.")
    indexed: set[tuple[str, int]] = set()
    for number, line in enumerate(lines, start=1):
        report.index_entries += 1
        try:
            _urlkey, timestamp, text = line.split(" ", 2)
            entry = json.loads(text)
            filename, offset = str(entry["filename"]), int(entry["offset"])
            length, url = int(entry["length"]), str(entry["url"])
        except (ValueError, KeyError, TypeError) as error:
            report.problems.append(f"{name}, line {number}: not a CDXJ entry ({error}).")
            continue
        indexed.add((filename, offset))
        problem = _index_entry_problem(index.parent, filename, offset, length, url, timestamp)
        if problem:
            report.problems.append(f"{name}, line {number}: {problem}.")
    for records in by_file.values():
        for record in records:
            if record.rec_type in CAPTURE_TYPES and (record.filename, record.offset) not in indexed:
                report.problems.append(
                    f"{record.where()}: {record.rec_type} record for {record.uri} is not in "
                    f"{name} (stale index: rebuild it)."
                )


def _index_entry_problem(
    directory: Path, filename: str, offset: int, length: int, url: str, timestamp: str
) -> str | None:
    """Open the entry the way a replay tool does: read ``length`` bytes at ``offset``."""
    path = directory / filename
    if "/" in filename or not path.is_file():
        return f"{filename} is not in the archive"
    with path.open("rb") as stream:
        stream.seek(offset)
        member = stream.read(length)
    try:
        record = next(iter(ArchiveIterator(BytesIO(member))))
    except Exception as error:  # whatever the reader trips on, the entry does not open
        return (
            f"no record opens at {filename}, offset {offset}, length {length} ({_describe(error)})"
        )
    found_url = record.rec_headers.get_header("WARC-Target-URI")
    found_date = record.rec_headers.get_header("WARC-Date") or ""
    if found_url != url or iso_date_to_timestamp(found_date) != timestamp:
        return (
            f"{filename}, offset {offset} holds {found_url} at {found_date}, not {url} at "
            f"{timestamp} (the index is stale or the file changed)"
        )
    return None


def _check_pointers(
    pointers: Iterable[tuple[str, WarcPointer]],
    by_file: dict[str, list[_Record]],
    open_names: set[str],
    report: VerifyReport,
) -> None:
    located = {(r.filename, r.offset): r for records in by_file.values() for r in records}
    for label, pointer in pointers:
        report.pointers += 1
        where = f"pointer {label} ({pointer.filename}, offset {pointer.offset})"
        if pointer.filename not in by_file:
            state = "still open" if pointer.filename + ".open" in open_names else "missing"
            report.problems.append(f"{where}: the file is {state}.")
            continue
        record = located.get((pointer.filename, pointer.offset))
        if record is None:
            report.problems.append(f"{where}: no record starts at that offset.")
        elif record.record_id != pointer.record_id:
            report.problems.append(
                f"{where}: the record there is {record.record_id}, not {pointer.record_id}."
            )
