"""Legends never hide what a figure shows.

Chapter 2's XOR figure draws the two hidden units' lines over the input plane; its legend once
sat on top of unit B's line. The figure's cells are run as the build runs them (tests/
chapter_text.py, Agg backend), the figure is drawn, and no point of a plotted line or of a data
point may fall inside a legend's box (both in display pixels, lines sampled densely).
"""

from __future__ import annotations

import numpy as np
import pytest
from chapter_text import Page
from matplotlib.collections import PathCollection

# (page, code of the first cell to run, code of the cell that draws the figure, its name)
FIGURES = [
    ("02_layers", "W1_xor = np.array", "fig, (ax_in, ax_hid)", "fig"),
]


def covered(fig) -> list[str]:
    """What a legend of ``fig`` covers: '<axes title>: <artist>' for each line or point hidden."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # Page.run closed the figure, which took its canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        inside_axes = ax.get_window_extent(renderer)
        for line in ax.get_lines():
            xy = line.get_transform().transform(line.get_xydata())
            pairs = zip(xy[:-1], xy[1:], strict=True)
            dense = np.concatenate([np.linspace(a, b, 200) for a, b in pairs] or [xy])
            shown = [p for p in dense if inside_axes.contains(*p)]
            if any(box.contains(*p) for p in shown):
                found.append(f"{ax.get_title()!r}: line {line.get_label()!r}")
        for points in ax.collections:
            if not isinstance(points, PathCollection):
                continue
            xy = points.get_offset_transform().transform(points.get_offsets())
            if any(box.contains(*p) for p in xy):
                found.append(f"{ax.get_title()!r}: points {points.get_label()!r}")
    return found


@pytest.mark.parametrize(("page", "first", "last", "name"), FIGURES)
def test_legend_hides_no_line_and_no_point(page, first, last, name):
    fig = Page(page).run(first, last)[name]
    hidden = covered(fig)
    assert hidden == [], f"{page}: a legend covers {hidden}; put it beside or under the plot"


def test_the_check_sees_a_legend_that_covers_a_line():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.plot([0, 1], [1, 1], label="top")
    ax.legend(loc="center")
    try:
        assert covered(fig) == ["'': line 'diagonal'"]
    finally:
        plt.close(fig)
