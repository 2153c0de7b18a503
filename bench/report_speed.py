"""How long ``python -m crawler report`` takes on a generated manifest of ``--pairs`` lines.

The manifest: the replica's t2 cases (every status, refused URLs included) and generated ok posts
(replica/corpus/generated.py: dates over six years, four source sites) up to ``--pairs`` lines,
built as the corpus tests build them (synthetic texts). ``--text-scale K`` repeats every text
K times: the replica's posts are shorter than real ones (a real T2 post has a few thousand
Japanese characters).

Prints the wall and CPU seconds of ``write_report`` (reading the manifest, which validates every
line, then the figures and the page), the share of the corpus figures in it, and, on the first
``--aligned-sample`` corpus pairs, the cost per pair of ``report --aligned`` (the aligner and
pysbd), from which the time for 10,000 pairs follows. On a shared machine the CPU seconds are
the figures to compare.

Run: ``.venv/bin/python bench/report_speed.py [--pairs 2000] [--text-scale K] [--aligned-sample N]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.corpus.align import default_aligner
from crawler.corpus.figures import compute_figures, corpus_pairs
from crawler.corpus.report import write_report
from crawler.manifest import Pair, join_paragraphs, read_manifest, write_manifest
from replica.corpus import generate_cases, load_cases
from tests.unit.corpus.builders import build_pairs


def _scaled(pair: Pair, times: int) -> Pair:
    if times == 1:
        return pair

    def more(text: str | None) -> str | None:
        return None if text is None else join_paragraphs([text] * times)

    source = pair.source
    return replace(
        pair,
        translation=replace(pair.translation, text=more(pair.translation.text)),
        source=None if source is None else replace(source, text=more(source.text)),
    )


def manifest_pairs(count: int, text_scale: int) -> list[Pair]:
    cases = load_cases("t2")
    pairs = build_pairs(cases)
    if count > len(pairs):
        pairs += build_pairs(generate_cases(count - len(pairs)))
    return [_scaled(pair, text_scale) for pair in pairs[:count]]


def _timed(action):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--text-scale", type=int, default=1, metavar="K")
    parser.add_argument("--aligned-sample", type=int, default=30, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder)
        write_manifest(archive / "pairs.jsonl", manifest_pairs(args.pairs, args.text_scale))
        pairs = list(read_manifest(archive / "pairs.jsonl"))
        corpus = corpus_pairs(pairs)
        ja = sum(len(p.translation.text or "") for p in corpus)
        print(f"manifest: {len(pairs)} lines, {len(corpus)} ok pairs, "
              f"{ja / max(1, len(corpus)):.0f} Japanese characters a pair")  # fmt: skip
        _, wall, cpu = _timed(lambda: write_report(archive, archive / "report.html"))
        size = (archive / "report.html").stat().st_size
        print(f"report: {wall:.2f} s wall, {cpu:.2f} s CPU, {size / 1024:.0f} KiB of HTML")
        _, read_wall, read_cpu = _timed(lambda: list(read_manifest(archive / "pairs.jsonl")))
        _, figures_wall, figures_cpu = _timed(lambda: compute_figures(pairs))
        print(f"  of which reading the manifest {read_wall:.2f} s wall, {read_cpu:.2f} s CPU; "
              f"corpus figures {figures_wall:.2f} s wall, {figures_cpu:.2f} s CPU")  # fmt: skip
        sample = corpus[: args.aligned_sample]
        aligner = default_aligner()
        compute_figures(sample[:1], aligner)  # loads the dictionaries once
        _, aligned_wall, aligned_cpu = _timed(lambda: compute_figures(sample, aligner))
        per_pair = aligned_cpu / max(1, len(sample))
        print(f"--aligned: {aligned_wall / max(1, len(sample)) * 1000:.0f} ms wall, "
              f"{per_pair * 1000:.0f} ms CPU a pair ({len(sample)} pairs): about "
              f"{per_pair * 10_000 / 60:.0f} CPU minutes for 10,000 pairs")  # fmt: skip


if __name__ == "__main__":
    main()
