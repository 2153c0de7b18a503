"""Body-extraction quality: ``extract_article`` against plain ``trafilatura.extract`` defaults.

Reads the real-page fixtures kept beside the project (never copied into it): the
article-extraction-benchmark set (``article-extraction-benchmark/html/*.html.gz`` with
``ground-truth.json``) and the news pages (``news/*.html`` with ``*.ground-truth.json``). For each
set and each extractor it prints mean and median token F1, precision and recall (whitespace tokens
on multisets, ``crawler.pairing.textmetrics.token_f1``), the mean 4-gram shingle F1 the benchmark
itself reports, and pages per second.

Usage: ``.venv/bin/python bench/extraction_f1.py [REALPAGES_DIR] [--worst N]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler.article.extraction import extract_article
from crawler.pairing.textmetrics import shingle_f1, token_f1

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    html: bytes
    reference: str


Extractor = Callable[[Page], str]

EXTRACTORS: dict[str, Extractor] = {
    "extract_article": lambda page: extract_article(page.html, page.url).text,
    # The baseline the brief names: defaults, no URL, text decoded as UTF-8 like the fixtures.
    "trafilatura.extract": lambda page: trafilatura.extract(page.html.decode("utf-8")) or "",
}


def load_benchmark(folder: Path) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for item_id, item in sorted(truth.items()):
        path = folder / "html" / f"{item_id}.html.gz"
        if not path.exists():  # tolerate an uncompressed copy of the set
            path = folder / "html" / f"{item_id}.html"
        raw = path.read_bytes()
        html = gzip.decompress(raw) if path.suffix == ".gz" else raw
        pages.append(Page(item_id[:12], item["url"], html, item["articleBody"]))
    return pages


def load_news(folder: Path) -> list[Page]:
    pages = []
    for truth_path in sorted(folder.glob("*.ground-truth.json")):
        item = json.loads(truth_path.read_text(encoding="utf-8"))
        html_path = truth_path.with_name(truth_path.name.replace(".ground-truth.json", ".html"))
        pages.append(Page(html_path.stem, item["url"], html_path.read_bytes(), item["articleBody"]))
    return pages


def measure(label: str, pages: list[Page], worst: int) -> None:
    print(f"\n{label}: {len(pages)} pages")
    print(
        f"  {'extractor':<20} {'F1 mean':>8} {'median':>7} {'P mean':>7} {'R mean':>7}"
        f" {'4gram F1':>8} {'pages/s':>8}"
    )
    for name, extractor in EXTRACTORS.items():
        started = time.perf_counter()
        outputs = [extractor(page) for page in pages]
        rate = len(pages) / (time.perf_counter() - started)
        scores = [token_f1(out, page.reference) for out, page in zip(outputs, pages, strict=True)]
        shingles = [
            shingle_f1(out, page.reference)[2] for out, page in zip(outputs, pages, strict=True)
        ]
        f1 = [s[2] for s in scores]
        print(
            f"  {name:<20} {statistics.mean(f1):8.4f} {statistics.median(f1):7.4f}"
            f" {statistics.mean(s[0] for s in scores):7.4f}"
            f" {statistics.mean(s[1] for s in scores):7.4f}"
            f" {statistics.mean(shingles):8.4f} {rate:8.1f}"
        )
        for score, page in sorted(zip(f1, pages, strict=True), key=lambda x: x[0])[:worst]:
            print(f"      worst F1 {score:.3f}  {page.name}  {page.url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "realpages", nargs="?", type=Path, default=ROOT.parent / "shared" / "realpages"
    )
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per extractor")
    args = parser.parse_args()
    benchmark, news = args.realpages / "article-extraction-benchmark", args.realpages / "news"
    if not benchmark.is_dir() or not news.is_dir():
        print(
            f"real-page fixtures not found under {args.realpages}; pass their folder",
            file=sys.stderr,
        )
        return 2
    measure("article-extraction-benchmark", load_benchmark(benchmark), args.worst)
    measure("news pages with ground truth", load_news(news), args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
