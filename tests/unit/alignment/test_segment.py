"""Paragraph and sentence splitting (synthetic sentences written for these tests)."""

from __future__ import annotations

import pytest

from crawler.alignment import (
    is_translator_note,
    split_paragraphs,
    split_sentences_en,
    split_sentences_ja,
)


def test_ja_sentences_end_at_end_marks() -> None:
    text = "試験は成功した。次は来年だ！本当か？"
    assert split_sentences_ja(text) == ["試験は成功した。", "次は来年だ！", "本当か？"]


def test_ja_quoted_sentences_stay_whole() -> None:
    text = "准将は語った。「待つつもりはない。飛ばして学ぶ」と述べた。以上だ。"
    assert split_sentences_ja(text) == [
        "准将は語った。",
        "「待つつもりはない。飛ばして学ぶ」と述べた。",
        "以上だ。",
    ]


def test_ja_closing_quote_after_end_mark_belongs_to_the_sentence() -> None:
    text = "声明は「任務は完了した。」とした。"
    assert split_sentences_ja(text) == ["声明は「任務は完了した。」とした。"]


def test_ja_arrow_marks_start_sentences() -> None:
    # The real T2 blog uses ▶ as a sentence mark inside paragraphs.
    text = (
        "米軍は三つの措置を取った▶第一に部隊を増派した▶第二に予算を増やした。"
        "「▶は引用内」と述べた。"
    )
    assert split_sentences_ja(text) == [
        "米軍は三つの措置を取った",
        "▶第一に部隊を増派した",
        "▶第二に予算を増やした。",
        "「▶は引用内」と述べた。",
    ]


def test_ja_text_without_end_mark_is_one_sentence() -> None:
    assert split_sentences_ja("機関銃班が負担を担ってきた") == ["機関銃班が負担を担ってきた"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. Air Force said so. It will fly in 2028.",
            ["The U.S. Air Force said so.", "It will fly in 2028."],
        ),
        (
            "Brig. Gen. Arlen Voss spoke first. Others followed.",
            ["Brig. Gen. Arlen Voss spoke first.", "Others followed."],
        ),
        (
            "Pier No. 5 was closed on Monday. The ship moved.",
            ["Pier No. 5 was closed on Monday.", "The ship moved."],
        ),
    ],
)
def test_en_abbreviations_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences_en(text) == expected


def test_en_quotes_end_sentences() -> None:
    text = '"We will fly," he said. "We will learn." Then he left.'
    assert split_sentences_en(text) == [
        '"We will fly," he said.',
        '"We will learn."',
        "Then he left.",
    ]


def test_empty_texts() -> None:
    assert split_sentences_ja("") == []
    assert split_sentences_en("  ") == []
    assert split_paragraphs("\n\n") == []


def test_paragraphs_split_at_blank_lines_only() -> None:
    text = "First line\nstill first.\n\n  Second.  \n\n\nThird."
    assert split_paragraphs(text) == ["First line\nstill first.", "Second.", "Third."]


@pytest.mark.parametrize(
    ("paragraph", "note"),
    [
        ("※同機の詳細は未公表です。", True),
        ("（訳注：原文の数字は概数です。）", True),
        ("訳注　この部分は要約しました。", True),
        ("米空軍は※印の項目を削除した。", False),
        ("同機は2028年に初飛行する。", False),
    ],
)
def test_translator_notes(paragraph: str, note: bool) -> None:
    assert is_translator_note(paragraph) is note
