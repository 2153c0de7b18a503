"""Fit and check the bead score of crawler/alignment/calibration.py (Platt scaling).

Every paragraph bead the aligner predicts on a golden pair is one example, labelled correct when
the golden alignment holds exactly that bead. A logistic regression of the label on the bead's
cost terms (``calibration.features``) is fitted by Newton's method with a small L2 penalty (no
numpy: the system has nine unknowns). The figures printed are honest: each pair's beads are
scored by a model fitted on the other folds. Used by ``bench/alignment_accuracy.py --calibrate``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from crawler.alignment import align_paragraphs, align_sentences
from crawler.alignment.calibration import FEATURES, SCORE_COEFFICIENTS, features

FOLDS = 5
L2 = 1.0  # penalty on every coefficient but the intercept: few wrong beads, keep the fit tame
BINS = 10
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

Example = tuple[tuple[float, ...], int, bool, float]  # features, label, exported, exp(-cost)


class GoldenPair(Protocol):
    @property
    def ja(self) -> tuple[str, ...]: ...

    @property
    def en(self) -> tuple[str, ...]: ...

    @property
    def gold(self) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]: ...


def examples(pair: GoldenPair) -> list[Example]:
    gold = set(pair.gold)
    rows = []
    for bead in align_paragraphs(pair.ja, pair.en):
        assert bead.terms is not None
        label = int((bead.ja, bead.en) in gold)
        exported = bool(bead.ja and bead.en)
        rows.append((features(bead.terms), label, exported, math.exp(-bead.terms.cost)))
    return rows


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gauss-Jordan elimination with partial pivoting."""
    size = len(rhs)
    rows = [[*matrix[i], rhs[i]] for i in range(size)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for row in range(size):
            if row != col:
                factor = rows[row][col] / rows[col][col]
                rows[row] = [x - factor * y for x, y in zip(rows[row], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def fit_logistic(xs: Sequence[Sequence[float]], ys: Sequence[int]) -> list[float]:
    """L2-penalised logistic regression (the first column is the unpenalised intercept)."""
    size = len(xs[0])
    w = [0.0] * size
    for _ in range(50):
        ps = [_sigmoid(sum(a * b for a, b in zip(w, x, strict=True))) for x in xs]
        grad = [
            sum((y - p) * x[a] for x, y, p in zip(xs, ys, ps, strict=True))
            - (L2 * w[a] if a else 0.0)
            for a in range(size)
        ]
        hess = [
            [
                sum(p * (1 - p) * x[a] * x[b] for x, p in zip(xs, ps, strict=True))
                + (L2 if a == b and a else 0.0)
                for b in range(size)
            ]
            for a in range(size)
        ]
        # Columns that are zero everywhere (no such bead in the data) keep a solvable system.
        for a in range(size):
            hess[a][a] += 1e-9
        step = solve(hess, grad)
        w = [a + b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return w


def predict(w: Sequence[float], x: Sequence[float]) -> float:
    return _sigmoid(sum(a * b for a, b in zip(w, x, strict=True)))


def brier(scored: Sequence[tuple[float, int]]) -> float:
    return sum((p - y) ** 2 for p, y in scored) / len(scored)


def reliability(scored: Sequence[tuple[float, int]], what: str) -> None:
    print(f"  reliability ({what}, held-out): bin, beads, mean predicted, observed correct")
    for b in range(BINS):
        low, high = b / BINS, (b + 1) / BINS
        inside = [(p, y) for p, y in scored if low <= p < high or (b == BINS - 1 and p == 1.0)]
        if inside:
            mean = sum(p for p, _ in inside) / len(inside)
            observed = sum(y for _, y in inside) / len(inside)
            print(f"    {low:.1f}-{high:.1f}  {len(inside):4d}  {mean:.3f}  {observed:.3f}")


def precision_recall(scored: Sequence[tuple[float, int]], threshold: float) -> tuple[float, float]:
    kept = [y for p, y in scored if p >= threshold]
    correct = sum(y for _, y in scored)
    precision = sum(kept) / len(kept) if kept else 1.0
    recall = sum(kept) / correct if correct else 0.0
    return precision, recall


def calibrate_scores(pairs: Sequence[GoldenPair], threshold: float) -> list[float]:
    """Print the held-out calibration of the bead score; return the coefficients fitted on all."""
    per_pair = [examples(p) for p in pairs]
    held_out: list[tuple[float, int, bool, float]] = []
    for fold in range(FOLDS):
        train = [e for i, rows in enumerate(per_pair) if i % FOLDS != fold for e in rows]
        w = fit_logistic([e[0] for e in train], [e[1] for e in train])
        for i, rows in enumerate(per_pair):
            if i % FOLDS == fold:
                held_out += [(predict(w, e[0]), e[1], e[2], e[3]) for e in rows]
    wrong = sum(1 - e[1] for e in held_out)
    print(
        f"score calibration: {len(held_out)} predicted paragraph beads of {len(pairs)} golden "
        f"pairs, {wrong} wrong; {FOLDS}-fold cross-validation by pair"
    )
    scored = [(p, y) for p, y, _, _ in held_out]
    exported = [(p, y) for p, y, both, _ in held_out if both]
    reliability(scored, "all beads")
    reliability(exported, "exported beads, both sides")
    shipped = [(predict(SCORE_COEFFICIENTS, e[0]), e[1]) for rows in per_pair for e in rows]
    plain = brier([(c, y) for _, y, _, c in held_out])
    print(
        f"  Brier score: held-out {brier(scored):.4f}; exp(-cost) {plain:.4f}; "
        f"shipped coefficients (in-sample) {brier(shipped):.4f}; constant base rate "
        f"{brier([(1 - wrong / len(held_out), y) for _, y in scored]):.4f}"
    )
    wrong_exported = sum(1 - y for _, y in exported)
    print(f"  exported beads (both sides): {len(exported)}, {wrong_exported} wrong")
    for t in THRESHOLDS:
        precision, recall = precision_recall(exported, t)
        mark = "  <- recommended" if math.isclose(t, threshold) else ""
        print(f"    threshold {t:.1f}: precision {precision:.3f}, recall {recall:.3f}{mark}")
    everything = [e for rows in per_pair for e in rows]
    w = fit_logistic([e[0] for e in everything], [e[1] for e in everything])
    print("  SCORE_COEFFICIENTS fitted on all (" + ", ".join(FEATURES) + ") =")
    print("    (" + ", ".join(f"{c:.3f}" for c in w) + ")")
    return w


def sentence_scores(pairs: Sequence[GoldenPair], threshold: float) -> None:
    """The sentence score's spread inside golden paragraph beads (no golden sentence beads)."""
    scores = sorted(
        bead.score
        for pair in pairs
        for ja, en in pair.gold
        if ja and en
        for bead in align_sentences([pair.ja[i] for i in ja], [pair.en[i] for i in en])
        if bead.ja and bead.en
    )
    if not scores:
        return
    kept = sum(s >= threshold for s in scores) / len(scores)
    print(
        f"sentence beads inside golden paragraph beads (uncalibrated, no golden sentences): "
        f"{len(scores)}, median score {scores[len(scores) // 2]:.3f}, "
        f"{kept:.1%} at or above {threshold}"
    )
