"""Source drift: what a fetch of a cited page again says against the page archived of it."""

from __future__ import annotations

import dataclasses

from crawler.archive.pointer import WarcPointer
from crawler.state import Observation, StatusChange
from crawler.state.drift import assess, changed_since, keeps_capture, paragraph_changes
from tests.unit.records import POINTER, source_record

ARTICLE = (
    "The Navy's next-generation frigate program has slipped again, with the first ship now "
    "expected to be delivered three years later than originally planned.",
    "Service officials told lawmakers on Tuesday that design changes and workforce shortages at "
    "the shipyard in Marinette, Wisconsin, were behind the latest delay.",
    "The Constellation class is based on an Italian design, but the Navy has made so many "
    "changes that the two ships now share only a fraction of their parts.",
    "Lawmakers pressed the service on whether the program should be restructured.",
)
LATER = WarcPointer("B.warc.gz", 4096, "<urn:uuid:later>")


def test_an_unchanged_text_has_no_paragraph_changes() -> None:
    assert paragraph_changes(ARTICLE, ARTICLE) == {"added": 0, "removed": 0, "changed": 0}


def test_a_correction_and_an_update_at_the_end_are_counted_apart() -> None:
    corrected = (
        ARTICLE[0],
        ARTICLE[1].replace("Tuesday", "Wednesday"),  # a correction
        ARTICLE[2],
        ARTICLE[3],
        "Update, 5:40 p.m.: A Navy spokesperson said the service stands by its schedule.",
    )
    assert paragraph_changes(ARTICLE, corrected) == {"added": 1, "removed": 0, "changed": 1}


def test_two_paragraphs_rewritten_into_three_and_one_dropped() -> None:
    rewritten = (
        ARTICLE[0],
        "Service officials blamed design changes for the latest delay.",
        "Workforce shortages at the Marinette shipyard made it worse, they said.",
        "Only a fraction of the parts are still shared with the Italian design.",
        ARTICLE[3],
    )
    assert paragraph_changes(ARTICLE, rewritten) == {"added": 1, "removed": 0, "changed": 2}
    assert paragraph_changes(rewritten, ARTICLE) == {"added": 0, "removed": 1, "changed": 2}
    dropped = (ARTICLE[0], ARTICLE[2], ARTICLE[3])
    assert paragraph_changes(ARTICLE, dropped) == {"added": 0, "removed": 1, "changed": 0}
    assert paragraph_changes((), ARTICLE[:2]) == {"added": 2, "removed": 0, "changed": 0}


def test_an_ok_page_of_the_live_url_is_kept() -> None:
    assert keeps_capture(source_record())
    assert not keeps_capture(None)
    assert not keeps_capture(source_record(warc=None))
    assert not keeps_capture(source_record("source_paywalled"))
    assert not keeps_capture(source_record(live={"status": "source_not_found"}))


def test_a_new_payload_of_a_kept_page_is_a_change_and_the_same_again_is_none() -> None:
    capture = source_record(payload_digest="sha1:OLD")
    edited = source_record(payload_digest="sha1:NEW", warc=LATER, fetched_at="2025-03-10")
    found = assess(capture, edited)
    assert found.keeps_capture and found.compares_texts
    assert found.observed == edited.observation()
    assert found.change == StatusChange(
        cited_url=capture.cited_url,
        fetched_at="2025-03-10",
        old_status="ok",
        new_status="ok",
        old_http_status=200,
        new_http_status=200,
        old_warc=POINTER,
        new_warc=LATER,
        old_payload_digest="sha1:OLD",
        new_payload_digest="sha1:NEW",
    )
    # Once observed, the same version again is no change; the old side is the latest seen.
    observed = dataclasses.replace(capture, observed=edited.observation())
    again = dataclasses.replace(edited, fetched_at="2025-04-10")
    assert assess(observed, again).change is None
    assert assess(observed, again).observed == again.observation()
    third = dataclasses.replace(edited, payload_digest="sha1:THIRD", fetched_at="2025-05-10")
    step = assess(observed, third).change
    assert step is not None
    assert (step.old_payload_digest, step.new_payload_digest) == ("sha1:NEW", "sha1:THIRD")


def test_a_kept_page_gone_is_a_change_without_a_text_comparison() -> None:
    capture = source_record(payload_digest="sha1:OLD")
    gone = source_record("source_not_found", 404, payload_digest="sha1:404", fetched_at="2025-04")
    found = assess(capture, gone)
    assert found.keeps_capture and not found.compares_texts
    assert found.change is not None and found.change.new_status == "source_not_found"
    observed = dataclasses.replace(capture, observed=gone.observation())
    # Another 404 page (a new ad slot in the error page): still gone, no change.
    assert assess(observed, dataclasses.replace(gone, payload_digest="sha1:405")).change is None


def test_a_passing_failure_says_nothing_of_a_kept_page() -> None:
    capture = source_record(payload_digest="sha1:OLD")
    for status, code in (("source_http_error", 503), ("source_unreachable", None)):
        found = assess(capture, source_record(status, code, warc=None))
        assert found.keeps_capture and found.observed is None and found.change is None


def test_an_outcome_that_was_not_ok_is_replaced_as_it_always_was() -> None:
    paywalled = source_record("source_paywalled", payload_digest="sha1:WALL")
    now_ok = source_record(payload_digest="sha1:FREE", fetched_at="2025-03-10")
    found = assess(paywalled, now_ok)
    assert not found.keeps_capture and found.change is not None
    assert (found.change.old_status, found.change.new_status) == ("source_paywalled", "ok")
    assert found.change.old_payload_digest == "sha1:WALL"
    # The same status again replaces the row without an entry.
    again = dataclasses.replace(paywalled, payload_digest="sha1:WALL2")
    assert assess(paywalled, again).change is None
    first = assess(None, now_ok)
    assert not first.keeps_capture and first.change is not None
    assert first.change.old_status is None


def test_changed_since_is_the_first_change_after_the_capture() -> None:
    def entry(at: str) -> StatusChange:
        return StatusChange("u", at, "ok", "ok", 200, 200, None, None)

    history = [entry("2025-02-08T00:00:00+00:00"), entry("2025-04-01T00:00:00+00:00")]
    history.append(entry("2025-03-01T09:00:00+09:00"))  # another offset: 2025-03-01T00:00Z
    assert changed_since(history, "2025-02-08T00:00:00+00:00") == "2025-03-01T09:00:00+09:00"
    assert changed_since(history[:1], "2025-02-08T00:00:00+00:00") is None
    assert changed_since([], "2025-02-08T00:00:00+00:00") is None


def test_an_observation_round_trips_through_its_dict() -> None:
    seen = Observation("ok", 200, "sha1:X", LATER, "2025-03-10T00:00:00+00:00")
    assert Observation.from_dict(seen.to_dict()) == seen


def test_a_kept_page_read_again_from_a_web_archive_is_observed_by_its_live_outcome() -> None:
    capture = source_record(payload_digest="sha1:OLD")
    live = {"status": "source_not_found", "http_status": 404, "payload_digest": "sha1:404"}
    recovered = source_record(payload_digest="sha1:MEMENTO", fetched_at="2025-04", live=live)
    found = assess(capture, recovered)
    assert found.change is not None and found.change.new_status == "source_not_found"
    assert found.observed is not None and found.observed.payload_digest == "sha1:404"
