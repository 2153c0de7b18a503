"""The sources a crawl has fetched, kept for the posts still to cite them: a few in memory, the
rest on disk.

A source cited by several posts is fetched once and completes every post that cites it, however
late that post comes, so the pairs pipeline keeps each source's outcome for the whole crawl.
Kept in memory, those outcomes (their extracted texts) made the crawl process grow with the
number of sources. Here the ``recent`` latest stay in memory; older ones are pickled into a
temporary SQLite database, which holds no more than its page cache (``CACHE_KIB``) in memory and
is deleted when closed. An outcome read back is the item as it was given (pickle), so the pairs
are the same.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections import OrderedDict
from typing import TYPE_CHECKING

from crawler.util.closeable import Closeable

if TYPE_CHECKING:
    from crawler.items import SourceItem

RECENT = 256  # outcomes kept in memory: a source's posts mostly come soon after it
CACHE_KIB = 1024  # the database's page cache, what it holds in memory at most


class FetchedSources(Closeable):
    """The outcome of each cited URL fetched so far, by URL (``sources[url] = item``,
    ``sources.get(url)``); the latest set for a URL wins."""

    def __init__(self, recent: int = RECENT) -> None:
        self.recent = max(1, recent)
        self._memory: OrderedDict[str, SourceItem] = OrderedDict()
        self._disk: sqlite3.Connection | None = None  # opened with the first outcome spilled

    def __setitem__(self, url: str, item: SourceItem) -> None:
        self._memory[url] = item
        self._memory.move_to_end(url)
        while len(self._memory) > self.recent:
            self._spill(*self._memory.popitem(last=False))

    def get(self, url: str) -> SourceItem | None:
        item = self._memory.get(url)
        if item is not None or self._disk is None:
            return item
        row = self._disk.execute("SELECT item FROM sources WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        found: SourceItem = pickle.loads(row[0])
        self[url] = found  # a source cited again is likely cited once more soon
        return found

    def close(self) -> None:
        """Forget every outcome (the database file goes with its connection)."""
        self._memory.clear()
        if self._disk is not None:
            self._disk.close()
            self._disk = None

    def _spill(self, url: str, item: SourceItem) -> None:
        if self._disk is None:
            # "": a private temporary database, on disk, removed when its connection closes;
            # every statement its own transaction, never synced: nothing is kept after the crawl.
            self._disk = sqlite3.connect("", isolation_level=None)
            self._disk.execute("PRAGMA journal_mode = OFF")
            self._disk.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._disk.execute("PRAGMA synchronous = OFF")
            self._disk.execute("CREATE TABLE sources (url TEXT PRIMARY KEY, item BLOB NOT NULL)")
        blob = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        self._disk.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (url, blob))
