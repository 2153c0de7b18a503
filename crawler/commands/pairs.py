"""``python -m crawler pairs stats|show|export|filter``: the manifest as a corpus, for researchers.

Argument parsing and output only; the work is done by :mod:`crawler.corpus`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

from crawler import defaults
from crawler.archive.layout import MANIFEST_NAME
from crawler.commands.options import documented
from crawler.corpus import (
    FORMATS,
    LEVELS,
    Aligner,
    PairFilter,
    compute_stats,
    default_aligner,
    format_stats,
    render_pair,
    segments,
    select_pairs,
    write_jsonl,
    write_tmx,
    write_tsv,
)
from crawler.corpus.export import PARQUET_INSTALL, Segment
from crawler.manifest import STATUS_OK, STATUSES, ManifestError, Pair, read_manifest, write_manifest
from crawler.outcome import EXIT_USAGE
from crawler.util.terminal import PrintableBytes, PrintableText, echo, is_terminal

DEFAULT_MANIFEST = Path(defaults.ARCHIVE_DIR) / MANIFEST_NAME


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pairs",
        help="figures, side-by-side view, exports and subsets of the pairs manifest",
        **documented(
            "Read the pairs manifest of an archive as a corpus: ARCHIVE_DIR (default "
            f"{defaults.ARCHIVE_DIR}/) reads ARCHIVE_DIR/{MANIFEST_NAME}, --manifest FILE reads "
            "another manifest.",
            _EXAMPLES,
        ),
    )
    actions = parser.add_subparsers(dest="pairs_command", required=True)
    source = _source_options()
    filters = _filter_options()

    stats = actions.add_parser(
        "stats",
        parents=[source, filters],
        help="counts by status, source site and month; confidence and length ratios",
        **documented(
            "Counts by status, source site and month; confidence and length ratios.",
            _example("stats archives/t2", "stats archives/t2 --site twz.com --since 2025-01-01"),
        ),
    )
    stats.set_defaults(func=run_stats)

    show = actions.add_parser(
        "show",
        parents=[source],
        help="both texts side by side with the WARC provenance of both records",
        **documented(
            "Both texts of one pair side by side, with the WARC provenance of both records.",
            _example("show archives/t2 3f2a9c", "show --manifest subset.jsonl 3f2a9c --width 160"),
        ),
    )
    show.add_argument("pair_id", metavar="PAIR_ID", help="a pair_id or a unique prefix of one")
    show.add_argument("--width", type=int, help="columns (default: the terminal's width)")
    show.add_argument(
        "--no-align", action="store_true", help="put paragraphs side by side in order"
    )
    show.set_defaults(func=run_show)

    export = actions.add_parser(
        "export",
        parents=[source, filters],
        help="parallel segments as JSON Lines, Bitextor-style TSV, TMX 1.4b or Parquet",
        **documented(
            f"Export pairs with text on both sides; only status {STATUS_OK!r} unless --status "
            "is given.",
            _example(
                "export archives/t2 --format tmx --level paragraph -o t2.tmx",
                "export archives/t2 --format tsv --min-confidence 0.8 > t2.tsv",
            ),
        ),
    )
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--level", choices=LEVELS, default="document")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)

    filter_ = actions.add_parser(
        "filter",
        parents=[source, filters],
        help="write the matching manifest lines",
        **documented(
            "Write the manifest lines that match the selection, sorted and validated.",
            _example(
                "filter archives/t2 --status ok -o ok.jsonl",
                "filter --manifest ok.jsonl --site 'The War Zone'",
            ),
        ),
    )
    filter_.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    filter_.set_defaults(func=run_filter)


def _example(*commands: str) -> str:
    return "examples:\n" + "".join(f"  python -m crawler pairs {c}\n" for c in commands)


_EXAMPLES = _example(
    "stats archives/t2",
    "show archives/t2 3f2a9c",
    "export archives/t2 --format tmx -o t2.tmx",
    "filter archives/t2 --status ok -o ok.jsonl",
    "stats --manifest ok.jsonl",
)


def _source_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "archive_dir",
        nargs="?",
        type=Path,
        metavar="ARCHIVE_DIR",
        help=f"the archive whose {MANIFEST_NAME} to read (default: {defaults.ARCHIVE_DIR}/)",
    )
    group = parent.add_mutually_exclusive_group()
    group.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="a manifest file to read instead of an archive's (its WARC files are beside it)",
    )
    # Before ARCHIVE_DIR was positional; scheduled jobs may still give it so.
    group.add_argument(
        "--archive", type=Path, metavar="DIR", help="deprecated: give ARCHIVE_DIR instead"
    )
    return parent


def _source_problem(args: argparse.Namespace) -> str | None:
    """Settle where the manifest is (``args.archive_dir``); what is wrong with the command
    line, if anything. ``--archive DIR`` still works, and says it is deprecated."""
    if args.archive is not None:
        if args.archive_dir is not None:
            return "give the archive directory once: ARCHIVE_DIR, not also --archive"
        echo(
            f"pairs: --archive DIR is deprecated: give the archive directory first, as in "
            f"`python -m crawler pairs {args.pairs_command} {args.archive}`",
            file=sys.stderr,
        )
        args.archive_dir = args.archive
    if args.archive_dir is not None and args.manifest is not None:
        return "give ARCHIVE_DIR or --manifest FILE, not both"
    if args.archive_dir is not None and Path(args.archive_dir).is_file():
        return f"{args.archive_dir} is a file: give it as --manifest {args.archive_dir}"
    return None


def _filter_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("selection")
    group.add_argument(
        "--status", action="append", choices=STATUSES, help="keep this status (repeatable)"
    )
    group.add_argument("--since", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    group.add_argument("--until", type=date.fromisoformat, help="published on or before YYYY-MM-DD")
    group.add_argument(
        "--site",
        action="append",
        help="source host (www. optional) or site name, e.g. twz.com or 'The War Zone'",
    )
    group.add_argument("--min-confidence", type=float, metavar="X", help="confidence >= X")
    return parent


def manifest_path(args: argparse.Namespace) -> Path:
    if args.archive_dir is not None:
        return Path(args.archive_dir) / MANIFEST_NAME
    return Path(args.manifest) if args.manifest is not None else DEFAULT_MANIFEST


def archive_dir(args: argparse.Namespace) -> Path:
    """Where the WARC files are: the archive directory, or the manifest's own directory."""
    return Path(args.archive_dir) if args.archive_dir is not None else manifest_path(args).parent


def pair_filter(args: argparse.Namespace, default_statuses: frozenset[str] | None) -> PairFilter:
    return PairFilter(
        statuses=frozenset(args.status) if args.status else default_statuses,
        since=args.since,
        until=args.until,
        sites=frozenset(args.site) if args.site else None,
        min_confidence=args.min_confidence,
    )


def _read(args: argparse.Namespace) -> list[Pair]:
    return list(read_manifest(manifest_path(args)))


def _fail(message: str, code: int = 2) -> int:
    echo(f"pairs: {message}", file=sys.stderr)
    return code


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a bad source or an unreadable manifest into one line on stderr and exit status 2."""

    def guarded(args: argparse.Namespace) -> int:
        problem = _source_problem(args)
        if problem is not None:
            return _fail(problem, EXIT_USAGE)
        try:
            result = run(args)
        except FileNotFoundError as error:
            return _fail(f"{error.filename}: no such file")
        except ManifestError as error:
            return _fail(str(error))
        return result

    guarded.__doc__ = run.__doc__
    return guarded


@_guarded
def run_stats(args: argparse.Namespace) -> int:
    chosen = select_pairs(_read(args), pair_filter(args, None))
    echo(format_stats(compute_stats(chosen)))
    return 0


@_guarded
def run_show(args: argparse.Namespace) -> int:
    wanted = args.pair_id.strip().lower()
    found = [pair for pair in _read(args) if pair.pair_id.startswith(wanted)]
    if not found:
        return _fail(f"no pair {wanted!r} in {manifest_path(args)}", 1)
    if len(found) > 1:
        return _fail(f"{wanted!r} is the start of {len(found)} pair ids; give more characters")
    aligner: Aligner | None = None
    if not args.no_align:
        try:
            aligner = default_aligner()
        except ImportError:
            aligner = None
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    text, ok = render_pair(found[0], archive_dir(args), width=width, aligner=aligner)
    echo(text)
    return 0 if ok else 1


@_guarded
def run_export(args: argparse.Namespace) -> int:
    chosen = select_pairs(_read(args), pair_filter(args, frozenset({STATUS_OK})))
    items = segments(chosen, level=args.level)
    if args.format == "parquet":
        return _export_parquet(args, items)
    with _output(args.output, binary=args.format == "tmx") as out:
        if args.format == "jsonl":
            count = write_jsonl(items, out)
        elif args.format == "tsv":
            count = write_tsv(items, out)
        else:
            count = write_tmx(items, out, level=args.level)
    where = args.output or "stdout"
    echo(f"pairs: {count} {args.level} segments written to {where}", file=sys.stderr)
    return 0


def _export_parquet(args: argparse.Namespace, items: Iterable[Segment]) -> int:
    if args.output is None:
        return _fail("--format parquet writes a file: give -o FILE")
    try:
        from crawler.corpus.arrow import write_parquet
    except ModuleNotFoundError as error:
        if error.name != "pyarrow":
            raise
        return _fail(f"--format parquet needs pyarrow; install it with: {PARQUET_INSTALL}")
    count = write_parquet(items, args.output, level=args.level)
    echo(f"pairs: {count} {args.level} segments written to {args.output}", file=sys.stderr)
    return 0


@_guarded
def run_filter(args: argparse.Namespace) -> int:
    chosen = list(select_pairs(_read(args), pair_filter(args, None)))
    if args.output is not None:
        count = write_manifest(args.output, chosen)
    else:
        # Through write_manifest as well, so stdout gets the same sorted, validated lines.
        with tempfile.TemporaryDirectory() as folder:
            temporary = Path(folder) / MANIFEST_NAME
            count = write_manifest(temporary, chosen)
            with _output(None, binary=True) as out, temporary.open("rb") as lines:
                shutil.copyfileobj(lines, out)
    echo(f"pairs: {count} lines written to {args.output or 'stdout'}", file=sys.stderr)
    return 0


@contextmanager
def _output(path: Path | None, binary: bool) -> Iterator[Any]:
    """Where an export goes: the file, or stdout. Data written to a terminal is shown
    printable (controls as escapes); to a file or a pipe it is written as it is."""
    out: IO[Any] | PrintableText | PrintableBytes
    if path is None:
        if is_terminal(sys.stdout):
            out = PrintableBytes(sys.stdout) if binary else PrintableText(sys.stdout)
        else:
            sys.stdout.flush()
            out = sys.stdout.buffer if binary else sys.stdout
        yield out
        out.flush()
        return
    with path.open("wb") if binary else path.open("w", encoding="utf-8", newline="\n") as out:
        yield out
