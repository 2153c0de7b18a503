"""Per-field accuracy of post parsing over the replica's cases and the seed's four real posts.

Each case's permalink page is rendered exactly as the replica serves it and parsed with
``crawler.blogger.parse_post``; every golden field is compared exactly: the title line's
``title``, ``publication`` and ``comment``, the notes taken out of the text, the paragraphs, and
per cited article (in block order) its ``title``, ``subtitle``, ``author``, ``publication``,
``date`` line, ``url`` as written and the repaired URL fetched. The seed's posts are part of the
replica when the seed page lies beside the project (``../shared/seed/``); they are reported as
their own group.

    .venv/bin/python bench/parse_accuracy.py                 # every case, t2 and t1
    .venv/bin/python bench/parse_accuracy.py --generated 200 # plus 200 generated t2 posts
    .venv/bin/python bench/parse_accuracy.py --show 20       # list up to 20 wrong fields
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.blogger import BloggerPost, parse_post
from replica.corpus import generate_cases
from replica.model import PairCase
from replica.sites.blogger import BloggerSite
from replica.world import BLOG_TITLES, T2_BLOG, build_world

POST_FIELDS = ("title", "publication", "comment", "notes", "paragraphs")
ARTICLE_FIELDS = (
    "title",
    "subtitle",
    "author",
    "publication",
    "date",
    "url",
    "repaired_url",
)


def _group(case: PairCase, blog: str) -> str:
    if "seed" in case.note.lower() and "real" in case.note.lower():
        return "seed (real posts)"
    return f"{blog.split('/')[2].split('.')[0]} replica cases"


def _compare(case: PairCase, post: BloggerPost) -> Iterator[tuple[str, object, object]]:
    golden = case.post
    yield "title", golden.title, post.title
    yield "publication", golden.publication, post.publication
    yield "comment", golden.comment, post.comment
    yield "notes", [(n.kind, n.text) for n in golden.notes], [(n.kind, n.text) for n in post.notes]
    yield "paragraphs", list(golden.paragraphs), list(post.paragraphs)
    parsed = list(post.citation.citations) if post.citation else []
    for number, article in enumerate(golden.citations):
        got = parsed[number] if number < len(parsed) else None
        for name in ARTICLE_FIELDS:
            yield f"citation.{name}", getattr(article, name), getattr(got, name, None)
    if len(parsed) > len(golden.citations):
        yield "citation.count", len(golden.citations), len(parsed)


def _posts(world_cases: dict[str, Sequence[PairCase]]) -> Iterator[tuple[str, PairCase, bytes]]:
    for blog, cases in world_cases.items():
        site = BloggerSite(blog.split("/")[2], BLOG_TITLES[blog], [c.post for c in cases])
        for case in cases:
            resource = site.resolve(case.post.path, {})
            assert resource is not None, case.post.path
            yield blog, case, resource.body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=0, help="add N generated t2 posts")
    parser.add_argument("--show", type=int, default=10, help="list up to N wrong fields")
    args = parser.parse_args(argv)

    cases: dict[str, Sequence[PairCase]] = dict(build_world().cases)
    if args.generated:
        cases = {**cases, T2_BLOG: [*cases[T2_BLOG], *generate_cases(args.generated, seed=1)]}
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    wrong: list[str] = []
    posts: Counter[str] = Counter()
    for blog, case, html in _posts(cases):
        group = "generated t2 posts" if case.note.startswith("Generated") else _group(case, blog)
        posts[group] += 1
        post = parse_post(html, f"{blog.rstrip('/')}{case.post.path}")
        for field, expected, got in _compare(case, post):
            key = (group, field.split(".")[0] if field == "citation.count" else field)
            total[key] += 1
            if expected == got:
                right[key] += 1
            elif len(wrong) < args.show:
                wrong.append(f"{case.post.path} {field}: expected {expected!r}, got {got!r}")

    fields = [*POST_FIELDS, *(f"citation.{name}" for name in ARTICLE_FIELDS)]
    groups = sorted(posts)
    print(f"{'field':<22}" + "".join(f"{g + f' ({posts[g]})':>28}" for g in groups))
    for field in fields:
        cells = []
        for group in groups:
            count = total[(group, field)]
            cells.append(
                f"{right[(group, field)]}/{count} = {right[(group, field)] / count:.3f}"
                if count
                else "-"
            )
        print(f"{field:<22}" + "".join(f"{cell:>28}" for cell in cells))
    if wrong:
        print("\nwrong fields (first ones):")
        print("\n".join(f"  {line[:300]}" for line in wrong))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
