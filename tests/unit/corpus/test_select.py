"""Selection on the replica-built manifest: every count is recomputed from the cases."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit

from crawler.corpus import PairFilter, publication_month, select_pairs, source_site
from tests.unit.corpus.builders import CorpusFixture


def _case_rows(corpus: CorpusFixture) -> list[tuple[str, date, str | None]]:
    """(status, publication day, source host) per cited URL, straight from the cases."""
    rows = []
    for case in corpus.cases:
        for cited, status in case.expected_status.items():
            article = case.sources.get(cited)
            url = (
                article.url
                if article is not None and status in ("ok", "source_mismatch")
                else cited
            )
            host = urlsplit(url).hostname if url else None
            rows.append((status, case.post.published.date(), host))
    return rows


def test_no_criteria_keeps_every_pair(corpus: CorpusFixture) -> None:
    assert list(select_pairs(corpus.pairs, PairFilter())) == corpus.pairs
    assert len(corpus.pairs) == len(_case_rows(corpus))


def test_status_filter(corpus: CorpusFixture) -> None:
    expected = Counter(status for status, _, _ in _case_rows(corpus))
    for status, count in expected.items():
        chosen = list(select_pairs(corpus.pairs, PairFilter(statuses=frozenset({status}))))
        assert len(chosen) == count
        assert {p.status for p in chosen} == {status}
    both = PairFilter(statuses=frozenset({"ok", "source_not_found"}))
    assert (
        len(list(select_pairs(corpus.pairs, both))) == expected["ok"] + expected["source_not_found"]
    )


def test_date_range_is_inclusive_on_the_publication_day(corpus: CorpusFixture) -> None:
    since, until = date(2025, 2, 14), date(2025, 3, 29)
    expected = sum(1 for _, day, _ in _case_rows(corpus) if since <= day <= until)
    chosen = list(select_pairs(corpus.pairs, PairFilter(since=since, until=until)))
    assert len(chosen) == expected
    assert 0 < expected < len(corpus.pairs)
    assert {p.translation.url.rsplit("/", 1)[1] for p in chosen} >= {"blog-post_14.html"}
    only_since = sum(1 for _, day, _ in _case_rows(corpus) if day >= date(2025, 6, 1))
    assert len(list(select_pairs(corpus.pairs, PairFilter(since=date(2025, 6, 1))))) == only_since


def test_undated_pairs_fall_outside_any_date_range(corpus: CorpusFixture) -> None:
    undated = replace(
        corpus.pairs[0], translation=replace(corpus.pairs[0].translation, published=None)
    )
    assert not PairFilter(since=date(2000, 1, 1)).matches(undated)
    assert PairFilter().matches(undated)
    assert publication_month(undated) == "undated"


def test_site_filter_by_host_with_or_without_www_and_by_site_name(corpus: CorpusFixture) -> None:
    hosts = Counter(host for _, _, host in _case_rows(corpus))
    assert hosts["www.twz.com"] > 0
    for spelling in ("www.twz.com", "twz.com", "TWZ.com"):
        chosen = list(select_pairs(corpus.pairs, PairFilter(sites=frozenset({spelling}))))
        assert len(chosen) == hosts["www.twz.com"]
    usni = list(select_pairs(corpus.pairs, PairFilter(sites=frozenset({"usni.org"}))))
    assert len(usni) == hosts["news.usni.org"] > 0
    assert not list(select_pairs(corpus.pairs, PairFilter(sites=frozenset({"sni.org"}))))
    by_name = list(select_pairs(corpus.pairs, PairFilter(sites=frozenset({"the war zone"}))))
    # Only pairs whose page was read carry a site name.
    assert {p.source.site_name for p in by_name if p.source} == {"The War Zone"}
    assert 0 < len(by_name) <= hosts["www.twz.com"]


def test_source_site_follows_redirects(corpus: CorpusFixture) -> None:
    redirected = [p for p in corpus.pairs if p.cited_url and "thedrive.com" in p.cited_url]
    assert redirected
    assert {source_site(p) for p in redirected} == {"www.twz.com"}


def test_min_confidence_leaves_out_pairs_without_one(corpus: CorpusFixture) -> None:
    values = [p.confidence for p in corpus.pairs]
    for threshold in (0.0, 0.5, 0.8, 0.95):
        expected = sum(1 for v in values if v is not None and v >= threshold)
        chosen = list(select_pairs(corpus.pairs, PairFilter(min_confidence=threshold)))
        assert len(chosen) == expected
    assert len(list(select_pairs(corpus.pairs, PairFilter(min_confidence=0.0)))) < len(values)


def test_criteria_combine_with_and(corpus: CorpusFixture) -> None:
    criteria = PairFilter(
        statuses=frozenset({"ok"}), sites=frozenset({"news.usni.org"}), since=date(2025, 3, 1)
    )
    expected = sum(
        1
        for status, day, host in _case_rows(corpus)
        if status == "ok" and host == "news.usni.org" and day >= date(2025, 3, 1)
    )
    assert expected > 0
    assert len(list(select_pairs(corpus.pairs, criteria))) == expected
