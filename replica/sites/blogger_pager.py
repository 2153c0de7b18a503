"""Blogger's pager: which posts a listing page shows, and its "newer" and "older" links.

A listing shows the newest ``max-results`` posts, or those before ``updated-max`` / after
``updated-min`` (Blogger compares publication times, despite the names); its links carry the
first or last post's time, and ``reverse-paginate=true`` on the way back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote


def paginate(
    published: Sequence[datetime],
    numbers: Sequence[int],
    query: Mapping[str, str],
    default_size: int,
    pager: str,
) -> tuple[list[int], str | None, str | None]:
    """(the post numbers shown, the newer page's URL, the older page's URL) of a listing of
    ``numbers`` (newest first); ``published[n]`` is post ``n``'s time, ``pager`` the URL the
    links page through."""
    try:
        size = max(1, min(int(query.get("max-results", default_size)), 500))
    except ValueError:
        size = default_size
    before = parse_time(query.get("updated-max", ""))
    after = parse_time(query.get("updated-min", ""))
    times = [published[n] for n in numbers]
    if before is not None:
        chosen = [n for n, when in zip(numbers, times, strict=True) if when < before][:size]
    elif after is not None:
        chosen = [n for n, when in zip(numbers, times, strict=True) if when > after][-size:]
    else:
        chosen = list(numbers[:size])
    keep = {key: value for key, value in query.items() if key == "q"}
    older = newer = None
    if chosen and numbers.index(chosen[-1]) + 1 < len(numbers):
        last = published[chosen[-1]].isoformat(timespec="seconds")
        params = query_string({**keep, "updated-max": last, "max-results": size})
        older = f"{pager}?{params}"
    if chosen and numbers.index(chosen[0]) > 0:
        first = published[chosen[0]].isoformat(timespec="seconds")
        params = query_string(
            {**keep, "updated-min": first, "max-results": size, "reverse-paginate": "true"}
        )
        newer = f"{pager}?{params}"
    return chosen, newer, older


def query_string(params: Mapping[str, str | int]) -> str:
    """A query string quoted as in Blogger's pager links: ``:`` kept, ``+`` as ``%2B``."""
    return "&".join(f"{quote(key)}={quote(str(value), safe=':')}" for key, value in params.items())


def parse_time(value: str) -> datetime | None:
    # A "+" left unescaped in a query string arrives as a space.
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
