"""The seed's four posts: built at run time from the real page's dump, absent without it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from replica.corpus import load_cases, load_file_cases
from replica.corpus.seed import (
    SEED_DIR_VARIABLE,
    load_seed_cases,
    seed_recipe,
    seed_status,
)
from replica.model import EndMark, PairCase
from replica.world import T2_BLOG, build_world

PROJECT = Path(__file__).resolve().parents[2]
STATUS = seed_status()
needs_seed = pytest.mark.skipif(
    not STATUS.available, reason=f"no seed cases: {STATUS.reason} (set {SEED_DIR_VARIABLE})"
)
# (path, publication, drop cap restored at the start of the body, cited host)
EXPECTED = (
    ("/2025/02/the-war-zone.html", "The War Zone", "メキシコ", "www.twz.com"),
    ("/2025/02/breaking-defense.html", "Breaking Defense", None, "breakingdefense.com"),
    ("/2025/02/2000defense-news-f-16.html", "Defense News", "フランス", "breakingdefense.com"),
    ("/2025/02/p-8aisrusni-news.html", "USNI News", "第10", "news.usni.org"),
)


@pytest.fixture(scope="module")
def seed_cases() -> list[PairCase]:
    return load_seed_cases()


@needs_seed
def test_the_seed_gives_four_posts_of_one_day(seed_cases: list[PairCase]) -> None:
    assert [case.post.path for case in seed_cases] == [path for path, *_ in EXPECTED]
    for case in seed_cases:
        assert case.post.published.date() == date(2025, 2, 7)
        assert case.post.published.utcoffset() is not None
    # The page lists its posts newest first.
    times = [case.post.published for case in seed_cases]
    assert times == sorted(times, reverse=True)
    assert [case.post.path for case in load_cases("t2")[-4:]] == [c.post.path for c in seed_cases]


@needs_seed
def test_seed_titles_follow_the_real_convention(seed_cases: list[PairCase]) -> None:
    for case, (_, publication, _, _) in zip(seed_cases, EXPECTED, strict=True):
        post = case.post
        assert post.publication == publication
        assert post.display_title is not None
        expected = f"{post.title}({publication})" + (f"―{post.comment}" if post.comment else "")
        assert post.display_title == expected
    first, *others = seed_cases
    assert first.post.comment is None  # "...(The War Zone)" and nothing after it
    assert all(case.post.comment for case in others)


@needs_seed
def test_seed_bodies_have_their_structure(seed_cases: list[PairCase]) -> None:
    for case, (_, _, opening, _) in zip(seed_cases, EXPECTED, strict=True):
        post = case.post
        assert post.mark is EndMark.GLUED  # "...確かだ。■"
        assert not any("■" in paragraph for paragraph in post.paragraphs)
        assert len(post.paragraphs) >= 10 and post.captions
        assert all(p == " ".join(p.split()) for p in post.paragraphs)
        assert post.head_lines == () and post.notes == ()
        if opening is None:
            assert not post.drop_cap
        else:
            assert post.drop_cap and post.paragraphs[post.drop_cap_at].startswith(opening)
    iron_dome = seed_cases[1].post
    assert len(iron_dome.bullets) == 3
    assert not any(iron_dome.paragraphs[i].startswith("•") for i in iron_dome.bullets)
    # Captions: an English credit line alone, a Japanese caption alone, or both.
    captions = [c for case in seed_cases for c in case.post.captions]
    assert any(c.credit and not c.text for c in captions)
    assert any(c.text and not c.credit for c in captions)


@needs_seed
def test_seed_citations_name_one_article_each(seed_cases: list[PairCase]) -> None:
    dated = 0
    for case, (_, _, _, host) in zip(seed_cases, EXPECTED, strict=True):
        (cited,) = case.post.citations
        assert urlsplit(cited.repaired_url).netloc == host
        assert cited.url == cited.repaired_url == case.post.citation_lines[-1]
        assert cited.title and cited.author and cited.language == "en"
        assert not cited.author.startswith("By")
        assert cited.author == " ".join(cited.author.split())
        dated += cited.date is not None
        article = case.sources[cited.repaired_url]
        assert (article.title, article.subtitle) == (cited.title, cited.subtitle)
        assert " and ".join(article.authors) == cited.author
        assert case.expected_status == {cited.repaired_url: "ok"}
    assert dated == 3
    # Post 3 names (Defense News) in its title but cites Breaking Defense: the title's stays.
    assert seed_cases[2].post.publication == "Defense News"


@needs_seed
def test_no_line_of_the_seed_is_kept_in_the_replica() -> None:
    lines = STATUS.path.read_text(encoding="utf-8").split("\n")
    long_lines = {" ".join(line.split()) for line in lines if len(line.strip()) >= 40}
    files = [
        path
        for folder in ("replica", "tests/replica", "tests/e2e")
        for path in (PROJECT / folder).rglob("*")
        if path.is_file() and path.suffix in (".py", ".json", ".html", ".txt")
    ]
    for path in files:
        content = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
        copied = [line for line in long_lines if line in content]
        assert copied == [], (path, copied[:2])


def test_without_the_seed_the_world_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SEED_DIR_VARIABLE, str(tmp_path))
    status = seed_status()
    assert not status.available and str(tmp_path) in status.reason
    assert load_seed_cases() == []
    assert [c.post.path for c in load_cases("t2")] == [c.post.path for c in load_file_cases("t2")]
    world = build_world()
    assert len(world.cases[T2_BLOG]) == len(load_file_cases("t2"))


def test_a_different_dump_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / seed_recipe()["seed"]["file"]).write_text("2025年2月7日金曜日\n", "utf-8")
    monkeypatch.setenv(SEED_DIR_VARIABLE, str(tmp_path))
    status = seed_status()
    assert not status.available and "not the dump" in status.reason
    assert load_seed_cases() == []
