"""Corpus size per language and per export level, on pairs whose counts are known by hand and on
the replica-built manifest (recounted from its cases)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.corpus import figures
from crawler.corpus.figures import (
    compute_figures,
    corpus_pairs,
    english_words,
    japanese_tokens,
)
from crawler.manifest import Pair, join_paragraphs
from tests.unit.corpus.builders import CorpusFixture, PositionalAligner

# 猫 が 好き です 。 / 犬 も 好き です 。 / 鳥 は 嫌い です 。: four tokens each, 。 is none.
JA = "猫が好きです。犬も好きです。\n\n鳥は嫌いです。"
# I like cats (3) / I like dogs too (4) / I don't like birds (4).
EN = "I like cats. I like dogs too.\n\nI don't like birds."


def _known(corpus: CorpusFixture) -> Pair:
    ok = next(p for p in corpus.pairs if p.status == "ok")
    assert ok.source is not None
    return replace(
        ok,
        translation=replace(ok.translation, text=JA),
        source=replace(ok.source, text=EN),
    )


def test_english_words() -> None:
    assert english_words("The U.S. Navy's F-35A jets — 12 of them, don't fly.") == 10
    assert english_words("... — !") == 0


def test_japanese_tokens_are_unidic_short_units_without_punctuation() -> None:
    # 米 空軍 の F - 47 計画 室 は 、 2028 年 に 初 飛行 を 予定 し て いる 。
    assert japanese_tokens("米空軍のF-47計画室は、2028年に初飛行を予定している。") == 18
    assert japanese_tokens("。、「」") == 0


def test_figures_of_one_known_pair(corpus: CorpusFixture) -> None:
    pair = _known(corpus)
    result = compute_figures([pair])
    assert result.pairs == 1 and not result.aligned
    ja, en = result.ja, result.en
    assert (ja.documents, ja.paragraphs, ja.sentences, ja.tokens) == (1, 2, 3, 12)
    assert ja.characters == len(JA)
    # English sentences need pysbd: counted only with an aligner.
    assert (en.documents, en.paragraphs, en.sentences, en.tokens) == (1, 2, None, 11)
    assert en.characters == len(EN)
    assert [level.level for level in result.levels] == ["document"]
    document = result.levels[0]
    assert (document.segments, document.ja_tokens, document.en_tokens) == (1, 12, 11)


def test_levels_as_the_exports_make_them(corpus: CorpusFixture) -> None:
    result = compute_figures([_known(corpus)], PositionalAligner())
    assert result.aligned
    assert result.en.sentences == 3
    levels = {level.level: level for level in result.levels}
    # Paragraphs: the two Japanese against the first English one (2-1); the second English
    # paragraph has no counterpart (0-1) and is not exported.
    paragraph = levels["paragraph"]
    assert (paragraph.segments, paragraph.ja_units, paragraph.en_units) == (1, 2, 1)
    assert (paragraph.ja_tokens, paragraph.en_tokens) == (12, 7)
    # Sentences inside that group: 猫/犬 against "I like cats" (2-1), 鳥 against "I like dogs too."
    sentence = levels["sentence"]
    assert (sentence.segments, sentence.ja_units, sentence.en_units) == (2, 3, 2)
    assert (sentence.ja_tokens, sentence.en_tokens) == (12, 7)


def test_only_ok_pairs_with_both_texts_count(corpus: CorpusFixture) -> None:
    chosen = corpus_pairs(corpus.pairs)
    expected = [p for p in corpus.pairs if p.status == "ok"]
    assert chosen == expected
    # A mismatched page has both texts but is not the cited article.
    assert any(p.status == "source_mismatch" and p.source and p.source.text for p in corpus.pairs)
    result = compute_figures(corpus.pairs)
    assert result.pairs == result.ja.documents == result.en.documents == len(expected)


def test_replica_counts_match_the_cases(corpus: CorpusFixture) -> None:
    ja_paragraphs = en_paragraphs = ja_chars = en_chars = 0
    for case in corpus.cases:
        for cited, status in case.expected_status.items():
            if status != "ok":
                continue
            article = case.sources[cited]
            ja_paragraphs += len([p for p in case.post.paragraphs if p.strip()])
            en_paragraphs += len([p for p in article.paragraphs if p.strip()])
            ja_chars += len(join_paragraphs(case.post.paragraphs))
            en_chars += len(join_paragraphs(article.paragraphs))
    result = compute_figures(corpus.pairs)
    assert (result.ja.paragraphs, result.en.paragraphs) == (ja_paragraphs, en_paragraphs)
    assert (result.ja.characters, result.en.characters) == (ja_chars, en_chars)
    assert result.ja.tokens is not None and result.ja.sentences is not None
    assert result.ja.tokens > result.ja.sentences
    assert result.levels[0].en_tokens == result.en.tokens


def test_without_the_analyser_japanese_tokens_are_not_counted(
    corpus: CorpusFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "_wakati_tagger", lambda: None)
    result = compute_figures([_known(corpus)], PositionalAligner())
    assert result.ja.tokens is None
    assert all(level.ja_tokens is None for level in result.levels)
    assert result.en.tokens == 11


def test_empty_corpus() -> None:
    result = compute_figures([])
    assert result.pairs == 0
    assert (result.ja.paragraphs, result.ja.tokens, result.en.tokens) == (0, 0, 0)
