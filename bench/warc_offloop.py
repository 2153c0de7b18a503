"""What archiving an exchange costs the thread that hands it over: a ``WarcArchive`` written on
the calling thread (as the crawl's event loop did), or a ``BackgroundWriter`` that writes it in a
thread of its own.

The exchanges are the response records of a crawl's WARC files (``ARCHIVE``, e.g. an archive
``bench/scale.py --keep DIR`` left: the pages as they were on the wire), or, without one,
``--pages`` synthetic pages of ``--page-kb`` KB. Each way writes them all, ``--repeat`` times,
into a fresh directory, and the CPU time of the calling thread (``time.thread_time``: what the
event loop would spend, whatever else the machine runs) and of the whole process are printed per
exchange; the two ways' files must be identical, byte for byte (fixed clock and record ids).

Run: ``.venv/bin/python bench/warc_offloop.py [ARCHIVE] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler.archive import HttpExchange, WarcArchive
from crawler.archive.background import BackgroundWriter
from crawler.archive.naming import closed_warc_files

START = datetime(2025, 3, 1, 4, 0, 0, tzinfo=UTC)


def archived_exchanges(archive: Path) -> list[HttpExchange]:
    found: list[HttpExchange] = []
    for path in closed_warc_files(archive):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=False):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                http = record.http_headers
                found.append(
                    HttpExchange(
                        url=record.rec_headers.get_header("WARC-Target-URI"),
                        method="GET",
                        request_headers=(("Host", "example.com"), ("User-Agent", "bench")),
                        request_body=b"",
                        protocol=http.protocol or "HTTP/1.1",
                        status=int(http.get_statuscode()),
                        reason="",
                        response_headers=tuple(http.headers),
                        body=record.raw_stream.read(),
                        started_at=START + timedelta(seconds=len(found)),
                    )
                )
    return found


def synthetic_exchanges(pages: int, page_kb: int) -> list[HttpExchange]:
    paragraph = "<p>Paragraph {n} of a synthetic news article, with words that repeat.</p>\n"
    return [
        HttpExchange(
            url=f"https://news.example.com/article-{number}.html",
            method="GET",
            request_headers=(("Host", "news.example.com"),),
            request_body=b"",
            protocol="HTTP/1.1",
            status=200,
            reason="",
            response_headers=(("Content-Type", "text/html; charset=utf-8"),),
            body="".join(
                paragraph.format(n=f"{number}-{i}") for i in range(page_kb * 1024 // 80)
            ).encode(),
            started_at=START + timedelta(seconds=number),
        )
        for number in range(pages)
    ]


def new_archive(directory: Path) -> WarcArchive:
    ticks = itertools.count()
    ids = itertools.count()
    return WarcArchive(
        directory,
        warcinfo={"operator": "bench"},
        clock=lambda: START + timedelta(seconds=next(ticks)),
        new_record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(ids):012d}>",
        crawl_host="bench",
        max_file_size=20_000_000,
    )


def on_this_thread(directory: Path, exchanges: list[HttpExchange]) -> None:
    with new_archive(directory) as archive:
        for exchange in exchanges:
            archive.write_exchange(exchange)


def in_a_thread(directory: Path, exchanges: list[HttpExchange]) -> None:
    writer = BackgroundWriter(new_archive(directory))
    for exchange in exchanges:
        writer.write_exchange(exchange)
    writer.close()


def timed(
    write: Callable[[Path, list[HttpExchange]], None],
    directory: Path,
    exchanges: list[HttpExchange],
) -> tuple[float, float, float]:
    """(calling thread's CPU seconds, the process's, wall seconds)."""
    thread, process, wall = time.thread_time(), time.process_time(), time.perf_counter()
    write(directory, exchanges)
    return (
        time.thread_time() - thread,
        time.process_time() - process,
        time.perf_counter() - wall,
    )


def files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", nargs="?", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-kb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.archive:
        exchanges = archived_exchanges(args.archive)
        where = f"the {len(exchanges)} responses of {args.archive}"
    else:
        exchanges = synthetic_exchanges(args.pages, args.page_kb)
        where = f"{len(exchanges)} synthetic pages of {args.page_kb} KB"
    size = sum(len(e.body) for e in exchanges) / len(exchanges) / 1024
    print(f"{where}, {size:.1f} KB of payload on average")
    figures: dict[str, list[tuple[float, float, float]]] = {"calling thread": [], "thread": []}
    with tempfile.TemporaryDirectory(prefix="bench-warc-") as base:
        for turn in range(args.repeat):
            for name, write in (("calling thread", on_this_thread), ("thread", in_a_thread)):
                directory = Path(base) / f"{name.replace(' ', '-')}-{turn}"
                figures[name].append(timed(write, directory, exchanges))
        same = files(Path(base) / "calling-thread-0") == files(Path(base) / "thread-0")
    per_page = 1000 / len(exchanges)
    for name, runs in figures.items():
        caller, process, wall = (statistics.median(r[i] for r in runs) * per_page for i in range(3))
        label = "written on the calling thread" if name == "calling thread" else "BackgroundWriter"
        print(
            f"{label:30}: calling thread {caller:.3f} ms CPU per exchange, process "
            f"{process:.3f} ms CPU, wall {wall:.3f} ms (medians of {args.repeat})"
        )
    print(f"files identical, byte for byte: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
