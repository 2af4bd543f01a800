"""The strip's bar charts as plain numbers for an inline SVG: no chart library, no script.

Rendered on the server, the chart needs nothing from a CDN, passes the Content-Security-Policy
untouched, and each bar's part is a link (``<a href>``) that narrows the list to that day and
status. The same figures are in a table for screen readers (insights/_strip.html).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

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
