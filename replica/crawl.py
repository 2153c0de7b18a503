"""Run a real ``scrapy crawl`` against the replica web, in a subprocess.

The Twisted reactor cannot be restarted, so every crawl (demo, end-to-end tests, benchmarks) runs
in its own process. The spider crawls the real URLs; only the proxy environment variables point
it at the replica web on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# A local replica needs no politeness delay; everything else stays as in a real crawl.
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "20",
    "LOG_LEVEL": "INFO",
}


def crawl_env(proxy_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "http_proxy": proxy_url,
            "https_proxy": proxy_url,
            "HTTP_PROXY": proxy_url,
            "HTTPS_PROXY": proxy_url,
            # Nothing may bypass the proxy: the replica is the whole web.
            "no_proxy": "",
            "NO_PROXY": "",
            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
            ),
        }
    )
    return env


def run_crawl(
    spider: str,
    archive_dir: Path,
    proxy_url: str,
    *,
    spider_args: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    timeout: float = 600,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl SPIDER`` writing to ``archive_dir``; returns the finished process."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"ARCHIVE_DIR={archive_dir}"]
    for name, value in {**FAST_SETTINGS, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    if log_file is not None:
        command += ["-s", f"LOG_FILE={log_file}"]
    for name, value in (spider_args or {}).items():
        command += ["-a", f"{name}={value}"]
    command += list(extra_args)
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=crawl_env(proxy_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
