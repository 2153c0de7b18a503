"""A realistic manifest built from the replica corpus (synthetic texts), and a small WARC file.

Every case of ``replica.corpus.load_cases("t2")`` gives one pair per cited URL, with the status
the case expects, the case's own texts and dates, and a confidence that depends only on the
pair's position. The first ``ok`` pair points into a real WARC file written with warcio: its
translation response is gzip Content-Encoded, its source response is not.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive.pointer import WarcPointer
from crawler.corpus import SentenceAlignment
from crawler.manifest import (
    CitationSide,
    Defect,
    Pair,
    SourceSide,
    TranslationSide,
    join_paragraphs,
    pair_id,
    read_manifest,
    write_manifest,
)
from replica.corpus import PUBLICATIONS, load_blog, load_cases
from replica.model import PairCase
from tests.unit.manifest.builders import (
    BLOG,
    CITED_URL,
    evidence,
    full_pair,
    minimal_pair,
)
from tests.unit.manifest.builders import citation as manifest_citation
from tests.unit.manifest.builders import source as manifest_source
from tests.unit.manifest.builders import translation as manifest_translation

CRAWLED_AT = "2025-07-01T00:00:00Z"
WARC_DATE = "2025-07-01T00:00:00Z"
CRAWLER = {"name": "bitext-crawler", "version": "0.1.0"}
WARC_NAME = "BITEXT-20250701000000000-00000-test.warc.gz"
MISMATCH_CONFIDENCE = 0.12
# What a status leaves on the source side: HTTP status, content type, whether text was kept.
_FAILED_SOURCES: dict[str, tuple[int, str]] = {
    "source_not_found": (404, "text/html; charset=UTF-8"),
    "source_http_error": (500, "text/html; charset=UTF-8"),
    "source_not_html": (200, "application/pdf"),
    "source_paywalled": (200, "text/html; charset=UTF-8"),
    "source_truncated": (200, "text/html; charset=UTF-8"),
}
# Statuses whose line has no source (the schema requires null there).
_WITHOUT_RESPONSE = {
    "no_citation",
    "source_unreachable",
    "source_blocked_by_robots",
    "source_refused",
    "source_not_fetched",
    "translation_unparsable",
    "translation_unavailable",
}


@dataclass(frozen=True)
class CorpusFixture:
    archive: Path
    manifest: Path
    pairs: list[Pair]  # in manifest order
    cases: list[PairCase]
    archived: Pair  # the pair whose records are in the WARC file
    translation_body: bytes  # the archived payloads, before any Content-Encoding
    source_body: bytes


def ok_confidence(index: int) -> float:
    """Spread over 0.55..0.99 by position, so histograms and quantiles have work to do."""
    return round(0.55 + 0.44 * ((index * 37) % 100) / 99, 3)


def _evidence(pair_ja: str, pair_en: str | None, confidence: float) -> dict[str, Any]:
    ratio = len(pair_en.strip()) / len(pair_ja.strip()) if pair_en else None
    return evidence(
        length_ratio=ratio,
        source_newer_than_translation=False,
        components={"prior": confidence},
    )


def translation_url(case: PairCase) -> str:
    return f"https://{load_blog('t2').host}{case.post.path}"


def build_pairs(cases: list[PairCase]) -> list[Pair]:
    pairs: list[Pair] = []
    for case in cases:
        post = case.post
        translation = TranslationSide(
            url=translation_url(case),
            title=post.title,
            raw_title=post.title,
            publication=post.publication,
            comment=post.comment,
            published=post.published.isoformat(),
            labels=post.labels,
            text=join_paragraphs(post.paragraphs),
        )
        for cited, status in case.expected_status.items():
            pairs.append(_pair(case, translation, cited or None, status, len(pairs)))
    return pairs


def _pair(
    case: PairCase, translation: TranslationSide, cited: str | None, status: str, index: int
) -> Pair:
    citation = None
    if cited is not None:
        citation = CitationSide(
            raw="\n".join(case.post.citation_lines) or cited,
            title=case.post.citation.title if case.post.citation else None,
            url=cited,
        )
    source = None
    confidence = None
    error: str | None = f"synthetic failure: {status}"
    article = case.sources.get(cited or "")
    if status in ("ok", "source_mismatch"):
        assert cited is not None and article is not None
        source = SourceSide(
            cited_url=cited,
            url=article.url,
            http_status=200,
            redirects=(cited,) if article.url != cited else (),
            content_type="text/html; charset=UTF-8",
            title=article.title,
            author=" and ".join(article.authors),
            published=article.published.isoformat(),
            site_name=PUBLICATIONS[article.site],
            language="en",
            text=join_paragraphs(article.paragraphs),
        )
        confidence = ok_confidence(index) if status == "ok" else MISMATCH_CONFIDENCE
        error = None if status == "ok" else error
    elif status in _FAILED_SOURCES:
        assert cited is not None
        http_status, content_type = _FAILED_SOURCES[status]
        if case.behaviours.get(cited) is not None and case.behaviours[cited].value == "gone":
            http_status = 410
        source = SourceSide(
            cited_url=cited, url=cited, http_status=http_status, content_type=content_type
        )
    elif status not in _WITHOUT_RESPONSE:
        raise AssertionError(f"no builder rule for status {status!r}")
    evidence = None
    if confidence is not None:
        assert source is not None
        evidence = _evidence(translation.text or "", source.text, confidence)
    return Pair(
        pair_id=pair_id(translation.url, cited),
        status=status,
        cited_url=cited,
        confidence=confidence,
        translation=replace(translation, text=None)
        if status.startswith("translation_")
        else translation,
        citation=citation,
        source=source,
        evidence=evidence,
        error=error,
        crawled_at=CRAWLED_AT,
        crawler=dict(CRAWLER),
    )


def synthetic_html(title: str, paragraphs: tuple[str, ...], lang: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><!-- synthetic test page -->{body}</body></html>"
    ).encode()


def _write_response(writer: WARCWriter, url: str, body: bytes, gzipped: bool) -> tuple[int, str]:
    payload = gzip.compress(body, mtime=0) if gzipped else body
    headers = [("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", str(len(payload)))]
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(payload),
        length=len(payload),
        http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": WARC_DATE},
    )
    offset = writer.out.tell()
    writer.write_record(record)
    return offset, record.rec_headers.get_header("WARC-Record-ID")


def build_archive(folder: Path) -> CorpusFixture:
    """Write ``folder/pairs.jsonl`` and one WARC file into ``folder`` (an archive directory)."""
    cases = load_cases("t2")
    pairs = build_pairs(cases)
    index = next(i for i, p in enumerate(pairs) if p.status == "ok")
    chosen = pairs[index]
    assert chosen.source is not None
    translation_body = synthetic_html(
        chosen.translation.title or "", chosen.translation.paragraphs, "ja"
    )
    source_body = synthetic_html(chosen.source.title or "", chosen.source.paragraphs, "en")
    with (folder / WARC_NAME).open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        t_offset, t_id = _write_response(writer, chosen.translation.url, translation_body, True)
        s_offset, s_id = _write_response(writer, chosen.source.url, source_body, False)
    archived = replace(
        chosen,
        translation=replace(chosen.translation, warc=WarcPointer(WARC_NAME, t_offset, t_id)),
        source=replace(chosen.source, warc=WarcPointer(WARC_NAME, s_offset, s_id)),
    )
    pairs[index] = archived
    manifest = folder / "pairs.jsonl"
    write_manifest(manifest, pairs)
    return CorpusFixture(
        archive=folder,
        manifest=manifest,
        pairs=list(read_manifest(manifest)),
        cases=cases,
        archived=archived,
        translation_body=translation_body,
        source_body=source_body,
    )


@dataclass(frozen=True)
class FakeBead:
    ja: tuple[int, ...]
    en: tuple[int, ...]
    kind: str
    score: float


class PositionalAligner:
    """A stand-in aligner: the first two Japanese units against the first English one (2-1),
    then one to one by position, the leftovers of the longer side unaligned."""

    def paragraphs(self, ja: Sequence[str], en: Sequence[str]) -> list[FakeBead]:
        return self._beads(len(ja), len(en))

    def sentences(self, ja: Sequence[str], en: Sequence[str]) -> SentenceAlignment:
        ja_sentences = tuple(s + "。" for p in ja for s in p.split("。") if s)
        en_sentences = tuple(s for p in en for s in p.split(". ") if s)
        return SentenceAlignment(
            ja_sentences, en_sentences, tuple(self._beads(len(ja_sentences), len(en_sentences)))
        )

    @staticmethod
    def _beads(n_ja: int, n_en: int) -> list[FakeBead]:
        beads = []
        i = j = 0
        if n_ja >= 2 and n_en >= 1:
            beads.append(FakeBead((0, 1), (0,), "2-1", 0.25))
            i, j = 2, 1
        while i < n_ja and j < n_en:
            beads.append(FakeBead((i,), (j,), "1-1", 0.5 + i / 100))
            i, j = i + 1, j + 1
        beads += [FakeBead((k,), (), "1-0", 0.1) for k in range(i, n_ja)]
        beads += [FakeBead((), (k,), "0-1", 0.1) for k in range(j, n_en)]
        return beads


# Several archives, shaped to trip loaders that type columns file by file: one whose lines all
# failed (no citation, no response, no evidence: every nested object empty, every list []),
# one of fully populated lines (redirects, extra URLs, captions, notes, a defect), the replica
# corpus, and a generated one of 2,000 pairs mixing them.
_GENERATED_STATUSES = (
    "ok",
    "ok",
    "source_not_found",
    "ok",
    "no_citation",
    "source_unreachable",
    "ok",
    "source_mismatch",
    "translation_unavailable",
    "ok",
)


def error_pairs() -> list[Pair]:
    """Lines of failures only: every nested object empty, every list [] on every line."""
    statuses = ("no_citation", "source_unreachable", "translation_unavailable", "source_refused")
    return [
        minimal_pair(status, f"{BLOG}/2024/12/failed-{n}.html") for n, status in enumerate(statuses)
    ]


def full_pairs() -> list[Pair]:
    """Fully populated lines, one of them with a defect."""
    suspect = replace(
        full_pair(),
        defects=(Defect(field="source.language", value="en_US", error="synthetic defect"),),
    )
    other_url = f"{BLOG}/2025/02/another.html"
    other = full_pair(
        pair_id=pair_id(other_url, CITED_URL),
        translation=manifest_translation(other_url),
    )
    return [suspect, other]


def generated_pairs(count: int) -> list[Pair]:
    """``count`` pairs of mixed statuses and shapes, the same for the same ``count``."""
    pairs = []
    for n in range(count):
        status = _GENERATED_STATUSES[n % len(_GENERATED_STATUSES)]
        url = f"{BLOG}/20{10 + n % 15}/{1 + n % 12:02d}/generated-{n}.html"
        pair = minimal_pair(status, url)
        if status in ("ok", "source_mismatch"):
            cited = f"https://www.twz.com/generated/{n}"
            side = manifest_source(
                cited,
                redirects=(cited,) if n % 3 == 0 else (),
                url=f"{cited}-final" if n % 3 == 0 else cited,
            )
            confidence = ok_confidence(n) if status == "ok" else MISMATCH_CONFIDENCE
            pair = replace(
                pair,
                pair_id=pair_id(url, cited),
                cited_url=cited,
                confidence=confidence,
                translation=manifest_translation(
                    url, captions=manifest_translation().captions if n % 5 == 0 else ()
                ),
                citation=manifest_citation(url=cited, extra_urls=() if n % 4 else (cited + "/2",)),
                source=side,
                evidence=evidence(
                    title_similarity=None if n % 6 == 0 else 0.9,
                    source_newer_than_translation=False,
                    length_ratio=2.5 + n % 10 / 10,
                    components={"prior": 0.05, "title": None if n % 6 == 0 else 0.3},
                ),
                defects=(Defect(field="source.language", value="en_US", error="synthetic"),)
                if n % 250 == 0
                else (),
            )
        pairs.append(pair)
    return pairs


def write_archives(folder: Path, generated: int = 2000) -> list[Path]:
    """The manifests of several archives under ``folder`` (each ``NAME/pairs.jsonl``)."""
    manifests = []
    for name, pairs in [
        ("failures", error_pairs()),
        ("full", full_pairs()),
        ("replica", build_pairs(load_cases("t2"))),
        ("generated", generated_pairs(generated)),
    ]:
        (folder / name).mkdir(parents=True, exist_ok=True)
        path = folder / name / "pairs.jsonl"
        write_manifest(path, pairs)
        manifests.append(path)
    return manifests
