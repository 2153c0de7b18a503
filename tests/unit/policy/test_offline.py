"""The replay policy: what answers each request of a crawl replayed from its archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive import WarcArchive
from crawler.archive.storage import ArchiveStorage
from crawler.items import PostItem, SourceItem
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, crawl_log_fields, encode_crawl_log
from crawler.policy.offline import Answer, replay_request
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange

POST = "https://blog.example/2025/03/post.html"
PAGE = "https://news.example.com/page"
DEAD = "https://gone.example.com/story"
TIMED_OUT = "https://slow.example.com/story"
UNLOGGED = "https://news.example.com/never-an-item"
ROBOTS = "https://news.example.com/robots.txt"
RECOVERED = "https://gone.example.com/recovered"
MEMENTO = {"url": "https://web.archive.org/web/2019/x", "datetime": "2019", "archive": "wa"}


def _log(archive: WarcArchive, item: PostItem | SourceItem) -> None:
    fields = crawl_log_fields(item, crawl="c1", spider="t2")
    target = item.url if isinstance(item, PostItem) else item.cited_url
    archive.write_metadata(target, encode_crawl_log(fields), CRAWL_LOG_CONTENT_TYPE)


@pytest.fixture
def storage(tmp_path: Path) -> ArchiveStorage:
    with WarcArchive(
        tmp_path, warcinfo=WARCINFO, clock=fixed_clock(), new_record_id=id_factory()
    ) as archive:
        for url in (POST, PAGE, ROBOTS, UNLOGGED, DEAD):
            archive.write_exchange(make_exchange(url=url))
        _log(archive, PostItem(POST, POST, 200, None, None, "2025-03-01T04:05:06+00:00"))
        # A page read as ok, a 404, a timeout (no response at all), a memento.
        page = archive.write_exchange(make_exchange(url=PAGE)).payload
        _log(archive, SourceItem(PAGE, "ok", "2025-03-01T04:05:07+00:00", url=PAGE, warc=page))
        _log(archive, SourceItem(DEAD, "source_not_found", "t", url=DEAD, http_status=404))
        _log(archive, SourceItem(TIMED_OUT, "source_unreachable", "t", error="TimeoutError"))
        live = {"status": "source_not_found", "http_status": 404, "error": "HTTP 404 Not Found"}
        _log(archive, SourceItem(RECOVERED, "ok", "t", memento=MEMENTO, live=live))
    return ArchiveStorage.scan(tmp_path)


def test_a_page_read_as_an_item_is_answered_with_its_capture(storage: ArchiveStorage) -> None:
    replay = replay_request(storage, PAGE, post_url=None, cited_url=PAGE)
    assert replay.answer is Answer.CAPTURE and replay.capture is not None
    assert replay.capture.url == PAGE


def test_an_outcome_not_read_from_a_page_is_the_logged_one(storage: ArchiveStorage) -> None:
    # Even where a response is archived: the item's time and sentence are the crawl log's.
    for url in (DEAD, TIMED_OUT):
        replay = replay_request(storage, url, post_url=None, cited_url=url)
        assert replay.answer is Answer.LOGGED
        assert replay.entry is not None and replay.entry.fields["cited_url"] == url


def test_a_post_the_crawl_made_no_item_of_is_missing(storage: ArchiveStorage) -> None:
    other = "https://blog.example/2025/03/outside-the-window.html"
    assert replay_request(storage, other, post_url=other, cited_url=None).answer is Answer.MISSING
    replay = replay_request(storage, UNLOGGED, post_url=None, cited_url=UNLOGGED)
    assert replay.answer is Answer.MISSING  # archived, but the crawl made no item of it


def test_any_other_request_is_answered_by_its_url(storage: ArchiveStorage) -> None:
    assert replay_request(storage, ROBOTS, post_url=None, cited_url=None).answer is Answer.CAPTURE
    # A redirect hop of a cited URL is asked as itself, whatever the crawl log says.
    assert replay_request(storage, DEAD, post_url=None, cited_url=None).answer is Answer.CAPTURE
    missing = replay_request(storage, "https://x.example/", post_url=None, cited_url=None)
    assert missing.answer is Answer.MISSING and missing.reason


def test_a_page_read_from_a_web_archive_starts_from_its_live_outcome(
    storage: ArchiveStorage,
) -> None:
    # The spider asks the web archives again; their lookups and captures are archived too.
    replay = replay_request(storage, RECOVERED, post_url=None, cited_url=RECOVERED)
    assert replay.answer is Answer.LIVE_THEN_ARCHIVES
    assert replay.entry is not None and replay.entry.fields["live"]["http_status"] == 404
