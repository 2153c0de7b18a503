"""End to end: a blog whose lists never end on their own is still crawled, promptly and once.

Worlds of their own, built from one corpus note (synthetic, no citation) copied to five posts:
a sitemap index that lists itself, one that lists an ever deeper index, and a feed that ignores
``start-index`` (``replica/sites/blogger_loops.py``). Before discovery remembered what it had
requested, the first kept a crawl going until it was killed (thousands of fetches of
/sitemap.xml a minute); here each crawl has ``CRAWL_TIMEOUT`` to end by itself.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import pytest

from crawler.manifest import read_manifest
from replica.corpus import load_cases
from replica.sites.blogger import BloggerSite
from replica.sites.blogger_loops import LoopingLists
from replica.world import World
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

BLOG = "https://looping-lists-synthetic.blogspot.com/"
HOST = BLOG.split("/")[2]
POSTS = 5
CRAWL_TIMEOUT = 120  # seconds; each crawl takes a few


@dataclass(frozen=True)
class LoopRun:
    run: CrawlRun
    seconds: float
    paths: list[str]  # the blog's posts, as paths

    def gets(self) -> Counter[str]:
        """GET requests to the blog's host, by path with query."""
        return Counter(
            str(r["path"]) for r in self.run.requests if r["host"] == HOST and r["method"] == "GET"
        )

    def warnings(self) -> list[str]:
        """The discovery's WARNING lines."""
        return [
            line
            for line in self.run.log.splitlines()
            if "[crawler.spiders.discovery] WARNING: " in line
        ]

    def stat(self, key: str) -> int:
        match = re.search(rf"'{re.escape(key)}': (\d+)", self.run.log)
        return int(match.group(1)) if match else 0


def _crawl(
    tmp_path_factory: pytest.TempPathFactory, name: str, discover: str, **loops: Any
) -> LoopRun:
    note = next(c for c in load_cases("t2") if c.post.path == "/2025/06/blog-post_30.html").post
    posts = [replace(note, path=f"/2025/07/blog-post_{n}.html") for n in range(1, POSTS + 1)]
    # Two posts per sitemap page: the index lists three pages besides itself.
    blog = BloggerSite(HOST, "合成ブログ", posts, sitemap_page_size=2)
    site = LoopingLists(blog, **loops)
    world = World(sites={HOST: site, **site.aliases()}, cases={BLOG: []})
    started = time.monotonic()
    run = crawl_replica(
        world,
        tmp_path_factory.mktemp(name) / "archive",
        spider="blogger",
        spider_args={"blog": BLOG, "discover": discover},
        timeout=CRAWL_TIMEOUT,
    )
    assert run.returncode == 0, run.log[-4000:]
    return LoopRun(run, time.monotonic() - started, [post.path for post in posts])


def _manifest_posts(run: CrawlRun) -> set[str]:
    return {pair.translation.url for pair in read_manifest(run.archive / "pairs.jsonl")}


@pytest.fixture(scope="module")
def self_listing(tmp_path_factory: pytest.TempPathFactory) -> LoopRun:
    return _crawl(tmp_path_factory, "self-listing", "sitemap", sitemap="self")


@pytest.fixture(scope="module")
def deeper(tmp_path_factory: pytest.TempPathFactory) -> LoopRun:
    return _crawl(tmp_path_factory, "deeper", "sitemap", sitemap="deeper")


@pytest.fixture(scope="module")
def same_feed_page(tmp_path_factory: pytest.TempPathFactory) -> LoopRun:
    return _crawl(tmp_path_factory, "same-feed-page", "feed", feed_ignores_start=True)


def test_a_sitemap_index_that_lists_itself_is_read_once(self_listing: LoopRun) -> None:
    gets = self_listing.gets()
    assert gets["/sitemap.xml"] == 1
    assert [gets[f"/sitemap.xml?page={n}"] for n in (1, 2, 3)] == [1, 1, 1]
    assert all(gets[path] == 1 for path in self_listing.paths)
    # robots.txt, the index, its three pages, the five posts: nothing else.
    assert sum(gets.values()) == 1 + 1 + 3 + POSTS
    assert _manifest_posts(self_listing.run) == {BLOG.rstrip("/") + p for p in self_listing.paths}
    assert self_listing.stat("bitext/discovery/repeated_url") == 1
    (warning,) = self_listing.warnings()
    assert f"{BLOG}sitemap.xml lists {BLOG}sitemap.xml" in warning
    assert "already requested" in warning


def test_ever_deeper_sitemap_indexes_end_at_the_depth_cap(deeper: LoopRun) -> None:
    gets = deeper.gets()
    # The default cap, 3: the indexes at depths 1 to 3 are read, the one they lead to is not.
    assert [gets[f"/sitemap.xml?index={n}"] for n in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert gets["/sitemap.xml"] == 1
    assert [gets[f"/sitemap.xml?page={n}"] for n in (1, 2, 3)] == [1, 1, 1]
    assert _manifest_posts(deeper.run) == {BLOG.rstrip("/") + p for p in deeper.paths}
    assert deeper.stat("bitext/discovery/depth_cap") == 1
    capped = [w for w in deeper.warnings() if "BITEXT_SITEMAP_MAX_DEPTH" in w]
    assert len(capped) == 1 and f"{BLOG}sitemap.xml?index=4" in capped[0]


def test_a_feed_that_ignores_start_index_ends_at_the_page_that_adds_nothing(
    same_feed_page: LoopRun,
) -> None:
    feed_pages = {p: n for p, n in same_feed_page.gets().items() if p.startswith("/feeds/")}
    assert sorted(feed_pages.values()) == [1, 1]
    second = next(p for p in feed_pages if "start-index=6" in p)
    assert _manifest_posts(same_feed_page.run) == {
        BLOG.rstrip("/") + p for p in same_feed_page.paths
    }
    assert sum(same_feed_page.gets().values()) == 1 + 2 + POSTS
    assert same_feed_page.stat("bitext/discovery/feed_nothing_new") == 1
    (warning,) = same_feed_page.warnings()
    assert f"{BLOG.rstrip('/')}{second}" in warning and "nothing new" in warning


def test_each_looping_crawl_ends_promptly(
    self_listing: LoopRun, deeper: LoopRun, same_feed_page: LoopRun
) -> None:
    for run in (self_listing, deeper, same_feed_page):
        assert run.seconds < CRAWL_TIMEOUT / 2, run.run.log[-2000:]
