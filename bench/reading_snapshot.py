"""Every item the reading makes of the replica's pages and of real pages, saved or compared.

A change meant to leave the reading's output as it is (a faster query, one parse instead of two)
is checked by running this script on the code before the change (``--save FILE``) and after it
(``--compare FILE``): each page goes through ``crawler.reading.page.read_post_page`` or
``read_source_page`` as in a crawl, and every item must equal the saved one.

The pages: each post of the replica's blogs (Blogger, WordPress, Hatena Blog) and the HTML page
each cited URL ends at (``bench/source_reading.py``), of the replica as served and, with
``--scale N``, of a generated blog of N posts too; with ``--realpages DIR``, the real pages of
its folders (``blogger/*.html`` read as posts; ``news/*.html`` and the benchmark's
``article-extraction-benchmark/html/*.html.gz`` as sources), and each set read as the other kind
too, whose items (errors, unparsable posts) must stay the same as well.

    .venv/bin/python bench/reading_snapshot.py --scale 300 --realpages DIR --save before.pickle
    .venv/bin/python bench/reading_snapshot.py --scale 300 --realpages DIR --compare before.pickle
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import sys
import time
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from bench.source_reading import Page, _follow, replica_pages
from crawler.reading.page import read_post_page, read_source_page
from replica.world import build_world

CRAWLED_AT = "2025-01-01T00:00:00Z"
Key = tuple[str, str, int]  # (kind, url, index among the pages of that url and kind)


def replica_posts(scale: int | None) -> Iterator[Page]:
    """The permalink page of each post of the replica's blogs, once per final URL."""
    world = build_world(scale=scale)
    paths = [(blog, case.post.path) for blog, cases in world.cases.items() for case in cases]
    paths += [(blog, case.path) for blog, cases in world.platform_cases.items() for case in cases]
    seen: set[str] = set()
    for blog, path in paths:
        page = _follow(world.sites, blog.rstrip("/") + path)
        if page is not None and page.url not in seen:
            seen.add(page.url)
            yield page


def real_pages(folder: Path) -> tuple[list[Page], list[Page]]:
    """(posts, sources) of the real pages under ``folder``."""
    posts = [
        Page(f"https://{path.stem}.blogspot.com/2020/01/post.html", "text/html", path.read_bytes())
        for path in sorted((folder / "blogger").glob("*.html"))
    ]
    sources = [
        Page(f"https://{path.stem}.example/", "text/html", path.read_bytes())
        for path in sorted((folder / "news").glob("*.html"))
    ]
    sources += [
        Page(f"https://{path.name[:12]}.example/", "text/html", gzip.decompress(path.read_bytes()))
        for path in sorted((folder / "article-extraction-benchmark" / "html").glob("*.html.gz"))
    ]
    return posts, sources


def read_all(posts: list[Page], sources: list[Page]) -> dict[Key, Any]:
    items: dict[Key, Any] = {}
    for kind, pages in (("post", posts), ("source", sources)):
        for page in pages:
            key = (kind, page.url, sum(1 for k in items if k[:2] == (kind, page.url)))
            items[key] = read(kind, page)
    return items


def read(kind: str, page: Page) -> Any:
    if kind == "post":
        return read_post_page(
            url=page.url,
            fetched_url=page.url,
            http_status=200,
            content_type=page.content_type,
            body=page.body,
            warc=None,
            crawled_at=CRAWLED_AT,
            max_bytes=0,
        )
    return read_source_page(
        cited_url=page.url,
        url=page.url,
        redirects=(),
        http_status=200,
        content_type=page.content_type,
        body=page.body,
        truncated=False,
        warc=None,
        crawled_at=CRAWLED_AT,
        max_bytes=0,
    )


def differing_fields(before: Any, after: Any) -> list[str]:
    """The names of the fields (dotted, one level down) where two items differ."""
    if not (is_dataclass(before) and is_dataclass(after)) or type(before) is not type(after):
        return ["(the item)"]
    names = []
    for field in fields(before):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old != new:
            inner = differing_fields(old, new) if is_dataclass(old) else []
            names += [f"{field.name}.{n}" for n in inner if n != "(the item)"] or [field.name]
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=None, help="also a generated blog of N posts")
    parser.add_argument("--realpages", type=Path, help="folder of real pages")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the items to this file")
    action.add_argument("--compare", type=Path, help="compare the items with this file's")
    args = parser.parse_args()
    posts, sources = list(replica_posts(None)), list(replica_pages(None))
    if args.scale:
        posts += replica_posts(args.scale)
        sources += replica_pages(args.scale)
    if args.realpages is not None:
        real_posts, real_sources = real_pages(args.realpages)
        posts += real_posts + real_sources
        sources += real_sources + real_posts
    started = time.process_time()
    items = read_all(posts, sources)
    spent = time.process_time() - started
    print(f"{len(posts)} post pages, {len(sources)} source pages read in {spent:.2f} s of CPU")
    if args.save is not None:
        args.save.write_bytes(pickle.dumps(items))
        print(f"{len(items)} items saved to {args.save}")
        return 0
    saved: dict[Key, Any] = pickle.loads(args.compare.read_bytes())
    missing = sorted(set(saved) ^ set(items))
    differ = [key for key in saved if key in items and saved[key] != items[key]]
    for key in differ:
        print(
            f"  differs: {key[0]} {key[1]}: {', '.join(differing_fields(saved[key], items[key]))}"
        )
    for key in missing:
        print(f"  only in {'the saved items' if key in saved else 'this run'}: {key[0]} {key[1]}")
    print(f"{len(saved)} items compared: {len(differ)} differ, {len(missing)} unmatched")
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
