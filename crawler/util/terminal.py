"""Text for a terminal: control and bidi-override characters made visible, never obeyed.

Page text is written by strangers. Printed raw, an ESC starts a terminal escape sequence (colours,
a cleared screen, a changed window title, on some terminals worse), a BEL rings, a CR overwrites
the line, and a right-to-left override (U+202E) reorders what follows so that the screen shows
another text than the one stored. Every command that prints page-derived text prints it through
:func:`printable` (or :func:`echo`); the manifest and the exports keep the text as it was.
"""

from __future__ import annotations

import sys
from typing import IO, Any

__all__ = ["INVISIBLE", "echo", "printable"]

_KEPT = frozenset("\n\t")
# C0 controls and DEL, C1 controls, then the bidi embeddings and overrides (LRE, RLE, PDF, LRO,
# RLO) and isolates (LRI, RLI, FSI, PDI) of Unicode's bidi algorithm.
INVISIBLE = frozenset(
    chr(code)
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F))
    if chr(code) not in _KEPT
) | frozenset(chr(code) for code in range(0x2066, 0x206A))


def _shown(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {ord(char): _shown(char) for char in INVISIBLE}


def printable(text: str) -> str:
    """``text`` with every character of :data:`INVISIBLE` written as its escape (ESC as
    ``\\x1b``, RLO as ``\\u202e``); newlines and tabs are kept. Applying it twice changes nothing
    more."""
    return text.translate(_TABLE)


def echo(*values: object, file: IO[str] | None = None, sep: str = " ", end: str = "\n") -> None:
    """``print`` for the command-line tools: every value made :func:`printable` first."""
    out = sys.stdout if file is None else file
    print(printable(sep.join(str(value) for value in values)), file=out, end=end)


class PrintableText:
    """A text stream that writes everything :func:`printable`: for data written to a terminal."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


class PrintableBytes:
    """A binary stream of UTF-8 that writes everything :func:`printable` to a text stream."""

    def __init__(self, out: IO[str]) -> None:
        import codecs

        self._out = out
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def write(self, data: bytes) -> int:
        self._out.write(printable(self._decoder.decode(bytes(data))))
        return len(data)

    def flush(self) -> None:
        self._out.write(printable(self._decoder.decode(b"", final=True)))
        self._out.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def is_terminal(stream: IO[Any]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
