"""What a replica Blogger page is about, and the data Blogger inlines in every page.

The blog, its posts and the page being shown; the ``_WidgetManager._SetDataContext`` literal
and the ``<head>`` feed links are written as Blogger writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import quote

from replica.model import TranslationPost
from replica.sites.blogger_body import display_title

WEEKDAYS = "月火水木金土日"


@dataclass(frozen=True)
class Blog:
    host: str
    title: str
    description: str
    blog_id: str
    author: str
    profile_id: str

    @property
    def base(self) -> str:
        return f"https://{self.host}"

    def label_url(self, label: str) -> str:
        return f"{self.base}/search/label/{quote(label)}"


@dataclass(frozen=True)
class PostRef:
    post: TranslationPost
    post_id: str
    url: str

    @property
    def title(self) -> str:
        return display_title(self.post)


@dataclass(frozen=True)
class Page:
    """One HTML page to render: its kind is Blogger's ``pageType``."""

    kind: str  # "item" | "index" | "archive" | "static_page"
    url: str
    posts: tuple[PostRef, ...] = ()
    newer_url: str | None = None
    older_url: str | None = None
    label: str | None = None
    query: str | None = None
    heading: str = ""  # the page name (static page title, archive or label name)
    static_html: str = ""
    mobile: bool = False
    extra: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Sidebar:
    """The data behind the sidebar widgets, computed once per blog."""

    popular: tuple[PostRef, ...]
    labels: tuple[tuple[str, int], ...]  # label, post count
    years: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]  # year, count, months
    latest_month: tuple[PostRef, ...]


def date_header(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日{WEEKDAYS[moment.weekday()]}曜日"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def js_literal(value: object) -> str:
    """A Python value as the single-quoted JS literal Blogger writes in ``_SetDataContext``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace("\n", "\\n")
        for char in "'\"<>=&":
            escaped = escaped.replace(char, f"\\x{ord(char):02x}")
        return f"'{escaped}'"
    if isinstance(value, dict):
        return "{" + ", ".join(f"'{k}': {js_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(js_literal(item) for item in value) + "]"
    raise TypeError(f"no JS literal for {type(value).__name__}")


def data_context(blog: Blog, page: Page, theme: str, title: str, description: str) -> str:
    single = page.kind in ("item", "static_page")
    post_id = page.posts[0].post_id if page.kind == "item" else None
    data: dict[str, object] = {
        "blogId": blog.blog_id,
        "title": blog.title,
        "url": page.url,
        "canonicalUrl": page.url,
        "homepageUrl": f"{blog.base}/",
        "searchUrl": f"{blog.base}/search",
        "canonicalHomepageUrl": f"{blog.base}/",
        "blogspotFaviconUrl": f"{blog.base}/favicon.ico",
        "bloggerUrl": "https://www.blogger.com",
        "hasCustomDomain": False,
        "httpsEnabled": True,
        "enabledCommentProfileImages": True,
        "adultContent": False,
        "encoding": "UTF-8",
        "locale": "ja",
        "localeUnderscoreDelimited": "ja",
        "languageDirection": "ltr",
        "isPrivate": False,
        "isMobile": page.mobile,
        "isMobileRequest": page.mobile,
        "mobileClass": " mobile" if page.mobile else "",
        "isPrivateBlog": False,
        "feedLinks": feed_links(blog, post_id),
        "meTag": "",
        "view": "",
        "disableGComments": True,
        "hasCustomJumpLinkMessage": False,
        "jumpLinkMessage": "続きを読む",
        "pageType": page.kind,
    }
    if post_id:
        data["postId"] = post_id
    data.update(pageName=page.heading, pageTitle=title, metaDescription=description)
    template = {
        "classic": {"name": "Simple", "localizedName": "シンプル", "variant": "simplysimple"},
        "contempo": {"name": "Contempo", "localizedName": "コンテンポ", "variant": "indie_light"},
    }[theme]
    view = {
        "isMobile": page.mobile,
        "title": page.heading or blog.title,
        "url": page.url,
        "type": "item" if single else "feed",
        "isSingleItem": single,
        "isMultipleItems": not single,
        "isError": False,
        "isPage": page.kind == "static_page",
        "isPost": page.kind == "item",
        "isHomepage": page.extra.get("homepage", False),
        "isArchive": page.kind == "archive",
        "isLabelSearch": page.label is not None,
    }
    if page.query is not None:
        view["search"] = page.query
    parts = [
        {"name": "blog", "data": data},
        {"name": "features", "data": {}},
        {"name": "messages", "data": {"edit": "編集", "ok": "OK", "postLink": "投稿のリンク"}},
        {"name": "template", "data": {**template, "isResponsive": theme == "contempo"}},
        {"name": "view", "data": view},
    ]
    return js_literal(parts)


def feed_links(blog: Blog, post_id: str | None) -> str:
    def alt(kind: str, href: str) -> str:
        title = escape(f"{blog.title} - {kind}")
        mime = "application/rss+xml" if kind == "RSS" else "application/atom+xml"
        return f'<link rel="alternate" type="{mime}" title="{title}" href="{href}" />\n'

    links = alt("Atom", f"{blog.base}/feeds/posts/default")
    links += alt("RSS", f"{blog.base}/feeds/posts/default?alt=rss")
    links += (
        f'<link rel="service.post" type="application/atom+xml" title="{escape(blog.title)} - '
        f'Atom" href="https://www.blogger.com/feeds/{blog.blog_id}/posts/default" />\n'
    )
    if post_id:
        links += alt("Atom", f"{blog.base}/feeds/{post_id}/comments/default")
    return links
