"""Paragraph alignment accuracy on the replica corpus's golden alignments (synthetic pairs).

Prints the length calibration (the constants kept in crawler/alignment/align.py), then for t2, t1
and a generated blog: the share of golden beads reproduced exactly, bead precision and recall,
accuracy per bead kind and the time per pair. ``--ablate`` switches parts of the cost off one by
one; ``--fit`` calibrates and grid-searches the cost weights with two-fold cross-validation over
the t2 cases and reports held-out accuracy for each fold. ``--calibrate`` fits the bead score
(crawler/alignment/calibration.py): a logistic regression of each predicted bead's correctness on
its cost terms, over t2 and t1, with a reliability table, Brier score and precision/recall
measured on held-out folds, then the coefficients fitted on all of it.

    python bench/alignment_accuracy.py [--generated 200] [--ablate] [--fit] [--calibrate]
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.score_calibration import calibrate_scores, sentence_scores
from crawler.alignment import CostModel, align_paragraphs
from crawler.alignment.align import DEFAULT_MODEL, expected_english, script_counts
from crawler.alignment.calibration import RECOMMENDED_THRESHOLD
from replica.corpus import generate_cases, load_cases
from replica.model import PairCase

GoldBead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Pair:
    """A golden document pair: Japanese paragraphs, English paragraphs, golden beads."""

    name: str
    ja: tuple[str, ...]
    en: tuple[str, ...]
    gold: tuple[GoldBead, ...]


@dataclass
class Score:
    """Bead counts over a set of pairs."""

    gold: int = 0
    predicted: int = 0
    exact: int = 0
    per_kind: Counter[str] = field(default_factory=Counter)
    per_kind_exact: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.gold if self.gold else 0.0


def pairs_of(cases: Iterable[PairCase]) -> list[Pair]:
    """The cases with a golden alignment; sources are joined in citation order."""
    pairs = []
    for case in cases:
        if not case.post.alignment:
            continue
        english = tuple(p for article in case.sources.values() for p in article.paragraphs)
        pairs.append(Pair(case.post.path, case.post.paragraphs, english, case.post.alignment))
    return pairs


def kind(bead: GoldBead) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


def evaluate(pairs: Sequence[Pair], model: CostModel = DEFAULT_MODEL) -> Score:
    score = Score()
    for pair in pairs:
        started = time.perf_counter()
        beads = align_paragraphs(pair.ja, pair.en, model)
        score.seconds.append(time.perf_counter() - started)
        predicted = {(b.ja, b.en) for b in beads}
        score.gold += len(pair.gold)
        score.predicted += len(predicted)
        for bead in pair.gold:
            score.per_kind[kind(bead)] += 1
            if bead in predicted:
                score.exact += 1
                score.per_kind_exact[kind(bead)] += 1
    return score


def _least_squares(rows: Sequence[Sequence[float]], targets: Sequence[float]) -> list[float]:
    size = len(rows[0])
    # Normal equations, solved by Gauss-Jordan elimination with partial pivoting.
    matrix = [
        [sum(r[a] * r[b] for r in rows) for b in range(size)]
        + [sum(r[a] * t for r, t in zip(rows, targets, strict=True))]
        for a in range(size)
    ]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(matrix[r][col]))
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        for row in range(size):
            if row != col:
                factor = matrix[row][col] / matrix[col][col]
                matrix[row] = [
                    x - factor * y for x, y in zip(matrix[row], matrix[col], strict=True)
                ]
    return [matrix[i][size] / matrix[i][i] for i in range(size)]


def calibrate(pairs: Sequence[Pair], show: bool = True) -> CostModel:
    """Fit the Gale–Church length model and the bead priors on golden beads."""
    ones = [(p.ja[b[0][0]], p.en[b[1][0]]) for p in pairs for b in p.gold if kind(b) == "1-1"]
    ratio = sum(len(e) for _, e in ones) / sum(len(j) for j, _ in ones)
    ratios = [len(e) / len(j) for j, e in ones]
    weights = _least_squares([script_counts(j) for j, _ in ones], [len(e) for _, e in ones])
    expected = [expected_english(j, weights) for j, _ in ones]
    variance = statistics.fmean(
        (len(e) - x) ** 2 / x for (_, e), x in zip(ones, expected, strict=True)
    )
    spread = statistics.pstdev([len(e) / x for (_, e), x in zip(ones, expected, strict=True)])
    plain = statistics.pstdev([len(e) / (ratio * len(j)) for j, e in ones])
    model = CostModel(
        script_weights=tuple(round(w, 2) for w in weights), variance=round(variance, 2)
    )
    if not show:
        return model
    kinds = Counter(kind(b) for p in pairs for b in p.gold)
    total = sum(kinds.values()) + 5
    print(f"calibration on {len(ones)} golden 1-1 beads:")
    print(
        f"  en chars / ja chars: ratio of sums {ratio:.3f}, per-bead mean "
        f"{statistics.fmean(ratios):.3f}, sd {statistics.stdev(ratios):.3f}"
    )
    print(
        "  SCRIPT_WEIGHTS (kanji, hiragana, katakana, latin+digits, other) = "
        f"{model.script_weights}"
    )
    print(f"  sd of en/expected: script-weighted {spread:.3f}, plain ratio {plain:.3f}")
    print(f"  LENGTH_VARIANCE (per expected en char) = {model.variance}")
    priors = {k: (kinds[k] + 1) / total for k in ("1-1", "1-0", "0-1", "2-1", "1-2")}
    print("  KIND_PRIORS (add-one) = " + ", ".join(f"{k}: {v:.3f}" for k, v in priors.items()))
    return model


def report(name: str, score: Score) -> None:
    precision = score.exact / score.predicted if score.predicted else 0.0
    recall = score.accuracy
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_pair_ms = 1000 * statistics.median(score.seconds) if score.seconds else math.nan
    print(
        f"{name}: pairs {len(score.seconds)}, golden beads {score.gold}, exact {score.exact}, "
        f"accuracy {score.accuracy:.3f}, precision {precision:.3f}, recall {recall:.3f}, "
        f"F1 {f1:.3f}, median {per_pair_ms:.1f} ms/pair, max {1000 * max(score.seconds):.1f} ms"
    )
    kinds = ", ".join(
        f"{k} {score.per_kind_exact[k]}/{n}" for k, n in sorted(score.per_kind.items())
    )
    print(f"  per kind: {kinds}")


GRID = {
    "anchor": (3.0, 4.5, 6.0, 8.0),
    "smoothing": (0.5, 1.0, 2.0),
    "rarity": (0.5, 1.0),
    "skip": (0.5, 1.5, 2.5),
}


def fit(pairs: Sequence[Pair]) -> CostModel:
    """Calibrate the length model on ``pairs``, then grid-search the cost weights on them."""
    length = calibrate(pairs, show=False)
    candidates = (
        replace(length, **dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    )
    return max(candidates, key=lambda model: evaluate(pairs, model).accuracy)


def cross_validate(pairs: Sequence[Pair]) -> None:
    folds = (pairs[0::2], pairs[1::2])
    for index, (train, test) in enumerate((folds, folds[::-1])):
        model = fit(train)
        train_accuracy = evaluate(train, model).accuracy
        test_accuracy = evaluate(test, model).accuracy
        print(f"fold {index + 1}: fitted on {len(train)} pairs -> {model}")
        print(f"  train {train_accuracy:.3f}, held-out {test_accuracy:.3f} ({len(test)} pairs)")
    print(f"fitted on all t2: {fit(pairs)}")


def plain_length(pairs: Sequence[Pair]) -> CostModel:
    """The cost model with Gale–Church's single character ratio, calibrated on ``pairs``."""
    ones = [(p.ja[b[0][0]], p.en[b[1][0]]) for p in pairs for b in p.gold if kind(b) == "1-1"]
    ratio = sum(len(e) for _, e in ones) / sum(len(j) for j, _ in ones)
    variance = statistics.fmean((len(e) - ratio * len(j)) ** 2 / (ratio * len(j)) for j, e in ones)
    return replace(DEFAULT_MODEL, script_weights=(ratio,) * 5, variance=variance)


def ablate(pairs: Sequence[Pair]) -> None:
    """Accuracy with one part of the cost switched off: how much each part carries."""
    weights = DEFAULT_MODEL.kind_weights
    variants = {
        "length and priors only": replace(DEFAULT_MODEL, anchor=0.0),
        "no translator-note rule": replace(DEFAULT_MODEL, note=0.0),
        "no JMdict words": replace(DEFAULT_MODEL, kind_weights={**weights, "word": 0.0}),
        "no katakana names": replace(DEFAULT_MODEL, kind_weights={**weights, "name": 0.0}),
        "plain length (one ratio for every character)": plain_length(pairs),
    }
    for name, model in variants.items():
        print(f"ablation, {name}: accuracy {evaluate(pairs, model).accuracy:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=200, help="generated pairs (0: none)")
    parser.add_argument("--fit", action="store_true", help="cross-validate the cost weights")
    parser.add_argument("--ablate", action="store_true", help="switch cost terms off one by one")
    parser.add_argument("--calibrate", action="store_true", help="fit the bead score (Platt)")
    args = parser.parse_args()
    t2 = pairs_of(load_cases("t2"))
    t1 = pairs_of(load_cases("t1"))
    calibrate(t2)
    started = time.perf_counter()
    align_paragraphs(t2[0].ja, t2[0].en)
    print(f"warm-up (loads cutlet, UniDic, JMdict): {time.perf_counter() - started:.2f} s")
    print(f"cost model: {DEFAULT_MODEL}")
    report("t2", evaluate(t2))
    report("t1", evaluate(t1))
    report("t2+t1", evaluate(t2 + t1))
    if args.generated:
        report(f"generated({args.generated})", evaluate(pairs_of(generate_cases(args.generated))))
    if args.ablate:
        ablate(t2 + t1)
    if args.fit:
        cross_validate(t2)
    if args.calibrate:
        calibrate_scores(t2 + t1, RECOMMENDED_THRESHOLD)
        sentence_scores(t2 + t1, RECOMMENDED_THRESHOLD)


if __name__ == "__main__":
    main()
