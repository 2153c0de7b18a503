"""Which trafilatura passes read a source page: ``fast`` first, the comparison only where it finds
little (real pages of the article-extraction-benchmark, read in place)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import trafilatura.core

from crawler.article.extraction import extract_article
from crawler.pairing.textmetrics import token_f1

# Benchmark pages where precision mode's own pass keeps less than a paragraph and the comparison
# with readability and jusText finds the article; without it they score 0.13, 0.75 and 0.98.
RESCUED = (("f6ac15a4d985", 0.92), ("d90bda7ed14d", 0.99), ("0ec95c7261d1", 0.99))
# A whole article (a short essay) that readability, in the comparison, replaced with the whole
# page: token F1 0.34 before the comparison was skipped on long results.
WHOLE_ARTICLE = "b3c19dd5f061"


def _benchmark_page(realpages: Path, prefix: str) -> tuple[bytes, str, str]:
    folder = realpages / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    (path,) = folder.glob(f"html/{prefix}*.html.gz")
    item = truth[path.name.split(".")[0]]
    return gzip.decompress(path.read_bytes()), item["url"], item["articleBody"]


def _count_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    compare = trafilatura.core.compare_extraction

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura.core, "compare_extraction", counted)
    return calls


@pytest.mark.parametrize(("prefix", "bar"), RESCUED)
def test_a_page_precision_mode_misjudges_keeps_the_comparisons_article(
    realpages: Path, prefix: str, bar: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_comparisons(monkeypatch)
    html, url, reference = _benchmark_page(realpages, prefix)
    assert token_f1(extract_article(html, url).text, reference)[2] >= bar
    assert calls


def test_a_whole_article_is_not_replaced_by_readabilitys_reading(
    realpages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_comparisons(monkeypatch)
    html, url, reference = _benchmark_page(realpages, WHOLE_ARTICLE)
    assert token_f1(extract_article(html, url).text, reference)[2] >= 0.95
    assert not calls


def test_a_long_article_is_read_in_one_fast_pass(
    realpages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_comparisons(monkeypatch)
    passes: list[bool] = []
    extract = trafilatura.core.bare_extraction

    def counted(*args: object, **kwargs: object) -> object:
        passes.append(bool(kwargs.get("fast")))
        return extract(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("crawler.article.extraction.bare_extraction", counted)
    page = realpages / "news" / "aeb-chron.com-db6b0816c612.html"
    article = extract_article(page.read_bytes(), "https://www.chron.com/news/world/article/x.php")
    assert len(article.text) > 1000
    assert passes == [True]
    assert not calls


def test_metadata_survives_a_fast_pass_that_finds_no_text(realpages: Path) -> None:
    # trafilatura returns nothing, metadata included, when a pass finds too little text.
    html, url, _ = _benchmark_page(realpages, "f6ac15a4d985")
    article = extract_article(html, url)
    assert article.title == "Atendimento Domiciliar registra arrombamento em veículos"
    assert article.published is not None and article.published.isoformat() == "2018-10-05"
