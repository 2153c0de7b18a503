"""One-line image captions: a Latin-script credit before the Japanese caption is split off."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from crawler.blogger.body import Caption, _caption


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("USAF 米空軍が公開した想像図", Caption("USAF", "米空軍が公開した想像図")),
        ("U.S. Navy photo 米海軍の写真", Caption("U.S. Navy photo", "米海軍の写真")),
        ("(Getty Images) 記者会見の様子", Caption("(Getty Images)", "記者会見の様子")),
        ("米空軍の写真", Caption("", "米空軍の写真")),
        ("Lockheed Martin", Caption("Lockheed Martin", "")),
        ("F-35A 戦闘機の編隊", Caption("", "F-35A 戦闘機の編隊")),
        ("USAF米空軍", Caption("", "USAF米空軍")),
        ("USAF<br>米空軍の想像図", Caption("USAF", "米空軍の想像図")),
    ],
)
def test_caption_cells(cell: str, expected: Caption) -> None:
    assert _caption(fromstring(f'<td class="tr-caption">{cell}</td>')) == expected
