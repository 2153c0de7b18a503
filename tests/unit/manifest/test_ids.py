"""pair_id: the documented recipe, stable and distinct."""

from __future__ import annotations

import pytest

from crawler.manifest import PAIR_ID_LENGTH, pair_id

POST = "https://aviation-space-business.blogspot.com/2025/02/blog-post_7.html"


def test_known_values() -> None:
    # Computed outside Python: printf 'POST\nURL' | sha256sum | cut -c1-16
    assert pair_id(POST, "https://www.twz.com/sea/x") == "a4c3483ff9597a00"
    assert pair_id(POST, None) == pair_id(POST, "") == "23f0012631405e94"


def test_shape_and_distinctness() -> None:
    ids = {
        pair_id(POST, None),
        pair_id(POST, "https://www.twz.com/sea/x"),
        pair_id(POST, "https://www.twz.com/sea/y"),
        pair_id(POST.replace("_7", "_8"), "https://www.twz.com/sea/x"),
    }
    assert len(ids) == 4
    assert all(len(i) == PAIR_ID_LENGTH and set(i) <= set("0123456789abcdef") for i in ids)


@pytest.mark.parametrize(
    ("translation_url", "cited_url"),
    [("", "https://www.twz.com/"), (POST + "\nx", None), (POST, "https://www.twz.com/\nx")],
)
def test_whitespace_and_empty_urls_are_refused(translation_url: str, cited_url: str | None) -> None:
    with pytest.raises(ValueError):
        pair_id(translation_url, cited_url)
