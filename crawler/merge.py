"""Merge the archives of a distributed crawl's nodes into one archive with one manifest.

A post and the source it cites may have been fetched by different nodes, so no node's own manifest
has all pairs; every node's crawl-log records are in its WARC files, though, and the rebuild
recomposes the pairs from them (crawler/rebuild.py). The nodes' closed WARC files are hard-linked
(copied across file systems) into the output directory under their own names, which are unique
by construction (``PREFIX-TIMESTAMP-SERIAL-HOST-PID.warc.gz``): a WARC pointer names a file
relative to its directory, so the rebuilt manifest's pointers are valid there. A file already in
the output with the same bytes (an earlier merge) is kept; a different file of the same name is
refused before anything is linked.
"""

from __future__ import annotations

import errno
import fcntl
import filecmp
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from crawler import defaults
from crawler.archive import build_cdxj_index
from crawler.archive.lock import LOCK_NAME, ArchiveLock
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.manifest import Repair, write_manifest
from crawler.rebuild import RebuildResult, rebuild_pairs
from crawler.util.atomic import atomic_path


class MergeError(Exception):
    """The nodes cannot be merged (a name clash, a node still being crawled, a bad directory)."""


@dataclass(frozen=True)
class Placement:
    source: Path
    target: Path


@dataclass
class MergePlan:
    place: list[Placement] = field(default_factory=list)
    present: list[Path] = field(default_factory=list)  # already in the output, same bytes
    left_open: list[Path] = field(default_factory=list)  # '.open' files of the nodes


@dataclass
class MergeResult:
    plan: MergePlan
    linked: int
    copied: int
    rebuild: RebuildResult
    manifest: Path
    pairs: int
    index: Path
    repaired: list[Repair] = field(default_factory=list)  # refused by the schema, written repaired


def plan_merge(out_dir: Path, node_dirs: list[Path]) -> MergePlan:
    """Which node files go where; raises MergeError on a clash, before anything is written."""
    out_dir = Path(out_dir)
    seen_dirs: set[Path] = set()
    for node in node_dirs:
        if not Path(node).is_dir():
            raise MergeError(f"{node} is not a directory")
        resolved = Path(node).resolve()
        if resolved in seen_dirs:
            raise MergeError(f"{node} is given twice")
        if out_dir.exists() and resolved == out_dir.resolve():
            raise MergeError(f"{node} is the output directory: merge into a directory of its own")
        seen_dirs.add(resolved)
    plan = MergePlan()
    claimed: dict[str, Path] = {}
    for node in node_dirs:
        plan.left_open.extend(open_warc_files(Path(node)))
        for source in closed_warc_files(Path(node)):
            other = claimed.get(source.name)
            if other is not None:
                raise MergeError(f"name clash: {other} and {source} have the same name")
            claimed[source.name] = source
            target = out_dir / source.name
            if not target.exists():
                plan.place.append(Placement(source, target))
            elif _same_file(source, target):
                plan.present.append(target)
            else:
                raise MergeError(
                    f"name clash: {target} exists and differs from {source}; merge into a new "
                    "directory"
                )
    return plan


def merge_nodes(out_dir: Path, node_dirs: list[Path], *, workers: int | None = None) -> MergeResult:
    """Link every closed WARC file of the nodes into ``out_dir``, rebuild its manifest from them
    and index them. Holds ``out_dir``'s archive lock throughout; refuses a node being crawled."""
    out_dir = Path(out_dir)
    for node in node_dirs:
        holder = _crawl_running(Path(node))
        if holder is not None:
            raise MergeError(f"{node} is being crawled ({holder}): merge once its crawl has ended")
    plan = plan_merge(out_dir, node_dirs)
    with ArchiveLock(out_dir):
        # Planned again under the lock: another merge may have placed files meanwhile.
        plan = plan_merge(out_dir, node_dirs)
        linked = copied = 0
        for placement in plan.place:
            if _place(placement.source, placement.target):
                linked += 1
            else:
                copied += 1
        rebuilt = rebuild_pairs(out_dir, workers=workers)
        manifest = out_dir / defaults.PAIRS_MANIFEST
        repaired: list[Repair] = []
        written = write_manifest(manifest, rebuilt.pairs, repaired=repaired)
        index = build_cdxj_index(out_dir)
    return MergeResult(plan, linked, copied, rebuilt, manifest, written, index, repaired)


def _place(source: Path, target: Path) -> bool:
    """Hard-link ``source`` as ``target`` (True), or copy it when they are on different file
    systems (False); a copy appears under its name only once complete."""
    try:
        os.link(source, target)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
    with atomic_path(target) as temp:
        shutil.copyfile(source, temp)
    return False


def _same_file(a: Path, b: Path) -> bool:
    if os.path.samefile(a, b):
        return True
    return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)


def _crawl_running(node: Path) -> str | None:
    """The lock note of a crawl writing ``node`` now, else None; leaves the lock and its note
    as they are (a shared lock attempt only tests the crawl's exclusive one)."""
    path = node / LOCK_NAME
    if not path.exists():
        return None
    with path.open("rb") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            note = stream.read().decode("utf-8", "replace").strip()
            return note or "a crawl holds its lock"
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
    return None
