"""docs/researchers.md stays true to the commands and the export formats."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from crawler.cli import build_parser
from crawler.corpus.export import _tmx_props
from crawler.corpus.report import REVIEW_COUNT
from crawler.corpus.stats import CONFIDENCE_BINS

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "researchers.md"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_pairs_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    pairs = _subparsers(build_parser())["pairs"]
    for name, command in _subparsers(pairs).items():
        assert f"pairs {name}" in text
        for action in command._actions:
            long = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            for option in long:
                assert option in text, f"pairs {name} {option} is not documented"


def test_documented_tmx_props_and_figures_match_the_code() -> None:
    from crawler.corpus.export import Segment

    text = DOC.read_text(encoding="utf-8")
    segment = Segment(
        pair_id="0" * 16, number=1, kind="1-1", en_url="https://a.example/", ja_url="https://b.example/",
        en="a", ja="b", score=0.5, confidence=0.5,
    )  # fmt: skip
    for name, _ in _tmx_props(segment):
        assert f"`{name}`" in text
    assert f"{CONFIDENCE_BINS}-bin" in text
    assert f"the {REVIEW_COUNT} lowest-confidence" in text


def test_links_to_the_manifest_doc_resolve() -> None:
    text = DOC.read_text(encoding="utf-8")
    manifest = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", manifest, flags=re.M)
    }
    for anchor in re.findall(r"\(manifest\.md#([^)]+)\)", text):
        assert anchor in anchors
