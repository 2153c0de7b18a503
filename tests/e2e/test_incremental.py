"""End to end: daily runs into one archive fetch only what is new, changed or worth retrying.

Four crawls of the replica, in order, into one ARCHIVE_DIR: a first full one; a second over the
unchanged blog; a third after three posts were published (one citing a new article, one citing an
article already archived, one citing a page the first run found gone) and a truncating source was
fixed; a fourth with ``-a full=1``. What
each fetched is read from the replica proxy's request log.

Which sources are retried is restated here from docs/incremental.md rather than imported: a 5xx,
a connection that failed, a body cut short.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.manifest import Pair, read_manifest
from crawler.reading.archived import read_payload_digest
from crawler.state import CrawlState
from replica.corpus import generate_cases, load_cases
from replica.model import PairCase
from replica.sites.blogger import BloggerSite
from replica.sites.news import NewsSite
from replica.world import T2_BLOG, World, build_world
from tests.e2e.conftest import CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

BLOG_HOST = urlsplit(T2_BLOG).netloc
PERMALINK = re.compile(r"/\d{4}/\d{2}/[^/]+\.html")
RETRIED_STATUSES = {"source_unreachable", "source_truncated"}


@dataclass
class Runs:
    world: World
    archive: Path
    first: CrawlRun
    unchanged: CrawlRun
    added: CrawlRun
    full: CrawlRun
    manifests: dict[str, dict[str, Pair]]
    new_source_case: PairCase  # the added post citing a new article
    reused_post_path: str  # the added post citing an article already archived
    reused_source: str
    gone_post_path: str  # the added post citing a page the first run found gone (404)
    gone_source: str
    fixed_source: str  # truncated in the first two runs, whole from the third on
    files_before_full: set[str]


def crawl(world: World, archive: Path, **kwargs: object) -> CrawlRun:
    # crawl_replica appends to its logs: each run gets its own.
    for suffix in ("-requests.jsonl", "-crawl.log"):
        (archive.parent / f"{archive.name}{suffix}").unlink(missing_ok=True)
    run = crawl_replica(world, archive, **kwargs)
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


def manifest(archive: Path) -> dict[str, Pair]:
    return {pair.pair_id: pair for pair in read_manifest(archive / "pairs.jsonl")}


def fetched(run: CrawlRun) -> list[str]:
    return [str(r["url"]) for r in run.requests if r["method"] != "CONNECT"]


def is_discovery(url: str) -> bool:
    parts = urlsplit(url)
    listing = parts.path == "/robots.txt" or parts.path.startswith(("/sitemap", "/feeds/"))
    return parts.netloc == BLOG_HOST and listing


def post_pages(run: CrawlRun) -> set[str]:
    return {
        url
        for url in fetched(run)
        if urlsplit(url).netloc == BLOG_HOST and PERMALINK.fullmatch(urlsplit(url).path)
    }


def robots_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def retried(pairs: dict[str, Pair]) -> set[str]:
    """Cited URLs whose outcome calls for a retry on the next run."""
    urls = set()
    for pair in pairs.values():
        code = pair.source.http_status if pair.source else None
        server_error = pair.status == "source_http_error" and code is not None and code >= 500
        if pair.cited_url and (pair.status in RETRIED_STATUSES or server_error):
            urls.add(pair.cited_url)
    return urls


def view(pair: Pair) -> tuple[object, ...]:
    """What a researcher reads: status, confidence and both texts."""
    source = pair.source.text if pair.source else None
    return (pair.status, pair.cited_url, pair.confidence, pair.translation.text, source)


def publish(world: World) -> tuple[PairCase, str, str, str, str]:
    """Three posts published between runs: one citing a new article, one an archived one, one a
    page archived as gone."""
    blog = world.sites[BLOG_HOST]
    assert isinstance(blog, BloggerSite)
    new = generate_cases(1, seed=20)[0]
    moment = new.post.published
    new_post = dataclasses.replace(
        new.post, path=f"/{moment.year}/{moment.month:02d}/synthetic-incremental-new.html"
    )
    [(url, article)] = new.sources.items()
    news = world.sites[urlsplit(url).netloc]
    assert isinstance(news, NewsSite)
    news.add_article(article)
    blog.add_post(new_post)
    base = next(
        case
        for case in load_cases("t2")
        if len(case.expected_status) == 1 and set(case.expected_status.values()) == {"ok"}
    )
    reused_path = "/2025/07/synthetic-incremental-reused.html"
    blog.add_post(dataclasses.replace(base.post, path=reused_path))
    gone = next(
        case
        for case in load_cases("t2")
        if list(case.expected_status.values()) == ["source_not_found"]
    )
    gone_path = "/2025/07/synthetic-incremental-gone.html"
    blog.add_post(dataclasses.replace(gone.post, path=gone_path))
    return (
        dataclasses.replace(new, post=new_post),
        reused_path,
        next(iter(base.expected_status)),
        gone_path,
        next(iter(gone.expected_status)),
    )


def fix_truncation(world: World, url: str) -> None:
    """The source host now sends the whole page (the replica has no public switch for it)."""
    site = world.sites[urlsplit(url).netloc]
    assert isinstance(site, NewsSite)
    path = urlsplit(url).path
    site._resources[path] = dataclasses.replace(site._resources[path], truncate_to=None)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    world = build_world()
    archive = tmp_path_factory.mktemp("incremental") / "archive"
    manifests = {}
    first = crawl(world, archive)
    manifests["first"] = manifest(archive)
    unchanged = crawl(world, archive)
    manifests["unchanged"] = manifest(archive)
    new_case, reused_path, reused_source, gone_path, gone_source = publish(world)
    [fixed] = [
        pair.cited_url
        for pair in manifests["first"].values()
        if pair.status == "source_truncated" and pair.cited_url
    ]
    fix_truncation(world, fixed)
    added = crawl(world, archive)
    manifests["added"] = manifest(archive)
    files = {p.name for p in archive.glob("*.warc.gz")}
    full = crawl(world, archive, spider_args={"full": "1"})
    manifests["full"] = manifest(archive)
    return Runs(
        world,
        archive,
        first,
        unchanged,
        added,
        full,
        manifests,
        new_case,
        reused_path,
        reused_source,
        gone_path,
        gone_source,
        fixed,
        files,
    )


def test_an_unchanged_blog_costs_only_its_lists_and_the_retries(runs: Runs) -> None:
    retry = retried(runs.manifests["first"])
    assert len(retry) == 3  # the 503, the reset host and the truncated page of the corpus
    urls = fetched(runs.unchanged)
    assert post_pages(runs.unchanged) == set()
    assert {u for u in urls if is_discovery(u)} >= {T2_BLOG + "robots.txt", T2_BLOG + "sitemap.xml"}
    others = {u for u in urls if not is_discovery(u)}
    assert others - retry <= {robots_of(u) for u in retry}
    assert retry <= others
    assert len(fetched(runs.first)) > 3 * len(urls)


def test_the_posts_citing_a_retried_source_are_read_again_from_the_archive(runs: Runs) -> None:
    # Not fetched (above), but answered with their archived copies, so that their pairs are
    # composed again with what the retries get.
    retry = retried(runs.manifests["first"])
    citing = {p.translation.url for p in runs.manifests["first"].values() if p.cited_url in retry}
    match = re.search(r"'bitext/incremental/posts_reread': (\d+)", runs.unchanged.log)
    assert citing and match is not None and int(match.group(1)) == len(citing)


def test_the_summary_counts_the_unchanged_posts_as_done(runs: Runs) -> None:
    # Each listed post is requested and the archive cache answers it: none is left undone.
    [line] = [line for line in runs.unchanged.log.splitlines() if line.startswith("  posts ")]
    found = len(runs.world.cases[T2_BLOG])
    assert line.startswith(f"  posts    {found} found, {found} done ({found} unchanged), "), line


def test_an_unchanged_blog_keeps_its_manifest(runs: Runs) -> None:
    before, after = runs.manifests["first"], runs.manifests["unchanged"]
    assert before.keys() == after.keys()
    retry = retried(before)
    touched = {p.translation.url for p in before.values() if p.cited_url in retry}
    for pair_id, pair in before.items():
        assert view(after[pair_id]) == view(pair)
        if pair.translation.url not in touched:
            assert after[pair_id] == pair  # not composed again: the very same line


def test_new_posts_are_fetched_and_nothing_else(runs: Runs) -> None:
    new_url = T2_BLOG.rstrip("/") + runs.new_source_case.post.path
    reused_url = T2_BLOG.rstrip("/") + runs.reused_post_path
    gone_url = T2_BLOG.rstrip("/") + runs.gone_post_path
    assert post_pages(runs.added) == {new_url, reused_url, gone_url}
    [new_source] = runs.new_source_case.sources
    retry = retried(runs.manifests["unchanged"])
    posts = {new_url, reused_url, gone_url}
    urls = {u for u in fetched(runs.added) if not is_discovery(u)} - posts
    expected = {new_source} | retry
    assert urls - expected <= {robots_of(u) for u in expected}
    assert expected <= urls
    # Settled by the first run: answered from the archive, neither fetched nor asked robots.txt.
    assert runs.reused_source not in urls and runs.gone_source not in urls


def test_a_new_post_citing_an_archived_source_is_paired_from_the_archive(runs: Runs) -> None:
    pairs = runs.manifests["added"]
    reused_url = T2_BLOG.rstrip("/") + runs.reused_post_path
    [pair] = [p for p in pairs.values() if p.translation.url == reused_url]
    [original] = [
        p
        for p in runs.manifests["first"].values()
        if p.cited_url == runs.reused_source and p.translation.url != reused_url
    ]
    assert pair.status == "ok" and pair.source is not None
    assert pair.source == original.source  # the same archived record: pointer, text and all
    [new_pair] = [
        p
        for p in pairs.values()
        if p.translation.url == T2_BLOG.rstrip("/") + runs.new_source_case.post.path
    ]
    [(url, status)] = runs.new_source_case.expected_status.items()
    assert (new_pair.cited_url, new_pair.status) == (url, status)
    assert new_pair.source is not None and new_pair.source.text


def test_a_new_post_citing_a_page_archived_as_gone_keeps_that_outcome(runs: Runs) -> None:
    gone_url = T2_BLOG.rstrip("/") + runs.gone_post_path
    [pair] = [p for p in runs.manifests["added"].values() if p.translation.url == gone_url]
    [original] = [
        p
        for p in runs.manifests["first"].values()
        if p.cited_url == runs.gone_source and p.translation.url != gone_url
    ]
    assert pair.status == original.status == "source_not_found"
    assert pair.source == original.source and pair.error == original.error
    # Taken from the archive, not recorded again: one outcome in the source's history.
    with CrawlState.open(runs.archive) as state:
        history = state.history(runs.gone_source)
    assert [(c.old_status, c.new_status) for c in history] == [(None, "source_not_found")]


def test_a_retried_source_that_recovered_updates_its_pair_and_history(runs: Runs) -> None:
    before = [p for p in runs.manifests["unchanged"].values() if p.cited_url == runs.fixed_source]
    after = [p for p in runs.manifests["added"].values() if p.cited_url == runs.fixed_source]
    assert [p.status for p in before] == ["source_truncated"]
    assert [p.status for p in after] == ["ok"]
    assert after[0].source is not None and after[0].source.text
    with CrawlState.open(runs.archive) as state:
        changes = [(c.old_status, c.new_status) for c in state.history(runs.fixed_source)]
    assert changes == [(None, "source_truncated"), ("source_truncated", "ok")]
    untouched = runs.manifests["unchanged"].keys() & runs.manifests["added"].keys()
    changed = {i for i in untouched if i in {p.pair_id for p in before}}
    for pair_id in untouched - changed:
        assert view(runs.manifests["added"][pair_id]) == view(runs.manifests["unchanged"][pair_id])


def test_a_full_crawl_fetches_everything_again_as_revisits(runs: Runs) -> None:
    blog = runs.world.sites[BLOG_HOST]
    assert isinstance(blog, BloggerSite)
    assert post_pages(runs.full) == {ref.url for ref in blog.refs}
    ok_sources = {
        p.source.url
        for p in runs.manifests["added"].values()
        if p.status == "ok" and p.source is not None
    }
    assert ok_sources <= set(fetched(runs.full))
    revisits: set[str] = set()
    for path in sorted(runs.archive.glob("*.warc.gz")):
        if path.name in runs.files_before_full:
            continue
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "revisit":
                    revisits.add(record.rec_headers.get_header("WARC-Target-URI"))
    assert ok_sources <= revisits  # unchanged articles: revisit records, not second copies
    before, after = runs.manifests["added"], runs.manifests["full"]
    assert before.keys() == after.keys()
    assert {i: view(p) for i, p in after.items()} == {i: view(p) for i, p in before.items()}


def test_the_state_keeps_the_payload_digest_of_each_archived_page(runs: Runs) -> None:
    # Passed along from the WARC capture, not read back: the digest the record itself carries.
    with CrawlState.open(runs.archive) as state:
        named = state.pointers()
        records = [state.post(name.split(" ", 1)[1]) for name, _ in named if name[0] == "p"]
        records += [state.source(name.split(" ", 1)[1]) for name, _ in named if name[0] == "s"]
    assert len(records) > 20
    digests = 0
    for record in records:
        assert record is not None and record.warc is not None
        digest = read_payload_digest(runs.archive, record.warc)
        assert record.payload_digest == digest, record
        digests += digest is not None
    assert digests == len(records)  # no 304 revisit here: every page has a payload
