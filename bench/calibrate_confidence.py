"""Calibrate ``crawler.pairing.matching.MISMATCH_THRESHOLD`` on the replica corpus.

Positive pairs: each translation with the article it cites (served as-is or after a redirect).
Negative pairs: the same translation with every other article in the corpus, plus the corpus's
own mismatch cases (a cited URL that serves another article). Prints the score distributions,
the threshold that best separates them with its error rate, and the same figures when the
citation gives no title, author or date (evidence from the texts alone).

Usage: ``.venv/bin/python bench/calibrate_confidence.py``
"""

from __future__ import annotations

import itertools
import statistics
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler.dates import parse_date_line
from crawler.pairing.matching import MISMATCH_THRESHOLD, MatchInputs, score_match
from replica.corpus import BLOGS, load_cases
from replica.model import PairCase, SourceArticle, SourceBehaviour

_SERVED_AS_CITED = {SourceBehaviour.OK, SourceBehaviour.REDIRECT}

Pair = tuple[str, MatchInputs]


def pair_inputs(case: PairCase, source: SourceArticle, cited_url: str | None) -> MatchInputs:
    citation = case.post.citation
    # A citation block's title, byline and date describe its first URL only; further URLs
    # (a second report on the same event) are judged on their text.
    if citation is not None and cited_url not in citation.repaired_urls[:1]:
        citation = None
    return MatchInputs(
        cited_title=citation.title if citation else None,
        cited_author=citation.author if citation else None,
        cited_published=parse_date_line(citation.date) if citation else None,
        translation_published=case.post.published,
        translation_text="\n\n".join(case.post.paragraphs),
        source_title=source.title,
        source_author=", ".join(source.authors) or None,
        source_published=source.published,
        source_text="\n\n".join(source.paragraphs),
        other_source_texts=tuple(
            "\n\n".join(other.paragraphs)
            for url, other in case.sources.items()
            if url != cited_url and case.behaviours.get(url) in _SERVED_AS_CITED
        ),
    )


def build_pairs(cases: list[PairCase]) -> tuple[list[Pair], list[Pair]]:
    articles = {
        url: source
        for case in cases
        for url, source in case.sources.items()
        if case.behaviours.get(url) in _SERVED_AS_CITED
    }
    positives: list[Pair] = []
    negatives: list[Pair] = []
    for case in cases:
        cited = set(case.sources)
        for url, source in case.sources.items():
            behaviour = case.behaviours.get(url)
            if behaviour in _SERVED_AS_CITED:
                positives.append((f"{case.post.path} <- {url}", pair_inputs(case, source, url)))
            elif behaviour == SourceBehaviour.MISMATCH:
                label = f"{case.post.path} <- served {source.url}"
                negatives.append((label, pair_inputs(case, source, url)))
        if not case.post.paragraphs or not any(
            case.behaviours.get(url) in _SERVED_AS_CITED for url in cited
        ):
            continue
        for url, other in articles.items():
            # The same article cited by a second post (a repost) is a true pair, not a negative.
            if url not in cited and other.url not in {s.url for s in case.sources.values()}:
                first = case.post.citation.repaired_urls[0] if case.post.citation else None
                negatives.append((f"{case.post.path} x {url}", pair_inputs(case, other, first)))
    return positives, negatives


def best_threshold(positives: list[float], negatives: list[float]) -> tuple[float, int]:
    """The cut with the fewest errors; among equals, the middle of the widest gap."""
    values = sorted(set(positives) | set(negatives))
    cuts = [(a + b) / 2 for a, b in itertools.pairwise(values)] or values
    best: tuple[int, float, float] | None = None
    for cut in cuts:
        errors = sum(p < cut for p in positives) + sum(n >= cut for n in negatives)
        margin = min(abs(v - cut) for v in values)  # distance to the nearest score
        if best is None or (errors, -margin) < (best[0], -best[1]):
            best = (errors, margin, cut)
    assert best is not None
    return best[2], best[0]


def describe(label: str, scores: list[float]) -> str:
    q = statistics.quantiles(scores, n=4) if len(scores) > 1 else [scores[0]] * 3
    return (
        f"  {label:<9} n={len(scores):<5} min {min(scores):.3f}  q1 {q[0]:.3f}  "
        f"median {q[1]:.3f}  q3 {q[2]:.3f}  max {max(scores):.3f}"
    )


def report(
    title: str,
    positives: list[Pair],
    negatives: list[Pair],
    strip: Callable[[MatchInputs], MatchInputs],
) -> tuple[list[float], list[float]]:
    pos = [(name, score_match(strip(inputs)).confidence) for name, inputs in positives]
    neg = [(name, score_match(strip(inputs)).confidence) for name, inputs in negatives]
    pos_scores, neg_scores = [s for _, s in pos], [s for _, s in neg]
    cut, errors = best_threshold(pos_scores, neg_scores)
    at_current = sum(s < MISMATCH_THRESHOLD for s in pos_scores) + sum(
        s >= MISMATCH_THRESHOLD for s in neg_scores
    )
    total = len(pos_scores) + len(neg_scores)
    print(f"\n{title}")
    print(describe("positive", pos_scores))
    print(describe("negative", neg_scores))
    print(f"  best threshold {cut:.3f}: {errors} errors of {total} ({errors / total:.2%})")
    print(
        f"  MISMATCH_THRESHOLD {MISMATCH_THRESHOLD:.3f}: {at_current} errors of {total}"
        f" ({at_current / total:.2%})"
    )
    _show("lowest positives", sorted(pos, key=lambda x: x[1])[:3])
    _show("highest negatives", sorted(neg, key=lambda x: -x[1])[:3])
    return pos_scores, neg_scores


def _show(label: str, rows: Iterable[tuple[str, float]]) -> None:
    for name, score in rows:
        print(f"    {label}: {score:.3f}  {name}")


def main() -> int:
    cases = [case for blog in BLOGS for case in load_cases(blog)]
    positives, negatives = build_pairs(cases)
    if not positives or not negatives:
        print("the replica corpus has no usable pairs", file=sys.stderr)
        return 2
    full_pos, full_neg = report("all evidence", positives, negatives, lambda inputs: inputs)
    bare_pos, bare_neg = report(
        "citation without title, author or date",
        positives,
        negatives,
        lambda inputs: replace(inputs, cited_title=None, cited_author=None, cited_published=None),
    )
    # One threshold has to serve pages with and without a full citation block.
    cut, errors = best_threshold(full_pos + bare_pos, full_neg + bare_neg)
    total = len(full_pos) + len(bare_pos) + len(full_neg) + len(bare_neg)
    print(f"\nboth together: best threshold {cut:.3f}: {errors} errors of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
