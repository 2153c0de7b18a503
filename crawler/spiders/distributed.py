"""Distributed Blogger spiders: several crawler processes share one crawl through Redis.

``scrapy crawl t2-redis -s BITEXT_DISTRIBUTED=redis://HOST:6379/0 -s ARCHIVE_DIR=DIR`` on each
node, after ``python -m crawler seed t2-redis --redis redis://HOST:6379/0`` (docs/distributed.md).
scrapy-redis holds the frontier (the scheduler's queue) and the duplicate filter in Redis, so each
URL is fetched once by one of the nodes; the crawl starts from the discovery requests the seed
command pushes to the spider's start key, not from the spider's own ``start()``.

Each node writes its own WARC files, crawl-log records, journal and crawl state into its own
``ARCHIVE_DIR``; ``python -m crawler merge`` composes the one manifest from all nodes' WARC files.
So that it composes them as one crawl, every node's crawl-log records carry the crawl id the
seed command stored in Redis.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import defaults
from crawler.dates import isoformat
from crawler.spiders.blogger import BloggerSpider, T1Spider, T2Spider

try:
    from scrapy_redis.spiders import RedisMixin

    HAVE_SCRAPY_REDIS = True
except ImportError:  # the optional extra "distributed" is not installed

    class RedisMixin:  # type: ignore[no-redef]
        """Stands in for scrapy-redis's mixin: the spiders still load, and say what is missing."""

    HAVE_SCRAPY_REDIS = False

if TYPE_CHECKING:
    from typing import Self

    from redis import Redis
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from crawler.items import ListingItem, PostItem, SourceItem

logger = logging.getLogger(__name__)

KEY_PREFIX = "bitext"
# What a seed may ask for: the spider's discovery callbacks, never an arbitrary attribute.
SEED_CALLBACKS = frozenset({"parse_sitemap", "parse_feed", "parse_post"})
SEED_ERRBACKS = frozenset({"post_failed"})
META_CLAIMED = "bitext_cited_claimed"  # this node was the first to request the cited URL


@dataclass(frozen=True)
class RedisKeys:
    """The Redis keys of one distributed crawl target: a spider and the blog it crawls."""

    prefix: str

    @property
    def start_urls(self) -> str:
        return f"{self.prefix}:start_urls"

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def cited(self) -> str:
        return f"{self.prefix}:cited"

    @property
    def feed_published(self) -> str:
        return f"{self.prefix}:feed_published"

    @property
    def crawl(self) -> str:
        return f"{self.prefix}:crawl"

    def crawl_keys(self) -> tuple[str, ...]:
        """Everything one crawl leaves behind, which a new crawl starts without."""
        return (self.start_urls, self.requests, self.dupefilter, self.cited, self.feed_published)


def redis_keys(spider_name: str, blog: str) -> RedisKeys:
    # Per blog, not only per spider: ``blogger-redis`` may crawl several blogs at once.
    return RedisKeys(f"{KEY_PREFIX}:{spider_name}:{urlsplit(blog).netloc}")


def scrapy_redis_settings(redis_url: str) -> dict[str, Any]:
    """The scrapy-redis settings that ``BITEXT_DISTRIBUTED`` stands for."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # The first node to close would otherwise clear the queue and duplicate filter that
        # the others still use; a new crawl is started by the seed command instead.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "MAX_IDLE_TIME_BEFORE_CLOSE": defaults.DISTRIBUTED_MAX_IDLE_TIME,
    }


def encode_seed(request: scrapy.Request) -> str:
    """A discovery request as the JSON a node turns back into it (``make_request_from_data``)."""
    return json.dumps(
        {
            "url": request.url,
            "callback": getattr(request.callback, "__name__", None),
            "errback": getattr(request.errback, "__name__", None),
            "meta": dict(request.meta),
            "dont_filter": request.dont_filter,
        },
        ensure_ascii=False,
    )


class DistributedBloggerSpider(RedisMixin, BloggerSpider):
    """``scrapy crawl blogger-redis -a blog=https://HOST/ -s BITEXT_DISTRIBUTED=redis://...``.

    The options of ``blogger`` apply per node, except that discovery comes from the seed
    (``discover`` and ``post`` are given to the seed command) and ``limit`` counts each node's
    posts.
    """

    name = "blogger-redis"
    # Discovery lists are few and each fans out into many requests: one at a time per node
    # spreads them over the nodes instead of giving them all to the first one to ask.
    redis_batch_size = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = redis_keys(self.name, self.blog)
        self.redis_key = self.keys.start_urls
        self.server: Redis | None = None
        self.crawl_id: str | None = None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        redis_url = settings.get("BITEXT_DISTRIBUTED", defaults.BITEXT_DISTRIBUTED)
        if not redis_url or not HAVE_SCRAPY_REDIS:
            return  # from_crawler says what is missing, as a bad argument
        for name, value in scrapy_redis_settings(redis_url).items():
            # As for USER_AGENT: whatever the user set explicitly wins.
            if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["default"]:
                settings.set(name, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        if not crawler.settings.get("BITEXT_DISTRIBUTED", defaults.BITEXT_DISTRIBUTED):
            raise ValueError(
                f"the {cls.name} spider shares its crawl through Redis: "
                "give -s BITEXT_DISTRIBUTED=redis://HOST:6379/0"
            )
        if not HAVE_SCRAPY_REDIS:
            raise ValueError(
                "distributed crawls need scrapy-redis: pip install 'bitext-crawler[distributed]'"
            )
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The scheduler is built after the spider, so it still reads these.
        crawler.settings.set("SCHEDULER_QUEUE_KEY", spider.keys.requests, priority="spider")
        crawler.settings.set("SCHEDULER_DUPEFILTER_KEY", spider.keys.dupefilter, priority="spider")
        spider.setup_redis(crawler)
        # scrapy-redis times idleness from the class's import or from the last time the start
        # key held work; this node's own fetches are its activity.
        spider.spider_idle_start_time = int(time.time())
        for signal in (signals.request_reached_downloader, signals.request_left_downloader):
            crawler.signals.connect(spider.active, signal=signal)
        crawler.signals.connect(spider.request_scheduled, signal=signals.request_scheduled)
        # Connected before any extension is built, so this runs before the crawl log writes the
        # first record.
        crawler.signals.connect(spider.share_crawl_id, signal=signals.item_scraped)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._restore_job_state()
        for request in self.next_requests():
            yield request

    def seed_requests(self) -> list[scrapy.Request]:
        """The requests a crawl of the blog starts from, as ``blogger``'s ``start()`` makes them.

        What they lead to is read as ``blogger`` reads it: each node requests a sitemap or feed
        URL at most once and keeps to the caps (crawler/spiders/discovery.py); a page another
        node requested counts as requested once this node reads it.
        """
        return self.discovery_requests()

    def make_request_from_data(self, data: bytes) -> scrapy.Request | None:
        """The request of one seed (``encode_seed``); None, and an error logged, if unusable."""
        try:
            fields = json.loads(data.decode(self.redis_encoding or "utf-8"))
            callback, errback = fields.get("callback"), fields.get("errback")
            if callback not in SEED_CALLBACKS or errback not in SEED_ERRBACKS | {None}:
                raise ValueError(f"not a discovery callback: {callback!r}, {errback!r}")
            return scrapy.Request(
                str(fields["url"]),
                callback=getattr(self, callback),
                errback=getattr(self, errback) if errback else None,
                meta=dict(fields.get("meta") or {}),
                dont_filter=bool(fields.get("dont_filter", True)),
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.error("unusable seed in %s: %s (%r)", self.redis_key, exc, data[:200])
            self._inc("bitext/distributed/bad_seeds")
            return None

    def active(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        self.spider_idle_start_time = int(time.time())

    def _inc(self, key: str) -> None:
        # The seed command builds its requests with a spider that has no crawler.
        if getattr(self, "crawler", None) is not None:
            super()._inc(key)

    def _post_request(self, url: str, found_by: str, **listing: Any) -> scrapy.Request | None:
        request = super()._post_request(url, found_by, **listing)
        # Every node lists the same posts: the shared duplicate filter decides who fetches one.
        return request.replace(dont_filter=False) if request is not None else None

    def request_scheduled(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """Claim a cited URL in Redis when its first request is scheduled.

        Each node requests a cited URL once (``self.cited``); the claim tells a drop by the
        shared duplicate filter because another node requested the same cited URL (it fetches
        it) from a drop because a redirect hop reached the URL first (fetched again, as in a
        single-process crawl: see ``BloggerSpider.request_dropped``).
        """
        meta = request.meta
        if "cited_url" not in meta or META_CLAIMED in meta or request.dont_filter:
            return
        if "redirect_urls" in meta or self.server is None:
            return
        meta[META_CLAIMED] = bool(self.server.sadd(self.keys.cited, meta["cited_url"]))

    def request_dropped(self, request: scrapy.Request) -> None:
        if "cited_url" in request.meta and request.meta.get(META_CLAIMED) is False:
            self._inc("bitext/distributed/cited_by_another_node")
            return
        super().request_dropped(request)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request | ListingItem]:
        known = set(self.feed_published)
        requests = list(super().parse_feed(response))
        # Published before the page's post requests are queued, so the node that fetches a
        # post whose page gives only a day can still time it from the feed.
        learnt = [(url, at) for url, at in self.feed_published.items() if url not in known]
        if learnt and self.server is not None:
            with self.server.pipeline(transaction=False) as pipe:
                for url, moment in learnt:
                    pipe.hset(self.keys.feed_published, url, moment.isoformat())
                pipe.execute()
        yield from requests

    def parse_post(self, response: Response) -> Iterator[PostItem | SourceItem | scrapy.Request]:
        canonical = response.meta["post_url"]
        if canonical not in self.feed_published and self.server is not None:
            shared = self.server.hget(self.keys.feed_published, canonical)
            if shared:
                text = shared.decode() if isinstance(shared, bytes) else str(shared)
                self.feed_published[canonical] = datetime.fromisoformat(text)
        yield from super().parse_post(response)

    def share_crawl_id(self, item: Any, response: Any, spider: scrapy.Spider) -> None:
        """Write this node's crawl-log records under the crawl id of the distributed crawl.

        Read at the first item rather than at start: a node may start before the seed that
        sets the id. Without a seed (start URLs pushed by hand) the first node to ask sets one.
        """
        if self.crawl_id is not None or self.server is None:
            return
        fresh = f"{isoformat(datetime.now(UTC))} {self.keys.prefix}"
        self.server.set(self.keys.crawl, fresh, nx=True)
        stored = self.server.get(self.keys.crawl) or fresh
        # The crawl-log extension takes the spider's ``crawl_id`` over its own.
        self.crawl_id = stored.decode() if isinstance(stored, bytes) else str(stored)
        logger.info("crawl-log records of this node carry the crawl id %r", self.crawl_id)


class T2RedisSpider(DistributedBloggerSpider):
    """``t2`` on several nodes."""

    name = "t2-redis"
    default_blog = T2Spider.default_blog


class T1RedisSpider(DistributedBloggerSpider):
    """``t1`` on several nodes."""

    name = "t1-redis"
    default_blog = T1Spider.default_blog


DISTRIBUTED_SPIDERS: dict[str, type[DistributedBloggerSpider]] = {
    cls.name: cls for cls in (DistributedBloggerSpider, T2RedisSpider, T1RedisSpider)
}


@dataclass(frozen=True)
class Seeded:
    crawl_id: str
    keys: RedisKeys
    urls: list[str]


class CrawlRunning(RuntimeError):
    """Requests of an earlier crawl are still queued: its nodes may still be working."""


def seed_crawl(server: Redis, spider: DistributedBloggerSpider, *, force: bool = False) -> Seeded:
    """Start a new distributed crawl of ``spider``'s blog: forget the previous crawl's queue,
    duplicate filter and claims, store a new crawl id and push the discovery requests."""
    keys = spider.keys
    queued = int(server.exists(keys.requests))
    if queued and not force:
        raise CrawlRunning(
            f"{keys.requests} still holds requests: a crawl of {spider.blog} may be running "
            "(stop its nodes first, or seed with --force to start anew)"
        )
    requests = spider.seed_requests()
    crawl_id = f"{isoformat(datetime.now(UTC))} {keys.prefix}"
    pipe = server.pipeline(transaction=True)
    pipe.delete(*keys.crawl_keys())
    pipe.set(keys.crawl, crawl_id)
    pipe.rpush(keys.start_urls, *[encode_seed(request) for request in requests])
    pipe.execute()
    return Seeded(crawl_id, keys, [request.url for request in requests])
