"""How a response was cut short: the flags the downloader puts on it, and what they mean.

Scrapy flags a response whose connection ended before its announced end (``dataloss``) and one
that a ``StopDownload`` ended (``download_stopped``: the spider stops cited pages at
DOWNLOAD_MAXSIZE that way). The project's download handler adds ``FLAG_TIME`` when it stopped a
response at its time budget (``crawler/downloadhandlers/budget.py``), and the decompression
middleware ``FLAG_DECODED`` when a response that arrived whole decodes to more than the size
limit (``crawler/downloadermiddlewares/decompression.py``). Both apply only to requests that
carry ``meta[META_BUDGET]``: those whose partial answers are worth keeping (cited pages).
"""

from __future__ import annotations

from collections.abc import Iterable

# Request.meta key: keep what arrived when a budget is exceeded, flagged, rather than nothing.
META_BUDGET = "bitext_budget"

FLAG_DATALOSS = "dataloss"  # Scrapy: the connection ended before the body did
FLAG_STOPPED = "download_stopped"  # Scrapy: a StopDownload ended the download
FLAG_TIME = "time_budget"  # stopped at RESPONSE_BUDGET_SECONDS (with download_stopped)
FLAG_DECODED = "decoded_over_limit"  # whole on the wire, over DOWNLOAD_MAXSIZE once decoded


def warc_truncated(flags: Iterable[str]) -> str | None:
    """The ``WARC-Truncated`` value of a capture with these flags (WARC 1.1: ``time`` or
    ``length``), None when the bytes on the wire are whole."""
    seen = set(flags)
    if FLAG_TIME in seen:
        return "time"
    if {FLAG_DATALOSS, FLAG_STOPPED} & seen:
        return "length"
    return None


def is_truncated(flags: Iterable[str]) -> bool:
    """Whether the page cannot be read whole: cut short on the wire, or too large decoded."""
    seen = set(flags)
    return warc_truncated(seen) is not None or FLAG_DECODED in seen
