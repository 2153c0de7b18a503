from __future__ import annotations

import json
from pathlib import Path

from crawler.archive import build_cdxj_index
from tests.unit.archive.builders import make_exchange
from tests.unit.archive.conftest import ArchiveFactory


def entries(index: Path) -> list[tuple[str, str, dict[str, str]]]:
    result = []
    for line in index.read_text(encoding="utf-8").splitlines():
        urlkey, timestamp, data = line.split(" ", 2)
        result.append((urlkey, timestamp, json.loads(data)))
    return result


def test_index_lists_every_response_and_revisit(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(max_file_size=1)
    written = [
        archive.write_exchange(make_exchange(url="https://b.example.com/page?x=1")),
        archive.write_exchange(make_exchange(url="https://a.example.com/", body=b"synthetic a")),
        archive.write_exchange(make_exchange(url="https://c.example.com/copy")),  # revisit
        archive.write_exchange(make_exchange(url="https://a.example.com/gone", status=404)),
    ]
    archive.close()

    index = build_cdxj_index(directory)
    assert index == directory / "index.cdxj"
    lines = index.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    found = {(e["filename"], int(e["offset"])): (key, ts, e) for key, ts, e in entries(index)}
    assert set(found) == {(w.record.filename, w.record.offset) for w in written}
    key, timestamp, entry = found[(written[0].record.filename, written[0].record.offset)]
    assert key == "com,example,b)/page?x=1"
    assert timestamp == "20250301040506"
    assert entry["url"] == "https://b.example.com/page?x=1"
    assert entry["status"] == "200"
    assert entry["digest"] == written[0].payload_digest
    assert entry["mime"] == "text/html"
    revisit = found[(written[2].record.filename, written[2].record.offset)][2]
    assert revisit["mime"] == "warc/revisit"
    # the length is the whole gzip member: it opens on its own
    path = directory / entry["filename"]
    assert int(entry["offset"]) + int(entry["length"]) == written[0].request.offset
    assert path.stat().st_size > int(entry["length"])


def test_index_leaves_out_open_files_and_replaces_atomically(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    closed = make_archive(directory)
    closed.write_exchange(make_exchange())
    closed.close()
    still_open = make_archive(directory)
    still_open.write_exchange(make_exchange(url="https://news.example.com/in-progress"))

    index = build_cdxj_index(directory)
    assert [e["filename"] for _, _, e in entries(index)] == closed.closed_files
    assert sorted(p.name for p in directory.iterdir() if p.suffix == ".tmp") == []
    still_open.close()
    assert len(entries(build_cdxj_index(directory))) == 2


def test_index_to_another_path(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    archive = make_archive()
    archive.write_exchange(make_exchange())
    archive.close()
    output = build_cdxj_index(tmp_path / "warcs", tmp_path / "elsewhere.cdxj")
    assert output == tmp_path / "elsewhere.cdxj"
    assert len(entries(output)) == 1
    assert not (tmp_path / "warcs" / "index.cdxj").exists()


def test_index_of_empty_directory_is_empty(tmp_path: Path) -> None:
    assert build_cdxj_index(tmp_path).read_text(encoding="utf-8") == ""
