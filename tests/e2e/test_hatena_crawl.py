"""End to end: ``scrapy crawl blog`` finds that the replica Hatena blog is Hatena Blog (from its
host, and on a custom domain from its home page's markup), reads its
lists (the sitemap index and its periodical sitemaps, the Atom feed by ``rel="next"``) and every
entry once, obeys robots.txt, and writes the golden fields and statuses
(replica/sites/hatena_cases.py); the links that are not a post's source (a Wikipedia link or
card, a card to another post of the blog, related coverage, a photo credit, share buttons, an
ad, a commenter's links) are never taken for one."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from crawler.manifest import Pair, read_manifest
from replica.sites import hatena_theme
from replica.sites.hatena import DISALLOWED
from replica.sites.hatena_cases import HATENA_BLOG, HATENA_CUSTOM_BLOG, HatenaCase
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

NOT_SOURCES = (
    hatena_theme.WIKIPEDIA,
    hatena_theme.PHOTO_CREDIT_URL,
    hatena_theme.RELATED_COVERAGE,
    hatena_theme.AD_URL,
    hatena_theme.COMMENTER_URL,
    hatena_theme.PARTS,  # the card's iframe: the page it shows is read from its url=
    HATENA_BLOG,  # another post of the blog
    HATENA_CUSTOM_BLOG,
    "https://x.com/intent",
    "https://b.hatena.ne.jp/",
)
COMMENTED = "https://www.defensenews.com/"  # the link a commenter left


@pytest.fixture(scope="module", params=[HATENA_BLOG, HATENA_CUSTOM_BLOG], ids=["host", "custom"])
def blog(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def hatena_crawl(blog: str, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    run = crawl_replica(
        build_world(),
        tmp_path_factory.mktemp("hatena") / "archive",
        spider="blog",
        spider_args={"blog": blog},
    )
    if run.returncode != 0:
        pytest.fail(f"the Hatena crawl of {blog} exited {run.returncode}:\n{run.log[-4000:]}")
    return run


@pytest.fixture(scope="module")
def cases(hatena_crawl: CrawlRun, blog: str) -> list[HatenaCase]:
    return [c for c in hatena_crawl.world.platform_cases[blog] if isinstance(c, HatenaCase)]


def _gets(run: CrawlRun, blog: str) -> Counter[str]:
    host = urlsplit(blog).netloc
    return Counter(
        str(r["path"]) for r in run.requests if r["host"] == host and r["method"] == "GET"
    )


def _pairs(run: CrawlRun) -> list[Pair]:
    return list(read_manifest(run.archive / "pairs.jsonl"))


def test_the_platform_is_found_and_logged(hatena_crawl: CrawlRun, blog: str) -> None:
    assert {p.translation.platform for p in _pairs(hatena_crawl)} == {"hatena"}
    if blog == HATENA_BLOG:
        assert f"platform: hatena (a Hatena Blog host) for {blog}" in hatena_crawl.log
        assert "/" not in _gets(hatena_crawl, blog)  # nothing fetched to detect it
    else:  # a custom domain: its home page's markup, fetched once
        assert f"platform: hatena (data-admin-domain on <html>) for {blog}" in hatena_crawl.log
        assert _gets(hatena_crawl, blog)["/"] == 1


def test_every_post_is_fetched_exactly_once(
    hatena_crawl: CrawlRun, cases: list[HatenaCase], blog: str
) -> None:
    gets = _gets(hatena_crawl, blog)
    for case in cases:
        assert gets[case.path] == 1, case.path
    assert gets["/robots.txt"] == 1


def test_discovery_reads_the_lists_and_nothing_else(hatena_crawl: CrawlRun, blog: str) -> None:
    paths = set(_gets(hatena_crawl, blog)) - {"/"}  # the home page: detection only
    assert "/sitemap.xml" in paths
    assert any(p.startswith("/sitemap_periodical.xml?year=") for p in paths)
    assert "/feed" in paths
    assert any(p.startswith("/feed?page=") for p in paths)  # rel="next" was followed
    # Never the common sitemap, archives, about, the top page, or anything robots.txt forbids.
    assert not [p for p in paths if p.startswith(("/sitemap_common", "/archive", "/about"))]
    assert not [p for p in paths if p.startswith(DISALLOWED)]
    assert not [p for p in paths if not p.startswith(("/entry/", "/sitemap", "/feed", "/robots"))]


def test_every_pair_has_its_expected_status(
    hatena_crawl: CrawlRun, cases: list[HatenaCase], blog: str
) -> None:
    got = {(p.translation.url, p.cited_url): p.status for p in _pairs(hatena_crawl)}
    assert got == expected_statuses(cases, blog)


def test_golden_fields(hatena_crawl: CrawlRun, cases: list[HatenaCase], blog: str) -> None:
    assert golden_differences(_pairs(hatena_crawl), cases, blog) == []


def test_links_that_are_not_sources_are_never_taken(hatena_crawl: CrawlRun, blog: str) -> None:
    cited = [p.cited_url for p in _pairs(hatena_crawl) if p.cited_url]
    assert not [url for url in cited if url.startswith(NOT_SOURCES) or url == COMMENTED]
    assert (
        requested_links(hatena_crawl.requests, (*NOT_SOURCES, COMMENTED), urlsplit(blog).netloc)
        == []
    )


def test_the_manifest_has_no_defects(hatena_crawl: CrawlRun) -> None:
    assert manifest_defects(hatena_crawl.archive) == []


def test_rebuild_reads_the_archived_posts_as_hatena(
    hatena_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Each page says its platform: the archive alone gives the crawl's manifest again.
    output = tmp_path_factory.mktemp("hatena-rebuild") / "pairs.rebuilt.jsonl"
    result = offline_command("rebuild", str(hatena_crawl.archive), "-o", str(output))
    assert result.returncode == 0, result.stderr[-4000:]
    assert output.read_bytes() == (hatena_crawl.archive / "pairs.jsonl").read_bytes()
