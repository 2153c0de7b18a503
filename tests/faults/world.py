"""The fault matrix's replica web: a small blog whose posts end with every kind of status.

Each crawl of the matrix crawls this world, so it holds the fewest posts that still give the
manifest its range: ok pairs (one source cited by two posts, one reached through a redirect),
each final failure (404, robots.txt, not HTML, refused addresses, an over-long URL, no
citation) and each failure a later run retries (503, a reset connection, a body cut short).
Posts citing a synthetic host of hostile answers add the input faults that need no world of
their own: an endless body, a slow drip, a gzip bomb, a page over the parse budget, public URLs
redirecting to each form an internal address can take (and to file:), internal addresses and
file: cited as they are, and paths that would escape the archive
if a file were ever named after a URL. One post has a hostile title.

Everything is synthetic: corpus posts (replica/corpus) re-pointed at the hostile host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from replica.corpus import load_cases
from replica.model import CitedArticle, PairCase, TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.news import build_source_sites
from replica.sites.news_faults import endless_page, gzip_bomb, large_page
from replica.web import Resource, Site
from replica.world import World

BLOG = "https://faults-synthetic.blogspot.com/"
BLOG_HOST = urlsplit(BLOG).netloc
HOSTILE_HOST = "www.faults-news-synthetic.com"

# The budgets of every crawl of the matrix, low enough that the hostile answers cost little.
# Every other page of the world is under 50 kB; the time budget leaves a loaded machine room.
MAXSIZE = 250_000  # DOWNLOAD_MAXSIZE: where the endless body is cut
TIME_BUDGET = 5.0  # RESPONSE_BUDGET_SECONDS: where the slow drip is cut
PARSE_MAX_BYTES = 100_000  # BITEXT_PARSE_MAX_BYTES: the large page is archived, not read
SETTINGS = {
    "DOWNLOAD_MAXSIZE": str(MAXSIZE),
    "RESPONSE_BUDGET_SECONDS": str(TIME_BUDGET),
    "BITEXT_PARSE_MAX_BYTES": str(PARSE_MAX_BYTES),
}

# Corpus posts, by permalink path, and what their pairs must end with.
CORPUS_POSTS = (
    "/2025/03/blog-post_29.html",  # ok
    "/2023/09/f-15j.html",  # ok through a cross-host redirect
    "/2025/02/kc-46rvs-20.html",  # source_not_found (404)
    "/2025/03/blog-post_22.html",  # source_http_error (503): retried by the next run
    "/2025/02/blog-post_15.html",  # source_unreachable (reset): retried
    "/2025/05/b-21_8.html",  # source_truncated (cut short on the wire): retried
    "/2025/03/ai.html",  # source_blocked_by_robots
    "/2025/02/blog-post_8.html",  # source_not_html (a PDF)
    "/2025/05/blog-post_8.html",  # source_refused (internal addresses, an internal redirect)
    "/2025/04/blog-post_24.html",  # source_refused (a URL over URLLENGTH_LIMIT)
    "/2025/06/blog-post_30.html",  # no_citation
)
SHARED_SOURCE_POST = "/2025/08/faults-shared-source.html"  # cites the first post's article

HTML = (("Content-Type", "text/html; charset=utf-8"),)
# Where public short links redirect to: each form an internal address can be written in.
INTERNAL_FORMS = {
    "loopback": "http://127.0.0.1:9/secret",
    "loopback-short": "http://127.1/",
    "decimal": "http://2130706433/",
    "hex": "http://0x7f000001/",
    "octal": "http://0177.0.0.1/",
    "ipv6-loopback": "http://[::1]/",
    "ipv4-mapped": "http://[::ffff:127.0.0.1]/",
    "unspecified": "http://0.0.0.0/",
    "localhost": "http://localhost/",
    "localhost-dot": "http://localhost./admin",
    "link-local-metadata": "http://169.254.169.254/latest/meta-data/",
    "private-10": "http://10.0.0.1/",
    "private-192": "http://192.168.1.1/",
    "unique-local-ipv6": "http://[fd00::1]/",
    "file": "file:///etc/passwd",  # not an address: a scheme Scrapy's redirects do not follow
}
# URLs a hostile post cites as they are, each refused before any request: addresses, a
# local-only name, and schemes that would read this machine.
CITED_INTERNAL = (
    "http://127.0.0.1:9/secret",
    "http://localhost/admin",
    "http://[::1]/",
    "file:///etc/passwd",
    "ftp://10.0.0.1/pub/",
)
CITED_INTERNAL_POST = "/2025/08/faults-internal-citations.html"
# Cited paths that would escape the archive directory if a file name were ever made of a URL.
TRAVERSALS = (
    "/news/../../../../tmp/escaped.warc.gz?file=../../etc/passwd",
    "/news/..%2f..%2f..%2fescaped.warc.gz",
)
HOSTILE: dict[str, Resource] = {
    "/endless": Resource(200, HTML, stream=endless_page(64 * MAXSIZE)),
    # 200 bytes every 0.1 s for 30 s at most: cut at the time budget.
    "/slow-drip": Resource(200, HTML, stream=endless_page(300 * 200, piece_size=200), drip=0.1),
    "/gzip-bomb": Resource(200, (*HTML, ("Content-Encoding", "gzip")), gzip_bomb(16 * 1024 * 1024)),
    "/over-parse-budget": Resource(200, HTML, large_page(PARSE_MAX_BYTES + 50_000)),
    **{
        f"/to/{name}": Resource(302, (("Location", target), ("Content-Length", "0")))
        for name, target in INTERNAL_FORMS.items()
    },
}
HOSTILE_POSTS = {  # permalink path -> the hostile paths its citation block names
    "/2025/08/faults-endless.html": ("/endless",),
    "/2025/08/faults-slow-drip.html": ("/slow-drip",),
    "/2025/08/faults-gzip-bomb.html": ("/gzip-bomb",),
    "/2025/08/faults-parse-budget.html": ("/over-parse-budget",),
    "/2025/08/faults-internal-redirects.html": tuple(f"/to/{name}" for name in INTERNAL_FORMS),
    "/2025/08/faults-path-traversal.html": TRAVERSALS,
}
HOSTILE_TITLE_POST = "/2025/08/faults-hostile-title.html"
# A title a terminal or a line-based reader must not take as instructions or as two lines: a C1
# control sequence introducer (an escape sequence on terminals that take 8-bit controls), a
# right-to-left override, Unicode's line and paragraph separators, NEL, quotes and a backslash.
# (No C0 control: XML 1.0 cannot carry one, so the blog's feed could not either.)
HOSTILE_TITLE = '警告\u009b2J\u009b0mタイトル\u202e反転\u2028二行目\u2029\u0085"引用" \\n 終わり'
# Every status the reference crawl must give, for each post (by path) and cited URL.
EXPECTED = {
    **{path: "source_truncated" for path in list(HOSTILE_POSTS)[:4]},
    "/2025/08/faults-internal-redirects.html": "source_refused",
    "/2025/08/faults-path-traversal.html": "source_not_found",  # the host has no such page
}


class HostileSite:
    """The synthetic news host: robots.txt allows everything, the hostile paths, 404 otherwise."""

    robots = Resource(200, (("Content-Type", "text/plain"),), b"User-agent: *\nAllow: /\n")

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        return self.robots if path == "/robots.txt" else HOSTILE.get(path)


@dataclass(frozen=True)
class FaultWorld:
    world: World
    expected: dict[tuple[str, str], str]  # (post URL, cited URL or "") -> status
    hostile_urls: dict[str, str]  # hostile path -> its cited URL


def _citing(post: TranslationPost, path: str, urls: tuple[str, ...]) -> TranslationPost:
    """A copy of a post citing one article by a URL line, at ``path``, citing ``urls`` instead."""
    (cited,) = post.citations
    lines = [line for line in post.citation_lines if line != cited.url]
    first = replace(cited, url=urls[0], repaired_url=urls[0])
    rest = [CitedArticle(repaired_url=url, url=url) for url in urls[1:]]
    return replace(post, path=path, citation_lines=(*lines, *urls), citations=(first, *rest))


def build_fault_world() -> FaultWorld:
    by_path = {case.post.path: case for case in load_cases("t2")}
    cases = [by_path[path] for path in CORPUS_POSTS]
    ok = cases[0]
    posts = [case.post for case in cases]
    posts.append(replace(ok.post, path=SHARED_SOURCE_POST))
    hostile_urls = {path: f"https://{HOSTILE_HOST}{path}" for path in (*HOSTILE, *TRAVERSALS)}
    for path, hostile in HOSTILE_POSTS.items():
        urls = tuple(hostile_urls[name] for name in hostile)
        posts.append(_citing(ok.post, path, urls))
    posts.append(_citing(ok.post, CITED_INTERNAL_POST, CITED_INTERNAL))
    posts.append(replace(ok.post, path=HOSTILE_TITLE_POST, display_title=HOSTILE_TITLE))
    blog = BloggerSite(BLOG_HOST, "合成ブログ（障害試験）", posts)
    sites: dict[str, Site] = {**build_source_sites(cases), HOSTILE_HOST: HostileSite()}
    sites[BLOG_HOST] = blog
    sites.update(blog.aliases())
    expected = _expected(cases, hostile_urls)
    return FaultWorld(World(sites=sites, cases={BLOG: cases}), expected, hostile_urls)


def _expected(cases: list[PairCase], hostile_urls: dict[str, str]) -> dict[tuple[str, str], str]:
    base = BLOG.rstrip("/")
    expected = {}
    for case in cases:
        statuses = case.expected_status or {"": "no_citation"}
        for url, status in statuses.items():
            expected[(base + case.post.path, url)] = status
    ((ok_url, _),) = cases[0].expected_status.items()
    expected[(base + SHARED_SOURCE_POST, ok_url)] = "ok"
    expected[(base + HOSTILE_TITLE_POST, ok_url)] = "ok"
    for path, hostile in HOSTILE_POSTS.items():
        for name in hostile:
            expected[(base + path, hostile_urls[name])] = EXPECTED[path]
    for url in CITED_INTERNAL:
        expected[(base + CITED_INTERNAL_POST, url)] = "source_refused"
    return expected
