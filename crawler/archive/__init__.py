"""WARC archive core: exchanges in, WARC/1.1 files, dedup, CDXJ index and verification out.

The public names below are imported from their submodules when first used, not with the
package: a module that needs ``crawler.archive.pointer`` alone (a parse worker, an item) does not
pay for warcio, the writer, the index and the verifier.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.archive.dedup import Capture, DigestIndex
    from crawler.archive.exchange import HttpExchange
    from crawler.archive.index import build_cdxj_index
    from crawler.archive.pointer import WarcPointer
    from crawler.archive.verify import VerifyReport, verify_archive
    from crawler.archive.writer import WarcArchive, WrittenExchange

# Each public name and the submodule that defines it.
_SUBMODULES = {
    "Capture": "dedup",
    "DigestIndex": "dedup",
    "HttpExchange": "exchange",
    "VerifyReport": "verify",
    "WarcArchive": "writer",
    "WarcPointer": "pointer",
    "WrittenExchange": "writer",
    "build_cdxj_index": "index",
    "verify_archive": "verify",
}

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


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULES.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
