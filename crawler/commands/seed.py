"""``python -m crawler seed SPIDER --redis URL``: start a distributed crawl.

See docs/distributed.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.commands.extras import DISTRIBUTED, missing_extra
from crawler.commands.options import ExamplesFormatter, add_spider_args, examples
from crawler.outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from crawler.util.terminal import echo

REDIS_EXAMPLE = "redis://HOST:6379/0"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="start a distributed crawl: push a blog's discovery URLs into Redis",
        description=(
            "Start a new distributed crawl of SPIDER (t2-redis, t1-redis, or blogger-redis with "
            "-a blog=URL): forget the previous crawl's queue and duplicate filter in Redis, store "
            "a new crawl id, and push the blog's discovery requests (its sitemap and the first "
            "page of its feed) to the spider's start key, where the nodes "
            "(python -m crawler crawl SPIDER --archive DIR -s BITEXT_DISTRIBUTED=URL) take them. "
            'Needs the distributed extra (pip install -e ".[distributed]").'
        ),
        epilog=examples(
            f"python -m crawler seed t2-redis --redis {REDIS_EXAMPLE}",
            "    then, on each node, with a directory of its own:",
            f"    {node_command('t2-redis', REDIS_EXAMPLE, '')}",
            f"python -m crawler seed blogger-redis --redis {REDIS_EXAMPLE} -a blog=https://HOST/",
        ),
        formatter_class=ExamplesFormatter,
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
    missing = missing_extra("seed", DISTRIBUTED)
    if missing is not None:
        echo(missing, file=sys.stderr)
        return EXIT_USAGE
    # Imported here: scrapy-redis is an optional extra, and Scrapy is slow to import.
    import redis

    from crawler.spiders.distributed import DISTRIBUTED_SPIDERS, CrawlRunning, seed_crawl

    spider_class = DISTRIBUTED_SPIDERS.get(args.spider)
    if spider_class is None:
        names = ", ".join(sorted(DISTRIBUTED_SPIDERS))
        echo(f"seed: {args.spider!r} is not a distributed spider ({names})", file=sys.stderr)
        return EXIT_USAGE
    try:
        spider = spider_class(**dict(args.spider_args))
    except (TypeError, ValueError) as error:
        echo(f"seed: {error}", file=sys.stderr)
        return EXIT_USAGE
    where = _without_password(args.redis)
    try:
        server = redis.Redis.from_url(args.redis)
        seeded = seed_crawl(server, spider, force=args.force)
    except CrawlRunning as error:
        echo(f"seed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (redis.RedisError, ValueError) as error:
        echo(f"seed: cannot seed through {where}: {error}", file=sys.stderr)
        return EXIT_FAILED
    echo(f"Started crawl {seeded.crawl_id!r} of {spider.blog} on {where}:")
    for url in seeded.urls:
        echo(f"  {url}")
    echo(f"queued at {seeded.keys.start_urls}; run on each node, with a directory of its own:")
    echo(f"  {node_command(spider.name, where, spider.blog)}")
    return EXIT_OK


def node_command(spider: str, redis_url: str, blog: str) -> str:
    """The crawl a node runs: ``python -m crawler crawl``, which exits with a code a scheduler
    acts on (crawler/outcome.py), not ``scrapy crawl``."""
    blog_arg = f" -a blog={blog}" if spider == "blogger-redis" else ""
    return (
        f"python -m crawler crawl {spider} --archive DIR "
        f"-s BITEXT_DISTRIBUTED={redis_url}{blog_arg}"
    )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
