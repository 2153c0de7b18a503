"""``python -m crawler ...`` run with no way to the network: for the commands that read an archive
only (rebuild, state rebuild, verify), which must never fetch."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from replica.crawl import PROJECT_ROOT


def offline_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m crawler ARGS`` offline and return what it did (never raises on its exit)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=PROJECT_ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def offline_env() -> dict[str, str]:
    # Any attempt to fetch would go to a port nothing listens on, and fail.
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env[name] = proxy
    env.update(no_proxy="", NO_PROXY="", TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="")
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
