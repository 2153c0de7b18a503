"""Paragraph and sentence alignment of Japanese translations with their English sources."""

from crawler.alignment.align import (
    Bead,
    BeadKind,
    CostModel,
    align,
    align_paragraphs,
    align_sentences,
    group_sentences,
)
from crawler.alignment.anchors import Features, Shared, en_features, ja_features, shared
from crawler.alignment.calibration import RECOMMENDED_THRESHOLD, CostTerms, bead_probability
from crawler.alignment.segment import (
    is_translator_note,
    split_paragraphs,
    split_sentences_en,
    split_sentences_ja,
)

__all__ = [
    "RECOMMENDED_THRESHOLD",
    "Bead",
    "BeadKind",
    "CostModel",
    "CostTerms",
    "Features",
    "Shared",
    "align",
    "align_paragraphs",
    "align_sentences",
    "bead_probability",
    "en_features",
    "group_sentences",
    "is_translator_note",
    "ja_features",
    "shared",
    "split_paragraphs",
    "split_sentences_en",
    "split_sentences_ja",
]
