"""The citation lines of a replica post: which lines hold a URL, and what the editor linked.

A citation block may stand after the end mark (``citation_lines``) or before the body, among
``head_lines``; either way its URL lines name the post's cited articles in order. The editor
linked URL lines to the article (a stable per-post choice leaves them as plain text); a URL
pasted from Google Docs stays wrapped in ``https://www.google.com/url?q=...`` in the text and in
the link, as the editor's autolinker found it.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import parse_qsl, urlsplit

from replica.model import TranslationPost

# A line is a URL line when it holds a scheme or a www. host, in half- or full-width letters.
URL_LINE = re.compile(r"(?:https?|ｈｔｔｐｓ?)[:：]|(?:^|[^\w.])(?:www|ｗｗｗ)[.．]", re.IGNORECASE)
GOOGLE_HOSTS = frozenset({"www.google.com", "google.com"})


def google_target(url: str) -> str | None:
    """The URL a ``https://www.google.com/url?q=...`` redirect wraps, or None for other URLs."""
    parts = urlsplit(url.strip())
    if parts.hostname not in GOOGLE_HOSTS or parts.path != "/url":
        return None
    target = dict(parse_qsl(parts.query)).get("q")
    return target if target and target.startswith(("http://", "https://")) else None


def post_lines(post: TranslationPost) -> list[str]:
    """Every line the editor wrote around the translation: head lines, then citation lines."""
    return [*post.head_lines, *post.citation_lines]


def citation_hrefs(post: TranslationPost, linkify: bool) -> list[str | None]:
    """The href of each of :func:`post_lines`, or None for a plain-text line.

    URL lines are matched in order with ``post.citations``: each links to its article's
    repaired URL, except a Google-wrapped URL, which links to itself. A post whose editor left
    the URLs as plain text (``linkify`` false) gets no link at all.
    """
    lines = post_lines(post)
    hrefs: list[str | None] = [None] * len(lines)
    if not linkify:
        return hrefs
    seen = 0
    for number, line in enumerate(lines):
        if not URL_LINE.search(line):
            continue
        if google_target(line) is not None:
            hrefs[number] = line.strip()
        elif seen < len(post.citations):
            hrefs[number] = post.citations[seen].repaired_url
        elif line.startswith(("http://", "https://")):
            hrefs[number] = line
        seen += 1
    return hrefs


def linked_line(text_html: str, href: str | None) -> str:
    """A line's HTML (already escaped), inside a link when it has one."""
    if href is None:
        return text_html
    return f'<a href="{escape(href)}" target="_blank">{text_html}</a>'
