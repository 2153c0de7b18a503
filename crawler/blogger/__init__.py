"""Blogger pages as records: post permalink pages, citation blocks, URLs, feeds and sitemaps."""

from crawler.blogger.citation import CitationBlock, parse_citation_block, repair_url
from crawler.blogger.discovery import (
    DiscoveryError,
    FeedEntry,
    FeedPage,
    Sitemap,
    SitemapEntry,
    parse_feed,
    parse_sitemap,
)
from crawler.blogger.post import BloggerPost, Caption, PostParseError, parse_post, split_title
from crawler.blogger.urls import blog_root, canonical_post_url, feed_url, sitemap_url

__all__ = [
    "BloggerPost",
    "Caption",
    "CitationBlock",
    "DiscoveryError",
    "FeedEntry",
    "FeedPage",
    "PostParseError",
    "Sitemap",
    "SitemapEntry",
    "blog_root",
    "canonical_post_url",
    "feed_url",
    "parse_citation_block",
    "parse_feed",
    "parse_post",
    "parse_sitemap",
    "repair_url",
    "sitemap_url",
    "split_title",
]
