"""The corpus report as a browser renders it: headless Chromium loads the file, its DOM keeps
every chart with its bars, and a screenshot of the page is taken."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import lxml.html
import pytest

from crawler.cli import main
from crawler.corpus import compute_stats
from tests.unit.corpus.builders import build_archive

pytestmark = pytest.mark.e2e

CHARTS = (
    "chart-months",
    "chart-sites",
    "chart-status",
    "chart-confidence",
    "chart-length-ratio",
    "chart-date-gap",
    "chart-posts-months",
)
# The tables a corpus paper takes its figures from.
TABLES = ("figures-languages", "figures-levels", "status-by-site", "refused-hosts", "crawls")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chromium() -> str:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian package 'chromium')")
    return binary


def _run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    archive = tmp_path_factory.mktemp("report-archive")
    corpus = build_archive(archive)
    assert main(["report", str(archive)]) == 0
    return archive / "report.html", compute_stats(corpus.pairs)


def test_charts_render_in_chromium(report: tuple[Path, object], tmp_path: Path) -> None:
    binary = _chromium()
    path, stats = report
    result = _run(binary, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    document = lxml.html.fromstring(result.stdout.decode("utf-8"))
    counts = {}
    for chart in CHARTS:
        svg = document.get_element_by_id(chart)
        bars = [r for r in svg.iter("rect") if r.get("class") == "bar"]
        assert bars, chart
        counts[chart] = [(r.get("data-label"), int(r.get("data-count"))) for r in bars]
    assert counts["chart-months"] == list(stats.by_month)  # type: ignore[attr-defined]
    assert counts["chart-sites"] == list(stats.by_site)  # type: ignore[attr-defined]
    assert sum(n for _, n in counts["chart-status"]) == stats.total  # type: ignore[attr-defined]
    assert len(counts["chart-confidence"]) == 10
    assert len(document.get_element_by_id("review").findall(".//tr")) == 21
    for table in TABLES:
        assert len(document.get_element_by_id(table).findall(".//tr")) > 1, table
    rows = document.get_element_by_id("status-by-site").findall(".//tr")
    refused = sum(n for _, n in stats.refused_hosts)  # type: ignore[attr-defined]
    assert int(rows[-1].findall("td")[-1].text_content()) == stats.total - refused  # type: ignore[attr-defined]


def test_screenshot(report: tuple[Path, object], tmp_path: Path) -> None:
    binary = _chromium()
    path, _ = report
    shot = tmp_path / "report.png"
    result = _run(
        binary,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        path.as_uri(),
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1280, 2000)
    # A blank page compresses to a few kilobytes; charts and text make it far larger.
    assert len(data) > 50_000
