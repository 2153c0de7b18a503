"""A post body nested 100,000 elements deep still gives its text and its citation block."""

from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.blogger.body import read_body

DEPTH = 100_000
TWZ = "https://www.twz.com/sea/synthetic-deep-nesting"


def nested_body(depth: int) -> HtmlElement:
    """``<div class="post-body">`` + ``depth`` nested divs around a body ending with ■ and its
    citation block, built as a tree (an HTML parser would stop nesting far earlier)."""
    body = lxml.html.fragment_fromstring("<div class='post-body'></div>")
    # Every proxy is kept while building: lxml frees one by looking up its ancestors for another.
    chain = [body]
    for _ in range(depth):
        chain.append(etree.SubElement(chain[-1], "div"))
    inner = chain[-1]
    inner.text = "深い入れ子の合成本文です。"
    paragraph = etree.SubElement(inner, "div")
    paragraph.text = "二段落目の合成本文です。"
    mark = etree.SubElement(inner, "div")
    mark.text = "■"
    for line in ("Synthetic Deep Headline", "By Synthetic Writer", TWZ):
        etree.SubElement(inner, "br").tail = line
    return body


def test_a_body_nested_100000_divs_deep_keeps_its_citation_block() -> None:
    body = read_body(nested_body(DEPTH))
    assert body.paragraphs == ("深い入れ子の合成本文です。", "二段落目の合成本文です。")
    assert body.citation is not None
    (article,) = body.citation.citations
    assert (article.title, article.author, article.repaired_url) == (
        "Synthetic Deep Headline",
        "Synthetic Writer",
        TWZ,
    )


def test_deep_and_shallow_bodies_read_the_same() -> None:
    shallow, deep = read_body(nested_body(3)), read_body(nested_body(DEPTH))
    assert (deep.paragraphs, deep.captions, deep.citation) == (
        shallow.paragraphs,
        shallow.captions,
        shallow.citation,
    )
