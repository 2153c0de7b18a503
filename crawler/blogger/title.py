"""A translation post's title line: ``{title}({Publication})―{comment}``.

The target blogs credit the source outlet in parentheses right after the Japanese title and
may add the translator's comment after a horizontal bar (U+2015): the real T2 title
``…核戦略を覆す(Breaking Defense)―歴史が一巡りして…``. Seen on the real blogs as well:
spaces around the bar, full-width ``（）``, abbreviations (``(TWZ)``), a title with a comment but no
publication (``title―comment``), headlines with neither (2020–22 posts run on as sentences), and
parentheses that belong to the title (``世界最大の巨人機(だった)An-225は…``, ``(続報)``, ``(2)``).
Prefixes such as ``主張 `` stay part of the title.

A parenthesis is the publication only when it reads as an outlet's name (Latin script, title
case) and stands at the end of the line or right before the bar; an acronym alone (``(NGAD)``)
must be an outlet the blogs are known to cite (:mod:`crawler.publications`). An older order,
``{title}―{comment}({Publication})``, is read too.
"""

from __future__ import annotations

import unicodedata

from crawler.blogger import selectors as sel
from crawler.publications import is_known_publication

__all__ = ["TitleParts", "split_title"]

TitleParts = tuple[str, str | None, str | None]


def split_title(raw_title: str) -> TitleParts:
    """``{title}({Publication})―{comment}`` -> (title, comment, publication)."""
    text = raw_title.strip()
    for match in sel.TITLE_PARENTHESIS.finditer(text):
        name = publication_name(match.group("inner"))
        if name is None:
            continue
        rest = text[match.end() :].strip()
        head = text[: match.start()].strip()
        if not head:
            continue
        if not rest:
            # At the end: the publication closes the line, a comment may stand before it.
            title, comment = _split_comment(head)
            return title, comment, name
        if rest[0] in sel.COMMENT_SEPARATORS:
            return head, rest[1:].strip() or None, name
    title, comment = _split_comment(text)
    return title, comment, None


def publication_name(text: str) -> str | None:
    """``text`` as an outlet's name (spaces normalised), or None if it does not read as one."""
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    if not sel.PUBLICATION_NAME.match(name):
        return None
    if sel.ACRONYM.match(name) and not is_known_publication(name):
        return None  # (NGAD), (CCA), (TR-3): programmes, not outlets
    return name


def split_comment_line(line: str) -> str | None:
    """The comment of a body line that starts with the bar (``― これは…``), else None."""
    text = line.strip()
    if text[:1] in sel.COMMENT_SEPARATORS:
        return text[1:].strip() or None
    return None


def _split_comment(text: str) -> tuple[str, str | None]:
    position = next((i for i, c in enumerate(text) if c in sel.COMMENT_SEPARATORS), -1)
    if position <= 0:  # no bar, or one that starts the line: nothing to split off
        return text, None
    title, comment = text[:position].strip(), text[position + 1 :].strip()
    return title, comment or None
