"""Which platform a site is, from what it serves; which profile reads a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.platforms import PROFILES, UnsupportedPlatform, detect_site, page_profiles
from crawler.platforms.detect import known_host_platform

WORDPRESS_HOME = (
    b'<html><head><meta name="generator" content="WordPress 6.5.2" />'
    b"<link rel='stylesheet' href='https://example-blog.jp/wp-content/themes/cocoon/style.css'>"
    b"</head><body></body></html>"
)
BLOGGER_HOME = (
    b"<html><head><meta content='blogger' name='generator'/></head><body>"
    b"<script>_WidgetManager._Init('//www.blogger.com/rearrange?blogID=1')</script></body></html>"
)


def _platform(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[str, str]:
    found = detect_site(url, body, headers or {}, PROFILES)
    return found.platform, found.evidence


def test_wordpress_by_its_generator_meta() -> None:
    assert _platform("https://example-blog.jp/", WORDPRESS_HOME) == ("wordpress", "generator meta")


def test_wordpress_by_the_rest_api_link_header_without_any_mark_in_the_page() -> None:
    headers = {"link": '<https://example-blog.jp/wp-json/>; rel="https://api.w.org/"'}
    assert _platform("https://example-blog.jp/", b"<html></html>", headers) == (
        "wordpress",
        "REST API Link header",
    )


@pytest.mark.parametrize(
    ("page", "evidence"),
    [
        (b'<link rel="https://api.w.org/" href="/wp-json/">', "REST API link"),
        (b'<img src="/wp-content/uploads/2025/03/a.jpg">', "wp-content paths"),
        (b'<div class="wp-block-group">', "block markup"),
    ],
)
def test_wordpress_by_the_marks_of_its_pages(page: bytes, evidence: str) -> None:
    assert _platform("https://example-blog.jp/", page) == ("wordpress", evidence)


def test_blogger_by_host_or_page() -> None:
    assert known_host_platform("https://someone.blogspot.com/", PROFILES) is not None
    assert known_host_platform("https://example-blog.jp/", PROFILES) is None
    assert _platform("https://blog.example.org/", BLOGGER_HOME)[0] == "blogger"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://ameblo.jp/someone/", "Ameba Blog"),
        ("https://someone.livedoor.blog/", "livedoor Blog"),
        ("https://someone.blog.fc2.com/", "FC2"),
        ("https://note.com/someone", "note"),
    ],
)
def test_known_unsupported_platforms_are_named(url: str, name: str) -> None:
    with pytest.raises(UnsupportedPlatform, match=f"is a {name} blog: {name} is not supported"):
        detect_site(url, WORDPRESS_HOME, {}, PROFILES)


def test_an_unknown_site_says_what_its_generator_is_and_what_is_supported() -> None:
    page = b'<html><head><meta name="generator" content="Hugo 0.125.0"></head></html>'
    with pytest.raises(
        UnsupportedPlatform, match=r"Hugo 0\.125\.0.*supported are blogger, wordpress"
    ):
        detect_site("https://example.org/", page, {}, PROFILES)


def test_a_page_is_read_by_the_profiles_whose_marks_it_bears() -> None:
    assert [p.name for p in page_profiles(WORDPRESS_HOME)] == ["wordpress"]
    assert [p.name for p in page_profiles(BLOGGER_HOME)] == ["blogger"]
    # A page without marks: every profile, Blogger (the default) first.
    assert [p.name for p in page_profiles(b"<html></html>")] == ["blogger", "wordpress", "hatena"]


def test_real_blogger_pages_are_read_as_blogger(realpages: Path) -> None:
    pages = sorted((realpages / "blogger").glob("*.html"))
    if not pages:
        pytest.skip("no real Blogger pages")
    # One embeds a WordPress site's image (wp-content): Blogger's own marks come first.
    for page in pages:
        assert next(page_profiles(page.read_bytes())).name == "blogger", page.name
