"""Whether the manifest has a line for everything the archive says a crawl saw.

``verify`` reads every record of the archive; the crawl-log records among them
(crawler/items/crawllog.py) name each post and each cited source a crawl archived. Each post owes
one pair per cited URL, or one without a source (crawler/state/recording.py), and each source
was fetched because a post cited it, so its cited URL is on a line.

A crawl-log record does not name a post's cited URLs: they are in its page, and reading every
page again is ``rebuild``'s work, minutes where this check takes seconds. The crawl state holds
them, with the pair ids, as the pipeline recorded them from the same items (the ``citations``
table); for a post the state does not know (an archive merged from nodes, or copied without
``state/``), the check is that some line is the post's, and each of its sources is on a line
through the sources' own records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from crawler.archive.layout import MANIFEST_NAME, REJECTED_NAME, STATE_DIR, STATE_NAME, journals

POST = "post"
SOURCE = "source"
REBUILD_HINT = "`python -m crawler rebuild --in-place ARCHIVE_DIR` recomposes it from the archive"
STATE_HINT = "`python -m crawler state rebuild ARCHIVE_DIR` brings the crawl state up to date"


@dataclass(frozen=True)
class LoggedItem:
    """A post or a source one crawl-log record names."""

    kind: str  # POST or SOURCE
    url: str  # the post's permalink, or the source's cited URL (as repaired)
    where: str  # the record: "FILE, offset N"


@dataclass(frozen=True)
class ManifestLine:
    """What the check needs of one manifest line."""

    pair_id: str
    translation_url: str
    cited_url: str | None


def is_crawl_log(content_type: str) -> bool:
    # Imported here, as below: crawler.items imports the manifest, which imports this package.
    from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE

    return content_type.startswith(CRAWL_LOG_CONTENT_TYPE)


def logged_item(block: bytes, where: str) -> LoggedItem | None:
    """The item a crawl-log record names; None for another tool's metadata. Raises ValueError
    (UnicodeDecodeError, CrawlLogError) when the block does not decode."""
    from crawler.items.crawllog import decode_crawl_log

    fields = decode_crawl_log(block)
    kind = fields.get("kind")
    url = fields.get("url") if kind == POST else fields.get("cited_url")
    if kind not in (POST, SOURCE) or not isinstance(url, str) or not url:
        return None
    return LoggedItem(str(kind), url, where)


def coverage_problems(
    directory: Path,
    logged: Iterable[LoggedItem],
    lines: Iterable[ManifestLine],
    *,
    manifest_name: str = MANIFEST_NAME,
    notes: list[str] | None = None,
) -> list[str]:
    """One sentence per post or source of ``logged`` whose pairs are not among ``lines`` (the
    manifest) nor in a journal not folded yet (those are reported as such); what the check
    could not see is added to ``notes``."""
    logged, lines = list(logged), [*lines, *_journal_lines(directory)]
    present = {line.pair_id for line in lines}
    translations = {line.translation_url for line in lines}
    cited = {line.cited_url for line in lines if line.cited_url}
    owed = owed_pairs(directory)
    unknown = sum(1 for url in {i.url for i in logged if i.kind == POST} if url not in owed)
    if unknown and notes is not None:
        notes.append(
            f"{unknown} archived post(s) unknown to the crawl state ({STATE_DIR}/{STATE_NAME}): "
            "for those, a line of the post's own and a line for each archived source are "
            f"checked, not each cited URL; {STATE_HINT}."
        )
    rejected = {pair_id for pair_id, _ in rejected_pairs(directory)}
    problems: list[str] = []
    named_sources: set[str] = set()
    # Named by their latest record: a post fetched again owes what its latest fetch found.
    posts = {item.url: item.where for item in logged if item.kind == POST}
    sources = {item.url: item.where for item in logged if item.kind == SOURCE}
    for url, where in posts.items():
        if url in owed:
            for cited_url, pair_id in owed[url]:
                if pair_id in present:
                    continue
                if cited_url:
                    named_sources.add(cited_url)
                only = f" (its line is only in {REJECTED_NAME})" if pair_id in rejected else ""
                problems.append(
                    f"pair {pair_id} ({url}, cited {cited_url or 'nothing'}) is not in "
                    f"{manifest_name}{only}: the post was archived (crawl-log record at "
                    f"{where}) and the crawl state says it owes this pair; {REBUILD_HINT} "
                    f"(or, if a rebuild by newer code no longer finds this citation, {STATE_HINT})."
                )
        elif url not in translations:
            problems.append(
                f"post {url} has no line in {manifest_name}: it was archived (crawl-log "
                f"record at {where}); {REBUILD_HINT}."
            )
    for url, where in sorted(sources.items()):
        if url not in cited and url not in named_sources:
            problems.append(
                f"source {url} is cited by no line of {manifest_name}: it was archived "
                f"(crawl-log record at {where}); {REBUILD_HINT}."
            )
    return problems


def owed_pairs(directory: Path) -> dict[str, list[tuple[str | None, str]]]:
    """The pairs each post owes, as the crawl state recorded them: post URL -> (cited URL or
    None, pair id) each; empty when the archive has no readable state. Read-only: verify never
    writes into the archive (CrawlState would create the file, and its tables)."""
    path = Path(directory) / STATE_DIR / STATE_NAME
    if not path.is_file():
        return {}
    owed: dict[str, list[tuple[str | None, str]]] = {}
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT post_url, cited_url, pair_id FROM citations ORDER BY post_url, position"
            ).fetchall()
    except sqlite3.Error:
        return {}  # an unreadable state: the check falls back to the manifest alone
    for post_url, cited_url, pair_id in rows:
        owed.setdefault(str(post_url), []).append((cited_url, str(pair_id)))
    return owed


def rejected_pairs(directory: Path) -> list[tuple[str | None, str]]:
    """(pair id or None, one sentence) per line of rejected-pairs.jsonl: each is a line the
    manifest schema refused, a bug in the crawler to report (crawler/manifest/rejected.py)."""
    path = Path(directory) / REJECTED_NAME
    if not path.is_file():
        return []
    found: list[tuple[str | None, str]] = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            where = f"{REJECTED_NAME}, line {number}"
            try:
                record = json.loads(raw)
            except ValueError:
                found.append((None, f"{where}: not JSON (a line cut short?)."))
                continue
            if not isinstance(record, dict):
                found.append((None, f"{where}: not a JSON object."))
                continue
            pair = record.get("pair")
            pair_id = _text(pair.get("pair_id")) if isinstance(pair, dict) else None
            what = f"pair {pair_id}" if pair_id else "a line"
            translation = pair.get("translation") if isinstance(pair, dict) else None
            if isinstance(pair, dict) and isinstance(translation, dict):
                cited = _text(pair.get("cited_url"))
                what += f" ({_text(translation.get('url'))}, cited {cited})"
            kept = (
                "written repaired, with its defects"
                if record.get("defects")
                else "that could not be written"
            )
            found.append(
                (
                    pair_id,
                    f"{where}: {what} was refused by the manifest schema "
                    f"({_text(record.get('error'))}), {kept}: a bug in the crawler to report, "
                    "with this line.",
                )
            )
    return found


def _journal_lines(directory: Path) -> Iterator[ManifestLine]:
    """The lines of the journals not folded yet, as far as they read (a torn last line is
    skipped): what they lack is reported with the journal."""
    for journal in journals(directory):
        with journal.open("rb") as lines:
            for raw in lines:
                try:
                    data = json.loads(raw)
                    line = ManifestLine(
                        str(data["pair_id"]), str(data["translation"]["url"]), data["cited_url"]
                    )
                except (ValueError, KeyError, TypeError):
                    continue
                yield line


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
