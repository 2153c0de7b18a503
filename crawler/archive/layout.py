"""Where everything lives under ARCHIVE_DIR: every file and directory a crawl or a command
writes there is named here, and only here.

::

    ARCHIVE_DIR/
      PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz   WARC files (.open while written, .damaged set aside)
      pairs.jsonl                            the pairs manifest (PAIRS_MANIFEST)
      rejected-pairs.jsonl                   lines the manifest schema refused, as they were
      index.cdxj                             the CDXJ index of the WARC files
      archive.wacz                           the WACZ package (WARC_WACZ, ``wacz``)
      report.html                            the corpus report (``report``)
      pairs.rebuilt.jsonl                    ``rebuild``'s manifest, unless told otherwise
      .lock                                  held by the crawl (or command) writing the archive
      journal/                               the pairs of crawls not yet folded into pairs.jsonl
      state/crawl.sqlite                     the crawl state (what is done, what to fetch again)
      state/digests.sqlite                   payload digests, for revisit records

WARC file names are made in crawler/archive/naming.py; temporary files of atomic writes are
``.TARGET.XXXXXXXX.tmp`` beside their target (crawler/util/atomic.py).
"""

from __future__ import annotations

from pathlib import Path

MANIFEST_NAME = "pairs.jsonl"
REJECTED_NAME = "rejected-pairs.jsonl"
INDEX_NAME = "index.cdxj"
WACZ_NAME = "archive.wacz"
REPORT_NAME = "report.html"
REBUILT_NAME = "pairs.rebuilt.jsonl"
LOCK_NAME = ".lock"
JOURNAL_DIR = "journal"
STATE_DIR = "state"
STATE_NAME = "crawl.sqlite"
DIGESTS_NAME = "digests.sqlite"


def journals(archive_dir: Path) -> list[Path]:
    """The journals in ``ARCHIVE_DIR/journal/``, in name order (a crawl's is named by its start)."""
    directory = Path(archive_dir) / JOURNAL_DIR
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
