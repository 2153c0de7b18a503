"""Blogging platforms as profiles: which platform a site or a page is, and reading its posts.

Each supported platform is one profile (:class:`crawler.platforms.profile.Profile`): Blogger
(crawler/platforms/blogger.py, over crawler/blogger/), WordPress (crawler/platforms/wordpress/)
and Hatena Blog (crawler/platforms/hatena/). Adding a platform means adding its profile to
``PROFILES``. See docs/platforms.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from crawler.blogger import BloggerPost, PostParseError
from crawler.platforms.blogger import BLOGGER
from crawler.platforms.detect import Detection, UnsupportedPlatform, detect_site, in_test_order
from crawler.platforms.hatena import HATENA
from crawler.platforms.profile import ListedPost, ListError, ListPage, ListRequest, Profile
from crawler.platforms.wordpress import WORDPRESS

__all__ = [
    "DEFAULT_PLATFORM",
    "PROFILES",
    "Detection",
    "ListError",
    "ListPage",
    "ListRequest",
    "ListedPost",
    "Profile",
    "UnsupportedPlatform",
    "detect_site",
    "page_profiles",
    "profile_named",
    "read_post",
]

# In the order sites are tested: Blogger's marks are specific (a post may embed a WordPress
# site's image, never the other way round); Hatena's are tested before WordPress's
# (crawler/platforms/detect.py: OUTRANKS). Listed in the order the platforms were added.
PROFILES: tuple[Profile, ...] = (BLOGGER, WORDPRESS, HATENA)
DEFAULT_PLATFORM = BLOGGER.name  # the crawler's first platform: posts read before profiles


def profile_named(name: str) -> Profile:
    for profile in PROFILES:
        if profile.name == name:
            return profile
    raise ValueError(
        f"no platform named {name!r}: supported are {', '.join(p.name for p in PROFILES)}"
    )


def page_profiles(body: bytes) -> Iterator[Profile]:
    """The profiles to read a page with, in turn: those whose marks the page bears; for a page
    that bears none, every profile, the default first. One at a time: a page the first marked
    profile reads is not searched for the other platforms' marks (a scan of its first 256 KB
    each: 0.3 ms of a replica post's 1.6)."""
    marked = False
    for profile in in_test_order(PROFILES):
        if profile.page_marks(body) is not None:
            marked = True
            yield profile
    if not marked:
        yield from PROFILES


def read_post(body: bytes, url: str, *, encoding: str | None = None) -> tuple[str, BloggerPost]:
    """(platform, post) of a post page, read from the page alone, so that reading it again
    from the archive gives the same: the first profile the page bears marks of that reads a
    post in it. Raises PostParseError (the first profile's) when none does."""
    first_error: PostParseError | None = None
    for profile in page_profiles(body):
        try:
            return profile.name, profile.parse_post(body, url, encoding=encoding)
        except PostParseError as error:
            first_error = first_error or error
    assert first_error is not None
    raise first_error
