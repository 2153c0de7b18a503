"""End to end: the t2 spider crawls the replica web; every output is checked against golden data."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.manifest import Pair, read_manifest
from crawler.textmetrics import token_f1
from replica.model import PairCase, SourceBehaviour
from replica.sites.news import INTERNAL_TARGET
from replica.world import T2_BLOG
from tests.e2e.conftest import CrawlRun

pytestmark = pytest.mark.e2e

BLOG_HOST = urlsplit(T2_BLOG).netloc
# Failures Scrapy retries by design (RETRY_HTTP_CODES and lost connections).
RETRIED = {"reset", 500, 502, 503, 504, 522, 524, 408, 429}


def _pairs(run: CrawlRun) -> dict[tuple[str, str], Pair]:
    return {
        (p.translation.url, p.cited_url or ""): p
        for p in read_manifest(run.archive / "pairs.jsonl")
    }


def _post_url(case: PairCase) -> str:
    return T2_BLOG.rstrip("/") + case.post.path


def _https_gets(run: CrawlRun, host: str) -> Counter[str]:
    return Counter(
        str(r["path"])
        for r in run.requests
        if r["host"] == host and r["method"] == "GET" and r["scheme"] == "https"
    )


def test_every_post_is_fetched_exactly_once_and_search_never(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    fetched = _https_gets(t2_crawl, BLOG_HOST)
    for case in t2_cases:
        assert fetched[case.post.path] == 1, case.post.path
    assert not [p for p in fetched if p.startswith("/search")]
    assert fetched["/robots.txt"] == 1


def _robots_redirected_to(run: CrawlRun, host: str) -> int:
    # Robots.txt is read per host name: twz.com's answers with a redirect to www.twz.com's.
    return sum(
        1
        for r in run.requests
        if r["path"] == "/robots.txt"
        and r["host"] != host
        and r["status"] in (301, 302, 308)
        and str(r["host"]).removeprefix("www.") == host.removeprefix("www.")
    )


def test_robots_txt_is_read_once_per_host_and_obeyed(t2_crawl: CrawlRun) -> None:
    hosts = {str(r["host"]) for r in t2_crawl.requests}
    for host in hosts:
        robots = [
            r
            for r in t2_crawl.requests
            if r["host"] == host and r["path"] == "/robots.txt" and r["status"] not in RETRIED
        ]
        assert len(robots) <= 1 + _robots_redirected_to(t2_crawl, host), host
    blocked = [
        r for r in t2_crawl.requests if r["host"] == "www.defenseone.com" and r["method"] == "GET"
    ]
    assert [r["path"] for r in blocked] == ["/robots.txt"]


def test_no_page_is_fetched_twice(t2_crawl: CrawlRun) -> None:
    counts = Counter(
        (r["host"], r["path"])
        for r in t2_crawl.requests
        if r["method"] == "GET" and r["status"] not in RETRIED
    )
    twice = [
        (host, path)
        for (host, path), n in counts.items()
        if n > 1 + (_robots_redirected_to(t2_crawl, str(host)) if path == "/robots.txt" else 0)
    ]
    assert twice == []


def test_every_pair_has_its_expected_status(t2_crawl: CrawlRun, t2_cases: list[PairCase]) -> None:
    pairs = _pairs(t2_crawl)
    expected = {
        (_post_url(case), url): status
        for case in t2_cases
        for url, status in case.expected_status.items()
    }
    got = {key: pairs[key].status if key in pairs else "(missing)" for key in expected}
    assert got == expected
    assert set(pairs) == set(expected), "the manifest has pairs no case expects"


def test_translation_fields_equal_the_golden_posts(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    pairs = _pairs(t2_crawl)
    for case in t2_cases:
        post = case.post
        for url in case.expected_status:
            t = pairs[(_post_url(case), url)].translation
            assert t.title == post.title, post.path
            assert t.publication == post.publication, post.path
            assert t.comment == post.comment, post.path
            assert t.published == post.published.isoformat(timespec="seconds"), post.path
            # Blogger lists a post's labels in alphabetical order, whatever order they were given.
            assert sorted(t.labels) == sorted(post.labels), post.path
            assert t.paragraphs == post.paragraphs, post.path
            assert [(c.credit or "", c.text) for c in t.captions] == [
                (c.credit, c.text) for c in post.captions
            ], post.path
            assert t.language == "ja"


def test_citation_fields_equal_the_golden_blocks(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    pairs = _pairs(t2_crawl)
    for case in t2_cases:
        golden = case.post.citation
        for url in case.expected_status:
            citation = pairs[(_post_url(case), url)].citation
            if golden is None:
                assert citation is None, case.post.path
                continue
            assert citation is not None, case.post.path
            assert (citation.title, citation.subtitle, citation.author, citation.date) == (
                golden.title,
                golden.subtitle,
                golden.author,
                golden.date,
            ), case.post.path
            assert citation.url == golden.url, case.post.path
            assert citation.extra_urls == golden.extra_urls, case.post.path


def _char_f1(predicted: str, reference: str) -> float:
    # Japanese has no spaces: compare character tokens, as token F1 does for space-split English.
    return token_f1(" ".join(predicted.replace(" ", "")), " ".join(reference.replace(" ", "")))[2]


def test_ok_pairs_have_both_texts_close_to_golden(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    pairs = _pairs(t2_crawl)
    scores = []
    for case in t2_cases:
        for url, status in case.expected_status.items():
            pair = pairs[(_post_url(case), url)]
            if status != "ok":
                continue
            assert pair.source is not None and pair.source.text is not None
            source_f1 = token_f1(pair.source.text, "\n\n".join(case.sources[url].paragraphs))[2]
            translation_f1 = _char_f1(pair.translation.text or "", "".join(case.post.paragraphs))
            scores.append((case.post.path, round(source_f1, 3), round(translation_f1, 3)))
    low = [s for s in scores if s[1] < 0.95 or s[2] < 0.95]
    assert scores and not low, f"pairs with a text F1 below 0.95 (path, source, translation): {low}"


def test_source_metadata_of_ok_pairs(t2_crawl: CrawlRun, t2_cases: list[PairCase]) -> None:
    pairs = _pairs(t2_crawl)
    for case in t2_cases:
        for url, status in case.expected_status.items():
            if status != "ok":
                continue
            article = case.sources[url]
            source = pairs[(_post_url(case), url)].source
            assert source is not None
            assert source.url == article.url
            assert source.http_status == 200
            assert source.title == article.title
            assert source.published == article.published.isoformat(timespec="seconds")
            assert pairs[(_post_url(case), url)].confidence is not None


def _record_at(run: CrawlRun, pointer: WarcPointer) -> tuple[str, str, str]:
    with open(run.archive / pointer.filename, "rb") as f:
        f.seek(pointer.offset)
        record = next(iter(ArchiveIterator(f)))
        return (
            record.rec_headers.get_header("WARC-Record-ID"),
            record.rec_type,
            record.rec_headers.get_header("WARC-Target-URI"),
        )


def test_every_warc_pointer_opens_the_right_record(t2_crawl: CrawlRun) -> None:
    pairs = list(read_manifest(t2_crawl.archive / "pairs.jsonl"))
    checked = 0
    for pair in pairs:
        sides = [(pair.translation.warc, pair.translation.url)]
        if pair.source is not None:
            sides.append((pair.source.warc, pair.source.url))
        for pointer, url in sides:
            if pointer is None:
                continue
            record_id, rec_type, target = _record_at(t2_crawl, pointer)
            assert record_id == pointer.record_id
            assert rec_type == "response"
            assert target == url
            checked += 1
    assert checked >= len(pairs)


def test_verify_command_accepts_the_archive(t2_crawl: CrawlRun) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "verify", str(t2_crawl.archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_internal_addresses_are_refused_and_never_requested(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    guarded = (SourceBehaviour.REFUSED, SourceBehaviour.INTERNAL_REDIRECT)
    cited = [
        (case, url, behaviour)
        for case in t2_cases
        for url, behaviour in case.behaviours.items()
        if behaviour in guarded
    ]
    assert {behaviour for _, _, behaviour in cited} == set(guarded)
    pairs = _pairs(t2_crawl)
    asked = Counter((str(r["host"]), str(r["path"])) for r in t2_crawl.requests)
    asked_hosts = {host for host, _ in asked}
    internal_target = urlsplit(INTERNAL_TARGET)
    assert internal_target.hostname not in asked_hosts  # no redirect hop was followed
    for case, url, behaviour in cited:
        pair = pairs[(_post_url(case), url)]
        assert (pair.status, pair.source) == ("source_refused", None), url
        assert pair.error, url  # the reason, for the researcher
        parts = urlsplit(url)
        if behaviour is SourceBehaviour.REFUSED:
            assert parts.hostname not in asked_hosts, url  # not even robots.txt
        else:
            assert asked[(parts.hostname, parts.path)] == 1, url
            assert INTERNAL_TARGET in (pair.error or ""), pair.error
