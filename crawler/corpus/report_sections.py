"""HTML of the report's tables and of its sections on corpus size, sites, date gaps, coverage.

Every text is escaped; numbers are written plainly (no thousands separator) so that a reader or
a test can take them back from the page. Nothing here links to a refused address.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from crawler.corpus.charts import vertical_bars
from crawler.corpus.coverage import Coverage
from crawler.corpus.dategaps import DateGaps
from crawler.corpus.figures import CorpusFigures, LanguageFigures
from crawler.corpus.stats import CorpusStats

NOT_COUNTED = "—"
_LANGUAGE_NAMES = {"ja": "Japanese (translations)", "en": "English (sources)"}
_QUANTILE_NAMES = {0.0: "min", 0.5: "median", 1.0: "max"}


def number(value: int | None) -> str:
    return f'<td class="n">{NOT_COUNTED if value is None else value}</td>'


def count_table(heading: str, rows: Sequence[tuple[str, int]], notes: dict[str, str]) -> str:
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


def quantile_table(values: Sequence[tuple[float, float]], digits: int, table_id: str = "") -> str:
    if not values:
        return '<p class="note">No values.</p>'
    cells = "".join(
        f"<th>{escape(_QUANTILE_NAMES.get(q, f'p{round(q * 100)}'))}</th>" for q, _ in values
    )
    numbers = "".join(f'<td class="n">{v:.{digits}f}</td>' for _, v in values)
    attribute = f' id="{escape(table_id, quote=True)}"' if table_id else ""
    return f"<table{attribute}><tr>{cells}</tr><tr>{numbers}</tr></table>"


def _language_row(side: LanguageFigures) -> str:
    return (
        f"<tr><th>{escape(_LANGUAGE_NAMES.get(side.language, side.language))}</th>"
        + number(side.documents)
        + number(side.paragraphs)
        + number(side.sentences)
        + number(side.tokens)
        + number(side.characters)
        + "</tr>"
    )


def figures_section(figures: CorpusFigures, aligned_hint: str) -> list[str]:
    levels = "".join(
        f"<tr><th>{escape(level.level)}</th>"
        + number(level.segments)
        + number(level.ja_units)
        + number(level.en_units)
        + number(level.ja_tokens)
        + number(level.en_tokens)
        + "</tr>"
        for level in figures.levels
    )
    parts = [
        "<h2>Corpus size</h2>",
        f'<p class="note">{figures.pairs} document pairs: the <code>ok</code> pairs with text on '
        "both sides, which <code>pairs export</code> exports by default. Paragraphs as the "
        "manifest separates them; sentences split as the aligner splits them; Japanese tokens "
        "are UniDic short units (MeCab with unidic-lite), English tokens words; punctuation is "
        "not a token.</p>",
        '<table id="figures-languages"><tr><th>language</th><th class="n">documents</th>'
        '<th class="n">paragraphs</th><th class="n">sentences</th><th class="n">tokens</th>'
        '<th class="n">characters</th></tr>'
        + _language_row(figures.ja)
        + _language_row(figures.en)
        + "</table>",
        "<h3>Segments per export level</h3>",
        '<p class="note">What <code>pairs export --level</code> writes: one segment per '
        "document pair, per aligned paragraph group or per aligned sentence group (units the "
        "translator added or left out are not exported), with the units and tokens inside "
        "the segments.</p>",
        '<table id="figures-levels"><tr><th>level</th><th class="n">segments</th>'
        '<th class="n">ja units</th><th class="n">en units</th><th class="n">ja tokens</th>'
        f'<th class="n">en tokens</th></tr>{levels}</table>',
    ]
    if not figures.aligned:
        parts.append(f'<p class="note">{aligned_hint}</p>')
    return parts


def status_site_section(stats: CorpusStats) -> list[str]:
    statuses = [s for s, n in stats.by_status if n and _at_sites(stats, s)]
    # <wbr>: a long status may break after an underscore, so the table fits the page.
    header = "".join(f'<th class="n">{escape(s).replace("_", "_<wbr>")}</th>' for s in statuses)
    rows = []
    for site, counts in stats.status_by_site:
        by_status = dict(counts)
        rows.append(
            f"<tr><th>{escape(site)}</th>"
            + "".join(number(by_status.get(s, 0)) for s in statuses)
            + number(sum(by_status.values()))
            + "</tr>"
        )
    totals = [sum(dict(c).get(s, 0) for _, c in stats.status_by_site) for s in statuses]
    rows.append(
        "<tr><th>total</th>" + "".join(number(t) for t in totals) + number(sum(totals)) + "</tr>"
    )
    return [
        "<h2>Status by source site</h2>",
        '<p class="note">Pairs per source site (the host of the page reached after redirects, '
        "else of the cited URL) and status. Refused URLs are not source sites: they are listed "
        "below.</p>",
        f'<div class="wide"><table id="status-by-site"><tr><th>site</th>{header}'
        '<th class="n">total</th></tr>' + "".join(rows) + "</table></div>",
    ]


def _at_sites(stats: CorpusStats, status: str) -> bool:
    return any(dict(counts).get(status, 0) for _, counts in stats.status_by_site)


def refused_section(stats: CorpusStats) -> list[str]:
    total = sum(n for _, n in stats.refused_hosts)
    parts = [
        "<h2>Refused URLs</h2>",
        f'<p class="note">{total} pairs cite a URL the crawler would not fetch '
        "(<code>source_refused</code>: not http or https, an IP, localhost or internal "
        "address, or a redirect to one). Their hosts, by the cited URL, are not sources and are "
        "not linked.</p>",
    ]
    if stats.refused_hosts:
        rows = "".join(
            f'<tr><td><code>{escape(host)}</code></td><td class="n">{n}</td></tr>'
            for host, n in stats.refused_hosts
        )
        parts.append(
            f'<table id="refused-hosts"><tr><th>cited host</th><th class="n">pairs</th></tr>'
            f"{rows}</table>"
        )
    return parts


def date_gap_section(gaps: DateGaps) -> list[str]:
    return [
        "<h2>Date gap (translation published − source published)</h2>",
        f'<p class="note">{len(gaps.gaps)} of the {gaps.pairs} document pairs have both dates; '
        f"{gaps.without_source_date} have no source date and {gaps.without_translation_date} "
        "no translation date. Days, as instants; a gap below 0 means one date is wrong.</p>",
        "<figure>"
        + vertical_bars(
            "chart-date-gap", "Date gap in days", [(b.label, b.count) for b in gaps.bins]
        )
        + "</figure>",
        quantile_table(gaps.quantiles, 1, "date-gap-quantiles"),
    ]


def coverage_section(coverage: Coverage) -> list[str]:
    posted = _span(coverage.first_published, coverage.last_published)
    sourced = _span(coverage.source_first_published, coverage.source_last_published)
    crawls = "".join(
        f"<tr><td>{escape(c.program)}</td><td>{escape(c.spider or '-')}</td>"
        f"<td>{escape(c.run)}</td>"
        + number(c.pairs)
        + f"<td>{escape(c.first_crawled_at)}</td><td>{escape(c.last_crawled_at)}</td></tr>"
        for c in coverage.crawls
    )
    return [
        "<h2>Coverage: crawls and publication dates</h2>",
        f'<p class="note">{len(coverage.crawls)} crawls wrote the lines (told apart by the '
        "<code>crawler</code> of each line, or by the UTC day of its <code>crawled_at</code>). "
        f"{coverage.posts} posts, published {posted} ({coverage.undated_posts} undated); the "
        f"sources of the ok pairs were published {sourced}.</p>",
        '<table id="crawls"><tr><th>crawler</th><th>spider</th><th>crawl</th>'
        '<th class="n">pairs</th><th>first line</th><th>last line</th></tr>'
        f"{crawls}</table>",
        "<h3>Posts per month (translation published)</h3>",
        "<figure>"
        + vertical_bars("chart-posts-months", "Posts per month", coverage.posts_by_month)
        + "</figure>",
    ]


def _span(first: object, last: object) -> str:
    if first is None or last is None:
        return "on no known date"
    return f"from {escape(str(first))} to {escape(str(last))}"
