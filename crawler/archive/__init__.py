"""WARC archive core: exchanges in, WARC/1.1 files, dedup, CDXJ index and verification out."""

from crawler.archive.dedup import Capture, DigestIndex
from crawler.archive.exchange import HttpExchange
from crawler.archive.index import build_cdxj_index
from crawler.archive.pointer import WarcPointer
from crawler.archive.verify import VerifyReport, verify_archive
from crawler.archive.writer import WarcArchive, WrittenExchange

__all__ = [
    "Capture",
    "DigestIndex",
    "HttpExchange",
    "VerifyReport",
    "WarcArchive",
    "WarcPointer",
    "WrittenExchange",
    "build_cdxj_index",
    "verify_archive",
]
