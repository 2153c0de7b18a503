"""``scrapy crawl blog -a blog=https://HOST/``: one entry point for every supported platform.

The spider first finds out which platform the blog is on (crawler/platforms/detect.py): from
its host alone when that tells (``*.blogspot.com``), else from its home page (generator meta,
the REST API's Link header, core asset paths). It logs the platform and the evidence, counts
it (``bitext/platform/NAME``), and then crawls as the Blogger spiders do, with the platform's
discovery: Blogger's own (crawler/spiders/discovery.py) or the profile's lists
(crawler/spiders/lists.py). A site on no supported platform ends the crawl at once with a
message saying what it is (close reason ``unsupported_platform``). Each post is read as the
platform its page is (crawler/reading/page.py), and the manifest says which
(``translation.platform``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider

from crawler.items import PostItem
from crawler.platforms import PROFILES, Profile, UnsupportedPlatform, detect_site
from crawler.platforms.blogger import BLOGGER
from crawler.platforms.detect import Detection, known_host_platform
from crawler.spiders.blogger import BloggerSpider
from crawler.spiders.lists import ProfileDiscovery

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.items import SourceItem

logger = logging.getLogger(__name__)

UNSUPPORTED = "unsupported_platform"  # the close reason of a crawl of an unsupported site
UNREACHABLE = "blog_unreachable"  # the home page could not be fetched to detect the platform


class BlogSpider(ProfileDiscovery, BloggerSpider):
    """Any blog on a supported platform; the options are the ``blogger`` spider's, and
    ``discover`` may also name ``rest`` (WordPress's REST API). Without ``discover`` every list
    the platform has is read."""

    name = "blog"

    def __init__(
        self,
        blog: str | None = None,
        discover: str | None = None,
        post: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(blog=blog, post=post, discover="sitemap,feed", **kwargs)
        target = blog or post
        assert target  # BloggerSpider refused a crawl without either
        target = target if "//" in target else f"https://{target}"
        if not blog:  # one post: the blog is its host's (a blog under a path needs -a blog)
            parts = urlsplit(target)
            target = f"{parts.scheme}://{parts.netloc}/"
        self.target = target
        self.asked_discover = _parse_discover(discover)
        self.profile: Profile = BLOGGER  # until the site says otherwise
        self.platform: str | None = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._restore_job_state()
        detection = known_host_platform(self.target, PROFILES)
        if detection is not None:
            for request in self._begin(detection):
                yield request
            return
        root = urlsplit(self.target)
        yield scrapy.Request(
            f"{root.scheme}://{root.netloc}/",
            callback=self.parse_home,
            errback=self.home_failed,
            dont_filter=True,
        )

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        headers = {
            key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        try:
            detection = detect_site(response.url, response.body, headers, PROFILES)
        except UnsupportedPlatform as exc:
            logger.error("%s", exc)
            self._inc(f"bitext/platform/{UNSUPPORTED}")
            raise CloseSpider(UNSUPPORTED) from exc
        if urlsplit(response.url).netloc != urlsplit(self.target).netloc:
            # The home page moved (http to https, to www.): the blog is where it went.
            final = urlsplit(response.url)
            self.target = f"{final.scheme}://{final.netloc}{urlsplit(self.target).path or '/'}"
        yield from self._begin(detection)

    def home_failed(self, failure: Failure) -> None:
        logger.error(
            "the blog's home page %s could not be fetched to find its platform: %r",
            failure.request.url,  # type: ignore[attr-defined]
            failure.value,
        )
        raise CloseSpider(UNREACHABLE)

    def _begin(self, detection: Detection) -> list[scrapy.Request]:
        self.profile = detection.profile
        self.platform = detection.platform
        self.blog = self.profile.blog_root(self.target)
        kinds = self.profile.list_kinds
        asked = self.asked_discover or self.profile.default_discover
        self.discover = set(asked) & set(kinds)
        if not self.discover:
            raise CloseSpider(
                f"discover={','.join(sorted(asked))}: {self.platform} has no such list"
            )
        if set(asked) - set(kinds):
            logger.warning(
                "%s has no %s list: discovery reads %s",
                self.platform,
                ",".join(sorted(set(asked) - set(kinds))),
                ",".join(sorted(self.discover)),
            )
        logger.info("platform: %s (%s) for %s", self.platform, detection.evidence, self.blog)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(f"bitext/platform/{self.platform}", 1)
        if self.profile is BLOGGER:
            return self.discovery_requests()  # the Blogger spiders' own discovery
        return self.profile_requests()

    def post_key(self, url: str) -> str | None:
        if self.profile is BLOGGER:
            return super().post_key(url)
        return self.profile.canonical_post_url(url, self.blog)

    def post_failed(self, failure: Failure) -> Iterator[PostItem | SourceItem | scrapy.Request]:
        for item in super().post_failed(failure):
            if isinstance(item, PostItem):
                item.platform = self.profile.name  # no page to tell: the blog's platform
            yield item


def _parse_discover(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    kinds = frozenset(part.strip() for part in value.split(",") if part.strip())
    known = set().union(*(p.list_kinds for p in PROFILES))
    if not kinds or not kinds <= known:
        raise ValueError(f"discover takes a list of {', '.join(sorted(known))}, not {value!r}")
    return kinds
