"""Optional Japanese resources: a morphological analyser, romanisation and JMdict glosses.

cutlet (with fugashi and unidic-lite) and jamdict (with jamdict-data) are heavy: they are loaded on
first use, once per process, and every lookup is cached. Where a package is missing the functions
return empty results, so the aligner still runs on numbers, Latin designations and length.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

__all__ = ["JaWord", "available", "glosses", "romanise", "tokenise"]

# Parts of speech (UniDic pos1) whose words carry content worth looking up.
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_KANJI_ONLY = re.compile(r"[\u4e00-\u9fff々]+")
_PARENTHESIS = re.compile(r"\([^)]*\)")
_GLOSS_WORD = re.compile(r"[a-z][a-z'-]+")
# Gloss words that say nothing about which English paragraph a word was translated into.
_GLOSS_STOPWORDS = frozenset(
    str.split(
        "a an the of to in on at by for from with as or and be is are was were been do does done "
        "make made get got one thing things something someone person people etc esp usu oneself "
        "that this these those it its up out off over into onto about than then so such same very "
        "not no all any some have has had can will would may might must take put give go come "
        "kind sort way being become"
    )
)


class JaWord:
    """A content word of a Japanese text: its surface form, its lemma and its part of speech."""

    __slots__ = ("lemma", "pos", "surface")

    def __init__(self, surface: str, lemma: str, pos: str) -> None:
        self.surface = surface
        self.lemma = lemma
        self.pos = pos

    def __repr__(self) -> str:
        return f"JaWord({self.surface!r}, {self.lemma!r}, {self.pos!r})"


@cache
def _cutlets() -> tuple[Any, Any] | None:
    try:
        import cutlet  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    # Two romanisers: UniDic's English spelling of loanwords ("ボーイング" -> "Boeing") is the
    # best match when it exists; the plain Hepburn reading covers names UniDic does not know.
    return cutlet.Cutlet(), cutlet.Cutlet(use_foreign_spelling=False)


@cache
def _jamdict() -> Any | None:
    try:
        from jamdict import Jamdict  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    jam = Jamdict()
    if not jam.ready:
        return None
    return jam


def available() -> dict[str, bool]:
    """Which optional resources could be loaded (loads them if not yet loaded)."""
    return {"cutlet": _cutlets() is not None, "jamdict": _jamdict() is not None}


@lru_cache(maxsize=65536)
def romanise(katakana: str) -> tuple[str, ...]:
    """Lower-case romanisations of a katakana word: foreign spelling first, then Hepburn."""
    katsu = _cutlets()
    if katsu is None:
        return ()
    forms: list[str] = []
    for converter in katsu:
        form = re.sub(r"[^a-z]", "", converter.romaji(katakana).lower())
        if form and form not in forms:
            forms.append(form)
    return tuple(forms)


@lru_cache(maxsize=4096)
def tokenise(text: str) -> tuple[JaWord, ...]:
    """The content words of a Japanese text that contain kanji (katakana is matched by sound).

    UniDic cuts compounds into short units (駆逐艦 -> 駆逐 + 艦); runs of two or three adjacent
    kanji units that JMdict knows as one word are added as that word too.
    """
    katsu = _cutlets()
    if katsu is None:
        return ()
    words: list[JaWord] = []
    run: list[str] = []  # surfaces of the adjacent kanji units just seen
    for node in katsu[0].tagger(text):
        feature = node.feature
        kanji = _KANJI_ONLY.fullmatch(node.surface) is not None
        run = [*run[-2:], node.surface] if kanji else []
        for size in (3, 2):
            if len(run) >= size:
                compound = "".join(run[-size:])
                if glosses(compound):
                    words.append(JaWord(compound, compound, "名詞"))
                    break
        if feature.pos1 not in _CONTENT_POS or feature.pos2 == "数詞":
            continue
        if not _KANJI.search(node.surface):
            continue
        lemma = str(feature.orthBase or node.surface)
        words.append(JaWord(node.surface, lemma, str(feature.pos1)))
    return tuple(words)


@lru_cache(maxsize=65536)
def glosses(word: str) -> frozenset[str]:
    """Lower-case English words of the JMdict glosses of a Japanese word (exact headword)."""
    jam = _jamdict()
    if jam is None or not word:
        return frozenset()
    result = jam.lookup(word, strict_lookup=True, lookup_chars=False, lookup_ne=False)
    found: set[str] = set()
    # The first entries and senses are the common readings; rare senses only add noise.
    for entry in result.entries[:3]:
        for sense in entry.senses[:4]:
            for gloss in sense.gloss:
                text = _PARENTHESIS.sub(" ", str(gloss.text).lower())
                found.update(w for w in _GLOSS_WORD.findall(text) if w not in _GLOSS_STOPWORDS)
    return frozenset(found)
