"""Who runs the crawls into an archive: a name and an email address or URL to reach them.

Site owners read the User-Agent, and archivists the warcinfo ``operator`` of each WARC file, to
learn whose crawler it is. ``python -m crawler crawl`` takes the operator from ``WARC_OPERATOR``,
else from ``ARCHIVE_DIR/operator.json`` (written at the first crawl into the archive, when the
person starting it was asked), else from a ``BOT_CONTACT_URL`` of the user's own; with none of
them, a crawl started from a terminal into a new archive asks, and any other one (cron, a
systemd timer, the tests) warns and goes on anonymous.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crawler import defaults
from crawler.archive.layout import OPERATOR_NAME
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.recover import damaged_files
from crawler.util.atomic import atomic_write

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_URL = re.compile(r"^https?://[^\s/<>]+\.[^\s<>]+$")
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<contact>[^<>]+)>$")  # Jane Doe <jane@example.org>
_ASKS = 3  # tries at a contact that is neither an email address nor a URL

# Where an operator came from, as the crawl's log says it.
SETTING = "WARC_OPERATOR setting"
STORED = f"archive's {OPERATOR_NAME}"
CONTACT_URL = "BOT_CONTACT_URL setting"
ASKED = "answers at the terminal"


class OperatorError(ValueError):
    """An operator file that does not read."""


@dataclass(frozen=True)
class Operator:
    name: str
    contact: str  # an email address or an http(s) URL; empty when only a name is known

    @property
    def warcinfo(self) -> str:
        """As warcinfo's ``operator`` field is usually written: ``Name <contact>``."""
        if self.name and self.contact:
            return f"{self.name} <{self.contact}>"
        return self.name or self.contact

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact}


@dataclass(frozen=True)
class Resolved:
    """The operator of a crawl (None: anonymous), where it came from, and what to warn about."""

    operator: Operator | None
    source: str | None = None  # SETTING, STORED, CONTACT_URL or ASKED
    warning: str | None = None


def is_contact(text: str) -> bool:
    return bool(_EMAIL.match(text) or _URL.match(text))


def parse_operator(text: str) -> Operator:
    """``Jane Doe <jane@example.org>``, ``Jane Doe, https://example.org/``, an address or a URL
    alone, or a name alone."""
    text = " ".join(text.split())
    named = _NAMED.match(text)
    if named:
        return Operator(named["name"].strip(" ,"), named["contact"].strip())
    name, _, last = text.rpartition(" ")
    if is_contact(last):
        return Operator(name.strip(" ,"), last)
    return Operator(text, "") if not is_contact(text) else Operator("", text)


def operator_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / OPERATOR_NAME


def read_operator(archive_dir: Path) -> Operator | None:
    """The operator stored in the archive; None when there is none. Raises OperatorError."""
    path = operator_path(archive_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise OperatorError(f"{path}: cannot be read ({error})") from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), str) for key in ("name", "contact")
    ):
        raise OperatorError(f"{path}: not an object with a name and a contact")
    operator = Operator(data["name"].strip(), data["contact"].strip())
    return operator if operator.warcinfo else None


def write_operator(archive_dir: Path, operator: Operator) -> Path:
    path = operator_path(archive_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, text=True) as out:
        out.write(json.dumps(operator.to_json(), ensure_ascii=False, indent=2) + "\n")
    return path


def is_new_archive(archive_dir: Path) -> bool:
    """No WARC file yet: closed, open or set aside."""
    directory = Path(archive_dir)
    if not directory.is_dir():
        return True
    found = closed_warc_files(directory) or open_warc_files(directory)
    return not (found or damaged_files(directory))


def asking(out: IO[str], answers: IO[str]) -> Callable[[str], str]:
    """A question on ``out`` (stderr: stdout may be a file), its answer read from ``answers``
    (stdin); EOFError at the end of the input, as ``input()`` raises it."""

    def ask(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        line = answers.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return ask


def ask_operator(archive_dir: Path, ask: Callable[[str], str], out: IO[str]) -> Operator | None:
    """Ask the person starting the crawl; None when they give no contact (or end the input)."""
    out.write(
        f"No operator is configured for {archive_dir}, a new archive. Site owners and "
        "archivists learn who runs a crawl from its User-Agent and the 'operator' of its WARC "
        "files; the answer is kept in "
        f"{operator_path(archive_dir)} for the next crawls (or set WARC_OPERATOR).\n"
    )
    try:
        name = " ".join(ask("Your name or your organisation's: ").split())
        for _ in range(_ASKS):
            contact = ask("An email address or a web page to reach you at: ").strip()
            if not contact or is_contact(contact):
                break
            out.write("  That is neither an email address nor an http(s) URL.\n")
        else:
            contact = ""
    except EOFError:
        return None
    if not contact:
        return None
    return Operator(name, contact)


def resolve_operator(
    get: Callable[[str, Any], Any],
    archive_dir: Path,
    *,
    interactive: bool,
    ask: Callable[[str], str] | None = None,
    out: IO[str] | None = None,
) -> Resolved:
    """The crawl's operator from its settings (``get(NAME, default)``), the archive, or the
    person at the terminal (see the module's docstring)."""
    configured = str(get("WARC_OPERATOR", defaults.WARC_OPERATOR) or "").strip()
    if configured:
        return Resolved(parse_operator(configured), SETTING)
    warning = None
    try:
        stored = read_operator(archive_dir)
    except OperatorError as error:
        stored, warning = None, f"{error}: the crawl goes on without it"
    if stored is not None:
        return Resolved(stored, STORED)
    contact_url = str(get("BOT_CONTACT_URL", defaults.BOT_CONTACT_URL) or "").strip()
    if contact_url and contact_url != defaults.BOT_CONTACT_URL:
        return Resolved(Operator("", contact_url), CONTACT_URL, warning)
    if interactive and warning is None and is_new_archive(archive_dir) and out is not None:
        asked = ask_operator(archive_dir, ask or asking(out, sys.stdin), out)
        if asked is not None:
            write_operator(archive_dir, asked)
            out.write(f"Kept in {operator_path(archive_dir)}.\n")
            return Resolved(asked, ASKED)
    return Resolved(
        None,
        None,
        warning
        or (
            "no operator configured: the WARC files name no operator and the User-Agent "
            "names only the project; set -s WARC_OPERATOR='Your Name <you@example.org>' (or "
            "-s BOT_CONTACT_URL=URL, a page about your crawl), or write them into "
            f'{operator_path(archive_dir)} as {{"name": "...", "contact": "EMAIL or URL"}}'
        ),
    )
