"""Which platform a site is, from what it serves, and which platform a page is.

A site is recognised from its home page's response, by each profile in turn (the host it is
on, the generator meta, the REST API's Link header, core asset paths, ...): the first profile
with a mark wins, and the mark is the evidence the log and the stats give. Hosts of platforms
the crawler does not read yet are named, so the message says which platform it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.platforms.profile import Profile

__all__ = [
    "Detection",
    "UnsupportedPlatform",
    "detect_site",
    "in_test_order",
    "known_host_platform",
]

# Platforms recognised by their hosts or generator but not read (yet).
UNSUPPORTED_HOSTS = (
    (re.compile(r"(?:^|\.)fc2\.com$"), "FC2"),
    (re.compile(r"(?:^|\.)note\.com$"), "note"),
    (re.compile(r"(?:^|\.)livedoor\.(?:jp|blog)$|(?:^|\.)blog\.jp$"), "livedoor Blog"),
    (re.compile(r"(?:^|\.)ameblo\.jp$"), "Ameba Blog"),
)
# A profile whose marks are tested before another's: Hatena's stand on <html> of every Hatena
# page, and a WordPress page never has them, while a Hatena post may link a WordPress site's
# /wp-content/ file, which is a WordPress mark.
OUTRANKS = {"hatena": "wordpress"}
GENERATOR = re.compile(rb"""<meta[^>]+name=["']generator["'][^>]+content=["']([^"']{1,80})""", re.I)


class UnsupportedPlatform(ValueError):
    """The site is on a platform no profile reads, or on none the crawler recognises."""


@dataclass(frozen=True)
class Detection:
    profile: Profile
    evidence: str

    @property
    def platform(self) -> str:
        return self.profile.name


def in_test_order(profiles: Sequence[Profile]) -> list[Profile]:
    """``profiles`` in the order their marks are tested: as given, but each profile of
    ``OUTRANKS`` before the one it outranks."""
    ordered = list(profiles)
    for first, then in OUTRANKS.items():
        names = [p.name for p in ordered]
        if first in names and then in names and names.index(first) > names.index(then):
            ordered.insert(names.index(then), ordered.pop(names.index(first)))
    return ordered


def known_host_platform(url: str, profiles: Sequence[Profile]) -> Detection | None:
    """The platform a URL's host alone tells (a blogspot or Hatena Blog host), without fetching
    anything."""
    for profile in profiles:
        evidence = profile.site_marks(url, b"", {})
        if evidence is not None:
            return Detection(profile, evidence)
    return None


def detect_site(
    url: str, body: bytes, headers: Mapping[str, str], profiles: Sequence[Profile]
) -> Detection:
    """The profile of the site whose home page at ``url`` answered ``body`` and ``headers``
    (names lower-cased); raises UnsupportedPlatform naming what the site is, when known."""
    host = (urlsplit(url).hostname or "").lower()
    for pattern, name in UNSUPPORTED_HOSTS:
        if pattern.search(host):
            raise UnsupportedPlatform(f"{url} is a {name} blog: {name} is not supported yet")
    for profile in in_test_order(profiles):
        evidence = profile.site_marks(url, body, headers)
        if evidence is not None:
            return Detection(profile, evidence)
    generator = GENERATOR.search(body[:262_144])
    said = (
        f" (its generator meta says {generator.group(1).decode('utf-8', 'replace')!r})"
        if generator
        else ""
    )
    supported = ", ".join(p.name for p in profiles)
    raise UnsupportedPlatform(
        f"{url} is on no platform the crawler reads{said}: supported are {supported}"
    )
