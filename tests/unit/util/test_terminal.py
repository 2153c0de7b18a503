"""Hostile page text never reaches the terminal raw: controls and bidi overrides are shown, not
obeyed, by every command that prints page-derived text; the manifest keeps the text as it was."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.manifest import STATUS_OK, pair_id, read_manifest, write_manifest
from crawler.util.terminal import INVISIBLE, PrintableBytes, PrintableText, echo, printable
from tests.unit.manifest.builders import TRANSLATION_URL, full_pair, source, translation

ESC_RED = "\x1b[31m"
SET_TITLE = "\x1b]0;pwned\x07"  # OSC: sets the window title, ends with BEL
RLO = "\u202e"
HOSTILE_TITLE = f"{ESC_RED}赤い題名{SET_TITLE}\u2066隠す\u2069{RLO}txt.exe\x9b2J\r上書き"
HOSTILE_TEXT = f"第一段落{ESC_RED}。\n\n第二段落\x07\x00\x7f\x85。"


def raw_controls(text: str) -> set[str]:
    """The characters a terminal would obey, found in ``text``."""
    return {char for char in text if char in INVISIBLE}


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bell\x07", "bell\\x07"),
        ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
        ("cr\roverwrite", "cr\\x0doverwrite"),
        ("csi\x9b2J nel\x85", "csi\\x9b2J nel\\x85"),  # C1 controls
        ("abc\u202etxt.exe", "abc\\u202etxt.exe"),  # RLO
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),  # LRE RLE PDF LRO
        ("\u2066a\u2067b\u2068c\u2069", "\\u2066a\\u2067b\\u2068c\\u2069"),  # isolates
        ("line\nnext\tcell", "line\nnext\tcell"),  # kept
        ("日本語のテキスト、English too — ①②", "日本語のテキスト、English too — ①②"),
        ("\u200d\u00a0\u3000", "\u200d\u00a0\u3000"),  # ZWJ, NBSP, ideographic space: harmless
    ],
)
def test_printable_shows_controls_and_bidi_overrides(hostile: str, shown: str) -> None:
    assert printable(hostile) == shown
    assert printable(printable(hostile)) == printable(hostile)


def test_every_c0_c1_and_bidi_override_character_is_made_visible() -> None:
    expected = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} - {"\n", "\t"}
    expected |= {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    assert set(INVISIBLE) == expected
    everything = "".join(sorted(expected))
    assert raw_controls(printable(everything)) == set()


def test_echo_and_the_stream_wrappers_use_the_same_function() -> None:
    out = io.StringIO()
    echo("a", HOSTILE_TITLE, file=out)
    assert out.getvalue() == printable(f"a {HOSTILE_TITLE}") + "\n"
    text = io.StringIO()
    PrintableText(text).write(HOSTILE_TEXT)
    assert text.getvalue() == printable(HOSTILE_TEXT)
    binary = io.StringIO()
    wrapped = PrintableBytes(binary)
    data = HOSTILE_TITLE.encode()
    for index in range(len(data)):  # one byte at a time: characters split across writes
        wrapped.write(data[index : index + 1])
    wrapped.flush()
    assert binary.getvalue() == printable(HOSTILE_TITLE)


@pytest.fixture
def hostile_manifest(tmp_path: Path) -> Path:
    pair = full_pair(
        translation=translation(title=HOSTILE_TITLE, text=HOSTILE_TEXT, warc=None),
        source=source(
            title=f"Source {RLO}eltit{ESC_RED}",
            text=f"First{SET_TITLE} paragraph.\n\nSecond \u2067paragraph\u2069.",
            warc=None,
        ),
        status=STATUS_OK,
    )
    path = tmp_path / "pairs.jsonl"
    write_manifest(path, [pair])
    return path


def test_the_manifest_keeps_the_text_as_it_was(hostile_manifest: Path) -> None:
    (pair,) = read_manifest(hostile_manifest)
    assert pair.translation.title == HOSTILE_TITLE
    assert pair.translation.text == HOSTILE_TEXT


def test_pairs_show_prints_no_control_character(
    hostile_manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (pair,) = read_manifest(hostile_manifest)
    code = main(
        ["pairs", "show", pair.pair_id[:8], "--manifest", str(hostile_manifest), "--no-align"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert raw_controls(out) == set(), out
    assert "\\x1b[31m赤い題名\\x1b]0;pwned\\x07" in out
    assert "\\u202etxt.exe" in out and "Source \\u202eeltit" in out
    assert "第一段落\\x1b[31m。" in out
    assert "First\\x1b]0;pwned\\x07 paragraph." in out


def test_pairs_show_keeps_its_columns_with_escapes_in_the_text(
    hostile_manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The escapes are made before the layout, so each column is as wide as it claims."""
    from crawler.corpus.textwidth import display_width

    (pair,) = read_manifest(hostile_manifest)
    main(
        [
            "pairs",
            "show",
            pair.pair_id,
            "--manifest",
            str(hostile_manifest),
            "--no-align",
            "--width",
            "60",
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Japanese (translation)"))
    rows = [line for line in lines[start + 1 :] if " │ " in line]
    assert rows
    assert {display_width(line.split(" │ ")[0]) for line in rows} == {28}


def test_pairs_stats_prints_no_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_host = f"https://news\x1bc.example{RLO}.com/x"  # ESC c resets the terminal
    pair = full_pair(
        pair_id=pair_id(TRANSLATION_URL, hostile_host),
        cited_url=hostile_host,
        source=source(cited_url=hostile_host, url=hostile_host, warc=None),
        translation=translation(warc=None),
    )
    path = tmp_path / "pairs.jsonl"
    write_manifest(path, [pair])
    assert main(["pairs", "stats", "--manifest", str(path)]) == 0
    out = capsys.readouterr().out
    assert raw_controls(out) == set(), out
    assert "news\\x1bc.example\\u202e.com" in out


def test_pairs_errors_print_no_control_character(
    hostile_manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pairs", "show", "\x1b[2J", "--manifest", str(hostile_manifest)]) == 1
    err = capsys.readouterr().err
    assert raw_controls(err) == set(), err
    assert "\\x1b[2j" in err  # the id is read in lower case


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def buffer(self) -> io.BytesIO:  # what a real terminal's sys.stdout has
        raise AssertionError("bytes must not go to a terminal raw")


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx"])
def test_exports_to_a_terminal_show_controls_but_files_keep_them(
    hostile_manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["pairs", "export", "--manifest", str(hostile_manifest), "--format", fmt]) == 0
    shown = terminal.getvalue()
    assert shown and raw_controls(shown) == set(), shown
    assert "Second \\u2067paragraph\\u2069." in shown
    monkeypatch.undo()
    output = tmp_path / f"out.{fmt}"
    assert (
        main(
            [
                "pairs",
                "export",
                "--manifest",
                str(hostile_manifest),
                "--format",
                fmt,
                "-o",
                str(output),
            ]
        )
        == 0
    )
    kept = output.read_text(encoding="utf-8")
    # Files are data: what the page said, as it said it.
    assert "Second \u2067paragraph\u2069." in kept


def test_filter_to_a_terminal_shows_controls(
    hostile_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["pairs", "filter", "--manifest", str(hostile_manifest)]) == 0
    shown = terminal.getvalue()
    assert shown and raw_controls(shown) == set(), shown
    assert "\\u202etxt.exe" in shown  # JSON writes RLO raw; the terminal gets its escape


def test_verify_prints_no_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / f".evil{ESC_RED}{RLO}name.abcdefgh.tmp").write_bytes(b"")
    assert main(["verify", str(archive)]) == 1
    out = capsys.readouterr().out
    assert raw_controls(out) == set(), out
    assert "evil\\x1b[31m\\u202ename" in out


def test_a_rewritten_pair_does_not_change_when_shown(hostile_manifest: Path) -> None:
    """Showing a pair reads the manifest only: the file is byte for byte what it was."""
    before = hostile_manifest.read_bytes()
    (pair,) = read_manifest(hostile_manifest)
    main(["pairs", "show", pair.pair_id, "--manifest", str(hostile_manifest), "--no-align"])
    assert hostile_manifest.read_bytes() == before
    assert replace(pair).translation.title == HOSTILE_TITLE
