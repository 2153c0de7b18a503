"""Defaults of the project's own settings, in one place.

Components read their settings with these defaults, so a crawler built in a unit test (which does
not load ``crawler/settings.py``) sees the same values as a real crawl.
"""

from __future__ import annotations

# Where WARC files, the manifest and crawl state go.
ARCHIVE_DIR = "archives"

# WARC capture (crawler/extensions/warc_capture.py).
WARC_ENABLED = True
WARC_PREFIX = "BITEXT"
WARC_MAX_FILE_SIZE = 1_000_000_000  # bytes; the IIPC's customary 1 GB
WARC_COMPRESSLEVEL = 6
WARC_OPERATOR = ""  # who runs the crawl (a name and an email address), written to warcinfo
WARC_DEDUP = True  # write revisit records for payloads already archived
WARC_CDXJ_INDEX = True  # rebuild ARCHIVE_DIR/index.cdxj when the crawl closes
WARC_WACZ = False  # package the archive as ARCHIVE_DIR/archive.wacz when the crawl closes

# The pairs manifest (crawler/pipelines/pairs.py).
PAIRS_ENABLED = True
PAIRS_MANIFEST = "pairs.jsonl"  # relative to ARCHIVE_DIR

# The URL guard (crawler/downloadermiddlewares/urlguard.py): cited URLs are written by strangers.
URLGUARD_ENABLED = True
URLGUARD_ALLOWED_HOSTS: tuple[str, ...] = ()  # names, addresses or networks exempt from the guard
URLGUARD_RESOLVE = True  # also refuse names that resolve to internal addresses

# An honest User-Agent names the project and a page that explains the crawl.
BOT_NAME = "bitext-crawler"
BOT_CONTACT_URL = "https://github.com/bitext-crawler/bitext-crawler"

# Every setting of the project's own, with its default (docs/settings.md documents each one).
SETTINGS = {
    "ARCHIVE_DIR": ARCHIVE_DIR,
    "WARC_ENABLED": WARC_ENABLED,
    "WARC_PREFIX": WARC_PREFIX,
    "WARC_MAX_FILE_SIZE": WARC_MAX_FILE_SIZE,
    "WARC_COMPRESSLEVEL": WARC_COMPRESSLEVEL,
    "WARC_OPERATOR": WARC_OPERATOR,
    "WARC_DEDUP": WARC_DEDUP,
    "WARC_CDXJ_INDEX": WARC_CDXJ_INDEX,
    "WARC_WACZ": WARC_WACZ,
    "PAIRS_ENABLED": PAIRS_ENABLED,
    "PAIRS_MANIFEST": PAIRS_MANIFEST,
    "URLGUARD_ENABLED": URLGUARD_ENABLED,
    "URLGUARD_ALLOWED_HOSTS": list(URLGUARD_ALLOWED_HOSTS),
    "URLGUARD_RESOLVE": URLGUARD_RESOLVE,
    "BOT_CONTACT_URL": BOT_CONTACT_URL,
}


def user_agent(contact_url: str = BOT_CONTACT_URL) -> str:
    from crawler import __version__

    return f"{BOT_NAME}/{__version__} (+{contact_url})"
