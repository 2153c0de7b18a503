"""The pairs manifest (``pairs.jsonl``): its schema, typed lines, reader, writer and journal.

Every other module reads and writes the manifest through this package only.
"""

from crawler.manifest.fold import FoldResult, UnreadableLine, fold_lines
from crawler.manifest.ids import PAIR_ID_LENGTH, pair_id
from crawler.manifest.io import decode_line, encode_line, read_manifest, write_manifest
from crawler.manifest.journal import ManifestJournal
from crawler.manifest.model import (
    CitationSide,
    Defect,
    Pair,
    SourceSide,
    TranslationCaption,
    TranslationNote,
    TranslationSide,
    join_paragraphs,
    split_paragraphs,
)
from crawler.manifest.repair import Repair, UnrepairableError, repair_data, repair_pair
from crawler.manifest.schema import SCHEMA_VERSION, ManifestError, load_schema, validate_line
from crawler.manifest.statuses import (
    STATUS_DESCRIPTIONS,
    STATUS_NO_CITATION,
    STATUS_OK,
    STATUS_SOURCE_BLOCKED_BY_ROBOTS,
    STATUS_SOURCE_HTTP_ERROR,
    STATUS_SOURCE_MISMATCH,
    STATUS_SOURCE_NOT_FETCHED,
    STATUS_SOURCE_NOT_FOUND,
    STATUS_SOURCE_NOT_HTML,
    STATUS_SOURCE_PAYWALLED,
    STATUS_SOURCE_REFUSED,
    STATUS_SOURCE_TRUNCATED,
    STATUS_SOURCE_UNREACHABLE,
    STATUS_TRANSLATION_UNAVAILABLE,
    STATUS_TRANSLATION_UNPARSABLE,
    STATUSES,
)
from crawler.manifest.streamfold import FoldSummary, KeptPair, ManifestFold, fold_manifest

__all__ = [
    "PAIR_ID_LENGTH",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_DESCRIPTIONS",
    "STATUS_NO_CITATION",
    "STATUS_OK",
    "STATUS_SOURCE_BLOCKED_BY_ROBOTS",
    "STATUS_SOURCE_HTTP_ERROR",
    "STATUS_SOURCE_MISMATCH",
    "STATUS_SOURCE_NOT_FETCHED",
    "STATUS_SOURCE_NOT_FOUND",
    "STATUS_SOURCE_NOT_HTML",
    "STATUS_SOURCE_PAYWALLED",
    "STATUS_SOURCE_REFUSED",
    "STATUS_SOURCE_TRUNCATED",
    "STATUS_SOURCE_UNREACHABLE",
    "STATUS_TRANSLATION_UNAVAILABLE",
    "STATUS_TRANSLATION_UNPARSABLE",
    "CitationSide",
    "Defect",
    "FoldResult",
    "FoldSummary",
    "KeptPair",
    "ManifestError",
    "ManifestFold",
    "ManifestJournal",
    "Pair",
    "Repair",
    "SourceSide",
    "TranslationCaption",
    "TranslationNote",
    "TranslationSide",
    "UnreadableLine",
    "UnrepairableError",
    "decode_line",
    "encode_line",
    "fold_lines",
    "fold_manifest",
    "join_paragraphs",
    "load_schema",
    "pair_id",
    "read_manifest",
    "repair_data",
    "repair_pair",
    "split_paragraphs",
    "validate_line",
    "write_manifest",
]
