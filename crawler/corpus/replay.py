"""Ways to the archived copies of a pair: the ``pairs show`` command line and replay URLs.

A replay URL has pywb's form ``{base}{timestamp}id_/{url}`` (``id_``: the archived bytes as they
were, not rewritten). The timestamp is the record's own, looked up in the archive's CDXJ index by
WARC file and offset; a record the index does not hold gets the 14 digits of the line's
``crawled_at``, and the replay tool serves the capture of the URL closest to that time.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.archive.pointer import WarcPointer
from crawler.manifest import Pair

PROGRAM = "python -m crawler"


def show_command(pair_id: str, archive_dir: Path | None = None) -> str:
    """The command line that prints the pair and its WARC provenance."""
    if archive_dir is None:
        return f"{PROGRAM} pairs show {shlex.quote(pair_id)}"
    return f"{PROGRAM} pairs show {shlex.quote(str(archive_dir))} {shlex.quote(pair_id)}"


def replay_base(text: str) -> str:
    """A replay base URL as given (``http://localhost:8080/COLL/``), with its closing slash;
    ValueError unless it is an http(s) URL with a host."""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as error:
        raise ValueError(f"not a replay base URL: {text!r} ({error})") from None
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise ValueError(f"not a replay base URL (expected http://HOST/COLLECTION/): {text!r}")
    return text if text.endswith("/") else text + "/"


def _timestamp(iso: str) -> str:
    """The 14 digits of a WARC-Date or ISO 8601 UTC time (``2025-07-01T00:00:00Z``)."""
    digits = "".join(c for c in iso if c.isdigit())
    return digits[:14].ljust(14, "0")


def read_capture_times(index: Path) -> dict[tuple[str, int], str]:
    """(WARC file name, offset) -> 14-digit timestamp of every record in a CDXJ index (empty when
    there is no index); lines that are not CDXJ are skipped: the index only speeds links up."""
    times: dict[tuple[str, int], str] = {}
    if not index.is_file():
        return times
    with index.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            _, _, rest = line.partition(" ")
            stamp, _, fields = rest.partition(" ")
            try:
                record = json.loads(fields)
                times[str(record["filename"]), int(record["offset"])] = stamp
            except (ValueError, KeyError, TypeError):
                continue
    return times


@dataclass(frozen=True)
class ReplayLinks:
    """Replay URLs of a pair's records under ``base`` (a :func:`replay_base`)."""

    base: str
    capture_times: Mapping[tuple[str, int], str] = field(default_factory=dict)

    def url(self, pointer: WarcPointer | None, target: str, crawled_at: str) -> str | None:
        """The replay URL of the record ``pointer`` names (None when nothing was archived)."""
        if pointer is None:
            return None
        stamp = self.capture_times.get((pointer.filename, pointer.offset)) or _timestamp(crawled_at)
        return f"{self.base}{stamp}id_/{target}"

    def translation(self, pair: Pair) -> str | None:
        return self.url(pair.translation.warc, pair.translation.url, pair.crawled_at)

    def source(self, pair: Pair) -> str | None:
        if pair.source is None:
            return None
        # The record is the response of the page reached after redirects.
        return self.url(pair.source.warc, pair.source.url, pair.crawled_at)
