"""The replica WordPress translation blog's posts: how each writes its source, and the goldens.

The translated texts and the articles they cite are the t2 corpus's (replica/corpus/t2.json:
synthetic, written for this project); what is WordPress here is how the posts are written, the
way Japanese translators on WordPress write them: the title decorated (``【翻訳】…｜Outlet``,
``…（Outlet）``, ``[和訳] … | Outlet``), the source introduced by 出典 / 元記事 / 原文 / via /
Source, quoted in a ``<blockquote cite>``, shown as a link card at the top, or written as a
citation block at the end without an introducer. Every post also has the external links that
are *not* its source: a Wikipedia link in the text, a 関連記事 line to another post of the blog,
a 参考 line to related coverage, a related article's link card at the end, a photo credit's
link in a caption, share buttons, related posts, an author box, comments with links.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from replica.corpus import date_line, load_cases
from replica.model import (
    CitedArticle,
    PairCase,
    SourceArticle,
    SourceBehaviour,
    TranslationPost,
)

WORDPRESS_BLOG = "https://honyaku-defense.example.jp/"
WORDPRESS_NAME = "防衛ニュース翻訳ノート"

# How the source is written, and the rule of crawler/platforms/sources.py that must find it.
SOURCE_LINE = "source_line"  # 出典：<a href=URL>English title</a>
INTRODUCED_BLOCK = "introduced_block"  # 元記事： / title / By … / date / URL, one per line
QUOTE = "quote"  # <blockquote cite=URL> around a paragraph, <cite>Outlet</cite>
TOP_CARD = "top_card"  # a link card (Cocoon blogcard) before the text
END_BLOCK = "end_block"  # title / By … / date / URL after the text, no introducer
SOURCE_COLON = "source_colon"  # Source: https://…
INTRODUCED_EMBED = "introduced_embed"  # 【原文】 then a core wp-embed card
VIA = "via"  # via <a href=URL>Outlet</a>
NONE = "none"  # no source at all: only the links that are not one

RULE_OF_STYLE = {
    SOURCE_LINE: "source_line",
    INTRODUCED_BLOCK: "source_line",
    QUOTE: "blockquote_cite",
    TOP_CARD: "link_card",
    END_BLOCK: "end_block",
    SOURCE_COLON: "source_line",
    INTRODUCED_EMBED: "source_line",
    VIA: "source_line",
}
# (index of the t2 case, style): each reuses that case's text and cited article.
RECIPES = (
    (0, SOURCE_LINE),
    (1, INTRODUCED_BLOCK),
    (4, QUOTE),
    (7, TOP_CARD),
    (10, END_BLOCK),
    (12, SOURCE_COLON),
    (5, INTRODUCED_EMBED),
    (21, VIA),
    (13, NONE),
)
NOT_FOUND_RECIPE = 6  # cited at a URL the outlet no longer serves: source_not_found
MISSING_SUFFIX = "-retracted/"
# The decorations of the title line, by post number: (format, whether it names the outlet).
TITLE_FORMS = (
    ("【翻訳】{title}｜{publication}", True),
    ("{title}（{publication}）", True),
    ("[和訳] {title} | {publication}", True),
    ("{title} – {publication}", True),
)
NO_SOURCE_TITLE = "【コラム】{title}"


@dataclass(frozen=True)
class WordPressCase:
    """One post of the replica WordPress blog, its goldens and the pair case behind it."""

    case: PairCase  # post: the golden fields; sources and statuses per cited URL
    post_id: int
    slug: str
    style: str
    display_title: str  # the title line as the theme shows it
    cited: CitedArticle | None  # the source as the post writes it (golden)
    date_marks: int  # 0: JSON-LD, meta and <time>; 1: meta and <time>; 2: <time> only

    @property
    def post(self) -> TranslationPost:
        return self.case.post

    @property
    def path(self) -> str:
        return self.post.path

    @property
    def rule(self) -> str | None:
        return RULE_OF_STYLE.get(self.style)

    @property
    def published(self) -> datetime:
        return self.post.published


def wordpress_cases() -> list[WordPressCase]:
    """The posts of the replica WordPress blog, oldest first by post id."""
    t2 = load_cases("t2")
    cases = [_case(number, t2[index], style) for number, (index, style) in enumerate(RECIPES)]
    cases.append(_missing_source_case(len(cases), t2[NOT_FOUND_RECIPE]))
    return cases


def _case(number: int, base: PairCase, style: str) -> WordPressCase:
    post = base.post
    form, _named = TITLE_FORMS[number % len(TITLE_FORMS)]
    if style == NONE:
        display = NO_SOURCE_TITLE.format(title=post.title)
        publication = None
    else:
        display = form.format(title=post.title, publication=post.publication)
        publication = post.publication
    [source_url] = base.sources if style != NONE else [""]
    article = base.sources.get(source_url)
    cited = None
    statuses: dict[str, str] = {}
    if style != NONE and article is not None:
        cited = _cited(style, source_url, article, post.publication)
        statuses = {source_url: "ok"}
    slug = _slug(source_url or post.path)
    golden = replace(
        post,
        path=_permalink(post.published, slug),
        publication=publication,
        comment=None,
        citations=(cited,) if cited else (),
        notes=(),
        head_lines=(),
        citation_lines=(),
    )
    case = PairCase(
        post=golden,
        sources=dict(base.sources) if cited else {},
        behaviours={source_url: SourceBehaviour.OK} if cited else {},
        expected_status=statuses,
        note=f"WordPress post, source written as {style}",
    )
    return WordPressCase(case, 101 + number, slug, style, display, cited, number % 3)


def _missing_source_case(number: int, base: PairCase) -> WordPressCase:
    [source_url] = base.sources
    missing = source_url.rstrip("/") + MISSING_SUFFIX
    built = _case(number, base, SOURCE_LINE)
    assert built.cited is not None
    cited = replace(built.cited, url=missing, repaired_url=missing)
    post = replace(built.post, citations=(cited,))
    case = PairCase(
        post=post,
        sources={},
        behaviours={missing: SourceBehaviour.NOT_FOUND},
        expected_status={missing: "source_not_found"},
        note="WordPress post whose cited article is gone (404)",
    )
    return replace(built, case=case, cited=cited)


def _cited(style: str, url: str, article: SourceArticle, publication: str | None) -> CitedArticle:
    """What the crawler must read of the source as ``style`` writes it."""
    title, authors = article.title, article.authors
    titled = style in (SOURCE_LINE, INTRODUCED_BLOCK, TOP_CARD, END_BLOCK, INTRODUCED_EMBED)
    named = style in (QUOTE, VIA)
    bylined = style in (INTRODUCED_BLOCK, END_BLOCK)
    return CitedArticle(
        repaired_url=url,
        url=url,
        title=title if titled else None,
        author=byline(authors) if bylined else None,
        date=date_line(article.site, article.published) if bylined else None,
        publication=publication if named else None,
    )


def byline(authors: tuple[str, ...]) -> str:
    return " and ".join(authors)


def _slug(url: str) -> str:
    last = [part for part in urlsplit(url).path.split("/") if part][-1]
    return last.removesuffix(".html")[:60].strip("-")


def _permalink(published: datetime, slug: str) -> str:
    return f"/{published:%Y/%m/%d}/{slug}/"


def case_by_path(cases: list[WordPressCase]) -> dict[str, WordPressCase]:
    return {case.path: case for case in cases}
