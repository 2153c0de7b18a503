"""The ``blog`` spider on Hatena Blog: a hatenablog.com host is Hatena without its home page, a
custom domain is found from its home page's markup, and the Hatena lists are read (the sitemap
index, the Atom feed and its rel=next page); driven with fake responses (no network)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import TextResponse

from crawler.platforms import PROFILES
from crawler.platforms.detect import known_host_platform
from crawler.spiders.lists import META_LIST
from tests.unit.platforms.pages import THEMES
from tests.unit.platforms.test_blog_spider import _home, _spider

CUSTOM = "https://news.gaishin-honyaku.jp/"


def test_a_hatenablog_host_is_hatena_without_fetching_its_home(tmp_path: Path) -> None:
    blog = "https://someone.hatenablog.com/"
    spider = _spider(tmp_path, blog=blog)
    detection = known_host_platform(spider.target, PROFILES)
    assert detection is not None and detection.platform == "hatena"
    requests = spider._begin(detection)
    assert [(r.meta[META_LIST].kind, r.url) for r in requests] == [
        ("sitemap", f"{blog}sitemap.xml"),
        ("feed", f"{blog}feed"),
    ]
    assert spider.post_key(f"{blog}entry/2025/02/07/123456?utm_source=x") == (
        f"{blog}entry/2025/02/07/123456"
    )
    assert spider.post_key(f"{blog}archive/category/x") is None


def test_a_custom_domain_is_hatena_from_its_home_page(tmp_path: Path) -> None:
    spider = _spider(tmp_path, blog=CUSTOM)
    home = (THEMES / "hatena_custom_domain.html").read_bytes()
    requests = _home(spider, CUSTOM, home)
    assert spider.platform == "hatena"
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("bitext/platform/hatena") == 1
    assert [r.url for r in requests] == [f"{CUSTOM}sitemap.xml", f"{CUSTOM}feed"]


def test_the_feed_is_followed_by_its_next_link(tmp_path: Path) -> None:
    spider = _spider(tmp_path, blog=CUSTOM)
    home = (THEMES / "hatena_custom_domain.html").read_bytes()
    feed_request = _home(spider, CUSTOM, home)[1]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<link rel="next" href="{CUSTOM}feed?page=1738000000"/>'
        f'<entry><link href="{CUSTOM}entry/f35-tr3-delay"/>'
        "<published>2025-01-31T06:30:00+09:00</published></entry></feed>"
    ).encode()
    response = TextResponse(CUSTOM + "feed", body=body, request=feed_request)
    out = list(spider.parse_list(response))
    requests = [r for r in out if isinstance(r, Request)]
    assert f"{CUSTOM}entry/f35-tr3-delay" in [r.url for r in requests]
    assert f"{CUSTOM}feed?page=1738000000" in [r.url for r in requests]
