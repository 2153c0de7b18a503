"""Blogger pages as records: post permalink pages, citation blocks, URLs, feeds and sitemaps."""

from crawler.blogger.citation import Citation, CitationBlock, parse_citation_block
from crawler.blogger.discovery import (
    DiscoveryError,
    FeedEntry,
    FeedPage,
    Sitemap,
    SitemapEntry,
    parse_feed,
    parse_sitemap,
)
from crawler.blogger.front import Note
from crawler.blogger.post import (
    BloggerPost,
    Caption,
    PostParseError,
    parse_post,
    with_feed_date,
)
from crawler.blogger.title import split_title
from crawler.blogger.urlrepair import find_urls, repair_url
from crawler.blogger.urls import blog_root, canonical_post_url, feed_url, sitemap_url

__all__ = [
    "BloggerPost",
    "Caption",
    "Citation",
    "CitationBlock",
    "DiscoveryError",
    "FeedEntry",
    "FeedPage",
    "Note",
    "PostParseError",
    "Sitemap",
    "SitemapEntry",
    "blog_root",
    "canonical_post_url",
    "feed_url",
    "find_urls",
    "parse_citation_block",
    "parse_feed",
    "parse_post",
    "parse_sitemap",
    "repair_url",
    "sitemap_url",
    "split_title",
    "with_feed_date",
]
