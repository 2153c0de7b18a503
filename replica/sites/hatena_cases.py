"""The replica Hatena Blog translation blog's posts: how each writes its source, and the goldens.

The translated texts and the articles they cite are the t2 corpus's (replica/corpus/t2.json:
synthetic, written for this project); what is Hatena here is how the posts are written, the way
Japanese translators on Hatena Blog write them: the source after 出典 / 元記事 / 引用元, quoted
with Hatena's quote notation (``<blockquote cite>`` with a ``<cite>`` link), shown as a link
card (``[URL:embed:cite]``: an ``iframe.embed-card`` and a ``cite.hatena-citation``) at the top
or after an introducer, the ``cite.hatena-citation`` alone, or a citation block at the end
without an introducer. Both permalink forms are used (``/entry/2025/02/20/211500`` and
``/entry/slug``). Every post also has the links that are *not* its source: a Wikipedia link in
the text, a link card to another post of the blog, a 参考 line to related coverage, a photo
credit's link in a caption; one post cites nothing, one cites an article that is gone (404).
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

HATENA_BLOG = "https://honyaku-news.hatenablog.com/"
# The same blog as a Hatena Blog Pro blog on its own domain: found from its pages' markup.
HATENA_CUSTOM_BLOG = "https://blog.kaigai-honyaku.example.jp/"
HATENA_NAME = "海外軍事ニュース翻訳帳"
HATENA_USER = "honyaku-news"

# How the source is written, and the rule of crawler/platforms/sources.py that must find it.
SOURCE_LINE = "source_line"  # 出典：<a href=URL>English title</a>
QUOTE = "quote"  # <blockquote cite=URL><p>…</p><cite><a href=URL>title</a></cite></blockquote>
TOP_CARD = "top_card"  # [URL:embed:cite] before the text
INTRODUCED_CARD = "introduced_card"  # 元記事： then [URL:embed:cite]
CITATION_ONLY = "citation_only"  # <cite class="hatena-citation"><a href=URL>host</a></cite> first
TYPED_URL = "typed_url"  # 引用元：https://…
END_BLOCK = "end_block"  # title / By … / date / URL after the text, no introducer
NONE = "none"  # no source: a card to another post first, a Wikipedia card last

RULE_OF_STYLE = {
    SOURCE_LINE: "source_line",
    QUOTE: "blockquote_cite",
    TOP_CARD: "link_card",
    INTRODUCED_CARD: "source_line",
    CITATION_ONLY: "link_card",
    TYPED_URL: "source_line",
    END_BLOCK: "end_block",
}
# (index of the t2 case, style, dated permalink): each reuses that case's text and article.
RECIPES = (
    (2, SOURCE_LINE, True),
    (3, QUOTE, False),
    (8, TOP_CARD, True),
    (9, INTRODUCED_CARD, False),
    (14, CITATION_ONLY, True),
    (15, TYPED_URL, False),
    (20, END_BLOCK, True),
    (22, NONE, False),
)
NOT_FOUND_RECIPE = 24  # cited at a URL the outlet no longer serves: source_not_found
MISSING_SUFFIX = "-removed/"
# The decorations of the heading, by post number; None: the title does not name the outlet.
TITLE_FORMS = (
    "【翻訳】{title}｜{publication}",
    "{title}（{publication}）",
    "【翻訳】{title}",
    "{title} | {publication}",
)
NO_SOURCE_TITLE = "【雑記】{title}"
FIRST_ENTRY_ID = 6802418398312345000  # Hatena's entry ids are 19-digit numbers


@dataclass(frozen=True)
class HatenaCase:
    """One post of the replica Hatena blog, its goldens and the pair case behind it."""

    case: PairCase  # post: the golden fields; sources and statuses per cited URL
    entry_id: int
    style: str
    display_title: str  # the heading as the entry shows it
    cited: CitedArticle | None  # the source as the post writes it (golden)

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

    @property
    def post_id(self) -> int:  # what the manifest's post_id is (data-uuid)
        return self.entry_id


def hatena_cases() -> list[HatenaCase]:
    """The posts of the replica Hatena blog, in the order they were written."""
    t2 = load_cases("t2")
    cases = [
        _case(number, t2[index], style, dated)
        for number, (index, style, dated) in enumerate(RECIPES)
    ]
    cases.append(_missing_source_case(len(cases), t2[NOT_FOUND_RECIPE]))
    return cases


def _case(number: int, base: PairCase, style: str, dated: bool) -> HatenaCase:
    post = base.post
    form = TITLE_FORMS[number % len(TITLE_FORMS)]
    if style == NONE:
        display, publication = NO_SOURCE_TITLE.format(title=post.title), None
    else:
        display = form.format(title=post.title, publication=post.publication)
        publication = post.publication if "{publication}" in form else None
    [source_url] = base.sources
    article = base.sources[source_url]
    cited = _cited(style, source_url, article) if style != NONE else None
    golden = replace(
        post,
        path=permalink(post.published, source_url, dated=dated),
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
        expected_status={source_url: "ok"} if cited else {},
        note=f"Hatena Blog post, source written as {style}",
    )
    return HatenaCase(case, FIRST_ENTRY_ID + 137 * number, style, display, cited)


def _missing_source_case(number: int, base: PairCase) -> HatenaCase:
    [source_url] = base.sources
    missing = source_url.rstrip("/") + MISSING_SUFFIX
    built = _case(number, base, SOURCE_LINE, True)
    assert built.cited is not None
    cited = replace(built.cited, url=missing, repaired_url=missing)
    case = PairCase(
        post=replace(built.post, citations=(cited,)),
        sources={},
        behaviours={missing: SourceBehaviour.NOT_FOUND},
        expected_status={missing: "source_not_found"},
        note="Hatena Blog post whose cited article is gone (404)",
    )
    return replace(built, case=case, cited=cited)


def _cited(style: str, url: str, article: SourceArticle) -> CitedArticle:
    """What the crawler must read of the source as ``style`` writes it."""
    titled = style in (SOURCE_LINE, QUOTE, TOP_CARD, INTRODUCED_CARD, END_BLOCK)
    bylined = style == END_BLOCK
    return CitedArticle(
        repaired_url=url,
        url=url,
        title=article.title if titled else None,
        author=byline(article.authors) if bylined else None,
        date=date_line(article.site, article.published) if bylined else None,
    )


def byline(authors: tuple[str, ...]) -> str:
    return " and ".join(authors)


def permalink(published: datetime, source_url: str, *, dated: bool) -> str:
    """``/entry/YYYY/MM/DD/HHMMSS`` (the time it was published, the blog's time) or
    ``/entry/slug`` (the slug the author chose: the source's)."""
    if dated:
        return f"/entry/{published:%Y/%m/%d/%H%M%S}"
    last = [part for part in urlsplit(source_url).path.split("/") if part][-1]
    return "/entry/" + last.removesuffix(".html")[:50].strip("-")
