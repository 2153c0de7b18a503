"""A plain ``scrapy crawl`` names the operator the archive keeps, as ``python -m crawler crawl``
does: in the WARC files' warcinfo (WARC_OPERATOR) and in the User-Agent."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler import defaults
from crawler.archive.layout import OPERATOR_NAME
from crawler.spiders.blog import BlogSpider
from crawler.spiders.blogger import T2Spider

JANE = {"name": "Jane Doe", "contact": "jane@example.org"}


def _archive(tmp_path: Path, operator: dict[str, str] | None = None) -> Path:
    archive = tmp_path / "archive"
    archive.mkdir()
    if operator is not None:
        (archive / OPERATOR_NAME).write_text(json.dumps(operator), encoding="utf-8")
    return archive


def test_the_archive_s_operator_names_a_plain_scrapy_crawl(tmp_path: Path) -> None:
    archive = _archive(tmp_path, JANE)
    for spider in (T2Spider, BlogSpider):
        settings = get_crawler(spider, {"ARCHIVE_DIR": str(archive)}).settings
        assert settings["WARC_OPERATOR"] == "Jane Doe <jane@example.org>"
        assert settings["USER_AGENT"] == defaults.user_agent(
            defaults.BOT_CONTACT_URL, "jane@example.org"
        )


def test_what_the_user_set_wins(tmp_path: Path) -> None:
    archive = _archive(tmp_path, JANE)
    settings = get_crawler(
        T2Spider,
        {"ARCHIVE_DIR": str(archive), "WARC_OPERATOR": "Ann <https://ann.example/>"},
    ).settings
    assert settings["WARC_OPERATOR"] == "Ann <https://ann.example/>"
    assert settings["USER_AGENT"].endswith("; https://ann.example/)")
    mine = get_crawler(T2Spider, {"ARCHIVE_DIR": str(archive), "USER_AGENT": "mine/1.0"}).settings
    assert (
        mine["USER_AGENT"] == "mine/1.0" and mine["WARC_OPERATOR"] == "Jane Doe <jane@example.org>"
    )


def test_without_an_operator_the_user_agent_names_the_project(tmp_path: Path) -> None:
    for archive in (_archive(tmp_path), tmp_path / "not-yet"):
        settings = get_crawler(T2Spider, {"ARCHIVE_DIR": str(archive)}).settings
        assert not settings.get("WARC_OPERATOR")
        assert settings["USER_AGENT"] == defaults.user_agent()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / OPERATOR_NAME).write_text("{", encoding="utf-8")  # the crawl goes on without it
    assert get_crawler(T2Spider, {"ARCHIVE_DIR": str(broken)}).settings["USER_AGENT"] == (
        defaults.user_agent()
    )
