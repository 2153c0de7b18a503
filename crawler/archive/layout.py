"""Where everything lives under ARCHIVE_DIR: every file and directory a crawl or a command
writes there is named here, and only here.

::

    ARCHIVE_DIR/
      PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz   WARC files (.open while written, .damaged set aside)
      pairs.jsonl                            the pairs manifest (PAIRS_MANIFEST)
      rejected-pairs.jsonl                   lines the manifest schema refused, as they were
      index.cdxj                             the CDXJ index of the WARC files
      index/NAME.warc.gz.cdxj                the index of one closed WARC file, merged into it
      index/NAME.warc.gz.cdxj.part           the index of a WARC file, as its records are written
      archive.wacz                           the WACZ package (WARC_WACZ, ``wacz``)
      report.html                            the corpus report (``report``)
      operator.json                          who runs the crawls (asked at the first crawl)
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
INDEX_DIR = "index"
FRAGMENT_SUFFIX = ".cdxj"
PART_SUFFIX = ".part"
WACZ_NAME = "archive.wacz"
REPORT_NAME = "report.html"
OPERATOR_NAME = "operator.json"
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


def index_fragment(archive_dir: Path, warc_name: str) -> Path:
    """Where the index of the WARC file named ``warc_name`` is kept until it is merged again."""
    return Path(archive_dir) / INDEX_DIR / (warc_name + FRAGMENT_SUFFIX)


def fragment_warc_name(fragment: Path) -> str:
    """The name of the WARC file that ``fragment`` indexes."""
    return fragment.name.removesuffix(FRAGMENT_SUFFIX)


def index_fragments(archive_dir: Path) -> list[Path]:
    """The fragments in ``ARCHIVE_DIR/index/``, in name order."""
    directory = Path(archive_dir) / INDEX_DIR
    return sorted(directory.glob("*" + FRAGMENT_SUFFIX)) if directory.is_dir() else []


def index_part(archive_dir: Path, warc_name: str) -> Path:
    """Where the writer of the WARC file named ``warc_name`` puts its index lines as it goes."""
    fragment = index_fragment(archive_dir, warc_name)
    return fragment.with_name(fragment.name + PART_SUFFIX)


def part_warc_name(part: Path) -> str:
    """The name of the WARC file whose records ``part`` indexes."""
    return part.name.removesuffix(FRAGMENT_SUFFIX + PART_SUFFIX)


def index_parts(archive_dir: Path) -> list[Path]:
    """The fragments still being written (or left by a writer that stopped), in name order."""
    directory = Path(archive_dir) / INDEX_DIR
    pattern = "*" + FRAGMENT_SUFFIX + PART_SUFFIX
    return sorted(directory.glob(pattern)) if directory.is_dir() else []
