"""One line of the pairs manifest ("pairs/2") as typed values (its statuses: statuses.py).

The dataclasses mirror ``pairs.schema.json`` one to one (the tests hold them to it); every line
read or written goes through :func:`crawler.manifest.schema.validate_line` (once: a line this
process validated when it journalled it is not validated again when the journal is folded).
A side that does not apply is None here and, in the line, an object of empty values (every
line has every key, typed the same: see docs/manifest.md); lines of an earlier version are
upgraded when read (crawler/manifest/upgrade.py).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.archive.pointer import WarcPointer
from crawler.manifest.schema import (
    SCHEMA_VERSION,
    empty_json,
    is_empty,
    object_keys,
    parse_iso,
    validate_line,
)
from crawler.manifest.upgrade import upgrade_line

_BLANK_LINES = re.compile(r"\n\s*\n")


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """The ``text`` field: paragraphs joined by one blank line.

    Empty paragraphs are dropped and blank lines inside a paragraph collapsed, so that splitting
    the text on blank lines gives the paragraphs back exactly.
    """
    cleaned = (_BLANK_LINES.sub("\n", p.strip()) for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def split_paragraphs(text: str | None) -> tuple[str, ...]:
    """The paragraphs of a ``text`` field (the inverse of :func:`join_paragraphs`)."""
    return tuple(text.split("\n\n")) if text else ()


def _warc_to_json(pointer: WarcPointer | None) -> dict[str, object]:
    return empty_json("warc") if pointer is None else pointer.to_dict()


def _warc_from_json(data: dict[str, object] | None) -> WarcPointer | None:
    return None if data is None or data["filename"] is None else WarcPointer.from_dict(data)


@dataclass(frozen=True, kw_only=True)
class TranslationCaption:
    """An image caption in the post: the English photo credit and the Japanese caption."""

    credit: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"credit": self.credit, "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TranslationCaption:
        return cls(credit=data["credit"], text=data["text"])


@dataclass(frozen=True, kw_only=True)
class TranslationNote:
    """A line of the post body that is not the translation (a banner, a repeated title, ...)."""

    kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TranslationNote:
        return cls(kind=data["kind"], text=data["text"])


@dataclass(frozen=True, kw_only=True)
class TranslationSide:
    """The Japanese translation post. ``text`` is None only when the post could not be read."""

    url: str
    post_id: str | None = None
    title: str | None = None
    raw_title: str | None = None
    publication: str | None = None
    comment: str | None = None
    published: str | None = None
    labels: tuple[str, ...] = ()
    language: str | None = "ja"
    text: str | None = None
    captions: tuple[TranslationCaption, ...] = ()
    warc: WarcPointer | None = None
    notes: tuple[TranslationNote, ...] = ()
    platform: str = "blogger"  # the blogging platform the post was read as (docs/platforms.md)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return split_paragraphs(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "post_id": self.post_id,
            "title": self.title,
            "raw_title": self.raw_title,
            "publication": self.publication,
            "comment": self.comment,
            "published": self.published,
            "labels": list(self.labels),
            "language": self.language,
            "text": self.text,
            "captions": [c.to_json() for c in self.captions],
            "warc": _warc_to_json(self.warc),
            "notes": [n.to_json() for n in self.notes],
            "platform": self.platform,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TranslationSide:
        return cls(
            url=data["url"],
            post_id=data["post_id"],
            title=data["title"],
            raw_title=data["raw_title"],
            publication=data["publication"],
            comment=data["comment"],
            published=data["published"],
            labels=tuple(data["labels"]),
            language=data["language"],
            text=data["text"],
            captions=tuple(TranslationCaption.from_json(c) for c in data["captions"]),
            warc=_warc_from_json(data["warc"]),
            notes=tuple(TranslationNote.from_json(n) for n in data["notes"]),
            platform=data.get("platform") or "blogger",
        )


@dataclass(frozen=True, kw_only=True)
class CitationSide:
    """The pair's cited article as the post's citation describes it, with its date line parsed.

    ``raw`` is the post's whole citation text; the other fields describe this pair's article
    only (a block citing several articles gives each pair its own).
    """

    raw: str
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    date: str | None = None
    published: str | None = None
    url: str | None = None
    extra_urls: tuple[str, ...] = ()
    publication: str | None = None
    language: str | None = None
    rule: str | None = None  # what found the article as the source (docs/platforms.md)
    where: str | None = None  # where in the page: "end", "top", "end, line 12"

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "publication": self.publication,
            "date": self.date,
            "published": self.published,
            "url": self.url,
            "extra_urls": list(self.extra_urls),
            "language": self.language,
            "rule": self.rule,
            "where": self.where,
            "raw": self.raw,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CitationSide:
        return cls(
            raw=data["raw"],
            title=data["title"],
            subtitle=data["subtitle"],
            author=data["author"],
            date=data["date"],
            published=data["published"],
            url=data["url"],
            extra_urls=tuple(data["extra_urls"]),
            publication=data["publication"],
            language=data["language"],
            rule=data["rule"],
            where=data["where"],
        )


@dataclass(frozen=True, kw_only=True)
class SourceSide:
    """The HTTP response the cited URL led to (after redirects) and what was extracted from it."""

    cited_url: str
    url: str
    http_status: int
    redirects: tuple[str, ...] = ()
    content_type: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    language: str | None = None
    text: str | None = None
    warc: WarcPointer | None = None
    # How ``published`` was resolved (crawler/article/dates.py); lines written before the field
    # existed have none.
    published_basis: str | None = None
    # Read from a web archive's capture: the capture (url, datetime, archive) and what the live
    # URL answered (status, url, http_status). None: the source is the live page.
    memento: Mapping[str, str | None] | None = None
    live: Mapping[str, Any] | None = None
    changed_since: str | None = None  # first seen changed after this capture (state/drift.py)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return split_paragraphs(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "cited_url": self.cited_url,
            "url": self.url,
            "redirects": list(self.redirects),
            "http_status": self.http_status,
            "content_type": self.content_type,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "published_basis": self.published_basis,
            "site_name": self.site_name,
            "language": self.language,
            "text": self.text,
            "warc": _warc_to_json(self.warc),
            "memento": {key: (self.memento or {}).get(key) for key in MEMENTO_KEYS},
            "live": {key: (self.live or {}).get(key) for key in LIVE_KEYS},
            "changed_since": self.changed_since,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceSide:
        return cls(
            cited_url=data["cited_url"],
            url=data["url"],
            http_status=data["http_status"],
            redirects=tuple(data["redirects"]),
            content_type=data["content_type"],
            title=data["title"],
            author=data["author"],
            published=data["published"],
            published_basis=data["published_basis"],
            site_name=data["site_name"],
            language=data["language"],
            text=data["text"],
            warc=_warc_from_json(data["warc"]),
            memento=_present(data["memento"]),
            live=_present(data["live"]),
            changed_since=data["changed_since"],
        )


MEMENTO_KEYS = ("url", "datetime", "archive")
LIVE_KEYS = ("status", "url", "http_status")


def _present(value: Mapping[str, Any]) -> dict[str, Any] | None:
    """An object of the line, or None when every key of it is null (it does not apply)."""
    return dict(value) if any(v is not None for v in value.values()) else None


@dataclass(frozen=True, kw_only=True)
class Defect:
    """A value the schema refused when the line was written, and what it was replaced by: the
    line's field (``source.published``; ``line`` for a whole line that could not be repaired),
    the refused value (JSON values; in the line, JSON text), and the schema's message
    (crawler/manifest/repair.py)."""

    field: str
    value: Any
    error: str

    def to_json(self) -> dict[str, Any]:
        # As text, so that the column has one type whatever was refused (an object, a number).
        value = json.dumps(self.value, ensure_ascii=False, separators=(",", ":"))
        return {"field": self.field, "value": value, "error": self.error}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Defect:
        return cls(field=data["field"], value=json.loads(data["value"]), error=data["error"])


@dataclass(frozen=True, kw_only=True)
class Pair:
    """One manifest line: a translation permalink and one URL its citation block names."""

    pair_id: str
    status: str
    cited_url: str | None
    confidence: float | None
    translation: TranslationSide
    citation: CitationSide | None
    source: SourceSide | None
    evidence: dict[str, Any] | None
    error: str | None
    crawled_at: str
    crawler: dict[str, str]
    # Empty unless the line needed repair to pass the schema: then it is suspect.
    defects: tuple[Defect, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "pair_id": self.pair_id,
            "status": self.status,
            "cited_url": self.cited_url,
            # A float even when whole (a repaired 0), so that the column has one type.
            "confidence": _as_float(self.confidence),
            "translation": self.translation.to_json(),
            "citation": self.citation.to_json() if self.citation else empty_json("citation"),
            "source": self.source.to_json() if self.source else empty_json("source"),
            # A copy, so a caller mutating the line cannot reach into this frozen value.
            "evidence": _evidence(self.evidence),
            "error": self.error,
            "crawled_at": self.crawled_at,
            "crawler": {"name": None, "version": None, "spider": None} | self.crawler,
            "defects": [d.to_json() for d in self.defects],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, validate: bool = True) -> Pair:
        """Build a Pair from a parsed line; raises ManifestError when the line is not valid.

        A line of an earlier schema version is read in the current shape. ``validate=False``
        skips the schema, for a line already validated (one this process journalled): a line
        that is not valid may then raise anything, or make a pair that is not valid.
        """
        data = upgrade_line(data)
        if validate:
            validate_line(data)
        citation, source, evidence = data["citation"], data["source"], data["evidence"]
        return cls(
            pair_id=data["pair_id"],
            status=data["status"],
            cited_url=data["cited_url"],
            confidence=data["confidence"],
            translation=TranslationSide.from_json(data["translation"]),
            citation=None if citation["raw"] is None else CitationSide.from_json(citation),
            source=None if source["url"] is None else SourceSide.from_json(source),
            evidence=None if is_empty("evidence", evidence) else copy.deepcopy(evidence),
            error=data["error"],
            crawled_at=data["crawled_at"],
            # A spider is named only when there was one.
            crawler={k: v for k, v in data["crawler"].items() if v is not None},
            defects=tuple(Defect.from_json(d) for d in data["defects"]),
        )

    def validate(self) -> None:
        """Raise ManifestError unless this pair would make a valid line."""
        validate_line(self.to_json())

    @property
    def crawled_at_datetime(self) -> datetime:
        return parse_iso(self.crawled_at)

    def sort_key(self) -> tuple[bool, datetime, str, str]:
        """Manifest order: translation published time (as an instant, undated posts last), then
        translation URL, then cited URL."""
        published = self.translation.published
        when = parse_iso(published) if published else _FAR_FUTURE
        return (published is None, when, self.translation.url, self.cited_url or "")


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _evidence(evidence: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy in the schema's key order, so that every line has its keys in one order."""
    if evidence is None:
        return empty_json("evidence")
    order = object_keys("evidence")
    copied = copy.deepcopy(dict(evidence))
    return {k: copied.pop(k) for k in order if k in copied} | copied
