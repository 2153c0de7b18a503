"""A Hatena Blog post's title: the title itself, without the blog's name or its decoration.

The heading (``h1.entry-title``) is the title as the author wrote it; the document title and
``og:title`` add the blog's name after a hyphen (``タイトル - ブログ名``), and the blog's name is
on the page (``<html data-blog-name>``, ``og:site_name``). Translators decorate the title as on
any platform (``【翻訳】タイトル｜Publication``, ``タイトル（Publication）``): the forms are read
by the WordPress profile's title rules, which know no platform.
"""

from __future__ import annotations

from crawler.platforms.wordpress.title import split_wordpress_title, without_blog_name

__all__ = ["split_hatena_title", "without_blog_name"]


def split_hatena_title(
    raw: str, blog_name: str | None = None
) -> tuple[str, str | None, str | None]:
    """(title, comment, publication) of a post's title line."""
    return split_wordpress_title(raw, blog_name)
