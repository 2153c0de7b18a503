"""End to end: the t2 and t1 spiders crawl the replica web; every output is checked against
golden data (replica/corpus: t2.json, t1.json, the theme files {blog}-*.json and, when the real
page's dump is present, the seed's four posts)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.manifest import Pair, read_manifest
from crawler.manifest.model import join_paragraphs
from crawler.pairing.textmetrics import token_f1
from replica.model import CitedArticle, PairCase, SourceBehaviour
from replica.sites.news import INTERNAL_TARGET
from replica.world import T1_BLOG, T2_BLOG, build_world
from tests.e2e.conftest import EXPORT_NAME, CrawlRun, crawl_replica

pytestmark = pytest.mark.e2e

BLOG_HOST = urlsplit(T2_BLOG).netloc
# Failures Scrapy retries by design (RETRY_HTTP_CODES and lost connections).
RETRIED = {"reset", 500, 502, 503, 504, 522, 524, 408, 429}
SPIDERS = {"t2": T2_BLOG, "t1": T1_BLOG}


@dataclass(frozen=True)
class BlogRun:
    """One spider's crawl of the replica web and the cases of the blog it crawled."""

    blog: str  # the blog's root URL
    run: CrawlRun
    cases: list[PairCase]

    def post_url(self, case: PairCase) -> str:
        return self.blog.rstrip("/") + case.post.path


@pytest.fixture(scope="module")
def t1_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    run = crawl_replica(build_world(), tmp_path_factory.mktemp("t1") / "archive", spider="t1")
    if run.returncode != 0:
        pytest.fail(f"the t1 crawl exited {run.returncode}:\n{run.log[-4000:]}")
    return run


@pytest.fixture(params=sorted(SPIDERS, reverse=True))
def blog_run(request: pytest.FixtureRequest) -> BlogRun:
    """The t2 crawl, then the t1 crawl: the golden checks hold for both blogs."""
    run: CrawlRun = request.getfixturevalue(f"{request.param}_crawl")
    blog = SPIDERS[request.param]
    return BlogRun(blog, run, list(run.world.cases[blog]))


def _pairs(run: CrawlRun) -> dict[tuple[str, str], Pair]:
    return {
        (p.translation.url, p.cited_url or ""): p
        for p in read_manifest(run.archive / "pairs.jsonl")
    }


def _lines(run: CrawlRun) -> dict[tuple[str, str], dict[str, Any]]:
    """The manifest's lines as JSON, for the fields the Pair model may not have yet."""
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    for text in (run.archive / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        if text.strip():
            line = json.loads(text)
            lines[(line["translation"]["url"], line["cited_url"] or "")] = line
    return lines


def _post_url(case: PairCase) -> str:
    return T2_BLOG.rstrip("/") + case.post.path


def _https_gets(run: CrawlRun, host: str) -> Counter[str]:
    return Counter(
        str(r["path"])
        for r in run.requests
        if r["host"] == host and r["method"] == "GET" and r["scheme"] == "https"
    )


def _differences(wrong: list[tuple[object, ...]]) -> str:
    """Every mismatch at once, one per line: (post, field, got, expected)."""
    return f"{len(wrong)} field(s) differ from the golden data:\n" + "\n".join(
        repr(item) for item in wrong
    )


def test_every_post_is_fetched_exactly_once_and_search_never(
    t2_crawl: CrawlRun, t2_cases: list[PairCase]
) -> None:
    fetched = _https_gets(t2_crawl, BLOG_HOST)
    for case in t2_cases:
        assert fetched[case.post.path] == 1, case.post.path
    assert not [p for p in fetched if p.startswith("/search")]
    assert fetched["/robots.txt"] == 1


def test_the_feed_export_holds_each_post_and_source_once_and_nothing_else(
    t2_crawl: CrawlRun,
) -> None:
    # `scrapy crawl t2 -O items.jsonl`: a list page's dates stay in the crawl state.
    path = t2_crawl.archive.parent / EXPORT_NAME
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    posts = [item["url"] for item in items if "fetched_url" in item]
    sources = [item["cited_url"] for item in items if "cited_url" in item]
    assert len(posts) + len(sources) == len(items)
    assert Counter(posts).most_common(1)[0][1] == 1 and Counter(sources).most_common(1)[0][1] == 1
    pairs = read_manifest(t2_crawl.archive / "pairs.jsonl")
    assert set(sources) == {pair.cited_url for pair in pairs if pair.cited_url is not None}


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


def test_every_pair_has_its_expected_status(blog_run: BlogRun) -> None:
    pairs = _pairs(blog_run.run)
    expected = {
        (blog_run.post_url(case), url): status
        for case in blog_run.cases
        for url, status in case.expected_status.items()
    }
    got = {key: pairs[key].status if key in pairs else "(missing)" for key in expected}
    assert got == expected
    assert set(pairs) == set(expected), "the manifest has pairs no case expects"


def test_translation_fields_equal_the_golden_posts(blog_run: BlogRun) -> None:
    pairs, lines = _pairs(blog_run.run), _lines(blog_run.run)
    wrong: list[tuple[object, ...]] = []
    for case in blog_run.cases:
        post = case.post
        notes = [{"kind": note.kind.value, "text": note.text} for note in post.notes]
        for url in case.expected_status:
            key = (blog_run.post_url(case), url)
            t = pairs[key].translation
            golden = {
                "title": (t.title, post.title),
                "publication": (t.publication, post.publication),
                "comment": (t.comment, post.comment),
                "notes": (lines[key]["translation"].get("notes"), notes),
                "published": (t.published, post.published.isoformat(timespec="seconds")),
                # Blogger lists a post's labels in alphabetical order, whatever the given order.
                "labels": (sorted(t.labels), sorted(post.labels)),
                "paragraphs": (t.paragraphs, post.paragraphs),
                "text": (t.text, join_paragraphs(post.paragraphs)),
                "captions": (
                    [(c.credit or "", c.text) for c in t.captions],
                    [(c.credit, c.text) for c in post.captions],
                ),
                "language": (t.language, "ja"),
            }
            wrong += [(post.path, f, g, e) for f, (g, e) in golden.items() if g != e]
    assert not wrong, _differences(wrong)


def _golden_citation(case: PairCase, url: str) -> CitedArticle:
    (cited,) = [c for c in case.post.citations if c.repaired_url == url]
    return cited


def _in_raw(value: str | None, raw: str) -> bool:
    return value is None or " ".join(value.split()) in " ".join(raw.split())


def test_each_pair_carries_its_own_articles_citation(blog_run: BlogRun) -> None:
    lines = _lines(blog_run.run)
    wrong: list[tuple[object, ...]] = []
    for case in blog_run.cases:
        for url in case.expected_status:
            where = (case.post.path, url)
            citation = lines[(blog_run.post_url(case), url)]["citation"]
            if citation["raw"] is None:  # no citation: the empty citation object (pairs/2)
                citation = None
            if not case.post.citations:
                if citation is not None:
                    wrong.append((*where, "citation", citation, None))
                continue
            if citation is None:
                wrong.append((*where, "citation", None, "(a citation)"))
                continue
            cited = _golden_citation(case, url)
            others = [c.url for c in case.post.citations if c is not cited]
            golden = {
                "title": cited.title,
                "subtitle": cited.subtitle,
                "author": cited.author,
                "publication": cited.publication,
                "date": cited.date,
                "url": cited.url,
                "extra_urls": others,
                # A URL with no description of its own is in no language.
                "language": cited.language if cited.title else None,
            }
            wrong += [
                (*where, f, citation.get(f), e) for f, e in golden.items() if citation.get(f) != e
            ]
            # Blogger's conventions found it: the block after ■, or a citation before the body.
            if citation["rule"] not in ("end_mark", "front_matter") or not citation["where"]:
                wrong.append((*where, "rule", citation["rule"], citation["where"]))
            raw = citation.get("raw") or ""
            missing = [
                value
                for c in case.post.citations
                for value in (c.title, c.subtitle, c.author, c.date, c.url)
                if not _in_raw(value, raw)
            ]
            if missing:
                wrong.append((*where, "raw", raw, f"(holding {missing})"))
    assert not wrong, _differences(wrong)


def _char_f1(predicted: str, reference: str) -> float:
    # Japanese has no spaces: compare character tokens, as token F1 does for space-split English.
    return token_f1(" ".join(predicted.replace(" ", "")), " ".join(reference.replace(" ", "")))[2]


def test_ok_pairs_have_both_texts_close_to_golden(blog_run: BlogRun) -> None:
    pairs = _pairs(blog_run.run)
    scores = []
    for case in blog_run.cases:
        for url, status in case.expected_status.items():
            pair = pairs[(blog_run.post_url(case), url)]
            if status != "ok":
                continue
            assert pair.source is not None and pair.source.text is not None
            source_f1 = token_f1(pair.source.text, "\n\n".join(case.sources[url].paragraphs))[2]
            translation_f1 = _char_f1(pair.translation.text or "", "".join(case.post.paragraphs))
            scores.append((case.post.path, round(source_f1, 3), round(translation_f1, 3)))
    low = [s for s in scores if s[1] < 0.95 or s[2] < 0.95]
    assert scores and not low, f"pairs with a text F1 below 0.95 (path, source, translation): {low}"


def test_source_metadata_of_ok_pairs(blog_run: BlogRun) -> None:
    pairs = _pairs(blog_run.run)
    for case in blog_run.cases:
        for url, status in case.expected_status.items():
            if status != "ok":
                continue
            article = case.sources[url]
            source = pairs[(blog_run.post_url(case), url)].source
            assert source is not None
            assert source.url == article.url
            assert source.http_status == 200
            assert source.title == article.title
            # A page that gives only the day keeps a date (tests/e2e/test_source_dates.py).
            expected = article.published.isoformat(timespec="seconds")
            if article.published_markup == "date_only":
                expected = article.published.date().isoformat()
            assert source.published == expected
            assert pairs[(blog_run.post_url(case), url)].confidence is not None


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
            assert asked[(parts.hostname or "", parts.path)] == 1, url
            assert INTERNAL_TARGET in (pair.error or ""), pair.error
