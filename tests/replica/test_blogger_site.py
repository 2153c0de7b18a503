"""The replica Blogger blog: every endpoint, both themes, and post bodies that round-trip."""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.etree
import lxml.html
import pytest

from replica.model import Caption, CitedArticle, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.blogger_body import display_title
from replica.web import Resource
from tests.replica.pages import CAPTION, block_texts, expected_blocks, parse_html, permalink_body

JST = timezone(timedelta(hours=9))
HOST = "aviation-space-business.blogspot.com"
BASE = f"https://{HOST}"
ATOM = {"a": "http://www.w3.org/2005/Atom", "os": "http://a9.com/-/spec/opensearchrss/1.0/"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LABELS = ("米海軍", "フリゲート", "F-47", "宇宙", "空軍 予算")

# (citation lines, first URL as written, further URLs as written, URLs after repair)
CITATIONS: tuple[tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "Navy's New Frigate Program Faces More Delays",
            "The Constellation class is now years late.",
            "By\u00a0Joseph Trevithick",
            "Published Feb 4, 2025 12:59 PM EST",
            "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays",
        ),
        "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays",
        (),
        ("https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays",),
    ),
    (
        (
            "Synthetic F-47 Program Update",
            "By\u00a0Jane Placeholder",
            "on February 04, 2025 at 12:59 PM",
            "www.twz.com/air/synthetic-f-47-update",
        ),
        "www.twz.com/air/synthetic-f-47-update",
        (),
        ("https://www.twz.com/air/synthetic-f-47-update",),
    ),
    (
        (
            "Synthetic Destroyer Story",
            "By\u00a0Sam O'Example",
            "February 3, 2025 6:33 PM",
            "ｈｔｔｐｓ：／／news.usni.org/2025/02/03/synthetic-destroyer-story",
        ),
        "ｈｔｔｐｓ：／／news.usni.org/2025/02/03/synthetic-destroyer-story",
        (),
        ("https://news.usni.org/2025/02/03/synthetic-destroyer-story",),
    ),
    (
        (
            "Synthetic Tanker Story",
            "By\u00a0Jane Placeholder and Sam O'Example",
            "Feb 4, 2025, 12:59 PM",
            "https://www.defensenews.com/air/2025/02/04/synthetic-tanker/(原文)",
            "元記事https://breakingdefense.com/2025/02/synthetic-tanker/?utm_source=x&a=b",
        ),
        "https://www.defensenews.com/air/2025/02/04/synthetic-tanker/(原文)",
        ("元記事https://breakingdefense.com/2025/02/synthetic-tanker/?utm_source=x&a=b",),
        (
            "https://www.defensenews.com/air/2025/02/04/synthetic-tanker/",
            "https://breakingdefense.com/2025/02/synthetic-tanker/",
        ),
    ),
    ((), None, (), ()),
)


def make_post(number: int) -> TranslationPost:
    # Distinct publication times about 37 hours apart: several months, several per day sometimes.
    published = datetime(2024, 11, 28, 7, 30, tzinfo=JST) + timedelta(hours=37 * number)
    lines, url, extra, repaired = CITATIONS[number % len(CITATIONS)]
    citations = (
        (
            CitedArticle(repaired[0], url, title=lines[0]),
            *(CitedArticle(r, w) for w, r in zip(extra, repaired[1:], strict=True)),
        )
        if url is not None
        else ()
    )
    return TranslationPost(
        path=f"/{published:%Y/%m}/blog-post{'_' + str(number) if number % 4 else ''}-{number}.html",
        title=f"合成記事{number}：米海軍の新型フリゲート計画にさらなる遅延",
        publication=("The War Zone", "Breaking Defense", None)[number % 3],
        comment="設計変更が響く" if number % 2 else None,
        published=published,
        updated=published + timedelta(minutes=5 + number),
        labels=tuple(LABELS[(number + k) % len(LABELS)] for k in range(1 + number % 3)),
        paragraphs=(
            f"米海軍は記事{number}で、コンステレーション級フリゲートの就役がさらに遅れると発表した。",
            f"A&B社の担当者は <注{number}> について「予定通り」と述べた。"
            "関係者は  二重空白を残した。",
            f"第三段落{number}。F-35Aの運用費は増加している。",
        )[: 2 + number % 2],
        captions=tuple(
            Caption(f"U.S. Navy photo {number}-{k}", f"試験中の艦艇{number}-{k}（合成）")
            for k in range(number % 3)
        ),
        citation_lines=lines,
        citations=citations,
        drop_cap=number % 4 == 1,
    )


POSTS = tuple(make_post(number) for number in range(30))
NEWEST_FIRST = sorted(POSTS, key=lambda post: post.published, reverse=True)


@pytest.fixture(params=["classic", "contempo"])
def site(request: pytest.FixtureRequest) -> BloggerSite:
    return BloggerSite(HOST, "航空宇宙ビジネス短信・T2", POSTS, theme=request.param)


def get(site: BloggerSite, path: str, **headers: str) -> Resource:
    resource = site.resolve(path, headers)
    assert resource is not None, path
    assert resource.status == 200, (path, resource.status)
    return resource


def page_type(doc: lxml.html.HtmlElement) -> str:
    script = "".join(doc.xpath("//script[contains(., '_SetDataContext')]/text()"))
    match = re.search(r"'pageType': '(\w+)'", script)
    assert match, "no _SetDataContext with a pageType"
    return match.group(1)


def to_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == HOST, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_robots_txt_is_bloggers_default() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    resource = get(site, "/robots.txt")
    lines = resource.body.decode().splitlines()
    assert lines[:2] == ["User-agent: Mediapartners-Google", "Disallow: "]
    star = lines.index("User-agent: *")
    assert lines[star + 1 : star + 3] == ["Disallow: /search", "Allow: /"]
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


@pytest.mark.parametrize("mobile", ["", "?m=1"])
def test_html_endpoints_are_well_formed_with_their_page_type(
    site: BloggerSite, mobile: str
) -> None:
    pages = {
        "/": "index",
        NEWEST_FIRST[3].path: "item",
        f"/search/label/{quote('米海軍')}": "index",
        "/search?updated-max=2025-01-10T00:00:00%2B09:00&max-results=7": "index",
        "/2025/01/": "archive",
        "/2025/": "archive",
        "/p/about.html": "static_page",
    }
    for path, kind in pages.items():
        joined = path + (mobile if "?" not in path else mobile.replace("?", "&"))
        resource = get(site, joined)
        assert ("Content-Type", "text/html; charset=UTF-8") in resource.headers
        doc = parse_html(resource)
        assert doc.xpath("//meta[@name='generator']/@content") == ["blogger"]
        assert page_type(doc) == kind, joined
        script = "".join(doc.xpath("//script[contains(., '_SetDataContext')]/text()"))
        assert ("'isMobileRequest': true" in script) == bool(mobile)


@pytest.mark.parametrize("path", ["/feeds/posts/default", "/feeds/posts/summary", "/sitemap.xml"])
def test_xml_endpoints_parse(site: BloggerSite, path: str) -> None:
    for suffix in ("", "?alt=atom" if "feeds" in path else "?page=1"):
        root = lxml.etree.fromstring(get(site, path + suffix).body)
        assert root.tag in (
            f"{{{ATOM['a']}}}feed",
            f"{{{SITEMAP['s']}}}sitemapindex",
            f"{{{SITEMAP['s']}}}urlset",
        )
    rss = lxml.etree.fromstring(get(site, "/feeds/posts/default?alt=rss").body)
    assert len(rss.findall("channel/item")) == 25


def test_classic_permalink_follows_bloggers_classic_layout() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    number = 4
    post = NEWEST_FIRST[number]
    doc = parse_html(get(site, post.path))
    (outer,) = doc.xpath("//div[@class='date-outer']")
    header = outer.xpath("./h2[@class='date-header']/span/text()")
    weekday = "月火水木金土日"[post.published.weekday()]
    day = post.published
    assert header == [f"{day.year}年{day.month}月{day.day}日{weekday}曜日"]
    (hentry,) = outer.xpath(".//div[@class='post-outer']/div[contains(@class, 'post hentry')]")
    title = hentry.xpath("./h3[@class='post-title entry-title']")[0].text_content().strip()
    assert title == display_title(post)
    body = permalink_body(doc)
    assert body.get("id", "").startswith("post-body-")
    assert body.get("itemprop") == "description articleBody"
    (published,) = hentry.xpath(".//div[@class='post-footer']//abbr[@class='published']")
    assert published.get("itemprop") == "datePublished"
    assert datetime.fromisoformat(published.get("title")) == post.published
    assert published.get("title").endswith("+09:00")
    tags = hentry.xpath(".//span[@class='post-labels']/a[@rel='tag']")
    assert sorted(a.text for a in tags) == sorted(post.labels)
    assert {a.get("href") for a in tags} == {f"{BASE}/search/label/{quote(x)}" for x in post.labels}
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"{BASE}{post.path}"]
    assert doc.xpath("//meta[@property='og:url']/@content") == [f"{BASE}{post.path}"]
    assert doc.xpath("//div[@id='comments']/h4/text()") == ["0 件のコメント:"]
    assert doc.xpath("//a[@class='blog-pager-newer-link']/@href") == [
        f"{BASE}{NEWEST_FIRST[number - 1].path}"
    ]
    assert doc.xpath("//a[@class='blog-pager-older-link']/@href") == [
        f"{BASE}{NEWEST_FIRST[number + 1].path}"
    ]
    # The noise a naive parser meets: other posts' titles and snippets in the sidebar.
    assert doc.xpath("//div[@id='PopularPosts1']//div[contains(@class, 'item-snippet')]")
    assert doc.xpath("//div[@id='BlogArchive1']//a[@class='post-count-link']")
    assert doc.xpath("//div[@id='Label1']//a[contains(@href, '/search/label/')]")


def test_contempo_permalink_uses_the_newer_theme_markup() -> None:
    site = BloggerSite(HOST, "T", POSTS, theme="contempo")
    post = NEWEST_FIRST[2]
    doc = parse_html(get(site, post.path))
    (article,) = doc.xpath("//article[@class='post-outer-container']")
    (time_el,) = article.xpath(".//time[@class='published']")
    assert datetime.fromisoformat(time_el.get("datetime")) == post.published
    assert article.xpath(".//div[@class='post-body entry-content float-container']")
    assert not doc.xpath("//abbr[@class='published']")
    tags = article.xpath(".//span[@class='byline post-labels']/a[@rel='tag']/text()")
    assert sorted(tags) == sorted(post.labels)


def test_every_post_body_round_trips_in_both_themes(site: BloggerSite) -> None:
    for post in POSTS:
        doc = parse_html(get(site, post.path))
        blocks = block_texts(permalink_body(doc))
        assert [b for b in blocks if b != CAPTION] == expected_blocks(post), post.path
        mark = blocks.index("■") if post.citation_lines else len(blocks)
        assert blocks.count(CAPTION) == len(post.captions)
        assert CAPTION not in blocks[mark:]


def test_editor_habits_vary_between_posts() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    bodies = [permalink_body(parse_html(get(site, post.path))) for post in POSTS]
    assert any(body.xpath("./p") for body in bodies)
    assert any(body.xpath("./div[br][not(normalize-space())]") for body in bodies)
    assert any(body.xpath("./br") and not body.xpath("./p | ./div[text()]") for body in bodies)
    assert any(body.xpath("./p[. = '\u00a0']") for body in bodies)
    assert any(body.xpath(".//span[@style][not(contains(@style, 'float'))]") for body in bodies)
    titles = [display_title(post) for post in POSTS if post.publication]
    assert any("（" in title for title in titles)
    assert any("(" in title for title in titles)
    assert [display_title(post) for post in POSTS] == [display_title(p) for p in POSTS]


def test_captions_sit_in_tr_caption_tables_between_paragraphs() -> None:
    site = BloggerSite(HOST, "T", POSTS, theme="contempo")
    for post in (p for p in POSTS if p.captions):
        body = permalink_body(parse_html(get(site, post.path)))
        cells = body.xpath(".//table[@class='tr-caption-container']//td[@class='tr-caption']")
        assert len(cells) == len(post.captions)
        for cell, caption in zip(cells, post.captions, strict=True):
            text = cell.text_content()
            assert text.startswith(caption.credit) and text.endswith(caption.text)


def test_drop_cap_belongs_to_its_word() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    post = next(p for p in POSTS if p.drop_cap)
    body = permalink_body(parse_html(get(site, post.path)))
    (cap,) = body.xpath(".//span[contains(@style, 'float: left')]")
    assert cap.text == post.paragraphs[0][0]
    assert block_texts(body)[0] in (post.paragraphs[0], CAPTION)


def test_citation_urls_keep_their_text_and_link_to_the_repaired_url() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    linked = plain = 0
    for post in (p for p in POSTS if p.citations):
        body = permalink_body(parse_html(get(site, post.path)))
        anchors = body.xpath(".//a[not(ancestor::table)]")
        if anchors:
            linked += 1
            assert [a.text_content() for a in anchors] == [
                line
                for line in post.citation_lines
                if "http" in line or "www." in line or "ｈｔｔｐ" in line
            ]
            assert [a.get("href") for a in anchors] == list(post.repaired_urls)
        else:
            plain += 1
    assert linked and plain


def test_mobile_variant_has_the_same_body_and_mobile_markup(site: BloggerSite) -> None:
    post = NEWEST_FIRST[5]
    desktop = block_texts(permalink_body(parse_html(get(site, post.path))))
    doc = parse_html(get(site, f"{post.path}?m=1"))
    assert block_texts(permalink_body(doc)) == desktop
    assert "mobile" in doc.body.get("class", "")
    redirect = site.resolve(post.path, {"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari"})
    assert redirect is not None and redirect.status == 302
    assert dict(redirect.headers)["Location"] == f"{BASE}{post.path}?m=1"


def test_unknown_query_parameters_are_ignored(site: BloggerSite) -> None:
    post = NEWEST_FIRST[1]
    plain = get(site, post.path).body
    assert get(site, f"{post.path}?showComment=1738900000000").body == plain
    assert get(site, f"{post.path}?utm_source=x&m=0").body == plain


@pytest.mark.parametrize(
    "path",
    [
        "/2025/01/no-such-post.html",
        f"{POSTS[0].path}/",
        "/2031/",
        "/2025/13/",
        "/p/nothing.html",
        "/feeds/posts/nothing",
        "/feeds/123/comments/default",
        "/favicon.png",
    ],
)
def test_unknown_paths_are_not_found(site: BloggerSite, path: str) -> None:
    assert site.resolve(path, {}) is None


def index_titles(doc: lxml.html.HtmlElement) -> list[str]:
    return [to_path(href) for href in doc.xpath("//h3[contains(@class, 'post-title')]/a/@href")]


def walk(site: BloggerSite, path: str, rel: str) -> tuple[list[str], list[str]]:
    """Follow ``blog-pager-{rel}-link`` from ``path``; the posts listed and the pages visited."""
    seen: list[str] = []
    visited = [path]
    while True:
        doc = parse_html(get(site, path))
        seen += index_titles(doc)
        links = doc.xpath(f"//a[contains(@class, 'blog-pager-{rel}-link')]/@href")
        if not links:
            return seen, visited
        path = to_path(links[0])
        visited.append(path)


def test_home_pages_back_through_every_post_once(site: BloggerSite) -> None:
    seen, visited = walk(site, "/", "older")
    assert seen == [post.path for post in NEWEST_FIRST]
    assert len(visited) == math.ceil(len(POSTS) / 7)
    assert re.fullmatch(r"/search\?updated-max=[\d\-T:]+%2B09:00&max-results=7", visited[1])
    newer, _ = walk(site, visited[-1], "newer")
    assert sorted(newer) == sorted(seen)


def test_label_pages_list_the_labelled_posts(site: BloggerSite) -> None:
    for label in LABELS:
        seen, _ = walk(site, f"/search/label/{quote(label)}", "older")
        assert seen == [post.path for post in NEWEST_FIRST if label in post.labels]
    empty = parse_html(get(site, f"/search/label/{quote('存在しない')}"))
    assert index_titles(empty) == []


def test_archive_pages_list_the_period(site: BloggerSite) -> None:
    months = Counter(f"{post.published:%Y/%m}" for post in POSTS)
    for month in months:
        doc = parse_html(get(site, f"/{month}/?max-results=100"))
        assert index_titles(doc) == [p.path for p in NEWEST_FIRST if p.path[1:8] == month]
        assert page_type(doc) == "archive"
    year = parse_html(get(site, "/2025/"))
    assert index_titles(year) == [p.path for p in NEWEST_FIRST if p.path[1:5] == "2025"][:7]


def test_static_page_exists_and_is_in_the_pages_sitemap(site: BloggerSite) -> None:
    doc = parse_html(get(site, "/p/about.html"))
    assert page_type(doc) == "static_page"
    assert doc.xpath("//h3[contains(@class, 'post-title')]")[0].text_content().strip() == (
        "このブログについて"
    )
    urlset = lxml.etree.fromstring(get(site, "/sitemap-pages.xml").body)
    assert urlset.xpath("//s:loc/text()", namespaces=SITEMAP) == [f"{BASE}/p/about.html"]


def feed_page(site: BloggerSite, path: str) -> lxml.etree._Element:
    resource = get(site, path)
    assert ("Content-Type", "application/atom+xml; charset=UTF-8") in resource.headers
    return lxml.etree.fromstring(resource.body)


def alternates(feed: lxml.etree._Element) -> list[str]:
    return [
        to_path(h) for h in feed.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=ATOM)
    ]


@pytest.mark.parametrize("size", [1, 7, 25])
def test_feed_pages_cover_every_post_once(site: BloggerSite, size: int) -> None:
    seen: list[str] = []
    start = 1
    while True:
        feed = feed_page(site, f"/feeds/posts/default?start-index={start}&max-results={size}")
        assert feed.xpath("os:totalResults/text()", namespaces=ATOM) == [str(len(POSTS))]
        assert feed.xpath("os:startIndex/text()", namespaces=ATOM) == [str(start)]
        entries = alternates(feed)
        if not entries:
            assert not feed.xpath("a:link[@rel='next']", namespaces=ATOM)
            break
        seen += entries
        start += size
    assert seen == [post.path for post in NEWEST_FIRST]


def test_feed_next_links_lead_through_www_blogger_com(site: BloggerSite) -> None:
    blogger_com = site.aliases()["www.blogger.com"]
    feed = feed_page(site, "/feeds/posts/default?max-results=8")
    seen = alternates(feed)
    while nexts := feed.xpath("a:link[@rel='next']/@href", namespaces=ATOM):
        parts = urlsplit(nexts[0])
        assert parts.netloc == "www.blogger.com"
        resource = blogger_com.resolve(f"{parts.path}?{parts.query}", {})
        assert resource is not None
        feed = lxml.etree.fromstring(resource.body)
        seen += alternates(feed)
    assert seen == [post.path for post in NEWEST_FIRST]


def test_feed_defaults_caps_and_errors(site: BloggerSite) -> None:
    feed = feed_page(site, "/feeds/posts/default")
    assert feed.xpath("os:itemsPerPage/text()", namespaces=ATOM) == ["25"]
    assert len(alternates(feed)) == 25
    capped = feed_page(site, "/feeds/posts/default?max-results=999")
    assert capped.xpath("os:itemsPerPage/text()", namespaces=ATOM) == ["150"]
    past = feed_page(site, "/feeds/posts/default?start-index=31")
    assert alternates(past) == []
    for bad in ("start-index=0", "max-results=x", "alt=nonsense"):
        resource = site.resolve(f"/feeds/posts/default?{bad}", {})
        assert resource is not None and resource.status == 400


def test_feed_entries_carry_bloggers_fields() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    feed = feed_page(site, "/feeds/posts/default?max-results=30")
    blog_id = feed.findtext("a:id", namespaces=ATOM).removeprefix("tag:blogger.com,1999:blog-")
    for entry, post in zip(feed.findall("a:entry", ATOM), NEWEST_FIRST, strict=True):
        assert re.fullmatch(
            rf"tag:blogger.com,1999:blog-{blog_id}\.post-\d{{19}}",
            entry.findtext("a:id", namespaces=ATOM),
        )
        published = entry.findtext("a:published", namespaces=ATOM)
        assert published.endswith("+09:00")
        assert datetime.fromisoformat(published) == post.published
        assert datetime.fromisoformat(entry.findtext("a:updated", namespaces=ATOM)) == post.updated
        terms = entry.xpath("a:category/@term", namespaces=ATOM)
        assert sorted(terms) == sorted(post.labels)
        assert entry.findtext("a:title", namespaces=ATOM) == display_title(post)
        (content,) = entry.findall("a:content", ATOM)
        assert content.get("type") == "html"
        body = lxml.html.fragment_fromstring(content.text, create_parent="div")
        assert [b for b in block_texts(body) if b != CAPTION] == expected_blocks(post)


def test_summary_feeds() -> None:
    full = BloggerSite(HOST, "T", POSTS)
    summary = BloggerSite(HOST, "T", POSTS, feed="summary")
    for site, path in ((full, "/feeds/posts/summary"), (summary, "/feeds/posts/default")):
        feed = feed_page(site, path)
        assert not feed.findall("a:entry/a:content", ATOM)
        texts = feed.xpath("a:entry/a:summary/text()", namespaces=ATOM)
        assert len(texts) == 25 and texts[0].startswith(NEWEST_FIRST[0].paragraphs[0][:10])


def test_sitemap_index_children_list_every_permalink_once() -> None:
    site = BloggerSite(HOST, "T", POSTS, sitemap_page_size=7)
    index = lxml.etree.fromstring(get(site, "/sitemap.xml").body)
    children = index.xpath("//s:sitemap/s:loc/text()", namespaces=SITEMAP)
    assert children == [f"{BASE}/sitemap.xml?page={n}" for n in range(1, 6)]
    lastmods: dict[str, datetime] = {}
    for child in children:
        urlset = lxml.etree.fromstring(get(site, to_path(child)).body)
        for url in urlset.findall("s:url", SITEMAP):
            loc = to_path(url.findtext("s:loc", namespaces=SITEMAP))
            assert loc not in lastmods
            lastmod = url.findtext("s:lastmod", namespaces=SITEMAP).replace("Z", "+00:00")
            lastmods[loc] = datetime.fromisoformat(lastmod)
    assert lastmods == {post.path: post.updated.astimezone(UTC) for post in POSTS}


def test_response_headers_and_conditional_requests(site: BloggerSite) -> None:
    post = NEWEST_FIRST[0]
    resource = get(site, post.path)
    headers = dict(resource.headers)
    assert resource.gzip
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, max-age=0"
    assert headers["Last-Modified"] == post.updated.astimezone(UTC).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    again = site.resolve(post.path, {"if-none-match": headers["ETag"]})
    assert again is not None and again.status == 304 and again.body == b""
    sitemap = dict(get(site, "/sitemap.xml").headers)
    assert sitemap["Content-Type"] == "application/xml; charset=UTF-8"


def test_country_code_hosts_redirect_to_the_com_host() -> None:
    site = BloggerSite(HOST, "T", POSTS)
    aliases = site.aliases()
    jp = aliases["aviation-space-business.blogspot.jp"]
    path = f"{POSTS[0].path}?m=1"
    resource = jp.resolve(path, {})
    assert resource is not None and resource.status == 302
    assert dict(resource.headers)["Location"] == f"{BASE}{path}"


def test_three_thousand_posts_build_fast_and_render_lazily() -> None:
    first = datetime(2020, 1, 1, tzinfo=JST)
    posts = [
        replace(
            POSTS[n % len(POSTS)],
            path=f"/2021/01/p{n}.html",
            published=first + timedelta(minutes=n),
            updated=first + timedelta(minutes=n),
        )
        for n in range(3000)
    ]
    started = time.perf_counter()
    site = BloggerSite(HOST, "T", posts)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    assert site.resolve("/2021/01/p1234.html", {}) is not None


def test_real_blogger_pages_share_the_replicas_selectors(realpages: Path) -> None:
    """The selectors a parser needs find the same things in real Blogger pages and ours."""
    folder = realpages / "blogger"
    real_item = lxml.html.parse(
        str(folder / "trafilatura-eval-weinlachgummis.blogspot.com.rezi.html")
    )
    real_index = lxml.html.parse(str(folder / "excerpt-linuxuserlog-index-multipost.html"))
    site = BloggerSite(HOST, "T", POSTS)
    ours_item = parse_html(get(site, NEWEST_FIRST[3].path))
    ours_index = parse_html(get(site, "/"))
    item_paths = (
        "//div[@class='date-outer']/h2[@class='date-header']/span",
        "//div[@class='post-outer']/div[contains(@class, 'post hentry')]"
        "/h3[contains(@class, 'post-title entry-title')]",
        "//div[contains(@class, 'post-body entry-content')][starts-with(@id, 'post-body-')]",
        "//div[@class='post-footer']//abbr[@class='published'][@itemprop='datePublished'][@title]",
        "//span[@class='post-labels']/a[@rel='tag'][contains(@href, '/search/label/')]",
        "//a[@class='blog-pager-older-link']",
        "//a[@class='blog-pager-newer-link']",
    )
    for xpath in item_paths:
        assert real_item.xpath(xpath), xpath
        assert ours_item.xpath(xpath), xpath
    index_paths = (
        "//div[@class='date-outer']//h3[contains(@class, 'post-title')]"
        "/a[contains(@href, '.html')]",
        "//a[@class='blog-pager-older-link'][contains(@href, '/search?updated-max=')]",
    )
    for xpath in index_paths:
        assert real_index.xpath(xpath), xpath
        assert ours_index.xpath(xpath), xpath


def test_label_and_comment_feeds(site: BloggerSite) -> None:
    feed = feed_page(site, f"/feeds/posts/default/-/{quote('宇宙')}?max-results=150")
    assert alternates(feed) == [post.path for post in NEWEST_FIRST if "宇宙" in post.labels]
    doc = parse_html(get(site, NEWEST_FIRST[0].path))
    (comments,) = [
        href for href in doc.xpath("//link[@rel='alternate']/@href") if "/comments/" in href
    ]
    empty = feed_page(site, to_path(comments))
    assert empty.xpath("os:totalResults/text()", namespaces=ATOM) == ["0"]
