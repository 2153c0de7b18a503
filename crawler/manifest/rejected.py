"""``ARCHIVE_DIR/rejected-pairs.jsonl``: every line the manifest schema refused, as it was.

The manifest itself gets the repaired line (crawler/manifest/repair.py); this file keeps what
was refused, for the bug report: one JSON object per line with ``error`` (the schema's message),
``pair`` (the line as composed or read) and ``defects`` (what the repair replaced), or ``line``
(the text of a line that could not be made a pair at all), and ``where`` for a line read from a
file. Appended to, never rewritten.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from crawler.archive.layout import REJECTED_NAME
from crawler.manifest.fold import UnreadableLine
from crawler.manifest.jsonsafe import WHOLE_LINE
from crawler.manifest.repair import Repair
from crawler.util.filemodes import share_file


def repaired_record(repair: Repair) -> dict[str, Any]:
    record: dict[str, Any] = {
        "error": repair.error,
        "pair": repair.original,
        "defects": [d.to_json() for d in repair.defects],
    }
    if repair.where:
        record["where"] = repair.where
    return record


def unwritable_record(error: str, line: Any, where: str = "") -> dict[str, Any]:
    """A pair or line that could not be made a manifest line: ``line`` as JSON, or its text."""
    record: dict[str, Any] = {"error": error, "pair" if isinstance(line, dict) else "line": line}
    if where:
        record["where"] = where
    return record


def unreadable_record(line: UnreadableLine) -> dict[str, Any]:
    return unwritable_record(line.error, line.text, line.where)


def describe_repair(repair: Repair) -> str:
    """One sentence for a log or a terminal: which pair, what was refused, what was replaced."""
    pair = repair.pair
    where = f" at {repair.where}" if repair.where else ""
    if WHOLE_LINE in repair.fields:
        written = "written as a minimal line of the same pair, the whole line in its defects"
    else:
        written = (
            f"written repaired, the refused values of {', '.join(repair.fields)} in its defects"
        )
    return (
        f"pair {pair.pair_id} ({pair.translation.url}, cited {pair.cited_url}){where} refused by "
        f"the manifest schema ({repair.error}): {written}"
    )


def report_repairs(command: str, repairs: Sequence[Repair], directory: Path) -> bool:
    """For the commands that write a manifest: keep the refused lines in ``directory``'s
    rejected-pairs.jsonl and say so on stderr; True when there were any (the command fails)."""
    if not repairs:
        return False
    kept = append_rejected(directory, [repaired_record(r) for r in repairs])
    for repair in repairs:
        print(f"{command}: {describe_repair(repair)}", file=sys.stderr)
    print(
        f"{command}: failed, {len(repairs)} pair line(s) refused by the manifest schema (a bug "
        f"in the crawler) were written repaired; the lines as they were are in {kept}",
        file=sys.stderr,
    )
    return True


def append_rejected(archive_dir: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Append ``records`` to the archive's rejected-pairs.jsonl (on disk when this returns)."""
    path = Path(archive_dir) / REJECTED_NAME
    with path.open("a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    share_file(path)
    return path
