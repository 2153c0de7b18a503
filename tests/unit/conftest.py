"""Fixtures shared by the unit tests of several modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler import dates


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What reaches dateparser from now on; it answers nothing (and its cache forgets that)."""
    asked: list[str] = []

    def refuse(text: str, *_: object, **__: object) -> None:
        asked.append(text)

    monkeypatch.setattr(dates.dateparser, "parse", refuse)
    dates._parse_with_dateparser.cache_clear()
    yield asked
    dates._parse_with_dateparser.cache_clear()
