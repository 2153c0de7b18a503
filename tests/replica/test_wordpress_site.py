"""The replica WordPress blog: WordPress core's endpoints, the theme's pages, and golden parses
(every post read by the crawler's WordPress profile gives its golden fields and source)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import lxml.etree
import pytest

from crawler.platforms import PROFILES, detect_site, read_post
from replica.sites.wordpress import FEED_PAGE, SITEMAP_PAGE, WordPressSite
from replica.sites.wordpress_cases import WORDPRESS_BLOG, WordPressCase
from replica.world import build_world

HOST = urlsplit(WORDPRESS_BLOG).netloc
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def site() -> WordPressSite:
    found = build_world().sites[HOST]
    assert isinstance(found, WordPressSite)
    return found


def _get(site: WordPressSite, path: str) -> tuple[int, bytes, dict[str, str]]:
    resource = site.resolve(path, {})
    if resource is None:
        return 404, b"", {}
    return resource.status, resource.body, {k.lower(): v for k, v in resource.headers}


def test_the_world_serves_the_blog_and_the_articles_its_posts_cite(site: WordPressSite) -> None:
    world = build_world()
    cases = world.platform_cases[WORDPRESS_BLOG]
    assert len(cases) == len(site.cases) >= 10
    for case in cases:
        for url, status in case.case.expected_status.items():
            host, path = urlsplit(url).netloc, urlsplit(url).path
            resource = world.sites[host].resolve(path, {})
            code = 404 if resource is None else resource.status
            assert code == (404 if status == "source_not_found" else 200), url


def test_robots_txt_is_cores_virtual_one(site: WordPressSite) -> None:
    status, body, _ = _get(site, "/robots.txt")
    assert status == 200
    assert b"Disallow: /wp-admin/" in body
    assert f"Sitemap: {WORDPRESS_BLOG}wp-sitemap.xml".encode() in body


def test_the_home_page_says_wordpress(site: WordPressSite) -> None:
    status, body, headers = _get(site, "/")
    assert status == 200
    found = detect_site(WORDPRESS_BLOG, body, headers, PROFILES)
    assert found.platform == "wordpress"


def test_core_sitemaps_list_every_post_once_in_post_sitemaps(site: WordPressSite) -> None:
    _, index, _ = _get(site, "/wp-sitemap.xml")
    children = lxml.etree.fromstring(index).xpath("//s:loc/text()", namespaces=SITEMAP)
    posts = [c for c in children if "posts-post" in c]
    assert len(posts) == -(-len(site.cases) // SITEMAP_PAGE)
    listed = []
    for child in posts:
        status, body, _ = _get(site, urlsplit(child).path)
        assert status == 200
        listed += lxml.etree.fromstring(body).xpath("//s:loc/text()", namespaces=SITEMAP)
    assert sorted(listed) == sorted(WORDPRESS_BLOG.rstrip("/") + c.path for c in site.cases)
    assert _get(site, "/sitemap_index.xml")[0] == 404  # no SEO plugin


def test_the_feed_pages_and_ends_with_a_404(site: WordPressSite) -> None:
    pages = -(-len(site.cases) // FEED_PAGE)
    links = []
    for page in range(1, pages + 1):
        status, body, _ = _get(site, "/feed/" + (f"?paged={page}" if page > 1 else ""))
        assert status == 200
        links += lxml.etree.fromstring(body).xpath("//item/link/text()")
    assert len(links) == len(set(links)) == len(site.cases)
    assert _get(site, f"/feed/?paged={pages + 1}")[0] == 404


def test_the_rest_api_pages_with_its_headers(site: WordPressSite) -> None:
    status, body, headers = _get(site, "/wp-json/wp/v2/posts?per_page=4&page=1")
    assert status == 200
    assert headers["x-wp-total"] == str(len(site.cases))
    assert headers["x-wp-totalpages"] == str(-(-len(site.cases) // 4))
    assert len(json.loads(body)) == 4
    assert _get(site, "/wp-json/wp/v2/posts?per_page=4&page=99")[0] == 400


def test_shortlinks_and_missing_slashes_redirect(site: WordPressSite) -> None:
    case = site.cases[0]
    resource = site.resolve(f"/?p={case.post_id}", {})
    assert resource is not None and resource.status == 301
    assert dict(resource.headers)["Location"] == WORDPRESS_BLOG.rstrip("/") + case.path
    slashless = site.resolve(case.path.rstrip("/"), {})
    assert slashless is not None and slashless.status == 301
    assert _get(site, "/no-such-post/")[0] == 404


def _golden(case: WordPressCase) -> dict[str, object]:
    post = case.post
    return {
        "title": post.title,
        "publication": post.publication,
        "labels": post.labels,
        "published": post.published,
        "paragraphs": post.paragraphs,
        "captions": [(c.credit, c.text) for c in post.captions],
        "sources": [
            (c.repaired_url, c.title, c.author, c.date, c.publication) for c in post.citations
        ],
        "rules": [case.rule] if case.cited else [],
    }


def test_every_post_parses_to_its_golden_fields(site: WordPressSite) -> None:
    wrong = []
    for case in site.cases:
        _, body, _ = _get(site, case.path)
        platform, post = read_post(body, WORDPRESS_BLOG.rstrip("/") + case.path)
        citations = post.citation.citations if post.citation else ()
        got = {
            "title": post.title,
            "publication": post.publication,
            "labels": post.labels,
            "published": post.published,
            "paragraphs": post.paragraphs,
            "captions": [(c.credit, c.text) for c in post.captions],
            "sources": [
                (c.repaired_url, c.title, c.author, c.date, c.publication) for c in citations
            ],
            "rules": [getattr(c, "rule", None) for c in citations],
        }
        assert platform == "wordpress"
        wrong += [
            (case.style, k, v, _golden(case)[k]) for k, v in got.items() if v != _golden(case)[k]
        ]
    assert wrong == []


def test_every_style_of_writing_the_source_is_served(site: WordPressSite) -> None:
    from replica.sites import wordpress_cases as wc

    styles = {case.style for case in site.cases}
    assert set(wc.RULE_OF_STYLE) | {wc.NONE} <= styles
