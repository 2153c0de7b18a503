"""docs/researchers.md's code runs as written: its Python blocks in order, as one session, its
SQL with DuckDB and its ``pairs export`` commands, against generated archives."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.manifest import write_manifest
from tests.unit.corpus.builders import (
    PositionalAligner,
    build_archive,
    error_pairs,
    full_pairs,
    generated_pairs,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "researchers.md"
# Only runnable lines: not the usage line with alternatives (a|b, [--option]).
_RUNNABLE = re.compile(r"^python -m crawler pairs export [^|\[\]]*$")


def _blocks(text: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block, in document order."""
    return re.findall(r"^```(\w+)\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``archives/`` as the page describes it: t2 (the replica corpus, with a WARC file), t1
    (failures only, fully populated lines, generated pairs), and the default archive."""
    archives = tmp_path / "archives"
    (archives / "t1").mkdir(parents=True)
    (archives / "t2").mkdir()
    build_archive(archives / "t2")
    write_manifest(
        archives / "t1" / "pairs.jsonl", error_pairs() + full_pairs() + generated_pairs(200)
    )
    shutil.copy(archives / "t2" / "pairs.jsonl", archives / "pairs.jsonl")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_page_has_code_of_each_kind() -> None:
    languages = [language for language, _code in _blocks(DOC.read_text(encoding="utf-8"))]
    assert languages.count("python") >= 6 and "sql" in languages and "sh" in languages


def test_every_snippet_runs(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("pyarrow")
    datasets.disable_progress_bars()
    # What the snippets show, not how well the project's aligner aligns (tested elsewhere).
    monkeypatch.setattr("crawler.corpus.export.default_aligner", PositionalAligner)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(workdir / "hf-cache"))
    session: dict[str, Any] = {}
    ran = {"python": 0, "sql": 0, "sh": 0}
    for language, code in _blocks(DOC.read_text(encoding="utf-8")):
        if language == "python":
            exec(compile(code, f"{DOC.name} python block", "exec"), session)
        elif language == "sql":
            for statement in filter(str.strip, code.split(";")):
                assert duckdb.sql(statement).fetchall(), statement
        elif language == "sh":
            for line in code.splitlines():
                if _RUNNABLE.match(line):
                    assert main(shlex.split(line)[3:]) == 0, line
                    ran["sh"] += 1
            continue
        else:
            continue
        ran[language] += 1
    assert ran["python"] >= 6 and ran["sql"] >= 1 and ran["sh"] >= 2
    # What the snippets built holds what they say.
    assert len(session["both"]) == len(open_lines(workdir, "t1", "t2"))
    assert set(session["typed"].columns) == set(session["flat"].columns)
    assert session["paragraphs"].num_rows > 0


def open_lines(workdir: Path, *names: str) -> list[str]:
    lines = []
    for name in names:
        lines += (workdir / "archives" / name / "pairs.jsonl").read_text("utf-8").splitlines()
    return lines
