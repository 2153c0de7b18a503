"""Terminal column arithmetic for mixed Japanese and English text.

A terminal draws East Asian wide and full-width characters (kana, kanji, full-width punctuation)
in two columns, so ``len()`` cannot be used to wrap or pad Japanese text.
"""

from __future__ import annotations

import unicodedata

# Characters a Japanese line should not start with (a light form of kinsoku shori).
_NO_LINE_START = frozenset(
    "、。，．・：；！？）」』】〕〉》ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.!?:;)]"
)


def char_width(char: str) -> int:
    """Columns one character takes: 2 for wide/full-width, 0 for combining and control marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns."""
    return text + " " * max(0, width - display_width(text))


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; English breaks at spaces, Japanese anywhere (except
    before closing punctuation). Newlines in ``text`` are kept as line breaks."""
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    lines: list[str] = []
    for hard_line in text.split("\n"):
        lines.extend(_wrap_line(hard_line, width))
    return lines


def _wrap_line(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    used = 0
    for char in text:
        columns = char_width(char)
        if used + columns > width:
            line, carried = _break(line, char)
            lines.append(line)
            line = carried
            used = display_width(line)
            if used + columns > width:  # a word longer than the column: cut it
                lines.append(line)
                line, used = "", 0
            if char == " " and not line:
                continue
        line += char
        used += columns
    lines.append(line.rstrip())
    return lines


def _break(line: str, char: str) -> tuple[str, str]:
    """Where to end a full line before ``char``: the finished part and what moves down.

    A run of narrow characters (an English word, a number or a designation such as F-35A inside
    Japanese) moves down whole unless it fills the line; Japanese breaks between any two
    characters, but not before closing punctuation.
    """
    if _narrow(char):
        start = len(line)
        while start > 0 and _narrow(line[start - 1]):
            start -= 1
        if 0 < start < len(line):
            return line[:start].rstrip(), line[start:]
    if char in _NO_LINE_START and len(line) > 1 and line[-1] not in _NO_LINE_START:
        return line[:-1], line[-1]
    return line.rstrip(), ""


def _narrow(char: str) -> bool:
    return char_width(char) == 1 and not char.isspace()
