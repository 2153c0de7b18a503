"""A bead's score: the probability that the bead is correct, from the terms of its cost.

The aligner's cost is a sum of negative log-likelihood-like terms that rank beads well but are no
probability: ``exp(-cost)`` of a correct 1-1 paragraph bead is typically a few hundredths. The
score is a logistic regression (Platt scaling) of correctness on the cost's terms, so a score
of 0.8 means that about 8 beads in 10 with that score are right.

The coefficients were fitted by ``bench/alignment_accuracy.py --calibrate``: every paragraph
bead the aligner produces on the golden pairs of the replica's t2 and t1 corpora (synthetic
English articles; the Japanese side synthetic too, except for the seed's four real posts when
the seed dump is present) is labelled correct when the golden alignment holds exactly that bead,
then an L2-regularised logistic regression is fitted by Newton's method. The bench reports the
fit's reliability on held-out folds. Sentence beads use the same map: there are no golden
sentence beads, so at sentence level the score is a ranking on the same scale, not calibrated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FEATURES",
    "RECOMMENDED_THRESHOLD",
    "SCORE_COEFFICIENTS",
    "CostTerms",
    "bead_probability",
    "features",
]


@dataclass(frozen=True)
class CostTerms:
    """The parts of one bead's cost that tell a right bead from a wrong one."""

    cost: float  # the bead's whole cost in the dynamic program
    skip: bool  # one side is empty (1-0 or 0-1)
    merge: bool  # two units on one side (2-1 or 1-2)
    length: float  # Gale–Church length cost (-log of the two-tailed tail probability)
    unshared: float  # 1 - the weighted share of anchors found on both sides (0..1)
    evidence: float  # the anchor weight the two sides offer (before smoothing)
    notes: int  # translator's notes in the bead (aligned ones are a mistake, skipped ones not)


FEATURES = (
    "intercept",
    "skip",
    "merge",
    "length",
    "unshared",
    "evidence",
    "unshared_x_evidence",
    "note_skipped",
)

# Fitted by bench/alignment_accuracy.py --calibrate (see the module docstring), one per FEATURES,
# on 381 predicted paragraph beads (98 wrong) of 61 golden pairs. Held out (five folds by pair)
# the Brier score is 0.096 (exp(-cost): 0.652; the base rate alone: 0.191).
SCORE_COEFFICIENTS: tuple[float, ...] = (2.416, -3.641, -2.353, -0.350, 0.755, 0.933, -2.035, 2.296)
# The threshold the bench recommends: beads scoring at least this are kept (held out, exported
# beads at or above it: precision 0.91, recall 0.97). Being a probability, 0.5 keeps a bead
# that is more likely right than wrong; higher thresholds trade recall for precision.
RECOMMENDED_THRESHOLD = 0.5


def features(terms: CostTerms) -> tuple[float, ...]:
    """The regression's inputs for one bead, in the order of :data:`FEATURES`."""
    evidence = math.log1p(terms.evidence)
    aligned = not terms.skip
    return (
        1.0,
        float(terms.skip),
        float(terms.merge),
        terms.length if aligned else 0.0,
        terms.unshared if aligned else 0.0,
        evidence if aligned else 0.0,
        terms.unshared * evidence if aligned else 0.0,
        # A translator's note aligned with English costs so much that no golden pair has one:
        # nothing to fit, and the cost keeps such beads out anyway.
        float(terms.notes) if terms.skip else 0.0,
    )


def bead_probability(terms: CostTerms, coefficients: Sequence[float] = SCORE_COEFFICIENTS) -> float:
    """The probability that a bead with these cost terms is correct (0..1)."""
    z = sum(c * x for c, x in zip(coefficients, features(terms), strict=True))
    # Numerically stable logistic function.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
