"""What an archive says it holds, against what its WARC files hold: the losses ``rebuild``
refuses to rebuild over (crawler/rebuild.py).

Three things name records: the manifest (``pairs.jsonl``: each pair's translation and source
pointers), the CDXJ index, and the crawl-log records (``rebuild`` reads a pair's pages through
them). A record is lost when a file is damaged at or before it, when it is not whole where it
is named (a file cut at a record boundary, or replaced), when its file is not in the archive, or,
for a manifest pointer, when no crawl-log record names it any more (the log record was cut off
with the end of a file, or a crawl was killed between the two).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler import defaults
from crawler.archive.damage import Named, WarcCheck, describe_losses, index_names, lost_records
from crawler.archive.naming import OPEN_SUFFIX, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.items.crawllog import LogEntry

MANIFEST = defaults.PAIRS_MANIFEST


@dataclass(frozen=True)
class Losses:
    problems: list[str]  # one line each: a damaged file, or a file's lost records
    pairs: list[str]  # ids of the manifest's pairs naming lost records


def archive_losses(
    directory: Path, checks: Mapping[str, WarcCheck], entries: Sequence[LogEntry]
) -> Losses | None:
    """The losses of ``directory``, whose closed files were read into ``checks`` and whose
    crawl-log records (in whole records) are ``entries``; None when nothing was lost."""
    present = present_files(directory, checks)
    manifest = list(manifest_names(directory / MANIFEST))
    lost: dict[str, list[Named]] = {}
    for name in lost_records(checks, [*manifest, *index_names(directory)], present):
        lost.setdefault(name.filename, []).append(name)
    unlogged = _unlogged(manifest, checks, entries)
    problems = []
    for filename in sorted(checks.keys() | lost.keys()):
        check = checks.get(filename)
        if check is not None and check.damaged:
            problems.append(check.describe())
        if filename in lost:
            size = check.size if check is not None else None
            problems.append(describe_losses(filename, lost[filename], size))
        if filename in unlogged:
            problems.append(
                f"{filename}: {len(unlogged[filename])} record(s) {MANIFEST} names have no "
                "crawl-log record (cut off with the end of the file, or never written by a "
                "crawl killed just after the page)"
            )
    if not problems:
        return None
    gone = [
        *(n for names in lost.values() for n in names),
        *(n for v in unlogged.values() for n in v),
    ]
    pairs = sorted({name.label for name in gone if name.source == MANIFEST})
    return Losses(problems, pairs)


def present_files(directory: Path, checks: Mapping[str, WarcCheck]) -> set[str]:
    """The files of the archive a pointer may name: the closed ones, and those being written."""
    writing = {p.name.removesuffix(OPEN_SUFFIX) for p in open_warc_files(Path(directory))}
    return set(checks) | writing


def page_lost(entry: LogEntry, checks: Mapping[str, WarcCheck], present: set[str]) -> bool:
    """Whether the page a crawl-log record was read from is lost."""
    pointer = WarcPointer.from_dict(entry.fields["warc"])
    return bool(lost_records(checks, [Named.pointer("crawl log", entry.where, pointer)], present))


def manifest_names(path: Path) -> Iterator[Named]:
    """The records the manifest at ``path`` points to, labelled with their pair's id; a line
    that cannot be read names none (``verify`` reports it)."""
    if not path.is_file():
        return
    with path.open("rb") as lines:
        for line in lines:
            try:
                data = json.loads(line)
                for side in ("translation", "source"):
                    warc = (data.get(side) or {}).get("warc")
                    if warc:
                        pointer = WarcPointer.from_dict(warc)
                        yield Named.pointer(MANIFEST, str(data["pair_id"]), pointer)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue


def _unlogged(
    manifest: Sequence[Named], checks: Mapping[str, WarcCheck], entries: Sequence[LogEntry]
) -> dict[str, list[Named]]:
    """The manifest's whole records that no crawl-log record names, by file; only in files
    holding crawl-log records (an archive crawled with the crawl log off has none to lose)."""
    logged = set()
    for entry in entries:
        # A source read from a web archive's capture also names the live URL's response, which
        # its pair describes when the capture is refused.
        live = entry.fields.get("live")
        for warc in (
            entry.fields.get("warc"),
            live.get("warc") if isinstance(live, dict) else None,
        ):
            if isinstance(warc, dict):
                logged.add((warc.get("filename"), warc.get("offset")))
    files = {entry.record.filename for entry in entries}
    found: dict[str, list[Named]] = {}
    for name in manifest:
        check = checks.get(name.filename)
        whole = check is not None and name.offset in check.records
        if whole and name.filename in files and (name.filename, name.offset) not in logged:
            found.setdefault(name.filename, []).append(name)
    return found
