"""Server-rendered SVG charts: the geometry of each chart, laid out here and drawn by the
templates in templates/includes/charts/ (no JavaScript, no inline style).

Every chart carries its figures as text beside each bar or point, so it reads without colour,
and the page shows the same figures in a table next to it.
"""

LABEL_WIDTH = 230
VALUE_WIDTH = 70
BAR_HEIGHT = 20
ROW_GAP = 10
WIDTH = 640


def bars(rows, *, label, value, total=None):
    """A horizontal bar chart: one bar per row, the value written after it.

    `rows` are dicts; `label` and `value` name their keys. Bars are scaled to `total`, or to
    the largest value.
    """
    scale_to = total or max((row[value] for row in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    drawn = []
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + ROW_GAP)
        length = round(room * row[value] / scale_to)
        drawn.append(
            {
                "label": row[label],
                "value": row[value],
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "length": max(length, 1) if row[value] else 0,
                "value_x": LABEL_WIDTH + length + 6,
            }
        )
    return {
        "width": WIDTH,
        "height": max(len(rows) * (BAR_HEIGHT + ROW_GAP), BAR_HEIGHT),
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "bars": drawn,
    }


def paired_bars(rows, *, label, first, second):
    """Two bars per row (e.g. announced and delivered): the first filled, the second outlined,
    each with its value and its name written after it."""
    scale_to = max((max(row[first], row[second]) for row in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 60
    pair = 2 * BAR_HEIGHT + 4
    drawn = []
    for index, row in enumerate(rows):
        y = index * (pair + ROW_GAP)
        one = round(room * row[first] / scale_to)
        two = round(room * row[second] / scale_to)
        drawn.append(
            {
                "label": row[label],
                "y": y,
                "label_y": y + BAR_HEIGHT + 6,
                "first": {
                    "value": row[first],
                    "length": one,
                    "y": y,
                    "text_x": LABEL_WIDTH + one + 6,
                },
                "second": {
                    "value": row[second],
                    "length": two,
                    "y": y + BAR_HEIGHT + 4,
                    "text_x": LABEL_WIDTH + two + 6,
                },
            }
        )
    return {
        "width": WIDTH,
        "height": max(len(rows) * (pair + ROW_GAP), pair),
        "label_x": LABEL_WIDTH - 8,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "rows": drawn,
    }


def line(points, *, label, value, maximum=None, width=WIDTH, height=220, unit="", margins=None):
    """A line chart with a marker and its value written at each point, and an x axis of
    labels (years). `margins`: (left, right, top, bottom)."""
    left, right, top, bottom = margins or (40, 20, 24, 34)
    top_value = maximum or max((point[value] for point in points), default=0) or 1
    span = max(len(points) - 1, 1)
    inner_w, inner_h = width - left - right, height - top - bottom
    drawn = []
    for index, point in enumerate(points):
        x = left + round(inner_w * index / span) if len(points) > 1 else left + inner_w // 2
        y = top + inner_h - round(inner_h * point[value] / top_value)
        drawn.append(
            {"x": x, "y": y, "label": point[label], "value": point[value], "text_y": y - 8}
        )
    return {
        "width": width,
        "height": height,
        "points": drawn,
        "path": " ".join(f"{p['x']},{p['y']}" for p in drawn),
        "axis_y": top + inner_h,
        "axis_label_y": top + inner_h + 22,
        "left": left,
        "right": width - right,
        "top": top,
        "unit": unit,
        "maximum": top_value,
    }


def sparkline(points, *, value, width=200, height=48):
    """A small line (a key figure's series), its last value marked."""
    return line(points, label="year", value=value, width=width, height=height, margins=(6, 6, 6, 6))
