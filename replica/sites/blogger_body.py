"""The body HTML of a replica Blogger post, written the ways Blogger's post editor writes it.

Per post, a stable hash picks the editor habits: ``<p>`` paragraphs, ``<div>`` lines with
``<div><br /></div>`` spacers, or bare text split by ``<br />``; ``<span style>`` wrappers;
caption tables between paragraphs; linked or plain citation URLs. Whatever the habit, the text
of each block (stripped of the newlines the editor puts between tags) is exactly the paragraph
or citation line of the :class:`TranslationPost`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from html import escape

from replica.model import Caption, TranslationPost

SPAN_STYLES = (
    "font-family: &quot;Hiragino Kaku Gothic ProN&quot;, Meiryo, sans-serif;",
    "font-size: medium;",
    "color: #222222; font-family: Arial, sans-serif; font-size: 15px;",
)
DROP_CAP_STYLE = "float: left; font-size: 3em; line-height: 1; margin-right: 0.08em;"
# A line is a URL line when it holds a scheme or a www. host, in half- or full-width letters.
URL_LINE = re.compile(r"(?:https?|ｈｔｔｐｓ?)[:：]|(?:^|[^\w.])(?:www|ｗｗｗ)[.．]", re.IGNORECASE)
BLOCK_MARK = "■"


def pick(key: str, salt: str, choices: int) -> int:
    """A stable choice among ``choices`` for one post: the same on every run and machine."""
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % choices


def html_text(text: str) -> str:
    """Escape text for an HTML text node; NBSP is written as the editor writes it."""
    return escape(text, quote=False).replace("\u00a0", "&nbsp;")


def display_title(post: TranslationPost) -> str:
    """``{title}―{comment}({publication})``; about one post in five uses full-width brackets."""
    title = post.title
    if post.comment:
        title += f"―{post.comment}"
    if post.publication:
        full_width = pick(post.path, "brackets", 5) == 0
        title += f"（{post.publication}）" if full_width else f"({post.publication})"
    return title


def plain_text(post: TranslationPost) -> str:
    """The post's text as Blogger flattens it for snippets and summaries."""
    lines = [*post.paragraphs]
    if post.citation_lines:
        lines += [BLOCK_MARK, *post.citation_lines]
    return " ".join(" ".join(line.split()) for line in lines)


def snippet(post: TranslationPost, limit: int) -> str:
    text = plain_text(post)
    return text if len(text) <= limit else text[:limit] + "..."


def image_url(post_id: str, index: int, size: str = "s1600") -> str:
    """A blogger.googleusercontent.com style image URL (synthetic, never fetched)."""
    token = hashlib.sha256(f"{post_id}/{index}".encode()).hexdigest()[:40]
    return f"https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsE{token}/{size}/photo.jpg"


def caption_table(post: TranslationPost, post_id: str, index: int, caption: Caption) -> str:
    """Blogger's ``tr-caption-container`` table: the image row, then the caption row."""
    src = image_url(post_id, index)
    separator = " " if pick(post.path, f"caption-sep-{index}", 4) == 0 else "<br />"
    return (
        '<table align="center" cellpadding="0" cellspacing="0" class="tr-caption-container" '
        'style="margin-left: auto; margin-right: auto;"><tbody>\n'
        f'<tr><td style="text-align: center;"><a href="{src}" '
        'style="margin-left: auto; margin-right: auto;"><img border="0" '
        f'data-original-height="1080" data-original-width="1920" height="360" src="{src}" '
        'width="640" /></a></td></tr>\n'
        f'<tr><td class="tr-caption" style="text-align: center;">{html_text(caption.credit)}'
        f"{separator}{html_text(caption.text)}</td></tr>\n</tbody></table>"
    )


def _inline(post: TranslationPost, index: int, text: str, drop_cap: bool) -> str:
    """One paragraph's inline HTML: optional drop cap and ``<span style>`` wrappers."""
    wrap = pick(post.path, "span", 3)
    style = SPAN_STYLES[pick(post.path, "span-style", len(SPAN_STYLES))]
    head, tail = "", text
    if wrap == 2 and "。" in text[:-1] and pick(post.path, f"split-{index}", 2):
        cut = text.index("。") + 1
        head, tail = text[:cut], text[cut:]
    if drop_cap and text:
        first = head or tail
        cap = f'<span style="{DROP_CAP_STYLE}">{html_text(first[0])}</span>'
        if head:
            head_html, tail_html = cap + html_text(head[1:]), html_text(tail)
        else:
            head_html, tail_html = cap, html_text(tail[1:])
    else:
        head_html, tail_html = html_text(head), html_text(tail)
    if wrap == 0:
        return head_html + tail_html
    if head:
        return f'{head_html}<span style="{style}">{tail_html}</span>'
    return f'<span style="{style}">{head_html}{tail_html}</span>'


def citation_hrefs(post: TranslationPost) -> list[str | None]:
    """The href each citation line is linked to, or None for a plain-text line.

    URL lines are matched in order with ``citation.repaired_urls``; a post whose editor left
    the URLs as plain text (a stable per-post choice) gets no link at all.
    """
    hrefs: list[str | None] = [None] * len(post.citation_lines)
    if pick(post.path, "linkify", 3) == 0:
        return hrefs
    repaired = list(post.citation.repaired_urls) if post.citation else []
    seen = 0
    for number, line in enumerate(post.citation_lines):
        if not URL_LINE.search(line):
            continue
        if seen < len(repaired):
            hrefs[number] = repaired[seen]
        elif line.startswith(("http://", "https://")):
            hrefs[number] = line
        seen += 1
    return hrefs


def _citation_line(line: str, href: str | None) -> str:
    if href is None:
        return html_text(line)
    return f'<a href="{escape(href)}" target="_blank">{html_text(line)}</a>'


def _caption_slots(post: TranslationPost) -> dict[int, list[int]]:
    """Before which paragraph each caption goes; never after the body's last paragraph."""
    count = len(post.paragraphs)
    lead = pick(post.path, "lead-image", 2) == 0
    slots: dict[int, list[int]] = {}
    for number in range(len(post.captions)):
        spread = (number + 1) * count // (len(post.captions) + 1)
        slot = 0 if lead and number == 0 else spread
        slots.setdefault(max(0, min(slot, count - 1)), []).append(number)
    return slots


def render_body(post: TranslationPost, post_id: str) -> str:
    """The inner HTML of ``div.post-body`` for ``post``."""
    style = ("p", "div", "br")[pick(post.path, "style", 3)]
    spacer = style != "p" or pick(post.path, "p-spacer", 2) == 0
    blank = {"p": "<p>&nbsp;</p>", "div": "<div><br /></div>", "br": "<br />"}[style]
    parts: list[str] = []

    def block(inner: str) -> None:
        if style == "p":
            parts.append(f"<p>{inner}</p>")
        elif style == "div":
            parts.append(f"<div>{inner}</div>")
        else:
            parts.append(f"{inner}<br />")

    slots = _caption_slots(post)
    for number, paragraph in enumerate(post.paragraphs):
        for caption in slots.get(number, []):
            parts.append(caption_table(post, post_id, caption, post.captions[caption]))
        if number and spacer:
            parts.append(blank)
        block(_inline(post, number, paragraph, post.drop_cap and number == 0))
    if not post.paragraphs:
        for number, caption_item in enumerate(post.captions):
            parts.append(caption_table(post, post_id, number, caption_item))
    if post.citation_lines:
        if spacer:
            parts.append(blank)
        block(BLOCK_MARK)
        lines = [
            _citation_line(line, href)
            for line, href in zip(post.citation_lines, citation_hrefs(post), strict=True)
        ]
        if pick(post.path, "citation-layout", 2) == 0:
            for line in lines:
                block(line)
        else:
            block("<br />\n".join(lines))
    return "\n".join(parts)


def first_image(post: TranslationPost, post_id: str) -> str | None:
    return image_url(post_id, 0) if post.captions else None


def label_list(labels: Sequence[str]) -> list[str]:
    """Labels in the order Blogger lists them: sorted, case-insensitively."""
    return sorted(labels, key=str.casefold)
