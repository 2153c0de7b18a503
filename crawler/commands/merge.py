"""``python -m crawler merge OUT_DIR NODE_DIR...``: one archive and manifest from a distributed
crawl's nodes (docs/distributed.md)."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.commands.options import ExamplesFormatter, add_workers, examples
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="merge the archives of a distributed crawl's nodes and rebuild the one manifest",
        description=(
            "Hard-link (or copy, across file systems) every closed WARC file of the NODE_DIRs "
            "into OUT_DIR, refusing a name clash, then rebuild OUT_DIR/pairs.jsonl from the "
            "crawl-log records of all of them (as 'rebuild' does) and index them "
            "(OUT_DIR/index.cdxj). Merging again after more crawls adds their files. "
            "Makes no network access."
        ),
        epilog=examples(
            "python -m crawler merge archives/t2 /data/node1/t2 /data/node2/t2",
            "    archives/t2 gets both nodes' WARC files, one pairs.jsonl and one index.cdxj",
        ),
        formatter_class=ExamplesFormatter,
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("node_dirs", type=Path, nargs="+", metavar="NODE_DIR")
    add_workers(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the reading code (trafilatura, lxml) is slow to import for other commands.
    from crawler.archive.lock import ArchiveLocked
    from crawler.manifest import ManifestError
    from crawler.manifest.rejected import report_repairs
    from crawler.merge import MergeError, merge_nodes
    from crawler.rebuild import RebuildError

    if args.workers < 1:
        echo("merge: --workers must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = merge_nodes(args.out_dir, list(args.node_dirs), workers=args.workers)
    except (MergeError, ArchiveLocked, RebuildError, ManifestError, OSError) as error:
        echo(f"merge: {error}", file=sys.stderr)
        return 1
    plan, rebuilt = result.plan, result.rebuild
    for path in plan.left_open:
        echo(
            f"merge: left out {path} (still being written, or left by a killed crawl: the "
            "next crawl into that node closes it)",
            file=sys.stderr,
        )
    statuses = Counter(pair.status for pair in rebuilt.pairs)
    counts = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())) or "none"
    echo(
        f"Merged {len(args.node_dirs)} node(s) into {args.out_dir}: {result.linked} WARC files "
        f"linked, {result.copied} copied, {len(plan.present)} already there."
    )
    echo(
        f"Rebuilt from {rebuilt.files} WARC files: {rebuilt.crawls} crawl(s), {rebuilt.posts} "
        f"posts, {rebuilt.sources} sources; wrote {result.manifest}: {result.pairs} pairs "
        f"({counts}); indexed {result.index}; {time.perf_counter() - started:.2f} s."
    )
    return 1 if report_repairs("merge", result.repaired, result.manifest.parent) else 0
