"""What ``seed`` tells the nodes to run: the crawl command that gives exit codes."""

from __future__ import annotations

import shlex

from crawler.cli import build_parser
from crawler.commands.seed import node_command


def test_the_node_command_is_the_crawl_command_with_the_redis_url() -> None:
    command = node_command("t2-redis", "redis://10.0.0.5:6379/0", "https://ignored.example/")
    assert command == (
        "python -m crawler crawl t2-redis --archive DIR -s BITEXT_DISTRIBUTED=redis://10.0.0.5:6379/0"
    )
    args = build_parser().parse_args(shlex.split(command)[3:])
    assert (args.command, args.spider) == ("crawl", "t2-redis")
    assert args.settings == [("BITEXT_DISTRIBUTED", "redis://10.0.0.5:6379/0")]


def test_a_blogger_node_is_told_its_blog() -> None:
    command = node_command("blogger-redis", "redis://h:6379/0", "https://a.blogspot.com/")
    args = build_parser().parse_args(shlex.split(command)[3:])
    assert args.spider_args == [("blog", "https://a.blogspot.com/")]
