"""The worker side of :class:`crawler.parsing_pool.ParsingPool`: one process that reads pages.

A worker is a plain ``python -c`` child of the crawl process (``BOOTSTRAP``), talking over two
pipes: readings come in on one, items (or errors) go out on the other. It belongs to the crawl
process entirely:

- it ignores SIGINT and SIGTERM: a Ctrl-C or ``systemctl stop`` reaches the whole process group
  or cgroup, and the crawl process then decides (it lets the page being read finish, within
  ``BITEXT_PARSE_TIMEOUT``, and ends its workers itself);
- it ends when the crawl process ends, however that ends. On Linux the kernel kills it
  (``PR_SET_PDEATHSIG``) at once; everywhere a thread compares ``os.getppid()`` with the crawl
  process's pid, which the crawl process passes in (a worker that read its own parent's pid
  after a SIGKILL would have read the pid of init, and waited for ever); and a worker waiting
  for work sees its task pipe close.

Nothing here imports the reading code until the worker is tied to its parent, so a crawl killed
while its workers start (lxml, trafilatura and dateparser take a second or two to import)
leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

PARENT_POLL_SECONDS = 1.0  # how soon a worker notices that the crawl process is gone
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Run as ``python -c``; {tasks}, {results} and {parent} are filled in by the crawl process.
BOOTSTRAP = """\
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
from multiprocessing.connection import Connection
tasks = Connection({tasks}, writable=False)
try:
    sys.path[:] = tasks.recv()
except (EOFError, OSError):
    sys.exit(1)  # the crawl process is gone already
from crawler.parsing_worker import serve
serve(tasks, Connection({results}, readable=False), parent={parent})
"""


def serve(tasks: Connection, results: Connection, *, parent: int) -> None:
    """Read what comes in on ``tasks`` until it closes or says None; answer on ``results``.

    Each answer is ``("ready", pid)`` once, then ``("ok", item)`` or ``("error", exception)``
    per reading.
    """
    die_with(parent)
    import crawler.parsing_pool  # noqa: F401  (the reading code, imported once, before any page)

    results.send(("ready", os.getpid()))
    while True:
        try:
            reading = tasks.recv()
        except (EOFError, OSError):
            os._exit(0)  # the crawl process closed its end, or is gone
        except Exception as exc:  # a reading that cannot be unpickled here
            _answer(results, ("error", exc))
            continue
        if reading is None:
            return
        try:
            outcome: tuple[str, Any] = ("ok", reading.run())
        except Exception as exc:
            outcome = ("error", exc)
        _answer(results, outcome)


def die_with(parent: int) -> None:
    """End this process when ``parent`` ends (see the module's docstring)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below is enough, only slower
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the line above could take effect
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _answer(results: Connection, outcome: tuple[str, Any]) -> None:
    try:
        results.send(outcome)
    except (EOFError, OSError):
        os._exit(0)
    except Exception as exc:  # an item or an exception that does not pickle
        kind, value = outcome
        what = repr(value)[:200]
        results.send(("error", RuntimeError(f"cannot send the {kind} {what} back: {exc!r}")))
