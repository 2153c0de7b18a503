"""The parsers on the real blog's own lines: the seed page (one day of T2, four posts).

The seed is a text dump, read where it lies beside the project (the tests skip without it).
Its layout is stated here post by post (which line of a citation block is what), and each
expectation names the seed line it must equal, so no text of the seed is copied into the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pytest

from crawler.blogger import parse_citation_block, parse_post, split_title
from crawler.blogger.citation import RULE_END_MARK, found_by
from crawler.publications import same_publication
from tests.unit.blogger.pages import POST_URL, blogger_page

URL_START = "https://"
END_MARK = "■"


@dataclass(frozen=True)
class SeedPost:
    title_line: str
    body: list[str]  # every non-empty line between the title and the end mark, the mark's included
    citation: list[str]  # the non-empty lines after the end mark, up to the URL


def _posts(lines: list[str]) -> list[SeedPost]:
    """The dump's posts: a title line, body lines, ``…■``, citation lines ending in a URL."""
    texts = [line for line in lines[1:] if line.strip()]  # line 0 is the date header
    posts = []
    at = 0
    while at < len(texts):
        title = texts[at]
        mark = next(i for i in range(at + 1, len(texts)) if texts[i].rstrip().endswith(END_MARK))
        url = next(i for i in range(mark + 1, len(texts)) if texts[i].startswith(URL_START))
        posts.append(SeedPost(title, texts[at + 1 : mark + 1], texts[mark + 1 : url + 1]))
        at = url + 1
    return posts


@pytest.fixture(scope="module")
def seed_posts(seed_lines: list[str]) -> list[SeedPost]:
    posts = _posts(seed_lines)
    assert len(posts) == 4
    return posts


# Post by post: the outlet its title credits, whether a comment follows, and the role of each
# citation line in order (author lines are written "By …" on two posts, bare on two).
LAYOUT = [
    ("The War Zone", False, ("title", "subtitle", "author", "url")),
    ("Breaking Defense", True, ("title", "subtitle", "author", "date", "url")),
    ("Defense News", True, ("title", "subtitle", "author", "date", "url")),
    ("USNI News", True, ("title", "author", "date", "url")),
]
# The date lines of posts 2-4 in US Eastern time, as the issue and the dump's README state them.
PUBLISHED = [
    None,
    "2025-02-04T12:59:00-05:00",
    "2025-02-06T14:59:00-05:00",
    "2025-02-03T18:33:00-05:00",
]


def _author(line: str) -> str:
    words = line.split()
    return " ".join(words[1:] if words[0] == "By" else words)


@pytest.mark.parametrize("number", range(4))
def test_title_lines(seed_posts: list[SeedPost], number: int) -> None:
    publication, has_comment, _ = LAYOUT[number]
    line = seed_posts[number].title_line
    title, comment, credited = split_title(line)
    marked = f"({publication})"
    assert credited == publication
    assert title == line[: line.index(marked)].strip()
    after = line[line.index(marked) + len(marked) :].strip()
    if has_comment:
        assert after.startswith("―")
        assert comment == after[1:].strip()
    else:
        assert (after, comment) == ("", None)


@pytest.mark.parametrize("number", range(4))
def test_citation_blocks(seed_posts: list[SeedPost], number: int) -> None:
    publication, _, roles = LAYOUT[number]
    lines = seed_posts[number].citation
    assert len(lines) == len(roles)
    line_of = dict(zip(roles, lines, strict=True))
    block = parse_citation_block(lines, publication=publication)
    (article,) = block.citations
    assert article.title == line_of["title"].strip()
    assert article.subtitle == (line_of["subtitle"].strip() if "subtitle" in line_of else None)
    assert article.author == _author(line_of["author"])
    assert article.date == (line_of["date"].strip() if "date" in line_of else None)
    assert article.url == article.repaired_url == line_of["url"].strip()
    assert article.publication is None  # no citation line names the outlet
    assert article.language == "en"
    expected = PUBLISHED[number]
    assert (article.published.isoformat() if article.published else None) == expected
    assert block.raw == "\n".join(line.strip() for line in lines)


def test_post_three_credits_another_outlet_than_it_cites(seed_posts: list[SeedPost]) -> None:
    # The title credits Defense News; the URL is Breaking Defense's. The title's outlet stays
    # (evidence compares it with the page's site name, which then disagrees).
    credited = split_title(seed_posts[2].title_line)[2]
    assert credited == "Defense News"
    assert "breakingdefense.com" in seed_posts[2].citation[-1]
    assert same_publication(credited, "Breaking Defense") is False
    assert same_publication(credited, "Defense News") is True


def _page(post: SeedPost) -> str:
    """The post as Blogger's editor writes a body: one ``<div>`` per line."""
    body = "\n".join(f"<div>{escape(line)}</div>" for line in [*post.body, *post.citation])
    return blogger_page(body, title=post.title_line)


@pytest.mark.parametrize("number", range(4))
def test_whole_posts(seed_posts: list[SeedPost], number: int) -> None:
    post = seed_posts[number]
    parsed = parse_post(_page(post), POST_URL)
    publication, _, _ = LAYOUT[number]
    assert parsed.publication == publication
    # Every body line is text (captions are tables in the real markup): nothing of the real
    # body reads as a banner, a repeated title, a header or a citation before the body.
    assert parsed.notes == ()
    body = [" ".join(line.split()) for line in post.body]
    body[-1] = body[-1].removesuffix(END_MARK).rstrip()
    assert list(parsed.paragraphs) == [line for line in body if line]
    assert parsed.citation is not None
    # The block after ■, each article found by Blogger's end-mark convention.
    expected = found_by(parse_citation_block(post.citation), RULE_END_MARK, "end")
    assert parsed.citation.citations == expected.citations
