"""parse_post on real Blogger pages of several themes (read in place, never copied)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from crawler.blogger import BloggerPost, Caption, Note, parse_post


def load(realpages: Path, name: str, url: str) -> BloggerPost:
    return parse_post((realpages / "blogger" / name).read_bytes(), url)


def test_classic_blog_python_org(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-cache-blog.python.org.html",
        "http://blog.python.org/2016/12/python-360-is-now-available.html",
    )
    assert post.url == "https://blog.python.org/2016/12/python-360-is-now-available.html"
    assert post.page_type == "item"
    assert post.post_id == "3969073602705017876"
    assert post.blog_id == "3941553907430899163"
    assert post.title == "Python 3.6.0 is now available!"
    assert post.publication is None
    assert post.published == datetime.fromisoformat("2016-12-23T05:11:00-05:00")
    assert post.published_from == "abbr"
    assert post.labels == ()
    assert "We hope you enjoy Python 3.6.0!" in post.paragraphs
    assert post.paragraphs[0].startswith("Python 3.6.0 is now available! Python 3.6.0 is the")
    assert not any("Older Post" in p or "Posted by" in p for p in post.paragraphs)
    assert post.citation is None


def test_classic_weinlachgummis(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-eval-weinlachgummis.blogspot.com.rezi.html",
        "https://weinlachgummis.blogspot.com/2017/09/rezi-love-is-war-sehnsucht-von-r-k.html",
    )
    assert post.title == "[Rezi] Love is War - Sehnsucht von R. K. Lilley"
    assert post.published == datetime.fromisoformat("2017-09-09T10:52:00+02:00")
    assert post.labels[:3] == ("2017", "4Weingummis", "Buchrezensionen")
    assert len(post.labels) == len(set(post.labels)) >= 8
    assert post.language == "de"
    assert "Buchinfos:" in post.paragraphs
    assert "ISBN: 9783453580565" in post.paragraphs


def test_newer_theme_without_abbr_luxuryhaven(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-cache-luxuryhaven.co.hyatt.html",
        "https://www.luxuryhaven.co/2019/05/nam-nghi-phu-quoc-unbound-collection-by-hyatt-officially-opens.html",
    )
    assert post.url.startswith("https://www.luxuryhaven.co/2019/05/nam-nghi-phu-quoc")
    assert post.title == "Nam Nghi Phu Quoc, The Unbound Collection by Hyatt Officially Opens"
    # The theme prints only the date header (in the post timestamp slot): no time, no offset.
    assert post.published_from == "date-header"
    assert post.published is not None and post.published.date() == date(2019, 5, 30)
    assert post.labels == ("Hotel Reviews / Staycation", "Luxury Indulgence", "Travel")
    assert "Dining and Drinking" in post.paragraphs
    assert any(
        p.startswith("Hyatt Hotels Corporation (NYSE: H) announced") for p in post.paragraphs
    )
    # The PopularPosts sidebar widget is not part of the post.
    assert not any("Bone Setter" in p or "Hot Topics" in p for p in post.paragraphs)


def test_third_party_time_theme_hassanchef(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-eval-hassanchef.com.bhindi.html",
        "https://www.hassanchef.com/2020/09/bhindi-masala-okra-stir-fry.html",
    )
    assert post.title == "Bhindi masala (okra stir fry)"  # lower-case words are no publication
    assert post.publication is None
    # Many time.published elements on the page (related posts); the post's own comes first.
    assert post.published == datetime.fromisoformat("2020-09-15T09:32:00-07:00")
    assert post.published_from == "time"
    assert post.labels == ("Veg recipes",)
    # The body opens with the title again: a note, not text.
    assert post.notes == (Note("title_repeat", "Bhindi masala"),)
    assert post.paragraphs[0].startswith("Bhindi masala is a popular recipe made with bhindi")
    assert not any("Crispy jalebi recipe" in p or "You might like" in p for p in post.paragraphs)
    assert not any('"@type"' in p for p in post.paragraphs)  # JSON-LD scripts are not text


def test_google_v2_theme(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-eval-security.googleblog.com.protection.html",
        "https://security.googleblog.com/2020/05/enhanced-safe-browsing-protection-now.html",
    )
    assert post.page_type == "item"
    assert post.post_id == "8124570213217375432"
    assert post.title == "Enhanced Safe Browsing Protection now available in Chrome"
    assert post.published_from == "itemprop"
    assert post.published is not None and post.published.date() == date(2020, 5, 19)
    assert post.labels == ()  # the sidebar Label widget is not the post's labels
    assert post.language == "en"
    assert "Tailored protections" in post.paragraphs
    assert post.paragraphs.count("Tailored protections") == 1  # template script is skipped


def test_cjk_chineselyrics4u(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-cache-chineselyrics4u.com.zhineng.html",
        "http://www.chineselyrics4u.com/2011/07/zhi-neng-xiang-nian-ni-jam-hsiao-jing.html",
    )
    assert post.title == "Zhi Neng Xiang Nian Ni - Jam Hsiao Jing Teng (只能想念你 - 蕭敬騰)"
    assert post.publication is None
    assert post.published == datetime.fromisoformat("2011-07-28T12:11:00+08:00")
    assert post.labels == ("Jam Hsiao Jing Teng", "Mandarin")
    assert "爱 逝去的爱 讨不回来" in post.paragraphs
    assert "Ai shi qu de ai tao bu hui lai" in post.paragraphs


def test_captions_plentylife(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-cache-plentylife.blogspot.pamela-reif.html",
        "https://plentylife.blogspot.com/2017/05/strong-beautiful-pamela-reif-rezension.html",
    )
    assert post.title == "Strong & Beautiful - Pamela Reif [Rezension]"
    assert post.captions == (Caption("5 von 5 Punkten", ""),)
    assert "5 von 5 Punkten" not in post.paragraphs
    assert "Buch" in post.labels


def test_captions_derpapierplanet(realpages: Path) -> None:
    post = load(
        realpages,
        "trafilatura-eval-derpapierplanet.de.juni.html",
        "https://www.derpapierplanet.de/2015/06/through-booking-glass-juni-genre.html",
    )
    assert [c.credit for c in post.captions] == [
        "Quelle: Wikipedia",
        "Quelle: girlsrockcampbatonrouge.org",
        "Quelle: State Library Louisiana",
    ]
    assert not any(p.startswith("Quelle:") for p in post.paragraphs)
    assert post.post_id == "3644483384123728422"
    assert post.published_from == "date-header"  # "Freitag, 5. Juni 2015" inside the post
    assert post.published is not None and post.published.date() == date(2015, 6, 5)
    assert post.labels == ("genres", "through the booking glass")


@pytest.mark.parametrize(
    "name",
    [
        "aeb-linknaija-34a7328535ad.html",
        "trafilatura-eval-abookshelffullofsunshine.blogspot.com.interview.html",
        "trafilatura-eval-bumsbutzener-gumpfen.blogspot.com.tach-auch.html",
        "trafilatura-eval-emacspeak.blogspot.com.meta.html",
        "trafilatura-eval-sibenlab.blogspot.com.privacy.html",
    ],
)
def test_every_item_page_parses(realpages: Path, name: str) -> None:
    post = load(realpages, name, "https://example.blogspot.com/2020/01/x.html")
    assert post.page_type == "item"
    assert post.title and post.paragraphs and post.post_id
    assert post.published is not None and post.published.tzinfo is not None


def test_index_page_excerpt(realpages: Path) -> None:
    post = load(
        realpages, "excerpt-linuxuserlog-index-multipost.html", "https://linuxuserlog.blogspot.com/"
    )
    assert post.page_type == "index"
    assert post.url == "https://linuxuserlog.blogspot.com/"
    # The first post of the page, and only its body.
    assert post.title == "iToken Itaú inválido"
    assert post.post_id == "3253744807459288724"
    assert post.published is not None and post.published.date() == date(2017, 8, 21)
    assert post.labels == ("Android", "fixes", "segurança")
    assert not any("cobrança" in p for p in post.paragraphs)


def test_a_repeated_title_is_a_note_but_a_lead_retelling_it_is_text(realpages: Path) -> None:
    emacspeak = load(
        realpages,
        "trafilatura-eval-emacspeak.blogspot.com.meta.html",
        "https://emacspeak.blogspot.com/2019/10/meta-programming-in-emacs-using.html",
    )
    # The body repeats the title with one word in another case.
    assert emacspeak.notes == (Note("title_repeat", "Meta-Programming In Emacs Using defadvice"),)
    assert emacspeak.title == "Meta-Programming In Emacs Using Defadvice"
    assert emacspeak.paragraphs[0] == "1 Introduction"
    # A news lead that shares the headline's words is longer than a heading: it stays text.
    linknaija = load(
        realpages,
        "aeb-linknaija-358cc4a08045.html",
        "https://www.linknaija.com/2018/08/breaking-news-chelsea-activate-716m.html",
    )
    assert linknaija.notes == ()
    assert linknaija.paragraphs[0].startswith("Chelsea have this morning paid")
