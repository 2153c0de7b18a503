"""What a crawl's close costs in the manifest: fold the journal into pairs.jsonl and write it.

A synthetic archive: an existing manifest of ``--existing`` lines and this run's journal of
``--new`` lines (half of them crawl again a pair of the manifest, with a later ``crawled_at``;
the rest are new posts), every pair fully populated, with a Japanese translation and an English
source text of a few KB each. The journal is appended with ``ManifestJournal.append`` as a crawl
does (validated there, once, in every way), then folded and written three ways:

- *revalidate*: ``ManifestJournal.fold(journals, manifest)`` and
  ``write_manifest(..., repaired=[])``: every line of the journal validated again by the fold,
  and every folded pair by the writer;
- *in-memory*: ``fold(..., trusted=[the journal])`` and ``write_manifest(..., validated=True)``:
  the journal's lines are built without the schema, the writer validates nothing; the old
  manifest's lines are validated by the fold as before. Every pair is held at once;
- *streaming*: ``ManifestFold(..., trusted=[the journal])`` then ``.write()``
  (crawler/manifest/streamfold.py): the same lines validated as *in-memory*, but only a few values
  per pair_id held, each winning line copied (or re-encoded and spooled) from its file.

The ways alternate ``--repeat`` times in this process (the medians are printed; the schema's
validator is built before the first); wall and CPU seconds of the fold, the write, and both, and
the calls of ``validate_line`` each way. Then the memory of each way's fold and write: the peak
of the Python allocations (tracemalloc, one more run here) and the peak RSS over the RSS before
(``VmHWM`` reset through ``/proc/self/clear_refs``, in a fresh process per way, so that memory
freed by an earlier run cannot be reused unseen). The manifests written must be identical, byte
for byte, the two in-memory folds equal, and the streaming fold's report the same.

Run: ``.venv/bin/python bench/manifest_close.py [--existing 2000] [--new 2000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler.archive.pointer import WarcPointer
from crawler.manifest import (
    CitationSide,
    FoldResult,
    FoldSummary,
    KeptPair,
    ManifestFold,
    ManifestJournal,
    Pair,
    SourceSide,
    TranslationCaption,
    TranslationNote,
    TranslationSide,
    encode_line,
    pair_id,
    write_manifest,
)
from crawler.manifest import io as manifest_io
from crawler.manifest import model as manifest_model
from crawler.manifest import repair as manifest_repair
from crawler.manifest.schema import validate_line, validator
from tests.unit.manifest.builders import EVIDENCE  # the manifest's evidence shape, one place

BLOG = "https://aviation-space-business.blogspot.com"
WARC = "BITEXT-20250301040506000-00000-host.warc.gz"
JA_SENTENCE = "米海軍は新型フリゲートの建造計画で設計変更が相次ぎ、就役は数年遅れる見込みだ。"
EN_SENTENCE = (
    "The Navy's new frigate program has slipped again after a string of design changes, "
    "and the first ship is now expected to be years late. "
)


def make_pair(number: int, crawled_at: str) -> Pair:
    """A realistic ``ok`` pair of post ``number``: ~3 KB of Japanese, ~5 KB of English."""
    url = f"{BLOG}/2025/{1 + number % 12:02d}/post-{number:05d}.html"
    cited = f"https://www.twz.com/sea/article-{number:05d}-frigate-program-delays"
    day = 1 + number % 28
    ja = "\n\n".join(f"{JA_SENTENCE * 3}（第{i + 1}段落、{number}）" for i in range(8))
    en = "\n\n".join(f"{EN_SENTENCE * 3}(Paragraph {i + 1} of {number}.)" for i in range(12))
    translation = TranslationSide(
        url=url,
        post_id=f"{1234567890123456789 + number}",
        title=f"米海軍の新型フリゲート計画にさらなる遅延（{number}）",
        raw_title=f"米海軍の新型フリゲート計画にさらなる遅延（{number}）(The War Zone)―設計変更",
        publication="The War Zone",
        comment="設計変更",
        published=f"2025-{1 + number % 12:02d}-{day:02d}T21:30:00+09:00",
        labels=("米海軍", "艦艇"),
        text=ja,
        captions=(TranslationCaption(credit="U.S. Navy photo", text="建造中のフリゲート"),),
        warc=WarcPointer(WARC, 1000 + number * 40_000, f"<urn:uuid:{number:08d}-0000-4000-8000-1>"),
        notes=(TranslationNote(kind="banner", text="この記事はT1とT2共通記事です"),),
    )
    citation = CitationSide(
        raw=f"Navy's Frigate Program Faces More Delays ({number})\nBy Jane Example\n"
        f"Published Feb {day}, 2025 12:59 PM EST\n{cited}",
        title=f"Navy's Frigate Program Faces More Delays ({number})",
        author="Jane Example",
        date=f"Published Feb {day}, 2025 12:59 PM EST",
        published=f"2025-02-{day:02d}T12:59:00-05:00",
        url=cited,
        publication="The War Zone",
        language="en",
    )
    source = SourceSide(
        cited_url=cited,
        url=cited,
        http_status=200,
        content_type="text/html; charset=UTF-8",
        title=f"Navy's Frigate Program Faces More Delays ({number})",
        author="Jane Example",
        published=f"2025-02-{day:02d}T12:59:00-05:00",
        published_basis="offset",
        site_name="The War Zone",
        language="en",
        text=en,
        warc=WarcPointer(WARC, 2000 + number * 40_000, f"<urn:uuid:{number:08d}-0000-4000-8000-2>"),
    )
    return Pair(
        pair_id=pair_id(url, cited),
        status="ok",
        cited_url=cited,
        confidence=0.93,
        translation=translation,
        citation=citation,
        source=source,
        evidence=dict(EVIDENCE),
        error=None,
        crawled_at=crawled_at,
        crawler={"name": "bitext-crawler", "version": "0.1.0"},
    )


class Counted:
    """validate_line wrapped where the manifest modules look it up; ``calls`` counts them."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: object) -> None:
        self.calls += 1
        validate_line(data)

    @contextmanager
    def installed(self) -> Iterator[Counted]:
        modules = (manifest_io, manifest_model, manifest_repair)
        for module in modules:
            module.validate_line = self  # type: ignore[attr-defined]
        try:
            yield self
        finally:
            for module in modules:
                module.validate_line = validate_line  # type: ignore[attr-defined]


WAYS = ("revalidate", "in-memory", "streaming")


@dataclasses.dataclass
class Run:
    fold_wall: float
    fold_cpu: float
    write_wall: float
    write_cpu: float
    validations: int
    output: bytes
    folded: object  # a FoldResult, or the streaming fold's FoldSummary


def close(way: str, journal: Path, manifest: Path, output: Path, *, read: bool = True) -> Run:
    """One fold and write; ``read=False`` leaves the manifest written unread (memory runs)."""
    trusted = [] if way == "revalidate" else [journal]
    with Counted().installed() as counted:
        wall, cpu = time.perf_counter(), time.process_time()
        if way == "streaming":
            fold = ManifestFold([journal], manifest, trusted=trusted)
        else:
            folded = ManifestJournal.fold([journal], manifest, trusted=trusted)
        fold_wall, fold_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        if way == "streaming":
            with fold:
                folded = fold.write(output)
        elif way == "in-memory":
            write_manifest(output, folded.pairs, validated=True)
        else:
            write_manifest(output, folded.pairs, repaired=[])
        write_wall, write_cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Run(
        fold_wall,
        fold_cpu,
        write_wall,
        write_cpu,
        counted.calls,
        output.read_bytes() if read else b"",
        folded,
    )


def _field(name: str) -> Callable[[Run], float]:
    return lambda run: float(getattr(run, name))


def _python_peak(way: str, journal: Path, manifest: Path, output: Path) -> int:
    """The peak bytes of the Python allocations made while folding and writing."""
    gc.collect()
    tracemalloc.start()
    try:
        close(way, journal, manifest, output, read=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _status_kb(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB$", Path("/proc/self/status").read_text(), re.M)
    if match is None:
        raise SystemExit(f"no {field} in /proc/self/status: the RSS peak needs Linux")
    return int(match.group(1))


def _rss_peak_here(way: str, directory: Path) -> None:
    """In a fresh process: print the peak RSS over the RSS before, in bytes, of one close."""
    validator()  # built before, as in the crawl that folds at its close
    gc.collect()
    before = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    close(
        way,
        directory / "journal.jsonl",
        directory / "pairs.jsonl",
        directory / "rss.jsonl",
        read=False,
    )
    print((_status_kb("VmHWM") - before) * 1024)


def _rss_peak(way: str, directory: Path) -> int:
    done = subprocess.run(
        [sys.executable, __file__, "--rss-peak-of", way, "--dir", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--existing", type=int, default=2000)
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-peak-of", choices=WAYS, help=argparse.SUPPRESS)  # the child's
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_peak_of is not None:
        _rss_peak_here(args.rss_peak_of, args.dir)
        return

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = root / "pairs.jsonl"
        old = [make_pair(n, "2025-02-01T00:00:00Z") for n in range(args.existing)]
        manifest.write_bytes(b"".join(encode_line(p) for p in old))
        first_new = args.existing - args.new // 2  # half the journal crawls old pairs again
        new = [make_pair(n, "2025-03-01T00:00:00Z") for n in range(first_new, first_new + args.new)]
        journal_path = root / "journal.jsonl"
        with Counted().installed() as counted, ManifestJournal(journal_path) as journal:
            wall, cpu = time.perf_counter(), time.process_time()
            for pair in new:
                journal.append(pair)
            append_wall, append_cpu = time.perf_counter() - wall, time.process_time() - cpu
        del old, new  # not held while the closes are measured
        lines = [len(line) for line in journal_path.read_bytes().splitlines()]
        print(
            f"existing manifest: {args.existing} lines, {manifest.stat().st_size / 1e6:.1f} MB; "
            f"journal: {args.new} lines ({args.new - args.new // 2} new posts), "
            f"{journal_path.stat().st_size / 1e6:.1f} MB; "
            f"median line {statistics.median(lines):,.0f} bytes"
        )
        print(
            f"append (every way, not in the figures below): {counted.calls} validate_line calls, "
            f"{append_wall:.2f} s wall, {append_cpu:.2f} s CPU (fsync per line)"
        )

        runs: dict[str, list[Run]] = {way: [] for way in WAYS}
        for _ in range(args.repeat):
            for way in runs:
                runs[way].append(close(way, journal_path, manifest, root / f"{way}.jsonl"))

        print(f"\nfold + write, median of {args.repeat} (seconds)")
        columns = ("fold wall", "fold CPU", "write wall", "write CPU", "total wall", "total CPU")
        print(f"{'way':<11}" + "".join(f"{c:>11}" for c in columns) + f"{'validate_line':>15}")
        totals: dict[str, tuple[float, float]] = {}
        for way, done in runs.items():
            figures = [
                statistics.median(figure(r) for r in done)
                for figure in (
                    _field("fold_wall"),
                    _field("fold_cpu"),
                    _field("write_wall"),
                    _field("write_cpu"),
                    lambda r: r.fold_wall + r.write_wall,
                    lambda r: r.fold_cpu + r.write_cpu,
                )
            ]
            totals[way] = (figures[4], figures[5])
            calls = "/".join(str(n) for n in sorted({r.validations for r in done}))
            print(f"{way:<11}" + "".join(f"{f:>11.2f}" for f in figures) + f"{calls:>15}")
        for way, base in (("in-memory", "revalidate"), ("streaming", "in-memory")):
            print(
                f"{way} / {base}: {totals[way][0] / totals[base][0]:.2f} of the wall time, "
                f"{totals[way][1] / totals[base][1]:.2f} of the CPU time"
            )

        outputs = {r.output for done in runs.values() for r in done}
        lines_written = next(iter(outputs)).count(b"\n")
        print(f"\nmemory of fold + write, one run each ({lines_written} pairs written)")
        print(f"{'way':<11}{'Python peak MB':>16}{'RSS peak MB':>13}{'bytes per pair':>16}")
        for way in WAYS:
            python = _python_peak(way, journal_path, manifest, root / f"{way}.jsonl")
            rss = _rss_peak(way, root)
            print(
                f"{way:<11}{python / 1e6:>16.1f}{rss / 1e6:>13.1f}{python / lines_written:>16,.0f}"
            )

        in_memory = [r.folded for way in WAYS[:2] for r in runs[way]]
        streamed = [r.folded for r in runs["streaming"]]
        expected = in_memory[0]
        assert isinstance(expected, FoldResult)
        report = FoldSummary(
            len(expected.pairs),
            expected.warnings,
            expected.repaired,
            expected.unreadable,
            [KeptPair(p.pair_id, p.status, p.crawled_at) for p in expected.pairs],
        )
        same = (
            len(outputs) == 1
            and all(f == expected for f in in_memory)
            and all(f == report for f in streamed)
        )
        print(f"manifests written: {lines_written} lines, identical every way: {same}")
        if not same:
            raise SystemExit("the ways wrote different manifests")


if __name__ == "__main__":
    main()
