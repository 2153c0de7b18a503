"""How long after its source a translation appeared: translation published − source published.

Counted over the corpus (``ok`` pairs with text on both sides): a ``source_mismatch`` page is
not the cited article, so its date says nothing about the translation. Both dates are instants
(ISO 8601 with an offset), so the gap is exact; a negative gap means one of the dates is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.corpus.figures import corpus_pairs
from crawler.corpus.stats import Bin, histogram, quantiles
from crawler.manifest import Pair
from crawler.manifest.schema import parse_iso

SECONDS_PER_DAY = 86_400
# A news translation blog mostly posts within days; weeks and months are the long tail.
GAP_EDGES_DAYS = (-math.inf, 0, 1, 2, 3, 7, 14, 30, 90, 365, math.inf)


@dataclass(frozen=True)
class DateGaps:
    pairs: int  # corpus pairs considered
    gaps: tuple[float, ...]  # days, sorted
    bins: tuple[Bin, ...]
    quantiles: tuple[tuple[float, float], ...]  # (q, days); empty without gaps
    without_source_date: int
    without_translation_date: int  # among those with a source date


def date_gap_days(pair: Pair) -> float | None:
    """Days from the source's publication to the translation's, None without both dates."""
    published = pair.translation.published
    source = pair.source.published if pair.source is not None else None
    if published is None or source is None:
        return None
    return (parse_iso(published) - parse_iso(source)).total_seconds() / SECONDS_PER_DAY


def compute_date_gaps(pairs: Iterable[Pair]) -> DateGaps:
    chosen = corpus_pairs(pairs)
    gaps: list[float] = []
    without_source = without_translation = 0
    for pair in chosen:
        gap = date_gap_days(pair)
        if gap is not None:
            gaps.append(gap)
        elif pair.source is None or pair.source.published is None:
            without_source += 1
        else:
            without_translation += 1
    gaps.sort()
    return DateGaps(
        pairs=len(chosen),
        gaps=tuple(gaps),
        bins=histogram(gaps, GAP_EDGES_DAYS),
        quantiles=quantiles(gaps),
        without_source_date=without_source,
        without_translation_date=without_translation,
    )
