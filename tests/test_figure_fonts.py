"""No figure of the book uses a font smaller than the one its phone layout is made for.

tests/test_site_layout.py checks on the built site that a figure's smallest text is shown at
least 9 CSS px high on a phone, computing that text's size from SMALLEST_FONT_PT (and the
figure's resolution); tools/site/static/phone_figures.js sizes figures from the same number. This
holds them to it: every font size that nnlib.plots or a chapter's code sets (``fontsize=``,
``labelsize=``, ``title_fontsize=``, ``set_fontsize(...)``, ``rcParams`` font sizes), in points
or by name (matplotlib's names, relative to the default 10 pt), is at least SMALLEST_FONT_PT.
"""

from __future__ import annotations

import re

import pytest
from book_site import ROOT, toc_part
from chapter_text import Page

SMALLEST_FONT_PT = 8  # the smallest font a figure may use (tools/site/static/phone_figures.js)
# matplotlib's font size names, in points, for its default font.size of 10 pt
NAMED = {"xx-small": 5.79, "x-small": 6.94, "small": 8.33, "medium": 10.0, "large": 12.0,
         "x-large": 14.4, "xx-large": 17.28, "larger": 12.0, "smaller": 8.33}
SIZE = re.compile(
    r"""(?:\b(?:fontsize|labelsize|title_fontsize)\s*=\s*|set_fontsize\(\s*|"""
    r"""rcParams\[["'][\w.]*size["']\]\s*=\s*)(?P<value>[\d.]+|["'][\w-]+["'])""")


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
