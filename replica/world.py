"""The whole replica web: the blogs (Blogger, WordPress, Hatena Blog) and every host their posts
cite.

``build_world()`` gives the sites to serve and the cases behind them (the golden expectations).
With ``scale=N`` the main blog is a generated one of N posts, for benchmarks.
web.archive.org holds captures of cited pages (replica/sites/webarchive.py); with
``archive_posts`` the t2 blog also has the 2016-2019 posts whose sources only it still has
(replica/sites/webarchive_cases.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from replica.corpus import generate_cases, load_cases
from replica.model import PairCase
from replica.sites.blogger import BloggerSite
from replica.sites.hatena import HatenaSite
from replica.sites.hatena_cases import (
    HATENA_BLOG,
    HATENA_CUSTOM_BLOG,
    HATENA_NAME,
    HatenaCase,
    hatena_cases,
)
from replica.sites.news import build_source_sites
from replica.sites.webarchive import HOST as WEB_ARCHIVE_HOST
from replica.sites.webarchive import WaybackSite
from replica.sites.webarchive_cases import archive_cases, archive_mementos, moved_sites
from replica.sites.wordpress import WordPressSite
from replica.sites.wordpress_cases import WORDPRESS_BLOG, WORDPRESS_NAME, WordPressCase
from replica.sites.wordpress_cases import wordpress_cases as load_wordpress_cases
from replica.web import Site

T2_BLOG = "https://aviation-space-business.blogspot.com/"
T1_BLOG = "https://aviationspacebusiness-civilaviation.blogspot.com/"
BLOG_TITLES = {T2_BLOG: "航空宇宙ビジネス短信・T2", T1_BLOG: "航空宇宙ビジネス短信・T1"}


@dataclass(frozen=True)
class World:
    sites: Mapping[str, Site]
    cases: Mapping[str, Sequence[PairCase]]  # blog URL -> its cases (the Blogger blogs)
    # Blogs on other platforms, by blog URL: their posts and goldens (replica/sites/wordpress*,
    # replica/sites/hatena*).
    platform_cases: Mapping[str, Sequence[WordPressCase | HatenaCase]] = field(default_factory=dict)

    @property
    def hosts(self) -> list[str]:
        return sorted(self.sites)


def build_world(*, scale: int | None = None, seed: int = 0, archive_posts: bool = False) -> World:
    t2 = generate_cases(scale, seed=seed) if scale else load_cases("t2")
    if archive_posts:  # the posts whose sources only web.archive.org still has
        t2 = [*t2, *(archived.case for archived in archive_cases())]
    cases = {T2_BLOG: t2, T1_BLOG: load_cases("t1")}
    wordpress = load_wordpress_cases()
    hatena = hatena_cases()
    blogger_cases = [c for blog in cases.values() for c in blog]
    served = {url for case in blogger_cases for url in case.behaviours}
    # The WordPress and Hatena posts cite the t2 corpus's articles; only what no Blogger post
    # cites is added.
    extra = [w.case for w in [*wordpress, *hatena] if not set(w.case.behaviours) <= served]
    sites: dict[str, Site] = dict(build_source_sites([*blogger_cases, *extra]))
    for blog, blog_cases in cases.items():
        host = blog.split("/")[2]
        site = BloggerSite(host, BLOG_TITLES[blog], [case.post for case in blog_cases])
        sites[host] = site
        sites.update(site.aliases())
    articles = {url: a for case in [*blogger_cases, *extra] for url, a in case.sources.items()}
    wordpress_host = WORDPRESS_BLOG.split("/")[2]
    sites[wordpress_host] = WordPressSite(wordpress_host, WORDPRESS_NAME, wordpress, articles)
    for hatena_blog in (HATENA_BLOG, HATENA_CUSTOM_BLOG):
        hatena_host = hatena_blog.split("/")[2]
        sites[hatena_host] = HatenaSite(hatena_host, HATENA_NAME, hatena, articles)
    sites[WEB_ARCHIVE_HOST] = WaybackSite(archive_mementos())
    if archive_posts:
        sites.update(moved_sites(sites))
    return World(
        sites=sites,
        cases=cases,
        platform_cases={WORDPRESS_BLOG: wordpress, HATENA_BLOG: hatena, HATENA_CUSTOM_BLOG: hatena},
    )
