"""Anchors: numbers, dates, designations and katakana names (synthetic sentences)."""

from __future__ import annotations

import pytest

from crawler.alignment import en_features, ja_features, shared
from crawler.alignment.anchors import en_numbers, ja_numbers, sounds_alike
from crawler.alignment.lexicon import romanise


def tokens(found: list[tuple[str, str]]) -> set[str]:
    return {token for token, _ in found}


@pytest.mark.parametrize(
    ("ja", "en"),
    [
        ("1億ドル", "$100 million"),
        ("3億ドル", "$300 million"),
        ("1億2,000万ドル", "$120 million"),
        ("約3,700億円", "about ¥370 billion"),
        ("23億7,000万ドル", "$2.37 billion"),
        ("165億ドル", "$16.5 billion"),
        ("1兆円", "¥1 trillion"),
        ("約5,000ドル", "about $5,000"),
        ("２０２５年", "in 2025"),
        ("１億ドル", "$100 million"),
    ],
)
def test_japanese_and_english_amounts_meet(ja: str, en: str) -> None:
    assert tokens(ja_numbers(ja)) == tokens(en_numbers(en))


def test_full_width_digits_are_normalised() -> None:
    assert tokens(ja_numbers("１２,０００トン")) == {"n:12000"}


def test_dates_and_months() -> None:
    assert tokens(ja_numbers("2月7日")) == {"t:2-7", "m:2"}
    assert tokens(en_numbers("on February 7, officials said")) == {"t:2-7", "m:2"}
    assert tokens(en_numbers("on Feb. 7")) == {"t:2-7", "m:2"}
    assert "m:4" in tokens(en_numbers("since April 2024"))
    assert "m:4" in tokens(ja_numbers("2024年4月から"))


def test_may_as_a_verb_is_not_a_month() -> None:
    assert tokens(en_numbers("The ship may not reach the fleet.")) == set()


def test_number_words() -> None:
    assert tokens(en_numbers("nine times and two per year")) == {"n:9", "n:2"}


def test_designation_digits_are_not_numbers() -> None:
    assert tokens(ja_numbers("F-35Aを2機")) == {"n:2"}
    assert tokens(en_numbers("two F-35As")) == {"n:2"}


def test_designations_match_inside_japanese_text() -> None:
    ja = ja_features("米空軍はF-35AとSM-3、MQ-9を使い、NGADとCCAを進める。")
    keys = {item.key for item in ja.items if item.kind == "designation"}
    assert keys == {"d:F-35A", "d:SM-3", "d:MQ-9", "d:NGAD", "d:CCA"}


def test_english_plural_designations_and_dotted_abbreviations() -> None:
    en = en_features("The U.S. will buy 185 F-47s and more CCAs.")
    keys = {item.key for item in en.items if item.kind == "designation"}
    assert keys == {"d:F-47", "d:CCA"}


@pytest.mark.parametrize(
    ("katakana", "english"),
    [("ボーイング", "boeing"), ("エドワーズ", "edwards"), ("ヴァンデンバーグ", "vandenberg")],
)
def test_katakana_names_sound_like_english(katakana: str, english: str) -> None:
    assert sounds_alike(romanise(katakana), english)


@pytest.mark.parametrize(
    ("katakana", "english"), [("ボーイング", "airbus"), ("エドワーズ", "ellsworth")]
)
def test_unrelated_names_do_not_match(katakana: str, english: str) -> None:
    assert not sounds_alike(romanise(katakana), english)


def test_shared_collects_what_both_sides_carry() -> None:
    ja = ja_features("ボーイングはF-47を2028年に初飛行させる。1機3億ドルに達する。")
    en = en_features("Boeing will fly the F-47 in 2028. Each jet may cost $300 million.")
    both = shared(ja, en)
    assert {"d:F-47", "n:2028", "n:3e+08", "k:ボーイング"} <= both.ja
    assert {"d:F-47", "n:2028", "n:3e+08", "c:boeing"} <= both.en
    assert "ボーイング=boeing" in both.labels


def test_shared_is_empty_for_unrelated_paragraphs() -> None:
    ja = ja_features("エアバスは2019年にA321neoを12機受領した。")
    en = en_features("The Navy plans to buy 76 Stingrays.")
    assert shared(ja, en).ja == frozenset()
    assert shared(ja, en).en == frozenset()


def test_dictionary_words_link_kanji_to_english() -> None:
    ja = ja_features("駆逐艦が造船所を出た。")
    en = en_features("The destroyer left the shipyard.")
    both = shared(ja, en)
    assert {"w:駆逐艦", "w:造船所"} <= both.ja
    assert "駆逐艦=destro" in both.labels
