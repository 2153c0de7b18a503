"""End to end: cited pages gone or paywalled today are read from the replica's web.archive.org.

The t2 blog with the 2016-2019 posts whose sources only the archive holds
(replica/sites/webarchive_cases.py): recovered pairs are ``ok`` with the chosen capture's text and
``source.memento``; the others keep the live outcome; the lookups and captures are archived; the
archive verifies and rebuilds to the same manifest.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import closed_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.manifest.model import join_paragraphs
from crawler.pairing.textmetrics import token_f1
from replica.sites.blogger import BloggerSite
from replica.sites.webarchive import HOST, Memento
from replica.sites.webarchive_cases import ArchiveCase, archive_cases
from replica.world import T2_BLOG, build_world
from tests.e2e.conftest import CrawlRun, crawl_replica
from tests.e2e.offline import offline_command
from tests.e2e.pywb import archived_at, replay, wayback

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def archive_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    world = build_world(archive_posts=True)
    run = crawl_replica(world, tmp_path_factory.mktemp("webarchive") / "archive")
    if run.returncode != 0:
        pytest.fail(f"the crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _pair(run: CrawlRun, case: ArchiveCase, cited: str) -> dict[str, object]:
    post_url = T2_BLOG.rstrip("/") + case.case.post.path
    found = [
        line
        for line in _lines(run.archive / "pairs.jsonl")
        if line["cited_url"] == cited and line["translation"]["url"] == post_url  # type: ignore[index]
    ]
    assert len(found) == 1, (post_url, cited)
    return found[0]


def _capture(case: ArchiveCase, timestamp: str) -> Memento:
    (memento,) = [m for m in case.mementos if m.timestamp == timestamp]
    return memento


def _cases() -> list[tuple[ArchiveCase, str]]:
    return [(case, url) for case in archive_cases() for url in case.case.expected_status]


def _case_id(value: object) -> str:
    return value.case.post.path if isinstance(value, ArchiveCase) else ""


@pytest.mark.parametrize(("case", "cited"), _cases(), ids=_case_id)
def test_each_pair_ends_with_its_golden_status(
    archive_crawl: CrawlRun, case: ArchiveCase, cited: str
) -> None:
    pair = _pair(archive_crawl, case, cited)
    assert pair["status"] == case.case.expected_status[cited], pair["error"]
    source = pair["source"]
    assert isinstance(source, dict)
    chosen = case.chosen.get(cited)
    if pair["status"] != "ok":
        # Refused or never archived: the live outcome, no capture.
        assert source["memento"] == {"url": None, "datetime": None, "archive": None}
        assert source["http_status"] in (404, 410)
        return
    assert chosen is not None
    memento = source["memento"]
    assert memento["archive"] == f"https://{HOST}"
    assert memento["url"] == f"https://{HOST}/web/{chosen}/{_capture(case, chosen).original}"
    assert memento["datetime"].replace("-", "").replace(":", "").replace("T", "")[:14] == chosen
    assert source["url"] == f"https://{HOST}/web/{chosen}id_/{_capture(case, chosen).original}"
    live = source["live"]
    assert live["status"] in ("source_not_found", "source_paywalled", "source_unreachable")
    # The chosen capture's text, not another capture's.
    article = case.case.sources[cited]
    expected = join_paragraphs(article.paragraphs)
    assert token_f1(str(source["text"]), expected)[2] > 0.9


def test_the_warc_holds_the_lookups_and_the_captures(archive_crawl: CrawlRun) -> None:
    responses: set[str] = set()
    for path in closed_warc_files(archive_crawl.archive):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    responses.add(record.rec_headers.get_header("WARC-Target-URI"))
    archived = {url for url in responses if urlsplit(url).netloc == HOST}
    lookups = {url for url in archived if urlsplit(url).path == "/cdx/search/cdx"}
    captures = {url for url in archived if "id_/" in url}
    cited = {url for case, url in _cases()}
    assert len(lookups) >= len(cited)
    for case, url in _cases():
        chosen = case.chosen.get(url)
        if chosen is not None:
            assert f"https://{HOST}/web/{chosen}id_/{_capture(case, chosen).original}" in captures
    assert f"https://{HOST}/robots.txt" in responses


def test_the_archive_verifies_and_rebuilds_to_the_same_manifest(
    archive_crawl: CrawlRun, tmp_path: Path
) -> None:
    verified = offline_command("verify", str(archive_crawl.archive))
    assert verified.returncode == 0, verified.stdout[-2000:] + verified.stderr[-2000:]
    output = tmp_path / "pairs.rebuilt.jsonl"
    rebuilt = offline_command("rebuild", str(archive_crawl.archive), "-o", str(output))
    assert rebuilt.returncode == 0, rebuilt.stderr[-4000:]
    assert output.read_bytes() == (archive_crawl.archive / "pairs.jsonl").read_bytes()


def test_switched_off_the_pairs_keep_the_live_outcome(tmp_path: Path) -> None:
    run = crawl_replica(
        build_world(archive_posts=True),
        tmp_path / "archive",
        settings={"SOURCE_ARCHIVE_FALLBACK": "False"},
    )
    assert run.returncode == 0, run.log[-4000:]
    assert not any(request.get("host") == HOST for request in run.requests)
    for case, cited in _cases():
        pair = _pair(run, case, cited)
        assert pair["status"] != "ok"


def test_a_second_run_takes_the_recovered_sources_from_the_archive(
    tmp_path: Path,
) -> None:
    world = build_world(archive_posts=True)
    archive = tmp_path / "archive"
    first = crawl_replica(world, archive)
    assert first.returncode == 0, first.log[-4000:]
    before = {line["pair_id"]: line for line in _lines(archive / "pairs.jsonl")}
    # A new post citing a page the first run read from a capture: paired from the archive.
    gone = next(c for c in archive_cases() if c.case.post.path == "/2017/03/f-35b.html")
    blog = world.sites[urlsplit(T2_BLOG).netloc]
    assert isinstance(blog, BloggerSite)
    again_path = "/2017/03/f-35b-again.html"
    blog.add_post(dataclasses.replace(gone.case.post, path=again_path))
    for suffix in ("-requests.jsonl", "-crawl.log"):
        (tmp_path / f"archive{suffix}").unlink(missing_ok=True)
    second = crawl_replica(world, archive)
    assert second.returncode == 0, second.log[-4000:]
    # Settled by the first run: neither the gone pages nor the archive are asked again.
    asked = {str(r["url"]) for r in second.requests if r["method"] != "CONNECT"}
    cited = {url for _case, url in _cases()}
    assert not asked & cited
    assert not any(urlsplit(url).netloc == HOST and "id_/" in url for url in asked)
    after = {line["pair_id"]: line for line in _lines(archive / "pairs.jsonl")}
    for case, url in _cases():
        pair = _pair(second, case, url)
        assert pair["status"] == case.case.expected_status[url]
        assert pair["source"] == before[str(pair["pair_id"])]["source"]
    assert before.keys() < after.keys()
    (gone_url,) = gone.case.expected_status
    (again,) = [
        line
        for line in after.values()
        if line["translation"]["url"] == T2_BLOG.rstrip("/") + again_path  # type: ignore[index]
    ]
    (original,) = [
        line
        for line in before.values()
        if line["cited_url"] == gone_url and line["source"]["memento"]["url"]  # type: ignore[index]
    ]
    assert again["status"] == "ok"
    assert again["source"] == original["source"]  # the capture, its memento and live outcome


def test_pywb_replays_each_recovered_capture_byte_for_byte(
    archive_crawl: CrawlRun, tmp_path: Path
) -> None:
    recovered = []
    for line in _lines(archive_crawl.archive / "pairs.jsonl"):
        source = line["source"]
        assert isinstance(source, dict)
        if line["status"] == "ok" and source["memento"]["url"] is not None:
            pointer = WarcPointer.from_dict(source["warc"])
            recovered.append(archived_at(archive_crawl.archive, str(source["url"]), pointer))
    assert len(recovered) >= len([case for case, url in _cases() if case.chosen.get(url)])
    site = archive_crawl.world.sites[HOST]
    with wayback(closed_warc_files(archive_crawl.archive), tmp_path) as pywb:
        for capture in recovered:
            assert capture.payload, capture.url
            # The raw capture as the web archive served it, at the capture's own archive URL.
            assert replay(pywb, capture) == capture.payload, capture.url
            parts = urlsplit(capture.url)
            served = site.resolve(parts.path, {})
            assert served is not None and served.body == capture.payload, capture.url
