"""What the response flags say about a page cut short."""

from __future__ import annotations

from crawler.truncation import FLAG_DECODED, FLAG_STOPPED, FLAG_TIME, is_truncated, warc_truncated


def test_the_warc_truncated_reason_of_each_flag() -> None:
    assert warc_truncated([]) is None
    assert warc_truncated(["partial"]) is None  # a body framed by the connection's end
    assert warc_truncated(["dataloss"]) == "length"
    assert warc_truncated([FLAG_STOPPED]) == "length"
    assert warc_truncated([FLAG_TIME, FLAG_STOPPED]) == "time"
    # Whole on the wire: the record is not truncated, the page is not readable.
    assert warc_truncated([FLAG_DECODED]) is None


def test_a_page_too_large_decoded_is_truncated_for_the_reading() -> None:
    assert is_truncated([FLAG_DECODED]) and is_truncated(["dataloss"])
    assert not is_truncated([]) and not is_truncated(["partial"])
