"""Blogger's machine-readable endpoints: the Atom and RSS post feeds and the sitemaps.

The feed follows Blogger's GData output: ``openSearch`` counts, ``tag:blogger.com`` ids,
times with milliseconds and the blog's offset, and ``self``/``next`` links on www.blogger.com.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from replica.sites.blogger_body import image_url, label_list, plain_text, render_body
from replica.sites.blogger_context import Blog, PostRef

FEED_DEFAULT_SIZE = 25
FEED_MAX_SIZE = 150  # Blogger silently caps max-results
SUMMARY_LENGTH = 400
NAMESPACES = (
    "xmlns='http://www.w3.org/2005/Atom' "
    "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
    "xmlns:blogger='http://schemas.google.com/blogger/2008' "
    "xmlns:georss='http://www.georss.org/georss' xmlns:gd=\"http://schemas.google.com/g/2005\" "
    "xmlns:thr='http://purl.org/syndication/thread/1.0'"
)
AUTHOR_IMAGE = (
    "<gd:image rel='http://schemas.google.com/g/2005#thumbnail' width='16' height='16' "
    "src='https://img1.blogblog.com/img/b16-rounded.gif'/>"
)


def xml_text(text: str) -> str:
    return escape(text)


def xml_attr(text: str) -> str:
    return escape(text, {"'": "&apos;", '"': "&quot;"})


def gdata_time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class FeedQuery:
    """The GData query parameters Blogger honours; others are ignored."""

    start: int = 1
    size: int = FEED_DEFAULT_SIZE
    alt: str = "atom"
    orderby: str = "published"
    published_min: datetime | None = None
    published_max: datetime | None = None
    updated_min: datetime | None = None
    updated_max: datetime | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> FeedQuery:
        """Raises ``ValueError`` (Blogger's 400) for a bad number, time or ``alt``."""
        start = int(query.get("start-index", "1"))
        size = int(query.get("max-results", str(FEED_DEFAULT_SIZE)))
        if start < 1 or size < 0:
            raise ValueError("Invalid start-index or max-results")
        alt = query.get("alt") or "atom"
        if alt not in ("atom", "rss"):
            raise ValueError(f"Invalid alt parameter: {alt}")
        orderby = "updated" if query.get("orderby", "").lower() == "updated" else "published"

        def moment(name: str) -> datetime | None:
            value = query.get(name)
            if not value:
                return None
            parsed = datetime.fromisoformat(value.replace(" ", "+"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

        return cls(
            start,
            min(size, FEED_MAX_SIZE),
            alt,
            orderby,
            moment("published-min"),
            moment("published-max"),
            moment("updated-min"),
            moment("updated-max"),
        )

    def select(self, refs: Sequence[PostRef]) -> list[PostRef]:
        """The posts this query matches, in feed order (newest first)."""
        chosen = [
            ref
            for ref in refs
            if (self.published_min is None or ref.post.published >= self.published_min)
            and (self.published_max is None or ref.post.published < self.published_max)
            and (self.updated_min is None or ref.post.updated >= self.updated_min)
            and (self.updated_max is None or ref.post.updated < self.updated_max)
        ]
        if self.orderby == "updated":
            chosen.sort(key=lambda ref: ref.post.updated, reverse=True)
        return chosen

    def page_params(self, start: int) -> str:
        params: dict[str, str | int] = {"start-index": start, "max-results": self.size}
        if self.orderby == "updated":
            params["orderby"] = "updated"
        if self.alt == "rss":
            params["alt"] = "rss"
        return urlencode(params, quote_via=quote)


def _summary(ref: PostRef) -> str:
    return plain_text(ref.post)[:SUMMARY_LENGTH]


def _entry(blog: Blog, ref: PostRef, kind: str) -> str:
    post = ref.post
    api = f"https://www.blogger.com/feeds/{blog.blog_id}/posts/default/{ref.post_id}"
    categories = "".join(
        f"<category scheme='http://www.blogger.com/atom/ns#' term='{xml_attr(label)}'/>"
        for label in label_list(post.labels)
    )
    if kind == "summary":
        content = f"<summary type='text'>{xml_text(_summary(ref))}</summary>"
    else:
        content = f"<content type='html'>{xml_text(render_body(post, ref.post_id))}</content>"
    thumbnail = ""
    if post.captions:
        thumbnail = (
            "<media:thumbnail xmlns:media='http://search.yahoo.com/mrss/' "
            f"url='{image_url(ref.post_id, 0, 's72-c')}' height='72' width='72'/>"
        )
    title = xml_attr(ref.title)
    return (
        f"<entry><id>tag:blogger.com,1999:blog-{blog.blog_id}.post-{ref.post_id}</id>"
        f"<published>{gdata_time(post.published)}</published>"
        f"<updated>{gdata_time(post.updated)}</updated>{categories}"
        f"<title type='text'>{xml_text(ref.title)}</title>{content}"
        f"<link rel='replies' type='application/atom+xml' "
        f"href='{blog.base}/feeds/{ref.post_id}/comments/default' title='コメントの投稿'/>"
        f"<link rel='replies' type='text/html' href='{ref.url}#comment-form' "
        "title='0 件のコメント'/>"
        f"<link rel='edit' type='application/atom+xml' href='{api}'/>"
        f"<link rel='self' type='application/atom+xml' href='{api}'/>"
        f"<link rel='alternate' type='text/html' href='{xml_attr(ref.url)}' title='{title}'/>"
        f"<author><name>{xml_text(blog.author)}</name>"
        f"<uri>https://www.blogger.com/profile/{blog.profile_id}</uri>"
        f"<email>noreply@blogger.com</email>{AUTHOR_IMAGE}</author>{thumbnail}"
        "<thr:total>0</thr:total></entry>"
    )


def render_atom(
    blog: Blog,
    page: Sequence[PostRef],
    total: int,
    query: FeedQuery,
    kind: str,
    route: str,
    updated: datetime,
    labels: Sequence[str] = (),
) -> str:
    """One page of an Atom feed served at ``route`` on the blog's host."""
    api = f"https://www.blogger.com/feeds/{blog.blog_id}{route.removeprefix('/feeds')}"
    links = [
        f"<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' "
        f"href='{blog.base}{route}'/>",
        f"<link rel='self' type='application/atom+xml' href='{api}?"
        f"{xml_attr(query.page_params(query.start))}'/>",
        f"<link rel='alternate' type='text/html' href='{blog.base}/'/>",
        "<link rel='hub' href='http://pubsubhubbub.appspot.com/'/>",
    ]
    if query.start > 1:
        previous = max(1, query.start - query.size)
        links.append(
            f"<link rel='previous' type='application/atom+xml' href='{api}?"
            f"{xml_attr(query.page_params(previous))}'/>"
        )
    if query.size and query.start - 1 + query.size < total:
        links.append(
            f"<link rel='next' type='application/atom+xml' href='{api}?"
            f"{xml_attr(query.page_params(query.start + query.size))}'/>"
        )
    categories = "".join(f"<category term='{xml_attr(label)}'/>" for label in labels)
    return (
        "<?xml version='1.0' encoding='UTF-8'?><?xml-stylesheet "
        'href="http://www.blogger.com/styles/atom.css" type="text/css"?>'
        f"<feed {NAMESPACES}><id>tag:blogger.com,1999:blog-{blog.blog_id}</id>"
        f"<updated>{gdata_time(updated)}</updated>{categories}"
        f"<title type='text'>{xml_text(blog.title)}</title>"
        f"<subtitle type='html'>{xml_text(blog.description)}</subtitle>{''.join(links)}"
        f"<author><name>{xml_text(blog.author)}</name>"
        f"<uri>https://www.blogger.com/profile/{blog.profile_id}</uri>"
        f"<email>noreply@blogger.com</email>{AUTHOR_IMAGE}</author>"
        "<generator version='7.00' uri='https://www.blogger.com'>Blogger</generator>"
        f"<openSearch:totalResults>{total}</openSearch:totalResults>"
        f"<openSearch:startIndex>{query.start}</openSearch:startIndex>"
        f"<openSearch:itemsPerPage>{query.size}</openSearch:itemsPerPage>"
        + "".join(_entry(blog, ref, kind) for ref in page)
        + "</feed>"
    )


def render_rss(
    blog: Blog, page: Sequence[PostRef], total: int, query: FeedQuery, kind: str, updated: datetime
) -> str:
    """One page of the ``alt=rss`` feed (RSS 2.0 with Blogger's Atom and openSearch extras)."""
    items = []
    for ref in page:
        post = ref.post
        body = _summary(ref) if kind == "summary" else render_body(post, ref.post_id)
        categories = "".join(
            f"<category domain='http://www.blogger.com/atom/ns#'>{xml_text(label)}</category>"
            for label in label_list(post.labels)
        )
        items.append(
            "<item><guid isPermaLink='false'>"
            f"tag:blogger.com,1999:blog-{blog.blog_id}.post-{ref.post_id}</guid>"
            f"<pubDate>{format_datetime(post.published.astimezone(UTC))}</pubDate>"
            f"<atom:updated>{gdata_time(post.updated)}</atom:updated>{categories}"
            f"<title>{xml_text(ref.title)}</title><description>{xml_text(body)}</description>"
            f"<link>{xml_text(ref.url)}</link>"
            f"<author>noreply@blogger.com ({xml_text(blog.author)})</author>"
            "<thr:total>0</thr:total></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss xmlns:atom='http://www.w3.org/2005/Atom' "
        "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
        "xmlns:blogger='http://schemas.google.com/blogger/2008' "
        "xmlns:thr='http://purl.org/syndication/thread/1.0' version='2.0'><channel>"
        f"<atom:id>tag:blogger.com,1999:blog-{blog.blog_id}</atom:id>"
        f"<lastBuildDate>{format_datetime(updated.astimezone(UTC))}</lastBuildDate>"
        f"<title>{xml_text(blog.title)}</title><description>{xml_text(blog.description)}"
        f"</description><link>{blog.base}/</link>"
        f"<managingEditor>noreply@blogger.com ({xml_text(blog.author)})</managingEditor>"
        "<generator>Blogger</generator>"
        f"<openSearch:totalResults>{total}</openSearch:totalResults>"
        f"<openSearch:startIndex>{query.start}</openSearch:startIndex>"
        f"<openSearch:itemsPerPage>{query.size}</openSearch:itemsPerPage>"
        + "".join(items)
        + "</channel></rss>"
    )


def sitemap_index(locations: Sequence[str]) -> str:
    entries = "".join(f"<sitemap><loc>{xml_text(loc)}</loc></sitemap>" for loc in locations)
    return (
        "<?xml version='1.0' encoding='UTF-8'?><sitemapindex "
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def urlset(urls: Sequence[tuple[str, datetime]]) -> str:
    """A sitemap of ``(location, last modified)``; Blogger writes lastmod in UTC."""
    entries = "".join(
        f"<url><loc>{xml_text(loc)}</loc>"
        f"<lastmod>{modified.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</lastmod></url>"
        for loc, modified in urls
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><urlset "
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )
