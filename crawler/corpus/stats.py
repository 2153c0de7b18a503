"""Figures about a set of pairs: counts by status, source site and month; confidence and length.

Pure functions over :class:`~crawler.manifest.Pair` values, shared by ``pairs stats`` and the
HTML report so both always show the same numbers. A ``source_refused`` pair cites a URL the crawl
would not fetch (an internal address, localhost, a redirect to one): its host is no source site,
so it is counted apart, under ``refused_hosts``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.corpus.select import NO_SITE, publication_month, source_site
from crawler.manifest import STATUS_DESCRIPTIONS, STATUS_SOURCE_REFUSED, STATUSES, Pair
from crawler.util.terminal import printable

CONFIDENCE_BINS = 10
QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
# English/Japanese character ratios of real pairs fall around 2.5-3.5; bins of 0.5 up to 6 show
# both the usual band and the outliers (a truncated source, a condensed translation); the last bin
# is open-ended.
LENGTH_RATIO_EDGES = (*(i / 2 for i in range(13)), math.inf)


@dataclass(frozen=True)
class Bin:
    """One histogram bar: values in ``[low, high)`` (the last bin also holds ``high``)."""

    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        if math.isinf(self.low):
            return f"<{self.high:g}"
        return f"≥{self.low:g}" if math.isinf(self.high) else f"{self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class CorpusStats:
    total: int
    by_status: tuple[tuple[str, int], ...]  # every known status in schema order, then unknown
    by_site: tuple[tuple[str, int], ...]  # most pairs first; refused pairs are not counted
    # (site, ((status, pairs), ...)) in by_site's order, statuses in by_status's order.
    status_by_site: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    # (host of the cited URL, or NO_SITE, pairs) of source_refused pairs, most pairs first.
    refused_hosts: tuple[tuple[str, int], ...]
    by_month: tuple[tuple[str, int], ...]  # chronological, "undated" last
    confidence_bins: tuple[Bin, ...]
    confidence_quantiles: tuple[tuple[float, float], ...]  # (q, value); empty without values
    without_confidence: int
    length_ratios: tuple[float, ...]  # sorted
    length_ratio_bins: tuple[Bin, ...]
    length_ratio_quantiles: tuple[tuple[float, float], ...]


def length_ratio(pair: Pair) -> float | None:
    """English characters / Japanese characters, as ``evidence.length_ratio`` defines it."""
    if pair.source is None or not pair.source.text or not pair.translation.text:
        return None
    ja, en = len(pair.translation.text.strip()), len(pair.source.text.strip())
    return en / ja if ja and en else None


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default) over sorted ``values``."""
    if not values:
        raise ValueError("quantile of no values")
    position = q * (len(values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def histogram(values: Iterable[float], edges: Sequence[float]) -> tuple[Bin, ...]:
    """Counts per bin between consecutive ``edges``; values outside the edges go to the end bins
    so that every value is counted once."""
    counts = [0] * (len(edges) - 1)
    for value in values:
        index = 0
        while index < len(counts) - 1 and value >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return tuple(Bin(edges[i], edges[i + 1], counts[i]) for i in range(len(counts)))


def refused_host(pair: Pair) -> str | None:
    """The host a ``source_refused`` pair cites, None for any other pair."""
    if pair.status != STATUS_SOURCE_REFUSED:
        return None
    if not pair.cited_url:
        return NO_SITE
    try:
        return urlsplit(pair.cited_url).hostname or pair.cited_url
    except ValueError:  # a malformed address ("http://[::1") is shown as it was cited
        return pair.cited_url


def compute_stats(pairs: Iterable[Pair]) -> CorpusStats:
    statuses: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    site_statuses: Counter[tuple[str, str]] = Counter()
    refused: Counter[str] = Counter()
    months: Counter[str] = Counter()
    confidences: list[float] = []
    ratios: list[float] = []
    total = 0
    for pair in pairs:
        total += 1
        statuses[pair.status] += 1
        host = refused_host(pair)
        if host is not None:
            refused[host] += 1
        else:
            site = source_site(pair) or NO_SITE
            sites[site] += 1
            site_statuses[site, pair.status] += 1
        months[publication_month(pair)] += 1
        if pair.confidence is not None:
            confidences.append(pair.confidence)
        ratio = length_ratio(pair)
        if ratio is not None:
            ratios.append(ratio)
    confidences.sort()
    ratios.sort()
    known = [(s, statuses[s]) for s in STATUSES]
    unknown = sorted((s, n) for s, n in statuses.items() if s not in STATUS_DESCRIPTIONS)
    confidence_edges = [i / CONFIDENCE_BINS for i in range(CONFIDENCE_BINS + 1)]
    by_status = tuple(known + unknown)
    by_site = _most_first(sites)
    return CorpusStats(
        total=total,
        by_status=by_status,
        by_site=by_site,
        status_by_site=tuple(
            (site, tuple((status, site_statuses[site, status]) for status, _ in by_status))
            for site, _ in by_site
        ),
        refused_hosts=_most_first(refused),
        by_month=tuple(sorted(months.items(), key=lambda item: (item[0] == "undated", item[0]))),
        confidence_bins=histogram(confidences, confidence_edges),
        confidence_quantiles=quantiles(confidences),
        without_confidence=total - len(confidences),
        length_ratios=tuple(ratios),
        length_ratio_bins=histogram(ratios, LENGTH_RATIO_EDGES),
        length_ratio_quantiles=quantiles(ratios),
    )


def _most_first(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def quantiles(values: Sequence[float]) -> tuple[tuple[float, float], ...]:
    """``(q, value)`` for each of QUANTILES over sorted ``values``; empty without values."""
    return tuple((q, quantile(values, q)) for q in QUANTILES) if values else ()


def format_stats(stats: CorpusStats) -> str:
    """The plain-text summary ``pairs stats`` prints (names made printable for a terminal)."""
    lines = [f"{stats.total} pairs", "", "By status:"]
    by_status = [(printable(s), n, s) for s, n in stats.by_status]
    width = max((len(s) for s, _, _ in by_status), default=0)
    for shown, count, status in by_status:
        description = STATUS_DESCRIPTIONS.get(status, "(status unknown to this version)")
        lines.append(f"  {shown:<{width}}  {count:>6}  {description}")
    lines += ["", "By source site:"]
    lines += _counts(stats.by_site)
    lines += ["", "Refused URLs (source_refused) by cited host, not source sites:"]
    lines += _counts(stats.refused_hosts)
    lines += ["", "By month (translation published):"]
    lines += _counts(stats.by_month)
    lines += ["", f"Confidence ({stats.total - stats.without_confidence} pairs with a value):"]
    lines += _bars(stats.confidence_bins)
    lines += _quantile_lines(stats.confidence_quantiles, "{:.3f}")
    lines.append(f"  without a confidence: {stats.without_confidence}")
    lines += [
        "",
        f"Length ratio, English chars / Japanese chars ({len(stats.length_ratios)} pairs):",
    ]
    lines += _bars(stats.length_ratio_bins)
    lines += _quantile_lines(stats.length_ratio_quantiles, "{:.2f}")
    return "\n".join(lines)


def _counts(items: Sequence[tuple[str, int]]) -> list[str]:
    if not items:
        return ["  (none)"]
    items = [(printable(name), count) for name, count in items]
    width = max(len(name) for name, _ in items)
    return [f"  {name:<{width}}  {count:>6}" for name, count in items]


def _bars(bins: Sequence[Bin], scale: int = 40) -> list[str]:
    top = max((b.count for b in bins), default=0)
    width = max(len(b.label) for b in bins)
    lines = []
    for b in bins:
        bar = "#" * (round(scale * b.count / top) if top else 0)
        lines.append(f"  {b.label:>{width}}  {b.count:>6}  {bar}")
    return lines


def _quantile_lines(quantiles: Sequence[tuple[float, float]], number: str) -> list[str]:
    if not quantiles:
        return []
    names = {0.0: "min", 0.5: "median", 1.0: "max"}
    parts = [f"{names.get(q, f'p{round(q * 100)}')} {number.format(v)}" for q, v in quantiles]
    return ["  " + ", ".join(parts)]
