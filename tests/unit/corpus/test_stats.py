"""Figures of the replica-built manifest, recomputed independently from the cases."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from crawler.corpus import compute_stats, format_stats, length_ratio
from crawler.corpus.stats import histogram, quantile
from crawler.manifest import STATUS_DESCRIPTIONS
from tests.unit.corpus.builders import CorpusFixture


def test_counts_by_status_site_and_month(corpus: CorpusFixture) -> None:
    stats = compute_stats(corpus.pairs)
    statuses: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    site_statuses: Counter[tuple[str, str]] = Counter()
    refused: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for case in corpus.cases:
        for cited, status in case.expected_status.items():
            statuses[status] += 1
            months[case.post.published.strftime("%Y-%m")] += 1
            if status == "source_refused":
                refused[urlsplit(cited).hostname or cited] += 1
                continue
            article = case.sources.get(cited)
            url = article.url if article and status in ("ok", "source_mismatch") else cited
            site = (urlsplit(url).hostname if url else None) or "(no cited URL)"
            sites[site] += 1
            site_statuses[site, status] += 1
    assert stats.total == sum(statuses.values()) == len(corpus.pairs)
    assert {s: n for s, n in stats.by_status if n} == dict(statuses)
    assert [s for s, _ in stats.by_status][: len(STATUS_DESCRIPTIONS)] == list(STATUS_DESCRIPTIONS)
    assert dict(stats.by_site) == dict(sites)
    assert [n for _, n in stats.by_site] == sorted(sites.values(), reverse=True)
    assert dict(stats.refused_hosts) == dict(refused)
    assert sum(sites.values()) + sum(refused.values()) == stats.total
    assert [site for site, _ in stats.status_by_site] == [site for site, _ in stats.by_site]
    for site, counts in stats.status_by_site:
        assert [s for s, _ in counts] == [s for s, _ in stats.by_status]
        assert {s: n for s, n in counts if n} == {
            s: n for (where, s), n in site_statuses.items() if where == site
        }
    assert dict(stats.by_month) == dict(months)
    assert [m for m, _ in stats.by_month] == sorted(months)


def test_confidence_histogram_and_quantiles(corpus: CorpusFixture) -> None:
    stats = compute_stats(corpus.pairs)
    values = sorted(p.confidence for p in corpus.pairs if p.confidence is not None)
    assert len(stats.confidence_bins) == 10
    expected = Counter(min(int(v * 10), 9) for v in values)
    assert [b.count for b in stats.confidence_bins] == [expected[i] for i in range(10)]
    assert stats.without_confidence == len(corpus.pairs) - len(values)
    quantiles = dict(stats.confidence_quantiles)
    assert quantiles[0.0] == values[0]
    assert quantiles[1.0] == values[-1]
    assert quantiles[0.5] == pytest.approx(statistics.median(values))
    assert quantiles[0.25] == pytest.approx(
        statistics.quantiles(values, n=4, method="inclusive")[0]
    )


def test_length_ratios(corpus: CorpusFixture) -> None:
    stats = compute_stats(corpus.pairs)
    expected = sorted(
        len(p.source.text.strip()) / len(p.translation.text.strip())
        for p in corpus.pairs
        if p.source is not None and p.source.text and p.translation.text
    )
    assert list(stats.length_ratios) == pytest.approx(expected)
    assert sum(b.count for b in stats.length_ratio_bins) == len(expected)
    assert stats.length_ratio_bins[-1].label == "≥6"
    no_source = next(p for p in corpus.pairs if p.source is None)
    assert length_ratio(no_source) is None


def test_refused_hosts_are_not_source_sites(corpus: CorpusFixture) -> None:
    refused = [p for p in corpus.pairs if p.status == "source_refused"]
    stats = compute_stats(corpus.pairs)
    hosts = {urlsplit(p.cited_url or "").hostname for p in refused}
    assert {"metadata.google.internal", "admin.localhost"} <= hosts
    assert sum(n for _, n in stats.refused_hosts) == len(refused)
    # breakingdefense.com is a source site of other pairs; its refused link is counted apart.
    sites = dict(stats.by_site)
    assert not (hosts - {"breakingdefense.com"}) & set(sites)
    assert all(dict(counts)["source_refused"] == 0 for _, counts in stats.status_by_site)
    odd = replace(refused[0], cited_url="http://[::1/admin")
    assert dict(compute_stats([odd]).refused_hosts) == {"http://[::1/admin": 1}
    assert dict(compute_stats([replace(refused[0], cited_url=None)]).refused_hosts) == {
        "(no cited URL)": 1
    }


def test_histogram_edges() -> None:
    bins = histogram([0.0, 0.1, 0.0999, 0.95, 1.0, 1.5, -0.2], [i / 10 for i in range(11)])
    assert [b.count for b in bins] == [3, 1, 0, 0, 0, 0, 0, 0, 0, 3]
    assert bins[0].label == "0–0.1"
    assert [b.label for b in histogram([-1.0, 5.0], [-math.inf, 0, math.inf])] == ["<0", "≥0"]


def test_quantile_interpolates_and_refuses_nothing() -> None:
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([5.0], 0.9) == 5.0
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_empty_corpus() -> None:
    stats = compute_stats([])
    assert stats.total == 0
    assert stats.confidence_quantiles == ()
    assert "0 pairs" in format_stats(stats)


def test_format_names_every_status_with_its_description(corpus: CorpusFixture) -> None:
    text = format_stats(compute_stats(corpus.pairs))
    for status, description in STATUS_DESCRIPTIONS.items():
        assert any(status in line and description in line for line in text.splitlines())
    assert "median" in text and "www.twz.com" in text and "2025-02" in text
    refused = text.split("Refused URLs (source_refused)")[1]
    assert "metadata.google.internal" in refused and "www.twz.com" not in refused
