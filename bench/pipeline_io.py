"""What the pairs pipeline's disk writes cost the event loop, per pair: fsyncs and transactions.

``--pairs`` pairs go through the journal and the crawl state as the pipeline writes them, each
as two items: a source (its row and history) and then the post that cites it (its pair appended
to the journal and noted in the state, the post and its citation recorded). The pairs are the
realistic ones of ``bench/manifest_close.py``. Four ways, each into a fresh directory under
``--dir`` (a real disk: a tmpfs makes fsync free):

- journal fsync interval ``0`` (an fsync per line, on the writing thread) or ``0.5`` (group
  commit, in the journal's background thread);
- the state rows committed one write at a time (``rows``) or in one transaction per item
  (``item``: ``CrawlState.batch``).

Printed per way: ``os.fsync`` calls (the journal's, whichever thread makes them; SQLite's own
syncs are not counted) and, per pair, the writing thread's wall time (what the event loop would
be blocked for, the close included) and its CPU time. Each way runs ``--repeat`` times,
alternating, and the medians are printed.

Run: ``.venv/bin/python bench/pipeline_io.py [--pairs 2000] [--repeat 3] [--dir DIR]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.manifest_close import make_pair
from crawler.manifest import ManifestJournal, Pair
from crawler.state import CrawlState, PostRecord, SourceRecord

CRAWLED = "2025-03-01T00:00:00+00:00"
WAYS = [(0.0, "rows"), (0.0, "item"), (0.5, "rows"), (0.5, "item")]


class CountedFsync:
    """os.fsync, counted (from any thread)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._fsync = os.fsync

    def __call__(self, fd: Any) -> None:
        with self._lock:
            self.calls += 1
        self._fsync(fd)


@dataclass
class Run:
    fsyncs: int
    wall: float  # seconds of the writing thread, open to close
    cpu: float


def records(pair: Pair) -> tuple[SourceRecord, PostRecord]:
    assert pair.source is not None
    source = SourceRecord(
        cited_url=pair.cited_url or "",
        status=pair.status,
        error=None,
        url=pair.source.url,
        redirects=(),
        http_status=pair.source.http_status,
        content_type=pair.source.content_type,
        warc=pair.source.warc,
        payload_digest="sha1:" + "A" * 32,
        fetched_at=CRAWLED,
    )
    post = PostRecord(
        url=pair.translation.url,
        fetched_url=pair.translation.url,
        http_status=200,
        parse_status="parsed",
        error=None,
        warc=pair.translation.warc,
        payload_digest="sha1:" + "B" * 32,
        fetched_at=CRAWLED,
    )
    return source, post


def run(interval: float, commits: str, pairs: list[Pair], directory: Path) -> Run:
    counted = CountedFsync()
    items = [(pair, *records(pair)) for pair in pairs]
    os.fsync = counted  # the journal's module looks it up on each call
    try:
        wall, cpu = time.perf_counter(), time.thread_time()
        journal = ManifestJournal(directory / "journal.jsonl", fsync_interval=interval)
        state = CrawlState.open(directory)

        def item() -> contextlib.AbstractContextManager[None]:
            return state.batch() if commits == "item" else contextlib.nullcontext()

        for pair, source, post in items:
            with item():  # the source's item
                state.record_source(source)
            with item():  # the post's item: its pair is complete
                journal.append(pair)
                state.record_journaled(pair.pair_id, pair.status, pair.crawled_at)
                state.record_post(post, [(pair.cited_url, pair.pair_id)])
        journal.close()
        state.close()
        return Run(counted.calls, time.perf_counter() - wall, time.thread_time() - cpu)
    finally:
        os.fsync = counted._fsync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (a real disk)")
    args = parser.parse_args()

    pairs = [make_pair(n, CRAWLED) for n in range(args.pairs)]
    runs: dict[tuple[float, str], list[Run]] = {way: [] for way in WAYS}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for repeat in range(args.repeat):
            for interval, commits in WAYS:
                directory = Path(tmp) / f"{interval}-{commits}-{repeat}"
                directory.mkdir()
                runs[interval, commits].append(run(interval, commits, pairs, directory))
        print(f"{args.pairs} pairs (2 items each) in {tmp}; medians of {args.repeat} runs")
    header = ("fsync interval", "commits", "fsyncs", "wall ms/pair", "cpu ms/pair")
    print("{:>14} {:>8} {:>7} {:>13} {:>12}".format(*header))
    for interval, commits in WAYS:
        done = runs[interval, commits]
        fsyncs = statistics.median(r.fsyncs for r in done)
        wall = statistics.median(r.wall for r in done) * 1000 / args.pairs
        cpu = statistics.median(r.cpu for r in done) * 1000 / args.pairs
        print(f"{interval:>14} {commits:>8} {fsyncs:>7.0f} {wall:>13.3f} {cpu:>12.3f}")


if __name__ == "__main__":
    main()
