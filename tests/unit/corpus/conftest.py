"""The corpus fixture: a manifest built from the replica corpus, shared by the corpus tests."""

from __future__ import annotations

import pytest

from tests.unit.corpus.builders import CorpusFixture, build_archive


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusFixture:
    return build_archive(tmp_path_factory.mktemp("corpus-archive"))
