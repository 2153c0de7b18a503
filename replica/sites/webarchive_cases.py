"""T2 posts of 2016-2019 whose cited pages are gone or paywalled now, and what the Wayback Machine
holds of them (replica/sites/webarchive.py serves the captures).

Each case says how the live URL answers today (``case.behaviours``), which captures exist, and
the status its pair must end with when the crawl asks the archive (``case.expected_status``);
``chosen`` names the capture whose text the pair must carry. The texts are synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from replica.model import CitedArticle, PairCase, SourceArticle, SourceBehaviour, TranslationPost
from replica.sites.news import TEMPLATE_BY_HOST, NewsSite, redirect
from replica.sites.news_templates import render_article
from replica.sites.webarchive import Memento
from replica.web import Resource, Site

JST = timezone(timedelta(hours=9))
EST = timezone(timedelta(hours=-5))
EDT = timezone(timedelta(hours=-4))


@dataclass(frozen=True)
class ArchiveCase:
    """A post whose source only the archive still has (or not), and the archive's captures."""

    case: PairCase
    mementos: tuple[Memento, ...] = ()
    # Per cited URL: the timestamp of the capture the pair must come from (None: no capture).
    chosen: Mapping[str, str | None] = field(default_factory=dict)
    # Per cited URL: where its host sends it today (a site move); the target answers 404.
    moved: Mapping[str, str] = field(default_factory=dict)


class MovedPages:
    """A host whose old paths answer 301 to a new site, where they are gone; the rest as before."""

    def __init__(self, site: Site, moves: Mapping[str, str]) -> None:
        self.site = site
        self.moves = dict(moves)

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        target = self.moves.get(path.split("?", 1)[0])
        return redirect(target) if target else self.site.resolve(path, headers)


def _article(
    site: str, url: str, title: str, author: str, published: datetime, paragraphs: tuple[str, ...]
) -> SourceArticle:
    return SourceArticle(
        site=site,
        url=url,
        title=title,
        subtitle=None,
        authors=(author,),
        published=published,
        paragraphs=paragraphs,
    )


def _post(
    path: str,
    title: str,
    publication: str,
    published: datetime,
    paragraphs: tuple[str, ...],
    article: SourceArticle,
    date_line: str,
) -> TranslationPost:
    author = article.authors[0]
    lines = (article.title, f"By\xa0{author}", date_line, article.url)
    cited = CitedArticle(
        repaired_url=article.url,
        url=article.url,
        title=article.title,
        author=author,
        date=date_line,
    )
    return TranslationPost(
        path=path,
        title=title,
        publication=publication,
        comment=None,
        published=published,
        updated=published,
        labels=("アーカイブ",),
        paragraphs=paragraphs,
        citation_lines=lines,
        citations=(cited,),
    )


def _capture(article: SourceArticle, timestamp: str) -> Memento:
    return Memento(article.url, timestamp, body=render_article(article))


def _error_capture(url: str, timestamp: str) -> Memento:
    host = url.split("/")[2]
    page = NewsSite(host, TEMPLATE_BY_HOST.get(host, "generic")).error_page(404)
    return Memento(url, timestamp, status=404, body=page.body)


def _gone_article() -> ArchiveCase:
    """404 now; one capture, two days before the translation."""
    article = _article(
        "breakingdefense",
        "https://breakingdefense.com/2017/03/marines-test-f-35b-hot-reload-at-iwakuni/",
        "Marines Test F-35B Hot Reload At Iwakuni",
        "Colin Marsh",
        datetime(2017, 3, 2, 10, 15, tzinfo=EST),
        (
            "The Marine Corps completed its first hot reload of an F-35B at Marine Corps Air "
            "Station Iwakuni this week, rearming and refuelling the jet with its engine running.",
            "Ground crews from VMFA-121 loaded two GBU-32 bombs in 38 minutes, the squadron said, "
            "against a goal of 45 minutes set for the first operational deployment in Japan.",
            "The squadron moved 10 jets to Iwakuni in January, the first permanent F-35 presence "
            "outside the United States, and plans to add six more aircraft by the end of 2017.",
            "Officials said the drills will be repeated aboard amphibious ships later this year, "
            "where space on deck makes the reload sequence far harder to rehearse.",
        ),
    )
    post = _post(
        "/2017/03/f-35b.html",
        "岩国でF-35Bのホットリロードを初実施",
        "Breaking Defense",
        datetime(2017, 3, 4, 9, 30, tzinfo=JST),
        (
            "海兵隊は岩国基地でF-35Bのホットリロードを初めて実施し、エンジンを回したまま再武装と給油を行った。",
            "VMFA-121の地上要員はGBU-32爆弾2発を38分で搭載した。日本での初の実戦配備に向けた目標は45分だった。",
            "同飛行隊は1月に10機を岩国に移動しており、2017年末までにさらに6機を追加する計画だ。",
            "同様の訓練は年内に強襲揚陸艦上でも行われる予定だ。",
        ),
        article,
        "on March 02, 2017 at 10:15 AM",
    )
    url = article.url
    case = PairCase(
        post=post,
        sources={url: article},
        behaviours={url: SourceBehaviour.NOT_FOUND},
        expected_status={url: "ok"},
        note="Gone: 404 now, recovered from the one capture before the translation.",
    )
    return ArchiveCase(case, (_capture(article, "20170302184000"),), {url: "20170302184000"})


def _moved_then_gone() -> ArchiveCase:
    """The Drive's old War Zone URL: moved to twz.com, and gone there; captured the day it was
    published."""
    article = _article(
        "twz",
        "https://www.thedrive.com/the-war-zone/18230/b-52s-fly-over-korean-peninsula-again",
        "B-52s Fly Over Korean Peninsula Again",
        "Tyler Ostrom",
        datetime(2018, 2, 7, 14, 5, tzinfo=EST),
        (
            "Two B-52H bombers flew from Andersen Air Force Base on Guam over the Korean "
            "Peninsula on Tuesday, escorted by South Korean F-15K fighters for part of the route.",
            "The flight lasted roughly 10 hours and was the third such mission in 2018, according "
            "to Pacific Air Forces, which called it a routine continuous bomber presence sortie.",
            "Japanese F-2 fighters joined the bombers over the East China Sea before the aircraft "
            "returned to Guam, a pattern seen in several earlier flights of the same kind.",
            "Analysts said the timing, days before the Winter Olympics, sent a clear signal while "
            "avoiding the larger exercises that had been postponed during the games.",
        ),
    )
    post = _post(
        "/2018/02/b-52.html",
        "B-52が再び朝鮮半島上空を飛行",
        "The War Zone",
        datetime(2018, 2, 9, 7, 0, tzinfo=JST),
        (
            "B-52H爆撃機2機がグアムのアンダーセン空軍基地から朝鮮半島上空を飛行し、韓国空軍のF-15Kが一部を護衛した。",
            "飛行時間はおよそ10時間で、2018年で3回目の同様の任務となった。",
            "航空自衛隊のF-2も東シナ海上空で合流し、その後爆撃機はグアムへ戻った。",
            "冬季五輪の直前というタイミングで明確な意思表示となったとの見方がある。",
        ),
        article,
        "Published Feb 7, 2018 2:05 PM EST",
    )
    url = article.url
    case = PairCase(
        post=post,
        sources={url: article},
        behaviours={url: SourceBehaviour.NOT_FOUND},
        expected_status={url: "ok"},
        note="Moved, then gone: a 301 to twz.com, which answers 404; recovered from its capture.",
    )
    moved = {url: "https://www.twz.com/news/b-52s-fly-over-korean-peninsula-again"}
    return ArchiveCase(case, (_capture(article, "20180207231200"),), {url: "20180207231200"}, moved)


def _paywalled_now() -> ArchiveCase:
    """Behind a paywall now; captured in full before it went up."""
    article = _article(
        "defensenews",
        "https://www.defensenews.com/air/2018/09/12/japan-picks-aegis-ashore-sites-in-akita-and-yamaguchi/",
        "Japan picks Aegis Ashore sites in Akita and Yamaguchi",
        "Mina Calder",
        datetime(2018, 9, 12, 8, 40, tzinfo=EDT),
        (
            "Japan's Ministry of Defense has chosen training areas in Akita and Yamaguchi "
            "prefectures for its two Aegis Ashore ballistic missile defense sites.",
            "Each site will carry the SPY-7 radar and SM-3 Block IIA interceptors, and the "
            "ministry puts the cost of the pair at about 240 billion yen before missiles.",
            "The first site is planned to enter service in 2023, officials said, about a year "
            "later than first hoped because of the time needed for environmental surveys.",
            "Local officials in Akita asked for more explanation of the radar's effects on "
            "residents, and the ministry promised briefings before the end of the year.",
        ),
    )
    post = _post(
        "/2018/09/blog-post_14.html",
        "日本がイージス・アショア配備地に秋田と山口を選定",
        "Defense News",
        datetime(2018, 9, 14, 21, 0, tzinfo=JST),
        (
            "防衛省はイージス・アショア2カ所の配備地として秋田県と山口県の演習場を選んだ。",
            "各サイトにはSPY-7レーダーとSM-3ブロックIIA迎撃ミサイルが配備され、2カ所の費用はミサイルを除き約2400億円とされる。",
            "1カ所目は2023年の運用開始を予定しており、環境調査のため当初より約1年遅れる。",
            "秋田の地元関係者はレーダーの影響について説明を求めている。",
        ),
        article,
        "Sep 12, 2018, 8:40 AM",
    )
    url = article.url
    case = PairCase(
        post=post,
        sources={url: article},
        behaviours={url: SourceBehaviour.PAYWALLED},
        expected_status={url: "ok"},
        note="Paywalled now: the full text comes from the capture before the paywall.",
    )
    return ArchiveCase(case, (_capture(article, "20180912150000"),), {url: "20180912150000"})


def _captured_twice() -> ArchiveCase:
    """410 now; captured as published, as an error page, and rewritten months later."""
    article = _article(
        "usni",
        "https://news.usni.org/2019/05/10/navy-to-base-second-ford-class-carrier-in-norfolk",
        "Navy To Base Second Ford-Class Carrier In Norfolk",
        "Gregory Tan",
        datetime(2019, 5, 10, 16, 20, tzinfo=EDT),
        (
            "The Navy will homeport the future USS John F. Kennedy (CVN-79) in Norfolk, Va., when "
            "the carrier is delivered, the service announced on Friday.",
            "The decision keeps both Ford-class carriers on the East Coast for their first years, "
            "close to the shipyard in Newport News that builds and maintains them.",
            "CVN-79 is about 75 percent complete and is scheduled to be christened in December "
            "2019, with delivery expected in 2022 after a two-phase construction plan.",
            "The Navy said a decision on the third ship, Enterprise (CVN-80), would come later.",
        ),
    )
    rewritten = replace(
        article,
        title="Navy Reverses Course On Second Ford-Class Carrier Homeport",
        paragraphs=(
            "The Navy now says the future USS John F. Kennedy will move to the West Coast after "
            "its shakedown period, reversing a plan announced last month.",
            "Officials cited the need for more carriers in the Pacific and the crowded piers at "
            "Naval Station Norfolk, where maintenance work is already months behind.",
            "Lawmakers from Virginia said they had not been told of the change in advance.",
        ),
    )
    post = _post(
        "/2019/05/cvn-79.html",
        "フォード級空母2番艦CVN-79の母港はノーフォークに",
        "USNI News",
        datetime(2019, 5, 12, 8, 0, tzinfo=JST),
        (
            "米海軍は将来の空母ジョン・F・ケネディ（CVN-79）の母港をバージニア州ノーフォークとすると発表した。",
            "フォード級空母2隻がそろって東海岸に配備され、建造と整備を担うニューポートニューズの造船所に近い。",
            "CVN-79は約75%完成しており、2019年12月に命名式、2022年に引き渡しの予定だ。",
            "3番艦エンタープライズ（CVN-80）の母港は今後決まる。",
        ),
        article,
        "May 10, 2019 4:20 PM",
    )
    url = article.url
    mementos = (
        _capture(article, "20190510213000"),
        _error_capture(url, "20190511090000"),  # closer before, but a capture of an error page
        _capture(rewritten, "20190614120000"),
    )
    case = PairCase(
        post=post,
        sources={url: article},
        behaviours={url: SourceBehaviour.GONE},
        expected_status={url: "ok"},
        note="410 now; captured twice and once as an error page: the capture before the post.",
    )
    return ArchiveCase(case, mementos, {url: "20190510213000"})


def _never_archived() -> ArchiveCase:
    """404 now and never captured: source_not_found stays."""
    url = "https://www.thedrive.com/the-war-zone/9981/navy-laser-weapon-heads-to-the-gulf"
    post = TranslationPost(
        path="/2016/11/blog-post_21.html",
        title="米海軍のレーザー兵器がペルシャ湾へ",
        publication="The War Zone",
        comment=None,
        published=datetime(2016, 11, 21, 10, 0, tzinfo=JST),
        updated=datetime(2016, 11, 21, 10, 0, tzinfo=JST),
        labels=("アーカイブ",),
        paragraphs=(
            "米海軍はLaWSレーザー兵器を搭載した揚陸艦ポンスをペルシャ湾での運用に戻す。",
            "同兵器の出力は30キロワットで、小型ボートや無人機への対処を想定している。",
        ),
        citation_lines=(url,),
        citations=(CitedArticle(repaired_url=url, url=url),),
    )
    case = PairCase(
        post=post,
        behaviours={url: SourceBehaviour.NOT_FOUND},
        expected_status={url: "source_not_found"},
        note="Never archived: the archive has no capture, the pair stays source_not_found.",
    )
    return ArchiveCase(case, (), {url: None})


def _captured_as_another_page() -> ArchiveCase:
    """404 now; its only 200 capture is another article: source_not_found stays."""
    cited = "https://www.defensenews.com/naval/2019/01/15/japan-to-convert-izumo-for-f-35b/"
    other = _article(
        "defensenews",
        cited,
        "Army awards contract for new field kitchen trailers",
        "Nadia Ferris",
        datetime(2019, 1, 14, 9, 0, tzinfo=EST),
        (
            "The Army has awarded a contract for 400 new field kitchen trailers, replacing units "
            "that entered service in the 1990s and have become costly to maintain.",
            "Deliveries begin next spring at Fort Hood, with the rest of the fleet to follow.",
            "The trailers can feed 800 soldiers a day and run on a single generator.",
        ),
    )
    post = TranslationPost(
        path="/2019/01/f-35b_16.html",
        title="いずもをF-35B運用艦に改修へ",
        publication="Defense News",
        comment=None,
        published=datetime(2019, 1, 16, 22, 0, tzinfo=JST),
        updated=datetime(2019, 1, 16, 22, 0, tzinfo=JST),
        labels=("アーカイブ",),
        paragraphs=(
            "防衛省は護衛艦いずもをF-35Bの運用が可能な艦に改修する方針を固めた。",
            "甲板の耐熱化などの改修は2020年度から始まり、F-35Bを42機調達する計画だ。",
            "改修後の同艦は常時戦闘機を搭載する空母とは位置づけないとしている。",
        ),
        citation_lines=(cited,),
        citations=(CitedArticle(repaired_url=cited, url=cited),),
    )
    mementos = (
        Memento(cited, "20190115120000", status=302, location="https://www.defensenews.com/"),
        Memento(cited, "20190301000000", body=render_article(other)),
    )
    case = PairCase(
        post=post,
        behaviours={cited: SourceBehaviour.NOT_FOUND},
        expected_status={cited: "source_not_found"},
        note="Captured only as a homepage redirect and as another article: refused.",
    )
    return ArchiveCase(case, mementos, {cited: None})


def archive_cases() -> list[ArchiveCase]:
    """The posts whose sources the web archive decides, in publication order."""
    cases = [
        _never_archived(),
        _gone_article(),
        _moved_then_gone(),
        _paywalled_now(),
        _captured_as_another_page(),
        _captured_twice(),
    ]
    return sorted(cases, key=lambda c: c.case.post.published)


def moved_sites(sites: Mapping[str, Site]) -> dict[str, Site]:
    """The hosts of ``sites`` whose cited pages moved away, answering the moves."""
    moves: dict[str, dict[str, str]] = {}
    for archived in archive_cases():
        for url, target in archived.moved.items():
            parts = urlsplit(url)
            moves.setdefault(parts.netloc, {})[parts.path] = target
    return {host: MovedPages(sites[host], paths) for host, paths in moves.items()}


def archive_mementos() -> list[Memento]:
    """Every capture the replica's web.archive.org holds."""
    return [memento for case in archive_cases() for memento in case.mementos]
