"""The web-archive fallback's rules: when to ask, how to ask, which capture to take."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.policy.webarchive import (
    WAYBACK_MACHINE,
    ArchiveAnswerError,
    Capture,
    archive_bases,
    availability_url,
    capture_of,
    captured_page,
    cdx_url,
    choose_capture,
    page_key,
    parse_availability,
    parse_cdx,
    parse_memento_datetime,
    parse_timestamp,
    wants_archive,
    wayback_timestamp,
)

ORIGINAL = "https://www.thedrive.com/the-war-zone/12345/f-35-story"
JST = timezone(timedelta(hours=9))


def capture(
    timestamp: str, status: int | None = 200, mimetype: str | None = "text/html"
) -> Capture:
    return Capture(WAYBACK_MACHINE, ORIGINAL, timestamp, status, mimetype)


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("source_not_found", "HTTP 404 Not Found", True),
        ("source_not_found", None, True),
        ("source_paywalled", None, True),
        ("source_unreachable", "DNSLookupError: DNS lookup failed: no results", True),
        ("source_unreachable", "TimeoutError: User timeout caused connection failure", False),
        ("source_unreachable", "ConnectionLost: Connection was closed cleanly", False),
        ("source_unreachable", None, False),
        ("ok", None, False),
        ("source_mismatch", None, False),
        ("source_blocked_by_robots", None, False),
        ("source_refused", None, False),
        ("source_http_error", "HTTP 503 Service Unavailable", False),
    ],
)
def test_wants_archive_only_for_gone_paywalled_or_dead_domains(
    status: str, error: str | None, expected: bool
) -> None:
    assert wants_archive(status, error) is expected


def test_timestamps_are_utc_and_fourteen_digits() -> None:
    assert wayback_timestamp(datetime(2017, 3, 5, 9, 30, tzinfo=JST)) == "20170305003000"
    assert parse_timestamp("20170305003000") == datetime(2017, 3, 5, 0, 30, tzinfo=UTC)
    assert parse_timestamp("2017") == datetime(2017, 1, 1, tzinfo=UTC)
    assert parse_timestamp("201703") == datetime(2017, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        wayback_timestamp(datetime(2017, 3, 5))
    for bad in ("", "2017-03-05", "20171399000000", "201"):
        with pytest.raises(ArchiveAnswerError):
            parse_timestamp(bad)


def test_memento_datetime_header() -> None:
    parsed = parse_memento_datetime("Sun, 05 Mar 2017 00:30:00 GMT")
    assert parsed == datetime(2017, 3, 5, 0, 30, tzinfo=UTC)
    with pytest.raises(ArchiveAnswerError):
        parse_memento_datetime("yesterday")


def test_lookup_urls_follow_the_documented_shapes() -> None:
    at = datetime(2017, 3, 5, 9, 30, tzinfo=JST)
    assert availability_url(WAYBACK_MACHINE, ORIGINAL, at) == (
        "https://web.archive.org/wayback/available?url=https%3A%2F%2Fwww.thedrive.com"
        "%2Fthe-war-zone%2F12345%2Ff-35-story&timestamp=20170305003000"
    )
    assert "timestamp" not in availability_url(WAYBACK_MACHINE, ORIGINAL)
    lookup = cdx_url(WAYBACK_MACHINE, ORIGINAL)
    assert lookup.startswith("https://web.archive.org/cdx/search/cdx?url=https%3A%2F%2F")
    assert "output=json" in lookup and "fl=timestamp%2Coriginal%2Cstatuscode%2Cmimetype" in lookup


def test_capture_urls() -> None:
    one = capture("20170301120000")
    assert one.raw_url == f"https://web.archive.org/web/20170301120000id_/{ORIGINAL}"
    assert one.memento_url == f"https://web.archive.org/web/20170301120000/{ORIGINAL}"
    assert one.datetime == datetime(2017, 3, 1, 12, tzinfo=UTC)
    assert capture_of(one.raw_url, WAYBACK_MACHINE) == ("20170301120000", ORIGINAL)
    assert capture_of(one.memento_url, WAYBACK_MACHINE) == ("20170301120000", ORIGINAL)
    assert capture_of(ORIGINAL, WAYBACK_MACHINE) is None
    assert capture_of("https://other.example/web/20170301120000/x", WAYBACK_MACHINE) is None


def test_availability_answer() -> None:
    body = json.dumps(
        {
            "url": ORIGINAL,
            "archived_snapshots": {
                "closest": {
                    "available": True,
                    "url": f"http://web.archive.org/web/20170101000000/{ORIGINAL}",
                    "timestamp": "20170101000000",
                    "status": "200",
                }
            },
        }
    ).encode()
    assert parse_availability(body, WAYBACK_MACHINE) == [
        Capture(WAYBACK_MACHINE, ORIGINAL, "20170101000000", 200)
    ]
    assert parse_availability(b'{"archived_snapshots": {}}', WAYBACK_MACHINE) == []
    unavailable = b'{"archived_snapshots": {"closest": {"available": false}}}'
    assert parse_availability(unavailable, WAYBACK_MACHINE) == []


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service Unavailable</html>",
        b"[]",
        b'{"archived_snapshots": {"closest": {"available": true, "timestamp": "x"}}}',
        b"\xff\xfe",
    ],
)
def test_a_bad_availability_answer_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(ArchiveAnswerError):
        parse_availability(body, WAYBACK_MACHINE)


def test_cdx_answer() -> None:
    rows = [
        ["timestamp", "original", "statuscode", "mimetype"],
        ["20161201000000", ORIGINAL, "200", "text/html"],
        ["20180101000000", ORIGINAL, "404", "text/html"],
        ["20190101000000", ORIGINAL, "-", "warc/revisit"],
    ]
    captures = parse_cdx(json.dumps(rows).encode(), WAYBACK_MACHINE)
    assert captures == [
        capture("20161201000000"),
        capture("20180101000000", 404),
        capture("20190101000000", None, "warc/revisit"),
    ]
    assert [c.usable for c in captures] == [True, False, False]
    assert parse_cdx(b"", WAYBACK_MACHINE) == []
    assert parse_cdx(b"[]", WAYBACK_MACHINE) == []


@pytest.mark.parametrize(
    "body",
    [b"{}", b'[["timestamp"], ["20170101000000"]]', b'[["timestamp", "original"], ["x", "u"]]'],
)
def test_a_bad_cdx_answer_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(ArchiveAnswerError):
        parse_cdx(body, WAYBACK_MACHINE)


def test_choose_the_closest_capture_before_publication() -> None:
    published = datetime(2017, 3, 5, 9, 30, tzinfo=JST)  # 2017-03-05 00:30 UTC
    captures = [
        capture("20160101000000"),
        capture("20170304120000"),
        capture("20170306000000"),
        capture("20170305003000"),  # the very moment counts as before
    ]
    assert choose_capture(captures, published) == capture("20170305003000")
    assert choose_capture(captures[:3], published) == capture("20170304120000")


def test_choose_the_closest_after_when_none_is_before() -> None:
    published = datetime(2017, 3, 5, tzinfo=UTC)
    captures = [capture("20190101000000"), capture("20170401000000")]
    assert choose_capture(captures, published) == capture("20170401000000")


def test_error_captures_are_never_chosen() -> None:
    published = datetime(2017, 3, 5, tzinfo=UTC)
    captures = [
        capture("20170304000000", 404),
        capture("20170303000000", 301),
        capture("20170302000000", 200, "application/pdf"),
        capture("20170601000000"),
    ]
    assert choose_capture(captures, published) == capture("20170601000000")
    assert choose_capture(captures[:3], published) is None
    assert choose_capture([], published) is None


def test_without_a_publication_time_the_earliest_capture() -> None:
    captures = [capture("20190101000000"), capture("20170401000000")]
    assert choose_capture(captures, None) == capture("20170401000000")


def test_archive_bases_from_a_setting() -> None:
    assert archive_bases(["https://web.archive.org/"]) == (WAYBACK_MACHINE,)
    assert archive_bases("https://a.example, https://b.example/") == (
        "https://a.example",
        "https://b.example",
    )
    assert archive_bases("") == ()
    with pytest.raises(ValueError):
        archive_bases(["web.archive.org"])


def test_page_keys_match_as_archives_do() -> None:
    assert page_key("http://WWW.TheDrive.com/the-war-zone/12345/f-35-story/") == page_key(ORIGINAL)
    assert page_key("thedrive.com/the-war-zone/12345/f-35-story") == page_key(ORIGINAL)
    assert page_key(ORIGINAL + "?page=2") != page_key(ORIGINAL)
    assert page_key("https://www.thedrive.com/") != page_key(ORIGINAL)


def test_a_capture_redirected_to_another_page_is_not_the_cited_page() -> None:
    raw = capture("20170301120000").raw_url
    assert captured_page(raw, WAYBACK_MACHINE, ORIGINAL) == ("20170301120000", ORIGINAL)
    later = f"{WAYBACK_MACHINE}/web/20170302000000id_/http://thedrive.com/the-war-zone/12345/f-35-story/"
    assert captured_page(later, WAYBACK_MACHINE, ORIGINAL) == (
        "20170302000000",
        "http://thedrive.com/the-war-zone/12345/f-35-story/",
    )
    home = f"{WAYBACK_MACHINE}/web/20170301120000id_/https://www.thedrive.com/"
    assert captured_page(home, WAYBACK_MACHINE, ORIGINAL) is None
    assert captured_page(ORIGINAL, WAYBACK_MACHINE, ORIGINAL) is None
