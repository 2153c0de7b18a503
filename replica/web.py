"""What a replica host is: something that answers a path with a resource."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Resource:
    """One answer of a replica host, with the faults the server can inject on the wire."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()  # in order; a name may repeat (Set-Cookie)
    body: bytes = b""
    gzip: bool = False  # gzip the body on the wire (when the client accepts it)
    reset: bool = False  # drop the connection without answering
    delay: float = 0.0  # seconds to wait before answering (a hanging host)
    truncate_to: int | None = None  # send only this many body bytes (Content-Length stays full)
    # A body made while it is sent (``body`` is then not used): each piece ``stream()`` gives is
    # written as it comes, ``drip`` seconds apart, with no Content-Length: framed by chunked
    # transfer coding, or (``chunked=False``) by closing the connection after the last piece.
    # The server stops when the client goes away; the stream's own end bounds it otherwise.
    stream: Callable[[], Iterable[bytes]] | None = None
    chunked: bool = True
    drip: float = 0.0
    extra: Mapping[str, str] = field(default_factory=dict)  # free notes for tests, never served


class Site(Protocol):
    """A host of the replica web (www.twz.com, aviation-space-business.blogspot.com, ...)."""

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        """Answer ``path`` (with its query string); ``None`` means 404 Not Found."""
        ...
