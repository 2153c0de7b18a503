"""The body HTML of a replica Blogger post, written the ways Blogger's post editor writes it.

Per post, a stable hash picks the editor habits: ``<p>`` paragraphs, ``<div>`` lines with
``<div><br /></div>`` spacers, or bare text split by ``<br />``; ``<span style>`` wrappers;
caption tables between paragraphs; linked or plain citation URLs. Whatever the habit, the text
of each block (stripped of the newlines the editor puts between tags) is exactly a head line,
paragraph or citation line of the :class:`TranslationPost`, in that order, with the end mark
"■" on a line of its own or glued to the last paragraph. Bulleted paragraphs are ``<li>`` items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from html import escape

from replica.model import Caption, EndMark, TranslationPost
from replica.sites.blogger_citation import URL_LINE, citation_hrefs, linked_line, post_lines

SPAN_STYLES = (
    "font-family: &quot;Hiragino Kaku Gothic ProN&quot;, Meiryo, sans-serif;",
    "font-size: medium;",
    "color: #222222; font-family: Arial, sans-serif; font-size: 15px;",
)
DROP_CAP_STYLE = "float: left; font-size: 3em; line-height: 1; margin-right: 0.08em;"
BLOCK_MARK = "■"
__all__ = ["BLOCK_MARK", "URL_LINE", "display_title", "plain_text", "render_body", "snippet"]


def pick(key: str, salt: str, choices: int) -> int:
    """A stable choice among ``choices`` for one post: the same on every run and machine."""
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % choices


def html_text(text: str) -> str:
    """Escape text for an HTML text node; NBSP is written as the editor writes it."""
    return escape(text, quote=False).replace("\u00a0", "&nbsp;")


def display_title(post: TranslationPost) -> str:
    """The title line as the blog shows it.

    ``post.display_title`` when the case gives the line exactly as written; else the blog's
    convention ``{title}({publication})―{comment}``, where about one post in five uses
    full-width brackets.
    """
    if post.display_title is not None:
        return post.display_title
    title = post.title
    if post.publication:
        full_width = pick(post.path, "brackets", 5) == 0
        title += f"（{post.publication}）" if full_width else f"({post.publication})"
    if post.comment:
        title += f"―{post.comment}"
    return title


def body_lines(post: TranslationPost) -> list[str]:
    """The post body's lines as a reader sees them, captions left out."""
    paragraphs = list(post.paragraphs)
    mark = post.mark
    if mark is EndMark.GLUED and paragraphs:
        paragraphs[-1] += BLOCK_MARK
    tail = [BLOCK_MARK] if mark is EndMark.LINE else []
    return [*post.head_lines, *paragraphs, *tail, *post.citation_lines]


def plain_text(post: TranslationPost) -> str:
    """The post's text as Blogger flattens it for snippets and summaries."""
    return " ".join(" ".join(line.split()) for line in body_lines(post))


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


def _caption_slots(post: TranslationPost) -> dict[int, list[int]]:
    """Before which paragraph each caption goes; never after the body's last paragraph."""
    count = len(post.paragraphs)
    lead = pick(post.path, "lead-image", 2) == 0
    slots: dict[int, list[int]] = {}
    for number, caption in enumerate(post.captions):
        spread = (number + 1) * count // (len(post.captions) + 1)
        slot = 0 if lead and number == 0 else spread
        if caption.before is not None:
            slot = caption.before
        slots.setdefault(max(0, min(slot, count - 1)), []).append(number)
    return slots


def render_body(post: TranslationPost, post_id: str) -> str:
    """The inner HTML of ``div.post-body`` for ``post``."""
    style = ("p", "div", "br")[pick(post.path, "style", 3)]
    spacer = style != "p" or pick(post.path, "p-spacer", 2) == 0
    blank = {"p": "<p>&nbsp;</p>", "div": "<div><br /></div>", "br": "<br />"}[style]
    parts: list[str] = []

    def block(inner: str, spaced: bool = False) -> None:
        if spaced and spacer:
            parts.append(blank)
        if style == "p":
            parts.append(f"<p>{inner}</p>")
        elif style == "div":
            parts.append(f"<div>{inner}</div>")
        else:
            parts.append(f"{inner}<br />")

    hrefs = iter(citation_hrefs(post, linkify=pick(post.path, "linkify", 3) != 0))
    lines = iter(post_lines(post))
    for number, _ in enumerate(post.head_lines):
        block(linked_line(html_text(next(lines)), next(hrefs)), spaced=number > 0)
    _paragraphs(post, post_id, parts, block, spaced=bool(post.head_lines))
    if post.mark is EndMark.LINE:
        block(BLOCK_MARK, spaced=True)
    if post.citation_lines:
        cited = [linked_line(html_text(next(lines)), next(hrefs)) for _ in post.citation_lines]
        after_mark = post.mark is EndMark.LINE
        if pick(post.path, "citation-layout", 2) == 0:
            for number, line in enumerate(cited):
                block(line, spaced=number == 0 and not after_mark)
        else:
            block("<br />\n".join(cited), spaced=not after_mark)
    return "\n".join(parts)


def _paragraphs(
    post: TranslationPost,
    post_id: str,
    parts: list[str],
    block: Callable[[str, bool], None],
    spaced: bool,
) -> None:
    """The paragraphs, with caption tables between them and bulleted runs in ``<ul>`` lists."""
    slots = _caption_slots(post)
    listing = False
    for number, paragraph in enumerate(post.paragraphs):
        for caption in slots.get(number, []):
            if listing:
                parts.append("</ul>")
                listing = False
            parts.append(caption_table(post, post_id, caption, post.captions[caption]))
        inner = _inline(post, number, paragraph, post.drop_cap and number == post.drop_cap_at)
        if post.mark is EndMark.GLUED and number == len(post.paragraphs) - 1:
            inner += BLOCK_MARK
        if number in post.bullets:
            if not listing:
                parts.append("<ul>")
                listing = True
            parts.append(f"<li>{inner}</li>")
            continue
        if listing:
            parts.append("</ul>")
            listing = False
        block(inner, bool(number) or spaced)
    if listing:
        parts.append("</ul>")
    if not post.paragraphs:
        for number, caption_item in enumerate(post.captions):
            parts.append(caption_table(post, post_id, number, caption_item))


def first_image(post: TranslationPost, post_id: str) -> str | None:
    return image_url(post_id, 0) if post.captions else None


def label_list(labels: Sequence[str]) -> list[str]:
    """Labels in the order Blogger lists them: sorted, case-insensitively."""
    return sorted(labels, key=str.casefold)
