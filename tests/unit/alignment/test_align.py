"""Beads on small constructed pairs (synthetic texts written here) and the replica gate."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from crawler.alignment import Bead, align_paragraphs, align_sentences, group_sentences
from replica.corpus import load_cases

# A synthetic English article and its Japanese translation, one paragraph each.
EN = (
    "Boeing will build six F-47 test aircraft at its St. Louis plant, the Air Force said on "
    "February 7. The first flight is planned for 2028.",
    "Each jet is expected to cost about $300 million, more than an F-35A, according to a 2024 "
    "budget document that the service has not released.",
    "The engine will come from the Next Generation Adaptive Propulsion program, which has "
    "received $3.5 billion since 2016.",
    "Lawmakers asked the service to brief them on the schedule before the end of March.",
    "Northrop Grumman, which lost the competition, declined to comment on the decision.",
)
JA = (
    "米空軍は2月7日、ボーイングがセントルイス工場でF-47試験機6機を製造すると発表した。初飛行は"
    "2028年の予定だ。",
    "1機あたりの価格は約3億ドルとF-35Aを上回る見込みだと、未公表の2024年の予算文書は記している。",
    "エンジンは次世代適応型推進（NGAP）事業から供給される。同事業には2016年以降35億ドルが投じられた。",
    "議員らは3月末までに日程について説明するよう空軍に求めた。",
    "競争に敗れたノースロップ・グラマンは決定へのコメントを控えた。",
)


def pairs(beads: Sequence[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.ja, b.en) for b in beads]


def assert_monotonic_and_complete(beads: Sequence[Bead], n: int, m: int) -> None:
    assert [i for b in beads for i in b.ja] == list(range(n))
    assert [j for b in beads for j in b.en] == list(range(m))
    for bead in beads:
        assert bead.kind == f"{len(bead.ja)}-{len(bead.en)}"
        assert 0.0 < bead.score <= 1.0


def test_one_to_one() -> None:
    beads = align_paragraphs(JA, EN)
    assert pairs(beads) == [((i,), (i,)) for i in range(5)]
    assert_monotonic_and_complete(beads, 5, 5)
    assert "F-47=F-47" in beads[0].anchors
    assert "ボーイング=boeing" in beads[0].anchors


def test_omitted_paragraph() -> None:
    ja = JA[:3] + JA[4:]
    beads = align_paragraphs(ja, EN)
    assert pairs(beads) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((), (3,)), ((3,), (4,))]
    assert beads[3].kind == "0-1"


def test_added_translator_note() -> None:
    note = "※F-47の機体形状は公開済みの想像図以外に手がかりがほとんどありません。"
    ja = (*JA[:2], note, *JA[2:])
    beads = align_paragraphs(ja, EN)
    assert ((2,), ()) in pairs(beads)
    assert next(b for b in beads if b.ja == (2,)).kind == "1-0"
    assert_monotonic_and_complete(beads, 6, 5)


def test_merge_two_english_paragraphs_into_one() -> None:
    ja = (JA[0], JA[1] + JA[2], JA[3], JA[4])
    beads = align_paragraphs(ja, EN)
    assert pairs(beads) == [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,)), ((3,), (4,))]
    assert beads[1].kind == "1-2"


def test_split_one_english_paragraph_into_two() -> None:
    first, second = JA[0].split("初飛行")
    ja = (first, "初飛行" + second, *JA[1:])
    beads = align_paragraphs(ja, EN)
    assert pairs(beads)[:2] == [((0, 1), (0,)), ((2,), (1,))]
    assert beads[0].kind == "2-1"
    assert_monotonic_and_complete(beads, 6, 5)


def test_empty_inputs() -> None:
    assert align_paragraphs([], []) == []
    assert pairs(align_paragraphs(JA[:2], [])) == [((0,), ()), ((1,), ())]
    assert pairs(align_paragraphs([], EN[:2])) == [((), (0,)), ((), (1,))]


def test_sentences_inside_a_paragraph_bead() -> None:
    ja_sentences, en_sentences = group_sentences([JA[2]], [EN[2]])
    assert len(ja_sentences) == 2 and len(en_sentences) == 1
    beads = align_sentences([JA[2]], [EN[2]])
    assert pairs(beads) == [((0, 1), (0,))]


def test_sentences_of_a_merged_group() -> None:
    beads = align_sentences([JA[0]], [EN[0]])
    assert pairs(beads) == [((0,), (0,)), ((1,), (1,))]


def replica_accuracy(blog: str) -> float:
    exact = total = 0
    for case in load_cases(blog):
        if not case.post.alignment:
            continue  # the source was not served, or another article was
        english = [p for article in case.sources.values() for p in article.paragraphs]
        predicted = set(pairs(align_paragraphs(case.post.paragraphs, english)))
        total += len(case.post.alignment)
        exact += sum(bead in predicted for bead in case.post.alignment)
    return exact / total


@pytest.mark.parametrize("blog", ["t2"])
def test_replica_accuracy_gate(blog: str) -> None:
    assert replica_accuracy(blog) >= 0.85
