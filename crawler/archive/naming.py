"""WARC file names: the IIPC-style name of a new file, and which files in a directory are WARCs."""

from __future__ import annotations

import os
import re
import socket
from datetime import UTC, datetime
from pathlib import Path

WARC_SUFFIX = ".warc.gz"
# A file still being written carries this extra suffix; it is renamed when closed, so readers
# and indexers that pick up ``*.warc.gz`` never see a half-written file.
OPEN_SUFFIX = ".open"

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def sanitize_name_part(text: str) -> str:
    """Keep a file name part to ``[A-Za-z0-9.-]`` (``-`` stands for anything else)."""
    return _UNSAFE.sub("-", text).strip("-") or "unknown"


def default_crawl_host() -> str:
    """``HOSTNAME-PID``: unique per crawling process, as the IIPC naming recommends."""
    return f"{socket.gethostname()}-{os.getpid()}"


def warc_filename(prefix: str, created: datetime, serial: int, crawl_host: str) -> str:
    """``PREFIX-YYYYMMDDhhmmssfff-SERIAL-CRAWLHOST.warc.gz`` (time in UTC, milliseconds)."""
    stamp = created.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
    return f"{prefix}-{stamp}-{serial:05d}-{sanitize_name_part(crawl_host)}{WARC_SUFFIX}"


def closed_warc_files(directory: Path) -> list[Path]:
    """Finished WARC files, in name order (which is creation order for one prefix)."""
    return sorted(p for p in directory.glob("*" + WARC_SUFFIX) if p.is_file())


def open_warc_files(directory: Path) -> list[Path]:
    """WARC files still being written, or left behind by a process that did not close them."""
    return sorted(p for p in directory.glob("*" + WARC_SUFFIX + OPEN_SUFFIX) if p.is_file())
