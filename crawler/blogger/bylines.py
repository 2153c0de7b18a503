"""What one line of a citation block or article header says: an author, a date, a publication.

Translators copy these lines from the source page by hand, so the same facts come in many
shapes. From the real T1/T2 blogs: ``By   Jane Roe and John Doe`` (runs of
spaces), ``Ethan Marsh`` (no "By"), ``By Jon Hemmerdinger12 December 2020`` (byline glued to
its date), ``By Flight International30 May 2020`` (an outlet as byline), ``Sean Broderick
December 04, 2020`` (name and date on one line), ``スティーブン・ロージー`` (a katakana name in a
translated header), and date lines such as ``on February 04, 2025 at 12:59 PM``,
``02/06/26 12:04 PM ET`` or ``2026年1月3日 午前4時46分(EST)更新``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from crawler.blogger import selectors as sel
from crawler.blogger.title import publication_name
from crawler.dates import parse_date_line
from crawler.publications import is_known_publication, same_publication

__all__ = ["Byline", "is_date_line", "is_name_line", "publication_line", "read_byline"]


@dataclass(frozen=True)
class Byline:
    """What a byline line names: people, or an outlet in their place, and a glued date."""

    author: str | None = None
    publication: str | None = None
    date: str | None = None


def read_byline(text: str, *, needs_by: bool = False) -> Byline | None:
    """The byline ``text`` is, or None.

    A line starting with "By" is always a byline; without it, the line must read as names
    (``needs_by`` refuses those: a bare name is only trusted where a byline is expected).
    """
    line = " ".join(text.replace("\u00a0", " ").split())
    match = sel.AUTHOR_LINE.match(line)
    if match is None and needs_by:
        return None
    names = match.group("author") if match else line
    glued = _split_glued_date(names)
    if glued is not None:
        names, date = glued
    elif match is None and not is_name_line(names):
        return None
    else:
        date = None
    if _is_outlet(names):
        return Byline(publication=publication_name(names) or names, date=date)
    return Byline(author=names, date=date)


def is_name_line(text: str) -> bool:
    """Whether ``text`` reads as one or more people's names, in Latin script or katakana."""
    line = " ".join(unicodedata.normalize("NFKC", text).split())
    if not line or len(line) > sel.NAME_LINE_MAX_CHARS or any(c.isdigit() for c in line):
        return False
    return bool(sel.NAME_LINE.match(line) or sel.KATAKANA_NAME_LINE.match(text.strip()))


def is_date_line(text: str) -> bool:
    """Whether ``text`` is a date line (a date with its year, perhaps a time and a zone)."""
    line = text.strip()
    if not line or len(line) > sel.DATE_LINE_MAX_CHARS:
        return False
    if not (sel.YEAR.search(line) or sel.NUMERIC_DATE.search(line)):
        return False
    if not (sel.DATE_LINE_START.match(line) or sel.JAPANESE_DATE.match(line)):
        return False
    return parse_date_line(line) is not None


def publication_line(text: str, expected: str | None = None) -> str | None:
    """The outlet a line names on its own (``TWZ``, ``The Hill``), or None.

    A line is an outlet when it is one the blogs are known to cite, or the one the post's title
    credits (``expected``); any other short title-case line could as well be a person.
    """
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    if not name or len(name) > sel.NAME_LINE_MAX_CHARS:
        return None
    if is_known_publication(name) or (expected and same_publication(name, expected)):
        return name
    return None


def _is_outlet(names: str) -> bool:
    return is_known_publication(names)


def _split_glued_date(text: str) -> tuple[str, str] | None:
    """``Jon Hemmerdinger12 December 2020`` -> (``Jon Hemmerdinger``, ``12 December 2020``)."""
    if not (sel.YEAR.search(text) or sel.NUMERIC_DATE.search(text)):
        return None
    for match in sel.GLUED_DATE_START.finditer(text):
        names, date = text[: match.start()].strip(" ,"), text[match.start() :].strip()
        if not names:
            continue
        if (is_name_line(names) or is_known_publication(names)) and is_date_line(date):
            return names, date
    return None
