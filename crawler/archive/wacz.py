"""Packaging an archive directory as a WACZ: its closed WARC files, an index and a page list.

A WACZ (Web Archive Collection Zipped, 1.1.1) is the single file that ReplayWeb.page, pywb and
archive repositories open directly. It is made with the ``wacz`` package from PyPI (the Webrecorder
reference implementation); the page list names the translations and sources of the pairs manifest,
each pinned to the capture the manifest points to, so a reader lands on the pages that matter
rather than on every robots.txt and feed. Each entry carries the page's text as the manifest has
it (a translation's body, a source's article text), and the list's header says so (``hasText``):
ReplayWeb.page then searches that text, as it does the text ``wacz create --text`` extracts.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warcio.timeutils import iso_date_to_timestamp, timestamp_to_iso_date

from crawler.archive.layout import WACZ_NAME
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import ANY_KIND, RecordError, read_record
from crawler.util.atomic import atomic_path

if TYPE_CHECKING:
    from crawler.manifest import Pair

PAGES_FORMAT = "json-pages-1.0"
PAGES_PATH = "pages/pages.jsonl"
# The wacz package appends "warcinfo" to cdxj-indexer's class-wide record types when imported,
# which would change every CDXJ index built later in the same process, and it reports progress
# on stdout: it runs in a child process. main()'s return value is its exit status (``python -m
# wacz`` drops it).
_WACZ_MAIN = "import sys; from wacz.main import main; sys.exit(main())"


class WaczError(Exception):
    """The WACZ could not be made."""


@dataclass(frozen=True)
class WaczPage:
    """One entry of ``pages/pages.jsonl``; ``ts`` (a WARC-Date) selects the capture to open.

    ``warc_file`` is the WARC file holding that capture (not written): a page is listed only when
    that file is packaged, and ``ts`` is None when the capture could not be read.
    """

    url: str
    title: str | None = None
    ts: str | None = None
    published: str | None = None
    text: str | None = None
    warc_file: str | None = None

    @property
    def page_id(self) -> str:
        # Made from the capture, so packaging the same archive twice gives the same list.
        return hashlib.sha256(f"{self.ts} {self.url}".encode()).hexdigest()[:24]

    def to_json(self) -> dict[str, str]:
        entry = {"id": self.page_id, "url": self.url}
        if self.ts:
            entry["ts"] = self.ts
        if self.title:
            entry["title"] = self.title
        if self.published:
            entry["published"] = self.published
        if self.text:
            entry["text"] = self.text
        return entry


@dataclass(frozen=True)
class WaczPackage:
    """What went into a WACZ: its WARC files, the pages listed and the pages left out because no
    capture of them is in those files."""

    path: Path
    warc_files: tuple[str, ...]
    pages: tuple[WaczPage, ...]
    unmatched: tuple[WaczPage, ...]


def record_capture(directory: Path, pointer: WarcPointer) -> tuple[str, str] | None:
    """The ``WARC-Target-URI`` and ``WARC-Date`` of the record a pointer names; ``None`` if it is
    not in ``directory``."""
    try:
        uri, date = read_record(
            directory,
            pointer,
            lambda record: (
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.get_header("WARC-Date"),
            ),
            kinds=ANY_KIND,
        )
    except RecordError:  # a stale pointer is not a packaging failure
        return None
    return (str(uri), str(date)) if uri and date else None


def pages_from_pairs(directory: Path, pairs: Iterable[Pair]) -> list[WaczPage]:
    """The translations and sources of the manifest that were archived, once each, in manifest
    order, with their text; a post citing several URLs appears once."""
    pages: dict[tuple[str, str | None], WaczPage] = {}
    for pair in pairs:
        translation = pair.translation
        sides = [
            (
                translation.url,
                translation.title,
                translation.published,
                translation.text,
                translation.warc,
            )
        ]
        if pair.source is not None:
            source = pair.source
            sides.append((source.url, source.title, source.published, source.text, source.warc))
        for url, title, published, text, pointer in sides:
            if pointer is None:
                continue  # nothing archived: a page list entry would open nothing
            capture = record_capture(directory, pointer)
            # A record of another URL (a payload found under another address) is no capture of
            # this page: replay looks pages up by URL and time.
            ts = _to_second(capture[1]) if capture and _same_address(capture[0], url) else None
            pages.setdefault((url, ts), WaczPage(url, title, ts, published, text, pointer.filename))
    return list(pages.values())


def read_pages_from_manifest(directory: Path, manifest: Path) -> list[WaczPage]:
    if not manifest.is_file():
        return []
    # Imported here: the archive core does not otherwise depend on the manifest package.
    from crawler.manifest import read_manifest

    return pages_from_pairs(directory, read_manifest(manifest))


def build_wacz(
    directory: Path,
    pages: Iterable[WaczPage] = (),
    *,
    output: Path | None = None,
    title: str | None = None,
    description: str | None = None,
    timeout: float = 3600,
) -> WaczPackage:
    """Write the closed WARC files of ``directory`` into a WACZ (``directory/archive.wacz`` by
    default) with ``pages`` as its page list.

    Files still being written (``.open``) are left out. The WACZ is written to a temporary file
    moved into place, so a reader never sees half of one. Raises :class:`WaczError`.
    """
    directory = Path(directory)
    target = Path(output) if output is not None else directory / WACZ_NAME
    warcs = closed_warc_files(directory)
    if not warcs:
        raise WaczError(f"{directory} holds no closed WARC file to package")
    packaged = {path.name for path in warcs}
    listed: list[WaczPage] = []
    unmatched: list[WaczPage] = []
    for page in pages:
        (listed if page.ts and page.warc_file in packaged else unmatched).append(page)
    with atomic_path(target) as temp, tempfile.TemporaryDirectory() as scratch:
        # The list is copied in as written: given to be matched instead (--pages), it would lose
        # the header's hasText, without which ReplayWeb.page does not search the text.
        pages_file = Path(scratch) / "pages.jsonl"
        _write_pages(pages_file, listed)
        command = [sys.executable, "-c", _WACZ_MAIN, "create", "-o", str(temp)]
        command += ["--pages", str(pages_file), "--copy-pages"]
        if title:
            command += ["--title", title]
        if description:
            command += ["--desc", description]
        command += [str(path) for path in warcs]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            output_text = (result.stderr or result.stdout)[-2000:]
            raise WaczError(f"wacz create exited {result.returncode}: {output_text}")
    return WaczPackage(
        path=target,
        warc_files=tuple(path.name for path in warcs),
        pages=tuple(listed),
        unmatched=tuple(unmatched),
    )


def package_archive(
    directory: Path,
    manifest: Path | None = None,
    *,
    output: Path | None = None,
    title: str | None = None,
    description: str | None = None,
) -> WaczPackage:
    """:func:`build_wacz` with the page list read from the pairs manifest (if there is one)."""
    pages = read_pages_from_manifest(directory, manifest) if manifest is not None else []
    return build_wacz(directory, pages, output=output, title=title, description=description)


def still_open(directory: Path) -> list[str]:
    return [path.name for path in open_warc_files(directory)]


def _same_address(target_uri: str, url: str) -> bool:
    # As py-wacz matches a page to its capture: http and https alike, no fragment.
    def address(text: str) -> str:
        return text.split("#", 1)[0].split(":", 1)[-1]

    return address(target_uri) == address(url)


def _to_second(warc_date: str) -> str:
    # The page list gives capture times to the second, as py-wacz writes them (and as the CDXJ
    # index has them); a WARC-Date may carry microseconds.
    return str(timestamp_to_iso_date(iso_date_to_timestamp(warc_date)))


def _write_pages(path: Path, pages: list[WaczPage]) -> None:
    header: dict[str, object] = {
        "format": PAGES_FORMAT,
        "id": "pages",
        "title": "Translations and sources",
    }
    if any(page.text for page in pages):
        header["hasText"] = True
    lines = [header, *(page.to_json() for page in pages)]
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
