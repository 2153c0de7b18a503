"""The seam between the exports and the aligner: what an export needs from ``crawler.alignment``.

Exports below the document level take an :class:`Aligner`; by default the project's aligner,
imported only when a paragraph or sentence export asks for it (it loads dictionaries). Tests and
other aligners plug in through the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class BeadLike(Protocol):
    """One alignment bead: indices into each side, its kind ("1-1", "2-1", "0-1"...) and score."""

    @property
    def ja(self) -> tuple[int, ...]: ...

    @property
    def en(self) -> tuple[int, ...]: ...

    @property
    def kind(self) -> str: ...

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class SentenceAlignment:
    """The sentences of an aligned paragraph group on each side and the beads over them."""

    ja: tuple[str, ...]
    en: tuple[str, ...]
    beads: tuple[BeadLike, ...]


class Aligner(Protocol):
    def paragraphs(self, ja: Sequence[str], en: Sequence[str]) -> Sequence[BeadLike]:
        """Beads over the paragraphs of a document pair, in order, covering both sides."""
        ...

    def sentences(self, ja: Sequence[str], en: Sequence[str]) -> SentenceAlignment:
        """Sentence beads inside one aligned group of paragraphs."""
        ...


class ProjectAligner:
    """``crawler.alignment`` behind the :class:`Aligner` protocol."""

    def __init__(self) -> None:
        # Imported here: only exports below the document level and ``show`` need the aligner,
        # and it loads its dictionaries on first use.
        from crawler import alignment

        self._alignment = alignment

    def paragraphs(self, ja: Sequence[str], en: Sequence[str]) -> Sequence[BeadLike]:
        return self._alignment.align_paragraphs(ja, en)

    def sentences(self, ja: Sequence[str], en: Sequence[str]) -> SentenceAlignment:
        # align_sentences numbers sentences as group_sentences splits them.
        ja_sentences, en_sentences = self._alignment.group_sentences(ja, en)
        beads = tuple(self._alignment.align_sentences(ja, en))
        return SentenceAlignment(tuple(ja_sentences), tuple(en_sentences), beads)


def default_aligner() -> Aligner:
    """The project's aligner (``crawler.alignment``)."""
    return ProjectAligner()
