"""The fault matrix: every fault a crawl is said to survive, run through one harness.

Each case injects one fault into crawls of the fault world (tests/faults/world.py), runs what
docs/reliability.md says recovers from it (usually the next crawl, unchanged), and then requires
what every case requires (:func:`evaluate`): ``python -m crawler verify`` exits 0, the manifest
equals the session's uninterrupted crawl's once the fields that differ between any two crawls
are normalised (tests/faults/harness.py), every journal is folded and no line rejected, no
process of any crawl outlived it, a killed crawl's lock was taken over, no file holds the
proxy's credentials and every file name is the crawler's own.

A case is one entry of :data:`CASES`; most need only a fault spec (tests/faults/inject.py). The
cases run side by side, a few at a time (:data:`PARALLEL`), once per session, before the first
test asks for its result; only the cases selected for the session run.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
import sqlite3
import stat
import time
import traceback
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.faults.conftest import Reference
from tests.faults.harness import (
    PROXY_SECRET,
    PROXY_USER,
    VOLATILE,
    Harness,
    Run,
    differing_fields,
    manifest_lines,
    normalised,
)
from tests.faults.world import BLOG, HOSTILE_TITLE_POST, FaultWorld

pytestmark = pytest.mark.e2e

PARALLEL = 6  # cases at a time: a crawl waits (the slow drip, retries) a third of its time
KILLED = -9  # Popen's returncode for SIGKILL
REJECTED = "rejected-pairs.jsonl"  # lines the manifest could not take: none, in a recovered archive
WORKER = {"BITEXT_PARSE_WORKERS": "1"}

Step = Callable[[Harness, Reference], None]
# Where in the crawl a fault strikes, in the crawl's own counts. The reference crawl makes about
# 60 HTTP exchanges, 45 crawl-log records and 33 journal lines; a fault whose point the crawl
# never reaches fails its case ("the fault ... never happened").
EARLY = 3  # exchanges: robots.txt, the sitemap index and one more list; no post yet
HALF_EXCHANGES = 30
HALF_METADATA = 20
HALF_PAIRS = 16


@dataclass(frozen=True)
class Case:
    """One fault: what the first crawl meets, and what it must exit with."""

    fault: str | None = None  # injected into the first crawl (tests/faults/inject.py)
    expect: int = 0  # the first crawl's exit code
    prepare: Step | None = None  # before the first crawl
    during: Callable[[Harness], None] | None = None  # while the first crawl is paused
    between: Step | None = None  # what the operator does before the next crawl
    recover: bool = True  # then one crawl, unchanged, which must exit 0
    extra: tuple[str, ...] = ()  # arguments of the first crawl
    umask: int = -1  # of every crawl of the case (-1: the test's own)
    workers: bool = False  # read pages in a parse worker (WORKER), in every crawl of the case
    check: Step | None = None  # what this case requires besides what every case does


# Faults at points of a running crawl.


def exchange(action: str, number: int = HALF_EXCHANGES) -> str:
    """``action`` once the crawl has archived ``number`` HTTP exchanges."""
    return f"{action}@exchange:{number}"


def hostile(path: str) -> str:
    return f"https://www.faults-news-synthetic.com{path}"


LONG_URL_POST = BLOG.rstrip("/") + "/2025/04/blog-post_24.html"  # cites a URL over 2083 chars


# Faults around the archive, set up before a crawl.


def copy_reference(harness: Harness, ref: Reference) -> None:
    """The archive a finished uninterrupted crawl left."""
    shutil.copytree(ref.archive, harness.archive)


def delete_state(harness: Harness, ref: Reference) -> None:
    copy_reference(harness, ref)
    for path in (harness.archive / "state").glob("crawl.sqlite*"):
        path.unlink()


def garbage_state(harness: Harness, ref: Reference) -> None:
    copy_reference(harness, ref)
    for path in (harness.archive / "state").glob("crawl.sqlite*"):
        path.unlink()
    (harness.archive / "state" / "crawl.sqlite").write_bytes(b"not a database\n" * 512)


def remove_damaged_state(harness: Harness, ref: Reference) -> None:
    """What the crawl's error message says to do with a damaged state database."""
    (harness.archive / "state" / "crawl.sqlite").unlink()


def truncate_warc(harness: Harness, ref: Reference) -> None:
    """A closed WARC file cut short after the crawl that wrote it (a bad copy, a full backup
    disk): the cut falls inside the request record of an exchange halfway through the file (its
    response record is whole), and every record after it is gone."""
    copy_reference(harness, ref)
    (warc,) = harness.archive.glob("*.warc.gz")
    with warc.open("rb") as stream:
        records = ArchiveIterator(stream)
        requests = []
        for record in records:
            if record.rec_type == "request":
                requests.append(records.get_record_offset())
    start = requests[len(requests) // 2]
    with warc.open("r+b") as stream:
        stream.seek(start)
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(stream.read())
        member = stream.tell() - start - len(inflater.unused_data)
        stream.truncate(start + member // 2)


def lose_source_outcome(url: str) -> Step:
    """The archive a first crawl leaves when it recorded a post but neither journalled its pair
    nor recorded the outcome of the source it cites (a write failed in between: a full disk, a
    locked database): the pair is in no journal or manifest, the source in no state."""

    def prepare(harness: Harness, ref: Reference) -> None:
        copy_reference(harness, ref)
        (pair_id,) = [p for p, pair in ref.raw.items() if pair["translation"]["url"] == url]
        manifest = harness.archive / "pairs.jsonl"
        lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if pair_id not in line]
        manifest.write_text("".join(kept), encoding="utf-8")
        with sqlite3.connect(harness.archive / "state" / "crawl.sqlite") as db:
            cited = db.execute(
                "SELECT cited_url FROM citations WHERE pair_id = ?", (pair_id,)
            ).fetchone()[0]
            db.execute("DELETE FROM sources WHERE cited_url = ?", (cited,))
            db.execute("DELETE FROM journaled WHERE pair_id = ?", (pair_id,))

    return prepare


def lock_note(text: str) -> Step:
    def prepare(harness: Harness, ref: Reference) -> None:
        harness.archive.mkdir()
        (harness.archive / ".lock").write_text(text, encoding="utf-8")

    return prepare


STALE_NOTE = json.dumps({"pid": 4_000_000, "host": "gone-synthetic", "since": "2025-01-01T03:00"})


# Faults from another process while the crawl runs (it is paused at the fault's point).


def second_crawl(harness: Harness) -> None:
    warcs = sorted(harness.archive.glob("*.warc.gz*"))
    refused = harness.crawl()
    assert refused.returncode == 3, refused.stderr
    assert "is being written by another crawl (pid " in refused.stderr
    assert sorted(harness.archive.glob("*.warc.gz*")) == warcs  # it opened nothing


def exports(harness: Harness) -> None:
    """What a researcher runs on an archive while its daily crawl is under way."""
    source = ["--archive", str(harness.archive)]
    out = harness.base / "during.jsonl"
    export = harness.command("pairs", "export", *source, "--format", "jsonl", "-o", str(out))
    assert export.returncode == 0, export.stderr
    stats = harness.command("pairs", "stats", *source)
    assert stats.returncode == 0, stats.stderr
    (harness.base / "during-stats.txt").write_text(stats.stdout, encoding="utf-8")


def the_export_saw_the_previous_manifest(harness: Harness, ref: Reference) -> None:
    before = harness.command("pairs", "export", str(ref.archive), "--format", "jsonl")
    assert before.returncode == 0, before.stderr
    assert (harness.base / "during.jsonl").read_text(encoding="utf-8") == before.stdout


# What some cases require besides the common checks.


def took_over(note: str) -> Step:
    def check(harness: Harness, ref: Reference) -> None:
        assert "ended without releasing it; repairing what it left" in harness.runs[0].log
        assert note in harness.runs[0].log

    return check


def repaired_torn_warc(harness: Harness, ref: Reference) -> None:
    assert "left open by a killed crawl: kept " in harness.runs[1].log
    assert "bytes from the end" in harness.runs[1].log


def cut_torn_journal_line(harness: Harness, ref: Reference) -> None:
    assert "ignored an incomplete last line" in harness.runs[1].log


def stopped(harness: Harness, ref: Reference) -> None:
    """A graceful stop mid-crawl: the command says so, and the stopped crawl still wrote its
    manifest, in which what it did not get to is source_not_fetched."""
    first = harness.runs[0]
    assert "the crawl closed with shutdown" in first.stderr, first.stderr
    assert "closed (shutdown)" in first.log and "source_not_fetched" in first.log


def stopped_at_the_budget(harness: Harness, ref: Reference) -> None:
    """A graceful stop while the last download drips in: it is stopped at its time budget (not
    left to DOWNLOAD_TIMEOUT), and the crawl closes."""
    first = harness.runs[0]
    assert "the crawl closed with shutdown" in first.stderr, first.stderr
    assert f"stopped {hostile('/slow-drip')} after " in first.log


def disk_error_reported(harness: Harness, ref: Reference) -> None:
    """The failed write is an ERROR the log names, and the command's one line says it failed."""
    first = harness.runs[0]
    errors = ("No space left on device", "database or disk is full")
    assert any(error in first.log for error in errors), first.log[-3000:]
    last = first.stderr.splitlines()[-1] if first.stderr else ""
    assert last.startswith("bitext-crawler: exit 1: blogger: failed"), first.stderr


def damaged_state_refused(harness: Harness, ref: Reference) -> None:
    stderr = harness.runs[0].stderr
    assert "crawl state database" in stderr and "move it aside" in stderr, stderr


def shared_modes(harness: Harness, ref: Reference) -> None:
    for path in [harness.archive, *harness.archive.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def disk(action: str, write: str, number: int = 1) -> Case:
    """The disk fills up (``full``), or fails one write (``enospc``), inside the ``number``-th
    write of a kind (tests/faults/inject.py, DISK_WRITES)."""
    return Case(fault=f"{action}@{write}:{number}", expect=1, check=disk_error_reported)


# The close points run: "fold" is left out (a finished crawl has no pair waiting, so the crawl
# is as it is at "pipeline"), and so are "state" (every state write is committed as it is made:
# closing the database writes nothing), "index" (the archive "index-tmp" leaves, without the
# temporary file) and "lock" (the lock-stale case is that archive).
CLOSE_POINTS = ("pipeline", "manifest-tmp", "manifest", "warc", "index-tmp")

CASES: dict[str, Case] = {
    # No fault: a second uninterrupted crawl (test_two_clean_crawls_differ_only_in_volatile_fields).
    "clean": Case(recover=False),
    # SIGKILL while the crawl fetches, in a write, and while it closes.
    "kill9-early": Case(fault=exchange("kill", EARLY), expect=KILLED),
    # Mid-crawl: while the endless body streams in (every other download is done or under way).
    "kill9-mid": Case(fault=f"kill@bytes:{hostile('/endless')}", expect=KILLED, workers=True),
    "kill9-torn-warc": Case(fault=exchange("torn"), expect=KILLED, check=repaired_torn_warc),
    "kill9-torn-journal": Case(
        fault=f"torn@journal:{HALF_PAIRS}",
        expect=KILLED,
        check=cut_torn_journal_line,
    ),
    "kill9-workers-starting": Case(fault="kill@workers", expect=KILLED, workers=True),
    **{
        f"kill9-close-{step}": Case(fault=f"kill@close:{step}", expect=KILLED)
        for step in CLOSE_POINTS
    },
    # A stop request: Scrapy closes the crawl gracefully, the command exits 1 (shutdown).
    "sigterm-slow-drip": Case(
        fault=f"term@bytes:{hostile('/slow-drip')}",
        expect=1,
        workers=True,
        check=stopped_at_the_budget,
    ),
    "sigint": Case(fault=exchange("int"), expect=1, workers=True, check=stopped),
    # The disk fills up inside one write of each kind the crawl makes, or (enospc) refuses one
    # write and has room again for the next.
    "disk-full-warcinfo": disk("full", "warcinfo"),
    "disk-full-exchange": disk("full", "exchange", HALF_EXCHANGES),
    "disk-full-sqlite": disk("full", "sqlite", 150),
    "disk-full-manifest": disk("full", "manifest"),
    "enospc-metadata": disk("enospc", "metadata", HALF_METADATA),
    "enospc-journal": disk("enospc", "journal", HALF_PAIRS),
    "enospc-manifest": disk("enospc", "manifest"),
    # The crawl state: deleted (the next crawl fetches everything again), or damaged (refused
    # with what to do; done, the next crawl is that first case).
    "state-db-deleted": Case(prepare=delete_state, recover=False),
    "state-source-lost-long-url": Case(prepare=lose_source_outcome(LONG_URL_POST), recover=False),
    "state-db-garbage": Case(
        prepare=garbage_state,
        expect=1,
        between=remove_damaged_state,
        check=damaged_state_refused,
    ),
    # A closed WARC file that lost its end: what it lost is fetched again, nothing is downgraded.
    "warc-truncated-closed": Case(prepare=truncate_warc, recover=False),
    # The lock file: garbage, or the note of a crawl that died on another machine.
    "lock-garbage": Case(prepare=lock_note("\x00garbage{\n"), recover=False),
    "lock-stale": Case(
        prepare=lock_note(STALE_NOTE),
        recover=False,
        check=took_over("pid 4000000 on host gone-synthetic"),
    ),
    # Other processes on the archive while the crawl runs.
    "concurrent-crawl": Case(fault=exchange("pause"), during=second_crawl, recover=False),
    "export-during-crawl": Case(
        prepare=copy_reference,
        fault=exchange("pause"),
        during=exports,
        extra=("--full",),
        recover=False,
        check=the_export_saw_the_previous_manifest,
    ),
    # A shared server's restrictive umask.
    "umask-077": Case(umask=0o077, recover=False, check=shared_modes),
}


@dataclass
class Outcome:
    harness: Harness
    problems: list[str] = field(default_factory=list)  # what the case found wrong
    seconds: float = 0.0  # the case's run and evaluation


def run_case(case: Case, harness: Harness, reference: Callable[[], Reference]) -> None:
    """The case's crawls; ``reference`` gives the reference once its crawl is done."""
    with harness.serving():
        if case.prepare is not None:
            case.prepare(harness, reference())
        fault = case.fault
        settings = WORKER if case.workers else {}
        first = harness.crawl(
            fault, settings=settings, umask=case.umask, during=case.during, extra=case.extra
        )
        assert first.returncode == case.expect, _tail(first)
        if fault is not None:
            assert first.struck, f"the fault {fault} never happened"
        if case.between is not None:
            case.between(harness, reference())
        if case.recover:
            last = harness.crawl(settings=settings, umask=case.umask)
            assert last.returncode == 0, _tail(last)


def _tail(run: Run) -> str:
    return f"exit {run.returncode}\n{run.stderr[-1000:]}\n... {run.log[-3000:]}"


ALLOWED_NAMES = re.compile(
    r"\.lock|pairs\.jsonl|index\.cdxj|journal|state|state/(crawl|digests)\.sqlite(-wal|-shm)?"
    r"|rejected-pairs\.jsonl"
    # The index of each closed WARC file, merged into index.cdxj.
    r"|index|index/BITEXT-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz\.cdxj"
    # A damaged WARC file set aside by the repair keeps its name with a suffix.
    r"|BITEXT-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz(\.damaged)?"
)


def evaluate(case: Case, harness: Harness, ref: Reference) -> list[str]:
    """What every case requires of its archive once recovered, and the case's own check."""
    archive = harness.archive
    verify = harness.command("verify", str(archive))
    problems = [] if verify.returncode == 0 else [f"verify: {verify.stdout}{verify.stderr}"]
    problems += manifest_differences(normalised(archive), ref.manifest)
    problems += [f"journal {p.name} was not folded" for p in (archive / "journal").iterdir()]
    if (archive / REJECTED).exists():
        problems.append(f"{REJECTED}: {(archive / REJECTED).read_text(encoding='utf-8')[:2000]}")
    took_over = "ended without releasing it; repairing what it left"
    if case.expect == KILLED and case.recover and took_over not in harness.runs[1].log:
        problems.append("the crawl after the kill did not report taking the dead one's lock")
    problems += [
        f"crawl {run.number} left processes behind: {run.orphans}"
        for run in harness.runs
        if run.orphans
    ]
    names = [path.relative_to(archive).as_posix() for path in archive.rglob("*")]
    problems += [
        f"a file the crawler does not name so: {n}" for n in names if not ALLOWED_NAMES.fullmatch(n)
    ]
    problems += [f"{path} holds the proxy's credentials" for path in _with_credentials(harness)]
    if case.check is not None:
        try:
            case.check(harness, ref)
        except AssertionError as error:
            problems.append(f"{case.check.__name__}: {error}")
    return problems


def manifest_differences(got: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    """Each pair missing, added or different, by cited URL and field."""
    found = []
    for pair_id in expected.keys() - got.keys():
        found.append(f"pair {pair_id} ({expected[pair_id]['cited_url']}) is missing")
    for pair_id in got.keys() - expected.keys():
        found.append(f"pair {pair_id} ({got[pair_id]['cited_url']}) is not in the reference")
    for pair_id in sorted(expected.keys() & got.keys()):
        fields = differing_fields(expected[pair_id], got[pair_id])
        if fields:
            status = (expected[pair_id]["status"], got[pair_id]["status"])
            where = f"pair {pair_id} ({str(expected[pair_id]['cited_url'])[:100]})"
            found.append(f"{where} differs in {sorted(fields)}; status {status[0]} -> {status[1]}")
    return found


def _with_credentials(harness: Harness) -> list[Path]:
    token = base64.b64encode(f"{PROXY_USER}:{PROXY_SECRET}".encode())
    found = []
    for path in harness.base.rglob("*"):
        if not path.is_file() or path.name == "requests.jsonl":  # the replica's own log
            continue
        data = path.read_bytes()
        if path.name.endswith(".warc.gz"):
            data = gzip.decompress(data)
        if PROXY_SECRET.encode() in data or token in data:
            found.append(path)
    return found


def _attempt(case_id: str, base: Path, world: FaultWorld, ref: Future[Reference]) -> Outcome:
    harness = Harness(base / case_id, world)
    harness.base.mkdir()
    case = CASES[case_id]
    started = time.monotonic()
    try:
        run_case(case, harness, ref.result)
        outcome = Outcome(harness, evaluate(case, harness, ref.result()))
    except Exception:
        outcome = Outcome(harness, [f"the case failed while it ran:\n{traceback.format_exc()}"])
    outcome.seconds = time.monotonic() - started
    # Where a slow matrix spends its time: each crawl's seconds, then the whole case's.
    crawls = " ".join(f"{run.seconds:.1f}" for run in harness.runs)
    (harness.base / "seconds.txt").write_text(f"{crawls} {outcome.seconds:.1f}\n")
    return outcome


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fault_world: FaultWorld,
    reference_future: Future[Reference],
) -> Mapping[str, Outcome]:
    """Every selected case's outcome, run side by side before the first test needs one."""
    wanted = []
    for item in request.session.items:
        if "outcomes" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        wanted.append(str(params.get("case_id", "clean")))
    # The cases of two crawls first: fewer crawls are left running alone at the end.
    selected = sorted(dict.fromkeys(wanted), key=lambda name: not CASES[name].recover)
    base = tmp_path_factory.mktemp("faults")
    with ThreadPoolExecutor(PARALLEL) as pool:
        done = pool.map(lambda name: _attempt(name, base, fault_world, reference_future), selected)
        return dict(zip(selected, done, strict=True))


# Faults the crawler does not recover from yet: each must fail until its fix lands (strict).
KNOWN_FAILURES: dict[str, str] = {}


@pytest.fixture(
    params=[
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name]))
        if name in KNOWN_FAILURES
        else name
        for name in CASES
    ]
)
def case_id(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_fault(case_id: str, outcomes: Mapping[str, Outcome]) -> None:
    """The case's fault is recovered from: see the module's docstring, and :func:`evaluate`."""
    problems = outcomes[case_id].problems
    assert not problems, "\n".join(problems)


def test_two_clean_crawls_differ_only_in_volatile_fields(
    outcomes: Mapping[str, Outcome], reference: Reference
) -> None:
    """The fields :func:`normalised` replaces, and only those, differ between two crawls."""
    outcome = outcomes["clean"]
    assert not outcome.problems, "\n".join(outcome.problems)
    again = manifest_lines(outcome.harness.archive)
    assert again.keys() == reference.raw.keys()
    differing: set[str] = set()
    for pair_id, pair in again.items():
        differing |= differing_fields(reference.raw[pair_id], pair)
    # The pointers' fields by pointer; "error" only in the bytes a budget kept (test_fault[clean]).
    fields = {name.rsplit(".", 1)[0] if ".warc." in name else name for name in differing}
    assert fields <= {*VOLATILE, "error"}
    assert "crawled_at" in differing and "translation.warc.record_id" in differing


def test_a_hostile_title_stays_one_line_and_is_shown_escaped(reference: Reference) -> None:
    url = BLOG.rstrip("/") + HOSTILE_TITLE_POST
    lines = (reference.archive / "pairs.jsonl").read_bytes().split(b"\n")
    (line,) = [line for line in lines if url.encode() in line]  # one line, whatever the title
    pair = json.loads(line)
    title = pair["translation"]["raw_title"]
    # The separators are whitespace to the title's reading; the controls are kept as written.
    assert "\u009b2J" in title and "\u202e" in title
    harness = Harness(reference.archive.parent, reference.world)
    shown = harness.command("pairs", "show", str(reference.archive), pair["pair_id"], "--no-align")
    assert shown.returncode == 0, shown.stderr
    assert "\\x9b2J" in shown.stdout and "\\u202e" in shown.stdout
    assert not [c for c in shown.stdout if c in "\u009b\u202e\u0085\u2028\x1b"]
