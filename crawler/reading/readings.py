"""A page's reading, wherever it runs: :class:`PageReading` is one call of the reading code
(``crawler/reading/page.py``) with every argument it takes, picklable, so that a parse worker
(``crawler/reading/pool.py``) and the callback make the same item of a response; what a worker
made of it waits in the response's meta (:class:`ReadAhead`) for the callback (:func:`read_page`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from crawler.items import PostItem, SourceItem
from crawler.reading.page import (
    read_post_page,
    read_source_page,
    unread_post_page,
    unread_source_page,
)

__all__ = ["META_READ_AHEAD", "PageReading", "ReadAhead", "ReadingAbandoned", "read_page"]

Item = PostItem | SourceItem

# Request.meta key: the (reading, item) a worker made of the response, for the callback.
META_READ_AHEAD = "bitext_read_ahead"


class ReadingAbandoned(Exception):
    """A page's reading ended without an item; ``str()`` says why, as a manifest error."""


@dataclass(frozen=True)
class PageReading:
    """``function(**arguments)``, picklable: a pure function of the response it was made of,
    so what a worker made of it is what the callback would make. ``unread(reason,
    **arguments)`` is the item of the page when it could not be read within its budget.
    """

    function: Callable[..., Item]
    arguments: Mapping[str, Any] = field(default_factory=dict)
    unread: Callable[..., Item] | None = None

    @classmethod
    def post(cls, **arguments: Any) -> PageReading:
        return cls(read_post_page, arguments, unread_post_page)

    @classmethod
    def source(cls, **arguments: Any) -> PageReading:
        return cls(read_source_page, arguments, unread_source_page)

    def run(self) -> Item:
        return self.function(**self.arguments)

    def abandoned(self, reason: str) -> Item:
        """The item of this page when its reading was given up for ``reason``."""
        if self.unread is None:
            raise ReadingAbandoned(reason)
        return self.unread(reason, **self.arguments)


@dataclass(frozen=True)
class ReadAhead:
    """What a worker made of a response, kept in its meta until the callback runs: an item, or
    why the page could not be read (``abandoned``)."""

    reading: PageReading
    item: Item | None
    abandoned: str | None = None

    def __post_init__(self) -> None:
        if (self.item is None) == (self.abandoned is None):
            raise ValueError("a read-ahead holds either an item or why there is none")

    def result(self) -> Item:
        if self.item is not None:
            return self.item
        assert self.abandoned is not None  # __post_init__
        return self.reading.abandoned(self.abandoned)


def read_page(
    meta: MutableMapping[str, Any], reading: Callable[[], PageReading]
) -> tuple[Item, bool]:
    """The item of a response: what a worker made of it (its ``ReadAhead`` in ``meta``), else
    ``reading()`` run now. A page a worker gave up on is not read again: it gets the item that
    says why. Returns the item and whether it came from a worker, whose item is used once.
    """
    ahead = meta.pop(META_READ_AHEAD, None)
    if isinstance(ahead, ReadAhead):
        return ahead.result(), True
    return reading().run(), False
