"""The optional extras of pyproject.toml: whether one is installed, and how to install it.

A command that needs an extra says so in one line with the command to run, and exits as on a
bad command line (EXIT_USAGE), rather than failing later with an ImportError's traceback.
"""

from __future__ import annotations

import importlib.util

WACZ = "wacz"
DISTRIBUTED = "distributed"

# The modules each extra brings (pyproject.toml, [project.optional-dependencies]).
EXTRA_MODULES = {
    WACZ: ("wacz",),
    DISTRIBUTED: ("scrapy_redis", "redis"),
}
NEEDS = {
    WACZ: "packaging a WACZ needs",
    DISTRIBUTED: "a distributed crawl needs",
}


def installed(extra: str) -> bool:
    """Whether every module of ``extra`` can be imported (without importing it: the wacz
    package changes cdxj-indexer's behaviour when imported, crawler/archive/wacz.py)."""
    for name in EXTRA_MODULES[extra]:
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):  # a parent package missing, or a broken module
            return False
    return True


def install_command(extra: str) -> str:
    """What to run in the project's directory, in its virtualenv."""
    return f'pip install -e ".[{extra}]"'


def missing_extra(command: str, extra: str) -> str | None:
    """The one line to print when ``extra`` is not installed; None when it is."""
    if installed(extra):
        return None
    return (
        f"{command}: {NEEDS[extra]} the {extra!r} extra, which is not installed: run "
        f"{install_command(extra)} in the project's directory"
    )
