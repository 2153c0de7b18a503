"""What the CDXJ index costs a crawl's close: the whole archive indexed again, one new file read
back, or one new file indexed as it was written.

A synthetic archive of ``--files`` closed WARC files of ``--exchanges`` exchanges each, written
by ``WarcArchive`` (a response and a request record per exchange, one in ``--revisits`` a
revisit of an earlier page, pages of ``--page-kb`` KB of HTML). Then, ``--repeat`` times:

- *full*: cdxj-indexer over every closed file at once into ``index.cdxj`` (what the close did
  before each file had its own index);
- *read back*: one more file written and closed (the crawl's last) as the crawl did before its
  writer indexed records: the file read back into its fragment as it closes, then
  ``build_cdxj_index`` merges every fragment into ``index.cdxj``;
- *as written*: one more file written with ``index_as_written`` (each record's lines appended to
  its part as it is written), closed (the part sorted into the fragment), then merged.

The close is the file's close and the merge; the writing of each new file is timed too (what
indexing as written adds to the writer thread). The first ``build_cdxj_index`` (every file
without a fragment, as for an archive written before fragments) is timed once. Medians are
printed; each index must be the full one, byte for byte. Wall time includes the fsync of each new
fragment; CPU time is the figure to compare on a busy machine.

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
from crawler.archive.index import index_warc_files, write_fragment
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

    def add_file(
        self, *, crawl: bool = False, index_as_written: bool = False
    ) -> tuple[WarcArchive, Timing]:
        """Write one more file, left open, and the writing's timing. A ``crawl``'s file is made
        into its fragment as it closes, as a crawl does."""
        directory = self.directory
        archive = WarcArchive(
            directory,
            warcinfo={"operator": "bench"},
            clock=lambda: START + timedelta(seconds=next(self.ticks)),
            new_record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(self.ids):012d}>",
            crawl_host="bench",
            on_file_closed=(lambda path: write_fragment(directory, path)) if crawl else None,
            index_as_written=index_as_written,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(self.args.exchanges):
            number = next(self.numbers)
            archive.write_exchange(exchange(number, self.args.page_kb, self.args.revisits))
        return archive, (time.perf_counter() - wall, time.process_time() - cpu)

    def close_file(self, archive: WarcArchive) -> Timing:
        """Close the file written last and build the index: a crawl's close."""
        wall, cpu = time.perf_counter(), time.process_time()
        archive.close()
        build_cdxj_index(self.directory)
        return time.perf_counter() - wall, time.process_time() - cpu


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
            archive.add_file()[0].close()
        full_index(directory)  # cdxj-indexer imported and the files in the page cache
        first = fragments_index(directory)
        timings: dict[str, list[Timing]] = {
            name: [] for name in ("full", "read back", "as written", "write", "write as written")
        }
        for _ in range(args.repeat):
            for as_written in (False, True):
                written, write = archive.add_file(crawl=True, index_as_written=as_written)
                timings["write as written" if as_written else "write"].append(write)
                close = archive.close_file(written)
                timings["as written" if as_written else "read back"].append(close)
                merged = (directory / INDEX_NAME).read_bytes()
                timings["full"].append(full_index(directory))
                if (directory / INDEX_NAME).read_bytes() != merged:
                    raise SystemExit("the merged index differs from the full index")
        files = closed_warc_files(directory)
        size = sum(path.stat().st_size for path in files)
        lines = merged.count(b"\n")
        file_mb = files[-1].stat().st_size / 1e6
    print(
        f"archive: {len(files)} WARC files ({args.files} + {2 * args.repeat} added, the last "
        f"{file_mb:.1f} MB), {size / 1e6:.0f} MB, {lines} index lines; medians:"
    )
    print(f"close, every file indexed again         {medians(timings['full'])}")
    print(f"close, the new file read back + merge   {medians(timings['read back'])}")
    print(f"close, the new file as written + merge  {medians(timings['as written'])}")
    print(f"writing the new file                    {medians(timings['write'])}")
    print(f"writing it, indexed as written          {medians(timings['write as written'])}")
    print(f"first build_cdxj_index, no fragment     {medians([first])} (once per older archive)")


if __name__ == "__main__":
    main()
