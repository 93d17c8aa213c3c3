"""The layout of every page of the built website on a 390 px phone and a 1280 px desktop.

Each page of the site (the list of tests/test_site_browser.py: every page of _toc.yml, so a new
chapter is tested as soon as it is in the table of contents) is opened in headless Chromium at
the phone's width and, once MathJax has typeset it and its widgets and images have loaded,
measured; then the same tab is widened to the desktop's width and measured again
(``LAYOUT_JS`` of tests/site_browser.py, on the page's one visit, which the browser and
accessibility tests read too):

- **No page scrolls sideways on a phone**: the document is no wider than the 390 px screen.
- **Nothing is clipped**: no formula, code, table, image or text reaches past the edge of a box
  that hides what overflows (the theme's ``span.math`` did that to long inline formulas). What is
  wider than its column must sit in a box that scrolls sideways (code blocks, wide tables,
  display formulas, wide figures on a phone).
- **No table overflows its column on a desktop**: at 1280 px, every table and every printed
  output of a cell fits its column, so no column of results is hidden behind a scroll bar.
- **Figures are legible on a phone and on a desktop.** The criterion: a figure's smallest text,
  SMALLEST_FONT_PT points drawn at the figure's resolution (its PNG's pHYs chunk, in dots per
  inch), is shown at least LEGIBLE_PX CSS pixels high: ``SMALLEST_FONT_PT * dpi / 72 *
  shown_width / png_width >= LEGIBLE_PX``. tests/test_figure_fonts.py checks that no figure of
  the book uses a font smaller than SMALLEST_FONT_PT. On a desktop (1280 px) a figure is shown
  whole in its column, so it must be no wider than the column can show legibly
  (``nnlib.plots.MAX_FIGURE_WIDTH`` inches; tests/test_figure_fonts.py checks the chapters'
  figure sizes); on a phone, tools/site/static/phone_figures.js keeps wide figures at the
  legible width, in a box that scrolls sideways with a link to the full-size image.

Needs Debian's Chromium and playwright (tests/site_browser.py); ``SITE_HTML=/path/_build/html``
tests a site already built.
"""

from __future__ import annotations

import struct
from urllib.parse import unquote, urlsplit

import pytest
from site_browser import VIEWPORTS, site_html, site_url, visit
from test_figure_fonts import SMALLEST_FONT_PT
from test_site_browser import PAGES

# The site's group; and one work unit with the other modules that read visit(page, viewport)
# (test_site_browser.py, test_site_a11y.py), so that each page is opened once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site"),
              pytest.mark.usefixtures("needs_browser")]
XDIST_UNIT = "visit"

LEGIBLE_PX = 9


def layout(page: str, viewport: str) -> dict:
    """What LAYOUT_JS measured of ``page`` at the viewport's size, on the page's one visit at
    that size (tests/site_browser.py: once MathJax, the widgets and the images are done)."""
    seen = visit(page, viewport)
    assert seen.layout, f"{page} at {viewport}: the visit measured no layout"
    return seen.layout


def png_dpi(path) -> float:
    """Dots per inch of a PNG, from its pHYs chunk (matplotlib writes it)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"pHYs":
            x, _, unit = struct.unpack(">IIB", data[at + 8:at + 17])
            assert unit == 1, f"{path}: pHYs is not in pixels per metre"
            return x * 0.0254
        at += 12 + length
    raise AssertionError(f"{path} has no pHYs chunk: its resolution is unknown")


def image_file(page: str, src: str):
    url = urlsplit(f"{site_url()}/{page}")
    target = urlsplit(f"{url.scheme}://{url.netloc}{url.path.rsplit('/', 1)[0]}/{src}")
    return (site_html() / unquote(target.path).lstrip("/")).resolve()


@pytest.mark.parametrize("page", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(page):
    seen = layout(page, "phone")
    assert seen["scroll_width"] <= seen["client_width"], (
        f"{page} is {seen['scroll_width']} px wide on a {seen['client_width']} px phone screen, so "
        "the whole page scrolls sideways; what reaches past the screen:\n  "
        + "\n  ".join(seen["widening"]))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_nothing_on_the_page_is_clipped(page, viewport):
    clipped = layout(page, viewport)["clipped"]
    assert clipped == [], (
        f"{page} at {VIEWPORTS[viewport]['width']} px hides part of {len(clipped)} elements:\n  "
        + "\n  ".join(clipped[:12]))


@pytest.mark.parametrize("page", PAGES)
def test_no_table_or_printed_output_overflows_its_column_on_a_desktop(page):
    overflowing = layout(page, "desktop")["overflowing"]
    assert overflowing == [], (
        f"{page} at 1280 px: part of these is hidden behind a scroll bar:\n  "
        + "\n  ".join(overflowing))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_figures_text_is_legible(page, viewport):
    figures = layout(page, viewport)["figures"]
    small = []
    for figure in figures:
        dpi = png_dpi(image_file(page, figure["src"]))
        text_px = SMALLEST_FONT_PT * dpi / 72 * figure["shown"] / figure["natural"]
        if text_px < LEGIBLE_PX - 0.05:
            small.append(f"{figure['alt']!r}: {figure['natural']} px at {dpi:.0f} dpi shown "
                         f"{figure['shown']:.0f} px wide, so {SMALLEST_FONT_PT} pt text is "
                         f"{text_px:.1f} px high")
        elif figure["beyond_box"]:
            assert figure["box_scrolls"] and figure["hint"], (
                f"{page}: figure {figure['alt']!r} is wider than the screen but its box does not "
                "scroll sideways or says nothing of it")
    hint = ("draw it narrower (figsize at most nnlib.plots.MAX_FIGURE_WIDTH inches wide), or "
            "with fewer panels per row" if viewport == "desktop" else
            "tools/site/static/phone_figures.js should have kept it at a legible width")
    assert small == [], (
        f"{page} at {VIEWPORTS[viewport]['width']} px shows figures whose smallest text is "
        f"below {LEGIBLE_PX} px ({hint}):\n  " + "\n  ".join(small))


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_shown_whole_on_a_desktop(page):
    cut = [f["alt"] for f in layout(page, "desktop")["figures"] if f["cut"] or f["beyond_box"]]
    assert cut == [], f"{page} at 1280 px shows only part of the figures {cut}"
