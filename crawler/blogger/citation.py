"""The citation block after a translation's ``■`` mark, and repair of the URLs written in it.

The block is typed by hand, so its lines are classified by what they look like rather than by
position alone: the first line is the English title, a ``By`` line names the author(s), a line
that parses as a date with a year is the date line, lines holding a URL are the sources, and a
line between the title and those is the subtitle. Lines after the URLs (the blog's footer) stay
in ``raw`` only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import safe_url_string, url_query_cleaner

from crawler.blogger import selectors as sel
from crawler.dates import parse_date_line

__all__ = ["CitationBlock", "find_urls", "parse_citation_block", "repair_url"]


@dataclass(frozen=True)
class CitationBlock:
    raw: str
    title: str | None
    subtitle: str | None
    author: str | None
    date: str | None
    url: str | None
    extra_urls: tuple[str, ...]
    repaired_urls: tuple[str, ...]
    published: datetime | None


def find_urls(text: str) -> list[str]:
    """The whitespace-separated tokens of ``text`` that hold a URL, exactly as written."""
    return [
        token
        for token in text.split()
        if _url_start(unicodedata.normalize("NFKC", token)) is not None
    ]


def repair_url(written: str) -> str | None:
    """A fetchable URL from a hand-written one, or None if nothing URL-like can be recovered."""
    text = unicodedata.normalize("NFKC", written).strip()
    start = _url_start(text)
    if start is None:
        return None
    text = text[start:]
    head = sel.URL_CHARS.match(text)  # cut at the first glued character (Japanese text, 「, 。)
    if head is None:
        return None
    text = _strip_trailing(sel.URL_ELLIPSIS.sub("", head.group(0)))
    typed_scheme = sel.URL_BAD_SCHEME.match(text)
    if typed_scheme:
        scheme = "https" if "s" in typed_scheme.group(0).lower() else "http"
        text = f"{scheme}://{text[typed_scheme.end() :]}"
    elif text.startswith("//"):
        text = "https:" + text
    elif not sel.URL_HAS_SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if not sel.VALID_HOST.match(host):
        return None
    netloc = f"{host}:{port}" if port and port not in (80, 443) else host
    url = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
    tracking = [
        name
        for name, _ in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower().startswith(sel.TRACKING_PREFIX) or name.lower() in sel.TRACKING_PARAMS
    ]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False)
    return safe_url_string(url)


def parse_citation_block(
    lines: Sequence[str],
    hrefs: Sequence[str] = (),
    *,
    line_hrefs: Sequence[Sequence[str]] | None = None,
) -> CitationBlock:
    """Parse the lines after ``■``.

    ``hrefs`` are the targets of the links in the block, in order. A caller that knows which
    line each link sits on passes ``line_hrefs`` instead (one sequence per line): that tells a
    linked source line ("原文") from a linked footer line, which a flat list cannot.
    """
    texts = [line.strip() for line in lines]
    keep = [i for i, text in enumerate(texts) if text]
    texts = [texts[i] for i in keep]
    loose: list[str] = []
    if line_hrefs is not None and len(line_hrefs) == len(lines):
        per_line = [tuple(_web(line_hrefs[i])) for i in keep]
    else:
        per_line, loose = _attribute(texts, _web(hrefs))

    text_urls = [find_urls(text) for text in texts]
    author_at = next((i for i, t in enumerate(texts) if i and sel.AUTHOR_LINE.match(t)), None)
    date_at = next(
        (i for i, t in enumerate(texts) if i and not text_urls[i] and _is_date_line(t)), None
    )
    url_lines = _url_lines(text_urls, per_line, {author_at, date_at})
    written: list[str] = []
    for i in url_lines:
        written.extend(_written_urls(text_urls[i], per_line[i]))
    if not written:
        written = loose[:1]

    first_meta = min((i for i in (author_at, date_at, *url_lines) if i is not None), default=None)
    title = texts[0] if texts and first_meta != 0 else None
    subtitle = None
    if title is not None and len(texts) > 1 and (first_meta is None or first_meta > 1):
        subtitle = texts[1]
    author = None
    if author_at is not None:
        match = sel.AUTHOR_LINE.match(texts[author_at])
        author = " ".join(match.group("author").split()) if match else None
    date = texts[date_at] if date_at is not None else None
    repaired: list[str] = []
    for url in written:
        fixed = repair_url(url)
        if fixed and fixed not in repaired:
            repaired.append(fixed)
    return CitationBlock(
        raw="\n".join(texts),
        title=title,
        subtitle=subtitle,
        author=author,
        date=date,
        url=written[0] if written else None,
        extra_urls=tuple(written[1:]),
        repaired_urls=tuple(repaired),
        published=parse_date_line(date) if date else None,
    )


def looks_like_citation(lines: Sequence[str], line_hrefs: Sequence[Sequence[str]]) -> bool:
    """Whether lines after a ``■`` read as a citation block: a URL, a ``By`` line or a date line.

    Japanese lines never count: a ``■`` heading inside the body is followed by more body.
    """
    for i, line in enumerate(lines):
        if find_urls(line):
            return True
        if i == 0 or sel.CJK_CHAR.search(line):
            continue
        if sel.AUTHOR_LINE.match(line) or _web(line_hrefs[i]) or _is_date_line(line):
            return True
    return False


def _url_lines(
    text_urls: list[list[str]], per_line: list[tuple[str, ...]], taken: set[int | None]
) -> list[int]:
    with_text = [i for i, urls in enumerate(text_urls) if urls]
    if with_text:
        return with_text
    # No URL typed out: the source is a link whose text is not a URL ("原文", the title). Only
    # the first such line after the title counts; a linked line after it is the blog's footer.
    linked = [i for i, hrefs in enumerate(per_line) if hrefs and i not in taken]
    if not linked:
        return []
    return [next((i for i in linked if i > 0), linked[0])]


def _written_urls(text_urls: list[str], hrefs: tuple[str, ...]) -> list[str]:
    """URLs of one line: the visible text when it is a complete URL, else the link target."""
    if not text_urls:
        return list(hrefs[:1])
    written = []
    for text in text_urls:
        complete = repair_url(text) is not None and not sel.URL_ELLIPSIS.search(text)
        written.append(text if complete or not hrefs else hrefs[0])
    return written


def _attribute(texts: list[str], hrefs: list[str]) -> tuple[list[tuple[str, ...]], list[str]]:
    """Put each link on the line that names its host; links naming no host stay loose."""
    per_line: list[list[str]] = [[] for _ in texts]
    loose: list[str] = []
    for href in hrefs:
        host = (urlsplit(href).hostname or "").removeprefix("www.")
        for i, text in enumerate(texts):
            if host and host in unicodedata.normalize("NFKC", text).lower():
                per_line[i].append(href)
                break
        else:
            loose.append(href)
    return [tuple(line) for line in per_line], loose


def _web(hrefs: Sequence[str]) -> list[str]:
    return [h.strip() for h in hrefs if sel.URL_HAS_SCHEME.match(h.strip())]


def _is_date_line(text: str) -> bool:
    if len(text) > sel.DATE_LINE_MAX_CHARS or not sel.YEAR.search(text):
        return False
    return parse_date_line(text) is not None


def _url_start(text: str) -> int | None:
    match = sel.URL_START.search(text)
    return match.start() if match else None


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        if (
            last in sel.URL_TRAILING
            or last == "("
            or (last in sel.URL_BRACKETS and url.count(sel.URL_BRACKETS[last]) < url.count(last))
        ):
            url = url[:-1]
        else:
            break
    return url
