"""One HTTP exchange as it happened on the wire: what the archive writes a WARC capture from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

Headers = tuple[tuple[str, str], ...]

# ``WARC-Truncated`` values defined by WARC 1.1 (section 5.13).
TRUNCATION_REASONS = frozenset({"length", "time", "disconnect", "unspecified"})


@dataclass(frozen=True)
class HttpExchange:
    """A request and its response, captured before any content decoding.

    Header names and values are ``str`` holding the wire bytes decoded as latin-1, so writing them
    back as latin-1 restores the exact bytes. ``body`` is the payload as received: still
    content-encoded (gzip, br, ...) but already de-chunked by the HTTP client.
    """

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    protocol: str
    status: int
    reason: str
    response_headers: Headers
    body: bytes
    started_at: datetime
    ip_address: str | None = None
    truncated: str | None = None

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None:
            # A naive time would be written as if it were UTC; refuse rather than guess.
            raise ValueError(f"started_at must be timezone-aware, got {self.started_at!r}")
        if self.truncated is not None and self.truncated not in TRUNCATION_REASONS:
            raise ValueError(f"unknown truncation reason {self.truncated!r}")
        if not 100 <= self.status <= 999:
            raise ValueError(f"status {self.status} is not a three-digit HTTP status code")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {self.url!r}")
        for text in (self.method, self.protocol, self.reason):
            _check_header_text(text)
        for name, value in self.request_headers + self.response_headers:
            _check_header_text(name)
            _check_header_text(value)

    @property
    def target_uri(self) -> str:
        """The URL without its fragment: a fragment is never sent, so it is not part of the
        capture (and replay tools look captures up without one)."""
        return self.url.split("#", 1)[0]

    @property
    def request_target(self) -> str:
        """The request-target as sent in the request line: path and query."""
        # Sliced rather than rebuilt from urlsplit so the text stays exactly as given (urlsplit
        # drops an empty query's "?").
        after_authority = self.target_uri.split("://", 1)[1]
        cut = [i for i in (after_authority.find("/"), after_authority.find("?")) if i >= 0]
        if not cut:
            return "/"
        target = after_authority[min(cut) :]
        return target if target.startswith("/") else "/" + target


def _check_header_text(text: str) -> None:
    # CR or LF would end the header line early and corrupt the record framing.
    if "\r" in text or "\n" in text:
        raise ValueError(f"line break in HTTP message text: {text!r}")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"HTTP message text is not latin-1 (wire bytes): {text!r}") from None
