"""Names of publications: the ones translation blogs cite, and whether two names are one.

A translation names its source's publication three times over: in the post title
(``…(Breaking Defense)―…``), sometimes on a line of the citation block (``Defense News``, ``TWZ``),
and the source page names itself (``og:site_name``). The three are compared as evidence, never
merged: a blog may credit the wrong outlet (the real T2 post of 2025-02-06 credits Defense News
for a Breaking Defense article), and that disagreement is worth recording.

The table below lists the outlets the target blogs cite, with the short names they use for them.
It decides only ambiguous cases (is ``TWZ`` a publication or a programme acronym, is a lone line
``The Hill`` an outlet or an author); a name not in it is still read by its shape.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["KNOWN_PUBLICATIONS", "is_known_publication", "publication_key", "same_publication"]

# Canonical name -> other names the blogs and the sites themselves use.
KNOWN_PUBLICATIONS: dict[str, tuple[str, ...]] = {
    "The War Zone": ("TWZ", "The Drive", "War Zone"),
    "Breaking Defense": (),
    "Defense News": (),
    "USNI News": ("USNI", "U.S. Naval Institute"),
    "Defense One": (),
    "Military Times": (),
    "Air & Space Forces Magazine": ("Air and Space Forces Magazine", "Air & Space Forces"),
    "Aviation Week": ("Aviation Week & Space Technology", "AW&ST"),
    "FlightGlobal": ("Flight Global", "Flight International"),
    "Simple Flying": (),
    "AeroTime": ("AeroTime Hub",),
    "AIN": ("AINonline", "Aviation International News"),
    "The Aviationist": (),
    "The Hill": (),
    "The National Interest": ("National Interest",),
    "19FortyFive": (),
    "Stars and Stripes": (),
    "Task & Purpose": ("Task and Purpose",),
    "National Defense": ("National Defense Magazine",),
    "Naval News": (),
    "Army Recognition": (),
    "Janes": ("Jane's",),
    "Reuters": (),
    "AP": ("Associated Press", "AP News"),
    "Bloomberg": (),
    "Forbes": (),
    "CNN": (),
    "BBC": ("BBC News",),
    "The Wall Street Journal": ("WSJ", "Wall Street Journal"),
    "The New York Times": ("NYT", "New York Times"),
    "Asia Times": (),
    "Nikkei Asia": (),
    "The Diplomat": (),
    "Popular Mechanics": (),
    "Interesting Engineering": (),
    "SpaceNews": ("Space News",),
}

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def publication_key(name: str) -> str:
    """A comparison key: NFKC, case-folded, ``&`` as ``and``, no leading "The", letters only."""
    text = unicodedata.normalize("NFKC", name).strip().casefold().replace("&", " and ")
    return _NON_WORD.sub("", _LEADING_THE.sub("", text))


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in KNOWN_PUBLICATIONS.items():
        for name in (canonical, *aliases):
            index[publication_key(name)] = canonical
    return index


_INDEX = _build_index()


def is_known_publication(name: str) -> bool:
    return publication_key(name) in _INDEX


def same_publication(first: str | None, second: str | None) -> bool | None:
    """Whether two names denote one outlet; None when either is missing.

    Equal keys, aliases of one known outlet, or one name the initials of the other
    (``TWZ`` / ``The War Zone``) count as the same.
    """
    if not first or not second:
        return None
    a, b = publication_key(first), publication_key(second)
    if not a or not b:
        return None
    if a == b:
        return True
    known_a, known_b = _INDEX.get(a), _INDEX.get(b)
    if known_a is not None and known_a == known_b:
        return True
    return _initials(first) == b or _initials(second) == a


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKC", name))
    return "".join(word[0] for word in words).casefold() if len(words) > 1 else ""
