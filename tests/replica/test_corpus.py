"""The corpus is the golden truth of the end-to-end tests: it must agree with itself."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import cache
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest

from crawler.dates import parse_date_line
from replica.corpus import SITES, generate_cases, load_blog, load_cases, load_file_cases
from replica.model import CitedArticle, PairCase, SourceArticle, SourceBehaviour
from replica.sites.blogger_citation import google_target

CORPORA = ("t2", "t1", "generated")
EASTERN = ZoneInfo("America/New_York")
# A date line that gives a time of day (else it names the day only).
CLOCK = re.compile(r"\d{1,2}:\d{2}|\d{1,2}時")

# The manifest status each replica behaviour must end with (the end-to-end contract).
STATUS_OF = {
    SourceBehaviour.OK: "ok",
    SourceBehaviour.REDIRECT: "ok",
    SourceBehaviour.NOT_FOUND: "source_not_found",
    SourceBehaviour.GONE: "source_not_found",
    SourceBehaviour.SERVER_ERROR: "source_http_error",
    SourceBehaviour.RESET: "source_unreachable",
    SourceBehaviour.ROBOTS_BLOCKED: "source_blocked_by_robots",
    SourceBehaviour.NOT_HTML: "source_not_html",
    SourceBehaviour.PAYWALLED: "source_paywalled",
    SourceBehaviour.MISMATCH: "source_mismatch",
    SourceBehaviour.REFUSED: "source_refused",
    SourceBehaviour.INTERNAL_REDIRECT: "source_refused",
    SourceBehaviour.TRUNCATED: "source_truncated",
    SourceBehaviour.IMAGE: "source_not_html",
    SourceBehaviour.EMPTY: "source_not_html",
    SourceBehaviour.INVALID_UTF8: "ok",
    SourceBehaviour.META_CHARSET: "ok",
    SourceBehaviour.MALFORMED: "ok",
    SourceBehaviour.LONG_URL: "source_refused",  # under Scrapy's default URLLENGTH_LIMIT
    SourceBehaviour.HUGE_PAGE: "ok",
    SourceBehaviour.TOO_LARGE: "source_truncated",  # under a DOWNLOAD_MAXSIZE below its size
    SourceBehaviour.REDIRECT_LOOP: "source_unreachable",  # pairs/1: http_error means >= 400
}
# Behaviours under which the served article is the one the post translates.
TRANSLATED = {
    SourceBehaviour.OK,
    SourceBehaviour.REDIRECT,
    SourceBehaviour.PAYWALLED,
    SourceBehaviour.TRUNCATED,
    SourceBehaviour.INVALID_UTF8,
    SourceBehaviour.META_CHARSET,
    SourceBehaviour.MALFORMED,
    SourceBehaviour.LONG_URL,
    SourceBehaviour.HUGE_PAGE,
}
# Exercised by tests/e2e/test_bad_inputs.py in worlds of their own: they need lowered limits, or
# would cost every t2 crawl a 5 MB page or a refetch that the t2 tests count.
SEPARATE_WORLDS = {
    SourceBehaviour.HUGE_PAGE,
    SourceBehaviour.TOO_LARGE,
    SourceBehaviour.REDIRECT_LOOP,
}
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid)$")


@cache
def corpus(name: str) -> tuple[PairCase, ...]:
    if name == "generated":
        return tuple(generate_cases(200))
    return tuple(load_cases(name))


def translated_sources(case: PairCase) -> list[SourceArticle]:
    """The served articles the post translates, in citation order."""
    return [
        case.sources[url]
        for url in case.post.repaired_urls
        if url in case.sources and case.behaviours[url] in TRANSLATED
    ]


def translated_citations(case: PairCase) -> list[tuple[CitedArticle, SourceArticle]]:
    """Each cited article whose URL serves the article the post translates, with that article."""
    return [
        (cited, case.sources[cited.repaired_url])
        for cited in case.post.citations
        if case.behaviours.get(cited.repaired_url) in TRANSLATED
    ]


def cases_of(name: str) -> list[tuple[str, PairCase]]:
    return [(name, case) for case in corpus(name)]


@pytest.mark.parametrize("name", CORPORA)
def test_alignment_covers_each_paragraph_once_in_order(name: str) -> None:
    for case in corpus(name):
        sources = translated_sources(case)
        alignment = case.post.alignment
        if not sources:
            assert alignment == (), case.post.path
            continue
        assert alignment, case.post.path
        targets = [i for target, _ in alignment for i in target]
        source_indices = [i for _, source in alignment for i in source]
        paragraph_count = sum(len(article.paragraphs) for article in sources)
        # Flattened in order and equal to range(n): every index once, monotonic.
        assert targets == list(range(len(case.post.paragraphs))), case.post.path
        assert source_indices == list(range(paragraph_count)), case.post.path
        assert all(target or source for target, source in alignment), case.post.path


@pytest.mark.parametrize("name", CORPORA)
def test_translator_notes_are_marked(name: str) -> None:
    for case in corpus(name):
        for target, source in case.post.alignment:
            if not source:
                for i in target:
                    assert case.post.paragraphs[i].startswith(("※", "（訳注")), case.post.path


@pytest.mark.parametrize("name", CORPORA)
def test_status_and_behaviour_keys_are_the_repaired_urls(name: str) -> None:
    for case in corpus(name):
        if not case.post.citations:
            assert case.post.citation_lines == ()
            assert case.expected_status == {"": "no_citation"}
            assert case.behaviours == {}
            assert case.sources == {}
            continue
        repaired = set(case.post.repaired_urls)
        assert len(repaired) == len(case.post.citations), case.post.path
        assert set(case.expected_status) == repaired, case.post.path
        assert set(case.behaviours) == repaired, case.post.path
        assert set(case.sources) <= repaired, case.post.path
        for url, behaviour in case.behaviours.items():
            assert case.expected_status[url] == STATUS_OF[behaviour], (case.post.path, url)
            needs_article = behaviour in TRANSLATED or behaviour is SourceBehaviour.MISMATCH
            assert (url in case.sources) == needs_article, (case.post.path, url)


@pytest.mark.parametrize("name", CORPORA)
def test_repaired_urls_are_clean_and_come_from_the_written_ones(name: str) -> None:
    for case in corpus(name):
        for cited in case.post.citations:
            as_written, repaired = cited.url, cited.repaired_url
            parts = urlsplit(repaired)
            assert repaired.isascii() and not re.search(r"\s", repaired), repaired
            assert parts.scheme in ("http", "https") and parts.netloc, repaired
            assert not any(TRACKING.match(k) for k, _ in parse_qsl(parts.query)), repaired
            # Repair only unwraps a Google redirect, adds a scheme, folds full-width forms and
            # drops noise around the URL.
            folded = unicodedata.normalize("NFKC", as_written)
            folded = google_target(folded) or folded
            assert parts.netloc + parts.path in folded, (as_written, repaired)


@pytest.mark.parametrize("name", CORPORA)
def test_paths_are_unique_and_dated_like_blogger_permalinks(name: str) -> None:
    paths = [case.post.path for case in corpus(name)]
    assert len(paths) == len(set(paths))
    for case in corpus(name):
        post = case.post
        match = re.fullmatch(r"/(\d{4})/(\d{2})/[a-z0-9_-]+\.html", post.path)
        assert match, post.path
        assert (int(match[1]), int(match[2])) == (post.published.year, post.published.month)


@pytest.mark.parametrize("name", CORPORA)
def test_translation_is_published_after_its_source(name: str) -> None:
    for case in corpus(name):
        post = case.post
        assert post.published.utcoffset() == timedelta(hours=9), post.path
        assert post.updated >= post.published, post.path
        for article in translated_sources(case):
            # The source's offset is the one US Eastern had on that day (EST or EDT).
            local = article.published.astimezone(EASTERN)
            assert article.published.utcoffset() == local.utcoffset(), article.url
            delay = post.published - article.published
            assert timedelta(0) < delay < timedelta(days=30), (post.path, delay)


@pytest.mark.parametrize("name", CORPORA)
def test_each_cited_article_describes_the_article_served_at_its_url(name: str) -> None:
    checked = 0
    for case in corpus(name):
        for cited, article in translated_citations(case):
            where = (case.post.path, cited.repaired_url)
            assert article.site in (*SITES, "generic"), where
            if cited.date is not None:
                when = parse_date_line(cited.date)
                assert when is not None, where
                if CLOCK.search(cited.date):
                    assert when == article.published, (where, cited.date)
                else:  # the day only
                    assert when.date() == article.published.astimezone(EASTERN).date(), where
            if cited.language == "ja":
                continue  # a Japanese header translates the title and spells the author in kana
            assert cited.language == "en", where
            if cited.title is not None:
                assert cited.title == article.title, where
                assert cited.subtitle == article.subtitle, where
            if cited.author is not None:
                assert cited.author == " and ".join(article.authors), where
            checked += 1
    assert checked


@pytest.mark.parametrize("name", CORPORA)
def test_a_url_serves_one_article_across_posts(name: str) -> None:
    seen: dict[str, SourceArticle] = {}
    for case in corpus(name):
        for url, article in case.sources.items():
            assert seen.setdefault(url, article) == article, url


@pytest.mark.parametrize("name", CORPORA)
def test_designators_survive_translation(name: str) -> None:
    # Aligners anchor on designators such as F-35A, SM-3 or DDG-114; a 1-1 pair must keep them.
    designator = re.compile(r"\b[A-Z]{1,4}-\d{1,4}[A-Z]?\b")
    for case in corpus(name):
        sources = translated_sources(case)
        english = [p for article in sources for p in article.paragraphs]
        for target, source in case.post.alignment:
            if len(target) == len(source) == 1:
                wanted = set(designator.findall(english[source[0]]))
                missing = {d for d in wanted if d not in case.post.paragraphs[target[0]]}
                assert not missing, (case.post.path, missing)


def test_t2_exercises_every_behaviour_and_the_special_cases() -> None:
    cases = corpus("t2")
    behaviours = {b for case in cases for b in case.behaviours.values()}
    assert behaviours == set(SourceBehaviour) - SEPARATE_WORLDS
    statuses = [s for case in cases for s in case.expected_status.values()]
    assert "no_citation" in statuses
    cited = [url for case in cases for url in case.behaviours]
    assert len(cited) > len(set(cited)), "one article should be cited by two posts"
    assert any(len(case.post.citations) > 1 for case in cases)
    assert sum(case.post.drop_cap for case in cases) >= 3
    assert any(case.post.publication is None and case.post.citations for case in cases)
    assert any("（" in case.post.title for case in cases)
    assert {a.site for case in cases for a in case.sources.values()} >= set(SITES)
    shapes = {(len(t), len(s)) for case in cases for t, s in case.post.alignment}
    assert {(1, 1), (1, 2), (2, 1), (0, 1), (1, 0)} <= shapes


def test_blogs_are_described() -> None:
    assert load_blog("t2").host == "aviation-space-business.blogspot.com"
    assert load_blog("t1").host == "aviationspacebusiness-civilaviation.blogspot.com"
    assert len(load_file_cases("t1", themes=False)) == 4


def test_unknown_blog_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown corpus blog"):
        load_cases("../t2")


def test_generate_cases_is_deterministic_and_unique() -> None:
    first = generate_cases(200)
    assert first == generate_cases(200)
    assert first != generate_cases(200, seed=1)
    assert len(first) == 200
    assert len({case.post.path for case in first}) == 200
    urls = [url for case in first for url in case.sources]
    assert len(urls) == len(set(urls)) == 200


def test_generated_blog_spreads_over_sites_and_years() -> None:
    cases = generate_cases(200)
    sites = {article.site for case in cases for article in case.sources.values()}
    assert sites == set(SITES)
    years = {case.post.published.year for case in cases}
    assert max(years) - min(years) >= 4
    assert all(case.expected_status == {url: "ok"} for case in cases for url in case.sources)
