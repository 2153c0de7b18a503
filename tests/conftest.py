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


# A text dump of one real page of the target blog (four posts), kept beside the project too.
SEED_PAGE = REALPAGES.parent / "seed" / "000_0e74ed82056e5262.txt"


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    """The seed page's lines; tests that need them skip cleanly where the file is absent."""
    if not SEED_PAGE.is_file():
        pytest.skip(f"the seed page is not present at {SEED_PAGE}")
    return SEED_PAGE.read_text(encoding="utf-8").splitlines()
