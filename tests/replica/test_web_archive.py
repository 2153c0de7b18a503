"""The replica's web.archive.org: the Wayback Machine's URL shapes, and the archive cases."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from crawler.pairing.matching import MISMATCH_THRESHOLD, MatchInputs, score_match
from crawler.policy.webarchive import (
    WAYBACK_MACHINE,
    availability_url,
    cdx_url,
    choose_capture,
    parse_availability,
    parse_cdx,
    parse_memento_datetime,
)
from crawler.reading.page import read_source_page
from replica.model import SourceBehaviour
from replica.sites.webarchive import HOST, Memento, WaybackSite, url_key
from replica.sites.webarchive_cases import archive_cases, archive_mementos
from replica.web import Resource
from replica.world import T2_BLOG, build_world

ORIGINAL = "https://www.example-news.com/2017/03/story/"
PAGE = b"<!DOCTYPE html><html><head><title>Story</title></head><body><p>Text</p></body></html>"


@pytest.fixture
def archive() -> WaybackSite:
    return WaybackSite(
        [
            Memento(ORIGINAL, "20170301000000", body=PAGE),
            Memento(ORIGINAL, "20170601000000", status=404, body=b"<html>gone</html>"),
            Memento(
                ORIGINAL, "20180101000000", status=301, location="https://www.example-news.com/"
            ),
        ]
    )


def _get(site: WaybackSite, url: str) -> Resource:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    found = site.resolve(path, {})
    assert found is not None, url
    return found


def _header(resource: Resource, name: str) -> str | None:
    return next((value for key, value in resource.headers if key.lower() == name.lower()), None)


def test_url_keys_ignore_scheme_www_case_and_trailing_slash() -> None:
    assert url_key("http://WWW.Example-News.com/2017/03/story") == url_key(ORIGINAL)
    assert url_key("example-news.com/2017/03/story/") == url_key(ORIGINAL)
    assert url_key(ORIGINAL + "?page=2") != url_key(ORIGINAL)


def test_raw_capture_is_the_page_as_archived(archive: WaybackSite) -> None:
    found = _get(archive, f"{WAYBACK_MACHINE}/web/20170301000000id_/{ORIGINAL}")
    assert (found.status, found.body) == (200, PAGE)
    assert _header(found, "Memento-Datetime") == "Wed, 01 Mar 2017 00:00:00 GMT"
    link = _header(found, "Link") or ""
    assert f'<{ORIGINAL}>; rel="original"' in link and 'rel="timemap"' in link


def test_rewritten_capture_has_the_toolbar(archive: WaybackSite) -> None:
    found = _get(archive, f"{WAYBACK_MACHINE}/web/20170301000000/{ORIGINAL}")
    assert found.status == 200 and b"wm-ipp-base" in found.body and found.body != PAGE


def test_other_timestamps_redirect_to_the_nearest_capture(archive: WaybackSite) -> None:
    found = _get(archive, f"{WAYBACK_MACHINE}/web/20170315id_/{ORIGINAL}")
    assert found.status == 302
    assert _header(found, "Location") == f"https://{HOST}/web/20170301000000id_/{ORIGINAL}"
    memento = _header(found, "Memento-Datetime")
    assert memento is not None and parse_memento_datetime(memento).year == 2017


def test_captured_errors_and_redirects_replay_as_they_were(archive: WaybackSite) -> None:
    error = _get(archive, f"{WAYBACK_MACHINE}/web/20170601000000id_/{ORIGINAL}")
    assert error.status == 404 and _header(error, "Memento-Datetime")
    moved = _get(archive, f"{WAYBACK_MACHINE}/web/20180101000000id_/{ORIGINAL}")
    assert moved.status == 301
    assert _header(moved, "Location") == (
        f"https://{HOST}/web/20180101000000id_/https://www.example-news.com/"
    )


def test_a_page_never_archived_is_a_404(archive: WaybackSite) -> None:
    found = _get(archive, f"{WAYBACK_MACHINE}/web/2017id_/https://elsewhere.example/x")
    assert found.status == 404 and b"has not archived" in found.body


def test_availability_api(archive: WaybackSite) -> None:
    found = _get(
        archive, f"{WAYBACK_MACHINE}/wayback/available?url={quote(ORIGINAL)}&timestamp=2017"
    )
    data = json.loads(found.body)
    closest = data["archived_snapshots"]["closest"]
    assert closest == {
        "status": "200",
        "available": True,
        "url": f"http://{HOST}/web/20170301000000/{ORIGINAL}",
        "timestamp": "20170301000000",
    }
    none = _get(archive, f"{WAYBACK_MACHINE}/wayback/available?url=elsewhere.example")
    assert json.loads(none.body)["archived_snapshots"] == {}


def test_cdx_api(archive: WaybackSite) -> None:
    found = _get(archive, cdx_url(WAYBACK_MACHINE, ORIGINAL))
    rows = json.loads(found.body)
    assert rows[0] == ["timestamp", "original", "statuscode", "mimetype"]
    assert [row[0] for row in rows[1:]] == ["20170301000000", "20170601000000", "20180101000000"]
    assert [row[2] for row in rows[1:]] == ["200", "404", "301"]
    default = _get(archive, f"{WAYBACK_MACHINE}/cdx/search/cdx?url={quote(ORIGINAL)}&output=json")
    assert json.loads(default.body)[0][:3] == ["urlkey", "timestamp", "original"]
    text = _get(archive, f"{WAYBACK_MACHINE}/cdx/search/cdx?url={quote(ORIGINAL)}")
    assert text.body.decode().splitlines()[0].split()[1] == "20170301000000"
    empty = _get(archive, cdx_url(WAYBACK_MACHINE, "https://elsewhere.example/x"))
    assert json.loads(empty.body) == []
    bad = _get(archive, f"{WAYBACK_MACHINE}/cdx/search/cdx?url=x&fl=nonsense")
    assert bad.status == 400


def test_robots_txt_allows_the_apis_and_captures(archive: WaybackSite) -> None:
    robots = RobotFileParser()
    robots.parse(_get(archive, f"{WAYBACK_MACHINE}/robots.txt").body.decode().splitlines())
    for url in (
        cdx_url(WAYBACK_MACHINE, ORIGINAL),
        availability_url(WAYBACK_MACHINE, ORIGINAL),
        f"{WAYBACK_MACHINE}/web/20170301000000id_/{ORIGINAL}",
    ):
        assert robots.can_fetch("bitext-crawler", url), url


def test_two_captures_at_the_same_second_are_refused() -> None:
    with pytest.raises(ValueError, match="same second"):
        WaybackSite([Memento(ORIGINAL, "20170301000000"), Memento(ORIGINAL, "20170301000000")])


def test_each_case_s_chosen_capture_is_what_the_rules_choose() -> None:
    """The golden capture of each case is the one the CDX answer and the rules lead to."""
    site = WaybackSite(archive_mementos())
    for archived in archive_cases():
        for url, chosen in archived.chosen.items():
            answer = _get(site, cdx_url(WAYBACK_MACHINE, url))
            captures = parse_cdx(answer.body, WAYBACK_MACHINE)
            picked = choose_capture(captures, archived.case.post.published)
            expected_ok = archived.case.expected_status[url] == "ok"
            if chosen is None:
                # No capture, or one the match evidence must refuse (another article).
                assert not expected_ok, url
            else:
                assert expected_ok and picked is not None and picked.timestamp == chosen, url
                raw = _get(site, picked.raw_url)
                article = archived.case.sources[url]
                assert raw.status == 200 and article.paragraphs[0].encode() in raw.body
            near = _get(site, availability_url(WAYBACK_MACHINE, url, archived.case.post.published))
            assert isinstance(parse_availability(near.body, WAYBACK_MACHINE), list)


def test_the_cases_cover_gone_paywalled_twice_captured_and_unarchived() -> None:
    cases = archive_cases()
    behaviours = {b for c in cases for b in c.case.behaviours.values()}
    assert {
        SourceBehaviour.NOT_FOUND,
        SourceBehaviour.GONE,
        SourceBehaviour.PAYWALLED,
    } <= behaviours
    assert any(c.moved for c in cases)
    assert any(len(c.mementos) >= 2 for c in cases)
    assert any(not c.mementos for c in cases)
    assert all(2016 <= c.case.post.published.year <= 2019 for c in cases)
    for archived in cases:
        for url in archived.case.behaviours:
            for memento in archived.mementos:
                assert url_key(memento.original) == url_key(url)


def test_the_world_serves_the_archive_and_joins_the_posts_on_request() -> None:
    plain = build_world()
    assert HOST in plain.sites
    assert not {a.case.post.path for a in archive_cases()} & {
        c.post.path for c in plain.cases[T2_BLOG]
    }
    world = build_world(archive_posts=True)
    paths = {c.post.path for c in world.cases[T2_BLOG]}
    assert {a.case.post.path for a in archive_cases()} <= paths
    for archived in archive_cases():
        for url, behaviour in archived.case.behaviours.items():
            parts = urlsplit(url)
            live = world.sites[parts.netloc].resolve(parts.path, {})
            assert live is not None
            if url in archived.moved:  # 301 to the new site, which answers 404
                assert (live.status, _header(live, "Location")) == (301, archived.moved[url])
                moved = urlsplit(archived.moved[url])
                live = world.sites[moved.netloc].resolve(moved.path, {})
                assert live is not None
            if behaviour is SourceBehaviour.PAYWALLED:
                assert live.status == 200
            else:
                assert live.status == (410 if behaviour is SourceBehaviour.GONE else 404), url


def test_the_match_evidence_accepts_the_chosen_captures_and_refuses_the_others() -> None:
    """Read like a live page, the golden capture is the cited article; every other 200 capture
    (another article, the article rewritten after the translation) is refused."""
    site = WaybackSite(archive_mementos())
    for archived in archive_cases():
        post = archived.case.post
        for url, chosen in archived.chosen.items():
            cited = next(c for c in post.citations if c.repaired_url == url)
            captures = parse_cdx(_get(site, cdx_url(WAYBACK_MACHINE, url)).body, WAYBACK_MACHINE)
            for capture in (c for c in captures if c.usable):
                raw = _get(site, capture.raw_url)
                source = read_source_page(
                    cited_url=url,
                    url=capture.raw_url,
                    redirects=(),
                    http_status=raw.status,
                    content_type=_header(raw, "Content-Type"),
                    body=raw.body,
                    truncated=False,
                    warc=None,
                    crawled_at="2026-01-01T00:00:00Z",
                )
                article = source.article
                assert source.status == "ok" and article is not None, capture.raw_url
                evidence = score_match(
                    MatchInputs(
                        cited_title=cited.title,
                        cited_author=cited.author,
                        cited_published=None,
                        translation_published=post.published,
                        translation_text="\n\n".join(post.paragraphs),
                        source_title=article.title,
                        source_author=article.author,
                        source_published=article.published,
                        source_text=article.text,
                    )
                )
                accepted = evidence.confidence >= MISMATCH_THRESHOLD
                assert accepted is (capture.timestamp == chosen), (capture.raw_url, evidence)
