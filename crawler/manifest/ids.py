"""The pair id: the same (translation, cited URL) pair gets the same id in every crawl."""

from __future__ import annotations

import hashlib

PAIR_ID_LENGTH = 16  # hex characters: 64 bits, collision-free far beyond any blog's size


def pair_id(translation_url: str, cited_url: str | None) -> str:
    """First 16 hex characters of sha256 over ``translation_url + "\\n" + cited_url``.

    ``translation_url`` is the post's canonical permalink and ``cited_url`` the repaired cited
    URL, exactly as the manifest line stores them (``translation.url`` and ``cited_url``), so
    anyone can recompute the id from a line. A post without a citation uses the empty string.
    Depending on nothing but those two strings keeps the id stable across crawls and machines.
    """
    if not translation_url or any(c.isspace() for c in translation_url):
        raise ValueError(f"not a translation URL: {translation_url!r}")
    # A newline inside either URL would make two different pairs hash the same text.
    if cited_url and any(c.isspace() for c in cited_url):
        raise ValueError(f"a cited URL cannot contain whitespace: {cited_url!r}")
    text = f"{translation_url}\n{cited_url or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:PAIR_ID_LENGTH]
