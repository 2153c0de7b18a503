"""Every setting of the project's own is documented, with its default."""

from __future__ import annotations

from pathlib import Path

from crawler import defaults

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_project_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in defaults.SETTINGS if f"`{name}`" not in text]
    assert missing == []
