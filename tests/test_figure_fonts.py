"""No figure of the book uses a font smaller, or is wider, than the site's layout is made for.

tests/test_site_layout.py checks on the built site that a figure's smallest text is shown at
least 9 CSS px high on a phone and on a 1280 px desktop, computing that text's size from
SMALLEST_FONT_PT (and the figure's resolution); tools/site/static/phone_figures.js sizes figures
from the same number. This holds the figures' code to it, without building the site:

- every font size that nnlib.plots or a chapter's code sets (``fontsize=``, ``labelsize=``,
  ``title_fontsize=``, ``set_fontsize(...)``, ``rcParams`` font sizes), in points or by name
  (matplotlib's names, relative to the default 10 pt), is at least SMALLEST_FONT_PT;
- every ``figsize=(width, height)`` a chapter writes, and every figure nnlib.plots makes, is at
  most ``nnlib.plots.MAX_FIGURE_WIDTH`` inches wide: the desktop column shrinks a wider figure,
  and its smallest text with it, below 9 CSS px.
"""

from __future__ import annotations

import re

import matplotlib
import pytest
from book_site import ROOT, toc_part
from chapter_text import Page

from nnlib.plots import MAX_FIGURE_WIDTH

SMALLEST_FONT_PT = 8  # the smallest font a figure may use (tools/site/static/phone_figures.js)
# matplotlib's font size names, in points, for its default font.size of 10 pt
NAMED = {"xx-small": 5.79, "x-small": 6.94, "small": 8.33, "medium": 10.0, "large": 12.0,
         "x-large": 14.4, "xx-large": 17.28, "larger": 12.0, "smaller": 8.33}
SIZE = re.compile(
    r"""(?:\b(?:fontsize|labelsize|title_fontsize)\s*=\s*|set_fontsize\(\s*|"""
    r"""rcParams\[["'][\w.]*size["']\]\s*=\s*)(?P<value>[\d.]+|["'][\w-]+["'])""")
FIGSIZE = re.compile(r"\bfigsize\s*=\s*\(\s*(?P<width>[\d.]+)\s*,")


def font_sizes(code: str) -> list[tuple[str, float]]:
    found = []
    for match in SIZE.finditer(code):
        value = match.group("value").strip("'\"")
        points = NAMED[value] if value in NAMED else float(value)
        line = code[:match.start()].count("\n") + 1
        found.append((f"line {line}: {match.group(0)}", points))
    return found


SOURCES = {"nnlib/plots.py": (ROOT / "nnlib" / "plots.py").read_text(encoding="utf-8")}
SOURCES.update({f"{chapter}.md": "\n".join(Page(chapter.rsplit("/", 1)[-1]).code_cells)
                for chapter in toc_part("Chapters")})


@pytest.mark.parametrize("source", SOURCES)
def test_figures_use_no_font_below_the_phone_layouts_floor(source):
    small = [(where, points) for where, points in font_sizes(SOURCES[source])
             if points < SMALLEST_FONT_PT]
    assert small == [], (
        f"{source} draws text smaller than {SMALLEST_FONT_PT} pt, which a phone shows below 9 px "
        f"(tests/test_site_layout.py): {small}")


def test_font_sizes_are_found_in_every_form():
    code = ('ax.text(0, 0, "a", fontsize=7)\nax.legend(fontsize="x-small")\n'
            't.set_fontsize(12)\nplt.rcParams["font.size"] = 6\nnp.zeros(size=3)\n')
    assert [points for _, points in font_sizes(code)] == [7.0, 6.94, 12.0, 6.0]


def figure_widths(code: str) -> list[tuple[str, float]]:
    """Every ``figsize=(width, ...)`` of the code whose width is a number (inches)."""
    return [(f"line {code[:m.start()].count(chr(10)) + 1}: {m.group(0)}", float(m["width"]))
            for m in FIGSIZE.finditer(code)]


@pytest.mark.parametrize("source", SOURCES)
def test_figures_are_no_wider_than_the_desktop_column_shows_legibly(source):
    wide = [(where, inches) for where, inches in figure_widths(SOURCES[source])
            if inches > MAX_FIGURE_WIDTH]
    assert wide == [], (
        f"{source} draws figures wider than nnlib.plots.MAX_FIGURE_WIDTH = {MAX_FIGURE_WIDTH} "
        f"inches, which the website's column at 1280 px shrinks until their smallest text is "
        f"below 9 px (tests/test_site_layout.py): {wide}. Make them narrower, or put fewer "
        "panels in a row.")


def test_figure_widths_are_found():
    code = "plt.subplots(1, 3, figsize=(10, 2.8))\nplt.figure(figsize = ( 7.5 ,4))\n" \
           "plt.subplots(figsize=(size * n, 2))\n"
    assert [inches for _, inches in figure_widths(code)] == [10.0, 7.5]


def test_nnlib_plots_makes_no_figure_wider_than_the_desktop_column_shows_legibly():
    import numpy as np

    import nnlib.plots as plots

    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    made = {
        "plot_history": plots.plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.9]})[0],
        "image_grid of 10 in a row": plots.image_grid(rng.random((20, 8, 8)), ncols=10)[0, 0],
        "image_grid of 5 at 2 in": plots.image_grid(rng.random((5, 8, 8)), size=2.0)[0, 0],
        "weight_heatmap of 20 columns": plots.weight_heatmap(rng.normal(size=(4, 20))),
        "network_diagram of 12 layers": plots.network_diagram([3] * 12),
    }
    try:
        widths = {name: ax.figure.get_size_inches()[0] for name, ax in made.items()}
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    wide = {name: round(float(w), 2) for name, w in widths.items() if w > MAX_FIGURE_WIDTH + 1e-9}
    assert wide == {}, f"nnlib.plots draws figures wider than {MAX_FIGURE_WIDTH} in: {wide}"
