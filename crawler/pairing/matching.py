"""Is the fetched page the article a translation cites? Evidence, and a confidence from it.

Each kind of evidence that identifies an article is scored on 0..1, and the confidence is their
weighted mean, shrunk towards 0.5 by a small prior weight so that a pair with little evidence
stays near "unknown":

- title: the citation's title against the page title (token F1 over normalised words, best over
  the title with and without its subtitle or site suffix);
- anchors: the share of the translation's language-independent anchors (numbers with 万/億
  resolved, years, month-day dates, Latin-script terms such as F-35A, SM-3, NMESIS) that the
  English text also contains, weighted by how many anchors there are;
- cited date: the gap between the citation's date line and the page's publication time;
- author: the share of the cited authors' surnames in the page's byline.

Evidence that is missing is left out of the mean: it neither rewards nor punishes. Plausibility
checks can only lower the result, because they hold for most unrelated articles too: a length
ratio far from normal (English runs about 2.5-3.5 times the Japanese length), a translation long
after its source, and above all a source published after its translation. Every component's
contribution is returned so that the manifest can record why a pair was judged as it was; the
contributions add up to the confidence.

The caller passes the citation's title, author and date only for the URL they describe (the
first URL of the citation block); further URLs are judged on their text. When a post cites
several articles, each is judged on the translation's anchors that the others do not explain.

``MISMATCH_THRESHOLD`` (0.45) comes from ``bench/calibrate_confidence.py`` on the replica corpus
(synthetic posts and articles; 30 true pairs, 812 translations paired with another article).
With full citations true pairs score 0.56-0.95 and wrong pairs 0.01-0.35; with the citation
fields removed, 0.51-0.88 against 0.03-0.38. 0.45 separates both without error (the lowest true
pair is the second source of a two-source post, judged on what the first does not explain).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from crawler.dateforms import MONTH_NUMBERS
from crawler.pairing.textmetrics import token_f1

__all__ = [
    "COMPONENTS",
    "MISMATCH_THRESHOLD",
    "MatchEvidence",
    "MatchInputs",
    "english_anchors",
    "japanese_anchors",
    "score_match",
    "title_similarity",
]

MISMATCH_THRESHOLD = 0.45

# Every component score_match can return, in this order: the weighted evidence, then the
# penalties. The manifest has one key per name (pairs.schema.json), null when not computed.
COMPONENTS = (
    "prior",
    "title",
    "anchors",
    "cited_date",
    "author",
    "length_penalty",
    "lag_penalty",
    "source_newer_penalty",
)

# Weights of the identity evidence: the title and the shared anchors each single out an article
# on their own, so they carry most of the weight; the cited date is nearly as specific (articles
# on one topic rarely share a publication day); bylines are short and often missing.
TITLE_WEIGHT = 0.30
ANCHOR_WEIGHT = 0.30
CITED_DATE_WEIGHT = 0.15
AUTHOR_WEIGHT = 0.10
# Pseudo-evidence of 0.5: keeps one weak component from deciding alone.
PRIOR_WEIGHT = 0.10
# Six anchors are enough to trust the shared share fully; fewer count proportionally less.
ANCHORS_FOR_FULL_WEIGHT = 6
# Plausibility only lowers the confidence: a normal length or a short lag holds for most
# unrelated articles of the same weeks, so it cannot count for a pair, but an implausible one
# counts against it. The floors bound how far: abridged translations and old sources exist.
LENGTH_FLOOR = 0.6
LAG_FLOOR = 0.8
# A source published after its translation is impossible for a true pair.
NEWER_SOURCE_FACTOR = 0.3

# A date-only value (a date, a naive midnight) is off by up to a day; timed ones by clock skew.
_DAY_TOLERANCE = timedelta(days=1)
_TIME_TOLERANCE = timedelta(hours=1)
# (full score up to, zero score from) these many days:
_LAG_DAYS = (7.0, 365.0)  # translations normally follow within a week
_CITED_DAYS = (1.0, 30.0)  # a date line in US Eastern local time vs a UTC timestamp
_LENGTH_NORMAL = (1.8, 4.5)  # wider than the usual 2.5-3.5: abridged and padded translations exist
_LENGTH_ZERO_FACTOR = 3.0  # a ratio this many times outside the normal range scores 0

_MULTIPLIERS_JA = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_MULTIPLIERS_EN = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
# A number that is not part of a designator (the 35 of F-35A is the designator's).
_NUMBER_START = r"(?<![A-Za-z0-9.\-])"
# ...and not cut out of a longer one when backtracking; "737MAX" and "20mm" keep their number.
_NUMBER_END = r"(?!\d|[.,]\d|-\d)"
_JA_NUMBER = re.compile(_NUMBER_START + r"((?:\d[\d,]*(?:\.\d+)?[兆億万]?)+)" + _NUMBER_END)
_JA_PART = re.compile(r"(\d[\d,]*(?:\.\d+)?)([兆億万]?)")
_JA_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_EN_NUMBER = re.compile(
    _NUMBER_START
    + r"(\d[\d,]*(?:\.\d+)?)(?:\s*-?\s*(thousand|million|billion|trillion)\b)?"
    + _NUMBER_END,
    re.IGNORECASE,
)
_EN_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*")
# Numbers below this are too common (counts, ranks) to tell articles apart.
_MIN_ANCHOR_NUMBER = 10
_TITLE_SPLIT = re.compile(r"\s[|:\-–—]\s|:\s")
_NAME_SPLIT = re.compile(r",|;|&|\band\b|\bwith\b", re.IGNORECASE)
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)


@dataclass(frozen=True)
class MatchInputs:
    cited_title: str | None
    cited_author: str | None
    cited_published: datetime | None
    translation_published: datetime | None
    translation_text: str  # Japanese
    source_title: str | None
    source_author: str | None
    # Aware, or a date when the page gives only the day (crawler/article/dates.py).
    source_published: datetime | date | None
    source_text: str  # English
    # The other articles the same post cites: a post that merges several sources is judged, for
    # each, on the anchors the others do not explain.
    other_source_texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchEvidence:
    title_similarity: float | None  # cited title vs page title, 0..1
    author_match: float | None  # share of cited surnames in the page byline, 0..1
    date_gap_days: float | None  # translation published - source published (days)
    source_newer_than_translation: bool
    cited_date_gap_days: float | None  # |cited date line - source published| (days)
    shared_anchors: float | None  # share of translation anchors found in the source text
    length_ratio: float | None  # source chars / translation chars
    confidence: float  # 0..1
    components: dict[str, float]  # contribution of each component; they sum to confidence


def score_match(inputs: MatchInputs) -> MatchEvidence:
    """Weigh the evidence that the fetched page is the cited article."""
    title = title_similarity(inputs.cited_title, inputs.source_title)
    author = _author_match(inputs.cited_author, inputs.source_author)
    lag = _days_between(inputs.translation_published, inputs.source_published)
    newer = _source_newer(inputs.translation_published, inputs.source_published)
    cited_gap = _days_between(inputs.cited_published, inputs.source_published)
    cited_gap = abs(cited_gap) if cited_gap is not None else None
    anchors = japanese_anchors(inputs.translation_text)
    for other in inputs.other_source_texts:
        anchors -= english_anchors(other)
    shared = _shared_share(anchors, english_anchors(inputs.source_text))
    ja_chars, en_chars = len(inputs.translation_text.strip()), len(inputs.source_text.strip())
    ratio = en_chars / ja_chars if ja_chars and en_chars else None

    scored: dict[str, tuple[float, float]] = {"prior": (PRIOR_WEIGHT, 0.5)}
    if title is not None:
        scored["title"] = (TITLE_WEIGHT, title)
    if shared is not None:
        weight = ANCHOR_WEIGHT * min(1.0, len(anchors) / ANCHORS_FOR_FULL_WEIGHT)
        scored["anchors"] = (weight, shared)
    if cited_gap is not None:
        scored["cited_date"] = (CITED_DATE_WEIGHT, _decay(cited_gap, *_CITED_DAYS))
    if author is not None:
        scored["author"] = (AUTHOR_WEIGHT, author)
    total = sum(weight for weight, _ in scored.values())
    components = {name: weight * score / total for name, (weight, score) in scored.items()}
    confidence = sum(components.values())

    factors: dict[str, float] = {}
    if ratio is not None:
        factors["length_penalty"] = _floored(_length_score(ratio), LENGTH_FLOOR)
    if lag is not None and not newer:
        factors["lag_penalty"] = _floored(_decay(max(lag, 0.0), *_LAG_DAYS), LAG_FLOOR)
    if newer:
        factors["source_newer_penalty"] = NEWER_SOURCE_FACTOR
    for name, factor in factors.items():
        if factor < 1.0:
            components[name] = -confidence * (1.0 - factor)
            confidence *= factor
    return MatchEvidence(
        title_similarity=title,
        author_match=author,
        date_gap_days=lag,
        source_newer_than_translation=newer,
        cited_date_gap_days=cited_gap,
        shared_anchors=shared,
        length_ratio=ratio,
        confidence=min(1.0, max(0.0, confidence)),
        components=components,
    )


def title_similarity(cited: str | None, page: str | None) -> float | None:
    """Token F1 of two titles, robust to case, punctuation, a subtitle and a site suffix."""
    if not cited or not page:
        return None
    best = 0.0
    for left in _title_variants(cited):
        for right in _title_variants(page):
            best = max(best, token_f1(left, right)[2])
    return best


def japanese_anchors(text: str) -> set[str]:
    """Language-independent anchors of a Japanese text: numbers, dates and Latin-script terms."""
    text = unicodedata.normalize("NFKC", text)
    anchors = {f"d:{int(m)}-{int(d)}" for m, d in _JA_DATE.findall(text)}
    for match in _JA_NUMBER.finditer(text):
        parts = _JA_PART.findall(match.group(1))
        value = sum(
            (_decimal(number) * _MULTIPLIERS_JA.get(unit, Decimal(1)) for number, unit in parts),
            Decimal(0),
        )
        _add_number(anchors, value)
    anchors |= {f"t:{term}" for term in _latin_terms(_JA_DATE.sub(" ", text))}
    return anchors


def english_anchors(text: str) -> set[str]:
    """The same anchors read from an English text (every Latin word counts as a term)."""
    text = unicodedata.normalize("NFKC", text)
    anchors: set[str] = set()
    for name, day in _EN_DATE.findall(text):
        month = MONTH_NUMBERS.get(name.lower())
        if month and 1 <= int(day) <= 31:
            anchors.add(f"d:{month}-{int(day)}")
    for number, unit in _EN_NUMBER.findall(text):
        _add_number(anchors, _decimal(number) * _MULTIPLIERS_EN.get(unit.lower(), Decimal(1)))
    anchors |= {f"t:{term}" for term in _latin_terms(text)}
    return anchors


def _add_number(anchors: set[str], value: Decimal) -> None:
    if value >= _MIN_ANCHOR_NUMBER:
        anchors.add(f"n:{value.normalize():f}")


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return Decimal(0)


def _latin_terms(text: str) -> set[str]:
    # Hyphens and case vary between a designator's spellings (F-35A, F35A); single letters do
    # not identify anything.
    terms = set()
    for match in _LATIN_TERM.finditer(text):
        term = re.sub(r"[-/]", "", match.group(0)).upper()
        if len(term) >= 2:
            terms.add(term)
    return terms


def _shared_share(translation: set[str], source: set[str]) -> float | None:
    if not translation or not source:
        return None
    return len(translation & source) / len(translation)


def _title_variants(title: str) -> set[str]:
    text = unicodedata.normalize("NFKC", title).replace("’", "'").casefold()
    variants = {text, *_TITLE_SPLIT.split(text)}
    return {_words(v) for v in variants if len(_words(v).split()) >= 2} or {_words(text)}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text))


def _author_match(cited: str | None, page: str | None) -> float | None:
    cited_names, page_names = _surnames(cited), _surnames(page)
    if not cited_names or not page_names:
        return None
    return len(cited_names & page_names) / len(cited_names)


def _surnames(byline: str | None) -> set[str]:
    if not byline:
        return set()
    text = unicodedata.normalize("NFKD", _BY.sub("", byline))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    names = set()
    for name in _NAME_SPLIT.split(text):
        words = re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", name)
        if words:
            names.add(words[-1].casefold())
    return names


def _days_between(later: datetime | date | None, earlier: datetime | date | None) -> float | None:
    if later is None or earlier is None:
        return None
    later, earlier = _moment(later), _moment(earlier)
    if isinstance(later, datetime) and isinstance(earlier, datetime):
        return (_aware(later) - _aware(earlier)).total_seconds() / 86400
    # A date-only side is compared at day precision: whole days between the two calendar days,
    # each side's day in its own zone (the translation's in +09:00, the source's as it wrote it).
    return float((_day(later) - _day(earlier)).days)


def _source_newer(translation: datetime | date | None, source: datetime | date | None) -> bool:
    if translation is None or source is None:
        return False
    translation, source = _moment(translation), _moment(source)
    if isinstance(translation, datetime) and isinstance(source, datetime):
        return _aware(source) - _aware(translation) > _TIME_TOLERANCE
    # Day precision: the two days may differ by one either way for a true pair (a day is read
    # in its own zone, and zones ahead of the translation's exist), so only a later day beyond
    # that counts, as the day's width of tolerance does for instants.
    return _day(source) - _day(translation) > _DAY_TOLERANCE


def _aware(value: datetime) -> datetime:
    # A naive local time (from a caller that did not resolve it, see crawler/article/dates.py) is
    # read as UTC: off by under a day.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _moment(value: datetime | date) -> datetime | date:
    # A naive midnight is how a bare date used to be passed: it is the date.
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == datetime.min.time():
        return value.date()
    return value


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _decay(days: float, full: float, zero: float) -> float:
    """1 up to ``full`` days, then falling with the logarithm of the gap to 0 at ``zero`` days."""
    if days <= full:
        return 1.0
    return max(0.0, 1.0 - math.log(days / full) / math.log(zero / full))


def _floored(score: float, floor: float) -> float:
    return floor + (1.0 - floor) * score


def _length_score(ratio: float) -> float:
    low, high = _LENGTH_NORMAL
    if low <= ratio <= high:
        return 1.0
    outside = low / ratio if ratio < low else ratio / high
    return max(0.0, 1.0 - math.log(outside) / math.log(_LENGTH_ZERO_FACTOR))
