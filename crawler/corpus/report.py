"""The corpus report: one self-contained HTML file (inline CSS and SVG, no script, no network).

It shows what a corpus paper reports (the size of the corpus per language and export level, the
crawls and dates it covers, the date gap between source and translation) and the figures of
:mod:`crawler.corpus.stats` as charts and tables, and lists the pairs with the lowest confidence
for a person to review, each with the ways to its archived copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from crawler.archive.layout import INDEX_NAME, MANIFEST_NAME, REPORT_NAME
from crawler.corpus.align import Aligner
from crawler.corpus.charts import horizontal_bars, vertical_bars
from crawler.corpus.coverage import compute_coverage
from crawler.corpus.dategaps import compute_date_gaps
from crawler.corpus.figures import compute_figures
from crawler.corpus.replay import ReplayLinks, read_capture_times, replay_base, show_command
from crawler.corpus.report_sections import (
    count_table,
    coverage_section,
    date_gap_section,
    figures_section,
    quantile_table,
    refused_section,
    status_site_section,
)
from crawler.corpus.stats import compute_stats
from crawler.manifest import STATUS_DESCRIPTIONS, Pair, read_manifest
from crawler.util.atomic import atomic_write

REVIEW_COUNT = 20

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 0.9em; }
.live { color: #8a5a00; font-size: 0.8em; }
code.show { font-size: 0.85em; user-select: all; }
figure, .wide { margin: 0.5em 0; overflow-x: auto; }
"""
ALIGNED_HINT = (
    "The paragraph and sentence levels and the English sentences are counted by "
    "<code>report --aligned</code>: it runs the aligner and pysbd over every pair, which takes "
    "10 to 20 minutes for 10,000 pairs."
)


@dataclass(frozen=True)
class ArchiveLinks:
    """Where the review table's links to archived copies lead: the archive directory for the
    ``pairs show`` command line, and replay URLs when a replay base URL was given."""

    archive_dir: Path | None = None
    replay: ReplayLinks | None = None


def lowest_confidence(pairs: Iterable[Pair], count: int = REVIEW_COUNT) -> list[Pair]:
    """The ``count`` pairs with the lowest confidence (pairs without one are not ranked)."""
    scored = [pair for pair in pairs if pair.confidence is not None]
    return sorted(scored, key=lambda p: (p.confidence, p.pair_id))[:count]


def _live_link(url: str | None, text: str | None) -> str:
    """A link to the page on the live web, marked so: it may have changed since the crawl."""
    shown = escape(text or url or "-")
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return shown
    return (
        f'<a class="live" href="{escape(url, quote=True)}">{shown}</a> '
        '<span class="live">(live web)</span>'
    )


def _archived(pair: Pair, links: ArchiveLinks) -> str:
    command = show_command(pair.pair_id, links.archive_dir)
    parts = [f'<code class="show">{escape(command)}</code>']
    if links.replay is not None:
        for side, url in (
            ("translation", links.replay.translation(pair)),
            ("source", links.replay.source(pair)),
        ):
            if url is None:
                parts.append(f'<span class="note">{side}: not archived</span>')
            else:
                parts.append(
                    f'<a class="replay" data-side="{side}" href="{escape(url, quote=True)}">'
                    f"{side} (archived)</a>"
                )
    return "<br>".join(parts)


def _review_table(pairs: Sequence[Pair], links: ArchiveLinks) -> str:
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
            f'<td lang="ja">{_live_link(pair.translation.url, pair.translation.title)}</td>'
            f"<td>{_live_link(source_url, source_title)}</td>"
            f"<td><code>{escape(pair.pair_id)}</code></td>"
            f"<td>{_archived(pair, links)}</td>"
            "</tr>"
        )
    return (
        '<table id="review"><tr><th class="n">confidence</th><th>status</th>'
        "<th>translation (ja)</th><th>source (en)</th><th>pair_id</th><th>archived copy</th>"
        "</tr>" + "".join(rows) + "</table>"
    )


def render_report(
    pairs: Iterable[Pair],
    title: str,
    generated_at: datetime,
    *,
    links: ArchiveLinks | None = None,
    aligner: Aligner | None = None,
) -> str:
    """The report's HTML for ``pairs``; ``title`` names the archive. With ``aligner``, the
    paragraph and sentence levels are counted as the exports make them (slow)."""
    materialised = list(pairs)
    stats = compute_stats(materialised)
    review = lowest_confidence(materialised)
    statuses = [(s, n) for s, n in stats.by_status if n]
    with_confidence = stats.total - stats.without_confidence
    sections = [
        f"<h1>Corpus report: {escape(title)}</h1>",
        f'<p class="note">{stats.total} pairs. Generated {escape(generated_at.isoformat())} by '
        "bitext-crawler from the pairs manifest. The texts belong to their authors; this report "
        'is for research use. Links marked <span class="live">(live web)</span> go to the '
        "pages as they are now, not as they were archived.</p>",
        *figures_section(compute_figures(materialised, aligner), ALIGNED_HINT),
        *coverage_section(compute_coverage(materialised)),
        "<h2>Pairs by status</h2>",
        f"<figure>{horizontal_bars('chart-status', 'Pairs by status', statuses)}</figure>",
        count_table("status", statuses, dict(STATUS_DESCRIPTIONS)),
        "<h2>Pairs per month (translation published)</h2>",
        f"<figure>{vertical_bars('chart-months', 'Pairs per month', stats.by_month)}</figure>",
        "<h2>Pairs per source site</h2>",
        f"<figure>{horizontal_bars('chart-sites', 'Pairs per source site', stats.by_site)}"
        "</figure>",
        *status_site_section(stats),
        *refused_section(stats),
        *date_gap_section(compute_date_gaps(materialised)),
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
        quantile_table(stats.confidence_quantiles, 3),
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
        quantile_table(stats.length_ratio_quantiles, 2),
        f"<h2>The {len(review)} lowest-confidence pairs to review</h2>",
        '<p class="note">Copy the command line to read a pair side by side with the WARC records '
        "it was extracted from.</p>",
        _review_table(review, links or ArchiveLinks()),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Corpus report: {escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def write_report(
    archive_dir: Path,
    output: Path | None = None,
    generated_at: datetime | None = None,
    *,
    replay_url: str | None = None,
    aligner: Aligner | None = None,
) -> Path:
    """Write the report of ``archive_dir/pairs.jsonl`` (by default to ``archive_dir/report.html``)
    atomically and return its path. ``replay_url`` (``http://HOST/COLLECTION/``) adds replay links
    to the archived records, timed by ``archive_dir/index.cdxj``; ValueError when it is not an
    http(s) URL."""
    archive_dir = Path(archive_dir)
    target = Path(output) if output is not None else archive_dir / REPORT_NAME
    replay = None
    if replay_url is not None:
        replay = ReplayLinks(replay_base(replay_url), read_capture_times(archive_dir / INDEX_NAME))
    html = render_report(
        read_manifest(archive_dir / MANIFEST_NAME),
        title=archive_dir.resolve().name,
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0),
        links=ArchiveLinks(archive_dir, replay),
        aligner=aligner,
    )
    with atomic_write(target, text=True, durable=False) as out:
        out.write(html)
    return target
