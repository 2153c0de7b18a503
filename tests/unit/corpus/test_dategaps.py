"""The date gap between a source and its translation: exact days, bins, and the undated."""

from __future__ import annotations

import statistics
from dataclasses import replace

import pytest

from crawler.corpus.dategaps import compute_date_gaps, date_gap_days
from crawler.manifest import Pair
from tests.unit.corpus.builders import CorpusFixture


def _dated(pair: Pair, translation: str | None, source: str | None) -> Pair:
    assert pair.source is not None
    return replace(
        pair,
        translation=replace(pair.translation, published=translation),
        source=replace(pair.source, published=source),
    )


def test_gap_is_between_instants(corpus: CorpusFixture) -> None:
    ok = next(p for p in corpus.pairs if p.status == "ok")
    # 09:00 in Tokyo is midnight UTC: one day after the source.
    assert date_gap_days(_dated(ok, "2025-02-07T09:00:00+09:00", "2025-02-06T00:00:00Z")) == 1.0
    assert date_gap_days(_dated(ok, "2025-02-07T09:00:00+09:00", "2025-02-07T12:00:00Z")) == -0.5
    assert date_gap_days(_dated(ok, "2025-02-07T09:00:00+09:00", None)) is None
    assert date_gap_days(_dated(ok, None, "2025-02-07T12:00:00Z")) is None


def test_bins_quantiles_and_undated(corpus: CorpusFixture) -> None:
    ok = [p for p in corpus.pairs if p.status == "ok"][:7]
    mismatch = next(p for p in corpus.pairs if p.status == "source_mismatch")
    day = "2025-03-10T00:00:00Z"
    pairs = [
        _dated(ok[0], day, "2025-03-10T06:00:00Z"),  # -0.25
        _dated(ok[1], day, "2025-03-09T12:00:00Z"),  # 0.5
        _dated(ok[2], day, "2025-03-09T00:00:00Z"),  # 1
        _dated(ok[3], day, "2025-03-05T00:00:00Z"),  # 5
        _dated(ok[4], day, "2024-02-01T00:00:00Z"),  # 403
        _dated(ok[5], day, None),
        _dated(ok[6], None, "2025-03-05T00:00:00Z"),
        _dated(mismatch, day, "2020-01-01T00:00:00Z"),  # not the cited article: left out
    ]
    gaps = compute_date_gaps(pairs)
    assert gaps.pairs == 7
    assert gaps.gaps == (-0.25, 0.5, 1.0, 5.0, 403.0)
    assert (gaps.without_source_date, gaps.without_translation_date) == (1, 1)
    counts = {b.label: b.count for b in gaps.bins}
    assert counts == {
        "<0": 1, "0–1": 1, "1–2": 1, "2–3": 0, "3–7": 1, "7–14": 0, "14–30": 0, "30–90": 0,
        "90–365": 0, "≥365": 1,
    }  # fmt: skip
    quantiles = dict(gaps.quantiles)
    assert quantiles[0.0] == -0.25 and quantiles[1.0] == 403.0
    assert quantiles[0.5] == pytest.approx(statistics.median(gaps.gaps))


def test_replica_gaps_match_the_cases(corpus: CorpusFixture) -> None:
    expected = sorted(
        (case.post.published - case.sources[cited].published).total_seconds() / 86400
        for case in corpus.cases
        for cited, status in case.expected_status.items()
        if status == "ok"
    )
    gaps = compute_date_gaps(corpus.pairs)
    assert list(gaps.gaps) == pytest.approx(expected)
    assert sum(b.count for b in gaps.bins) == len(expected)
    assert gaps.without_source_date == 0


def test_no_pairs() -> None:
    gaps = compute_date_gaps([])
    assert gaps.gaps == () and gaps.quantiles == ()
    assert sum(b.count for b in gaps.bins) == 0
