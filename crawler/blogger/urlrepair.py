"""URLs as translators type them into a citation block, and the fetchable URL behind each.

Citation URLs are typed or pasted by hand: half of a URL may be full-width (``ｈｔｔｐｓ：／／``),
the scheme may be missing or mistyped, Japanese text may be glued to either end, tracking
parameters ride along, and links copied from Google come wrapped
(``https://www.google.com/url?q=https://www.twz.com/…&sa=D``). The manifest keeps the URL as
written; the crawler fetches the repaired one.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qs, parse_qsl, urlsplit, urlunsplit

from w3lib.url import safe_url_string, url_query_cleaner

from crawler.blogger import selectors as sel

__all__ = ["find_urls", "has_url", "repair_url"]


def find_urls(text: str) -> list[str]:
    """The whitespace-separated tokens of ``text`` that hold a URL, exactly as written."""
    return [
        token
        for token in text.split()
        if _url_start(unicodedata.normalize("NFKC", token)) is not None
    ]


def has_url(text: str) -> bool:
    return bool(find_urls(text))


def repair_url(written: str) -> str | None:
    """A fetchable URL from a hand-written one, or None if nothing URL-like can be recovered."""
    url = _repair(written)
    if url is None:
        return None
    target = _google_target(url)
    if target is not None:
        return _repair(target) or url
    return url


def _repair(written: str) -> str | None:
    text = unicodedata.normalize("NFKC", written).strip()
    start = _url_start(text)
    if start is None:
        return None
    text = text[start:]
    head = sel.URL_CHARS.match(text)  # cut at the first glued character (Japanese text, 「, 。)
    if head is None:
        return None
    text = _strip_trailing(sel.URL_ELLIPSIS.sub("", head.group(0)))
    if sel.URL_OTHER_SCHEME.match(text):
        return safe_url_string(text)
    explicit = sel.URL_HAS_SCHEME.match(text) is not None
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
    if not (sel.VALID_HOST.match(host) or (explicit and sel.WRITTEN_HOST.match(host))):
        return None
    if ":" in host:  # an IPv6 address, bracketed again
        host = f"[{host}]"
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


def _google_target(url: str) -> str | None:
    """The URL a ``google.*/url?q=`` redirect link leads to, if ``url`` is one."""
    parts = urlsplit(url)
    if not sel.GOOGLE_HOST.match(parts.hostname or "") or parts.path != sel.GOOGLE_REDIRECT_PATH:
        return None
    query = parse_qs(parts.query)
    for name in sel.GOOGLE_TARGET_PARAMS:
        for value in query.get(name, ()):
            if sel.URL_HAS_SCHEME.match(value):
                return value
    return None


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
