"""Defaults of the project's own settings, in one place.

Components read their settings with these defaults, so a crawler built in a unit test (which does
not load ``crawler/settings.py``) sees the same values as a real crawl.
"""

from __future__ import annotations

from crawler.archive.layout import MANIFEST_NAME

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
WARC_CRAWL_LOG = True  # a crawl-log metadata record per post and source (for `rebuild`)
# The crawl id of those records (crawler/extensions/crawl_log.py): empty for a new one per run.
BITEXT_CRAWL_ID = ""

# The crawl process's garbage collector (crawler/extensions/gc_tuning.py): what start-up made is
# frozen, and collections run less often ("gen0,gen1,gen2"; empty: CPython's 700,10,10).
GC_FREEZE = True
GC_THRESHOLD = "10000,20,20"

# The pairs manifest (crawler/pipelines/pairs.py).
PAIRS_ENABLED = True
PAIRS_MANIFEST = MANIFEST_NAME  # relative to ARCHIVE_DIR
# Seconds between two fsyncs of the journal, made off the event loop; 0: one per line before the
# pipeline goes on. A power cut can lose the lines of the last interval (docs/reliability.md).
PAIRS_JOURNAL_FSYNC_INTERVAL = 0.5

# Incremental crawls (crawler/state/, docs/incremental.md): a run fetches only new or changed
# posts and sources without a final outcome; a full crawl (or ``-a full=1``) fetches everything.
BITEXT_FULL_CRAWL = False
# One crawl per ARCHIVE_DIR (crawler/extensions/archive_lock.py).
ARCHIVE_LOCK_ENABLED = True
# Cited pages an earlier crawl settled are answered from the archive, not fetched
# (crawler/downloadermiddlewares/archive_cache.py).
ARCHIVE_CACHE_ENABLED = True
# Replay: every response comes from this archive directory, nothing is fetched (python -m crawler
# rebuild sets it; crawler/downloadermiddlewares/archive_cache.py). None: a crawl of the web.
ARCHIVE_CACHE_REPLAY: str | None = None
# A cited page settled this many days ago is fetched again to see whether it changed
# (crawler/policy/refetch.py, crawler/state/drift.py); 0 or less: never.
SOURCE_RECHECK_DAYS = 30.0

# Discovery (crawler/spiders/discovery.py): every sitemap or feed URL is requested once per crawl;
# these bound lists that are new at every step. Blogger's /sitemap.xml lists ?page=N: depth 1.
BITEXT_SITEMAP_MAX_DEPTH = 3
# Sitemap and feed pages per crawl, 0 for no cap. A 20-year blog of 20 posts a day (146,000
# posts) has about 1,000 feed pages of 150 and 300 sitemap pages of 500; 6,000 at 25 a page.
BITEXT_DISCOVERY_MAX_PAGES = 10_000

# Distributed crawls (crawler/spiders/distributed.py, docs/distributed.md): the Redis URL that the
# ``*-redis`` spiders share their frontier and duplicate filter through; empty means not set.
BITEXT_DISTRIBUTED = ""
# Seconds a distributed node waits without work before it closes (scrapy-redis's
# MAX_IDLE_TIME_BEFORE_CLOSE). Scrapy looks for work every 5 s when idle: keep it well above that.
DISTRIBUTED_MAX_IDLE_TIME = 15

# The URL guard (crawler/downloadermiddlewares/urlguard.py): cited URLs are written by strangers.
URLGUARD_ENABLED = True
URLGUARD_ALLOWED_HOSTS: tuple[str, ...] = ()  # names, addresses or networks exempt from the guard
URLGUARD_RESOLVE = True  # also refuse names that resolve to internal addresses

# The time budget of a cited page's download (crawler/downloadhandlers/budget.py): seconds from
# sending the request to the last body byte, after which the transfer is stopped and what arrived
# is kept (WARC-Truncated: time, source_truncated); 0 for none. Below DOWNLOAD_TIMEOUT, which
# drops everything and retries. The byte budget is Scrapy's DOWNLOAD_MAXSIZE.
RESPONSE_BUDGET_SECONDS = 30.0

# Progress lines of a long crawl (crawler/extensions/progress.py).
PROGRESS_ENABLED = True
PROGRESS_INTERVAL = 30.0  # seconds between two progress lines; 0 for the closing summary only

# ``python -m crawler crawl --log-file FILE`` (crawler/commands/crawl.py): every run starts FILE
# afresh and keeps this many earlier runs as FILE.1 ... FILE.N; 0 appends to FILE (logrotate).
BITEXT_LOG_BACKUPS = 14
BITEXT_LOG_MAX_BYTES = 100_000_000  # a run that writes more continues in a fresh file

# Processes that read post and source pages off the crawl's event loop
# (crawler/downloadermiddlewares/read_ahead.py): None for one per CPU, 0 to read in-process.
BITEXT_PARSE_WORKERS: int | None = None
# The parse budget of one page (crawler/reading/page.py, crawler/reading/pool.py). A page larger
# than this many bytes is not read at all (Scrapy's DOWNLOAD_WARNSIZE here): a source ends
# source_truncated, a post translation_unparsable, with an error that says so; 0 for no limit.
BITEXT_PARSE_MAX_BYTES = 8 * 1024 * 1024
# Seconds a worker may spend reading one page; one that takes longer is killed and replaced, and
# the page is recorded like one over the size budget. 0 for no limit. Without workers
# (BITEXT_PARSE_WORKERS = 0) only the size budget applies.
BITEXT_PARSE_TIMEOUT = 60.0

# A cited page that is gone (404/410, a dead domain) or paywalled is asked of the web archives
# (crawler/spiders/archive_fallback.py): the capture closest before the translation, else after.
SOURCE_ARCHIVE_FALLBACK = True
SOURCE_ARCHIVES: tuple[str, ...] = ("https://web.archive.org",)  # base URLs, asked in order

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
    "WARC_CRAWL_LOG": WARC_CRAWL_LOG,
    "BITEXT_CRAWL_ID": BITEXT_CRAWL_ID,
    "PAIRS_ENABLED": PAIRS_ENABLED,
    "PAIRS_MANIFEST": PAIRS_MANIFEST,
    "PAIRS_JOURNAL_FSYNC_INTERVAL": PAIRS_JOURNAL_FSYNC_INTERVAL,
    "BITEXT_FULL_CRAWL": BITEXT_FULL_CRAWL,
    "ARCHIVE_LOCK_ENABLED": ARCHIVE_LOCK_ENABLED,
    "ARCHIVE_CACHE_ENABLED": ARCHIVE_CACHE_ENABLED,
    "ARCHIVE_CACHE_REPLAY": ARCHIVE_CACHE_REPLAY,
    "SOURCE_RECHECK_DAYS": SOURCE_RECHECK_DAYS,
    "BITEXT_SITEMAP_MAX_DEPTH": BITEXT_SITEMAP_MAX_DEPTH,
    "BITEXT_DISCOVERY_MAX_PAGES": BITEXT_DISCOVERY_MAX_PAGES,
    "BITEXT_DISTRIBUTED": BITEXT_DISTRIBUTED,
    "URLGUARD_ENABLED": URLGUARD_ENABLED,
    "URLGUARD_ALLOWED_HOSTS": list(URLGUARD_ALLOWED_HOSTS),
    "URLGUARD_RESOLVE": URLGUARD_RESOLVE,
    "RESPONSE_BUDGET_SECONDS": RESPONSE_BUDGET_SECONDS,
    "BOT_CONTACT_URL": BOT_CONTACT_URL,
    "PROGRESS_ENABLED": PROGRESS_ENABLED,
    "PROGRESS_INTERVAL": PROGRESS_INTERVAL,
    "BITEXT_LOG_BACKUPS": BITEXT_LOG_BACKUPS,
    "BITEXT_LOG_MAX_BYTES": BITEXT_LOG_MAX_BYTES,
    "BITEXT_PARSE_WORKERS": BITEXT_PARSE_WORKERS,
    "BITEXT_PARSE_MAX_BYTES": BITEXT_PARSE_MAX_BYTES,
    "BITEXT_PARSE_TIMEOUT": BITEXT_PARSE_TIMEOUT,
    "GC_FREEZE": GC_FREEZE,
    "GC_THRESHOLD": GC_THRESHOLD,
    "SOURCE_ARCHIVE_FALLBACK": SOURCE_ARCHIVE_FALLBACK,
    "SOURCE_ARCHIVES": list(SOURCE_ARCHIVES),
}


def user_agent(contact_url: str = BOT_CONTACT_URL, operator_contact: str = "") -> str:
    """``bitext-crawler/VERSION (+CONTACT_URL; OPERATOR_CONTACT)``: the project's name and page
    about the crawl, and how to reach whoever runs it (an email address or URL), when known."""
    from crawler import __version__

    contact_url = contact_url or BOT_CONTACT_URL  # an empty setting is no setting
    reach = f"; {operator_contact}" if operator_contact and operator_contact != contact_url else ""
    return f"{BOT_NAME}/{__version__} (+{contact_url}{reach})"
