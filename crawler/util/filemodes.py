"""Permissions of what a crawl writes: a shared research server's readers are other users.

Archives, manifests, journals, indexes and state are world-readable and writable only by the
crawl's owner (files 0o644, directories 0o755), whatever the process umask: ``open`` and
``mkdir`` narrow their mode by the umask, so every creation is followed by an explicit chmod.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o644
DIRECTORY_MODE = 0o755


def shared_directory(path: Path) -> Path:
    """Create ``path`` and any missing parents, each readable by everyone."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        directory.chmod(DIRECTORY_MODE)
    return path


def share_file(target: Path | int) -> None:
    """Make a file (a path or an open descriptor) readable by everyone."""
    if isinstance(target, int):
        os.fchmod(target, FILE_MODE)
    else:
        target.chmod(FILE_MODE)
