"""The demo: crawl the replica web with the real ``t2`` spider and summarise what it wrote.

Starts the replica web (synthetic sites behind a proxy on 127.0.0.1), runs ``scrapy crawl t2``
through it into ``archives/demo/`` (emptied first), and prints the posts found, the pairs by
status, the WARC files and the time taken; then the same for the replica WordPress blog and the
replica Hatena blog with ``scrapy crawl blog`` into ``archives/demo-wordpress/`` and
``archives/demo-hatena/``. Everything printed is read back from
the outputs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from crawler.manifest import Pair, read_manifest
from replica.crawl import PROJECT_ROOT, run_crawl
from replica.server import ReplicaWeb
from replica.sites.hatena_cases import HATENA_BLOG
from replica.sites.wordpress_cases import WORDPRESS_BLOG
from replica.world import build_world

DEFAULT_OUT = PROJECT_ROOT / "archives" / "demo"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="archive directory")
    parser.add_argument("--scale", type=int, default=None, help="generate a blog of N posts")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    world = build_world(scale=args.scale)
    wordpress = out.with_name(f"{out.name}-wordpress")
    hatena = out.with_name(f"{out.name}-hatena")
    crawls = [
        ("t2", {}, out),
        ("blog", {"blog": WORDPRESS_BLOG}, wordpress),
        ("blog", {"blog": HATENA_BLOG}, hatena),
    ]
    with ReplicaWeb(world.sites) as web:
        print(f"replica web: {len(world.hosts)} hosts behind {web.proxy_url}")
        for spider, spider_args, archive in crawls:
            if archive.exists():
                shutil.rmtree(archive)
            archive.mkdir(parents=True)
            web.clear()
            started = time.monotonic()
            result = run_crawl(
                spider,
                archive,
                web.proxy_url,
                spider_args=spider_args,
                log_file=archive / "crawl.log",
            )
            elapsed = time.monotonic() - started
            if result.returncode != 0:
                print(f"the crawl failed (exit {result.returncode}); see {archive / 'crawl.log'}")
                print(result.stderr[-3000:], file=sys.stderr)
                return 1
            print(f"\n== scrapy crawl {spider} {' '.join(spider_args.values())}".rstrip())
            print(summary(archive, len(web.requests), elapsed))
    return 0


def summary(out: Path, requests: int, elapsed: float) -> str:
    manifest = out / "pairs.jsonl"
    if not manifest.exists():
        return f"no manifest was written in {out}"
    pairs = list(read_manifest(manifest))
    posts = {p.translation.url for p in pairs}
    statuses = Counter(p.status for p in pairs)
    warcs = sorted(out.glob("*.warc.gz"))
    size = sum(w.stat().st_size for w in warcs)
    lines = [
        f"crawled {requests} URLs in {elapsed:.1f} s",
        f"posts: {len(posts)}",
        f"pairs: {len(pairs)} in {manifest}",
        *(f"  {status:<26} {count}" for status, count in sorted(statuses.items())),
        f"WARC files: {len(warcs)} ({size / 1024:.0f} KiB)",
        *(f"  {w.name}" for w in warcs),
    ]
    lines.append("posts found (date, status of each cited source, title):")
    by_post: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_post.setdefault(pair.translation.url, []).append(pair)
    for url, post_pairs in sorted(by_post.items(), key=lambda item: item[1][0].sort_key()):
        first = post_pairs[0].translation
        day = (first.published or "")[:10]
        outcomes = ",".join(p.status for p in post_pairs)
        lines.append(f"  {day}  {outcomes:<28} {first.title or url}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
