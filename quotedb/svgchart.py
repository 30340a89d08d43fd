"""Small charts drawn as inline SVG, for a report that opens with no network.

A researcher mails the report or opens it on a train: it must not fetch a
charting library. Three shapes cover what ``quotedb report`` shows (lines
over months, 100% stacked columns, horizontal bars); each is a pure
function from numbers to an SVG string, every label escaped, and each
draws a ``<title>`` per mark so hovering shows the exact figure.
"""

from __future__ import annotations

from html import escape

#: Okabe-Ito colours: told apart by people with any common colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")

_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-label="{escape(label)}">' + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {_FONT}{extra}>'
            f"{escape(content)}</text>")


def _nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value``.

    >>> _nice_max(7), _nice_max(13), _nice_max(0)
    (10, 20, 1)
    """
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _legend(names: list[str], x: float, y: float) -> list[str]:
    parts = []
    for i, name in enumerate(names):
        row_y = y + i * 16
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{row_y - 9:.1f}" width="10" height="10" '
                     f'fill="{colour}"/>')
        parts.append(_text(x + 14, row_y, name))
    return parts


def line_chart(months: list[str], series: dict[str, list[int]], label: str,
               width: int = 760, height: int = 260) -> str:
    """One line per series over ``months`` (values aligned with them), legend at right."""
    left, right, top, bottom = 40, 190, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((max(v) for v in series.values() if v), default=0))
    step = plot_w / max(len(months) - 1, 1)
    # One month: its points in the middle of the axis, not on the y axis.
    first_x = left + (plot_w / 2 if len(months) == 1 else 0)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
            'stroke="#999"/>',
            _text(left - 6, top + 4, f"{top_value:g}", "end"),
            _text(left - 6, top + plot_h, "0", "end")]
    every = max(1, len(months) // 8)  # at most ~8 month labels, so they never overlap
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            body.append(_text(first_x + i * step, top + plot_h + 16, month, "middle"))
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = [(first_x + i * step, top + plot_h - plot_h * v / top_value)
                  for i, v in enumerate(values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        'stroke-width="2"/>')
        for (x, y), month, value in zip(points, months, values, strict=True):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                        f"<title>{escape(name)}, {escape(month)}: {value}</title></circle>")
    body += _legend(list(series), width - right + 12, top + 10)
    return _svg(width, height, label, body)


def share_columns(columns: list[str], parts: list[str], counts: list[dict[str, int]],
                  label: str, width: int = 360, height: int = 200) -> str:
    """100% stacked columns: each column's ``parts`` as shares of its total."""
    left, right, top, bottom = 34, 80, 10, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(columns), 1)
    bar = min(slot * 0.8, 40)
    body = [_text(left - 4, top + 4, "100%", "end"), _text(left - 4, top + plot_h, "0%", "end")]
    every = max(1, len(columns) // 6)
    for i, (column, count) in enumerate(zip(columns, counts, strict=True)):
        total = sum(count.values())
        x = left + i * slot + (slot - bar) / 2
        y = float(top + plot_h)
        for n, part in enumerate(parts):
            value = count.get(part, 0)
            if not total or not value:
                continue
            h = plot_h * value / total
            y -= h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(column)}, '
                        f"{escape(part)}: {value} of {total} ({value / total:.0%})</title></rect>")
        if i % every == 0 or i == len(columns) - 1:
            body.append(_text(x + bar / 2, top + plot_h + 14, column, "middle"))
    body += _legend(parts, width - right + 10, top + 10)
    return _svg(width, height, label, body)


def bar_chart(rows: list[tuple[str, int]], label: str, width: int = 360) -> str:
    """Horizontal bars, one per (name, value), in the order given."""
    left, right, row_h = 170, 40, 18
    height = max(len(rows), 1) * row_h + 8
    top_value = float(max((value for _, value in rows), default=0) or 1)
    body = []
    for i, (name, value) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - left - right) * value / top_value
        shown = name if len(name) <= 26 else name[:25] + "…"  # ~6 px a character at 11 px
        body.append(_text(left - 6, y + 12, shown, "end"))
        body.append(f'<rect x="{left}" y="{y + 2:.1f}" width="{w:.1f}" height="{row_h - 5}" '
                    f'fill="{PALETTE[0]}"><title>{escape(name)}: {value}</title></rect>')
        body.append(_text(left + w + 4, y + 12, str(value)))
    return _svg(width, height, label, body)


__all__ = ["PALETTE", "bar_chart", "line_chart", "share_columns"]
