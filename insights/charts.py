"""The strip's bar charts as plain numbers for an inline SVG: no chart library, no script.

Rendered on the server, the chart needs nothing from a CDN, passes the Content-Security-Policy
untouched, and each bar's part is a link (``<a href>``) that narrows the list to that day and
status. The same figures are in a table for screen readers (insights/_strip.html).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

from orders.models import OrderStatus

from .selectors import Bucket, Figures

WIDTH = 720
HEIGHT = 150
PLOT_TOP = 8
PLOT_BOTTOM = 128  # bars stand on this line; labels go under it
LEFT = 4
# Drawn bottom to top: the orders that count first, canceled ones on top.
STACK = [
    OrderStatus.FULFILLED,
    OrderStatus.PAID,
    OrderStatus.CREATED,
    OrderStatus.CANCELED,
]


@dataclass
class Segment:
    status: str
    label: str
    y: float
    height: float
    value: int
    url: str


@dataclass
class Bar:
    first: date
    last: date
    x: float
    width: float
    segments: list[Segment]
    total: int
    url: str  # the whole bucket, every status of the filter
    label: str  # shown under some bars


def bars(
    buckets: list[Bucket],
    measure: Callable[[Figures], int],
    link: Callable[[Bucket, str | None], str],
    label: Callable[[Bucket], str],
) -> list[Bar]:
    """One stacked bar per bucket, scaled to the tallest; ``measure`` picks orders or revenue,
    ``link`` makes a bucket's (and a status's) URL and ``label`` its caption."""
    if not buckets:
        return []
    step = (WIDTH - LEFT) / len(buckets)
    width = max(step * 0.8, 1.0)
    tallest = max(max(measure(bucket.total), 0) for bucket in buckets) or 1
    scale = (PLOT_BOTTOM - PLOT_TOP) / tallest
    # About twelve captions whatever the number of bars.
    every = max(1, round(len(buckets) / 12))
    result = []
    for index, bucket in enumerate(buckets):
        y = float(PLOT_BOTTOM)
        segments = []
        for status in STACK:
            figures = bucket.statuses.get(status)
            value = measure(figures) if figures else 0
            if value <= 0:
                continue
            height = value * scale
            y -= height
            segments.append(
                Segment(status, status.label, y, height, value, link(bucket, status.value))
            )
        result.append(
            Bar(
                first=bucket.first,
                last=bucket.last,
                x=LEFT + index * step,
                width=width,
                segments=segments,
                total=measure(bucket.total),
                url=link(bucket, None),
                label=label(bucket) if index % every == 0 else "",
            )
        )
    return result


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def svg(chart_bars: list[Bar], *, noun: str, money: Callable[[int], str] | None) -> str:
    """The chart as SVG markup: each bar a link to its whole bucket (an invisible hit area)
    and each part a link to its status, with a tooltip (``<title>``). Written here rather
    than in a template: a year of days is some 2,000 elements, which the template engine
    takes ten times longer to write."""

    def amount(value: int) -> str:
        return money(value) if money else f"{value:,} {noun}"

    out = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" class="stacked-chart" '
        f'aria-hidden="true"><line class="axis" x1="0" x2="{WIDTH}" y1="{PLOT_BOTTOM}" '
        f'y2="{PLOT_BOTTOM}"></line>'
    ]
    for bar in chart_bars:
        days = _day(bar.first) if bar.last == bar.first else f"{_day(bar.first)} – {_day(bar.last)}"
        x, width, first = f"{bar.x:.2f}", f"{bar.width:.2f}", bar.first.isoformat()
        out.append(
            f'<g class="bar-group"><a href="{escape(bar.url)}" class="bar-hit" tabindex="-1">'
            f'<rect x="{x}" y="0" width="{width}" height="{PLOT_BOTTOM}"><title>{days}: '
            f"{escape(amount(bar.total))}</title></rect></a>"
        )
        for part in bar.segments:
            out.append(
                f'<a href="{escape(part.url)}" data-status="{part.status}" data-first="{first}" '
                f'tabindex="-1"><rect class="part part-{part.status.lower()}" x="{x}" '
                f'y="{part.y:.2f}" width="{width}" height="{part.height:.2f}"><title>{days}, '
                f"{escape(part.label)}: {escape(amount(part.value))}</title></rect></a>"
            )
        if bar.label:
            out.append(f'<text class="bar-label" x="{x}" y="{HEIGHT - 8}">{bar.label}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
