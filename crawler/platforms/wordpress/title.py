"""A WordPress post's title: the title itself, without the blog's name or its decoration.

Translation blogs decorate their titles: a bracketed tag before it (``【翻訳】``, ``【海外記事】``,
``[和訳]``), the source outlet after a bar or in parentheses (``タイトル｜Breaking Defense``,
``タイトル（The War Zone）``), and the document title adds the blog's name (``タイトル – ブログ名``,
``タイトル | ブログ名``). The heading (``h1.entry-title``) has no blog name; the ``<title>`` and
``og:title`` have it, and ``og:site_name`` names the blog. A bracketed tag or a bar segment is
the publication only when it reads as an outlet's name (Latin script, or an outlet the blogs
cite, :func:`crawler.blogger.title.publication_name`); otherwise a bracketed tag is decoration
and stays in ``raw_title`` only.
"""

from __future__ import annotations

from crawler.blogger.title import publication_name, split_title
from crawler.platforms.wordpress import selectors as sel

__all__ = ["split_wordpress_title", "without_blog_name"]


def without_blog_name(text: str, blog_name: str | None) -> str:
    """``text`` without a trailing (or leading) ``| blog name`` / ``– blog name`` segment."""
    if not blog_name:
        return text
    parts = sel.TITLE_SEPARATORS.split(text)
    name = " ".join(blog_name.split())
    if len(parts) > 1 and " ".join(parts[-1].split()) == name:
        return text[: text.rfind(parts[-1])].rstrip(" ｜|–—-:»").strip()
    if len(parts) > 1 and " ".join(parts[0].split()) == name:
        return text[len(parts[0]) :].lstrip(" ｜|–—-:»").strip()
    return text


def split_wordpress_title(
    raw: str, blog_name: str | None = None
) -> tuple[str, str | None, str | None]:
    """(title, comment, publication) of a post's title line as a translation blog writes it."""
    text = without_blog_name(" ".join(raw.split()), blog_name)
    publication = None
    prefix = sel.TITLE_PREFIX.match(text)
    if prefix is not None:
        inner = next(group for group in prefix.groups() if group)
        publication = publication_name(inner)
        text = text[prefix.end() :].strip() or text
    parts = sel.TITLE_SEPARATORS.split(text)
    if len(parts) > 1 and (name := publication_name(parts[-1])) is not None:
        publication = publication or name
        text = text[: text.rfind(parts[-1])].rstrip(" ｜|–—-:»").strip()
    # The Blogger form too: タイトル（Publication）―comment.
    title, comment, named = split_title(text)
    return title, comment, publication or named
