"""Setting a damaged closed WARC file aside: its whole records stay under its name, the file as
it was is kept next to it as ``NAME.warc.gz.damaged``.

Every record is its own gzip member, so the records before the damage are the file's first bytes,
unchanged: kept under the file's name they keep their offsets, and every pointer to them (the
manifest's, the crawl state's, the index's) stays valid. The damaged file is never altered or
deleted: what is after the damage may still be recovered by hand (a member cut short still
inflates up to the cut). Readers pick up ``*.warc.gz`` only, so they never see the damaged copy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from crawler.archive.naming import WARC_SUFFIX
from crawler.util.atomic import atomic_write

DAMAGED_SUFFIX = ".damaged"
_CHUNK = 1 << 20


def set_aside(path: Path, whole: int) -> Path:
    """Keep the first ``whole`` bytes of ``path`` (its whole records) under its name and the
    file as it was under a ``.damaged`` name, which is returned. With ``whole`` 0 nothing of the
    file is kept under its name. Call only while no crawl writes the directory."""
    aside = _unused(path.with_name(path.name + DAMAGED_SUFFIX))
    if whole <= 0:
        os.replace(path, aside)
        return aside
    try:
        os.link(path, aside)  # the very bytes, without a copy
    except OSError:
        shutil.copy2(path, aside)
    # The whole records go to a temporary file renamed over the damaged one: a reader sees
    # either file, never half of one.
    try:
        with atomic_write(path) as out, path.open("rb") as damaged:
            left = whole
            while left > 0:
                chunk = damaged.read(min(_CHUNK, left))
                if not chunk:
                    raise OSError(f"{path}: shorter than the {whole} bytes to keep")
                out.write(chunk)
                left -= len(chunk)
    except BaseException:
        # The damaged file is still under its name: the next crawl's repair starts again.
        aside.unlink(missing_ok=True)
        raise
    return aside


def damaged_files(directory: Path) -> list[Path]:
    """The damaged WARC files set aside in ``directory``."""
    pattern = "*" + WARC_SUFFIX + DAMAGED_SUFFIX + "*"
    return sorted(p for p in Path(directory).glob(pattern) if p.is_file())


def _unused(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... when a file of a previous repair has the name."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate
