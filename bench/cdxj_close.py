"""What the CDXJ index costs a crawl's close: the whole archive indexed again, or one new file.

A synthetic archive of ``--files`` closed WARC files of ``--exchanges`` exchanges each, written
by ``WarcArchive`` (a response and a request record per exchange, one in ``--revisits`` a
revisit of an earlier page, pages of ``--page-kb`` KB of HTML). Then, ``--repeat`` times:

- *before*: cdxj-indexer over every closed file at once into ``index.cdxj`` (what the close did
  before each file had its own index);
- *after*: one more file written and closed (the crawl's last), ``build_cdxj_index``: that file
  indexed into its fragment, then every fragment merged into ``index.cdxj``.

The first ``build_cdxj_index`` (every file without a fragment, as for an archive written
before fragments) is timed once. Medians of wall seconds are printed; the two indexes must be
identical, byte for byte. Wall time includes the fsync of each new fragment; CPU time is the
figure to compare on a busy machine.

Run: ``.venv/bin/python bench/cdxj_close.py [--files 20] [--exchanges 300] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.archive import HttpExchange, WarcArchive, build_cdxj_index
from crawler.archive.index import index_warc_files
from crawler.archive.layout import INDEX_NAME
from crawler.archive.naming import closed_warc_files
from crawler.util.atomic import atomic_write

START = datetime(2025, 3, 1, 4, 0, 0, tzinfo=UTC)
PARAGRAPH = (
    "<p>The Navy's new frigate program has slipped again after a string of design changes, "
    "and the first ship is now expected to be years late ({n}).</p>\n"
)


def exchange(number: int, page_kb: int, revisits: int) -> HttpExchange:
    # Every revisits-th exchange repeats the page before it: a revisit record.
    seed = number - 1 if revisits and number % revisits == 0 else number
    body = "".join(PARAGRAPH.format(n=f"{seed}-{i}") for i in range(page_kb * 1024 // 160))
    return HttpExchange(
        url=f"https://news.example.com/2025/article-{number:06d}.html",
        method="GET",
        request_headers=(("Host", "news.example.com"), ("User-Agent", "bitext-crawler-bench")),
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="",
        response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        body=f"<html><body>{body}</body></html>".encode(),
        started_at=START + timedelta(seconds=number),
        ip_address="127.0.0.1",
        truncated=None,
    )


class Archive:
    """Closed WARC files written one at a time into ``directory``, exchanges numbered on."""

    def __init__(self, directory: Path, args: argparse.Namespace) -> None:
        self.directory = directory
        self.args = args
        self.numbers = itertools.count()
        self.ticks = itertools.count()
        self.ids = itertools.count()

    def add_file(self) -> None:
        archive = WarcArchive(
            self.directory,
            warcinfo={"operator": "bench"},
            clock=lambda: START + timedelta(seconds=next(self.ticks)),
            new_record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(self.ids):012d}>",
            crawl_host="bench",
        )
        for _ in range(self.args.exchanges):
            number = next(self.numbers)
            archive.write_exchange(exchange(number, self.args.page_kb, self.args.revisits))
        archive.close()


Timing = tuple[float, float]  # wall and CPU seconds


def full_index(directory: Path) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    with atomic_write(directory / INDEX_NAME, text=True, durable=False) as out:
        index_warc_files(closed_warc_files(directory), out)
    return time.perf_counter() - wall, time.process_time() - cpu


def fragments_index(directory: Path) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    build_cdxj_index(directory)
    return time.perf_counter() - wall, time.process_time() - cpu


def medians(timings: list[Timing]) -> str:
    wall = statistics.median(t[0] for t in timings)
    cpu = statistics.median(t[1] for t in timings)
    return f"wall {wall:.3f} s, CPU {cpu:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--exchanges", type=int, default=300, help="per file")
    parser.add_argument("--page-kb", type=int, default=20)
    parser.add_argument("--revisits", type=int, default=5, help="one exchange in N; 0: none")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cdxj-close-") as temp:
        directory = Path(temp)
        archive = Archive(directory, args)
        for _ in range(args.files):
            archive.add_file()
        full_index(directory)  # cdxj-indexer imported and the files in the page cache
        first = fragments_index(directory)
        before: list[Timing] = []
        after: list[Timing] = []
        for _ in range(args.repeat):
            archive.add_file()
            after.append(fragments_index(directory))
            merged = (directory / INDEX_NAME).read_bytes()
            before.append(full_index(directory))
            if (directory / INDEX_NAME).read_bytes() != merged:
                raise SystemExit("the merged index differs from the full index")
        files = closed_warc_files(directory)
        size = sum(path.stat().st_size for path in files)
        lines = merged.count(b"\n")
    print(
        f"archive: {len(files)} WARC files ({args.files} + {args.repeat} added), "
        f"{size / 1e6:.0f} MB, {lines} index lines"
    )
    print(f"before (every file indexed again)    median {medians(before)}")
    print(f"after  (one new file + merge)        median {medians(after)}")
    print(f"first build_cdxj_index, no fragment  {medians([first])} (once per older archive)")


if __name__ == "__main__":
    main()
