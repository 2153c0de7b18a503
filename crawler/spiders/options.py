"""The spider options given as ``-a name=value``, read and refused with the value named."""

from __future__ import annotations

from datetime import date


def parse_day(value: str | None, name: str) -> date | None:
    """A ``since``/``until`` day (YYYY-MM-DD); None when not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2025-02-07, not {value!r}") from None


def parse_limit(value: str | int | None) -> int | None:
    """A ``limit`` of posts: a positive number (``limit=0`` would crawl nothing silently)."""
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValueError(f"limit must be a positive number of posts, not {value!r}")
    return limit
