"""Chapter 4 widgets: gradient descent with a learning-rate slider, and the training playground.

The update logic is in plain functions that need no widgets and no kernel (the tests call them):

loss_1d(w), loss_1d_grad(w)                     the one-parameter loss L(w) = (w - 3)^2 + 1
gradient_descent_path(lr, steps, w0)            w after 0, 1, ..., steps updates, shape (steps+1,)
learning_rate_state(lr, steps, w0)              the path, its losses and a verdict (crawls, ...)
train_playground(dataset, hidden_layers, ...)   build, train and measure a small network
first_epoch_reaching(values, threshold)         the first epoch whose value reaches a threshold
draw_learning_rate(state, axes)                 the two plots the learning-rate widget shows
draw_playground(result, axes)                   the three plots the playground shows

The builders ``learning_rate_widget`` and ``training_playground_widget`` set sliders and
dropdowns beside a *view* (``LearningRateView``, ``PlaygroundView``): an anywidget whose
JavaScript computes and draws in the browser, so the widgets work in JupyterLab and on the
book's website, where no kernel runs (see nnlib/widgets/live.py). The JavaScript
(``js/learning_rate.js``, ``js/playground.js`` and the trainer they share, ``js/trainer.js``)
mirrors the functions above, which stay the reference: tests check that both give the same
numbers (tests/test_widget_trainer_js.py under Node, the site's tests in Chromium).
"""

from __future__ import annotations

import copy
import numbers
import time
from typing import Any

import numpy as np
import traitlets

from nnlib import data
from nnlib.network import History, Sequential, mlp
from nnlib.optim import SGD, Adam
from nnlib.widgets.live import LiveView, esm

__all__ = [
    "W_BEST",
    "loss_1d",
    "loss_1d_grad",
    "gradient_descent_path",
    "learning_rate_state",
    "draw_learning_rate",
    "LEARNING_RATES_1D",
    "LearningRateView",
    "learning_rate_widget",
    "DATASETS",
    "OPTIMIZERS",
    "PLAYGROUND_ACTIVATIONS",
    "PLAYGROUND_DEFAULTS",
    "first_epoch_reaching",
    "TrainingDiverged",
    "train_playground",
    "draw_playground",
    "PLAYGROUND_LEARNING_RATES",
    "PlaygroundView",
    "training_playground_widget",
]

# --------------------------------------------------------------------------------------------
# Gradient descent on one parameter
# --------------------------------------------------------------------------------------------

W_BEST = 3.0
"""Where the one-parameter loss has its minimum."""


def loss_1d(w: Any) -> np.ndarray | float:
    """The one-parameter loss L(w) = (w - 3)^2 + 1 (lowest value 1, at w = 3). Any shape."""
    return (np.asarray(w, dtype=float) - W_BEST) ** 2 + 1.0


def loss_1d_grad(w: Any) -> np.ndarray | float:
    """Its derivative dL/dw = 2 (w - 3). Same shape as w."""
    return 2.0 * (np.asarray(w, dtype=float) - W_BEST)


def _check_positive(value: Any, name: str, who: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            np.isfinite(value) and value > 0):
        raise ValueError(f"{who} expected {name} to be a positive number, got {value!r}.")
    return float(value)


def _check_count(value: Any, name: str, who: str, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low or (
            high is not None and value > high):
        upper = "" if high is None else f" and at most {high}"
        raise ValueError(f"{who} expected {name} to be an int of at least {low}{upper}, "
                         f"got {value!r}.")
    return int(value)


def gradient_descent_path(lr: float, steps: int, w0: float = -1.0) -> np.ndarray:
    """Run ``steps`` updates w <- w - lr * dL/dw on ``loss_1d`` from ``w0``.

    Returns the array of w before the first update and after each one, shape (steps + 1,).
    Once ``|w|`` exceeds 1e6 (a diverging run) the remaining entries are inf with the sign of
    the last value, instead of overflowing.
    """
    lr = _check_positive(lr, "the learning rate lr", "gradient_descent_path")
    steps = _check_count(steps, "steps", "gradient_descent_path", low=0)
    if isinstance(w0, bool) or not isinstance(w0, numbers.Real) or not np.isfinite(w0):
        raise ValueError(f"gradient_descent_path expected a finite starting point w0, "
                         f"got {w0!r}.")
    path = np.empty(steps + 1)
    path[0] = w = float(w0)
    for k in range(1, steps + 1):
        if abs(w) > 1e6:
            path[k:] = np.copysign(np.inf, w)
            break
        w = w - lr * float(loss_1d_grad(w))
        path[k] = w
    return path


def learning_rate_state(lr: float, steps: int, w0: float = -1.0) -> dict:
    """Everything the learning-rate widget shows for one setting of its sliders.

    Parameters
    ----------
    lr : the learning rate, > 0.
    steps : the number of updates, >= 0.
    w0 : the starting point.

    Returns
    -------
    dict with
        ``path`` : w after 0..steps updates, shape (steps + 1,) (see ``gradient_descent_path``);
        ``losses`` : L(w) along the path, shape (steps + 1,);
        ``factor`` : 1 - 2 lr, the number the distance to the minimum is multiplied by per
        step (for this loss w_new - 3 = (1 - 2 lr)(w - 3));
        ``verdict`` : "diverges" (the distance grows: ``|factor| > 1``), "bounces forever"
        (``|factor| = 1``), "oscillates" (w jumps from side to side but settles: factor < 0),
        "crawls" (same side all the way, but after ``steps`` steps still more than 10% of the
        starting distance away) or "converges".
    """
    path = gradient_descent_path(lr, steps, w0)
    factor = 1.0 - 2.0 * float(lr)
    start = abs(path[0] - W_BEST)
    end = abs(path[-1] - W_BEST)
    if abs(factor) > 1 + 1e-12:
        verdict = "diverges"
    elif abs(abs(factor) - 1) <= 1e-12 and start > 0:
        verdict = "bounces forever"
    elif factor < 0:
        verdict = "oscillates"
    elif start > 0 and end > 0.1 * start:
        verdict = "crawls"
    else:
        verdict = "converges"
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.asarray(loss_1d(path), dtype=float)
    return {"path": path, "losses": losses, "factor": factor, "verdict": verdict}


def draw_learning_rate(state: dict, lr: float, axes: Any) -> None:
    """Left: the loss curve with the path of w drawn on it. Right: the loss after each step."""
    from nnlib.plots import LINESTYLES, MARKERS, PALETTE

    ax_curve, ax_steps = axes
    path, losses = state["path"], state["losses"]
    finite = np.isfinite(path)
    shown = path[finite]
    low = min(-2.0, float(shown.min()) - 0.5)
    high = max(8.0, float(shown.max()) + 0.5)
    low, high = max(low, -12.0), min(high, 18.0)  # a diverging path leaves the window
    grid = np.linspace(low, high, 300)
    ax_curve.plot(grid, loss_1d(grid), color=PALETTE[0], linestyle=LINESTYLES[0], linewidth=2,
                  label="L(w) = (w - 3)² + 1")
    inside = finite & (path >= low) & (path <= high)
    ax_curve.plot(path[inside], losses[inside], color=PALETTE[3], linestyle=LINESTYLES[1],
                  marker=MARKERS[0], markersize=5, linewidth=1.2, label="w after each step")
    ax_curve.plot([path[0]], [losses[0]], linestyle="none", marker=MARKERS[1], markersize=9,
                  color=PALETTE[1], markeredgecolor="black", label="start")
    ax_curve.axvline(W_BEST, color="black", linestyle=LINESTYLES[2], linewidth=1)
    ax_curve.set_xlim(low, high)
    ax_curve.set_ylim(0, float(loss_1d(low if W_BEST - low > high - W_BEST else high)) * 1.05)
    ax_curve.set_xlabel("w")
    ax_curve.set_ylabel("loss L(w)")
    ax_curve.legend(loc="upper center", fontsize=8, framealpha=0.9)
    final = path[-1]
    where = f"w = {final:.4g}" if np.isfinite(final) else "w beyond ±1e6"
    ax_curve.set_title(f"lr = {lr:.3g}: {state['verdict']} ({where})", fontsize=10)

    steps = np.arange(len(path))
    shown_losses = np.where(np.isfinite(losses), losses, np.nan)
    ax_steps.semilogy(steps, shown_losses - 1.0 + 1e-12, color=PALETTE[3],
                      linestyle=LINESTYLES[1], marker=MARKERS[0], markersize=4)
    ax_steps.set_xlabel("step")
    ax_steps.set_ylabel("L(w) - 1, height above the minimum")
    ax_steps.set_title(f"each step multiplies w - 3 by 1 - 2·lr = {state['factor']:.3g}",
                       fontsize=10)


LEARNING_RATES_1D = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
                     0.9, 1.0, 1.1, 1.2)
"""The learning-rate widget's stops: below about 0.05 the 20 steps crawl, around 0.5 one step
lands on the minimum, between 0.5 and 1 w jumps from side to side, at 1 it bounces for ever,
above 1 it flies away. Every stop is a number the chapter can name exactly."""


class LearningRateView(LiveView):
    """The learning-rate widget's plots and readout, computed in the browser by
    js/learning_rate.js (which mirrors :func:`learning_rate_state` and
    :func:`draw_learning_rate`). ``lr_index`` follows the learning-rate slider (an index into
    ``data["lr_options"]``), ``steps`` the steps slider; ``data["w0"]`` is the start."""

    _esm = esm("learning_rate.js")
    lr_index = traitlets.Int(LEARNING_RATES_1D.index(0.1)).tag(sync=True)
    steps = traitlets.Int(20).tag(sync=True)


def _control_layout():
    import ipywidgets as widgets

    return dict(style={"description_width": "8.5em"},
                layout=widgets.Layout(width="21em", max_width="100%"))


def learning_rate_widget(lr: float = 0.1, steps: int = 20, w0: float = -1.0):
    """A learning-rate slider (stops ``LEARNING_RATES_1D``, 0.001 to 1.2) and a steps slider
    (1 to 60) over gradient descent on ``loss_1d`` from ``w0``.

    The plots and readout are a :class:`LearningRateView`, drawn in the browser: they follow
    the sliders in JupyterLab and on the book's website alike (no kernel needed).
    """
    import ipywidgets as widgets

    learning_rate_state(lr, steps, w0)  # fails early on bad values
    if lr not in LEARNING_RATES_1D:
        raise ValueError(f"learning_rate_widget expected lr to be one of the slider's stops "
                         f"{LEARNING_RATES_1D}, got {lr!r}.")
    if not 1 <= steps <= 60:
        raise ValueError(f"learning_rate_widget expected steps from 1 to 60, got {steps!r}.")
    lr_slider = widgets.SelectionSlider(options=[(f"{v:g}", v) for v in LEARNING_RATES_1D],
                                        value=lr, description="learning rate",
                                        **_control_layout())
    steps_slider = widgets.IntSlider(value=int(steps), min=1, max=60, description="steps",
                                     **_control_layout())
    view = LearningRateView(data={"lr_options": list(LEARNING_RATES_1D), "w0": float(w0)},
                            lr_index=lr_slider.index, steps=steps_slider.value)
    links = [widgets.jsdlink((lr_slider, "index"), (view, "lr_index")),
             widgets.jsdlink((steps_slider, "value"), (view, "steps"))]
    box = widgets.VBox([widgets.HBox([lr_slider, steps_slider],
                                     layout=widgets.Layout(flex_flow="row wrap")), view])
    box._links = links  # noqa: SLF001 (keeps the links alive as long as the widget)
    return box


# --------------------------------------------------------------------------------------------
# The training playground
# --------------------------------------------------------------------------------------------

DATASETS = {
    "quadrants": data.quadrants,
    "circles": data.circles,
    "moons": data.moons,
    "spirals": data.spirals,
}
"""The playground's data sets (functions of ``nnlib.data``; each takes n and rng)."""

OPTIMIZERS = ("sgd", "momentum", "adam")
"""sgd: plain SGD; momentum: SGD with momentum 0.9; adam: Adam with the default betas."""

PLAYGROUND_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "silu")

PLAYGROUND_DEFAULTS = dict(dataset="quadrants", hidden_layers=2, units=4, activation="relu",
                           lr=0.03, optimizer="sgd", epochs=100, seed=0)
"""The setting of the chapter: 2 inputs, two hidden layers of 4 ReLU units, SGD with learning
rate 0.03 and mini-batches of 10 (the TensorFlow Playground's defaults), 100 epochs."""


def first_epoch_reaching(values: Any, threshold: float) -> int | None:
    """The first epoch (counting from 1) whose value is >= threshold, or None if none is.

    ``values`` holds one number per epoch, e.g. ``history.val_accuracy``.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"first_epoch_reaching expected one value per epoch, shape (epochs,), "
                         f"got shape {v.shape}.")
    hits = np.flatnonzero(v >= threshold)
    return int(hits[0]) + 1 if hits.size else None


def _make_optimizer(name: str, lr: float):
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return SGD(lr, momentum=0.9)
    return Adam(lr)


def train_playground(dataset: str = "quadrants", hidden_layers: int = 2, units: int = 4,
                     activation: str = "relu", lr: float = 0.03, optimizer: str = "sgd",
                     epochs: int = 100, seed: int = 0, n: int = 400, batch_size: int = 10,
                     val_fraction: float = 0.25,
                     snapshot_epochs: tuple[int, ...] = ()) -> dict:
    """Build a network for a 2-D data set, train it, and report what happened.

    The network is ``mlp([2, units, ..., units, 1])`` with ``hidden_layers`` hidden layers of
    ``units`` units and the given activation, one output logit, trained with binary
    cross-entropy on logits in mini-batches of ``batch_size``. ``n`` points of the data set are
    drawn with ``seed``; ``val_fraction`` of them are kept for validation. The same seed sets
    the initial weights and the shuffling, so a setting always gives the same run.

    Parameters
    ----------
    dataset : "quadrants", "circles", "moons" or "spirals".
    hidden_layers, units : the network's shape (0 to 6 hidden layers of 1 to 64 units).
    activation : one of ``PLAYGROUND_ACTIVATIONS``.
    lr : the learning rate. epochs : passes over the training data. seed : see above.
    optimizer : "sgd", "momentum" (SGD with momentum 0.9) or "adam".
    n, batch_size, val_fraction : data points, mini-batch size, share kept for validation.
    snapshot_epochs : epochs after which a copy of the model is kept (for boundary plots).

    Returns
    -------
    dict with
        ``model`` (the trained Sequential), ``history`` (a History: loss, accuracy, val_loss,
        val_accuracy per epoch), ``val_accuracy`` (after the last epoch), ``epoch_95`` (the
        first epoch with validation accuracy >= 0.95, or None), ``snapshots`` ({epoch: model}),
        ``seconds`` (training time), and the data ``X_train``, ``y_train``, ``X_val``,
        ``y_val``.

    Raises
    ------
    TrainingDiverged (a FloatingPointError)
        when the network's outputs or the loss become NaN or infinite (learning rate too
        large); its ``epoch`` says in which epoch, its ``history`` holds the epochs before.
    """
    who = "train_playground"
    if dataset not in DATASETS:
        raise ValueError(f"{who} expected dataset to be one of {sorted(DATASETS)}, "
                         f"got {dataset!r}.")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"{who} expected optimizer to be one of {list(OPTIMIZERS)}, "
                         f"got {optimizer!r}.")
    if activation not in PLAYGROUND_ACTIVATIONS:
        raise ValueError(f"{who} expected activation to be one of {list(PLAYGROUND_ACTIVATIONS)}"
                         f", got {activation!r}.")
    hidden_layers = _check_count(hidden_layers, "hidden_layers", who, low=0, high=6)
    units = _check_count(units, "units", who, low=1, high=64)
    epochs = _check_count(epochs, "epochs", who)
    n = _check_count(n, "n", who, low=10)
    batch_size = _check_count(batch_size, "batch_size", who)
    lr = _check_positive(lr, "the learning rate lr", who)
    seed = _check_count(seed, "seed", who, low=0)
    for e in snapshot_epochs:
        _check_count(e, "every snapshot epoch", who, low=0, high=epochs)

    X, y = DATASETS[dataset](n=n, rng=seed)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, val_fraction, rng=seed)
    model = mlp([2] + [units] * hidden_layers + [1], activation=activation, rng=seed)
    opt = _make_optimizer(optimizer, lr)
    gen = np.random.default_rng(seed)

    history = History()
    snapshots: dict[int, Sequential] = {}
    if 0 in snapshot_epochs:
        snapshots[0] = copy.deepcopy(model)
    stops = sorted({int(e) for e in snapshot_epochs if e > 0} | {epochs})
    done = 0
    start = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # reported below
            for stop in stops:  # train in pieces so that copies can be kept in between
                part = model.fit(X_train, y_train, "bce_logits", opt, epochs=stop - done,
                                 batch_size=batch_size, validation_data=(X_val, y_val), rng=gen)
                for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                    history[key].extend(part[key])
                done = stop
                if stop in snapshot_epochs:
                    snapshots[stop] = copy.deepcopy(model)
    except (FloatingPointError, ValueError) as error:  # NaN or inf outputs or loss
        if isinstance(error, ValueError) and "finite" not in str(error):
            raise
        raise _diverged(X_train, y_train, X_val, y_val, hidden_layers, units, activation,
                        optimizer, lr, seed, batch_size) from error
    seconds = time.perf_counter() - start
    return {
        "model": model,
        "history": history,
        "val_accuracy": float(history.val_accuracy[-1]),
        "epoch_95": first_epoch_reaching(history.val_accuracy, 0.95),
        "snapshots": snapshots,
        "seconds": seconds,
        "X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val,
    }


class TrainingDiverged(FloatingPointError):
    """The loss (or the network's output) became NaN or infinite: training cannot go on.

    ``epoch`` is the epoch in which it happened (counting from 1); ``history`` holds the
    epochs before it.
    """

    def __init__(self, epoch: int, history: History, lr: float) -> None:
        self.epoch, self.history = epoch, history
        super().__init__(f"diverged: the loss is NaN in epoch {epoch}: the learning rate "
                         f"{lr:g} is too large for this setting. Lower it and train again.")


def _diverged(X_train, y_train, X_val, y_val, hidden_layers, units, activation, optimizer, lr,
              seed, batch_size) -> TrainingDiverged:
    """Train the same run again one epoch at a time, to say in which epoch it diverged."""
    model = mlp([2] + [units] * hidden_layers + [1], activation=activation, rng=seed)
    opt, gen, history = _make_optimizer(optimizer, lr), np.random.default_rng(seed), History()
    for epoch in range(1, 100_000):
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                part = model.fit(X_train, y_train, "bce_logits", opt, epochs=1,
                                 batch_size=batch_size, validation_data=(X_val, y_val), rng=gen)
        except (FloatingPointError, ValueError):
            return TrainingDiverged(epoch, history, lr)
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            history[key].extend(part[key])
    raise AssertionError("a run that diverged did not diverge again")  # pragma: no cover


def draw_playground(result: dict, axes: Any, title: str | None = None) -> None:
    """Left: the decision boundary with the training points. Middle and right: loss and
    accuracy per epoch (training solid, validation dashed)."""
    from nnlib.plots import decision_boundary, plot_history

    ax_boundary, ax_loss, ax_acc = axes
    decision_boundary(result["model"], result["X_train"], result["y_train"], ax=ax_boundary,
                      resolution=100, title=title)
    plot_history(result["history"], ax=(ax_loss, ax_acc))
    ax_acc.axhline(0.95, color="black", linestyle=":", linewidth=1)


PLAYGROUND_LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""The playground's learning-rate stops (as the TensorFlow Playground's): factors of about 3."""


class PlaygroundView(LiveView):
    """The playground's Train button, plots and readout: js/playground.js trains the network
    in the browser with js/trainer.js (which mirrors :func:`train_playground`: same data,
    initial weights, batches, loss and optimiser) and draws what :func:`draw_playground` draws.
    The traits follow the controls; ``*_index`` traits index the lists in ``data``."""

    _esm = esm("playground.js")
    dataset_index = traitlets.Int(0).tag(sync=True)
    hidden_layers = traitlets.Int(PLAYGROUND_DEFAULTS["hidden_layers"]).tag(sync=True)
    units = traitlets.Int(PLAYGROUND_DEFAULTS["units"]).tag(sync=True)
    activation_index = traitlets.Int(0).tag(sync=True)
    lr_index = traitlets.Int(PLAYGROUND_LEARNING_RATES.index(0.03)).tag(sync=True)
    optimizer_index = traitlets.Int(0).tag(sync=True)
    epochs = traitlets.Int(PLAYGROUND_DEFAULTS["epochs"]).tag(sync=True)
    seed = traitlets.Int(PLAYGROUND_DEFAULTS["seed"]).tag(sync=True)


def training_playground_widget(**settings: Any):
    """The training playground: choose a data set and a network, press Train, see the result.

    Controls: data set (quadrants, circles, moons, spirals), hidden layers (0-4), units per
    layer (1-16), activation, learning rate (``PLAYGROUND_LEARNING_RATES``), optimiser (sgd,
    momentum, adam), epochs (10-300) and seed (0-9). The setting starts at
    ``PLAYGROUND_DEFAULTS`` (overridable by keyword) and is trained as soon as the widget is
    shown. Training runs in the browser (a :class:`PlaygroundView`), in JupyterLab and on the
    book's website alike, and gives the numbers :func:`train_playground` gives.
    """
    import ipywidgets as widgets

    unknown = set(settings) - set(PLAYGROUND_DEFAULTS)
    if unknown:
        raise TypeError(f"training_playground_widget got unknown settings {sorted(unknown)}; "
                        f"expected some of {sorted(PLAYGROUND_DEFAULTS)}.")
    start = {**PLAYGROUND_DEFAULTS, **settings}
    if start["lr"] not in PLAYGROUND_LEARNING_RATES:
        raise ValueError(f"training_playground_widget expected lr to be one of the slider's "
                         f"stops {PLAYGROUND_LEARNING_RATES}, got {start['lr']!r}.")
    ranges = {"hidden_layers": (0, 4), "units": (1, 16), "epochs": (10, 300), "seed": (0, 9)}
    for name, (low, high) in ranges.items():
        _check_count(start[name], name, "training_playground_widget", low=low, high=high)
    for name, choices in (("dataset", DATASETS), ("activation", PLAYGROUND_ACTIVATIONS),
                          ("optimizer", OPTIMIZERS)):
        if start[name] not in choices:
            raise ValueError(f"training_playground_widget expected {name} to be one of "
                             f"{list(choices)}, got {start[name]!r}.")
    look = _control_layout()
    controls = {
        "dataset": widgets.Dropdown(options=list(DATASETS), value=start["dataset"],
                                    description="data set", **look),
        "hidden_layers": widgets.IntSlider(value=start["hidden_layers"], min=0, max=4,
                                           description="hidden layers", **look),
        "units": widgets.IntSlider(value=start["units"], min=1, max=16,
                                   description="units per layer", **look),
        "activation": widgets.Dropdown(options=list(PLAYGROUND_ACTIVATIONS),
                                       value=start["activation"], description="activation",
                                       **look),
        "lr": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in PLAYGROUND_LEARNING_RATES],
                                      value=start["lr"], description="learning rate", **look),
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=start["optimizer"],
                                      description="optimiser", **look),
        "epochs": widgets.IntSlider(value=start["epochs"], min=10, max=300, step=10,
                                    description="epochs", **look),
        "seed": widgets.IntSlider(value=start["seed"], min=0, max=9, description="seed", **look),
    }
    # Dropdowns and the selection slider share their index with the browser, sliders their value.
    traits = {"dataset": ("index", "dataset_index"), "hidden_layers": ("value", "hidden_layers"),
              "units": ("value", "units"), "activation": ("index", "activation_index"),
              "lr": ("index", "lr_index"), "optimizer": ("index", "optimizer_index"),
              "epochs": ("value", "epochs"), "seed": ("value", "seed")}
    view = PlaygroundView(
        data={"datasets": list(DATASETS), "activations": list(PLAYGROUND_ACTIVATIONS),
              "optimizers": list(OPTIMIZERS), "lr_options": list(PLAYGROUND_LEARNING_RATES)},
        **{trait: getattr(controls[name], attr) for name, (attr, trait) in traits.items()})
    links = [widgets.jsdlink((controls[name], attr), (view, trait))
             for name, (attr, trait) in traits.items()]
    left = widgets.VBox([controls[k] for k in ("dataset", "hidden_layers", "units",
                                                "activation")])
    right = widgets.VBox([controls[k] for k in ("lr", "optimizer", "epochs", "seed")])
    box = widgets.VBox([widgets.HBox([left, right], layout=widgets.Layout(flex_flow="row wrap")),
                        view])
    box._links = links  # noqa: SLF001 (keeps the links alive as long as the widget)
    return box
