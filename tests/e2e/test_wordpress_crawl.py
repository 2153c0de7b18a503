"""End to end: ``scrapy crawl blog`` finds that the replica WordPress blog is WordPress, reads its
lists (core sitemaps, the RSS feed, the REST API) and every post once, obeys robots.txt, and
writes the golden fields and statuses (replica/sites/wordpress_cases.py); the external links that
are not a post's source are never taken for one."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from crawler.manifest import Pair, read_manifest
from replica.sites import wordpress_theme
from replica.sites.wordpress_cases import WORDPRESS_BLOG, WordPressCase
from replica.world import build_world
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command
from tests.e2e.platform_goldens import (
    expected_statuses,
    golden_differences,
    manifest_defects,
    requested_links,
)

pytestmark = pytest.mark.e2e

HOST = urlsplit(WORDPRESS_BLOG).netloc
NOT_SOURCES = (
    wordpress_theme.WIKIPEDIA,
    wordpress_theme.PHOTO_CREDIT_URL,
    wordpress_theme.RELATED_COVERAGE,
    wordpress_theme.AD_URL,
    wordpress_theme.COMMENTER_URL,
    WORDPRESS_BLOG,  # another post of the blog
    "https://x.com/intent",
)
COMMENTED = "https://www.defensenews.com/"  # the link a commenter left


@pytest.fixture(scope="module")
def wp_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    run = crawl_replica(
        build_world(),
        tmp_path_factory.mktemp("wordpress") / "archive",
        spider="blog",
        spider_args={"blog": WORDPRESS_BLOG},
    )
    if run.returncode != 0:
        pytest.fail(f"the WordPress crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


@pytest.fixture(scope="module")
def cases(wp_crawl: CrawlRun) -> list[WordPressCase]:
    return list(wp_crawl.world.platform_cases[WORDPRESS_BLOG])


def _gets(run: CrawlRun) -> Counter[str]:
    return Counter(
        str(r["path"]) for r in run.requests if r["host"] == HOST and r["method"] == "GET"
    )


def _pairs(run: CrawlRun) -> list[Pair]:
    return list(read_manifest(run.archive / "pairs.jsonl"))


def test_the_platform_is_detected_and_logged(wp_crawl: CrawlRun) -> None:
    assert f"platform: wordpress (REST API Link header) for {WORDPRESS_BLOG}" in wp_crawl.log
    assert {p.translation.platform for p in _pairs(wp_crawl)} == {"wordpress"}


def test_every_post_is_fetched_exactly_once(wp_crawl: CrawlRun, cases: list[WordPressCase]) -> None:
    gets = _gets(wp_crawl)
    for case in cases:
        assert gets[case.path] == 1, case.path
    assert gets["/robots.txt"] == 1


def test_discovery_reads_the_lists_and_nothing_else(wp_crawl: CrawlRun) -> None:
    paths = set(_gets(wp_crawl))
    assert "/wp-sitemap.xml" in paths
    assert "/feed/" in paths
    assert any(p.startswith("/wp-json/wp/v2/posts?") for p in paths)
    # Never the admin, search, pages, categories, authors or the ?p= form of a post.
    assert not [p for p in paths if p.startswith("/wp-admin") or "?s=" in p or "?p=" in p]
    assert not [p for p in paths if p.startswith(("/about/", "/category/", "/author/"))]
    # Only post sitemaps: the page, taxonomy and user sitemaps list no posts.
    assert not [p for p in paths if p.startswith(("/wp-sitemap-posts-page", "/wp-sitemap-tax"))]
    assert "/wp-sitemap-users-1.xml" not in paths


def test_every_pair_has_its_expected_status(wp_crawl: CrawlRun, cases: list[WordPressCase]) -> None:
    got = {(p.translation.url, p.cited_url): p.status for p in _pairs(wp_crawl)}
    assert got == expected_statuses(cases, WORDPRESS_BLOG)


def test_golden_fields(wp_crawl: CrawlRun, cases: list[WordPressCase]) -> None:
    assert golden_differences(_pairs(wp_crawl), cases, WORDPRESS_BLOG) == []


def test_links_that_are_not_sources_are_never_taken(wp_crawl: CrawlRun) -> None:
    cited = [p.cited_url for p in _pairs(wp_crawl) if p.cited_url]
    assert not [url for url in cited if url.startswith(NOT_SOURCES) or url == COMMENTED]
    # Nor fetched: nothing was requested at those links.
    assert requested_links(wp_crawl.requests, (*NOT_SOURCES, COMMENTED), HOST) == []


def test_the_manifest_has_no_defects(wp_crawl: CrawlRun) -> None:
    assert manifest_defects(wp_crawl.archive) == []


def test_a_site_on_no_supported_platform_ends_the_crawl_with_a_message(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The replica's twz.com is a Next.js site: neither Blogger nor WordPress.
    run = crawl_replica(
        build_world(),
        tmp_path_factory.mktemp("unsupported") / "archive",
        spider="blog",
        spider_args={"blog": "https://www.twz.com/"},
    )
    assert "https://www.twz.com/ is on no platform the crawler reads" in run.log
    assert "supported are blogger, wordpress" in run.log
    assert "'finish_reason': 'unsupported_platform'" in run.log
    paths = [str(r["path"]) for r in run.requests if r["method"] == "GET"]
    assert sorted(paths) == ["/", "/robots.txt"]


def test_rebuild_reads_the_archived_posts_as_wordpress(
    wp_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Each page says its platform: the archive alone gives the crawl's manifest again.
    output = tmp_path_factory.mktemp("wordpress-rebuild") / "pairs.rebuilt.jsonl"
    result = offline_command("rebuild", str(wp_crawl.archive), "-o", str(output))
    assert result.returncode == 0, result.stderr[-4000:]
    assert output.read_bytes() == (wp_crawl.archive / "pairs.jsonl").read_bytes()


def test_a_second_crawl_fetches_no_unchanged_post(wp_crawl: CrawlRun) -> None:
    # Last in this module: it crawls into the first crawl's archive again. crawl_replica
    # appends to its logs; the first run's requests are already read.
    for suffix in ("-requests.jsonl", "-crawl.log"):
        (wp_crawl.archive.parent / f"{wp_crawl.archive.name}{suffix}").unlink(missing_ok=True)
    again = crawl_replica(
        wp_crawl.world,
        wp_crawl.archive,
        spider="blog",
        spider_args={"blog": WORDPRESS_BLOG},
    )
    assert again.returncode == 0, again.log[-4000:]
    cases = wp_crawl.world.platform_cases[WORDPRESS_BLOG]
    fetched = Counter(
        str(r["path"]) for r in again.requests if r["host"] == HOST and r["method"] == "GET"
    )
    assert not [case.path for case in cases if fetched[case.path]]
    pairs = read_manifest(again.archive / "pairs.jsonl")
    assert len({p.translation.url for p in pairs}) == len(cases)
