"""End to end: a cited page that changes after its first capture is re-checked and its change
recorded, while its pairs keep the version captured first.

Two crawls of the replica into one ARCHIVE_DIR: a first one; then, after one source article was
edited (a paragraph corrected, one added) and another deleted (it answers 404), an incremental
crawl with ``SOURCE_RECHECK_DAYS`` tiny, so that every settled page is fetched again. The crawl
state's history, the manifest, ``pairs show``, ``verify``, ``rebuild`` and ``state rebuild`` are
read after it.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.manifest import Pair
from crawler.state import CrawlState, StatusChange
from replica.sites.news import NewsSite
from replica.world import World, build_world
from tests.e2e.conftest import CrawlRun
from tests.e2e.offline import offline_command
from tests.e2e.test_incremental import crawl, manifest

pytestmark = pytest.mark.e2e

RECHECK_ALL = {"SOURCE_RECHECK_DAYS": "1e-6"}  # about 0.1 s: every page of the first crawl
CORRECTION = " (corrected: an earlier version of this paragraph misstated the figures)"
ADDED = (
    "Update: a spokesperson for the program said on Friday that the schedule would be reviewed "
    "again before the end of the fiscal year, and declined to comment further."
)
EDIT = {"added": 1, "removed": 0, "changed": 1}  # what the edit does to the article's paragraphs
# Not derivable (docs/incremental.md): the autoincrement id, the time a file was read whole.
NOT_DERIVED = {"history": {"id"}, "checked_files": {"checked_at"}}
TABLES = ("posts", "citations", "sources", "history", "journaled", "listed")


@dataclass
class Drift:
    world: World
    archive: Path
    second: CrawlRun
    before: dict[str, Pair]
    after: dict[str, Pair]
    edited: str  # the cited URL whose article was edited between the crawls
    gone: str  # the cited URL whose article was deleted between the crawls


def _article_site(world: World, pair: Pair) -> NewsSite | None:
    """The news site serving the pair's source as a plain article (no redirect, no fault)."""
    source = pair.source
    if pair.status != "ok" or source is None or source.url != pair.cited_url or source.memento:
        return None
    site = world.sites.get(urlsplit(source.url).netloc)
    if not isinstance(site, NewsSite) or site.article_at(urlsplit(source.url).path) is None:
        return None
    return site


def _two_sources(world: World, pairs: dict[str, Pair]) -> tuple[str, str]:
    """Two cited URLs, each an ok article of its own site's, long enough to edit."""
    chosen: list[str] = []
    for pair in sorted(pairs.values(), key=lambda p: p.pair_id):
        site = _article_site(world, pair)
        assert pair.cited_url is not None or site is None
        if site is None or pair.cited_url in chosen:
            continue
        article = site.article_at(urlsplit(pair.cited_url or "").path)
        if article is not None and len(article.paragraphs) >= 4:
            chosen.append(str(pair.cited_url))
        if len(chosen) == 2:
            return chosen[0], chosen[1]
    raise AssertionError("the replica has no two ok articles to edit")


def edit_article(world: World, url: str) -> None:
    """The second paragraph corrected and a paragraph added after the third."""
    path = urlsplit(url).path
    site = world.sites[urlsplit(url).netloc]
    assert isinstance(site, NewsSite)
    article = site.article_at(path)
    assert article is not None
    paragraphs = list(article.paragraphs)
    paragraphs[1] = paragraphs[1] + CORRECTION
    paragraphs.insert(3, ADDED)
    site.revise_article(path, dataclasses.replace(article, paragraphs=tuple(paragraphs)))


def delete_article(world: World, url: str) -> None:
    site = world.sites[urlsplit(url).netloc]
    assert isinstance(site, NewsSite)
    site.remove_article(urlsplit(url).path)


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Drift:
    world = build_world()
    archive = tmp_path_factory.mktemp("drift") / "archive"
    crawl(world, archive)
    before = manifest(archive)
    edited, gone = _two_sources(world, before)
    edit_article(world, edited)
    delete_article(world, gone)
    second = crawl(world, archive, settings=RECHECK_ALL)
    return Drift(world, archive, second, before, manifest(archive), edited, gone)


def _changes(archive: Path) -> list[StatusChange]:
    """The history entries after a source's first outcome."""
    with CrawlState.open(archive) as state:
        return [change for change in state.history() if change.old_status is not None]


def _citing(pairs: dict[str, Pair], url: str) -> list[Pair]:
    return [pair for pair in pairs.values() if pair.cited_url == url]


def test_the_recheck_fetched_the_settled_pages_again(drift: Drift) -> None:
    fetched = {str(r["url"]) for r in drift.second.requests if r["method"] != "CONNECT"}
    assert {drift.edited, drift.gone} <= fetched
    assert "bitext/incremental/sources_rechecked" in drift.second.log


def test_the_edited_and_the_deleted_source_have_a_history_entry_each(drift: Drift) -> None:
    by_url = {change.cited_url: change for change in _changes(drift.archive)}
    # Only the two pages changed: the others fetched again gave the same payload.
    assert set(by_url) == {drift.edited, drift.gone}
    edited = by_url[drift.edited]
    assert (edited.old_status, edited.new_status) == ("ok", "ok")
    assert edited.old_payload_digest and edited.new_payload_digest
    assert edited.old_payload_digest != edited.new_payload_digest
    assert edited.paragraphs == EDIT
    assert edited.old_warc is not None and edited.new_warc is not None
    assert edited.old_warc != edited.new_warc
    gone = by_url[drift.gone]
    assert (gone.old_status, gone.new_status, gone.new_http_status) == (
        "ok",
        "source_not_found",
        404,
    )
    assert gone.old_payload_digest != gone.new_payload_digest and gone.paragraphs is None


def test_the_pairs_keep_the_first_capture_and_say_when_it_changed(drift: Drift) -> None:
    entries = {change.cited_url: change for change in _changes(drift.archive)}
    for url in (drift.edited, drift.gone):
        pairs = _citing(drift.after, url)
        assert pairs
        for pair in pairs:
            first = drift.before[pair.pair_id]
            assert pair.source is not None and first.source is not None
            assert pair.status == "ok" and pair.source.changed_since == entries[url].fetched_at
            assert pair.source.text == first.source.text
            assert pair.source.warc == first.source.warc == entries[url].old_warc
    others = [p for p in drift.after.values() if p.cited_url not in (drift.edited, drift.gone)]
    assert others and all(p.source is None or p.source.changed_since is None for p in others)
    assert drift.after.keys() == drift.before.keys()
    for pair_id, pair in drift.after.items():
        if pair.cited_url not in (drift.edited, drift.gone):
            assert pair.to_json() == drift.before[pair_id].to_json() or pair.status != "ok"


def test_pairs_show_prints_the_history(drift: Drift) -> None:
    [pair, *_] = _citing(drift.after, drift.edited)
    shown = offline_command(
        "pairs", "show", str(drift.archive), pair.pair_id, "--no-align", "--width", "120"
    )
    assert shown.returncode == 0, shown.stderr
    [change] = [c for c in _changes(drift.archive) if c.cited_url == drift.edited]
    assert "Source history" in shown.stdout
    assert f"changed since {change.fetched_at}" in shown.stdout
    assert "ok (200) -> ok (200)" in shown.stdout
    assert "paragraphs: 1 added, 0 removed, 1 changed" in shown.stdout
    old, new = change.old_payload_digest, change.new_payload_digest
    assert old is not None and new is not None
    # Shortened (the old one is also the source record's, printed whole as its provenance).
    assert f"{old[:17]} -> {new[:17]}" in shown.stdout and new not in shown.stdout
    assert change.new_warc is not None
    assert f"new: {change.new_warc.filename} @ offset {change.new_warc.offset}" in shown.stdout


def test_verify_passes(drift: Drift) -> None:
    verified = offline_command("verify", str(drift.archive))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_rebuild_gives_the_crawls_manifest_byte_for_byte(drift: Drift, tmp_path: Path) -> None:
    output = tmp_path / "pairs.rebuilt.jsonl"
    rebuilt = offline_command("rebuild", str(drift.archive), "-o", str(output), "--workers", "2")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert output.read_bytes() == (drift.archive / "pairs.jsonl").read_bytes()


def _rows(database: Path, table: str) -> Counter[tuple[object, ...]]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in NOT_DERIVED.get(table, set())]
        return Counter(db.execute(f"SELECT {', '.join(kept)} FROM {table}"))


def test_state_rebuild_derives_the_history(drift: Drift, tmp_path: Path) -> None:
    target = tmp_path / "derived.sqlite"
    derived = offline_command(
        "state", "rebuild", str(drift.archive), "-o", str(target), "--workers", "2"
    )
    assert derived.returncode == 0, derived.stderr
    own = drift.archive / "state" / "crawl.sqlite"
    for table in TABLES:
        assert _rows(target, table) == _rows(own, table), table


def test_a_replay_of_both_crawls_gives_the_manifest_byte_for_byte(
    drift: Drift, tmp_path: Path
) -> None:
    """``rebuild --via-crawl`` runs the two crawls again, in order, from what each archived: the
    second re-checks what it re-checked (whatever today's clock says), keeps the first capture."""
    output = tmp_path / "pairs.replayed.jsonl"
    replayed = offline_command(
        "rebuild", "--via-crawl", str(drift.archive), "-o", str(output), "--workers", "2"
    )
    assert replayed.returncode == 0, replayed.stderr
    assert output.read_bytes() == (drift.archive / "pairs.jsonl").read_bytes()
