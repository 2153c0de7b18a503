"""The archive's CDXJ index (what pywb and ReplayWeb.page look captures up in), via cdxj-indexer."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from crawler.archive.layout import INDEX_NAME
from crawler.archive.naming import closed_warc_files
from crawler.util.atomic import atomic_write


@cache
def _indexer_class() -> Any:
    # Imported on first use: cdxj_indexer pulls in surt, tldextract, requests and pyamf (about
    # 0.2 s), which every importer of crawler.archive would otherwise pay.
    from cdxj_indexer import CDXJIndexer

    class Indexer(CDXJIndexer):
        def _get_digest(self, record: Any, name: str) -> Any:
            # A revisit without WARC-Payload-Digest (a 304) has no digest to compute, but the
            # base class spools the record into a temporary file it never closes to find that.
            if record.rec_type == "revisit" and not record.rec_headers.get_header(name):
                return None
            return super()._get_digest(record, name)

    return Indexer


def build_cdxj_index(directory: Path, output: Path | None = None) -> Path:
    """Index every closed ``*.warc.gz`` in ``directory`` into a sorted CDXJ file (by default
    ``directory/index.cdxj``) and return its path.

    Files still being written (``*.warc.gz.open``) are left out: they are renamed when closed.
    The index goes to a temporary file moved into place, so a reader never sees half of one.
    """
    directory = Path(directory)
    target = Path(output) if output is not None else directory / INDEX_NAME
    inputs = [str(path) for path in closed_warc_files(directory)]
    with atomic_write(target, text=True, durable=False) as out:
        # Filenames in the index are base names, matching WarcPointer.filename.
        _indexer_class()(output=out, inputs=inputs, sort=True).process_all()
    return target
