"""The tables of the crawl state database, made when a file is opened; columns added since a
table was first made are added to an older file as it is opened."""

from __future__ import annotations

import sqlite3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    url TEXT PRIMARY KEY,
    fetched_url TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    parse_status TEXT NOT NULL,
    error TEXT,
    warc TEXT,
    payload_digest TEXT,
    fetched_at TEXT NOT NULL,
    modified TEXT,
    feed_published TEXT
);
CREATE TABLE IF NOT EXISTS citations (
    post_url TEXT NOT NULL,
    position INTEGER NOT NULL,
    cited_url TEXT,
    pair_id TEXT NOT NULL,
    PRIMARY KEY (post_url, position)
);
CREATE INDEX IF NOT EXISTS citations_by_source ON citations (cited_url);
CREATE TABLE IF NOT EXISTS sources (
    cited_url TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    error TEXT,
    url TEXT,
    redirects TEXT NOT NULL,
    http_status INTEGER,
    content_type TEXT,
    warc TEXT,
    payload_digest TEXT,
    fetched_at TEXT NOT NULL,
    recovered TEXT,
    observed TEXT
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cited_url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    old_status TEXT,
    new_status TEXT NOT NULL,
    old_http_status INTEGER,
    new_http_status INTEGER,
    old_warc TEXT,
    new_warc TEXT,
    old_payload_digest TEXT,
    new_payload_digest TEXT,
    paragraphs TEXT
);
CREATE INDEX IF NOT EXISTS history_by_source ON history (cited_url);
CREATE TABLE IF NOT EXISTS journaled (
    pair_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    crawled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listed (
    url TEXT PRIMARY KEY,
    lastmod TEXT,
    updated TEXT
);
CREATE TABLE IF NOT EXISTS checked_files (
    filename TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    records INTEGER NOT NULL,
    checked_at TEXT NOT NULL
);
"""


# Columns added after the table was first made: a state file of an earlier version gets them
# (empty) when it is opened.
_ADDED_COLUMNS = (
    ("sources", "recovered", "TEXT"),
    ("sources", "observed", "TEXT"),
    ("history", "old_payload_digest", "TEXT"),
    ("history", "new_payload_digest", "TEXT"),
    ("history", "paragraphs", "TEXT"),
)


def _add_columns(db: sqlite3.Connection) -> None:
    for table, column, kind in _ADDED_COLUMNS:
        names = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in names:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def create_tables(db: sqlite3.Connection) -> None:
    """Make the tables a new file lacks and add the columns an older one lacks."""
    db.executescript(_SCHEMA)
    _add_columns(db)
