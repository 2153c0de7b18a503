"""End to end: ``python -m crawler crawl`` as cron and systemd run it, against the replica web.

A scheduler acts on the exit code alone, so each way a daily crawl can go wrong is staged for
real (an unreachable blog, an archive that cannot be written, a stop request, bad arguments) and
the exit code is checked; the crontab line and the systemd unit's ExecStart from ``deploy/``
are run as written, with only the machine's paths swapped for temporary ones.
"""

from __future__ import annotations

import configparser
import fcntl
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive.lock import ArchiveLock
from crawler.cli import build_parser
from crawler.manifest import read_manifest
from replica.crawl import PROJECT_ROOT, crawl_env
from replica.server import ReplicaWeb
from replica.world import T2_BLOG, World, build_world

pytestmark = pytest.mark.e2e

DEPLOY = PROJECT_ROOT / "deploy"
SERVICE = DEPLOY / "systemd" / "bitext-crawler@.service"
TIMER = DEPLOY / "systemd" / "bitext-crawler@.timer"
ALERT = DEPLOY / "systemd" / "bitext-crawler-alert@.service"
CRONTAB = DEPLOY / "cron" / "bitext-crawler"
# The paths the deploy examples assume on a server.
INSTALL_DIR = "/opt/bitext-crawler"
STATE_DIR = "/var/lib/bitext-crawler"
LOG_DIR = "/var/log/bitext-crawler"

# A local replica needs no politeness delay.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=1"]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def web(world: World) -> Iterator[ReplicaWeb]:
    with ReplicaWeb(world.sites) as replica:
        yield replica


def crawl(web: ReplicaWeb, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", *args],
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_crawl_of_the_replica_exits_0_silently_and_logs_its_progress(
    world: World, web: ReplicaWeb, tmp_path: Path
) -> None:
    posts = len(world.cases[T2_BLOG])
    archive, log = tmp_path / "t2", tmp_path / "t2.log"
    # A small delay per request and a short interval: progress lines fire during the crawl.
    settings = ["-s", "PROGRESS_INTERVAL=0.5", "-s", "DOWNLOAD_DELAY=0.02"]
    result = crawl(web, "t2", "--archive", str(archive), "--log-file", str(log), *FAST, *settings)
    text = log.read_text(encoding="utf-8")
    assert result.returncode == 0, text[-3000:]
    # Nothing printed: cron would mail it.
    assert (result.stdout, result.stderr) == ("", "")

    progress = re.findall(r"progress: posts (\d+)/(\d+) done .* \| (\d+) pages/min", text)
    assert progress, text[-3000:]
    assert any(int(done) < int(found) for done, found, _ in progress)  # fired mid-crawl
    assert all(int(found) <= posts for _, found, _ in progress)
    assert "| pairs ok " in text

    pairs = list(read_manifest(archive / "pairs.jsonl"))
    ok = sum(pair.status == "ok" for pair in pairs)
    summary = text[text.index("crawl summary: t2, closed (finished)") :].splitlines()
    assert f"  posts    {posts} found, {posts} done, 0 failed" in summary
    assert summary[3].startswith(f"  pairs    {len(pairs)}: ok {ok}, ")
    warcs = sorted(archive.glob("*.warc.gz"))
    size = sum(path.stat().st_size for path in warcs)
    # The replica archive is over 1 MiB now: the unit follows the size (KiB, MiB).
    shown = f"{size / 1024:.1f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"
    assert summary[4].startswith(f"  WARC     {len(warcs)} file written, {shown}")
    assert f"t2: finished; {posts} posts parsed, {len(pairs)} pairs ({ok} ok)" in text


def test_daily_reruns_start_a_fresh_log_and_a_day_without_new_posts_is_a_success(
    web: ReplicaWeb, tmp_path: Path
) -> None:
    archive, log = tmp_path / "t2", tmp_path / "logs" / "t2.log"
    log.parent.mkdir()
    runs = {1: [], 2: [], 3: ["--full"]}  # the same archive three days running
    for extra in runs.values():
        result = crawl(
            web, "t2", "--archive", str(archive), "--log-file", str(log), *extra,
            "-a", "limit=1", "-s", "BITEXT_LOG_BACKUPS=1", *FAST,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr + log.read_text()
        assert (result.stdout, result.stderr) == ("", "")
    assert sorted(p.name for p in log.parent.iterdir()) == ["t2.log", "t2.log.1"]
    second, third = (log.parent / "t2.log.1").read_text(), log.read_text()
    # Each file holds one whole run, from Scrapy's banner to the exit summary.
    for text in (second, third):
        assert text.count("Scrapy ") and text.count("t2: finished;") == 1
    # The second day found nothing new and fetched no post: still a success.
    assert "t2: finished; 0 posts parsed, 0 pairs (0 ok)" in second
    assert "t2: finished; 1 post parsed, 1 pair " in third  # --full fetched it again
    assert stat.S_IMODE(log.stat().st_mode) == 0o644


def test_no_backups_means_one_growing_file_for_logrotate(web: ReplicaWeb, tmp_path: Path) -> None:
    log = tmp_path / "t2.log"
    for run in (1, 2):
        result = crawl(
            web, "t2", "--archive", str(tmp_path / f"run{run}"), "--log-file", str(log),
            "-a", "limit=1", "-s", "BITEXT_LOG_BACKUPS=0", *FAST,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.glob("t2.log*")] == ["t2.log"]
    assert log.read_text(encoding="utf-8").count("t2: finished;") == 2


@pytest.mark.parametrize("how", ["blog argument", "blog host missing"])
def test_an_unreachable_blog_exits_1(
    world: World, web: ReplicaWeb, tmp_path: Path, how: str
) -> None:
    log = tmp_path / "t2.log"
    args = ["t2", "--archive", str(tmp_path / "t2"), "--log-file", str(log), *FAST]
    if how == "blog argument":
        result = crawl(web, *args, "-a", "blog=https://nonexistent.blogspot.com/")
    else:
        host = T2_BLOG.split("/")[2]
        sites = {name: site for name, site in world.sites.items() if name != host}
        with ReplicaWeb(sites) as without_blog:
            result = crawl(without_blog, *args)
    assert result.returncode == 1, log.read_text()
    # One line on stderr: what cron mails.
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("bitext-crawler: exit 1: t2: failed, nothing could be fetched")
    assert line.endswith(f"(log: {log})")


def test_an_archive_that_cannot_be_written_exits_1(web: ReplicaWeb, tmp_path: Path) -> None:
    # chmod does not stop root: a directory under a regular file cannot be created by anyone.
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory\n")
    archive = blocker / "archive"
    result = crawl(web, "t2", "--archive", str(archive), *FAST)
    assert result.returncode == 1, result.stderr[-3000:]
    # Without --log-file the log, and the exit line last, is on stderr (the journal's input).
    last = result.stderr.splitlines()[-1]
    assert "ERROR: exit 1: t2: failed" in last
    assert f"Not a directory: '{archive}" in last
    assert "Crawled" not in result.stderr  # stopped before fetching anything


def test_a_crawl_stopped_by_sigterm_exits_1(web: ReplicaWeb, tmp_path: Path) -> None:
    # What systemctl stop (or a TimeoutStartSec expiring) does: Scrapy stops gracefully.
    log = tmp_path / "t2.log"
    command = [sys.executable, "-m", "crawler", "crawl", "t2", "--archive", str(tmp_path / "t2")]
    command += ["--log-file", str(log), "-s", "DOWNLOAD_DELAY=0.5", "-s", "PROGRESS_INTERVAL=0.2"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=crawl_env(web.proxy_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "progress: " not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the crawl never reported progress"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, stderr
    assert "t2: failed, the crawl closed with shutdown" in stderr
    assert "crawl summary: t2, closed (shutdown)" in log.read_text()


def test_a_busy_archive_exits_3_and_leaves_the_running_crawl_s_log_alone(
    web: ReplicaWeb, tmp_path: Path
) -> None:
    # The running crawl holds the archive's lock and its log file, as the crawl command does.
    archive, log = tmp_path / "t2", tmp_path / "t2.log"
    log.write_text("the running crawl's log\n")
    with ArchiveLock(archive), log.open("a") as running_log:
        fcntl.flock(running_log.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = crawl(web, "t2", "--archive", str(archive), "--log-file", str(log), *FAST)
    assert result.returncode == 3, log.read_text()[-3000:]
    [line] = result.stderr.splitlines()
    assert line.startswith("bitext-crawler: exit 3: t2: refused: ARCHIVE_DIR")
    assert "is being written by another crawl (pid " in line
    assert not list(archive.glob("*.warc.gz*"))
    # Not rotated away: the refusal is appended to the running crawl's log.
    assert [p.name for p in tmp_path.glob("t2.log*")] == ["t2.log"]
    text = log.read_text()
    assert text.startswith("the running crawl's log\n")
    assert "ERROR: exit 3: t2: refused" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "no spider named 'nosuch'"),
        (["t2", "-a", "since=yesterday"], "since must be a date"),
        (["t2", "-a", "since"], "expected NAME=VALUE"),
        (["t2", "--log-file", "/dev/null/crawl.log"], "cannot write the log file"),
    ],
)
def test_bad_arguments_exit_2(
    web: ReplicaWeb, tmp_path: Path, args: list[str], message: str
) -> None:
    result = crawl(web, *args, "--archive", str(tmp_path / "archive"))
    assert result.returncode == 2, result.stderr[-3000:]
    assert message in result.stderr
    assert not (tmp_path / "archive").exists() or not list((tmp_path / "archive").iterdir())


def cron_jobs(path: Path) -> list[tuple[list[str], str, str]]:
    """(time fields, user, command) of each job of an /etc/cron.d file."""
    jobs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^\w+=", line):
            continue
        fields = line.split(None, 6)
        jobs.append((fields[:5], fields[5], fields[6]))
    return jobs


def server_paths(command: str, tmp_path: Path) -> str:
    """A deploy example's command with the server's paths swapped for this machine's."""
    (tmp_path / "log").mkdir(exist_ok=True)
    python = re.sub(rf"(?:{re.escape(INSTALL_DIR)}/)?\.venv/bin/python\b", sys.executable, command)
    return (
        python.replace(INSTALL_DIR, str(PROJECT_ROOT))
        .replace(STATE_DIR, str(tmp_path / "lib"))
        .replace(LOG_DIR, str(tmp_path / "log"))
    )


def test_the_crontab_is_valid_and_mails_only_on_failure(web: ReplicaWeb, tmp_path: Path) -> None:
    text = CRONTAB.read_text(encoding="utf-8")
    assert re.search(r"^MAILTO=\S+@\S+$", text, re.MULTILINE)
    assert "flock" not in text.replace("No flock(1) wrapper", "")
    jobs = cron_jobs(CRONTAB)
    assert {re.findall(r" -m crawler crawl (\w+) ", command)[0] for _, _, command in jobs} == {
        "t1",
        "t2",
    }
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for times, user, command in jobs:
        for field, (low, high) in zip(times, ranges, strict=True):
            assert field == "*" or low <= int(field) <= high, field
        assert user == "bitext"
        assert "%" not in command  # cron turns % into a newline
        assert "--log-file" in command  # the log goes to the file, only failures are printed
    t2 = next(command for _, _, command in jobs if " crawl t2 " in command)
    env = crawl_env(web.proxy_url)
    fast = " " + " ".join(FAST) + " -a limit=3"
    finished = subprocess.run(
        ["/bin/sh", "-c", server_paths(t2, tmp_path) + fast],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    assert (finished.stdout, finished.stderr) == ("", "")  # cron sends no mail
    assert "t2: finished; 3 posts parsed" in (tmp_path / "log" / "t2.log").read_text()
    down = subprocess.run(
        ["/bin/sh", "-c", server_paths(t2, tmp_path) + fast + " -a blog=https://nonexistent.blogspot.com/"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert down.returncode == 1
    assert down.stderr.startswith("bitext-crawler: exit 1: t2: failed")  # the mail cron sends
    # The failed run's log is the current one; the successful run's is kept as t2.log.1.
    assert "t2: finished;" in (tmp_path / "log" / "t2.log.1").read_text()


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_the_service_unit_runs_the_crawl_command_hardened() -> None:
    service = unit(SERVICE)
    assert service.sections() == ["Unit", "Service"]
    assert service["Unit"]["OnFailure"] == "bitext-crawler-alert@%n.service"
    s = service["Service"]
    assert s["Type"] == "oneshot"
    assert s["User"] == "bitext"
    assert s["WorkingDirectory"] == INSTALL_DIR
    argv = shlex.split(s["ExecStart"])
    assert argv[0] == f"{INSTALL_DIR}/.venv/bin/python"
    assert argv[1:3] == ["-m", "crawler"]
    # The rest is the crawl command's own command line, as its parser reads it.
    args = build_parser().parse_args([a.replace("%i", "t2") for a in argv[3:]])
    assert (args.command, args.spider) == ("crawl", "t2")
    assert args.archive == Path(STATE_DIR) / "t2"
    assert s["StateDirectory"] == "bitext-crawler/%i"
    assert s["ReadWritePaths"] == f"{STATE_DIR}/%i"
    assert int(s["Nice"]) > 0
    assert s["IOSchedulingClass"] == "idle"
    hardening = {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
    }
    assert {key: s.get(key) for key in hardening} == hardening


def test_the_timer_fires_daily_and_catches_up() -> None:
    timer = unit(TIMER)
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert dict(timer["Timer"]) == {
        "OnCalendar": "daily",
        "RandomizedDelaySec": "1h",
        "Persistent": "true",
    }
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_alert_unit_mails_the_failed_unit_s_status() -> None:
    alert = unit(ALERT)
    argv = shlex.split(alert["Service"]["ExecStart"])
    assert argv[:2] == ["/bin/sh", "-c"]
    assert "systemctl status" in argv[2] and "mail -s" in argv[2]
    assert argv[3] == "%i"


def test_the_service_s_exec_start_crawls_the_replica(web: ReplicaWeb, tmp_path: Path) -> None:
    s = unit(SERVICE)["Service"]
    command = server_paths(s["ExecStart"].replace("%i", "t2"), tmp_path)
    result = subprocess.run(
        [*shlex.split(command), *FAST, "-a", "limit=3"],
        cwd=server_paths(s["WorkingDirectory"], tmp_path),
        env=crawl_env(web.proxy_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # Without --log-file the log is on stderr, which systemd sends to the journal.
    assert "t2: finished; 3 posts parsed" in result.stderr
    assert (tmp_path / "lib" / "t2" / "pairs.jsonl").is_file()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    # verify checks that ExecStart's binary exists: point it at this machine's interpreter.
    for path in (SERVICE, TIMER, ALERT):
        text = server_paths(path.read_text(encoding="utf-8"), tmp_path)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    # Instances of the templates, as systemctl enable bitext-crawler@t2.timer would make them.
    instances = {
        "bitext-crawler@t2.service": SERVICE.name,
        "bitext-crawler@t2.timer": TIMER.name,
        "bitext-crawler-alert@bitext-crawler@t2.service.service": ALERT.name,
    }
    for instance, template in instances.items():
        shutil.copy(tmp_path / template, tmp_path / instance)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in instances)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    # verify exits 0 on unknown keys and bad values too; they show up as messages.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
