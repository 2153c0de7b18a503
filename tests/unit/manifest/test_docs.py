"""docs/manifest.md stays true: its example line, statuses, fields and code run as written."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.manifest import STATUS_DESCRIPTIONS, Pair, load_schema, pair_id

DOC = Path(__file__).resolve().parents[3] / "docs" / "manifest.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _blocks(doc: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", doc, flags=re.DOTALL)


def _example(doc: str) -> dict[str, Any]:
    [example] = _blocks(doc.split("## Example line", 1)[1], "json")
    data: dict[str, Any] = json.loads(example)
    return data


def test_example_line_is_valid_and_marked_synthetic(doc: str) -> None:
    example = _example(doc)
    assert Pair.from_json(example).to_json() == example
    assert "Synthetic example" in doc.split("## Example line", 1)[1]


def test_pair_id_recipe_in_the_doc_gives_the_ids(doc: str) -> None:
    [recipe] = [b for b in _blocks(doc, "python") if "hashlib.sha256" in b]
    line = _example(doc)
    expression = recipe.strip().splitlines()[-1]
    assert eval(expression, {"hashlib": hashlib, "line": line}) == line["pair_id"]
    assert line["pair_id"] == pair_id(line["translation"]["url"], line["cited_url"])


def test_every_status_is_documented_with_its_description(doc: str) -> None:
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", doc.split("## Statuses", 1)[1], re.MULTILINE)
    assert {status: text.strip() for status, text in rows} == dict(STATUS_DESCRIPTIONS)


@pytest.mark.parametrize(
    "section", ["", "translation", "citation", "source", "warc", "caption", "evidence"]
)
def test_every_schema_field_is_documented(doc: str, section: str) -> None:
    schema = load_schema()
    properties = schema["$defs"][section]["required"] if section else schema["required"]
    missing = [name for name in properties if f"`{name}`" not in doc]
    assert missing == []


def test_warc_reading_example_opens_the_pointed_record(doc: str, tmp_path: Path) -> None:
    [snippet] = [b for b in _blocks(doc, "python") if "def open_archived" in b]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)
    open_archived = namespace["open_archived"]

    path = tmp_path / "TEST-00000.warc.gz"
    pointers = []
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for number, body in enumerate([b"<html>first (synthetic)</html>", "二番目".encode()]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            record = writer.create_warc_record(
                f"https://www.example.com/{number}",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=headers,
            )
            offset = f.tell()
            writer.write_record(record)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            pointers.append({"filename": path.name, "offset": offset, "record_id": record_id})

    assert open_archived(tmp_path, pointers[1]) == ("response", "200", "二番目".encode())
    assert open_archived(tmp_path, pointers[0])[2] == b"<html>first (synthetic)</html>"
    with pytest.raises(ValueError, match="does not match"):
        open_archived(tmp_path, pointers[0] | {"record_id": pointers[1]["record_id"]})
