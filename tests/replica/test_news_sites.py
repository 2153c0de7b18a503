"""The replica news sites: article templates, host behaviours and extractor realism."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest
import trafilatura

from replica.model import PairCase, SourceArticle, SourceBehaviour, TranslationPost
from replica.sites.news import NewsSite, build_source_sites
from replica.sites.news_templates import NEWSLETTER_TEXT, RELATED_STORIES, render_article
from replica.web import Resource, Site

EST = timezone(timedelta(hours=-5))
JST = timezone(timedelta(hours=9))

# Synthetic sentences; each article fills them with its own subject so no two paragraphs match.
SENTENCES = (
    "Officials said the {s} would enter a second phase of trials before the end of the fiscal "
    "year, with crews from two squadrons rotating through the test site.",
    'A program spokesperson described the schedule as "aggressive but achievable" & said the '
    "contractor's first deliveries were already being inspected at the depot.",
    "The budget documents list the {s} under a new line item, which lawmakers have asked the "
    "service to justify in writing before the next markup session.",
    "Analysts noted that the effort follows years of delays, and that costs < $2 billion would "
    "be a notable improvement over the <classified> estimates marked &lt;draft&gt; in reviews.",
    "Engineers plan to fit the {s} with an updated sensor suite after the current round of "
    "flights, pending the results of the environmental qualification tests.",
    "Neither the prime contractor nor its main subcontractors would comment on the 'revised "
    "baseline' that was briefed to congressional staff earlier this month.",
)


def make_article(site: str, url: str, subject: str, **changes: object) -> SourceArticle:
    fields: dict[str, object] = {
        "site": site,
        "url": url,
        "title": f'Synthetic {subject} test: "phase two" & <more> for O\'Brien',
        "subtitle": f"The {subject} moves ahead while questions about cost remain.",
        "authors": ("Jane Placeholder", "Sam O'Example"),
        "published": datetime(2025, 2, 4, 12, 59, tzinfo=EST),
        "paragraphs": tuple(
            f"{sentence.format(s=subject)} The {subject} team recorded note {index + 1}."
            for index, sentence in enumerate(SENTENCES)
        ),
        "captions": (
            f"The {subject} during a ground test. (Synthetic photo credit)",
            f"Crews prepare the {subject} for its next sortie.",
        ),
        "tags": ("Synthetic", subject.title()),
    }
    fields.update(changes)
    return SourceArticle(**fields)  # type: ignore[arg-type]


TWZ = make_article(
    "twz", "https://www.twz.com/news-features/synthetic-drone-carrier", "drone carrier"
)
BD = make_article(
    "breakingdefense", "https://breakingdefense.com/2025/02/synthetic-radar/", "radar"
)
USNI = make_article(
    "usni",
    "https://news.usni.org/2025/02/03/synthetic-fleet-tracker",
    "fleet tracker",
    published=datetime(2025, 2, 3, 18, 33, tzinfo=EST),
    subtitle=None,
    authors=("Jane Placeholder",),
)
DN = make_article(
    "defensenews", "https://www.defensenews.com/naval/2025/02/04/synthetic-frigate/", "frigate"
)
GENERIC = make_article(
    "generic", "https://www.defence-journal.example/news/synthetic-tanker/", "tanker"
)
ARTICLES = (TWZ, BD, USNI, DN, GENERIC)
VISIBLE_DATES = {
    "twz": "Published Feb 4, 2025 12:59 PM EST",
    "breakingdefense": "on February 04, 2025 at 12:59 PM",
    "usni": "February 3, 2025 6:33 PM",
    "defensenews": "Feb 4, 2025, 12:59 PM",
    "generic": "February 4, 2025",
}
SITE_NAMES = {
    "twz": "The War Zone",
    "breakingdefense": "Breaking Defense",
    "usni": "USNI News",
    "defensenews": "Defense News",
    "generic": "Defence Journal",
}

THEDRIVE_URL = "https://www.thedrive.com/the-war-zone/41234/synthetic-drone-carrier"
USNI_MISSING = "https://news.usni.org/2025/01/30/synthetic-missing-story"
USNI_GONE = "https://news.usni.org/2024/12/01/synthetic-withdrawn-story"
USNI_MOVED = "https://news.usni.org/2025/01/15/synthetic-old-slug"
DN_DOWN = "https://www.defensenews.com/air/2025/02/01/synthetic-outage/"
DN_REMOVED = "https://www.defensenews.com/naval/2025/01/20/synthetic-removed/"
BD_PDF = "https://breakingdefense.com/wp-content/uploads/2025/02/synthetic-report.pdf"
RESET_URL = "https://www.reset-wire.example/2025/02/synthetic-story/"
BLOCKED = make_article("generic", "https://www.blocked-review.example/news/synthetic/", "sonar")


def post(number: int) -> TranslationPost:
    when = datetime(2025, 2, 5, 9, 0, tzinfo=JST)
    return TranslationPost(
        f"/2025/02/blog-post_{number}.html",
        "合成テスト記事",
        "The War Zone",
        None,
        when,
        when,
        ("テスト",),
        ("合成の本文です。",),
    )


def case(number: int, **served: tuple[SourceBehaviour, SourceArticle | None]) -> PairCase:
    sources = {url: article for url, (_, article) in served.items() if article is not None}
    behaviours = {url: behaviour for url, (behaviour, _) in served.items()}
    return PairCase(post(number), sources, behaviours)


B = SourceBehaviour
CASES = (
    case(1, **{TWZ.url + "?utm_source=twitter&utm_medium=social": (B.OK, TWZ)}),
    case(2, **{THEDRIVE_URL: (B.REDIRECT, TWZ)}),
    case(3, **{BD.url: (B.PAYWALLED, BD), BD_PDF: (B.NOT_HTML, None)}),
    case(
        4,
        **{
            USNI.url: (B.OK, USNI),
            USNI_MISSING: (B.NOT_FOUND, None),
            USNI_GONE: (B.GONE, None),
            USNI_MOVED: (B.MISMATCH, DN),
        },
    ),
    case(
        5, **{DN.url: (B.OK, DN), DN_DOWN: (B.SERVER_ERROR, None), DN_REMOVED: (B.MISMATCH, None)}
    ),
    case(6, **{RESET_URL: (B.RESET, None), BLOCKED.url: (B.ROBOTS_BLOCKED, BLOCKED)}),
    case(7, **{GENERIC.url: (B.OK, GENERIC)}),
)


@pytest.fixture(scope="module")
def sites() -> dict[str, Site]:
    return build_source_sites(CASES)


def fetch(sites: dict[str, Site], url: str) -> Resource:
    parts = urlsplit(url)
    resource = sites[parts.netloc].resolve(
        parts.path + ("?" + parts.query if parts.query else ""), {}
    )
    assert resource is not None, url
    return resource


def follow(sites: dict[str, Site], url: str) -> tuple[list[str], Resource]:
    chain = [url]
    resource = fetch(sites, url)
    while resource.status in (301, 302, 307, 308) and len(chain) < 6:
        chain.append(header(resource, "Location"))
        resource = fetch(sites, chain[-1])
    return chain, resource


def header(resource: Resource, name: str) -> str:
    values = [value for key, value in resource.headers if key.lower() == name.lower()]
    assert len(values) == 1, (name, resource.headers)
    return values[0]


def text_of(element: lxml.html.HtmlElement) -> str:
    return " ".join("".join(element.itertext()).split())


class TagBalance(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"))

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def news_article_ld(doc: lxml.html.HtmlElement) -> dict[str, Any]:
    blocks = [json.loads(s.text) for s in doc.xpath('//script[@type="application/ld+json"]')]
    nodes = [node for block in blocks for node in block.get("@graph", [block])]
    found: list[dict[str, Any]] = [n for n in nodes if n.get("@type") == "NewsArticle"]
    assert len(found) == 1
    return found[0]


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.site)
def test_article_page_markup(article: SourceArticle) -> None:
    html = render_article(article)
    assert html == render_article(article)  # deterministic
    checker = TagBalance()
    checker.feed(html.decode())
    checker.close()
    assert checker.stack == []
    doc = lxml.html.fromstring(html)
    for paragraph in article.paragraphs:
        holders = [p for p in doc.iter("p") if paragraph in text_of(p)]
        assert len(holders) == 1 and text_of(holders[0]) == paragraph
    assert [text_of(h1) for h1 in doc.iter("h1")] == [article.title]
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
    iso = article.published.isoformat()
    assert meta["og:title"] == article.title
    assert meta["og:site_name"] == SITE_NAMES[article.site]
    assert meta["article:published_time"] == iso
    assert meta["author"] == ", ".join(article.authors)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [article.url]
    ld = news_article_ld(doc)
    assert (ld["headline"], ld["datePublished"]) == (article.title, iso)
    assert [a["name"] for a in ld["author"]] == list(article.authors)
    assert ld["publisher"]["name"] == SITE_NAMES[article.site]
    assert doc.xpath(f'//time[@datetime="{iso}"]')
    assert VISIBLE_DATES[article.site] in text_of(doc.body)
    for caption in article.captions:
        holders = [
            el for el in doc.iter() if caption in (el.text or "") + (el.get("content") or "")
        ]
        assert [el.tag for el in holders] == ["figcaption"]
        assert caption not in html.decode().split("</head>")[0]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.site)
def test_trafilatura_extracts_the_article_text_only(article: SourceArticle) -> None:
    text = trafilatura.extract(render_article(article), url=article.url, favor_precision=True)
    assert text
    got, want = tokens(text), tokens(" ".join(article.paragraphs))
    overlap = sum((got & want).values())
    f1 = 2 * overlap / (sum(got.values()) + sum(want.values()))
    assert f1 >= 0.9, (f1, text)
    for chrome in (
        *article.captions,
        NEWSLETTER_TEXT,
        *(t for pair in RELATED_STORIES for t in pair),
    ):
        assert chrome not in text


def test_tracking_parameters_are_ignored(sites: dict[str, Site]) -> None:
    plain = fetch(sites, TWZ.url)
    tracked = fetch(sites, TWZ.url + "?utm_source=twitter&utm_medium=social&fbclid=x1")
    assert plain.status == tracked.status == 200
    assert plain.body == tracked.body == render_article(TWZ)


def test_cross_host_redirect_chain_ends_at_the_article(sites: dict[str, Site]) -> None:
    chain, final = follow(sites, THEDRIVE_URL)
    assert chain == [THEDRIVE_URL, "https://twz.com/news-features/synthetic-drone-carrier", TWZ.url]
    assert fetch(sites, THEDRIVE_URL).status == 301
    assert final.status == 200 and final.body == fetch(sites, TWZ.url).body
    home = fetch(sites, "https://www.thedrive.com/")
    assert home.status == 200 and b"The Drive" in home.body


def test_error_behaviours(sites: dict[str, Site]) -> None:
    missing, gone, down = (fetch(sites, u) for u in (USNI_MISSING, USNI_GONE, DN_DOWN))
    assert (missing.status, gone.status, down.status) == (404, 410, 503)
    for page in (missing, gone):
        doc = lxml.html.fromstring(page.body)
        assert doc.xpath('//header[@role="banner"]//nav') and doc.xpath("//footer//a")
    assert header(down, "Retry-After").isdigit()
    unknown = fetch(sites, "https://news.usni.org/no/such/page")
    assert unknown.status == 404 and b"USNI News" in unknown.body


def test_reset_host_resets_everything(sites: dict[str, Site]) -> None:
    for path in ("/robots.txt", urlsplit(RESET_URL).path, "/"):
        assert fetch(sites, "https://www.reset-wire.example" + path).reset


def test_robots_blocked_host(sites: dict[str, Site]) -> None:
    robots = fetch(sites, "https://www.blocked-review.example/robots.txt")
    parser = RobotFileParser()
    parser.parse(robots.body.decode().splitlines())
    assert not parser.can_fetch("bitext-crawler", BLOCKED.url)
    page = fetch(sites, BLOCKED.url)
    assert page.status == 200 and page.body == render_article(BLOCKED)


def test_default_robots_follow_the_platform(sites: dict[str, Site]) -> None:
    robots = fetch(sites, "https://breakingdefense.com/robots.txt").body.decode()
    assert "Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php" in robots
    assert "Sitemap: https://breakingdefense.com/" in robots
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert parser.can_fetch("bitext-crawler", BD.url)
    assert not parser.can_fetch("bitext-crawler", "https://breakingdefense.com/wp-admin/x.php")


def test_not_html_is_a_valid_pdf(sites: dict[str, Site]) -> None:
    pdf = fetch(sites, BD_PDF)
    assert pdf.status == 200 and header(pdf, "Content-Type") == "application/pdf"
    assert pdf.body.startswith(b"%PDF-1.") and pdf.body.rstrip().endswith(b"%%EOF")
    xref = int(pdf.body.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf.body[xref:].startswith(b"xref")
    offsets = [int(line[:10]) for line in pdf.body[xref:].split(b"\n")[3:8]]
    assert [pdf.body[o : o + 7] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]


def test_paywalled_page_shows_a_teaser_only(sites: dict[str, Site]) -> None:
    page = fetch(sites, BD.url)
    assert page.status == 200
    doc = lxml.html.fromstring(page.body)
    body = text_of(doc.body)
    assert [text_of(h1) for h1 in doc.iter("h1")] == [BD.title]
    assert all(name in body for name in BD.authors)
    assert all(p in body for p in BD.paragraphs[:2])
    assert not any(p in body for p in BD.paragraphs[2:])
    assert "Subscribe to continue reading" in body
    assert news_article_ld(doc)["isAccessibleForFree"] is False


def test_mismatch_serves_another_article_or_a_section(sites: dict[str, Site]) -> None:
    moved = fetch(sites, USNI_MOVED)
    assert moved.status == 200 and moved.body == render_article(DN)
    chain, section = follow(sites, DN_REMOVED)
    assert chain == [DN_REMOVED, "https://www.defensenews.com/naval/"]
    assert section.status == 200 and DN.url.encode() in section.body


def test_headers_cookies_and_gzip(sites: dict[str, Site]) -> None:
    page = fetch(sites, DN.url)
    cookies = [value for name, value in page.headers if name == "Set-Cookie"]
    assert len(cookies) == 2 and len({c.split("=")[0] for c in cookies}) == 2
    assert page.gzip and fetch(sites, TWZ.url).gzip and not fetch(sites, USNI.url).gzip
    assert not [name for name, _ in fetch(sites, USNI.url).headers if name == "Set-Cookie"]
    assert header(page, "Content-Type").startswith("text/html")


def test_canonical_slash_redirects(sites: dict[str, Site]) -> None:
    wordpress = fetch(sites, USNI.url + "/")
    assert (wordpress.status, header(wordpress, "Location")) == (301, USNI.url)
    arc = fetch(sites, DN.url.rstrip("/"))
    assert (arc.status, header(arc, "Location")) == (301, DN.url)
    nextjs = fetch(sites, TWZ.url + "/")
    assert (nextjs.status, header(nextjs, "Location")) == (308, TWZ.url)


def test_contradicting_cases_are_refused() -> None:
    clash = case(
        9,
        **{
            "https://www.reset-wire.example/other/": (
                B.OK,
                make_article("generic", "https://www.reset-wire.example/other/", "clash"),
            )
        },
    )
    with pytest.raises(ValueError, match="reset"):
        build_source_sites((*CASES, clash))
    site = NewsSite("news.usni.org", "usni")
    site.add_article(USNI)
    site.add_article(USNI)  # the same article twice is one page
    with pytest.raises(ValueError):
        site.add_article(DN, path=urlsplit(USNI.url).path)
