"""Every widget of the built website is live: its controls change what the page shows, in
Chromium with the network cut (only the local server answers), and the numbers it shows are
nnlib's, to the digits shown.

For each widget, each control is moved through a grid of values, by keyboard (arrows, Page
Up/Down, Home, End) and by dragging with the mouse; after every move the values the controls
show are read back, the matching nnlib state function is called with them, and its numbers,
formatted as the widget formats them, must be the ones on the page. The plot's text alternative
must state the same numbers. The views are drawn by nnlib/widgets/js/*.js (nnlib/widgets/live.py);
tests/widget_page.py drives the page.
"""

from __future__ import annotations

import numpy as np
import pytest
from site_browser import CHROMIUM, NO_CHROMIUM
from widget_page import WidgetPage

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]
pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)"
)

# Keyboard and mouse moves for a slider: (what, argument)
GRID = [("key", "Home"), ("key", "PageUp"), ("key", "ArrowRight"), ("drag", 0.3),
        ("key", "End"), ("key", "ArrowLeft"), ("key", "PageDown"), ("drag", 0.75)]


def move(widget: WidgetPage, label: str, how: str, arg) -> None:
    if how == "key":
        widget.press(label, arg)
    else:
        widget.drag(label, arg)


def no_problems(widget: WidgetPage) -> None:
    problems = widget.tab.problems()
    assert problems == [], "the page reported problems:\n" + "\n".join(problems)


# --- chapter 1: the spam-email neuron ---------------------------------------------------------

SPAM_LABELS = ["Win $$$", "suspicious links", "known sender", "weight w1", "weight w2",
               "weight w3", "bias b"]


@pytest.fixture(scope="module")
def spam():
    widget = WidgetPage("book/01_perceptron.html", "spam_neuron")
    yield widget
    widget.close()


def check_spam(widget: WidgetPage) -> str:
    from nnlib.widgets.neuron import spam_neuron_state

    values = [float(widget.value(label)) for label in SPAM_LABELS]
    state = spam_neuron_state(values[:3], values[3:6], values[6])
    expected = {
        "weighted_sum": f"{state['weighted_sum']:.2f}",
        "probability": f"{state['probability']:.3f}",
        "verdict": state["verdict"],
    }
    got = {key: widget.shown(key) for key in expected}
    assert got == expected, f"sliders at {values}: page shows {got}, nnlib gives {expected}"
    alt = widget.alt()
    z, p = f"z = {state['weighted_sum']:+.2f}", f"P(spam) = {state['probability']:.2f}"
    assert z in alt and p in alt, (
        f"the chart's text alternative does not state z and P(spam) for {values}: {alt!r}"
    )
    return f"{values}"


def test_spam_neuron_starts_at_the_chapters_spammy_email(spam):
    assert [spam.value(label) for label in SPAM_LABELS] == [
        "1.00", "1.00", "0.00", "2.00", "2.00", "-3.00", "-0.50"]
    assert spam.shown("weighted_sum") == "3.50" and spam.shown("verdict") == "spam"
    no_problems(spam)


@pytest.mark.parametrize("label", SPAM_LABELS)
def test_spam_neuron_agrees_with_nnlib_on_a_grid_of_each_slider(spam, label):
    seen = set()
    for how, arg in GRID:
        move(spam, label, how, arg)
        seen.add(spam.value(label))
        check_spam(spam)
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(spam)


def test_spam_neuron_your_turn_flip_the_email_to_not_spam(spam):
    for label, key in zip(SPAM_LABELS[:3], ["Home", "Home", "End"], strict=True):
        spam.press(label, key)
    for label, end in zip(SPAM_LABELS[3:], ["2.00", "2.00", "-3.00", "-0.50"], strict=True):
        spam.press(label, "Home")
        while spam.value(label) != end:
            spam.press(label, "ArrowRight")
    check_spam(spam)
    assert spam.shown("verdict") == "not spam"
    assert spam.shown("weighted_sum") == "-3.50"


# --- chapter 1: the decision boundary ---------------------------------------------------------

@pytest.fixture(scope="module")
def boundary():
    widget = WidgetPage("book/01_perceptron.html", "decision_boundary")
    yield widget
    widget.close()


def check_boundary(widget: WidgetPage) -> None:
    from nnlib.widgets.neuron import boundary_state

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 0, 0, 1])
    w1, w2, b = (float(widget.value(label)) for label in ("w1", "w2", "b"))
    state = boundary_state(w1, w2, b, X, y)
    wrong = ", ".join(f"({p[0]:g}, {p[1]:g})" for p in X[state["misclassified"]])
    expected = (f"{w1:.1f}·x1 + {w2:.1f}·x2 + ({b:.1f}) = 0: {state['n_errors']} of 4 points "
                f"on the wrong side" + (f" ({wrong})" if wrong else "") + ".")
    readout = widget.view.locator(".nnlib-readout").inner_text()
    assert readout.startswith(expected), f"page shows {readout!r}, nnlib gives {expected!r}"
    alt = widget.alt()
    if state["line"] is None:
        assert "no line" in readout or "does not cross" in readout, readout
    else:
        (a1, a2), (c1, c2) = state["line"]
        ends = f"from ({a1:.2f}, {a2:.2f}) to ({c1:.2f}, {c2:.2f})"
        assert ends in alt, f"the plot's text alternative lacks the line {ends}: {alt!r}"
    assert f"{state['n_errors']} of 4 points are on the wrong side" in alt


def test_decision_boundary_starts_with_the_or_line_and_two_wrong_points(boundary):
    check_boundary(boundary)
    assert boundary.shown("n_errors") == "2 of 4"
    no_problems(boundary)


@pytest.mark.parametrize("label", ["w1", "w2", "b"])
def test_decision_boundary_agrees_with_nnlib_on_a_grid_of_each_slider(boundary, label):
    seen = set()
    for how, arg in GRID:
        move(boundary, label, how, arg)
        seen.add(boundary.value(label))
        check_boundary(boundary)
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(boundary)


def test_decision_boundary_your_turn_the_and_line_puts_every_point_right(boundary):
    for label, target in (("w1", "1.00"), ("w2", "1.00"), ("b", "-1.50")):
        boundary.press(label, "Home")
        while boundary.value(label) != target:
            boundary.press(label, "ArrowRight")
    check_boundary(boundary)
    assert boundary.shown("n_errors") == "0 of 4"


def test_decision_boundary_with_zero_weights_says_so_instead_of_a_line(boundary):
    for label in ("w1", "w2"):
        boundary.press(label, "Home")
        while boundary.value(label) != "0.00":
            boundary.press(label, "ArrowRight")
    check_boundary(boundary)
    assert "there is no line" in boundary.view.inner_text()
    assert boundary.state() == "ok" and boundary.view.locator("svg").count() == 1
    no_problems(boundary)


# --- chapter 2: the network builder -----------------------------------------------------------

NETWORK_LABELS = ["input units", "hidden layers", "units in hidden 1", "units in hidden 2",
                  "units in hidden 3", "units in hidden 4", "output units"]


@pytest.fixture(scope="module")
def network():
    widget = WidgetPage("book/02_layers.html", "network_builder")
    yield widget
    widget.close()


def check_network(widget: WidgetPage) -> None:
    from nnlib.widgets.layers import network_state

    values = {label: int(widget.value(label)) for label in NETWORK_LABELS}
    depth = values["hidden layers"]
    hidden = [values[f"units in hidden {i + 1}"] for i in range(depth)]
    state = network_state(values["input units"], hidden, values["output units"])
    sizes = "-".join(map(str, state["layer_sizes"]))
    expected = {"layers": f"Layers {sizes}", "n_weights": str(state["n_weights"]),
                "n_biases": str(state["n_biases"]), "n_params": str(state["n_params"])}
    got = {key: widget.shown(key) for key in expected}
    assert got == expected, f"sliders at {values}: page shows {got}, nnlib gives {expected}"
    summary = widget.view.locator(".nnlib-readout").inner_text()
    assert f"weights {state['weights_formula']} = {state['n_weights']}" in summary, summary
    assert f"biases {state['biases_formula']} = {state['n_biases']}" in summary, summary
    assert f"{state['n_params']} parameters in all" in widget.alt()
    greyed = [
        widget.control(f"units in hidden {i + 1}").locator(".noUi-target, .slider").first
        .get_attribute("disabled") is not None
        for i in range(4)
    ]
    assert greyed == [i >= depth for i in range(4)], f"{depth} hidden layers, greyed: {greyed}"


def test_network_builder_starts_on_the_spam_network(network):
    check_network(network)
    assert network.shown("n_params") == "26"
    no_problems(network)


@pytest.mark.parametrize("label", NETWORK_LABELS)
def test_network_builder_agrees_with_nnlib_on_a_grid_of_each_slider(network, label):
    network.press("hidden layers", "End")  # every hidden-layer slider in use
    seen = set()
    for how, arg in GRID:
        move(network, label, how, arg)
        seen.add(network.value(label))
        check_network(network)
    assert len(seen) >= 4, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(network)


def test_network_builder_your_turn_the_rainbow_classifier_has_28_parameters(network):
    for label, target in (("input units", "3"), ("hidden layers", "0"), ("output units", "7")):
        network.press(label, "Home")
        while network.value(label) != target:
            network.press(label, "ArrowRight")
    check_network(network)
    assert network.shown("n_params") == "28"
