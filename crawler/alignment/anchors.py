"""What a Japanese paragraph and an English paragraph share: numbers, designations, names, words.

Each side is reduced once to :class:`Features`: the anchor items it offers (a number, a Latin
designation such as ``F-35A``, a katakana name, a content word, a capitalised English word) and the
tokens an item of the other side can land on. :func:`shared` then says which items of each side
found a partner, cheaply enough to be called for every candidate pair of a document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from crawler.alignment import lexicon

__all__ = [
    "Features",
    "Item",
    "Shared",
    "en_features",
    "en_numbers",
    "ja_features",
    "ja_numbers",
    "shared",
    "sounds_alike",
    "stem",
]


@dataclass(frozen=True)
class Item:
    """One anchor a paragraph offers: ``targets`` are the other side's tokens that realise it."""

    key: str  # identity inside a document, e.g. "n:2028", "d:F-35A", "k:ボーイング"
    kind: str  # "number", "date", "designation", "name", "word", "capital"
    text: str  # as written, for the bead's anchor labels
    targets: frozenset[str]
    forms: tuple[str, ...] = ()  # romanisations, for katakana names only


@dataclass(frozen=True)
class Features:
    """A paragraph reduced to its anchor items and the tokens the other side may match."""

    items: tuple[Item, ...]
    tokens: frozenset[str]  # English side: "n:", "d:", "s:" tokens present in the text
    words: frozenset[str] = frozenset()  # English side: lower-case words, for katakana names


@dataclass(frozen=True)
class Shared:
    """The item keys of each side that found a partner, and labels saying which."""

    ja: frozenset[str]
    en: frozenset[str]
    labels: tuple[str, ...]


_EMPTY = Shared(frozenset(), frozenset(), ())

_JA_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}
_EN_UNITS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        str.split(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        str.split(
            "january february march april may june july august september october november december"
        )
    )
}
_MONTH_ABBR = {m[:3]: i for m, i in _MONTHS.items()} | {"sept": 9}

_JA_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_JA_MONTH = re.compile(r"(\d{1,2})月")
# Digits inside a designation (the 35 of F-35A) are the designation's, not a number.
_NOT_AFTER = r"(?<![A-Za-z0-9./-])"
_JA_NUMBER = re.compile(
    _NOT_AFTER + r"(?:\d+(?:\.\d+)?[万億兆])+(?:\d+(?:\.\d+)?)?|" + _NOT_AFTER + r"\d+(?:\.\d+)?"
)
_JA_NUMBER_PART = re.compile(r"(\d+(?:\.\d+)?)([万億兆]?)")
_EN_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})\b(?!,?\s*\d{3})"
)
_EN_MONTH = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
)
_EN_NUMBER = re.compile(
    _NOT_AFTER + r"(\d+(?:\.\d+)?)(?:\s*-?\s*(thousand|million|billion|trillion)\b)?"
    r"|\b(" + "|".join(_EN_WORD_NUMBERS) + r")\b",
    re.IGNORECASE,
)
# A designation: Latin letters with digits or hyphens (F-35A, SM-3, MQ-9B, A350-1000) or an
# acronym of two or more capitals (NGAD, CCA). Dotted abbreviations (U.S.) are not designations.
# Boundaries are ASCII: in Japanese text a designation sits directly between kana or kanji.
_LATIN = re.compile(r"(?<![A-Za-z0-9.])[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*(?![A-Za-z0-9]|\.[A-Za-z])")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]+(?:[・=＝][\u30a1-\u30fa\u30fc]+)*")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Capitalised words that open sentences or are too common to identify anything.
_EN_FUNCTION = frozenset(
    str.split(
        "the a an this that these those it its he she they we i in on at of for to by with as but "
        "and or if when while after before since until so yet there here his her their our mr ms "
        "dr"
    )
)


def _normalise(text: str) -> str:
    # NFKC turns full-width digits and letters into ASCII and unifies the comma in 1,000.
    return _DIGIT_COMMA.sub("", unicodedata.normalize("NFKC", text))


def _value(number: float) -> str:
    return f"n:{number:.6g}"


def ja_numbers(text: str) -> list[tuple[str, str]]:
    """(token, as written) for every number, date and month in a Japanese text (1億 = 100000000)."""
    text = _normalise(text)
    found: list[tuple[str, str]] = []
    for match in _JA_DATE.finditer(text):
        found.append((f"t:{int(match[1])}-{int(match[2])}", match[0]))
    text = _JA_DATE.sub(lambda m: f"{m[1]}月 ", text)
    for match in _JA_MONTH.finditer(text):
        found.append((f"m:{int(match[1])}", match[0]))
    text = _JA_MONTH.sub(" ", text)
    for match in _JA_NUMBER.finditer(text):
        total = 0.0
        for digits, unit in _JA_NUMBER_PART.findall(match[0]):
            total += float(digits) * _JA_UNITS.get(unit, 1)
        found.append((_value(total), match[0]))
    return found


def en_numbers(text: str) -> list[tuple[str, str]]:
    """(token, as written) for every number, date and month in an English text."""
    text = _normalise(text)
    found: list[tuple[str, str]] = []
    for match in _EN_DATE.finditer(text):
        month = _MONTH_ABBR[match[1].lower()]
        found.append((f"t:{month}-{int(match[2])}", match[0]))
        found.append((f"m:{month}", match[0]))
    text = _EN_DATE.sub(" ", text)
    for match in _EN_MONTH.finditer(text):
        found.append((f"m:{_MONTHS[match[1].lower()]}", match[0]))
    for match in _EN_NUMBER.finditer(text):
        if match[3]:
            found.append((_value(_EN_WORD_NUMBERS[match[3].lower()]), match[0]))
            continue
        scale = _EN_UNITS[match[2].lower()] if match[2] else 1
        found.append((_value(float(match[1]) * scale), match[0]))
    return found


def _designation(token: str) -> str | None:
    # English plurals of designations: F-47s, CCAs, B-21s.
    if len(token) > 2 and token.endswith("s") and (token[-2].isdigit() or token[-2].isupper()):
        token = token[:-1]
    has_digit = any(c.isdigit() for c in token)
    if not any(c.isalpha() for c in token):
        return None
    if not has_digit and not (len(token) >= 2 and token.isupper()):
        return None
    return "d:" + token.upper()


def stem(word: str) -> str:
    """A crude English stem: enough for gloss words to meet inflected words of the text."""
    word = word.lower().removesuffix("'s")
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 4:
        word = word.removesuffix("e")  # "glide" meets "gliding", "use" meets "used"
    return word[:6]


def ja_features(text: str) -> Features:
    """The anchor items of a Japanese paragraph."""
    items: dict[str, Item] = {}
    for token, written in ja_numbers(text):
        kind = "date" if token[0] in "tm" else "number"
        items.setdefault(token, Item(token, kind, written, frozenset({token})))
    normal = _normalise(text)
    for match in _LATIN.finditer(normal):
        key = _designation(match[0])
        if key is not None:
            items.setdefault(key, Item(key, "designation", match[0], frozenset({key})))
    for match in _KATAKANA.finditer(normal):
        for part in re.split(r"[・=＝]", match[0]):
            if len(part) < 2:
                continue
            key = "k:" + part
            if key not in items and (forms := lexicon.romanise(part)):
                items[key] = Item(key, "name", part, frozenset(), forms)
    for word in lexicon.tokenise(text):
        key = "w:" + word.lemma
        if key in items:
            continue
        senses = lexicon.glosses(word.lemma) or lexicon.glosses(word.surface)
        if senses:
            items[key] = Item(key, "word", word.surface, frozenset("s:" + stem(g) for g in senses))
    return Features(tuple(items.values()), frozenset())


def en_features(text: str) -> Features:
    """The anchor items of an English paragraph and the tokens Japanese items can land on."""
    items: dict[str, Item] = {}
    tokens: set[str] = set()
    for token, written in en_numbers(text):
        kind = "date" if token[0] in "tm" else "number"
        items.setdefault(token, Item(token, kind, written, frozenset({token})))
        tokens.add(token)
    normal = _normalise(text)
    for match in _LATIN.finditer(normal):
        key = _designation(match[0])
        if key is not None:
            items.setdefault(key, Item(key, "designation", match[0], frozenset({key})))
            tokens.add(key)
    words: set[str] = set()
    previous = ""  # the capitalised word just before, so "Super Hornet" also reads "superhornet"
    for match in _EN_WORD.finditer(normal):
        for word in match[0].lower().removesuffix("'s").split("-"):
            word = word.strip("'")
            if len(word) < 2:
                continue
            words.add(word)
            tokens.add("s:" + stem(word))
            capital = match[0][0].isupper() and word not in _EN_FUNCTION
            if capital and not match[0].isupper():
                key = "c:" + word
                target = frozenset({"s:" + stem(word)})
                items.setdefault(key, Item(key, "capital", match[0], target))
                if previous:
                    words.add(previous + word)
            previous = word if capital else ""
    return Features(tuple(items.values()), frozenset(tokens), frozenset(words))


def _sound(word: str, romaji: bool) -> str:
    s = word.lower()
    for old, new in (("ph", "f"), ("th", "s"), ("ck", "k"), ("sh", "s"), ("ch", "t"), ("ts", "t")):
        s = s.replace(old, new)
    s = s.translate(str.maketrans("cvlzqx", "kbrskk")).replace("h", "")
    if romaji:
        # Katakana adds a vowel after a final or clustered consonant: "edowaazu" ~ "edwards".
        s = re.sub(r"(?<=[^aeiou])[uo](?=[^aeiou]|$)", "", s)
    else:
        # Katakana drops a post-vocalic r: "Edwards" is read "edowaazu".
        s = re.sub(r"(?<=[aeiou])r(?=[^aeiou]|$)", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=262144)
def sounds_alike(forms: tuple[str, ...], word: str) -> bool:
    """Whether a romanised katakana word is a plausible reading of an English word."""
    if word in forms:
        return True
    if len(word) < 4:
        return False
    target = _sound(word, romaji=False)
    for form in forms:
        sound = _sound(form, romaji=True)
        if len(sound) < 3 or (sound[0] in "aeiou") != (target[0] in "aeiou"):
            continue
        if sound[0] not in "aeiou" and sound[0] != target[0]:
            continue
        if SequenceMatcher(None, sound, target, autojunk=False).ratio() >= 0.72:
            return True
    return False


def shared(ja: Features, en: Features) -> Shared:
    """Which items of a Japanese and an English paragraph (or group) realise each other."""
    if not ja.items or not en.tokens:
        return _EMPTY
    ja_keys: set[str] = set()
    landed: set[str] = set()
    labels: list[str] = []
    for item in ja.items:
        if item.kind == "name":
            hits = sorted(w for w in en.words if sounds_alike(item.forms, w))
            if hits:
                ja_keys.add(item.key)
                landed.update("s:" + stem(w) for w in hits)
                labels.append(f"{item.text}={hits[0]}")
            continue
        hit = item.targets & en.tokens
        if hit:
            ja_keys.add(item.key)
            landed.update(hit)
            shown = min(hit)[2:] if item.kind == "word" else item.key[2:]
            labels.append(f"{item.text}={shown}")
    en_keys = frozenset(item.key for item in en.items if item.targets & landed)
    return Shared(frozenset(ja_keys), en_keys, tuple(labels))
