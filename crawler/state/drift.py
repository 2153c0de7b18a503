"""Source drift: what a cited page fetched again says against what the archive holds of it.

The one place that decides what a change of a source is, for the crawl state
(``CrawlState.record_source``), the pairs pipeline and ``rebuild`` alike:

- A source whose capture is an ``ok`` page of the live URL keeps it: the translation was made from
  the version captured first, so that page stays the pair's source text and ``source.warc``
  whatever a later fetch answers (:func:`keeps_capture`). Any other earlier outcome (and a page
  read from a web archive's capture) is replaced by the new one.
- A later fetch of a kept source is an observation when it read a page (``ok``, paywalled, not
  HTML) or found the page gone (``source_not_found``); a passing failure (an HTTP error, a reset,
  a cut-off body, a refusal) says nothing of the page and is no observation.
- An observation is a change when its status, HTTP status or payload digest differs from the
  latest observation's; repeated identical observations are no change (:func:`assess`).
- A change between two ``ok`` pages is summed up by the paragraphs added, removed and changed
  (:func:`paragraph_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from typing import Any

from crawler.archive.pointer import WarcPointer
from crawler.state.rules import PAGE_STATUSES, Observation, SourceRecord, StatusChange

OK = "ok"
NOT_FOUND = "source_not_found"
# The outcomes of a later fetch that say something of the kept page: it read as a page, or gone.
OBSERVED_STATUSES = frozenset({OK, "source_paywalled", "source_not_html", NOT_FOUND})


@dataclass(frozen=True)
class Assessment:
    """What recording a new outcome of a cited URL does."""

    keeps_capture: bool  # the row keeps the earlier capture; the new outcome is an observation
    observed: Observation | None  # the latest observation it becomes (with keeps_capture)
    change: StatusChange | None  # the history entry, without its paragraph summary
    compares_texts: bool  # both the latest observation and the new outcome are ok pages


def keeps_capture(capture: SourceRecord | None) -> bool:
    """Whether a source's pairs keep their capture whatever a later fetch answers: an ok page
    read from the live URL (a web archive's copy gives way to the live page once it answers)."""
    return (
        capture is not None
        and capture.status == OK
        and capture.warc is not None
        and capture.live is None
    )


def assess(capture: SourceRecord | None, new: SourceRecord) -> Assessment:
    """What recording ``new`` does to the source whose row is ``capture`` (None: none yet)."""
    if capture is None or not keeps_capture(capture):
        # The outcome is replaced, as it always was; a change of status is its history.
        old = capture.observation() if capture is not None else None
        if old is not None and (old.status, old.http_status) == (new.status, new.http_status):
            return Assessment(False, None, None, False)
        return Assessment(False, None, _change(old, new), False)
    if new.live is not None:
        # Read from a web archive's capture: the live URL's own outcome is what was observed.
        new = _live_record(new, new.live)
    if new.status not in OBSERVED_STATUSES:
        return Assessment(True, None, None, False)
    latest, observed = capture.observation(), new.observation()
    same_page = not (latest.status in PAGE_STATUSES and new.status in PAGE_STATUSES) or (
        latest.payload_digest == new.payload_digest
    )
    if (latest.status, latest.http_status) == (new.status, new.http_status) and same_page:
        return Assessment(True, observed, None, False)
    both_ok = latest.status == OK and new.status == OK
    return Assessment(True, observed, _change(latest, new), both_ok)


def _live_record(new: SourceRecord, live: dict[str, Any]) -> SourceRecord:
    warc = live.get("warc")
    return replace(
        new,
        status=live.get("status") or new.status,
        http_status=live.get("http_status"),
        payload_digest=live.get("payload_digest"),
        warc=WarcPointer.from_dict(warc) if warc else None,
        memento=None,
        live=None,
    )


def _change(old: Observation | None, new: SourceRecord) -> StatusChange:
    return StatusChange(
        cited_url=new.cited_url,
        fetched_at=new.fetched_at,
        old_status=old.status if old else None,
        new_status=new.status,
        old_http_status=old.http_status if old else None,
        new_http_status=new.http_status,
        old_warc=old.warc if old else None,
        new_warc=new.warc,
        old_payload_digest=old.payload_digest if old else None,
        new_payload_digest=new.payload_digest,
    )


def paragraph_changes(old: Sequence[str], new: Sequence[str]) -> dict[str, int]:
    """How many paragraphs ``new`` adds to ``old``, removes from it and rewrites: a paragraph
    replaced counts as changed, what a replaced run has beyond the other's length as added or
    removed."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = i2 - i1, j2 - j1
        if tag == "insert":
            counts["added"] += after
        elif tag == "delete":
            counts["removed"] += before
        elif tag == "replace":
            counts["changed"] += min(before, after)
            counts["added"] += max(0, after - before)
            counts["removed"] += max(0, before - after)
    return counts


def changed_since(history: Iterable[StatusChange], captured_at: str) -> str | None:
    """When the source was first seen changed after the capture its pairs take (taken at
    ``captured_at``), or None: the entries of a kept source are the ones after its capture."""
    captured = _moment(captured_at)
    later = [c.fetched_at for c in history if _moment(c.fetched_at) > captured]
    return min(later, key=_moment) if later else None


def _moment(text: str) -> datetime:
    """A recorded time; one without an offset is UTC, one that is not a time the earliest."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
