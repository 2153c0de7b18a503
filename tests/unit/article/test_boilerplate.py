"""Page furniture dropped from extracted text: credits, comment notices, share and newsletter
prompts, link lines, layout-table pipes; and the article's own sentences that must stay.

The strings are the two the issue quotes and lines written here in the phrasing such furniture
has on news sites; the real pages beside the project are read in place by the last tests.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from crawler.article import extraction
from crawler.article.boilerplate import clean_lines, is_boilerplate, unwrap_layout_row
from crawler.pairing.textmetrics import token_f1

# The issue's two lines (a layout table's image-credit row, a comment-policy note).
ISSUE_CREDIT_ROW = "| Sailors line the rails of the ship as it returns to port. (Courtesy photo) |"
ISSUE_NOTE = (
    "Note: we are temporarily moderating all comments submitted to our site. Comments will "
    "appear once they have been reviewed."
)


@pytest.mark.parametrize(
    "line",
    [
        ISSUE_NOTE,
        # Credits and captions.
        "The first stage on its test stand in March. (credit: NASA/Jane Roe)",
        "A Marine Corps F-35B lands aboard the ship. (U.S. Navy photo)",
        "Protesters gather outside the parliament on Tuesday. (AP Photo/John Doe)",
        "The new fighter during a test flight. (Photo by Jane Roe/Getty Images)",
        "Main image credit: Getty",
        "Photo: Reuters",
        # Comment sections and policies.
        "Comments",
        "12 Comments",
        "Comments (4)",
        "Leave a comment",
        "View comments",
        "Join the conversation",
        "Comments are closed.",
        "Comments have been disabled for this story.",
        "Commenting is closed for this article.",
        "Please read our comment policy before commenting.",
        # Share prompts.
        "Share this:",
        "Share this article",
        "Click to share on Twitter (Opens in new window)",
        "Share on Facebook",
        "Like this story? Share it with a friend!",
        "Email this article",
        "Like this:",
        "Like Loading...",
        # Newsletters and follow prompts.
        "Subscribe to our newsletter",
        "Sign up for the Morning Briefing newsletter",
        "Get the latest updates right in your inbox. Subscribe to our newsletters.",
        "Get the day's top headlines delivered to your inbox every morning by subscribing.",
        "Daily Digest Newsletter",
        "Follow us on Twitter @example and on Facebook.",
        "Follow the Opinion section on Facebook, Twitter and Instagram.",
        # Links to other articles; print and reprint tools.
        "Related: Navy Orders Two More Destroyers",
        "[Related: The Army's New Rifle In Pictures]",
        "Read more: Shipyard strike enters its third week",
        "READ MORE: Pentagon budget request explained",
        "You may also like...",
        "DON'T MISS",
        "Most read in world news",
        "- Order Reprints",
        "This copy is for your personal, non-commercial use only.",
    ],
)
def test_furniture_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        # Article sentences that speak of comments, shares, photos, newsletters, following.
        "A spokesperson for the company declined to comment.",
        "The Navy did not respond to a request for comment by the time of publication.",
        "Shares of the shipbuilder fell 4% in early trading on Monday.",
        "The minister shared a photo of the launch on social media.",
        "The commission closed its public comment period in March after receiving 2,000 letters.",
        "Officials said the image (taken in 2019) shows the site before construction began.",
        "Subscribers to the service can follow the launch live.",
        "The newsletter's founder said it now has 40,000 paying readers.",
        "Related programs at the agency were cut by a third.",
        "Most read the report as a warning to the industry.",
        "Follow-on orders are expected next year, the company said.",
        "The company said the post violated its community standards.",
        "Comments by the admiral drew criticism from lawmakers on both sides.",
        "Like this year's exercise, the next one will be held off Hawaii.",
    ],
)
def test_article_sentences_stay(line: str) -> None:
    assert not is_boilerplate(line)


def test_a_credit_row_of_a_layout_table_is_dropped() -> None:
    assert unwrap_layout_row(ISSUE_CREDIT_ROW).endswith("(Courtesy photo)")
    assert clean_lines([ISSUE_CREDIT_ROW]) == []


def test_layout_table_rows_lose_their_pipes() -> None:
    text = "Engineers finished installing the four engines this month, the agency said."
    assert unwrap_layout_row(f"| {text} |") == text
    assert unwrap_layout_row(f"| | {text} |") == text
    assert unwrap_layout_row(r"| A \| B |") == "A | B"


def test_data_table_rows_stay_as_they_are() -> None:
    rows = ["| Ticker | Last | Change |", "|---|---|---|", "| ABC | 10.5 | -0.2 |", "|---|"]
    assert clean_lines(rows) == rows


def test_a_share_button_glued_to_a_sentence_is_cut_off() -> None:
    sentence = "Small teams ship faster than large ones."
    assert clean_lines([f"{sentence}Click To Tweet"]) == [sentence]


def test_long_paragraphs_are_never_dropped() -> None:
    paragraph = "Share this: " + "the program has grown every year since it began. " * 10
    assert clean_lines([paragraph]) == [paragraph]


def test_extract_article_drops_furniture_from_the_text() -> None:
    body = "".join(
        f"<p>{p}</p>"
        for p in (
            "The Navy has ordered two more destroyers, the service said on Tuesday, expanding a "
            "class that has grown every year since the first ship was commissioned.",
            "Officials said the new ships would carry an updated radar and a longer-range "
            "missile, and that the first of them should reach the fleet by the end of 2029.",
            "The program office declined to comment on the unit cost but said the order stays "
            "within the budget approved by Congress last year.",
            "Share this:",
            ISSUE_NOTE,
        )
    )
    html = f"<html><body><article><h1>Navy orders destroyers</h1>{body}</article></body></html>"
    text = extraction.extract_article(html, "https://news.example.org/a").text
    assert "declined to comment" in text
    assert "Share this" not in text and "moderating" not in text


def _real_pages(realpages: Path) -> list[tuple[str, bytes, str]]:
    pages = []
    folder = realpages / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for item_id, item in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{item_id}.html.gz").read_bytes())
        pages.append((item.get("url") or "https://example.org/", html, item["articleBody"]))
    for reference in sorted((realpages / "news").glob("*.ground-truth.json")):
        item = json.loads(reference.read_text(encoding="utf-8"))
        html_path = reference.with_name(reference.name.replace(".ground-truth.json", ".html"))
        url = item.get("url") or "https://example.org/"
        pages.append((url, html_path.read_bytes(), item["articleBody"]))
    return pages


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def test_on_real_pages_dropped_lines_are_not_the_article(
    realpages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On real pages with a hand-made reference text, what the rules drop is rarely in it, and
    the extracted text gets closer to the reference, never farther on average."""
    monkeypatch.setattr(extraction, "clean_lines", list)  # the lines as trafilatura left them
    dropped = in_reference = 0
    before: list[float] = []
    after: list[float] = []
    for url, html, reference in _real_pages(realpages):
        raw = extraction.extract_article(html, url).paragraphs
        cleaned = clean_lines(raw)
        folded = _fold(reference)
        for line in raw:
            if not clean_lines([line]):
                dropped += 1
                in_reference += _fold(unwrap_layout_row(line))[:50] in folded
        before.append(token_f1("\n\n".join(raw), reference)[2])
        after.append(token_f1("\n\n".join(cleaned), reference)[2])
    assert dropped >= 20
    assert in_reference / dropped <= 0.15
    assert sum(after) >= sum(before)
