"""End to end: pages too large or too slow to read, stopping a crawl while one is read, and
killing a crawl at any moment without leaving a process behind.

The pages are served by a world of this module's own: corpus posts whose cited URLs answer with
an article stretched to tens of thousands of paragraphs (trafilatura needs tens of seconds for
it: its time grows faster than the page), with a page over the size budget, or whose own
permalink page is padded over it. All synthetic.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.manifest import Pair, read_manifest
from crawler.reading import worker as parse_worker
from replica.corpus import load_cases
from replica.crawl import PROJECT_ROOT, crawl_env
from replica.model import PairCase, SourceBehaviour
from replica.server import ReplicaWeb
from replica.sites.blogger import BloggerSite
from replica.sites.news import build_source_sites
from replica.sites.news_faults import on_one_line
from replica.sites.news_templates import render_article
from replica.web import Resource, Site
from replica.world import World
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.processes import kill_session, session_processes

pytestmark = pytest.mark.e2e

BLOG = "https://parse-budget-synthetic.blogspot.com/"
HOST = urlsplit(BLOG).hostname or ""
HTML = (("Content-Type", "text/html; charset=utf-8"),)
MAX_BYTES = 3_000_000  # the budgets of the first crawl
TIMEOUT = 3
# A local replica needs no politeness delay.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=1"]


class _Overridden:
    """A host that answers some paths with pages of this module's, and the rest as ``inner``."""

    def __init__(self, inner: Site | None, pages: Mapping[str, Resource]) -> None:
        self.inner = inner
        self.pages = dict(pages)

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        if path in self.pages:
            return self.pages[path]
        return self.inner.resolve(path, headers) if self.inner is not None else None


class _PaddedPost:
    """A blog whose permalink page at ``path`` carries ``size`` bytes of inline data."""

    def __init__(self, inner: Site, path: str, size: int) -> None:
        self.inner, self.path, self.size = inner, path, size

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        resource = self.inner.resolve(path, headers)
        if resource is None or urlsplit(path).path != self.path or resource.status != 200:
            return resource
        padding = b"<!-- synthetic padding -->" * (self.size // 26)
        return replace(resource, body=resource.body.replace(b"</body>", padding + b"</body>", 1))


def _ok_cases(count: int) -> list[tuple[PairCase, str]]:
    """Corpus cases citing one article at its own URL, each a different one."""
    found: list[tuple[PairCase, str]] = []
    for case in load_cases("t2"):
        if len(case.behaviours) != 1 or set(case.expected_status.values()) != {"ok"}:
            continue
        ((url, behaviour),) = case.behaviours.items()
        article = case.sources.get(url)
        plain = behaviour is SourceBehaviour.OK and article is not None and article.url == url
        if plain and url not in {cited for _, cited in found}:
            found.append((case, url))
        if len(found) == count:
            return found
    raise LookupError(f"fewer than {count} plain cases in the corpus")


def _stretched(case: PairCase, url: str, paragraphs: int = 24_000) -> bytes:
    """The cited article as ``paragraphs`` short paragraphs (about 2.6 MB, under the default
    size budget): trafilatura's time grows with the number of nodes, and needs 35 CPU seconds or
    more for a page this size (``bench/parse_budget.py --sizes 2.6 --kinds article``)."""
    article = case.sources[url]
    text = article.paragraphs[0][:60]
    many = tuple(f"{text} ({n})" for n in range(paragraphs))
    return render_article(replace(article, paragraphs=many))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _world(
    cases: list[PairCase], pages: Mapping[str, bytes], padded: tuple[str, int] | None = None
) -> World:
    """The cases' blog and sources, with ``pages`` (cited URL -> body) served instead."""
    sites: dict[str, Site] = dict(build_source_sites(cases))
    by_host: dict[str, dict[str, Resource]] = {}
    for url, body in pages.items():
        by_host.setdefault(urlsplit(url).hostname or "", {})[_path(url)] = Resource(200, HTML, body)
    for host, overrides in by_host.items():
        sites[host] = _Overridden(sites.get(host), overrides)
    blog = BloggerSite(HOST, "合成ブログ", [case.post for case in cases])
    sites.update(blog.aliases())
    sites[HOST] = _PaddedPost(blog, *padded) if padded is not None else blog
    return World(sites=sites, cases={BLOG: cases})


def _pairs(archive: Path) -> dict[str, Pair]:
    return {p.translation.url: p for p in read_manifest(archive / "pairs.jsonl")}


def _stat(log: str, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class BudgetCrawl:
    run: CrawlRun
    slow: tuple[PairCase, str]
    large: tuple[PairCase, str]
    padded: PairCase
    plain: tuple[PairCase, str]


@pytest.fixture(scope="module")
def budget_crawl(tmp_path_factory: pytest.TempPathFactory) -> BudgetCrawl:
    slow, large, padded, plain = _ok_cases(4)
    pages = {
        slow[1]: _stretched(*slow),  # under the size budget, far over the time budget
        large[1]: on_one_line(render_article(large[0].sources[large[1]]), 4_000_000),
    }
    cases = [slow[0], large[0], padded[0], plain[0]]
    world = _world(cases, pages, padded=(padded[0].post.path, 3_500_000))
    run = crawl_replica(
        world,
        tmp_path_factory.mktemp("parse-budget") / "archive",
        spider="blogger",
        spider_args={"blog": BLOG},
        settings={"BITEXT_PARSE_MAX_BYTES": str(MAX_BYTES), "BITEXT_PARSE_TIMEOUT": str(TIMEOUT)},
        timeout=120,
    )
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return BudgetCrawl(run, slow, large, padded[0], plain)


def _pair(crawl: BudgetCrawl, case: PairCase) -> Pair:
    return _pairs(crawl.run.archive)[BLOG.rstrip("/") + case.post.path]


def test_a_page_over_the_time_budget_is_source_truncated_and_archived_whole(
    budget_crawl: BudgetCrawl,
) -> None:
    case, url = budget_crawl.slow
    pair = _pair(budget_crawl, case)
    assert (pair.status, pair.cited_url) == ("source_truncated", url)
    assert pair.error == (
        f"the page took longer than the parse time budget of {TIMEOUT} s to read "
        "(BITEXT_PARSE_TIMEOUT): its reading was stopped"
    )
    assert pair.source is not None and pair.source.http_status == 200
    assert pair.source.text is None and pair.source.warc is not None
    with open(budget_crawl.run.archive / pair.source.warc.filename, "rb") as f:
        f.seek(pair.source.warc.offset)
        record = next(iter(ArchiveIterator(f)))
        assert record.rec_headers.get_header("WARC-Truncated") is None
        assert record.content_stream().read() == _stretched(case, url)
    assert _stat(budget_crawl.run.log, "bitext/read_ahead/timed_out") == 1
    assert "its reading was stopped; the worker was replaced" in budget_crawl.run.log


def test_pages_over_the_size_budget_are_recorded_not_read(budget_crawl: BudgetCrawl) -> None:
    case, url = budget_crawl.large
    pair = _pair(budget_crawl, case)
    assert (pair.status, pair.cited_url) == ("source_truncated", url)
    assert re.fullmatch(
        rf"the page is \d+ bytes, over the parse size budget of {MAX_BYTES} bytes "
        r"\(BITEXT_PARSE_MAX_BYTES\): it was not read",
        pair.error or "",
    )
    assert pair.source is not None and pair.source.http_status == 200
    post = _pair(budget_crawl, budget_crawl.padded)
    assert post.status == "translation_unparsable"
    assert "over the parse size budget" in (post.error or "")
    assert post.translation.warc is not None


def test_the_other_pages_are_read_as_usual(budget_crawl: BudgetCrawl) -> None:
    case, url = budget_crawl.plain
    pair = _pair(budget_crawl, case)
    assert pair.status == "ok", pair.error
    assert pair.source is not None
    assert pair.source.text == "\n\n".join(case.sources[url].paragraphs)
    assert len(_pairs(budget_crawl.run.archive)) == 4


# Stopping a crawl while a worker reads a page that would take minutes.


@pytest.fixture(scope="module")
def slow_web() -> Iterator[tuple[ReplicaWeb, str]]:
    ((case, url),) = _ok_cases(1)
    with ReplicaWeb(_world([case], {url: _stretched(case, url)}).sites) as web:
        yield web, url


def _start_crawl(web: ReplicaWeb, archive: Path, *settings: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "crawler", "crawl", "blogger", "-a", f"blog={BLOG}"]
    command += ["--archive", str(archive), "--log-file", str(archive.parent / "crawl.log")]
    web.clear()
    # A session of its own: whatever the crawl starts is found by its session id afterwards.
    # Its stderr in a file, not a pipe: a worker left behind would hold a pipe open.
    with open(archive.parent / "stderr.txt", "wb") as stderr:
        return subprocess.Popen(
            [*command, *FAST, *settings],
            cwd=PROJECT_ROOT,
            env=crawl_env(web.proxy_url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )


def _stderr(archive: Path) -> str:
    return (archive.parent / "stderr.txt").read_text(errors="replace")


def _wait_until(condition: Callable[[], bool], crawl: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert crawl.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"the crawl never got to {what}"
        time.sleep(0.005)


def _wait_for_reading(web: ReplicaWeb, url: str, crawl: subprocess.Popen[bytes]) -> None:
    _wait_until(lambda: web.count(url) > 0, crawl, "fetching the page")
    time.sleep(1.0)  # archived and handed to a worker by now


def _workers(session: int) -> set[int]:
    """The parse workers in ``session`` once they run their own code (not a fork, not yet
    exec'd, which still shows the crawl's command line)."""
    return {
        pid
        for pid, command in session_processes(session).items()
        if parse_worker.__name__ in command
    }


def _left(session: int, within: float) -> dict[int, str]:
    """What is still alive in ``session`` after up to ``within`` seconds; SIGKILLed after."""
    deadline = time.monotonic() + within
    while session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = session_processes(session)
    kill_session(session)
    return left


def _ended(
    crawl: subprocess.Popen[bytes], archive: Path, within: float
) -> tuple[float, str, dict[int, str]]:
    """Seconds until the crawl exited, its stderr, and what is left of its session after."""
    started = time.monotonic()
    try:
        crawl.wait(timeout=within)
    except subprocess.TimeoutExpired:
        crawl.kill()
        crawl.wait(timeout=10)
        kill_session(crawl.pid)
        tail = _stderr(archive)[-3000:]
        pytest.fail(f"the crawl was still running {within} s after the signal:\n{tail}")
    return time.monotonic() - started, _stderr(archive), _left(crawl.pid, within=5)


def test_sigterm_while_a_worker_reads_ends_the_crawl_within_the_time_budget(
    slow_web: tuple[ReplicaWeb, str], tmp_path: Path
) -> None:
    web, url = slow_web
    archive = tmp_path / "archive"
    crawl = _start_crawl(web, archive, "-s", "BITEXT_PARSE_TIMEOUT=6")
    try:
        _wait_for_reading(web, url, crawl)
        # What systemctl stop does: SIGTERM to every process of the unit, workers included.
        os.killpg(crawl.pid, signal.SIGTERM)
        elapsed, stderr, left = _ended(crawl, archive, within=25)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert left == {}, left
    assert elapsed < 6 + 15, elapsed
    assert crawl.returncode == 1, stderr
    assert "the crawl closed with shutdown" in stderr
    # The stop let the page's reading run out its budget in the worker, which outlived the
    # signal, and recorded it; the crawl process did not read it itself.
    [pair] = _pairs(archive).values()
    assert pair.status == "source_truncated"
    assert pair.error == (
        "the page took longer than the parse time budget of 6 s to read "
        "(BITEXT_PARSE_TIMEOUT): its reading was stopped"
    )
    log = (tmp_path / "crawl.log").read_text()
    assert _stat(log, "bitext/read_ahead/timed_out") == 1
    assert _stat(log, "bitext/read_ahead/in_process") == 0


def test_a_second_sigint_ends_the_crawl_at_once_while_a_worker_reads(
    slow_web: tuple[ReplicaWeb, str], tmp_path: Path
) -> None:
    web, url = slow_web
    archive = tmp_path / "archive"
    crawl = _start_crawl(web, archive)  # the default budget: a minute
    try:
        _wait_for_reading(web, url, crawl)
        # Ctrl-C twice in a terminal: SIGINT to the whole process group each time.
        os.killpg(crawl.pid, signal.SIGINT)
        time.sleep(0.5)
        os.killpg(crawl.pid, signal.SIGINT)
        elapsed, stderr, left = _ended(crawl, archive, within=20)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert left == {}, left
    # Far less than the page takes to read, in a worker or in the crawl process.
    assert elapsed < 10, elapsed
    assert crawl.returncode != 0, stderr


# SIGKILL to the crawl process alone (kill -9, the OOM killer) at any moment: its workers end
# with it, those still starting included.


@pytest.mark.parametrize(
    "moment", ["just started", "worker started", "worker importing", "worker reading"]
)
def test_no_process_outlives_a_crawl_killed(
    slow_web: tuple[ReplicaWeb, str], tmp_path: Path, moment: str
) -> None:
    web, url = slow_web
    crawl = _start_crawl(web, tmp_path / "archive")
    try:
        if moment == "just started":
            time.sleep(0.3)  # Python and Scrapy importing
        elif moment == "worker reading":
            _wait_for_reading(web, url, crawl)
        else:
            _wait_until(lambda: bool(_workers(crawl.pid)), crawl, "starting a parse worker")
            if moment == "worker importing":
                time.sleep(0.5)  # the reading code takes seconds to import
        workers = _workers(crawl.pid)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=10)
        left = _left(crawl.pid, within=5)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait(timeout=10)
        kill_session(crawl.pid)
    assert left == {}, left
    assert crawl.returncode == -signal.SIGKILL
    assert moment == "just started" or workers, "no worker was running at the kill"
