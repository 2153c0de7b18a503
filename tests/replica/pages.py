"""Reading a replica post page as a reader sees it: blocks of text, captions marked."""

from __future__ import annotations

from html.parser import HTMLParser

import lxml.html

from replica.model import EndMark, TranslationPost
from replica.web import Resource

CAPTION = "\x00caption"  # stands for a caption table in a body's block list


class TagBalance(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:], self.getpos())
        self.stack.pop()


def parse_html(resource: Resource) -> lxml.html.HtmlElement:
    text = resource.body.decode("utf-8")
    checker = TagBalance()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    # Decoded with the charset of the Content-Type header, as a client does.
    return lxml.html.document_fromstring(text)


def block_texts(body: lxml.html.HtmlElement) -> list[str]:
    """A post body as a reader sees it: one string per block or ``<br>`` line, captions marked."""
    blocks: list[str] = []
    buffer: list[str] = []
    block_tags = {"p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "li", "blockquote"}

    def flush() -> None:
        text = "".join(buffer).strip(" \n\t\r")
        buffer.clear()
        if text.strip():  # drops &nbsp; spacer paragraphs too
            blocks.append(text)

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.tag == "br":
            flush()
        elif node.tag == "table":
            flush()
            blocks.append(CAPTION)
        elif node.tag in block_tags:
            flush()
            buffer.append(node.text or "")
            for child in node:
                walk(child)
            flush()
        else:
            buffer.append(node.text or "")
            for child in node:
                walk(child)
        buffer.append(node.tail or "")

    buffer.append(body.text or "")
    for child in body:
        walk(child)
    flush()
    return blocks


def expected_blocks(post: TranslationPost) -> list[str]:
    """What a reader sees, block by block: head lines, paragraphs, the end mark, the citation."""
    paragraphs = list(post.paragraphs)
    if post.mark is EndMark.GLUED:
        paragraphs[-1] += "■"
    mark = ["■"] if post.mark is EndMark.LINE else []
    return [*post.head_lines, *paragraphs, *mark, *post.citation_lines]


def permalink_body(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    (body,) = doc.xpath("//div[contains(concat(' ', @class, ' '), ' post-body ')]")
    return body
