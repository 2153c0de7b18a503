"""Bar charts as inline SVG strings: no script, no external resource, every text escaped.

Each chart is ``<svg class="chart" id="chart-NAME">`` and each bar ``<rect class="bar">`` carrying
``data-label`` and ``data-count``, so a browser test can find the bars and check their numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_COLOUR = "#3b6ea5"
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _bar(x: float, y: float, width: float, height: float, label: str, count: int) -> str:
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{BAR_COLOUR}" data-label="{_attr(label)}" data-count="{count}">'
        f"<title>{escape(label)}: {count}</title></rect>"
    )


def vertical_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> str:
    """Columns left to right (months, histogram bins), labels below, counts above."""
    slot = 44 if len(items) <= 16 else 28
    top, bottom, left = 24, 70, 44  # room for the first rotated label
    plot_height = 180
    width = max(360, left * 2 + slot * len(items))
    height = top + plot_height + bottom
    peak = max((count for _, count in items), default=0) or 1
    parts = [
        f'<svg class="chart" id="{_attr(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - left}" '
        f'y2="{top + plot_height}" stroke="#888"/>',
    ]
    for index, (label, count) in enumerate(items):
        bar_height = plot_height * count / peak
        x = left + index * slot + 4
        y = top + plot_height - bar_height
        centre = x + (slot - 8) / 2
        parts.append(_bar(x, y, slot - 8, bar_height, label, count))
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" {_FONT}>{count}</text>'
        )
        label_y = top + plot_height + 12
        parts.append(
            f'<text x="{centre:.1f}" y="{label_y}" text-anchor="end" {_FONT} '
            f'transform="rotate(-45 {centre:.1f} {label_y})">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> str:
    """One row per item (sites, statuses): label, bar, count."""
    row, label_width, bar_width, top = 22, 230, 380, 8
    width = label_width + bar_width + 60
    height = top * 2 + row * max(1, len(items))
    peak = max((count for _, count in items), default=0) or 1
    parts = [
        f'<svg class="chart" id="{_attr(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, count) in enumerate(items):
        y = top + index * row
        length = bar_width * count / peak
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" {_FONT}>'
            f"{escape(label)}</text>"
        )
        parts.append(_bar(label_width, y + 3, length, row - 6, label, count))
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}" {_FONT}>{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
