"""The HTML report parses, carries every chart with the right numbers, and escapes all text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from crawler.corpus import compute_stats, lowest_confidence, render_report, write_report
from tests.unit.corpus.builders import CorpusFixture

CHARTS = ("chart-months", "chart-sites", "chart-status", "chart-confidence", "chart-length-ratio")
WHEN = datetime(2025, 7, 2, tzinfo=UTC)


def _bars(document: lxml.html.HtmlElement, chart: str) -> list[tuple[str, int]]:
    svg = document.get_element_by_id(chart)
    assert svg.tag == "svg" and "chart" in svg.get("class", "").split()
    return [
        (rect.get("data-label"), int(rect.get("data-count")))
        for rect in svg.iter("rect")
        if rect.get("class") == "bar"
    ]


def test_report_has_every_chart_with_the_stats(corpus: CorpusFixture, tmp_path: Path) -> None:
    path = write_report(corpus.archive, tmp_path / "report.html", generated_at=WHEN)
    document = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    stats = compute_stats(corpus.pairs)
    assert _bars(document, "chart-months") == list(stats.by_month)
    assert _bars(document, "chart-sites") == list(stats.by_site)
    assert _bars(document, "chart-status") == [(s, n) for s, n in stats.by_status if n]
    assert _bars(document, "chart-confidence") == [
        (b.label, b.count) for b in stats.confidence_bins
    ]
    ratios = _bars(document, "chart-length-ratio")
    assert ratios == [(b.label, b.count) for b in stats.length_ratio_bins]
    for chart in CHARTS:
        assert sum(count for _, count in _bars(document, chart)) in (
            len(corpus.pairs),
            len(corpus.pairs) - stats.without_confidence,
            len(stats.length_ratios),
        )
    # Bars are drawn to scale: the tallest month has the tallest bar.
    months = document.get_element_by_id("chart-months")
    heights = {r.get("data-label"): float(r.get("height")) for r in months.iter("rect")}
    assert max(heights, key=lambda k: heights[k]) == max(stats.by_month, key=lambda i: i[1])[0]


def test_report_lists_the_lowest_confidence_pairs(corpus: CorpusFixture) -> None:
    document = lxml.html.fromstring(render_report(corpus.pairs, "archive", WHEN))
    rows = document.get_element_by_id("review").findall(".//tr")[1:]
    expected = sorted(
        (p for p in corpus.pairs if p.confidence is not None), key=lambda p: p.confidence or 0
    )
    assert len(rows) == 20 == len(lowest_confidence(corpus.pairs))
    for row, pair in zip(rows, expected[:20], strict=True):
        cells = row.findall("td")
        assert float(cells[0].text_content()) == round(pair.confidence or 0, 3)
        assert cells[1].text_content() == pair.status
        assert cells[2].find("a").get("href") == pair.translation.url
        assert cells[2].text_content() == pair.translation.title
        assert cells[4].text_content() == pair.pair_id
    assert rows[0].findall("td")[1].text_content() == "source_mismatch"


def test_report_is_self_contained_and_escapes_text(corpus: CorpusFixture) -> None:
    first = next(p for p in corpus.pairs if p.status == "ok")
    # The lowest confidence puts the pair in the review table, where its title is shown.
    hostile = replace(
        first,
        confidence=0.01,
        translation=replace(first.translation, title='<script>alert("x")</script> & 訳'),
    )
    others = [p for p in corpus.pairs if p.pair_id != first.pair_id]
    html = render_report([hostile, *others], "<b>archive</b>", WHEN)
    document = lxml.html.fromstring(html)
    assert not document.findall(".//script")
    assert not document.findall(".//b")
    assert '<script>alert("x")</script> & 訳' in document.text_content()
    assert "<b>archive</b>" in document.find(".//h1").text_content()
    assert not [e for e in document.iter() if e.get("src")]
    assert not document.findall(".//link")
    assert "@import" not in html and "url(" not in html
    assert document.find(".//style") is not None


def test_write_report_defaults_to_the_archive(corpus: CorpusFixture, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "pairs.jsonl").write_bytes(corpus.manifest.read_bytes())
    path = write_report(archive)
    assert path == archive / "report.html"
    assert lxml.html.fromstring(path.read_text(encoding="utf-8")).find(".//svg") is not None
