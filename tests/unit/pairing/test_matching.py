"""Match evidence and confidence on synthetic ja/en pairs written for these tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crawler.article.dates import resolve_published
from crawler.pairing.matching import (
    MISMATCH_THRESHOLD,
    MatchInputs,
    english_anchors,
    japanese_anchors,
    score_match,
    title_similarity,
)

JST = timezone(timedelta(hours=9))
EDT = timezone(timedelta(hours=-4))

# Synthetic article and translation (not taken from any site).
SOURCE_TEXT = (
    "The U.S. Air Force will buy 24 more F-35A fighters under a $1.2 billion contract modification "
    "announced on March 27, the service said.\n\n"
    "The jets will be fitted with the TR-3 hardware upgrade, and the first deliveries are expected "
    "in 2027. The Air Force also plans to integrate the AIM-260 missile.\n\n"
    "Lockheed Martin said the company has delivered more than 1,000 F-35s worldwide and that "
    "production will rise to 156 aircraft a year. Some 35,000 people work on the program."
)
TRANSLATION_TEXT = (
    "米空軍は3月27日、12億ドルの契約変更でＦ－３５Ａ戦闘機２４機を追加購入すると発表した。\n\n"
    "機体にはTR-3ハードウェア改修が施され、初号機の引き渡しは2027年の見込み。"
    "空軍はAIM-260ミサイルの統合も計画している。\n\n"
    "ロッキード・マーティンによれば世界で1,000機以上のF-35を引き渡し済みで、年産156機に増やす。"
    "計画には約3万5000人が従事している。"
)
OTHER_SOURCE_TEXT = (
    "The Navy has delayed the decommissioning of three Ticonderoga-class cruisers by two years, "
    "citing a shortage of surface combatants in the Pacific.\n\n"
    "The cruisers USS Gettysburg, USS Shiloh and USS Lake Erie will now serve until fiscal 2029, "
    "a Navy spokesperson told reporters on April 2. The decision adds $480 million in "
    "maintenance costs to the budget.\n\n"
    "Lawmakers have pushed the service for years to keep the ships in service longer."
)


def matching_inputs() -> MatchInputs:
    return MatchInputs(
        cited_title="Air Force Orders 24 More F-35As: The Deal Adds TR-3 Jets",
        cited_author="By Jane Synthetic and Sam Example",
        cited_published=datetime(2025, 3, 27, 14, 5, tzinfo=EDT),
        translation_published=datetime(2025, 3, 29, 10, 0, tzinfo=JST),
        translation_text=TRANSLATION_TEXT,
        source_title="Air Force orders 24 more F-35As | Synthetic Defense Daily",
        source_author="Jane Synthetic, Sam Example",
        source_published=datetime(2025, 3, 27, 18, 5, tzinfo=UTC),
        source_text=SOURCE_TEXT,
    )


def wrong_article_inputs() -> MatchInputs:
    return replace(
        matching_inputs(),
        source_title="Navy delays decommissioning of Ticonderoga cruisers",
        source_author="Alex Other",
        source_published=datetime(2025, 2, 3, 9, 0, tzinfo=EDT),
        source_text=OTHER_SOURCE_TEXT,
    )


def test_japanese_anchors_normalise_numbers_designators_and_dates() -> None:
    anchors = japanese_anchors(
        "Ｆ－３５Ａを２４機、1億ドル、12億5000万ドル、3万5000人、2027年3月27日、SM-3、MQ-9B"
    )
    assert {"t:F35A", "t:SM3", "t:MQ9B"} <= anchors
    assert {"n:24", "n:100000000", "n:1250000000", "n:35000", "n:2027", "d:3-27"} <= anchors
    # The 35 of F-35A and the 3 of SM-3 belong to the designators, not to the numbers.
    assert "n:35" not in anchors
    assert not any(a.startswith("t:") and a[2:].isdigit() for a in anchors)


def test_english_anchors_use_the_same_normal_form() -> None:
    anchors = english_anchors(
        "24 F-35A jets for $100 million; $1.25 billion; 35,000 people; March 27, 2027; SM-3; MQ-9B"
    )
    assert {"t:F35A", "t:SM3", "t:MQ9B", "n:24", "n:100000000", "n:1250000000"} <= anchors
    assert {"n:35000", "n:2027", "d:3-27"} <= anchors
    assert "n:35" not in anchors


def test_one_oku_dollars_is_one_hundred_million_dollars() -> None:
    def numbers(anchors: set[str]) -> set[str]:
        return {a for a in anchors if a.startswith("n:")}

    assert (
        japanese_anchors("1億ドル") == numbers(english_anchors("$100 million")) == {"n:100000000"}
    )
    assert japanese_anchors("10億ドル") == numbers(english_anchors("$1 billion"))
    assert japanese_anchors("1億ドル") != numbers(english_anchors("$1 billion"))


def test_small_numbers_are_not_anchors() -> None:
    assert japanese_anchors("2隻の駆逐艦と3機") == set()


@pytest.mark.parametrize(
    ("cited", "page"),
    [
        ("F-47 Program Office Lays Out Path", "f-47 program office lays out path"),
        ("Japan’s First Aegis Ship Sails", "Japan's First Aegis Ship Sails!"),
        ("Navy Picks Second Shipyard: A Subtitle About Costs", "Navy picks second shipyard"),
        ("Navy Picks Second Shipyard", "Navy Picks Second Shipyard | Synthetic News"),
        ("Navy Picks Second Shipyard", "Navy Picks Second Shipyard - Synthetic News"),
    ],
)
def test_title_similarity_is_robust_to_surface_differences(cited: str, page: str) -> None:
    assert title_similarity(cited, page) == pytest.approx(1.0)


def test_title_similarity_separates_different_titles() -> None:
    similarity = title_similarity("Navy Picks Second Shipyard", "Army Ends Light Tank Program")
    assert similarity is not None and similarity < 0.2
    assert title_similarity(None, "Anything") is None
    assert title_similarity("Anything", "") is None


def test_matching_pair_scores_high() -> None:
    evidence = score_match(matching_inputs())
    assert evidence.title_similarity == pytest.approx(1.0)
    assert evidence.author_match == pytest.approx(1.0)
    assert evidence.cited_date_gap_days == pytest.approx(0.0)
    assert evidence.shared_anchors is not None and evidence.shared_anchors > 0.9
    # 2025-03-29 01:00 UTC minus 2025-03-27 18:05 UTC
    assert evidence.date_gap_days == pytest.approx(1 + (6 * 60 + 55) / 1440)
    assert not evidence.source_newer_than_translation
    assert evidence.confidence > 0.85
    assert sum(evidence.components.values()) == pytest.approx(evidence.confidence)


def test_wrong_article_scores_below_the_threshold() -> None:
    evidence = score_match(wrong_article_inputs())
    assert evidence.confidence < MISMATCH_THRESHOLD
    assert evidence.shared_anchors is not None and evidence.shared_anchors < 0.3
    # Without any citation fields the texts alone still tell the pair apart.
    bare = replace(
        wrong_article_inputs(), cited_title=None, cited_author=None, cited_published=None
    )
    assert score_match(bare).confidence < MISMATCH_THRESHOLD
    good = replace(matching_inputs(), cited_title=None, cited_author=None, cited_published=None)
    assert score_match(good).confidence > MISMATCH_THRESHOLD


def test_source_newer_than_translation_is_penalised() -> None:
    newer = replace(matching_inputs(), source_published=datetime(2025, 4, 2, 9, 0, tzinfo=EDT))
    evidence = score_match(newer)
    assert evidence.source_newer_than_translation
    assert evidence.date_gap_days is not None and evidence.date_gap_days < 0
    assert evidence.components["source_newer_penalty"] < 0
    assert evidence.confidence < MISMATCH_THRESHOLD
    assert evidence.confidence < score_match(matching_inputs()).confidence


def test_a_date_only_source_on_the_translation_day_is_not_newer() -> None:
    same_day = replace(matching_inputs(), source_published=datetime(2025, 3, 29))
    assert not score_match(same_day).source_newer_than_translation


def test_missing_fields_neither_reward_nor_punish() -> None:
    empty = MatchInputs(None, None, None, None, "", None, None, None, "")
    evidence = score_match(empty)
    assert evidence.confidence == pytest.approx(0.5)
    assert evidence.title_similarity is None and evidence.author_match is None
    assert evidence.date_gap_days is None and evidence.cited_date_gap_days is None
    assert evidence.shared_anchors is None and evidence.length_ratio is None
    assert not evidence.source_newer_than_translation
    # Dropping the byline of a good pair leaves it scored on the rest, still well above the bar.
    no_author = replace(matching_inputs(), source_author=None)
    assert score_match(no_author).author_match is None
    assert score_match(no_author).confidence > 0.85


def test_confidence_is_monotone_in_title_similarity() -> None:
    weaker = replace(matching_inputs(), source_title="Air Force orders fighters")
    assert score_match(weaker).confidence < score_match(matching_inputs()).confidence


def test_implausible_length_lowers_confidence() -> None:
    teaser = replace(matching_inputs(), source_text=SOURCE_TEXT.split("\n\n")[0])
    evidence = score_match(teaser)
    assert evidence.length_ratio is not None and evidence.length_ratio < 1.8
    assert evidence.components["length_penalty"] < 0


def test_a_date_only_source_is_compared_at_day_precision() -> None:
    # The translation is dated 2025-03-29 (+09:00), the cited date line 2025-03-27 (EDT).
    evidence = score_match(replace(matching_inputs(), source_published=date(2025, 3, 27)))
    assert evidence.date_gap_days == 2.0
    assert evidence.cited_date_gap_days == 0.0
    assert not evidence.source_newer_than_translation
    assert evidence.confidence > MISMATCH_THRESHOLD
    assert evidence.confidence == pytest.approx(score_match(matching_inputs()).confidence, abs=0.01)


def test_a_date_only_source_two_days_after_its_translation_is_newer() -> None:
    next_day = score_match(replace(matching_inputs(), source_published=date(2025, 3, 30)))
    assert not next_day.source_newer_than_translation  # one day: zones differ
    later = score_match(replace(matching_inputs(), source_published=date(2025, 3, 31)))
    assert later.source_newer_than_translation
    assert later.date_gap_days == -2.0
    assert later.confidence < MISMATCH_THRESHOLD


def test_a_naive_time_resolved_in_the_site_zone_scores_as_the_original() -> None:
    # The page wrote 14:05 without an offset; twz.com's zone makes it 14:05 EDT = 18:05 UTC.
    resolved = resolve_published(["2025-03-27T14:05:00"], url="https://www.twz.com/air/x")
    assert resolved is not None and resolved.basis == "site"
    original = score_match(matching_inputs())
    assert score_match(replace(matching_inputs(), source_published=resolved.value)) == original
