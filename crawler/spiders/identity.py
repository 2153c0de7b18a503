"""How a crawl names itself: the User-Agent the sites read and the operator of its WARC files.

Every spider's ``update_settings`` calls :func:`identify`, so that ``scrapy crawl`` names the
operator the archive keeps (``ARCHIVE_DIR/operator.json``, crawler/archive/operator.py) as
``python -m crawler crawl`` does; the command resolves the operator first, asking for one at a
terminal, and passes it in (crawler/commands/crawl.py). Settings the user gave win.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler import defaults
from crawler.archive.operator import SETTING, Resolved, resolve_operator


def identify(
    settings: BaseSettings, resolved: Resolved | None = None, *, priority: str = "spider"
) -> Resolved:
    """Set ``WARC_OPERATOR`` (unless set) and an honest ``USER_AGENT`` (unless the user set
    one): the project's name and page, and the operator's contact. Without ``resolved``, the
    operator is read from the settings and the archive, without asking anybody."""
    if resolved is None:
        archive = Path(str(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR)))
        resolved = resolve_operator(settings.get, archive, interactive=False)
    operator = resolved.operator
    if operator is not None and resolved.source != SETTING:
        # Read by the WARC capture extension for every file's warcinfo record.
        settings.set("WARC_OPERATOR", operator.warcinfo, priority=priority)
    if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["default"]:
        contact_url = str(settings.get("BOT_CONTACT_URL", defaults.BOT_CONTACT_URL))
        reach = operator.contact if operator is not None else ""
        settings.set("USER_AGENT", defaults.user_agent(contact_url, reach), priority=priority)
    return resolved
