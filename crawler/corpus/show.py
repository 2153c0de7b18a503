"""One pair for a reader: both texts side by side, and the archived records they came from.

The provenance is read from the WARC record the manifest points to (not from the manifest), so
what ``pairs show`` prints proves that the archived bytes exist and are the ones cited. The
source's history (its changes of outcome and of page across crawls) is read from the archive's
crawl state, when it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

from crawler.archive.layout import STATE_DIR, STATE_NAME
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import ANY_KIND, RecordError, read_record
from crawler.corpus.align import Aligner
from crawler.corpus.textwidth import pad, wrap
from crawler.manifest import STATUS_DESCRIPTIONS, Pair
from crawler.state import CrawlState, StateError, StatusChange
from crawler.util.terminal import printable

GUTTER = " │ "
MIN_COLUMN = 12
_CHUNK = 1 << 16
_DIGEST_CHARS = 12  # of a payload digest, after its algorithm: enough to tell versions apart


class ProvenanceError(ValueError):
    """The pointer does not lead to a readable record with the expected WARC-Record-ID."""


@dataclass(frozen=True, kw_only=True)
class WarcProvenance:
    """What the WARC record itself says about an archived capture."""

    pointer: WarcPointer
    warc_type: str
    target_uri: str | None
    warc_date: str | None
    record_id: str
    payload_digest: str | None
    http_status: int | None
    content_type: str | None
    content_encoding: str | None
    payload_length: int  # bytes of the HTTP body after undoing chunking and Content-Encoding
    refers_to: str | None  # a revisit's WARC-Refers-To-Target-URI and -Date


def read_provenance(archive_dir: Path, pointer: WarcPointer) -> WarcProvenance:
    """Read the record at ``pointer``; raises ProvenanceError when it is missing or another."""
    try:
        return read_record(
            archive_dir, pointer, lambda record: _provenance(pointer, record), kinds=ANY_KIND
        )
    except RecordError as error:
        raise ProvenanceError(str(error)) from None


def _provenance(pointer: WarcPointer, record: Any) -> WarcProvenance:
    headers = record.rec_headers
    http = record.http_headers
    body = record.content_stream()
    length = 0
    while chunk := body.read(_CHUNK):
        length += len(chunk)
    refers = headers.get_header("WARC-Refers-To-Target-URI")
    if refers:
        refers = f"{refers} at {headers.get_header('WARC-Refers-To-Date')}"
    return WarcProvenance(
        pointer=pointer,
        warc_type=record.rec_type,
        target_uri=headers.get_header("WARC-Target-URI"),
        warc_date=headers.get_header("WARC-Date"),
        record_id=headers.get_header("WARC-Record-ID"),
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        http_status=int(http.get_statuscode()) if http is not None else None,
        content_type=http.get_header("Content-Type") if http is not None else None,
        content_encoding=http.get_header("Content-Encoding") if http is not None else None,
        payload_length=length,
        refers_to=refers or None,
    )


def format_provenance(
    label: str, url: str | None, pointer: WarcPointer | None, archive_dir: Path
) -> tuple[list[str], bool]:
    """Lines describing one side's archived record, and whether it could be read (page and
    record text made :func:`~crawler.util.terminal.printable`)."""
    lines = [f"{label}: {printable(url or '(none)')}"]
    if pointer is None:
        lines.append("  not archived (no WARC pointer in the manifest)")
        return lines, True
    try:
        record = read_provenance(archive_dir, pointer)
    except ProvenanceError as error:
        lines.append(f"  WARC record cannot be read: {printable(str(error))}")
        return lines, False
    encoding = f", decoded from {record.content_encoding}" if record.content_encoding else ""
    http = "-" if record.http_status is None else str(record.http_status)
    fields = [
        ("WARC file", f"{pointer.filename} @ offset {pointer.offset}"),
        ("WARC-Record-ID", f"{record.record_id} (matches the manifest)"),
        ("WARC-Type", record.warc_type),
        ("WARC-Target-URI", record.target_uri or "-"),
        ("WARC-Date", record.warc_date or "-"),
        ("WARC-Payload-Digest", record.payload_digest or "-"),
        ("HTTP status", http),
        ("Content-Type", record.content_type or "-"),
        ("Payload", f"{record.payload_length} bytes{encoding}"),
    ]
    if record.refers_to:
        fields.append(("Revisit of", record.refers_to))
    lines += [f"  {name:<20} {printable(value)}" for name, value in fields]
    return lines, True


def source_history(archive_dir: Path, cited_url: str | None) -> list[StatusChange]:
    """The changes the archive's crawl state recorded for ``cited_url``, oldest first; none
    without a state (a manifest copied alone, a crawl without one)."""
    path = archive_dir / STATE_DIR / STATE_NAME
    if cited_url is None or not path.is_file():
        return []
    with CrawlState(path) as state:
        return state.history(cited_url)


def format_history(changes: Sequence[StatusChange]) -> list[str]:
    """One entry per change: date, old -> new status, digests shortened, the paragraph summary,
    and the WARC pointers of both sides."""
    if not changes:
        return []
    lines = ["Source history (crawl state):"]
    for change in changes:
        status = f"{_status(change.old_status, change.old_http_status)} -> "
        status += _status(change.new_status, change.new_http_status)
        digests = f"{_digest(change.old_payload_digest)} -> {_digest(change.new_payload_digest)}"
        lines.append(f"  {change.fetched_at}  {status}  {digests}{_summary(change.paragraphs)}")
        lines.append(f"    old: {_pointer(change.old_warc)}")
        lines.append(f"    new: {_pointer(change.new_warc)}")
    return [printable(line) for line in lines]


def _status(status: str | None, http_status: int | None) -> str:
    if status is None:
        return "(first fetch)"
    return f"{status} ({http_status})" if http_status is not None else status


def _digest(digest: str | None) -> str:
    if not digest:
        return "-"
    algorithm, colon, value = digest.partition(":")
    if not colon:
        return digest[:_DIGEST_CHARS]
    return f"{algorithm}:{value[:_DIGEST_CHARS]}"


def _summary(paragraphs: dict[str, int] | None) -> str:
    if paragraphs is None:
        return ""
    counts = (paragraphs.get(key, 0) for key in ("added", "removed", "changed"))
    added, removed, changed = counts
    return f"  paragraphs: {added} added, {removed} removed, {changed} changed"


def _pointer(pointer: WarcPointer | None) -> str:
    return f"{pointer.filename} @ offset {pointer.offset}" if pointer is not None else "-"


def paragraph_rows(
    ja: Sequence[str], en: Sequence[str], aligner: Aligner | None
) -> list[tuple[str, str, str]]:
    """(kind, Japanese cell, English cell) per aligned group; by position without an aligner."""
    if aligner is None:
        return [("", j or "", e or "") for j, e in zip_longest(ja, en)]
    return [
        (
            f"{bead.kind} {bead.score:.2f}",
            "\n".join(ja[i] for i in bead.ja),
            "\n".join(en[i] for i in bead.en),
        )
        for bead in aligner.paragraphs(ja, en)
    ]


def side_by_side(rows: Sequence[tuple[str, str, str]], width: int) -> list[str]:
    """Two wrapped columns separated by a rule; a line between rows names the bead."""
    column = max(MIN_COLUMN, (width - len(GUTTER)) // 2)
    rule_left, rule_right = "─" * column, "─" * column
    lines: list[str] = []
    for kind, left, right in rows:
        label = f" {kind} " if kind else ""
        lines.append(rule_left[: column - len(label)] + label + "─┼─" + rule_right)
        # Made printable before the layout, so that each column is as wide as it is drawn.
        left_lines, right_lines = wrap(printable(left), column), wrap(printable(right), column)
        for a, b in zip_longest(left_lines, right_lines, fillvalue=""):
            lines.append((pad(a, column) + GUTTER + b).rstrip())
    return lines


def render_pair(
    pair: Pair, archive_dir: Path, width: int = 100, aligner: Aligner | None = None
) -> tuple[str, bool]:
    """The full ``pairs show`` text, and whether every archived record could be read."""
    confidence = "-" if pair.confidence is None else f"{pair.confidence:.3f}"
    description = STATUS_DESCRIPTIONS.get(pair.status, "")
    lines = [
        f"pair {pair.pair_id}  status {pair.status}  confidence {confidence}",
        f"  {description}" if description else "",
    ]
    if pair.error:
        lines.append(f"  error: {printable(pair.error)}")
    lines.append(f"  ja: {printable(pair.translation.title or '(no title)')}")
    source = pair.source
    lines.append(f"  en: {printable(source.title if source and source.title else '(no title)')}")
    lines.append("")
    translation_lines, ok_translation = format_provenance(
        "Translation", pair.translation.url, pair.translation.warc, archive_dir
    )
    source_lines, ok_source = format_provenance(
        "Source",
        source.url if source else pair.cited_url,
        source.warc if source else None,
        archive_dir,
    )
    lines += [*translation_lines, "", *source_lines, ""]
    if source is not None and source.changed_since is not None:
        lines += [f"Source changed since {source.changed_since}: the text is the first capture's"]
    try:
        history = format_history(source_history(archive_dir, pair.cited_url))
    except StateError as error:
        history = [f"Source history cannot be read: {printable(str(error))}"]
    lines += [*history, ""] if history else []
    ja, en = pair.translation.paragraphs, source.paragraphs if source else ()
    if aligner is None:
        lines.append("(paragraphs side by side in order: no aligner available)")
    header = pad("Japanese (translation)", max(MIN_COLUMN, (width - len(GUTTER)) // 2))
    lines.append(header + GUTTER + "English (source)")
    lines += side_by_side(paragraph_rows(ja, en, aligner), width)
    return "\n".join(lines), ok_translation and ok_source
