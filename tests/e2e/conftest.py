"""One real crawl of the replica web per test session, shared by the end-to-end tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from replica.crawl import run_crawl
from replica.server import ReplicaWeb
from replica.world import T2_BLOG, World, build_world

EXPORT_NAME = "items.jsonl"  # the t2 crawl's feed export, beside its archive


@dataclass(frozen=True)
class CrawlRun:
    world: World
    archive: Path
    returncode: int
    log: str
    requests: list[dict[str, object]]


def crawl_replica(
    world: World,
    archive: Path,
    spider: str = "t2",
    *,
    proxy_credentials: tuple[str, str] | None = None,
    **kwargs: object,
) -> CrawlRun:
    """Crawl ``world`` into ``archive`` through a fresh replica proxy (one that requires
    ``proxy_credentials``, when given: the crawl gets them in its proxy URL)."""
    log_path = archive.parent / f"{archive.name}-requests.jsonl"
    crawl_log = archive.parent / f"{archive.name}-crawl.log"
    with ReplicaWeb(world.sites, log_path=log_path, proxy_credentials=proxy_credentials) as web:
        result = run_crawl(spider, archive, web.proxy_url, log_file=crawl_log, **kwargs)  # type: ignore[arg-type]
    requests = [json.loads(line) for line in log_path.read_text().splitlines() if line]
    log = crawl_log.read_text() if crawl_log.exists() else result.stderr
    return CrawlRun(world, archive, result.returncode, log, requests)


@pytest.fixture(scope="session")
def t2_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    archive = tmp_path_factory.mktemp("t2") / "archive"
    # With a feed export, as `scrapy crawl t2 -O items.jsonl` gives (test_t2_crawl.py reads it).
    export = ["-O", str(archive.parent / EXPORT_NAME)]
    run = crawl_replica(build_world(), archive, extra_args=export)
    if run.returncode != 0:
        pytest.fail(f"the t2 crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


@pytest.fixture(scope="session")
def t2_cases(t2_crawl: CrawlRun) -> list[object]:
    return list(t2_crawl.world.cases[T2_BLOG])
