"""Reading the pairs manifest as a corpus: selection, figures, exports, the report and ``show``.

A pure core (no Scrapy import) under the ``pairs`` and ``report`` commands.
"""

from crawler.corpus.align import Aligner, BeadLike, SentenceAlignment, default_aligner
from crawler.corpus.export import (
    FORMATS,
    LEVELS,
    Segment,
    escape_tsv,
    exportable,
    segments,
    unescape_tsv,
    write_jsonl,
    write_tmx,
    write_tsv,
)
from crawler.corpus.report import lowest_confidence, render_report, write_report
from crawler.corpus.select import (
    PairFilter,
    publication_date,
    publication_month,
    select_pairs,
    source_site,
)
from crawler.corpus.show import ProvenanceError, WarcProvenance, read_provenance, render_pair
from crawler.corpus.stats import CorpusStats, compute_stats, format_stats, length_ratio

__all__ = [
    "FORMATS",
    "LEVELS",
    "Aligner",
    "BeadLike",
    "CorpusStats",
    "PairFilter",
    "ProvenanceError",
    "Segment",
    "SentenceAlignment",
    "WarcProvenance",
    "compute_stats",
    "default_aligner",
    "escape_tsv",
    "exportable",
    "format_stats",
    "length_ratio",
    "lowest_confidence",
    "publication_date",
    "publication_month",
    "read_provenance",
    "render_pair",
    "render_report",
    "segments",
    "select_pairs",
    "source_site",
    "unescape_tsv",
    "write_jsonl",
    "write_report",
    "write_tmx",
    "write_tsv",
]
