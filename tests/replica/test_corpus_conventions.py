"""The real blog's conventions in the corpus: every variant has a case, every golden field comes
from the lines the page shows, every page shows its golden lines, and every true pair is one
the crawler's matching can recognise."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pytest

from crawler.dates import parse_date_line
from crawler.pairing.matching import MISMATCH_THRESHOLD, MatchInputs, score_match
from replica.corpus import generate_cases, load_cases, load_file_cases
from replica.model import CitedArticle, EndMark, NoteKind, PairCase, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.blogger_body import display_title
from replica.sites.blogger_citation import google_target
from tests.replica.pages import CAPTION, block_texts, expected_blocks, parse_html, permalink_body

BLOGS = ("t2", "t1")
HOSTS = {"t2": "aviation-space-business.blogspot.com", "t1": "t1.blogspot.com"}
DASH = re.compile(r"\s*―\s*(?P<comment>.*)")
COMMENT_LINE = re.compile(r"―\s*(?P<comment>.+)")
URLISH = re.compile(r"https?:|ｈｔｔｐ|www\.", re.IGNORECASE)


@cache
def cases(blog: str) -> tuple[PairCase, ...]:
    return tuple(load_cases(blog))


def every_case() -> list[PairCase]:
    return [case for blog in BLOGS for case in cases(blog)]


def text(line: str) -> str:
    return " ".join(line.split())


def title_rest(post: TranslationPost) -> str:
    """What the title line holds after the golden title and publication."""
    line = display_title(post).strip()
    assert line.startswith(post.title), (line, post.title)
    rest = line[len(post.title) :]
    if post.publication is not None:
        brackets = (f"({post.publication})", f"（{post.publication}）")
        assert rest.startswith(brackets), (line, post.publication)
        rest = rest[len(post.publication) + 2 :]
    return rest


def comment_line(post: TranslationPost) -> str | None:
    """The head line that gives the post's comment, when the title has none."""
    if title_rest(post) or post.comment is None:
        return None
    lines = [h for h in post.head_lines if COMMENT_LINE.fullmatch(text(h))]
    assert len(lines) == 1, post.path
    return lines[0]


@pytest.mark.parametrize("blog", BLOGS)
def test_title_comment_and_publication_come_from_the_title_line(blog: str) -> None:
    for case in cases(blog):
        post = case.post
        rest = title_rest(post)
        if rest:
            match = DASH.fullmatch(rest)
            assert match and match["comment"].strip() == post.comment, (post.path, rest)
        elif post.comment is not None:
            line = comment_line(post)
            assert line is not None
            match = COMMENT_LINE.fullmatch(text(line))
            assert match and match["comment"] == post.comment, post.path


def citation_values(cited: CitedArticle) -> set[str]:
    fields = (cited.title, cited.subtitle, cited.author, cited.publication, cited.date, cited.url)
    return {text(value) for value in fields if value}


def byline_matches(line: str, cited: CitedArticle) -> bool:
    """The line is the article's byline: the author with or without "By", maybe its date glued."""
    if cited.author is None:
        return False
    line = re.sub(r"^By\s+", "", text(line))
    if cited.date and line.endswith(cited.date):
        line = line[: -len(cited.date)].rstrip()
    return line == text(cited.author)


@pytest.mark.parametrize("blog", BLOGS)
def test_every_head_line_is_a_note_the_comment_or_a_citation_line(blog: str) -> None:
    for case in cases(blog):
        post = case.post
        notes = [note.text for note in post.notes]
        assert [text(h) for h in post.head_lines if text(h) in notes] == notes, post.path
        for line in post.head_lines:
            known = (
                text(line) in notes
                or line == comment_line(post)
                or any(
                    text(line) in citation_values(c) or byline_matches(line, c)
                    for c in post.citations
                )
            )
            assert known, (post.path, line)
            assert text(line) not in post.paragraphs, (post.path, line)
        for note in post.notes:
            assert note.kind in set(NoteKind), post.path
            assert note.text not in post.paragraphs, post.path


def field_lines(lines: list[str], cited: CitedArticle) -> list[int]:
    """The line numbers the article's golden fields come from; each field must be found."""
    found: list[int] = []
    for value in (cited.title, cited.subtitle, cited.url):
        if value is not None:
            assert text(value) in lines, value
            found.append(lines.index(text(value)))
    if cited.publication is not None:
        # A line of its own, or an outlet written as the byline ("By Flight International30 May").
        outlet = [
            n
            for n, line in enumerate(lines)
            if line == text(cited.publication) or _outlet_byline(line, cited)
        ]
        assert outlet, cited.publication
        found.append(outlet[0])
    for value in (cited.author, cited.date):
        if value is None:
            continue
        exact = [n for n, line in enumerate(lines) if line == text(value)]
        # Or the byline: "By Author", "Author", glued to the date or followed by it.
        bylines = [
            n
            for n, line in enumerate(lines)
            if (byline_matches(line, cited) or _outlet_byline(line, cited))
            and (value == cited.author or line.endswith(value))
        ]
        at = exact or bylines
        assert at, value
        found.append(at[0])
    return found


def _outlet_byline(line: str, cited: CitedArticle) -> bool:
    return bool(cited.publication) and line.startswith("By") and text(cited.publication) in line


@pytest.mark.parametrize("blog", BLOGS)
def test_citation_fields_come_from_the_written_lines_in_block_order(blog: str) -> None:
    for case in cases(blog):
        post = case.post
        lines = [text(line) for line in (*post.head_lines, *post.citation_lines)]
        previous = -1
        used: set[int] = set()
        for cited in post.citations:
            found = field_lines(lines, cited)
            assert min(found) > previous, (post.path, cited.url)
            previous = max(found)
            used.update(found)
            assert cited.language in ("en", "ja"), post.path
        cited_lines = range(len(post.head_lines), len(lines))
        assert set(cited_lines) <= used, (post.path, [lines[n] for n in cited_lines])


@cache
def conventions() -> tuple[PairCase, ...]:
    return tuple(case for blog in BLOGS for case in load_file_cases(blog))


def some(predicate: Callable[[TranslationPost], bool]) -> bool:
    return any(predicate(case.post) for case in conventions())


def shown(post: TranslationPost) -> str:
    return display_title(post)


TITLE_CONVENTIONS: dict[str, Callable[[TranslationPost], bool]] = {
    "title(Pub)": lambda p: bool(p.publication) and shown(p) == f"{p.title}({p.publication})",
    "title(Pub)―comment": lambda p: shown(p) == f"{p.title}({p.publication})―{p.comment}",
    "title(Pub) ― comment": lambda p: shown(p) == f"{p.title}({p.publication}) ― {p.comment}",
    "title―comment": lambda p: p.publication is None and shown(p) == f"{p.title}―{p.comment}",
    "a run-on headline": lambda p: p.publication is None and shown(p) == p.title,
    "(TWZ)": lambda p: p.publication == "TWZ" and "(TWZ)" in shown(p),
    "(だった) stays": lambda p: "(だった)" in p.title,
    "(続報) stays": lambda p: p.title.startswith("(続報)"),
    "(2) stays": lambda p: p.title.endswith("(2)"),
    "主張 stays": lambda p: p.title.startswith("主張 "),
    "DSEIジャパンニュース stays": lambda p: p.title.startswith("DSEIジャパンニュース "),
    "full-width brackets": lambda p: f"（{p.publication}）" in shown(p),
    "a trailing space": lambda p: shown(p).endswith(" "),
}


@pytest.mark.parametrize("name", TITLE_CONVENTIONS)
def test_every_title_convention_has_a_case(name: str) -> None:
    assert some(TITLE_CONVENTIONS[name]), name


def has_note(kind: NoteKind) -> Callable[[TranslationPost], bool]:
    return lambda p: any(note.kind is kind for note in p.notes)


def any_line(post: TranslationPost, pattern: str) -> bool:
    return any(re.search(pattern, line) for line in (*post.head_lines, *post.citation_lines))


def any_cited(predicate: Callable[[CitedArticle], bool]) -> Callable[[TranslationPost], bool]:
    return lambda p: any(predicate(c) for c in p.citations)


LAYOUTS: dict[str, Callable[[TranslationPost], bool]] = {
    "■ glued to the last paragraph": lambda p: p.mark is EndMark.GLUED,
    "■ on a line of its own": lambda p: p.mark is EndMark.LINE and bool(p.citation_lines),
    "the comment on the first body line": lambda p: comment_line(p) is not None,
    "a comment line besides the title's comment": has_note(NoteKind.COMMENT),
    "a cross-post banner": has_note(NoteKind.BANNER),
    "the title repeated": has_note(NoteKind.TITLE_REPEAT),
    "a photo credit line": has_note(NoteKind.PHOTO_CREDIT),
    "▶ as a sentence mark": lambda p: any("▶" in paragraph[1:-1] for paragraph in p.paragraphs),
    "several articles in one block": lambda p: sum(bool(c.title) for c in p.citations) > 1,
    "an author without By": lambda p: any(
        text(line) == c.author for c in p.citations for line in p.citation_lines
    ),
    "a URL-first block": lambda p: (
        bool(p.citation_lines) and bool(URLISH.match(p.citation_lines[0]))
    ),
    "a byline glued to its date": lambda p: any_line(p, r"^By \w+ \w+\d{1,2} \w+ \d{4}$"),
    "a publication as byline": any_cited(
        lambda c: c.author is None and c.publication == "Flight International"
    ),
    "author and date on one line without By": lambda p: any_line(p, r"^[A-Z]\w+ [A-Z]\w+ \w+ \d"),
    "a citation block before the body": lambda p: any(
        text(c.url) in map(text, p.head_lines) for c in p.citations
    ),
    "a bare ■ ending the body": lambda p: p.mark is EndMark.LINE and not p.citation_lines,
    "a Japanese header, MM/DD/YY date": any_cited(
        lambda c: c.language == "ja" and bool(re.fullmatch(r"\d\d/\d\d/\d\d .* ET", c.date or ""))
    ),
    "a Japanese header, Japanese date": any_cited(
        lambda c: c.language == "ja" and bool(re.fullmatch(r"\d{4}年.*分", c.date or ""))
    ),
    "a Japanese header, updated in EST": any_cited(
        lambda c: c.language == "ja" and bool(re.fullmatch(r"\d{4}年.*\(EST\)更新", c.date or ""))
    ),
    "a URL wrapped by Google": any_cited(lambda c: google_target(c.url) is not None),
    "a full-width URL": any_cited(lambda c: c.url.startswith("ｈｔｔｐ")),
    "a URL without a scheme": any_cited(
        lambda c: not c.url.startswith(("http", "ｈｔｔｐ")) and c.url != c.repaired_url
    ),
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_body_layout_has_a_case(name: str) -> None:
    assert some(LAYOUTS[name]), name


@pytest.mark.parametrize("blog", BLOGS)
def test_each_page_shows_its_golden_lines(blog: str) -> None:
    posts = [case.post for case in cases(blog)]
    site = BloggerSite(HOSTS[blog], "T", posts)
    for post in posts:
        resource = site.resolve(post.path, {})
        assert resource is not None and resource.status == 200, post.path
        doc = parse_html(resource)
        (heading,) = doc.xpath("//h3[contains(@class, 'post-title')]")
        assert heading.text_content().strip() == display_title(post).strip(), post.path
        body = permalink_body(doc)
        blocks = block_texts(body)
        assert [b for b in blocks if b != CAPTION] == expected_blocks(post), post.path
        assert blocks.count(CAPTION) == len(post.captions), post.path
        cells = body.xpath(".//td[@class='tr-caption']")
        for cell, caption in zip(cells, post.captions, strict=True):
            cell_text = text(cell.text_content())
            assert cell_text.startswith(text(caption.credit)), post.path
            assert cell_text.endswith(text(caption.text)), post.path


def confidence(case: PairCase, cited: CitedArticle) -> float:
    """The crawler's confidence for the golden pair, from the golden citation fields.

    A Japanese header's title and katakana author say nothing about an English page: they are
    left out, as the crawler must leave them out.
    """
    article = case.sources[cited.repaired_url]
    english = cited.language == "en"
    others = tuple(
        "\n\n".join(other.paragraphs)
        for url, other in case.sources.items()
        if url != cited.repaired_url
    )
    evidence = score_match(
        MatchInputs(
            cited_title=cited.title if english else None,
            cited_author=cited.author if english else None,
            cited_published=parse_date_line(cited.date) if cited.date else None,
            translation_published=case.post.published,
            translation_text="\n\n".join(case.post.paragraphs),
            source_title=article.title,
            source_author=", ".join(article.authors) or None,
            source_published=article.published,
            source_text="\n\n".join(article.paragraphs),
            other_source_texts=others,
        )
    )
    return evidence.confidence


@pytest.mark.parametrize("blog", BLOGS)
def test_true_pairs_are_confident_enough_to_end_ok(blog: str) -> None:
    low = []
    for case in cases(blog):
        for cited in case.post.citations:
            if case.expected_status.get(cited.repaired_url) != "ok":
                continue
            if cited.repaired_url not in case.sources:
                continue
            score = confidence(case, cited)
            if score < MISMATCH_THRESHOLD + 0.05:
                low.append((case.post.path, cited.repaired_url, round(score, 3)))
    assert low == []


def test_generated_posts_follow_the_real_title_order() -> None:
    for case in generate_cases(50):
        post = case.post
        line = display_title(post)
        assert post.publication is not None
        assert line.startswith((f"{post.title}({post.publication})", f"{post.title}（"))
        if post.comment:
            assert line.endswith(f"―{post.comment}"), line
