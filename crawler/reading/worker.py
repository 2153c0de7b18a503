"""One worker of :class:`crawler.reading.pool.ParsingPool`: a process that reads pages.

A worker is a plain ``python -c`` child of the crawl process (``BOOTSTRAP``, started by
:class:`Worker`, the crawl process's handle on it), talking over two pipes: readings come in on
one, items (or errors) go out on the other (:func:`serve`). It belongs to the crawl process
entirely:

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

import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.reading.pool import PageReading

logger = logging.getLogger(__name__)

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
from crawler.reading.worker import serve
serve(tasks, Connection({results}, readable=False), parent={parent})
"""


# The interpreter's own flags (-B, -X ...), which multiprocessing passes on the same way.
_INTERPRETER_FLAGS: Callable[[], list[str]] = getattr(
    subprocess, "_args_from_interpreter_flags", list
)


class Worker:
    """One worker process and the crawl process's ends of its two pipes."""

    def __init__(self) -> None:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        bootstrap = BOOTSTRAP.format(tasks=task_read, results=result_write, parent=os.getpid())
        try:
            # Not a new session or process group: a signal to the crawl's group or cgroup
            # reaches the workers too (they ignore SIGINT and SIGTERM, not SIGKILL).
            self.process = subprocess.Popen(
                [sys.executable, *_INTERPRETER_FLAGS(), "-c", bootstrap],
                stdin=subprocess.DEVNULL,
                pass_fds=(task_read, result_write),
            )
        except BaseException:
            for fd in (task_read, task_write, result_read, result_write):
                os.close(fd)
            raise
        os.close(task_read)
        os.close(result_write)
        self.tasks = Connection(task_write, readable=False)
        self.results = Connection(result_read, writable=False)
        self.pid = self.process.pid
        try:
            self.tasks.send(list(sys.path))  # where the readings' functions are imported from
        except OSError:
            self.kill()
            raise

    def ready(self, timeout: float) -> bool:
        """Whether the worker said it is ready (the reading code imported) within ``timeout``."""
        try:
            if self.results.poll(timeout):
                return bool(self.results.recv()[0] == "ready")
        except (EOFError, OSError):
            pass
        return False

    def send(self, reading: PageReading | None) -> None:
        self.tasks.send(reading)

    def outcome(self, timeout: float | None) -> tuple[str, Any]:
        """``("ok", item)``, ``("error", exception)``, ``("timeout", None)`` or
        ``("died", returncode)``."""
        try:
            if not self.results.poll(timeout):
                return "timeout", None
            answer: tuple[str, Any] = self.results.recv()
            return answer
        except (EOFError, OSError):
            try:
                return "died", self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                return "died", None

    def kill(self) -> None:
        """SIGKILL the worker (the one signal it does not ignore), reap it, close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.warning("parse worker %d did not end after SIGKILL", self.pid)
        for connection in (self.tasks, self.results):
            connection.close()


def death_reason(returncode: int | None) -> str:
    """Why a reading ended without an answer, from its worker's exit status."""
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"killed by {name}" + ("; out of memory?" if name == "SIGKILL" else "")
    elif returncode is not None:
        how = f"exit status {returncode}"
    else:
        how = "it did not answer"
    return f"the process reading the page died ({how}): the page was not read"


# In the worker process.


def serve(tasks: Connection, results: Connection, *, parent: int) -> None:
    """Read what comes in on ``tasks`` until it closes or says None; answer on ``results``.

    Each answer is ``("ready", pid)`` once, then ``("ok", item)`` or ``("error", exception)``
    per reading.
    """
    die_with(parent)
    import crawler.reading.pool  # noqa: F401  (the reading code, imported once, before any page)

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
        # What Connection.send does, without the ForkingPickler it builds (a copy of copyreg's
        # dispatch table) for every answer: items need none of its reducers.
        results.send_bytes(pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
    except (EOFError, OSError):
        os._exit(0)
    except Exception as exc:  # an item or an exception that does not pickle
        kind, value = outcome
        what = repr(value)[:200]
        results.send(("error", RuntimeError(f"cannot send the {kind} {what} back: {exc!r}")))
