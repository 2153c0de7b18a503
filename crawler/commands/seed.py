"""``python -m crawler seed SPIDER --redis URL``: start a distributed crawl.

See docs/distributed.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.commands.options import add_spider_args
from crawler.util.terminal import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="start a distributed crawl: push a blog's discovery URLs into Redis",
        description=(
            "Start a new distributed crawl of SPIDER (t2-redis, t1-redis, or blogger-redis with "
            "-a blog=URL): forget the previous crawl's queue and duplicate filter in Redis, store "
            "a new crawl id, and push the blog's discovery requests (its sitemap and the first "
            "page of its feed) to the spider's start key, where the nodes "
            "(scrapy crawl SPIDER -s BITEXT_DISTRIBUTED=URL) take them."
        ),
    )
    parser.add_argument("spider", metavar="SPIDER", help="a distributed spider: t2-redis, ...")
    parser.add_argument(
        "--redis", required=True, metavar="URL", help="the Redis server, redis://HOST:6379/0"
    )
    add_spider_args(
        parser, "a spider argument: blog, discover (sitemap, feed or sitemap,feed) or post"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="start anew even though requests are still queued (nodes of a crawl may be running)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: scrapy-redis is an optional extra, and Scrapy is slow to import.
    from crawler.spiders.distributed import (
        DISTRIBUTED_SPIDERS,
        HAVE_SCRAPY_REDIS,
        CrawlRunning,
        seed_crawl,
    )

    if not HAVE_SCRAPY_REDIS:
        echo("seed: pip install 'bitext-crawler[distributed]' first", file=sys.stderr)
        return 2
    import redis

    spider_class = DISTRIBUTED_SPIDERS.get(args.spider)
    if spider_class is None:
        names = ", ".join(sorted(DISTRIBUTED_SPIDERS))
        echo(f"seed: {args.spider!r} is not a distributed spider ({names})", file=sys.stderr)
        return 2
    try:
        spider = spider_class(**dict(args.spider_args))
    except (TypeError, ValueError) as error:
        echo(f"seed: {error}", file=sys.stderr)
        return 2
    where = _without_password(args.redis)
    try:
        server = redis.Redis.from_url(args.redis)
        seeded = seed_crawl(server, spider, force=args.force)
    except CrawlRunning as error:
        echo(f"seed: {error}", file=sys.stderr)
        return 1
    except (redis.RedisError, ValueError) as error:
        echo(f"seed: cannot seed through {where}: {error}", file=sys.stderr)
        return 1
    echo(f"Started crawl {seeded.crawl_id!r} of {spider.blog} on {where}:")
    for url in seeded.urls:
        echo(f"  {url}")
    echo(
        f"queued at {seeded.keys.start_urls}; run on each node: scrapy crawl {spider.name} "
        f"-s BITEXT_DISTRIBUTED={where} -s ARCHIVE_DIR=DIR"
        + (f" -a blog={spider.blog}" if spider.name == "blogger-redis" else "")
    )
    return 0


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
