"""Scrapy settings of the bitext-crawler project: polite by default, archival first."""

from __future__ import annotations

from crawler import defaults

BOT_NAME = defaults.BOT_NAME
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# The project's own settings (ARCHIVE_DIR, WARC_*, PAIRS_*, BOT_CONTACT_URL) take their defaults
# from crawler/defaults.py; set them here, with -s on the command line, or in a spider.

# USER_AGENT: the spiders build an honest one that carries BOT_CONTACT_URL and the operator's
# contact, and name the operator in every warcinfo record (WARC_OPERATOR, else
# ARCHIVE_DIR/operator.json: crawler/spiders/identity.py, crawler/archive/operator.py).

# Politeness: a daily crawl of somebody else's blog must stay invisible in their load.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
# A news page is far below this; anything larger is recorded, not kept whole.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# A callback yields one or two objects per page and the pipeline is synchronous: 100 asyncio
# tasks per callback output (Scrapy's default) cost 0.33 ms a callback, 1 costs 0.02
# (bench/profile_crawl.py).
CONCURRENT_ITEMS = 1
# Scrapy's check for a generator callback's return value re-reads the callback's source on every
# response (its cache misses for bound methods): 0.2-0.5 ms a page for a developer's warning.
WARN_ON_GENERATOR_RETURN_VALUE = False
# A response cut short is still archived (marked truncated) rather than dropped.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Scrapy's HTTP/1.1 handler, except that a stopped download really closes its connection (over
# TLS Scrapy's close waits for the server, reading on), and that a cited page has a time budget
# (RESPONSE_BUDGET_SECONDS, crawler/defaults.py).
DOWNLOAD_HANDLERS = {
    "http": "crawler.downloadhandlers.budget.BudgetHTTP11DownloadHandler",
    "https": "crawler.downloadhandlers.budget.BudgetHTTP11DownloadHandler",
    # The web only: a cited file:// or s3:// URL must not read this machine or its cloud account
    # into the archive, even with the URL guard turned off.
    "file": None,
    "s3": None,
    "ftp": None,
    "data": None,
}

# Sources are on any host: no offsite filtering of cited URLs.
COOKIES_ENABLED = True
# No control ports: an unattended crawl listens on nothing.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# The address each direct connection is made to is judged again as it is resolved (DNS
# rebinding); Scrapy's own caching resolver otherwise.
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"
# The URL guard refuses internal addresses before robots.txt is fetched or any handler runs
# (file:, s3:, ftp: and data: have handlers in Scrapy); it judges the target, never the proxy.
DOWNLOADER_MIDDLEWARES = {
    # Lowest: it sees each final response after redirects, decompression and retries.
    "crawler.downloadermiddlewares.read_ahead.ReadAheadMiddleware": 50,
    "crawler.downloadermiddlewares.urlguard.UrlGuardMiddleware": 90,
    # After the guard (a URL refused today stays refused), before robots.txt (an archived page
    # costs no robots.txt fetch).
    "crawler.downloadermiddlewares.archive_cache.ArchiveCacheMiddleware": 95,
    # Scrapy's decompression, except that a cited page too large once decoded (a gzip bomb) is
    # kept as received and recorded as truncated instead of being dropped.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.downloadermiddlewares.decompression.BoundedDecompressionMiddleware": 590,
}
EXTENSIONS = {
    # First: a crawl refused by the lock must not open the archive, or anything else.
    "crawler.extensions.archive_lock.ArchiveLockExtension": 50,
    "crawler.extensions.warc_capture.WarcCapture": 100,
    "crawler.extensions.crawl_log.CrawlLog": 110,
    "crawler.extensions.gc_tuning.GcTuning": 800,
    # After the WARC capture: its closing summary counts the files the capture has closed.
    "crawler.extensions.progress.Progress": 900,
}
ITEM_PIPELINES = {
    "crawler.pipelines.pairs.PairsPipeline": 500,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
