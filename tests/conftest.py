"""Shared fixtures: the optional real-page fixtures that live beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

# Real pages copied from public test suites are kept beside the project, never inside it.
REALPAGES = Path(__file__).resolve().parents[1].parent / "shared" / "realpages"


@pytest.fixture(scope="session")
def realpages() -> Path:
    """The real-pages folder; tests that need it skip cleanly where it is absent."""
    if not REALPAGES.is_dir():
        pytest.skip(f"real-page fixtures not present at {REALPAGES}")
    return REALPAGES
