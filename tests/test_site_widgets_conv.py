"""Chapter 6's kernel explorer is live on the built website: in Chromium with the network cut,
every control changes what the page shows, and the page shows nnlib's numbers.

After every move the values the controls show are read back (digit, kernel weights, pooling
size, max or average), ``nnlib.widgets.conv.kernel_explorer_state`` is called with them, and its
summary sentence must be the one on the page, character for character; the plot's text
alternative must state the kernel and the pooled numbers. The view is drawn by
nnlib/widgets/js/kernel_explorer.js; tests/widget_page.py drives the page (one page load for the
module; a check reads the controls and the view in one call into the page).
"""

from __future__ import annotations

import time

import pytest
from widget_page import WidgetPage

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_browser"),
              pytest.mark.xdist_group("site")]

WEIGHT_LABELS = [f"w[{r},{c}]" for r in range(3) for c in range(3)]
GRID = [("key", "Home"), ("key", "PageUp"), ("key", "ArrowRight"), ("drag", 0.3),
        ("key", "End"), ("key", "ArrowLeft"), ("key", "PageDown"), ("drag", 0.75)]


@pytest.fixture(scope="module")
def explorer():
    widget = WidgetPage("book/06_convolution.html", "kernel_explorer")
    yield widget
    widget.close()


def no_problems(widget: WidgetPage) -> None:
    problems = widget.tab.problems()
    assert problems == [], "the page reported problems:\n" + "\n".join(problems)


CONTROLS = ["digit", *WEIGHT_LABELS, "pool size", "pooling"]


def settings(reading) -> dict:
    """The controls' setting, from a ``WidgetPage.read`` of CONTROLS."""
    return dict(digit=int(reading.value("digit")),
                kernel=[float(reading.value(label)) for label in WEIGHT_LABELS],
                size=int(reading.value("pool size")),
                pool="max" if reading.value("pooling") == "max" else "avg")


def check(widget: WidgetPage) -> dict:
    from nnlib.widgets.conv import explorer_digits, kernel_explorer_state

    reading = widget.read(CONTROLS, ["summary"])
    now = settings(reading)
    images, _ = explorer_digits()
    state = kernel_explorer_state(images[now["digit"]], now["kernel"], now["size"], now["pool"])
    shown = reading.shown("summary")
    assert shown == state["summary"], f"controls at {now}: page shows {shown!r}, nnlib gives " \
                                      f"{state['summary']!r}"
    alt = reading.alt
    rows = ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in state["kernel"])
    assert f"kernel, rows {rows}" in alt, f"the text alternative lacks the kernel {rows}: {alt!r}"
    assert f"from {state['feature_min']:.2f} to {state['feature_max']:.2f}" in alt, alt
    if len(state["pooled"]) <= 4:
        pooled = ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]"
                           for row in state["pooled"])
        assert f"rows {pooled}." in alt, f"the text alternative lacks the pooled map: {alt!r}"
    assert reading.state == "ok"
    return now


def move(widget: WidgetPage, label: str, how: str, arg) -> None:
    if how == "key":
        widget.press(label, arg)
    else:
        widget.drag(label, arg)


def test_explorer_starts_on_a_three_with_the_vertical_edge_kernel(explorer):
    now = check(explorer)
    assert now == dict(digit=3, kernel=[1, 0, -1] * 3, size=2, pool="max")
    assert explorer.value("kernel") == "vertical edges"
    no_problems(explorer)


@pytest.mark.parametrize("label", ["w[0,0]", "w[1,1]", "w[2,1]"])
def test_explorer_agrees_with_nnlib_on_a_grid_of_a_weight_slider(explorer, label):
    seen = set()
    for how, arg in GRID:
        move(explorer, label, how, arg)
        seen.add(check(explorer)["kernel"][WEIGHT_LABELS.index(label)])
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(explorer)


def test_explorer_pool_size_slider_squints_through_every_size(explorer):
    explorer.press("pool size", "Home")
    sizes = [check(explorer)["size"]]
    for _ in range(3):
        explorer.press("pool size", "ArrowRight")
        sizes.append(check(explorer)["size"])
    assert sizes == [1, 2, 4, 8]
    explorer.drag("pool size", 0.4)
    check(explorer)
    no_problems(explorer)


@pytest.mark.parametrize("pool", ["average", "max"])
def test_explorer_pooling_menu_switches_between_average_and_max(explorer, pool):
    explorer.press("pool size", "Home")
    explorer.press("pool size", "ArrowRight")                 # 2 x 2
    explorer.choose("pooling", pool)
    assert check(explorer)["pool"] == ("max" if pool == "max" else "avg")
    name = "max" if pool == "max" else "average"
    assert f"2×2 {name} pooling keeps 16 of 64 numbers" in explorer.shown("summary")


@pytest.mark.parametrize("preset, weights", [
    ("sharpen", [0, -1, 0, -1, 5, -1, 0, -1, 0]),
    ("blur", [1] * 9),
    ("horizontal edges", [1, 1, 1, 0, 0, 0, -1, -1, -1]),
    ("identity", [0, 0, 0, 0, 1, 0, 0, 0, 0]),
    ("vertical edges", [1, 0, -1] * 3),
])
def test_choosing_a_preset_sets_the_nine_sliders_and_the_picture(explorer, preset, weights):
    explorer.choose("kernel", preset)
    rows = ", ".join("[" + ", ".join(f"{float(v):.2f}" for v in weights[r:r + 3]) + "]"
                     for r in (0, 3, 6))
    explorer.page.wait_for_function(
        "([el, want]) => (el.querySelector('svg[role=img]')?.getAttribute('aria-label') || '')"
        ".includes(want)",
        arg=[explorer.view.element_handle(), f"kernel, rows {rows}"], timeout=10_000)
    deadline = time.monotonic() + 10
    while (now := settings(explorer.read(CONTROLS)))["kernel"] != weights:
        assert time.monotonic() < deadline, (
            f"after choosing {preset!r} the sliders show {now['kernel']}, expected {weights}")
        time.sleep(0.1)
    check(explorer)
    no_problems(explorer)


@pytest.mark.parametrize("digit", ["0", "1", "7", "8"])
def test_every_digit_of_the_menu_is_drawn_with_nnlibs_numbers(explorer, digit):
    explorer.choose("digit", digit)
    assert check(explorer)["digit"] == int(digit)
    assert f"The digit {digit} as 8 by 8 pixels" in explorer.alt()


def test_explorer_your_turn_vertical_edges_of_a_one(explorer):
    explorer.choose("digit", "1")
    explorer.choose("kernel", "vertical edges")
    explorer.press("pool size", "Home")
    now = check(explorer)
    assert now["kernel"] == [1, 0, -1] * 3 and now["size"] == 1
    summary = explorer.shown("summary")
    assert "1×1 max pooling keeps 64 of 64 numbers" in summary
    no_problems(explorer)
