"""Links to a pair's archived copies: the ``pairs show`` command line and pywb replay URLs timed
by the archive's own CDXJ index."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from crawler.archive.index import build_cdxj_index
from crawler.archive.pointer import WarcPointer
from crawler.cli import build_parser
from crawler.corpus.replay import ReplayLinks, read_capture_times, replay_base, show_command
from tests.unit.corpus.builders import WARC_DATE, WARC_NAME, CorpusFixture

BASE = "http://localhost:8080/t2/"


def test_show_command_is_a_valid_command_line() -> None:
    command = show_command("6a117123acf4f883", Path("my archives/t2"))
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "crawler"]
    args = build_parser().parse_args(words[3:])
    assert (args.command, args.pairs_command) == ("pairs", "show")
    assert args.pair_id == "6a117123acf4f883"
    assert args.archive_dir == Path("my archives/t2") and args.archive is None  # not deprecated
    assert show_command("6a117123").endswith("pairs show 6a117123")


def test_replay_base() -> None:
    assert replay_base("http://localhost:8080/t2") == BASE
    assert replay_base(BASE) == BASE
    for bad in ("ftp://host/coll/", "localhost:8080/coll/", "http:///coll/", "http://h/c/?q=1"):
        with pytest.raises(ValueError):
            replay_base(bad)


def test_capture_times_come_from_the_index(corpus: CorpusFixture, tmp_path: Path) -> None:
    # A copy: indexing writes fragments beside the WARC file, and the fixture is shared.
    shutil.copyfile(corpus.archive / WARC_NAME, tmp_path / WARC_NAME)
    index = build_cdxj_index(tmp_path)
    times = read_capture_times(index)
    pair = corpus.archived
    assert pair.source is not None and pair.translation.warc and pair.source.warc
    stamp = "".join(c for c in WARC_DATE if c.isdigit())
    translation, source = pair.translation.warc, pair.source.warc
    assert times[translation.filename, translation.offset] == stamp
    assert times[source.filename, source.offset] == stamp
    links = ReplayLinks(BASE, times)
    assert links.translation(pair) == f"{BASE}{stamp}id_/{pair.translation.url}"
    assert links.source(pair) == f"{BASE}{stamp}id_/{pair.source.url}"


def test_without_an_index_entry_the_line_time_is_used(corpus: CorpusFixture) -> None:
    links = ReplayLinks(BASE, {})
    pointer = WarcPointer("OTHER.warc.gz", 10, "<urn:uuid:x>")
    url = "https://www.twz.com/a"
    assert links.url(pointer, url, "2025-03-04T05:06:07.5Z") == f"{BASE}20250304050607id_/{url}"
    assert links.url(None, url, "2025-03-04T05:06:07Z") is None
    unarchived = next(p for p in corpus.pairs if p.source is None)
    assert links.source(unarchived) is None


def test_unreadable_index_lines_are_skipped(tmp_path: Path) -> None:
    index = tmp_path / "index.cdxj"
    index.write_text(
        "!meta 0 {}\n"
        'com,twz)/a 20250101000000 {"url": "https://www.twz.com/a", "offset": "12", '
        '"filename": "A.warc.gz"}\n'
        "com,twz)/b 20250101000000 not json\n",
        encoding="utf-8",
    )
    assert read_capture_times(index) == {("A.warc.gz", 12): "20250101000000"}
    assert read_capture_times(tmp_path / "missing.cdxj") == {}
