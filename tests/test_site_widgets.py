"""Every widget of the built website is live: its controls change what the page shows, in
Chromium with the network cut (only the local server answers), and the numbers it shows are
nnlib's, to the digits shown.

For each widget, each control is moved through a grid of values, by keyboard (arrows, Page
Up/Down, Home, End) and by dragging with the mouse; after every move the values the controls
show are read back, the matching nnlib state function is called with them, and its numbers,
formatted as the widget formats them, must be the ones on the page. The plot's text alternative
must state the same numbers. The views are drawn by nnlib/widgets/js/*.js (nnlib/widgets/live.py);
tests/widget_page.py drives the page. Each chapter page is loaded once, at a phone's width: the
phone test (first) checks that every widget fits as loaded, then the tests of its widgets widen
the same tab to a desktop's (``widget_page.Chapters``); after every move a check reads what it
compares in one call into the page (``WidgetPage.read``).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from widget_page import Chapters, WidgetPage, fits_a_phone

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


@pytest.fixture(scope="module")
def chapters():
    pages = Chapters()
    yield pages
    pages.close()


# --- every widget: phone screens (first: each page as a phone loads it) -------------------------

# Each page at a phone's width, all its widgets checked (chapter 4's and chapter 7's in
# tests/test_site_widgets_training.py and test_site_widgets_language.py, with their own checks).
PHONE_PAGES = {
    "book/01_perceptron.html": ["spam_neuron", "decision_boundary"],
    "book/02_layers.html": ["network_builder"],
    "book/03_activations.html": ["temperature", "activation_explorer"],
    "book/05_scale.html": ["training_time"],
}


@pytest.mark.parametrize("page", PHONE_PAGES)
def test_widgets_fit_a_phone_screen(chapters, page):
    tab = chapters.phone(page)
    for name in PHONE_PAGES[page]:
        fits_a_phone(WidgetPage(page, name, tab=tab))
    problems = tab.problems()
    assert problems == [], "the page reported problems:\n" + "\n".join(problems)


# --- chapter 1: the spam-email neuron ---------------------------------------------------------

SPAM_LABELS = ["Win $$$", "suspicious links", "known sender", "weight w1", "weight w2",
               "weight w3", "bias b"]


@pytest.fixture(scope="module")
def spam(chapters):
    page = "book/01_perceptron.html"
    return WidgetPage(page, "spam_neuron", tab=chapters.desktop(page))


SPAM_KEYS = ["weighted_sum", "probability", "verdict"]


def check_spam(widget: WidgetPage):
    """The page's numbers are nnlib's for the values the sliders show; returns the reading."""
    from nnlib.widgets.neuron import spam_neuron_state

    now = widget.read(SPAM_LABELS, SPAM_KEYS)
    values = [float(now.value(label)) for label in SPAM_LABELS]
    state = spam_neuron_state(values[:3], values[3:6], values[6])
    expected = {
        "weighted_sum": f"{state['weighted_sum']:.2f}",
        "probability": f"{state['probability']:.3f}",
        "verdict": state["verdict"],
    }
    got = {key: now.shown(key) for key in expected}
    assert got == expected, f"sliders at {values}: page shows {got}, nnlib gives {expected}"
    alt = now.alt
    z, p = f"z = {state['weighted_sum']:+.2f}", f"P(spam) = {state['probability']:.2f}"
    assert z in alt and p in alt, (
        f"the chart's text alternative does not state z and P(spam) for {values}: {alt!r}"
    )
    return now


def test_spam_neuron_starts_at_the_chapters_spammy_email(spam):
    now = check_spam(spam)
    assert [now.value(label) for label in SPAM_LABELS] == [
        "1.00", "1.00", "0.00", "2.00", "2.00", "-3.00", "-0.50"]
    assert now.shown("weighted_sum") == "3.50" and now.shown("verdict") == "spam"
    no_problems(spam)


@pytest.mark.parametrize("label", SPAM_LABELS)
def test_spam_neuron_agrees_with_nnlib_on_a_grid_of_each_slider(spam, label):
    seen = set()
    for how, arg in GRID:
        move(spam, label, how, arg)
        seen.add(check_spam(spam).value(label))
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(spam)


def test_spam_neuron_your_turn_flip_the_email_to_not_spam(spam):
    for label, key in zip(SPAM_LABELS[:3], ["Home", "Home", "End"], strict=True):
        spam.press(label, key)
    for label, end in zip(SPAM_LABELS[3:], ["2.00", "2.00", "-3.00", "-0.50"], strict=True):
        spam.press_until(label, end)
    now = check_spam(spam)
    assert now.shown("verdict") == "not spam"
    assert now.shown("weighted_sum") == "-3.50"


# --- chapter 1: the decision boundary ---------------------------------------------------------

@pytest.fixture(scope="module")
def boundary(chapters):
    page = "book/01_perceptron.html"
    return WidgetPage(page, "decision_boundary", tab=chapters.desktop(page))


def check_boundary(widget: WidgetPage):
    from nnlib.widgets.neuron import boundary_state

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 0, 0, 1])
    now = widget.read(["w1", "w2", "b"], ["n_errors"], [".nnlib-readout"])
    w1, w2, b = (float(now.value(label)) for label in ("w1", "w2", "b"))
    state = boundary_state(w1, w2, b, X, y)
    wrong = ", ".join(f"({p[0]:g}, {p[1]:g})" for p in X[state["misclassified"]])
    expected = (f"{w1:.1f}·x1 + {w2:.1f}·x2 + ({b:.1f}) = 0: {state['n_errors']} of 4 points "
                f"on the wrong side" + (f" ({wrong})" if wrong else "") + ".")
    readouts = now.texts[".nnlib-readout"]
    assert len(readouts) == 1, f"the view has {len(readouts)} readouts (.nnlib-readout)"
    readout = readouts[0]
    assert readout.startswith(expected), f"page shows {readout!r}, nnlib gives {expected!r}"
    alt = now.alt
    if state["line"] is None:
        assert "no line" in readout or "does not cross" in readout, readout
    else:
        (a1, a2), (c1, c2) = state["line"]
        ends = f"from ({a1:.2f}, {a2:.2f}) to ({c1:.2f}, {c2:.2f})"
        assert ends in alt, f"the plot's text alternative lacks the line {ends}: {alt!r}"
    assert f"{state['n_errors']} of 4 points are on the wrong side" in alt
    return now


def test_decision_boundary_starts_with_the_or_line_and_two_wrong_points(boundary):
    assert check_boundary(boundary).shown("n_errors") == "2 of 4"
    no_problems(boundary)


@pytest.mark.parametrize("label", ["w1", "w2", "b"])
def test_decision_boundary_agrees_with_nnlib_on_a_grid_of_each_slider(boundary, label):
    seen = set()
    for how, arg in GRID:
        move(boundary, label, how, arg)
        seen.add(check_boundary(boundary).value(label))
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(boundary)


def test_decision_boundary_your_turn_the_and_line_puts_every_point_right(boundary):
    for label, target in (("w1", "1.00"), ("w2", "1.00"), ("b", "-1.50")):
        boundary.press_until(label, target)
    assert check_boundary(boundary).shown("n_errors") == "0 of 4"


def test_decision_boundary_with_zero_weights_says_so_instead_of_a_line(boundary):
    for label in ("w1", "w2"):
        boundary.press_until(label, "0.00")
    now = check_boundary(boundary)
    assert "there is no line" in boundary.view.inner_text()
    assert now.state == "ok" and boundary.view.locator("svg").count() == 1
    no_problems(boundary)


# --- chapter 2: the network builder -----------------------------------------------------------

NETWORK_LABELS = ["input units", "hidden layers", "units in hidden 1", "units in hidden 2",
                  "units in hidden 3", "units in hidden 4", "output units"]


@pytest.fixture(scope="module")
def network(chapters):
    page = "book/02_layers.html"
    return WidgetPage(page, "network_builder", tab=chapters.desktop(page))


NETWORK_KEYS = ["layers", "n_weights", "n_biases", "n_params"]


def check_network(widget: WidgetPage):
    from nnlib.widgets.layers import network_state

    now = widget.read(NETWORK_LABELS, NETWORK_KEYS, [".nnlib-readout"])
    values = {label: int(now.value(label)) for label in NETWORK_LABELS}
    depth = values["hidden layers"]
    hidden = [values[f"units in hidden {i + 1}"] for i in range(depth)]
    state = network_state(values["input units"], hidden, values["output units"])
    sizes = "-".join(map(str, state["layer_sizes"]))
    expected = {"layers": f"Layers {sizes}", "n_weights": str(state["n_weights"]),
                "n_biases": str(state["n_biases"]), "n_params": str(state["n_params"])}
    got = {key: now.shown(key) for key in expected}
    assert got == expected, f"sliders at {values}: page shows {got}, nnlib gives {expected}"
    assert len(now.texts[".nnlib-readout"]) == 1, now.texts
    summary = now.texts[".nnlib-readout"][0]
    assert f"weights {state['weights_formula']} = {state['n_weights']}" in summary, summary
    assert f"biases {state['biases_formula']} = {state['n_biases']}" in summary, summary
    assert f"{state['n_params']} parameters in all" in now.alt
    greyed = [now.disabled[f"units in hidden {i + 1}"] for i in range(4)]
    assert greyed == [i >= depth for i in range(4)], f"{depth} hidden layers, greyed: {greyed}"
    return now


def test_network_builder_starts_on_the_spam_network(network):
    assert check_network(network).shown("n_params") == "26"
    no_problems(network)


@pytest.mark.parametrize("label", NETWORK_LABELS)
def test_network_builder_agrees_with_nnlib_on_a_grid_of_each_slider(network, label):
    network.press("hidden layers", "End")  # every hidden-layer slider in use
    seen = set()
    for how, arg in GRID:
        move(network, label, how, arg)
        seen.add(check_network(network).value(label))
    assert len(seen) >= 4, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(network)


def test_network_builder_your_turn_the_rainbow_classifier_has_28_parameters(network):
    for label, target in (("input units", "3"), ("hidden layers", "0"), ("output units", "7")):
        network.press_until(label, target)
    assert check_network(network).shown("n_params") == "28"


# --- chapter 3: softmax temperature and sampling ----------------------------------------------

@pytest.fixture(scope="module")
def temperature(chapters):
    page = "book/03_activations.html"
    return WidgetPage(page, "temperature", tab=chapters.desktop(page))


def check_temperature(widget: WidgetPage):
    from nnlib.widgets.activations import (
        TOY_LOGITS,
        TOY_WORDS,
        sample_words,
        temperature_state,
    )

    keys = ["T", "entropy", "samples"] + [f"p_{i}" for i in range(len(TOY_WORDS))]
    now = widget.read(["T", "words", "seed"], keys)
    T, n, seed = float(now.value("T")), int(now.value("words")), int(now.value("seed"))
    state = temperature_state(TOY_LOGITS, T)
    expected = {"T": f"{T:.2f}", "entropy": f"{state['entropy']:.2f}"}
    for i, (word, p) in enumerate(zip(TOY_WORDS, state["probabilities"], strict=True)):
        expected[f"p_{i}"] = f"{word} {p:.2f}"
    expected["samples"] = " ".join(sample_words(TOY_WORDS, TOY_LOGITS, T, n, rng=seed))
    got = {key: now.shown(key) for key in expected}
    assert got == expected, f"T={T}, {n} words, seed {seed}: page {got}, nnlib {expected}"
    alt = now.alt
    assert f"temperature {T:.2f}" in alt and f"Entropy {state['entropy']:.2f} bits" in alt, alt
    for word, p in zip(TOY_WORDS, state["probabilities"], strict=True):
        assert f"{word} {p:.2f}" in alt, f"the chart's text alternative lacks {word}: {alt!r}"
    return now


def test_temperature_starts_at_T_1_with_the_chapters_entropy(temperature):
    # the chapter's figure at T = 1
    assert check_temperature(temperature).shown("entropy") == "2.09"
    no_problems(temperature)


@pytest.mark.parametrize("label", ["T", "words", "seed"])
def test_temperature_and_sampling_agree_with_nnlib_on_a_grid_of_each_slider(temperature, label):
    seen = set()
    for how, arg in GRID:
        move(temperature, label, how, arg)
        seen.add(check_temperature(temperature).value(label))
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(temperature)


def test_temperature_draws_the_chapters_ten_words_with_seed_42(temperature):
    from nnlib.widgets.activations import TOY_LOGITS, TOY_WORDS, sample_words

    for label, target in (("words", "10"), ("seed", "42")):
        temperature.press_until(label, target)
    for T in ("0.00", "0.50", "1.00", "3.00"):
        temperature.press_until("T", T)
        now = check_temperature(temperature)
        chapter = " ".join(sample_words(TOY_WORDS, TOY_LOGITS, float(T), 10,
                                        rng=np.random.default_rng(42)))
        assert now.shown("samples") == chapter


def test_temperature_draw_again_moves_to_the_next_seed(temperature):
    before = temperature.value("seed")
    temperature.view.get_by_role("button", name="draw again").click()
    # the seed slider follows the view through a two-way link: wait until its readout moved
    moved = temperature.changed_value("seed", before)
    assert moved is not None, f"the seed slider stayed at {before} after 'draw again'"
    now = check_temperature(temperature)
    assert int(now.value("seed")) == (int(before) + 1) % 100, "the seed slider did not follow"
    no_problems(temperature)


# --- chapter 3: the activation explorer -------------------------------------------------------

@pytest.fixture(scope="module")
def explorer(chapters):
    page = "book/03_activations.html"
    return WidgetPage(page, "activation_explorer", tab=chapters.desktop(page))


def explorer_range(shown: str) -> tuple[float, float]:
    """The range slider's two ends, from its readout."""
    numbers = re.findall(r"-?\d+(?:\.\d+)?", shown)
    assert len(numbers) == 2, f"cannot read the range slider: {shown!r}"
    return float(numbers[0]), float(numbers[1])


EXPLORER_KEYS = ["x_min", "x_max", "y_min", "y_max", "dy_min", "dy_max", "y_ends", "dy_ends"]


def check_explorer(widget: WidgetPage):
    from nnlib.widgets.activations import explorer_state

    now = widget.read(["activation", "x from, to"], EXPLORER_KEYS)
    name = now.value("activation")
    lo, hi = explorer_range(now.value("x from, to"))
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
    got = {key: now.shown(key) for key in expected}
    assert got == expected, f"{name} on [{lo}, {hi}]: page {got}, nnlib {expected}"
    assert f"lowest {f3(s['y'].min())}, highest {f3(s['y'].max())}" in now.alt
    return now


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
    now = check_explorer(explorer)
    lo, hi = explorer_range(now.value("x from, to"))
    assert lo == hi == 20.0
    assert now.state == "ok" and explorer.view.locator("svg polyline").count() == 2
    no_problems(explorer)


# --- chapter 5: the training-time calculator --------------------------------------------------

TIME_SLIDERS = ["parameters N", "training tokens D", "FLOP/s per device", "devices",
                "utilisation"]


@pytest.fixture(scope="module")
def training_time(chapters):
    page = "book/05_scale.html"
    return WidgetPage(page, "training_time", tab=chapters.desktop(page))


def check_training_time(widget: WidgetPage):
    from nnlib.widgets.scale import estimate_html, training_estimate

    now = widget.read(TIME_SLIDERS, ["time"], ["td[data-value]"])
    n, d, peak = (float(now.value(label)) for label in TIME_SLIDERS[:3])
    devices = int(now.value("devices").replace(",", ""))
    share = float(now.value("utilisation").rstrip("%")) / 100
    html = estimate_html(training_estimate(n, d, peak, devices, share))
    expected = [re.sub(r"<[^>]+>", "", value)
                for value in re.findall(r"<td>(.*?)</td></tr>", html)]
    got = now.texts["td[data-value]"]
    assert got == expected, (
        f"N={n:g}, D={d:g}, {peak:g} FLOP/s, {devices} devices, {share:.0%}:\n"
        f"page  {got}\nnlib  {expected}"
    )
    return now


def test_training_time_starts_with_gpt3_on_1024_a100s_in_28_5_days(training_time):
    assert check_training_time(training_time).shown("time").startswith("28.5 days")
    no_problems(training_time)


@pytest.mark.parametrize("label", TIME_SLIDERS)
def test_training_time_agrees_with_nnlib_on_a_grid_of_each_slider(training_time, label):
    seen = set()
    for how, arg in GRID:
        move(training_time, label, how, arg)
        seen.add(check_training_time(training_time).value(label))
    assert len(seen) >= 5, f"moving {label!r} gave only the values {sorted(seen)}"
    no_problems(training_time)


def test_training_time_presets_move_the_sliders(training_time):
    from nnlib.widgets.scale import HARDWARE, MODELS

    # each preset once, the one chosen at the start last (choosing it again changes nothing)
    models, hardware = list(MODELS.items()), list(HARDWARE.items())
    scale = {"B": 1e9, "T": 1e12}
    for name, (n, d) in models[1:] + models[:1]:
        training_time.choose("preset model", name)
        now = check_training_time(training_time)
        shown = (float(now.value("parameters N")), float(now.value("training tokens D")))
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
    for name, peak in hardware[3:] + hardware[:3]:
        training_time.choose("preset device", name)
        assert float(check_training_time(training_time).value("FLOP/s per device")) == peak, name
    no_problems(training_time)
