"""What a post body opens with before the translation: banners, comments, headers, citations.

Real T1/T2 posts put several kinds of lines above the translated text, none of which is part of
it (and so none of which may reach the text to align):

- a cross-post banner: ``この記事は民間航空を扱うT1と軍事航空安全保障を扱うT2共通記事です``;
- the translator's comment on a line of its own, opened by the bar: ``― これはNATOだけの…``;
- the citation block itself (2020 T1: English title, ``By Jon Hemmerdinger12 December 2020``,
  URL; the body then ends in a bare ``■``);
- a translated header (2026 T2): the article's Japanese title, the outlet on its own line, the
  author in katakana, a date line (``02/06/26 12:04 PM ET``, ``2026年2月10日 午前6時22分``);
- the title repeated (reworded), perhaps with a photo credit in parentheses under it.

Each is recognised by its own shape, only among the first lines of the body.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from crawler.blogger import selectors as sel
from crawler.blogger.bylines import is_date_line, publication_line, read_byline
from crawler.blogger.citation import Citation, CitationBlock, parse_citation_block, read_article
from crawler.blogger.title import split_comment_line
from crawler.blogger.urlrepair import has_url

__all__ = ["FrontMatter", "Note", "read_front_matter"]

NOTE_BANNER = "banner"
NOTE_COMMENT = "comment"
NOTE_TITLE_REPEAT = "title_repeat"
NOTE_PHOTO_CREDIT = "photo_credit"


@dataclass(frozen=True)
class Note:
    """A line taken out of the translated text, and what it was."""

    kind: str
    text: str


@dataclass(frozen=True)
class FrontMatter:
    """The lines before the translation: ``skip`` of them, read as what they are."""

    skip: int = 0
    notes: tuple[Note, ...] = ()
    comment: str | None = None  # a comment line's text, without the bar
    comment_line: str = ""  # that line as written
    header: Citation | None = None  # a translated article header
    header_raw: str = ""
    citation: CitationBlock | None = None  # a citation block written before the body


def read_front_matter(
    lines: Sequence[str],
    line_hrefs: Sequence[Sequence[str]],
    *,
    title: str,
    publication: str | None,
) -> FrontMatter:
    """Read the front matter of a body given as lines (and the links on each line)."""
    notes: list[Note] = []
    comment: str | None = None
    comment_line = ""
    at = 0
    while at < len(lines) and at < sel.FRONT_MATTER_LINES:
        line = lines[at]
        said = split_comment_line(line)
        if sel.CROSS_POST_BANNER.match(line):
            notes.append(Note(NOTE_BANNER, line))
        elif said is not None and comment is None:
            comment, comment_line = said, line
        else:
            break
        at += 1

    citation = None
    run = _citation_run(lines, at)
    if run:
        citation = parse_citation_block(
            lines[at : at + run], line_hrefs=line_hrefs[at : at + run], publication=publication
        )
        at += run

    header, header_raw = None, ""
    size = 0 if citation else _header_size(lines, at, publication)
    if size:
        header_lines = lines[at : at + size]
        header = read_article(header_lines, publication=publication)
        header_raw, at = "\n".join(header_lines), at + size
    elif at < len(lines) and _repeats_title(lines[at], title, _credit_at(lines, at + 1)):
        notes.append(Note(NOTE_TITLE_REPEAT, lines[at]))
        at += 1
        if _credit_at(lines, at):
            notes.append(Note(NOTE_PHOTO_CREDIT, lines[at]))
            at += 1
    return FrontMatter(
        skip=at,
        notes=tuple(notes),
        comment=comment,
        comment_line=comment_line,
        header=header,
        header_raw=header_raw,
        citation=citation,
    )


def _citation_run(lines: Sequence[str], start: int) -> int:
    """How many lines from ``start`` form a citation block written before the body.

    The block is Latin script (the English title, byline, URL), holds a URL, ends with the
    URL line, and Japanese text follows it.
    """
    end = start
    while end < len(lines) and end - start < sel.FRONT_MATTER_LINES:
        if sel.CJK_CHAR.search(lines[end]):
            break
        end += 1
    last_url = max((i for i in range(start, end) if has_url(lines[i])), default=None)
    if last_url is None or end >= len(lines) or not sel.CJK_CHAR.search(lines[end]):
        return 0
    return last_url + 1 - start


def _header_size(lines: Sequence[str], start: int, publication: str | None) -> int:
    """How many lines from ``start`` form a translated header ending in its date line.

    The header opens with the article's Japanese title and names its outlet or author.
    """
    if start >= len(lines) or not sel.CJK_CHAR.search(lines[start]):
        return 0
    for end in range(start + 1, min(len(lines), start + sel.FRONT_MATTER_LINES)):
        line = lines[end]
        if is_date_line(line):
            between = lines[start + 1 : end]
            named = any(
                publication_line(text, publication) or read_byline(text) for text in between
            )
            return end + 1 - start if named else 0
        if len(line) > sel.HEADER_LINE_MAX_CHARS or line.endswith("。"):
            return 0
    return 0


def _credit_at(lines: Sequence[str], at: int) -> bool:
    return at < len(lines) and sel.PARENTHESISED_LINE.match(lines[at]) is not None


def _repeats_title(line: str, title: str, credited: bool) -> bool:
    """Whether ``line`` is the title again; reworded, it shares fewer characters, and a photo
    credit under it (the lead image's) is then what shows it for a heading."""
    # A heading, not a sentence: about as long as the title (a lead paragraph that retells the
    # headline runs longer), without a sentence end.
    if not title or line.endswith(sel.SENTENCE_ENDS):
        return False
    if len(line) > sel.TITLE_REPEAT_MAX_LENGTH_RATIO * len(title) + 5:
        return False
    needed = sel.TITLE_REWORDED_SIMILARITY if credited else sel.TITLE_REPEAT_SIMILARITY
    return _dice(_bigrams(line), _bigrams(title)) >= needed


def _bigrams(text: str) -> set[str]:
    chars = [c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def _dice(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))
