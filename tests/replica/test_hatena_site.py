"""The replica Hatena blog: Hatena Blog's endpoints, the theme's pages, and golden parses (every
entry read by the crawler's Hatena profile gives its golden fields and source)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import pytest

from crawler.platforms import PROFILES, detect_site, read_post
from crawler.platforms.hatena import HATENA
from crawler.platforms.hatena.urls import is_dated_entry
from replica.sites import hatena_cases as hc
from replica.sites.hatena import FEED_PAGE, HatenaSite
from replica.sites.hatena_cases import HATENA_BLOG, HatenaCase
from replica.world import build_world

HOST = urlsplit(HATENA_BLOG).netloc
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def site() -> HatenaSite:
    found = build_world().sites[HOST]
    assert isinstance(found, HatenaSite)
    return found


def _get(site: HatenaSite, path: str) -> tuple[int, bytes, dict[str, str]]:
    resource = site.resolve(path, {})
    if resource is None:
        return 404, b"", {}
    return resource.status, resource.body, {k.lower(): v for k, v in resource.headers}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_world_serves_the_blog_and_the_articles_its_posts_cite(site: HatenaSite) -> None:
    world = build_world()
    cases = world.platform_cases[HATENA_BLOG]
    assert len(cases) == len(site.cases) >= 8
    # The same blog on a custom domain, as a Hatena Blog Pro blog is.
    custom = world.sites[urlsplit(hc.HATENA_CUSTOM_BLOG).netloc]
    assert isinstance(custom, HatenaSite) and custom.blog == hc.HATENA_CUSTOM_BLOG
    assert world.platform_cases[hc.HATENA_CUSTOM_BLOG] == cases
    for case in cases:
        for url, status in case.case.expected_status.items():
            resource = world.sites[urlsplit(url).netloc].resolve(urlsplit(url).path, {})
            code = 404 if resource is None else resource.status
            assert code == (404 if status == "source_not_found" else 200), url


def test_robots_txt_is_the_services(site: HatenaSite) -> None:
    status, body, _ = _get(site, "/robots.txt")
    assert status == 200
    assert b"Disallow: /api/" in body
    assert f"Sitemap: {HATENA_BLOG}sitemap_index.xml".encode() in body


def test_every_page_says_hatena_blog_by_its_markup(site: HatenaSite) -> None:
    _, home, headers = _get(site, "/")
    # The markup alone, as on a custom domain: the host is not what tells.
    assert detect_site("https://news.example.org/", home, headers, PROFILES).platform == "hatena"
    _, entry, _ = _get(site, site.cases[0].path)
    assert HATENA.page_marks(entry) is not None
    assert b'name="generator"' not in home  # Hatena writes no generator meta


def test_the_sitemap_index_lists_a_periodical_sitemap_per_month(site: HatenaSite) -> None:
    _, index, _ = _get(site, "/sitemap.xml")
    assert _get(site, "/sitemap_index.xml")[1] == index
    children = lxml.etree.fromstring(index).xpath("//s:loc/text()", namespaces=SITEMAP)
    periodical = [c for c in children if "sitemap_periodical.xml" in c]
    assert len(periodical) == len({(c.published.year, c.published.month) for c in site.cases})
    for child in periodical:
        assert dict(parse_qsl(urlsplit(child).query)).keys() == {"year", "month"}
    listed = []
    for child in periodical:
        status, body, _ = _get(site, _path(child))
        assert status == 200
        listed += lxml.etree.fromstring(body).xpath("//s:loc/text()", namespaces=SITEMAP)
    assert sorted(listed) == sorted(HATENA_BLOG.rstrip("/") + c.path for c in site.cases)


def test_the_feed_pages_by_rel_next_to_the_last_page(site: HatenaSite) -> None:
    url: str | None = f"{HATENA_BLOG}feed"
    links: list[str] = []
    pages = 0
    while url:
        status, body, headers = _get(site, _path(url))
        assert status == 200 and headers["content-type"].startswith("application/atom+xml")
        feed = lxml.etree.fromstring(body)
        assert feed.xpath("a:generator/@uri", namespaces=ATOM) == ["https://blog.hatena.ne.jp/"]
        links += feed.xpath("a:entry/a:link/@href", namespaces=ATOM)
        url = next(iter(feed.xpath("a:link[@rel='next']/@href", namespaces=ATOM)), None)
        pages += 1
    assert pages == -(-len(site.cases) // FEED_PAGE)
    assert len(links) == len(set(links)) == len(site.cases)


def test_both_permalink_forms_and_404s(site: HatenaSite) -> None:
    dated = [c for c in site.cases if is_dated_entry(c.path)]
    assert dated and len(dated) < len(site.cases)
    assert _get(site, site.cases[0].path + "/")[0] == 404
    assert _get(site, "/entry/no-such-entry")[0] == 404
    assert _get(site, "/about")[0] == 200


def _fields(post: object, citations: tuple[object, ...]) -> dict[str, object]:
    return {
        "title": post.title,
        "publication": post.publication,
        "labels": post.labels,
        "published": post.published,
        "paragraphs": post.paragraphs,
        "captions": [(c.credit, c.text) for c in post.captions],
        "sources": [
            (c.repaired_url, c.title, c.author, c.date, c.publication)  # type: ignore[attr-defined]
            for c in citations
        ],
    }


def test_every_post_parses_to_its_golden_fields(site: HatenaSite) -> None:
    wrong = []
    for case in site.cases:
        _, body, _ = _get(site, case.path)
        platform, post = read_post(body, HATENA_BLOG.rstrip("/") + case.path)
        citations = post.citation.citations if post.citation else ()
        got = _fields(post, citations)
        got["rules"] = [getattr(c, "rule", None) for c in citations]
        got["post_id"] = post.post_id
        expected = _fields(case.post, case.post.citations)
        expected["rules"] = [case.rule] if case.cited else []
        expected["post_id"] = str(case.entry_id)
        assert platform == "hatena"
        wrong += [(case.style, k, v, expected[k]) for k, v in got.items() if v != expected[k]]
    assert wrong == []


def test_every_style_of_writing_the_source_is_served(site: HatenaSite) -> None:
    styles = {case.style for case in site.cases}
    assert set(hc.RULE_OF_STYLE) | {hc.NONE} <= styles
    titles = " ".join(case.display_title for case in site.cases)
    assert "【翻訳】" in titles and "｜" in titles


def _case(site: HatenaSite, style: str) -> HatenaCase:
    return next(case for case in site.cases if case.style == style)


def test_the_post_without_a_source_opens_with_a_card_to_another_post(site: HatenaSite) -> None:
    # A card before the text is the link_card rule's, but never to another post of the blog.
    case = _case(site, hc.NONE)
    _, body, _ = _get(site, case.path)
    content = body.split(b'class="entry-content hatenablog-entry">', 1)[1].lstrip()
    own = HATENA_BLOG.replace(":", "%3A").replace("/", "%2F").encode()
    assert content.startswith(b'<p><iframe src="https://hatenablog-parts.com/embed?url=' + own)
    _, post = read_post(body, HATENA_BLOG.rstrip("/") + case.path)
    assert post.citation is None
