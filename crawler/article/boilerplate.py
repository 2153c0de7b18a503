"""Lines of a news page that are no part of the article, dropped from the extracted text.

trafilatura removes most page furniture by the markup (share bars, comment sections, newsletter
boxes are found by their class and id), but some reaches its text on real sites: a photo credit
in the row of a layout table, a comment-policy note in a plain paragraph, a "Share this:" or
newsletter prompt without a telling class, a "Related:" link line. These rules read one line
(one paragraph of the text) at a time and are written after the lines trafilatura leaves on
real news pages: each names a kind of line, anchored at the start or the end and short, so an
article's sentence that merely mentions comments or sharing ("declined to comment", "shares
fell") never matches.

Tables: trafilatura writes a table row as ``| cell | cell |``. A row with one non-empty cell is
a layout table (older sites set the whole article, its captions and pull quotes in one): the
cell's text is kept without the pipes, and dropped when it is a caption or credit. Rows with
several cells are data tables and stay as they are.

Measured by ``bench/extraction_f1.py``: mean token F1 on the article-extraction-benchmark 0.9707
-> 0.9725, on the news pages 0.9960 -> 0.9973.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["clean_lines", "is_boilerplate", "unwrap_layout_row"]

# Longest line a prompt or notice is: the article's paragraphs are longer.
_SHORT = 300

# A parenthesised photo credit closing a line: "(Courtesy photo)", "(credit: NASA/Jude Guidry)",
# "(AP Photo/Evan Vucci)", "(Photo by Jane Doe/Getty Images)", "(U.S. Navy photo)".
_PICTURE = r"(?:photo|photograph|image|picture|illustration|rendering|graphic)s?"
_TRAILING_CREDIT = re.compile(
    r"\((?:"
    rf"(?:{_PICTURE}\s+)?credits?\s*[:：][^()]*"  # (credit: NASA), (Photo credit: ...)
    rf"|{_PICTURE}\s*(?:by|via|from|courtesy|[:：])[^()]*"  # (Photo by ...), (Image: ...)
    r"|courtesy\b[^()]*"  # (Courtesy photo), (Courtesy of Boeing)
    rf"|[^()]*\b{_PICTURE}\s*/[^()]*"  # (AP Photo/Evan Vucci)
    rf"|[^()]*\b{_PICTURE}"  # (U.S. Navy photo), (NASA image): the picture word last
    r"|[^()]*\b(?:getty\s+images|shutterstock)\b[^()]*"
    r")\)\s*$",
    re.IGNORECASE,
)
# A line that is a credit alone: "Photo: Getty Images", "Main image credit: Getty".
_CREDIT_LINE = re.compile(
    rf"^(?:(?:main|top|header|featured|lead)\s+)?(?:{_PICTURE}(?:\s+credits?)?|credits?|"
    r"courtesy(?:\s+photo)?)\s*[:：]\s*\S",
    re.IGNORECASE,
)

_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # The comment section's heading, counter and prompts.
        r"^(?:\d+\s+)?comments?(?:\s*\(\d+\))?\s*$",
        r"^(?:leave|add|post|write|view|show|read|see|load|hide)\s+(?:a\s+|the\s+|all\s+|\d+\s+)?"
        r"comments?\b.{0,40}$",
        r"^(?:join|start)\s+the\s+(?:conversation|discussion)\b",
        # Comment-policy notes: moderation, closed comments, community guidelines.
        r"^(?:note\s*:\s*)?(?:we\s+are|we're|we\s+have\s+been)\s+(?:temporarily\s+)?"
        r"(?:moderating|closing|disabling|turning\s+off|pre-moderating)\b.{0,80}\bcomments?\b",
        r"^(?:note\s*:\s*)?comments?\s+(?:are|is|have\s+been|has\s+been|will\s+be)\s+"
        r"(?:now\s+|temporarily\s+)?(?:closed|disabled|turned\s+off|moderated|unavailable|"
        r"reviewed|open)\b",
        r"^commenting\s+(?:is|has\s+been)\s+(?:now\s+)?(?:closed|disabled|unavailable)\b",
        r"\bcomment(?:ing)?\s+(?:policy|guidelines)\b",
        r"^(?=.*\bcomments?\b).*\bcommunity\s+(?:guidelines|standards)\b",
        # Share prompts and buttons.
        r"^share\s+(?:this|the)(?:\s+(?:article|story|post|page|video))?\s*[:!.]?\s*$",
        r"^(?:click\s+to\s+)?share\s+(?:on|via|to|with)\s+\w+",
        r"^(?:email|print)\s+this\s+(?:article|story|page)\b",
        r"^click\s+to\s+(?:share|tweet|email|print)\b",
        r"^(?:like|enjoy(?:ed)?|love)\s+this\s+(?:story|article|post)\s*\?\s*share\b",
        r"^like\s+this\s*:\s*$|^like\s+loading\W*$",  # WordPress's like button
        # Newsletter and subscription prompts.
        r"^(?:subscribe|sign\s+up|signup|register)\b.{0,120}\bnewsletters?\b",
        r"^(?=.*\byour\s+inbox\b).*\b(?:newsletters?|subscrib\w*|sign\s+up)\b",
        r"^[\w'’&.\- ]{0,40}\bnewsletters?\s*$",
        # "Follow us on Twitter", "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube".
        r"\bfollow\s+us\s+(?:on|@)",
        r"^follow\s+[^.]{0,60}\bon\s+(?:twitter|facebook|instagram|linkedin|youtube|threads|x)\b",
        # Links to other articles.
        r"^\[?(?:related(?:\s+(?:post|story|article|content|coverage|reading))?|read\s+more|"
        r"see\s+more|also\s+read|read\s+also|more\s+from|recommended)\s*[:：]",
        r"^(?:you\s+(?:may|might)\s+also\s+like|don['’]t\s+miss|"
        r"most\s+(?:read|popular)(?:\s+in\s+[\w\s]+)?)\s*[:.…]*\s*$",
        # Reprint and print tools.
        r"^-?\s*(?:order\s+reprints|print\s+(?:this\s+)?article|reprints\s+&\s+permissions)\s*$",
        r"^this\s+copy\s+is\s+for\s+your\s+personal,\s+non-commercial\s+use\s+only\b",
    )
)
# A share button's label glued to the end of the sentence it quotes ("...every day.Click To
# Tweet"): the sentence is the article's, the label is not.
_TRAILING_SHARE = re.compile(r"\s*\bclick\s+to\s+tweet\s*$", re.IGNORECASE)
# A cell boundary of trafilatura's table rows (a pipe inside a cell is written "\|").
_CELL = re.compile(r"(?<!\\)\|")


def unwrap_layout_row(line: str) -> str:
    """The text of a one-cell table row (``| text |`` or ``| | text |``); other lines as given."""
    stripped = line.strip()
    if not stripped.startswith("|"):
        return line
    cells = [cell.strip() for cell in _CELL.split(stripped.strip("|"))]
    filled = [cell for cell in cells if cell]
    if len(filled) != 1 or set(filled[0]) <= set("-:"):
        return line
    return filled[0].replace("\\|", "|")


def is_boilerplate(line: str) -> bool:
    """Whether one line of extracted text is page furniture: a credit, a prompt, a notice."""
    text = line.strip()
    if not text:
        return True
    if len(text) <= _SHORT and (_TRAILING_CREDIT.search(text) or _CREDIT_LINE.match(text)):
        return True
    return len(text) <= _SHORT and any(p.search(text) for p in _PATTERNS)


def clean_lines(lines: Iterable[str]) -> list[str]:
    """The lines of an extracted text without page furniture, layout-table pipes removed."""
    kept = []
    for line in lines:
        text = _TRAILING_SHARE.sub("", unwrap_layout_row(line))
        if not is_boilerplate(text):
            kept.append(text)
    return kept
