"""Title lines of the real T1/T2 blogs: ``{title}({Publication})―{comment}`` and its variants.

The strings are the real examples quoted in the project's issue on the blogs' conventions; the
seed page's own title lines are checked in test_seed.py.
"""

from __future__ import annotations

import pytest

from crawler.blogger import split_title

IRON_DOME = "…核戦略を覆す"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # The real order: the outlet right after the title, the comment after the bar.
        (
            f"{IRON_DOME}(Breaking Defense)―歴史が一巡りして…",
            (IRON_DOME, "歴史が一巡りして…", "Breaking Defense"),
        ),
        (f"{IRON_DOME}(Breaking Defense)", (IRON_DOME, None, "Breaking Defense")),
        # Spaces around the bar, full-width brackets, a trailing space.
        (f"{IRON_DOME}(TWZ) ― 歴史が一巡り", (IRON_DOME, "歴史が一巡り", "TWZ")),
        (f"{IRON_DOME}（Defense News）―歴史が一巡り", (IRON_DOME, "歴史が一巡り", "Defense News")),
        (f"{IRON_DOME}(USNI News) ", (IRON_DOME, None, "USNI News")),
        # A comment but no outlet; neither (2020-22 headlines run on as sentences).
        (f"{IRON_DOME}―歴史が一巡り", (IRON_DOME, "歴史が一巡り", None)),
        (
            "米空軍は次世代戦闘機の開発を続けるがその先行きは不透明だ",
            ("米空軍は次世代戦闘機の開発を続けるがその先行きは不透明だ", None, None),
        ),
        # Parentheses that belong to the title stay in it.
        (
            "世界最大の巨人機(だった)An-225は…(TWZ)",
            ("世界最大の巨人機(だった)An-225は…", None, "TWZ"),
        ),
        ("(続報)F-47の初飛行(The War Zone)", ("(続報)F-47の初飛行", None, "The War Zone")),
        ("極超音速兵器の現状(2)", ("極超音速兵器の現状(2)", None, None)),
        # An acronym alone is an outlet only when it is one the blogs cite (TWZ, not NGAD).
        ("空軍のNGAD計画(NGAD)―延期か", ("空軍のNGAD計画(NGAD)", "延期か", None)),
        # Prefixes stay part of the title.
        ("主張 日本の防衛費(The Hill)―議論", ("主張 日本の防衛費", "議論", "The Hill")),
        (
            "DSEIジャパンニュース 英国が新型艦を紹介(Naval News)",
            ("DSEIジャパンニュース 英国が新型艦を紹介", None, "Naval News"),
        ),
        # The order this project first assumed is still read.
        (
            f"{IRON_DOME}―歴史が一巡り(Breaking Defense)",
            (IRON_DOME, "歴史が一巡り", "Breaking Defense"),
        ),
        # A lower-case parenthesis is no outlet (a real Blogger title from another blog).
        ("Bhindi masala (okra stir fry)", ("Bhindi masala (okra stir fry)", None, None)),
    ],
)
def test_split_title(line: str, expected: tuple[str, str | None, str | None]) -> None:
    assert split_title(line) == expected
