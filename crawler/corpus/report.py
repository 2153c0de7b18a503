"""The corpus report: one self-contained HTML file (inline CSS and SVG, no script, no network).

It shows the figures of :mod:`crawler.corpus.stats` as charts and tables, and lists the pairs
with the lowest confidence for a person to review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from crawler.archive.layout import MANIFEST_NAME, REPORT_NAME
from crawler.corpus.charts import horizontal_bars, vertical_bars
from crawler.corpus.stats import CorpusStats, compute_stats
from crawler.manifest import STATUS_DESCRIPTIONS, Pair, read_manifest
from crawler.util.atomic import atomic_write

REVIEW_COUNT = 20

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 0.9em; }
figure { margin: 0.5em 0; overflow-x: auto; }
"""


def lowest_confidence(pairs: Iterable[Pair], count: int = REVIEW_COUNT) -> list[Pair]:
    """The ``count`` pairs with the lowest confidence (pairs without one are not ranked)."""
    scored = [pair for pair in pairs if pair.confidence is not None]
    return sorted(scored, key=lambda p: (p.confidence, p.pair_id))[:count]


def _link(url: str | None, text: str | None) -> str:
    shown = escape(text or url or "-")
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return shown
    return f'<a href="{escape(url, quote=True)}">{shown}</a>'


def _count_table(heading: str, rows: Sequence[tuple[str, int]], notes: dict[str, str]) -> str:
    body = "".join(
        f'<tr><td>{escape(name)}</td><td class="n">{count}</td>'
        + (f"<td>{escape(notes.get(name, ''))}</td>" if notes else "")
        + "</tr>"
        for name, count in rows
    )
    extra = "<th>meaning</th>" if notes else ""
    return (
        f'<table><tr><th>{escape(heading)}</th><th class="n">pairs</th>{extra}</tr>{body}</table>'
    )


def _quantiles(values: Sequence[tuple[float, float]], digits: int) -> str:
    if not values:
        return '<p class="note">No values.</p>'
    names = {0.0: "min", 0.5: "median", 1.0: "max"}
    cells = "".join(f"<th>{escape(names.get(q, f'p{round(q * 100)}'))}</th>" for q, _ in values)
    numbers = "".join(f'<td class="n">{v:.{digits}f}</td>' for _, v in values)
    return f"<table><tr>{cells}</tr><tr>{numbers}</tr></table>"


def _review_table(pairs: Sequence[Pair]) -> str:
    if not pairs:
        return '<p class="note">No pair has a confidence.</p>'
    rows = []
    for pair in pairs:
        source = pair.source
        source_url = source.url if source else pair.cited_url
        source_title = source.title if source else None
        rows.append(
            "<tr>"
            f'<td class="n">{pair.confidence:.3f}</td>'
            f"<td>{escape(pair.status)}</td>"
            # lang lets the browser pick a Japanese font for the title.
            f'<td lang="ja">{_link(pair.translation.url, pair.translation.title)}</td>'
            f"<td>{_link(source_url, source_title)}</td>"
            f"<td><code>{escape(pair.pair_id)}</code></td>"
            "</tr>"
        )
    return (
        '<table id="review"><tr><th class="n">confidence</th><th>status</th>'
        "<th>translation (ja)</th><th>source (en)</th><th>pair_id</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def render_report(pairs: Iterable[Pair], title: str, generated_at: datetime) -> str:
    """The report's HTML for ``pairs``; ``title`` names the archive."""
    materialised = list(pairs)
    stats = compute_stats(materialised)
    review = lowest_confidence(materialised)
    return _page(stats, review, title, generated_at)


def _page(stats: CorpusStats, review: Sequence[Pair], title: str, generated_at: datetime) -> str:
    statuses = [(s, n) for s, n in stats.by_status if n]
    with_confidence = stats.total - stats.without_confidence
    sections = [
        f"<h1>Corpus report: {escape(title)}</h1>",
        f'<p class="note">{stats.total} pairs. Generated {escape(generated_at.isoformat())} by '
        "bitext-crawler from the pairs manifest. The texts belong to their authors; this report "
        "is for research use.</p>",
        "<h2>Pairs by status</h2>",
        f"<figure>{horizontal_bars('chart-status', 'Pairs by status', statuses)}</figure>",
        _count_table("status", statuses, dict(STATUS_DESCRIPTIONS)),
        "<h2>Pairs per month (translation published)</h2>",
        f"<figure>{vertical_bars('chart-months', 'Pairs per month', stats.by_month)}</figure>",
        "<h2>Pairs per source site</h2>",
        f"<figure>{horizontal_bars('chart-sites', 'Pairs per source site', stats.by_site)}"
        "</figure>",
        _count_table("site", stats.by_site, {}),
        "<h2>Confidence</h2>",
        f'<p class="note">{with_confidence} pairs have a confidence; '
        f"{stats.without_confidence} have none (no source page was compared).</p>",
        "<figure>"
        + vertical_bars(
            "chart-confidence",
            "Confidence histogram",
            [(b.label, b.count) for b in stats.confidence_bins],
        )
        + "</figure>",
        _quantiles(stats.confidence_quantiles, 3),
        "<h2>Length ratio (English characters / Japanese characters)</h2>",
        f'<p class="note">{len(stats.length_ratios)} pairs with text on both sides. '
        "English usually has about 2.5 to 3.5 times as many characters as its Japanese "
        "translation; far outside that, one side is likely truncated or condensed.</p>",
        "<figure>"
        + vertical_bars(
            "chart-length-ratio",
            "Length ratio distribution",
            [(b.label, b.count) for b in stats.length_ratio_bins],
        )
        + "</figure>",
        _quantiles(stats.length_ratio_quantiles, 2),
        f"<h2>The {len(review)} lowest-confidence pairs to review</h2>",
        _review_table(review),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Corpus report: {escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def write_report(
    archive_dir: Path, output: Path | None = None, generated_at: datetime | None = None
) -> Path:
    """Write the report of ``archive_dir/pairs.jsonl`` (by default to ``archive_dir/report.html``)
    atomically and return its path."""
    archive_dir = Path(archive_dir)
    target = Path(output) if output is not None else archive_dir / REPORT_NAME
    html = render_report(
        read_manifest(archive_dir / MANIFEST_NAME),
        title=archive_dir.resolve().name,
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0),
    )
    with atomic_write(target, text=True, durable=False) as out:
        out.write(html)
    return target
