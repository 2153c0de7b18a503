from __future__ import annotations

from datetime import datetime

import pytest

from tests.unit.archive.builders import make_exchange


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://news.example.com/a/b?x=1&y=%20z", "/a/b?x=1&y=%20z"),
        ("https://news.example.com", "/"),
        ("https://news.example.com?q=1", "/?q=1"),
        ("https://news.example.com/a?", "/a?"),
        ("https://news.example.com/a?b=1#part", "/a?b=1"),
        ("http://news.example.com:8080/p;params?q", "/p;params?q"),
    ],
)
def test_request_target_keeps_path_and_query_as_given(url: str, target: str) -> None:
    assert make_exchange(url=url).request_target == target


def test_target_uri_drops_only_the_fragment() -> None:
    exchange = make_exchange(url="https://news.example.com/a?b=1#c")
    assert exchange.target_uri == "https://news.example.com/a?b=1"


@pytest.mark.parametrize(
    "changes",
    [
        {"started_at": datetime(2025, 3, 1, 4, 5, 6)},
        {"truncated": "because"},
        {"status": 42},
        {"url": "ftp://news.example.com/file"},
        {"response_headers": (("X-Injected", "a\r\nSet-Cookie: b"),)},
        {"request_headers": (("Host", "\u65e5\u672c.example"),)},
    ],
)
def test_rejects_what_cannot_be_archived_faithfully(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_exchange(**changes)
