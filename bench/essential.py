"""The work a crawl cannot avoid per page, measured on the pages of its own WARC files.

For ``bench/scale.py``, which adds the fourth component, a bare Scrapy fetch (the CPU per page of
its fetch-only spider over the same URLs). From the response records (status 200) of an archive's
WARC files, a sample of post pages and of source pages (``--sample`` of each kind, drawn with a
fixed seed) is read into memory; then each component is timed call by call, in CPU time of this
thread (so that the replica proxy's threads, if any, do not count), after warm-up calls, and the
median per call is kept:

- ``lxml.html.fromstring`` of a post page;
- ``trafilatura.bare_extraction(fast=True)`` of a source page;
- gzip (level 6, the WARC writer's default) and SHA-1 of a record of the page's size (its HTTP
  headers and payload), for posts and sources apart;
- ``json.dumps`` of a manifest line (the archive's own ``pairs.jsonl``, loaded back).

The same scan gives the time of the last crawl-log record (written on ``item_scraped``): the
crawl's last item, for its close time.

    .venv/bin/python bench/essential.py ARCHIVE_DIR [--sample 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from crawler.archive.naming import closed_warc_files
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE
from replica.world import T2_BLOG

GZIP_LEVEL = 6  # WarcArchive's default compresslevel
WARM_UP = 3  # calls of each component before the timed ones (imports, caches)


@dataclass
class Page:
    url: str
    record: bytes  # HTTP headers and payload, as a response record's block holds them
    payload: bytes


@dataclass
class Scan:
    """What one pass over an archive's WARC files found."""

    counts: dict[str, int] = field(default_factory=lambda: {"post": 0, "source": 0})
    samples: dict[str, list[Page]] = field(default_factory=lambda: {"post": [], "source": []})
    last_item: float | None = None  # epoch seconds of the latest crawl-log record


def page_kind(url: str, blog_host: str) -> str | None:
    """``post``, ``source``, or None for robots.txt, sitemaps and feeds."""
    parts = urlsplit(url)
    if parts.path.startswith("/robots.txt"):
        return None
    if parts.hostname != blog_host:
        return "source"
    if "sitemap" in parts.path or parts.path.startswith("/feeds/"):
        return None
    return "post"


def scan_archive(archive: Path, sample: int = 0, blog_host: str | None = None) -> Scan:
    """Count (and sample, up to ``sample`` of each kind) the archive's post and source pages."""
    host = blog_host or urlsplit(T2_BLOG).hostname or ""
    scan = Scan()
    chooser = random.Random(13)  # the same sample for the same archive
    for path in closed_warc_files(archive):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "metadata":
                    if record.rec_headers.get_header("Content-Type") == CRAWL_LOG_CONTENT_TYPE:
                        moment = warc_time(record.rec_headers.get_header("WARC-Date"))
                        scan.last_item = max(scan.last_item or moment, moment)
                    continue
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                kind = page_kind(url, host)
                if kind is None:
                    continue
                scan.counts[kind] += 1
                seen, kept = scan.counts[kind], scan.samples[kind]
                # Reservoir sampling: every page equally likely, in one pass.
                slot = len(kept) if len(kept) < sample else chooser.randrange(seen)
                if slot < sample:
                    payload = record.content_stream().read()
                    page = Page(url, record.http_headers.to_bytes() + payload, payload)
                    if slot == len(kept):
                        kept.append(page)
                    else:
                        kept[slot] = page
    return scan


def warc_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def median_ms(call: Callable[[bytes], object], inputs: Sequence[bytes]) -> float:
    """Median CPU milliseconds (this thread) of ``call`` over ``inputs``, after warm-up calls."""
    if not inputs:
        return 0.0
    for data in inputs[:WARM_UP]:
        call(data)
    times = []
    for data in inputs:
        started = time.thread_time_ns()
        call(data)
        times.append(time.thread_time_ns() - started)
    return statistics.median(times) / 1e6


def lxml_parse(html: bytes) -> object:
    import lxml.html

    return lxml.html.fromstring(html)


def trafilatura_fast(html: bytes) -> object:
    import trafilatura

    return trafilatura.bare_extraction(html, fast=True)


def gzip_sha1(record: bytes) -> object:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    member = compressor.compress(record) + compressor.flush()
    return hashlib.sha1(record).digest(), member


def json_dumps_ms(lines: Sequence[bytes]) -> float:
    """Median CPU ms of ``json.dumps`` alone (the dicts are loaded before the clock runs)."""
    values = [json.loads(line) for line in lines]
    if not values:
        return 0.0
    for value in values[:WARM_UP]:
        json.dumps(value, ensure_ascii=False)
    times = []
    for value in values:
        started = time.thread_time_ns()
        json.dumps(value, ensure_ascii=False)
        times.append(time.thread_time_ns() - started)
    return statistics.median(times) / 1e6


@dataclass
class Essential:
    """Median CPU ms per call of each component, and what they were measured on."""

    lxml_post: float
    extract_source: float
    gzip_post: float
    gzip_source: float
    json_line: float
    posts: int  # pages of each kind in the archive
    sources: int
    pairs: int  # lines of pairs.jsonl
    sampled: int  # pages timed, both kinds together

    def per_page(self, fetch_ms: float, pages: int) -> float:
        """ms per page of everything: the fetch on every page, each kind's work on its pages,
        a JSON line per pair."""
        if not pages:
            return 0.0
        work = self.posts * (self.lxml_post + self.gzip_post)
        work += self.sources * (self.extract_source + self.gzip_source)
        work += self.pairs * self.json_line
        return fetch_ms + work / pages


def measure(archive: Path, sample: int = 200) -> Essential:
    scan = scan_archive(archive, sample)
    posts, sources = scan.samples["post"], scan.samples["source"]
    manifest = archive / "pairs.jsonl"
    lines = manifest.read_bytes().splitlines() if manifest.exists() else []
    chosen = random.Random(13).sample(lines, min(sample, len(lines)))
    return Essential(
        lxml_post=median_ms(lxml_parse, [p.payload for p in posts]),
        extract_source=median_ms(trafilatura_fast, [p.payload for p in sources]),
        gzip_post=median_ms(gzip_sha1, [p.record for p in posts]),
        gzip_source=median_ms(gzip_sha1, [p.record for p in sources]),
        json_line=json_dumps_ms(chosen),
        posts=scan.counts["post"],
        sources=scan.counts["source"],
        pairs=len(lines),
        sampled=len(posts) + len(sources),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="pages of each kind timed")
    args = parser.parse_args()
    found = measure(args.archive, args.sample)
    print(
        f"{found.posts} posts, {found.sources} sources, {found.pairs} pairs; {found.sampled} "
        f"pages timed; median CPU ms per call: lxml parse of a post {found.lxml_post:.2f}, "
        f"bare_extraction(fast=True) of a source {found.extract_source:.2f}, gzip + sha1 of a "
        f"record {found.gzip_post:.2f} (post) / {found.gzip_source:.2f} (source), json.dumps of "
        f"a manifest line {found.json_line:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
