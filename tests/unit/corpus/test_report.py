"""The HTML report parses, carries every chart with the right numbers, and escapes all text."""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from crawler.archive.index import build_cdxj_index
from crawler.cli import build_parser
from crawler.corpus import compute_stats, lowest_confidence, render_report, write_report
from crawler.corpus.coverage import compute_coverage
from crawler.corpus.dategaps import compute_date_gaps
from crawler.corpus.figures import compute_figures
from crawler.corpus.replay import show_command
from crawler.manifest import Pair, write_manifest
from tests.unit.corpus.builders import WARC_DATE, WARC_NAME, CorpusFixture, PositionalAligner

CHARTS = (
    "chart-months",
    "chart-sites",
    "chart-status",
    "chart-confidence",
    "chart-length-ratio",
    "chart-date-gap",
    "chart-posts-months",
)
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
    refused = sum(n for _, n in stats.refused_hosts)
    assert refused
    for chart in CHARTS[:5]:  # the charts of pairs; the two below count other things
        assert sum(count for _, count in _bars(document, chart)) in (
            len(corpus.pairs),
            len(corpus.pairs) - refused,  # sites: refused hosts are listed apart
            len(corpus.pairs) - stats.without_confidence,
            len(stats.length_ratios),
        )
    gaps = compute_date_gaps(corpus.pairs)
    assert _bars(document, "chart-date-gap") == [(b.label, b.count) for b in gaps.bins]
    coverage = compute_coverage(corpus.pairs)
    assert _bars(document, "chart-posts-months") == list(coverage.posts_by_month)
    # Bars are drawn to scale: the tallest month has the tallest bar.
    months = document.get_element_by_id("chart-months")
    heights = {r.get("data-label"): float(r.get("height")) for r in months.iter("rect")}
    assert max(heights, key=lambda k: heights[k]) == max(stats.by_month, key=lambda i: i[1])[0]


def _table(document: lxml.html.HtmlElement, table: str) -> list[list[str]]:
    return [
        [cell.text_content() for cell in row.findall("*")]
        for row in document.get_element_by_id(table).findall(".//tr")
    ]


def test_corpus_size_tables(corpus: CorpusFixture) -> None:
    document = lxml.html.fromstring(render_report(corpus.pairs, "archive", WHEN))
    figures = compute_figures(corpus.pairs)
    languages = _table(document, "figures-languages")
    assert languages[0] == [
        "language", "documents", "paragraphs", "sentences", "tokens", "characters"
    ]  # fmt: skip
    ja, en = figures.ja, figures.en
    # The documents: the ok pairs with text on both sides (the corpus holds the seed's posts
    # where the seed is present, so the count is taken from it).
    documents = sum(
        p.status == "ok" and p.source is not None and bool(p.source.text and p.translation.text)
        for p in corpus.pairs
    )
    assert documents >= 40
    assert languages[1][1:] == [
        str(v) for v in (documents, ja.paragraphs, ja.sentences, ja.tokens, ja.characters)
    ]
    assert languages[2][1:] == [
        str(documents), str(en.paragraphs), "—", str(en.tokens), str(en.characters)
    ]  # fmt: skip
    levels = _table(document, "figures-levels")
    assert [row[0] for row in levels[1:]] == ["document"]
    assert "report --aligned" in document.text_content()


def test_corpus_size_tables_with_the_aligner(corpus: CorpusFixture) -> None:
    html = render_report(corpus.pairs, "archive", WHEN, aligner=PositionalAligner())
    document = lxml.html.fromstring(html)
    figures = compute_figures(corpus.pairs, PositionalAligner())
    levels = _table(document, "figures-levels")
    assert [row[0] for row in levels[1:]] == ["document", "paragraph", "sentence"]
    for row, level in zip(levels[1:], figures.levels, strict=True):
        expected = (
            level.segments,
            level.ja_units,
            level.en_units,
            level.ja_tokens,
            level.en_tokens,
        )
        assert row[1:] == [str(v) for v in expected]
    assert _table(document, "figures-languages")[2][3] == str(figures.en.sentences)
    assert "report --aligned" not in document.text_content()


def test_status_by_site_and_refused_hosts(corpus: CorpusFixture) -> None:
    document = lxml.html.fromstring(render_report(corpus.pairs, "archive", WHEN))
    stats = compute_stats(corpus.pairs)
    table = _table(document, "status-by-site")
    header, rows, totals = table[0], table[1:-1], table[-1]
    assert header[0] == "site" and header[-1] == "total"
    assert "source_refused" not in header
    assert [(row[0], int(row[-1])) for row in rows] == list(stats.by_site)
    for row in rows:
        assert sum(int(cell) for cell in row[1:-1]) == int(row[-1])
    by_status = dict(stats.by_status)
    assert totals[0] == "total"
    for status, total in zip(header[1:-1], totals[1:-1], strict=True):
        assert int(total) == by_status[status]
    refused = dict(stats.refused_hosts)
    assert int(totals[-1]) == stats.total - sum(refused.values())
    assert {row[0]: int(row[1]) for row in _table(document, "refused-hosts")[1:]} == refused
    internal = {"metadata.google.internal", "admin.localhost"}
    assert internal <= set(refused)
    assert not internal & {row[0] for row in rows}
    for link in document.iter("a"):
        assert not any(host in link.get("href", "") for host in internal)


def test_crawls_table(corpus: CorpusFixture) -> None:
    first = corpus.pairs[0]
    later = replace(
        first, crawled_at="2025-09-01T10:00:00Z", crawler={**first.crawler, "spider": "t2"}
    )
    document = lxml.html.fromstring(render_report([later, *corpus.pairs[1:]], "a", WHEN))
    rows = _table(document, "crawls")[1:]
    assert rows == [
        ["bitext-crawler 0.1.0", "-", "2025-07-01", str(len(corpus.pairs) - 1),
         "2025-07-01T00:00:00Z", "2025-07-01T00:00:00Z"],
        ["bitext-crawler 0.1.0", "t2", "2025-09-01", "1", "2025-09-01T10:00:00Z",
         "2025-09-01T10:00:00Z"],
    ]  # fmt: skip
    gaps = compute_date_gaps(corpus.pairs)
    assert [float(v) for v in _table(document, "date-gap-quantiles")[1]] == [
        round(v, 1) for _, v in gaps.quantiles
    ]


def _first_to_review(corpus: CorpusFixture) -> list[Pair]:
    """The archived pair, made the lowest-confidence one so that the review table lists it."""
    archived = replace(corpus.archived, confidence=0.001)
    return [archived, *(p for p in corpus.pairs if p.pair_id != archived.pair_id)]


def test_archived_copies_are_linked_through_the_replay_tool(
    corpus: CorpusFixture, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copyfile(corpus.archive / WARC_NAME, archive / WARC_NAME)
    write_manifest(archive / "pairs.jsonl", _first_to_review(corpus))
    build_cdxj_index(archive)
    base = "http://localhost:8080/t2/"
    path = write_report(archive, replay_url="http://localhost:8080/t2", generated_at=WHEN)
    document = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    rows = document.get_element_by_id("review").findall(".//tr")[1:]
    pair = corpus.archived
    assert pair.source is not None
    first = rows[0].findall("td")
    assert first[4].text_content() == pair.pair_id
    assert first[5].find("code").text_content() == show_command(pair.pair_id, archive)
    stamp = "".join(c for c in WARC_DATE if c.isdigit())
    replays = {a.get("data-side"): a.get("href") for a in first[5].findall(".//a")}
    assert replays == {
        "translation": f"{base}{stamp}id_/{pair.translation.url}",
        "source": f"{base}{stamp}id_/{pair.source.url}",
    }
    # Pairs whose records are not in the archive say so instead of linking.
    assert "not archived" in rows[1].findall("td")[5].text_content()


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
        link = cells[2].find("a")
        assert link.get("href") == pair.translation.url and link.get("class") == "live"
        assert link.text_content() == pair.translation.title
        assert cells[2].text_content() == f"{pair.translation.title} (live web)"
        assert cells[4].text_content() == pair.pair_id
        assert cells[5].find("code").text_content() == show_command(pair.pair_id)
        assert not cells[5].findall(".//a")  # no replay base URL given
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


def test_every_report_option_is_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "researchers.md").read_text("utf-8")
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for option in action.choices["report"]._actions:
        for name in option.option_strings:
            if name.startswith("--") and name != "--help":
                assert name in text, f"report {name} is not documented"
