"""Small bar charts as inline SVG, drawn on the server: no script, no CDN, nothing to load.

Every label is escaped; each chart carries a title for screen readers, and the page shows
the same numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 720, 220
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 48, 36, 24


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: str  # a CSS colour of our own, never from data


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], stacked: bool = True) -> str:
    """Bars per label: stacked (parts of one total) or side by side (e.g. p50 next to p95)."""
    if not labels:
        return f'<p class="empty">{escape(title)}: nothing recorded in this period.</p>'
    top = _top(series, stacked)
    plot_w, plot_h = WIDTH - MARGIN_LEFT - 8, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / len(labels)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        _axis(top, plot_h),
    ]
    for i, label in enumerate(labels):
        x = MARGIN_LEFT + i * slot
        parts.extend(_bars(series, i, x, slot, plot_h, top, stacked))
        if len(labels) <= 16 or i % max(1, len(labels) // 8) == 0:  # a readable number of labels
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 14}" '
                f'text-anchor="middle" class="tick">{escape(label)}</text>'
            )
    parts.append(_legend(series))
    parts.append("</svg>")
    return "".join(parts)


def _top(series: Sequence[Series], stacked: bool) -> float:
    columns = zip(*(s.values for s in series), strict=True)
    heights = [sum(c) if stacked else max(c) for c in columns]
    return max(max(heights, default=0.0), 1.0)


def _axis(top: float, plot_h: float) -> str:
    bottom = MARGIN_TOP + plot_h
    return (
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - 8}" y2="{bottom}" class="axis"/>'
        f'<text x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + 4}" text-anchor="end" class="tick">'
        f"{_number(top)}</text>"
        f'<text x="{MARGIN_LEFT - 6}" y="{bottom}" text-anchor="end" class="tick">0</text>'
    )


def _bars(
    series: Sequence[Series], i: int, x: float, slot: float, plot_h: float, top: float, stacked: bool
) -> list[str]:
    bars, base = [], MARGIN_TOP + plot_h
    width = slot * 0.7 if stacked else slot * 0.7 / len(series)
    for k, s in enumerate(series):
        value = s.values[i]
        height = plot_h * value / top
        left = x + slot * 0.15 + (0 if stacked else k * width)
        y = base - height if stacked else MARGIN_TOP + plot_h - height
        bars.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{s.color}">'
            f"<title>{escape(s.name)}: {_number(value)}</title></rect>"
        )
        if stacked:
            base -= height
    return bars


def _legend(series: Sequence[Series]) -> str:
    items = []
    for k, s in enumerate(series):
        x = MARGIN_LEFT + k * 160
        items.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{x + 14}" y="15" class="tick">{escape(s.name)}</text>'
        )
    return "".join(items)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
