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

import re

import numpy as np
import pytest
from widget_page import WidgetPage

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_browser"),
              pytest.mark.xdist_group("site")]

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


# --- chapter 3: softmax temperature and sampling ----------------------------------------------

@pytest.fixture(scope="module")
def temperature():
    widget = WidgetPage("book/03_activations.html", "temperature")
    yield widget
    widget.close()


def check_temperature(widget: WidgetPage) -> None:
    from nnlib.widgets.activations import (
        TOY_LOGITS,
        TOY_WORDS,
        sample_words,
        temperature_state,
    )

    T, n, seed = float(widget.value("T")), int(widget.value("words")), int(widget.value("seed"))
    state = temperature_state(TOY_LOGITS, T)
    expected = {"T": f"{T:.2f}", "entropy": f"{state['entropy']:.2f}"}
    for i, (word, p) in enumerate(zip(TOY_WORDS, state["probabilities"], strict=True)):
        expected[f"p_{i}"] = f"{word} {p:.2f}"
    expected["samples"] = " ".join(sample_words(TOY_WORDS, TOY_LOGITS, T, n, rng=seed))
    got = {key: widget.shown(key) for key in expected}
    assert got == expected, f"T={T}, {n} words, seed {seed}: page {got}, nnlib {expected}"
    alt = widget.alt()
    assert f"temperature {T:.2f}" in alt and f"Entropy {state['entropy']:.2f} bits" in alt, alt
    for word, p in zip(TOY_WORDS, state["probabilities"], strict=True):
        assert f"{word} {p:.2f}" in alt, f"the chart's text alternative lacks {word}: {alt!r}"


def test_temperature_starts_at_T_1_with_the_chapters_entropy(temperature):
    check_temperature(temperature)
    assert temperature.shown("entropy") == "2.09"  # the chapter's figure at T = 1
    no_problems(temperature)


@pytest.mark.parametrize("label", ["T", "words", "seed"])
def test_temperature_and_sampling_agree_with_nnlib_on_a_grid_of_each_slider(temperature, label):
    seen = set()
    for how, arg in GRID:
        move(temperature, label, how, arg)
        seen.add(temperature.value(label))
        check_temperature(temperature)
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(temperature)


def test_temperature_draws_the_chapters_ten_words_with_seed_42(temperature):
    from nnlib.widgets.activations import TOY_LOGITS, TOY_WORDS, sample_words

    for label, target in (("words", "10"), ("seed", "42")):
        temperature.press(label, "Home")
        while temperature.value(label) != target:
            temperature.press(label, "ArrowRight")
    for T in ("0.00", "0.50", "1.00", "3.00"):
        temperature.press("T", "Home")
        while temperature.value("T") != T:
            temperature.press("T", "ArrowRight")
        check_temperature(temperature)
        chapter = " ".join(sample_words(TOY_WORDS, TOY_LOGITS, float(T), 10,
                                        rng=np.random.default_rng(42)))
        assert temperature.shown("samples") == chapter


def test_temperature_draw_again_moves_to_the_next_seed(temperature):
    before = int(temperature.value("seed"))
    temperature.view.get_by_role("button", name="draw again").click()
    temperature.page.wait_for_timeout(200)
    assert int(temperature.value("seed")) == (before + 1) % 100, "the seed slider did not follow"
    check_temperature(temperature)
    no_problems(temperature)


# --- chapter 3: the activation explorer -------------------------------------------------------

@pytest.fixture(scope="module")
def explorer():
    widget = WidgetPage("book/03_activations.html", "activation_explorer")
    yield widget
    widget.close()


def explorer_range(widget: WidgetPage) -> tuple[float, float]:
    import re

    numbers = re.findall(r"-?\d+(?:\.\d+)?", widget.value("x from, to"))
    assert len(numbers) == 2, f"cannot read the range slider: {widget.value('x from, to')!r}"
    return float(numbers[0]), float(numbers[1])


def check_explorer(widget: WidgetPage) -> None:
    from nnlib.widgets.activations import explorer_state

    name = widget.value("activation")
    lo, hi = explorer_range(widget)
    if lo == hi:  # the widget widens a range whose ends meet
        lo, hi = lo - 0.5, hi + 0.5
    s = explorer_state(name, lo, hi)
    f3 = "{:.3f}".format
    expected = {
        "x_min": f"{lo:.1f}", "x_max": f"{hi:.1f}",
        "y_min": f3(s["y"].min()), "y_max": f3(s["y"].max()),
        "dy_min": f3(s["dy"].min()), "dy_max": f3(s["dy"].max()),
        "y_ends": f"{f3(s['y'][0])} at the left end, {f3(s['y'][-1])} at the right end",
        "dy_ends": f"{f3(s['dy'][0])} at the left end, {f3(s['dy'][-1])} at the right end",
    }
    got = {key: widget.shown(key) for key in expected}
    assert got == expected, f"{name} on [{lo}, {hi}]: page {got}, nnlib {expected}"
    assert f"lowest {f3(s['y'].min())}, highest {f3(s['y'].max())}" in widget.alt()


def explorer_names() -> list[str]:
    from nnlib.widgets.activations import _explorer_names

    return _explorer_names()


@pytest.mark.parametrize("name", explorer_names())
def test_activation_explorer_agrees_with_nnlib_for_every_activation_and_range(explorer, name):
    explorer.choose("activation", name)
    check_explorer(explorer)
    for which in (0, 1):
        for how, arg in GRID:
            if how == "key":
                explorer.press("x from, to", arg, which=which)
            else:
                explorer.drag("x from, to", arg, which=which)
            check_explorer(explorer)
    no_problems(explorer)


def test_activation_explorer_with_both_ends_together_still_draws(explorer):
    explorer.choose("activation", "tanh")
    explorer.press("x from, to", "End", which=1)
    explorer.press("x from, to", "End", which=0)
    lo, hi = explorer_range(explorer)
    assert lo == hi == 20.0
    check_explorer(explorer)
    assert explorer.state() == "ok" and explorer.view.locator("svg polyline").count() == 2
    no_problems(explorer)


# --- chapter 5: the training-time calculator --------------------------------------------------

TIME_SLIDERS = ["parameters N", "training tokens D", "FLOP/s per device", "devices",
                "utilisation"]


@pytest.fixture(scope="module")
def training_time():
    widget = WidgetPage("book/05_scale.html", "training_time")
    yield widget
    widget.close()


def check_training_time(widget: WidgetPage) -> None:
    import re

    from nnlib.widgets.scale import estimate_html, training_estimate

    n, d, peak = (float(widget.value(label)) for label in TIME_SLIDERS[:3])
    devices = int(widget.value("devices").replace(",", ""))
    share = float(widget.value("utilisation").rstrip("%")) / 100
    html = estimate_html(training_estimate(n, d, peak, devices, share))
    expected = [re.sub(r"<[^>]+>", "", value)
                for value in re.findall(r"<td>(.*?)</td></tr>", html)]
    got = widget.view.locator("td[data-value]").all_inner_texts()
    assert got == expected, (
        f"N={n:g}, D={d:g}, {peak:g} FLOP/s, {devices} devices, {share:.0%}:\n"
        f"page  {got}\nnlib  {expected}"
    )


def test_training_time_starts_with_gpt3_on_1024_a100s_in_28_5_days(training_time):
    check_training_time(training_time)
    assert training_time.shown("time").startswith("28.5 days")
    no_problems(training_time)


@pytest.mark.parametrize("label", TIME_SLIDERS)
def test_training_time_agrees_with_nnlib_on_a_grid_of_each_slider(training_time, label):
    seen = set()
    for how, arg in GRID:
        move(training_time, label, how, arg)
        seen.add(training_time.value(label))
        check_training_time(training_time)
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(training_time)


def test_training_time_presets_move_the_sliders(training_time):
    from nnlib.widgets.scale import HARDWARE, MODELS

    # each preset once, the one chosen at the start last (choosing it again changes nothing)
    models, hardware = list(MODELS.items()), list(HARDWARE.items())
    scale = {"B": 1e9, "T": 1e12}
    for name, (n, d) in models[1:] + models[:1]:
        training_time.choose("preset model", name)
        shown = (float(training_time.value("parameters N")),
                 float(training_time.value("training tokens D")))
        assert shown == (n, d), name
        # and exactly the numbers the preset's name (what the reader reads) gives
        params = (re.search(r"([\d.]+)([BT]) parameters", name)
                  or re.search(r"([\d.]+)([BT]) model", name))
        tokens = re.search(r"([\d.]+)([BT]) tokens", name)
        assert params and tokens, f"preset {name!r} does not name its parameters and tokens"
        n_named = float(params.group(1)) * scale[params.group(2)]
        d_named = float(tokens.group(1)) * scale[tokens.group(2)]
        assert shown == pytest.approx((n_named, d_named), rel=1e-12), (
            f"preset {name!r}: the sliders show {shown}")
        check_training_time(training_time)
    for name, peak in hardware[3:] + hardware[:3]:
        training_time.choose("preset device", name)
        assert float(training_time.value("FLOP/s per device")) == peak, name
        check_training_time(training_time)
    no_problems(training_time)


# --- every widget: phone screens ---------------------------------------------------------------

WIDGETS = [
    ("book/01_perceptron.html", "spam_neuron"),
    ("book/01_perceptron.html", "decision_boundary"),
    ("book/02_layers.html", "network_builder"),
    ("book/03_activations.html", "temperature"),
    ("book/03_activations.html", "activation_explorer"),
    ("book/05_scale.html", "training_time"),
    ("book/07_language_model.html", "attention_explorer"),
    ("book/07_language_model.html", "next_char"),
]
PHONE = {"width": 390, "height": 844}

OFF_SCREEN_JS = """
(area, width) => {
  const parts = [...area.querySelectorAll(
    '.widget-slider, .widget-dropdown, .widget-label, .widget-readout, [role="slider"], select,'
    + ' button, .nnlib-readout, .nnlib-live svg, .nnlib-live td, .nnlib-samples')];
  const off = parts.map(el => {
    const box = el.getBoundingClientRect();
    const name = (el.className.baseVal ?? el.className) || el.tagName;
    return {what: `${el.tagName.toLowerCase()}.${String(name).split(' ')[0]}`,
            text: (el.textContent || '').trim().slice(0, 40),
            left: Math.round(box.left), right: Math.round(box.right)};
  }).filter(p => p.left < -1 || p.right > width + 1);
  return {count: parts.length, off};
}
"""


@pytest.mark.parametrize(("page", "name"), WIDGETS)
def test_widget_fits_a_phone_screen(page, name):
    widget = WidgetPage(page, name, viewport=PHONE)
    try:
        widget.view.scroll_into_view_if_needed()
        seen = widget.area.evaluate(OFF_SCREEN_JS, PHONE["width"])
        assert seen["count"] >= 4, f"{name}: found only {seen['count']} controls and readouts"
        assert seen["off"] == [], (
            f"{name} on a {PHONE['width']} px screen: parts off-screen: {seen['off']}"
        )
        assert widget.view.locator("svg, table").first.bounding_box()["width"] > 200
        no_problems(widget)
    finally:
        widget.close()
