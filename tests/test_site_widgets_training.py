"""Chapter 4's two widgets are live on the built website, in Chromium with the network cut, and
show nnlib's numbers.

- The learning-rate widget: each slider is moved through a grid of values by keyboard and by
  dragging; after every move the page's verdict, final w, final loss and factor must be
  ``learning_rate_state``'s for the values the sliders show, formatted as the page formats them.
- The training playground: each control is moved (keys and drags for sliders, the dropdowns'
  options), **Train** is pressed (by mouse or keyboard) and the run trained in the page must be
  nnlib's ``train_playground`` for the setting the controls show: the same loss after every
  epoch to 1e-6 relative, the same accuracies, the same first epoch with validation accuracy
  >= 95% (and, for a diverging run, the same epoch in which the loss became NaN).

The page's views are nnlib/widgets/js/learning_rate.js and playground.js; tests/widget_page.py
drives the page. The page is loaded once, at a phone's width: the phone test (first) checks both
widgets as loaded, then the other tests widen the tab to a desktop's (``widget_page.Chapters``);
a check reads the controls and the view in one call into the page (``WidgetPage.read``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from widget_page import Chapters, WidgetPage, fits_a_phone

from nnlib.widgets.training import TrainingDiverged, learning_rate_state, train_playground

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_browser"),
              pytest.mark.xdist_group("site")]

PAGE = "book/04_backprop.html"


def no_problems(widget: WidgetPage) -> None:
    problems = widget.tab.problems()
    assert problems == [], "the page reported problems:\n" + "\n".join(problems)


def move(widget: WidgetPage, label: str, how: str, arg) -> None:
    if how == "key":
        widget.press(label, arg)
    else:
        widget.drag(label, arg)


@pytest.fixture(scope="module")
def chapters():
    pages = Chapters()
    yield pages
    pages.close()


# --- both widgets on a phone (first: the page as a phone loads it) -----------------------------

def test_chapter_4_widgets_fit_a_phone_screen(chapters):
    tab = chapters.phone(PAGE)  # as a phone loads the page
    for name in ("learning_rate", "training_playground"):
        widget = WidgetPage(PAGE, name, tab=tab)
        if name == "training_playground":
            wait_trained(widget)
        fits_a_phone(widget)
        width = widget.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
        boxes = widget.area.evaluate(
            "area => [...area.querySelectorAll('.widget-slider, .widget-dropdown,"
            " button.nnlib-train, .nnlib-readout, .widget-readout, svg[role=img]')].map(el =>"
            " { const r = el.getBoundingClientRect();"
            " return {x: r.x, width: r.width, shown: el.getClientRects().length > 0}; })")
        assert len(boxes) >= (12 if name == "training_playground" else 6), (
            f"{name}: found only {len(boxes)} controls and readouts")
        for i, box in enumerate(boxes):
            assert box["shown"] and box["x"] >= 0 and box["x"] + box["width"] <= 390.5, (
                f"{name}: control or readout {i} lies off a 390 px screen: {box}")
    no_problems(widget)


# --- the learning-rate widget ------------------------------------------------------------------

@pytest.fixture(scope="module")
def lr_widget(chapters):
    return WidgetPage(PAGE, "learning_rate", tab=chapters.desktop(PAGE))


LR_KEYS = ["lr", "steps", "verdict", "w_final", "loss_final", "factor"]


def check_learning_rate(widget: WidgetPage) -> tuple[float, int]:
    now = widget.read(["learning rate", "steps"], LR_KEYS)
    lr, steps = float(now.value("learning rate")), int(now.value("steps"))
    state = learning_rate_state(lr, steps, -1.0)
    final, loss = state["path"][-1], state["losses"][-1]
    expected = {
        "lr": f"{lr:g}",
        "steps": str(steps),
        "verdict": state["verdict"],
        "w_final": f"w = {final:.4g}" if np.isfinite(final) else "w beyond ±1e6",
        "loss_final": f"{loss:.4g}",
        "factor": f"{state['factor']:.3g}",
    }
    got = {key: now.shown(key) for key in expected}
    assert got == expected, f"lr {lr}, {steps} steps: page shows {got}, nnlib gives {expected}"
    assert state["verdict"] in now.alt, f"the plot's text alternative: {now.alt!r}"
    return lr, steps


def test_learning_rate_widget_starts_at_the_chapters_rate(lr_widget):
    now = lr_widget.read(["learning rate", "steps"])
    assert now.value("learning rate") == "0.1" and now.value("steps") == "20"
    assert check_learning_rate(lr_widget) == (0.1, 20)
    no_problems(lr_widget)


@pytest.mark.parametrize("label", ["learning rate", "steps"])
def test_learning_rate_widget_follows_each_slider_with_nnlibs_numbers(lr_widget, label):
    seen = set()
    grid = [("key", "Home"), ("key", "ArrowRight"), ("key", "PageUp"), ("drag", 0.5),
            ("key", "End"), ("key", "ArrowLeft"), ("drag", 0.8), ("key", "PageDown"),
            ("drag", 0.2)]
    for how, arg in grid:
        move(lr_widget, label, how, arg)
        seen.add(check_learning_rate(lr_widget))
    assert len(seen) >= 6, f"moving {label} reached only {sorted(seen)}"
    no_problems(lr_widget)


def test_learning_rate_widget_lands_on_the_rates_the_chapter_names(lr_widget):
    lr_widget.press("learning rate", "Home")
    named = {"0.01", "0.03", "0.1", "0.3", "0.5", "0.8", "1", "1.1", "1.2"}
    reached = set()
    for _ in range(20):
        reached.add(lr_widget.value("learning rate"))
        check_learning_rate(lr_widget)
        lr_widget.press("learning rate", "ArrowRight")
    assert named <= reached, f"the slider never shows {sorted(named - reached)}"
    lr_widget.press("learning rate", "End")
    assert lr_widget.shown("verdict") == "diverges"  # the slider's end: a clear state


# --- the training playground -------------------------------------------------------------------

@pytest.fixture(scope="module")
def playground(chapters):
    widget = WidgetPage(PAGE, "training_playground", tab=chapters.desktop(PAGE))
    wait_trained(widget)
    return widget


def wait_trained(widget: WidgetPage) -> dict:
    widget.page.wait_for_function(
        "el => el.dataset.state === 'trained' || el.dataset.state === 'diverged'",
        arg=widget.view.element_handle(), timeout=180_000)
    return json.loads(widget.view.get_attribute("data-history"))


def train(widget: WidgetPage, by: str = "mouse") -> dict:
    button = widget.view.locator("button.nnlib-train")
    if by == "mouse":
        button.click()
    else:
        button.focus()
        widget.page.keyboard.press("Enter" if by == "enter" else "Space")
    return wait_trained(widget)


PLAYGROUND_CONTROLS = ["data set", "hidden layers", "units per layer", "activation",
                       "learning rate", "optimiser", "epochs", "seed"]


def controls_setting(now) -> dict:
    """The setting the controls show, from a ``WidgetPage.read`` of PLAYGROUND_CONTROLS."""
    return {
        "dataset": now.value("data set"),
        "hidden_layers": int(now.value("hidden layers")),
        "units": int(now.value("units per layer")),
        "activation": now.value("activation"),
        "lr": float(now.value("learning rate")),
        "optimizer": now.value("optimiser"),
        "epochs": int(now.value("epochs")),
        "seed": int(now.value("seed")),
    }


def assert_per_epoch(page_values, nnlib_values, what, setting, rtol=1e-6):
    page_values, nnlib_values = np.asarray(page_values, float), np.asarray(nnlib_values, float)
    assert page_values.shape == nnlib_values.shape, (
        f"{setting}: {what} for {len(page_values)} epochs in the page, "
        f"{len(nnlib_values)} in nnlib")
    if page_values.size:
        rel = np.abs(page_values - nnlib_values) / np.maximum(np.abs(nnlib_values), 1e-300)
        worst = int(np.argmax(rel))
        assert rel[worst] <= rtol, (
            f"{setting}: {what} in epoch {worst + 1}: page {page_values[worst]!r}, nnlib "
            f"{nnlib_values[worst]!r} (relative difference {rel[worst]:.1e} > {rtol})")


def check_run(widget: WidgetPage, run: dict) -> dict:
    """The run the page trained is nnlib's for the setting the controls show."""
    now = widget.read(PLAYGROUND_CONTROLS, ["diverged", "epoch_95", "val_accuracy", "n_params"])
    setting = controls_setting(now)
    assert run["setting"] == setting, (
        f"the page trained {run['setting']}, but the controls show {setting}")
    try:
        result = train_playground(**setting)
    except TrainingDiverged as diverged:
        assert run["diverged"] == diverged.epoch, (
            f"{setting}: the page's run diverged in epoch {run['diverged']}, nnlib's in "
            f"epoch {diverged.epoch}")
        assert_per_epoch(run["loss"], diverged.history.loss, "loss", setting)
        message = now.shown("diverged")
        assert f"diverged: loss is NaN in epoch {diverged.epoch}" in message, message
        assert now.state == "diverged"
        return setting
    history = result["history"]
    assert run["diverged"] is None, f"{setting}: the page's run diverged, nnlib's did not"
    for key in ("loss", "val_loss"):
        assert_per_epoch(run[key], history[key], key, setting)
    for key in ("accuracy", "val_accuracy"):
        assert_per_epoch(run[key], history[key], key, setting, rtol=1e-12)
    e95 = result["epoch_95"]
    assert run["epoch_95"] == e95, (
        f"{setting}: validation accuracy first >= 95% in epoch {run['epoch_95']} in the page, "
        f"{e95} in nnlib")
    shown = {key: now.shown(key) for key in ("epoch_95", "val_accuracy", "n_params")}
    expected = {"epoch_95": str(e95) if e95 is not None else "never reached 95%",
                "val_accuracy": f"{result['val_accuracy']:.1%}",
                "n_params": str(result["model"].n_params)}
    assert shown == expected, f"{setting}: the page shows {shown}, nnlib gives {expected}"
    assert len(now.alts) == 3, f"the view has {len(now.alts)} plots, not 3"
    loss_alt = now.alts[1]
    assert f"to {history.loss[-1]:.4g} (epoch {len(history.loss)})" in loss_alt, loss_alt
    return setting


def test_playground_opens_with_the_chapters_run_trained_in_the_page(playground):
    run = json.loads(playground.view.get_attribute("data-history"))
    setting = check_run(playground, run)
    assert setting == dict(dataset="quadrants", hidden_layers=2, units=4, activation="relu",
                           lr=0.03, optimizer="sgd", epochs=100, seed=0)
    now = playground.read(["learning rate"], ["epoch_95"])
    assert now.value("learning rate") == "0.03"  # exactly the rate the chapter names
    assert now.shown("epoch_95") == "59"
    no_problems(playground)


def test_playground_parameter_count_follows_the_controls_before_training(playground):
    playground.press("units per layer", "End")          # 16 units: 2-16-16-1
    assert playground.shown("n_params") == str(2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)
    assert playground.view.get_attribute("data-stale") == "yes"
    playground.press("units per layer", "Home")
    assert playground.shown("n_params") == str(2 + 1 + 1 + 1 + 1 + 1)
    playground.press("units per layer", "ArrowRight", 3)  # back to 4
    assert playground.shown("n_params") == "37"


SLIDER_MOVES = {
    "hidden layers": [("key", "Home"), ("key", "ArrowRight"), ("drag", 1.0), ("key", "PageDown")],
    "units per layer": [("key", "End"), ("drag", 0.3), ("key", "ArrowLeft")],
    "learning rate": [("key", "Home"), ("key", "PageUp"), ("drag", 0.85), ("key", "ArrowLeft")],
    "seed": [("key", "ArrowRight"), ("drag", 0.6), ("key", "End")],
    "epochs": [("key", "ArrowRight"), ("drag", 0.0)],
}
DROPDOWN_CHOICES = {
    "data set": ["circles", "moons", "spirals", "quadrants"],
    "activation": ["tanh", "sigmoid", "leaky_relu", "gelu", "silu", "relu"],
    "optimiser": ["adam", "momentum", "sgd"],
}


def test_playground_trains_what_every_control_says_with_nnlibs_numbers(playground):
    playground.press("epochs", "Home")  # 10 epochs: many short runs
    assert playground.value("epochs") == "10"
    settings = [check_run(playground, train(playground))]
    ways = iter(["mouse", "enter", "space"] * 100)
    for label, moves in SLIDER_MOVES.items():
        for how, arg in moves:
            move(playground, label, how, arg)
            settings.append(check_run(playground, train(playground, next(ways))))
        playground.press("epochs", "Home")
    for label, options in DROPDOWN_CHOICES.items():
        for option in options:
            playground.choose(label, option)
            settings.append(check_run(playground, train(playground, next(ways))))
    for name in ("dataset", "hidden_layers", "units", "activation", "lr", "optimizer", "seed",
                 "epochs"):
        assert len({s[name] for s in settings}) >= 2, f"{name} never changed"
    assert any(s["hidden_layers"] == 0 for s in settings)  # 0 hidden layers trained too
    no_problems(playground)


def test_playground_shows_a_diverging_run_clearly(playground):
    # the chapter's network with leaky ReLU, momentum and the largest rate: NaN in epoch 1
    playground.choose("data set", "quadrants")
    playground.press("hidden layers", "Home")
    playground.press("hidden layers", "ArrowRight", 2)
    playground.press("units per layer", "Home")
    playground.press("units per layer", "ArrowRight", 3)
    playground.press("seed", "Home")
    playground.press("epochs", "Home")
    playground.choose("activation", "leaky_relu")
    playground.choose("optimiser", "momentum")
    playground.press("learning rate", "End")
    assert playground.value("learning rate") == "10"
    run = train(playground)
    check_run(playground, run)
    assert run["diverged"] is not None, f"{run['setting']} did not diverge"
    assert playground.view.locator("svg[role=img]").count() == 3  # never a blank plot
    assert "NaN" in playground.view.locator("svg[role=img]").nth(0).get_attribute("aria-label")
    no_problems(playground)
    playground.press("learning rate", "Home")
    playground.choose("activation", "relu")
    playground.choose("optimiser", "sgd")
