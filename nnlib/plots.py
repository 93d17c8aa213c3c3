"""Plots for the chapters, drawn with matplotlib in one consistent, colour-blind-safe style.

=====================================================  ==========================================
function                                               draws
=====================================================  ==========================================
scatter_classes(X, y, ax)                              a 2-D data set, one marker shape per class
decision_boundary(model, X, y, ax)                     a classifier's regions and the data
perceptron_boundary_history(X, y, weights, biases)     a neuron's line, epoch after epoch
plot_activation(name_or_fn, x, ax)                     an activation and its derivative
plot_history(history, axes)                            loss and accuracy per epoch
network_diagram(layer_sizes, ax)                       units as circles, connections as lines
weight_heatmap(W, row_labels, col_labels, ax)          a weight matrix on a diverging colour map
image_grid(images, titles, ncols, signed)              small images (digits, kernels, feature maps)
confusion_matrix_plot(counts, labels, ax)              which true class was predicted as which
=====================================================  ==========================================

Every function takes ``ax=None``: given an Axes it draws there, otherwise it makes a new
figure. It returns the Axes it drew on (``plot_history``: a tuple of two). In a notebook,
end the cell with ``;`` (for example ``nnlib.plots.plot_activation("relu");``) so Jupyter
shows the picture without printing the Axes' text description under it.

Colours come from the Okabe-Ito palette (``PALETTE``), which people with the common kinds of
colour blindness can tell apart; classes also differ by marker shape (``MARKERS``) and curves by
line style (``LINESTYLES``), so no plot relies on colour alone. No figure is wider than
``MAX_FIGURE_WIDTH`` inches, so that the website never shrinks its text below a legible size.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle

__all__ = [
    "PALETTE",
    "MARKERS",
    "LINESTYLES",
    "DIVERGING_CMAP",
    "MAX_FIGURE_WIDTH",
    "scatter_classes",
    "decision_boundary",
    "perceptron_boundary_history",
    "plot_activation",
    "plot_history",
    "network_diagram",
    "weight_heatmap",
    "image_grid",
    "confusion_matrix_plot",
]

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe-Ito colours (Okabe and Ito, "Color Universal Design", 2008), most distinct first."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Marker shapes, one per class, in the same order as ``PALETTE``."""

LINESTYLES = ("-", "--", ":", "-.")
"""Line styles, one per curve, so curves differ by more than colour."""

DIVERGING_CMAP = "RdBu_r"
"""Colour map for signed values (weights): blue negative, white zero, red positive.
ColorBrewer's RdBu is readable with red-green colour blindness."""


MAX_FIGURE_WIDTH = 8.3
"""The widest a figure of the book may be, in inches. On a 1280 px screen the website's column
is 688 CSS px wide and shrinks a wider picture to fit; a figure's smallest text (8 pt) stays at
least 9 CSS px high there up to 8.5 inches of picture (tests/test_site_layout.py), and 8.3
leaves room for the margin Jupyter adds around a figure. Figures made here are scaled down to
it; a chapter's own ``figsize`` keeps to it."""


# --- input checks -------------------------------------------------------------------------

def _fit_width(width: float, height: float) -> tuple[float, float]:
    """A figure size (inches) no wider than MAX_FIGURE_WIDTH: wider ones are scaled down whole."""
    if width <= MAX_FIGURE_WIDTH:
        return width, height
    return MAX_FIGURE_WIDTH, height * MAX_FIGURE_WIDTH / width


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``, or the Axes of a new figure of the given size (at most MAX_FIGURE_WIDTH
    wide) when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=_fit_width(*figsize), layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def _check_points(X: Any, y: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Return X as float array of shape (n, 2) and y as int array of shape (n,), or raise."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"{who} expected X of shape (n, 2) (two features, so it can be drawn on a plane), "
            f"got shape {X.shape}."
        )
    if y.shape != (len(X),):
        raise ValueError(
            f"{who} expected y of shape ({len(X)},), one label per row of X, got shape {y.shape}."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{who} expected finite values in X, got NaN or inf.")
    if y.size and not np.all(np.asarray(y, dtype=float) == np.round(np.asarray(y, dtype=float))):
        raise ValueError(f"{who} expected integer class labels in y, got {y[:5]!r}...")
    if y.size and (y.min() < 0 or y.max() >= len(PALETTE)):
        raise ValueError(
            f"{who} expected class labels from 0 to {len(PALETTE) - 1}, got labels from "
            f"{y.min()} to {y.max()}."
        )
    return X, y.astype(np.int64)


# --- data and decision boundaries -------------------------------------------------------------

def scatter_classes(
    X: Any,
    y: Any,
    ax: Axes | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Axes:
    """Scatter a 2-D data set, each class with its own colour AND marker shape.

    Parameters
    ----------
    X : array, shape (n, 2), the points.
    y : array, shape (n,), integer class labels 0..7.
    ax : Axes to draw on, or None for a new figure.
    class_names : legend text per class (default "class 0", "class 1", ...).
    title : optional title.

    Returns
    -------
    The matplotlib Axes.
    """
    X, y = _check_points(X, y, "scatter_classes")
    ax = _new_axes(ax, (5, 5))
    classes = np.unique(y)
    if class_names is not None and len(class_names) <= classes.max(initial=0):
        raise ValueError(
            f"scatter_classes got {len(class_names)} class_names but labels up to "
            f"{classes.max()}: give one name per class."
        )
    for k in classes:
        name = class_names[k] if class_names is not None else f"class {k}"
        members = y == k
        ax.scatter(X[members, 0], X[members, 1], c=PALETTE[k], marker=MARKERS[k], s=28,
                   edgecolors="black", linewidths=0.5, label=name, zorder=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if len(classes):
        ax.legend(loc="best", framealpha=0.9)
    if title is not None:
        ax.set_title(title)
    return ax


def _predict_labels(predict: Callable[[np.ndarray], Any], points: np.ndarray) -> np.ndarray:
    """Class labels, shape (m,), from a model's output on ``points`` of shape (m, 2).

    The output may be labels of shape (m,) or (m, 1); probabilities of class 1, shape (m,) or
    (m, 1), cut at 0.5; or one score/probability column per class, shape (m, k), k >= 2.
    """
    out = np.asarray(predict(points), dtype=float)
    m = len(points)
    if out.ndim == 2 and out.shape[0] == m and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 2 and out.shape[0] == m and out.shape[1] >= 2:
        return out.argmax(axis=1)
    if out.shape != (m,):
        raise ValueError(
            f"decision_boundary: the model turned {m} points of shape {points.shape} into an "
            f"output of shape {out.shape}; expected labels or probabilities of shape ({m},) or "
            f"({m}, 1), or one column per class ({m}, k)."
        )
    if not np.all(np.isfinite(out)):
        raise ValueError("decision_boundary: the model's output contains NaN or inf.")
    if np.all(out == np.round(out)):
        return out.astype(np.int64)  # already labels
    if out.min() >= 0.0 and out.max() <= 1.0:
        return (out >= 0.5).astype(np.int64)  # probability of class 1
    raise ValueError(
        "decision_boundary: the model returned one non-integer value per point outside [0, 1]; "
        "expected class labels or probabilities of class 1. Hint: apply sigmoid to logits."
    )


def decision_boundary(
    predict_or_model: Any,
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
) -> Axes:
    """Shade the regions a classifier assigns to each class, and scatter the data on top.

    The model is evaluated on a ``resolution`` x ``resolution`` grid covering the data plus a
    margin. Its output may be class labels, probabilities of class 1 (cut at 0.5), or one
    column of probabilities or scores per class (the largest wins).

    Parameters
    ----------
    predict_or_model : a function taking points of shape (m, 2), or an object with a
        ``.predict`` method that does (a ``Perceptron``, a ``Sequential``).
    X : array, shape (n, 2), the data points.
    y : array, shape (n,), their integer labels 0..7.
    ax : Axes to draw on, or None for a new figure.
    resolution : grid points along each axis (between 10 and 1000).
    title : optional title.
    class_names : legend text per class.

    Returns
    -------
    The matplotlib Axes, holding a filled contour (the regions), a contour line (the
    boundary) and one scatter per class.
    """
    if hasattr(predict_or_model, "predict") and callable(predict_or_model.predict):
        predict = predict_or_model.predict
    elif callable(predict_or_model):
        predict = predict_or_model
    else:
        raise TypeError(
            "decision_boundary expected a function of X or an object with a .predict method, "
            f"got {type(predict_or_model).__name__}."
        )
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or not (
        10 <= resolution <= 1000
    ):
        raise ValueError(f"decision_boundary: resolution must be an int from 10 to 1000, "
                         f"got {resolution!r}.")
    X, y = _check_points(X, y, "decision_boundary")
    ax = _new_axes(ax, (5, 5))

    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9) + 0.1
    g1 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    g2 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    G1, G2 = np.meshgrid(g1, g2)
    grid = np.column_stack([G1.ravel(), G2.ravel()])
    labels = _predict_labels(predict, grid).reshape(G1.shape)
    if labels.min() < 0 or labels.max() >= len(PALETTE):
        raise ValueError(f"decision_boundary: the model predicted labels from {labels.min()} "
                         f"to {labels.max()}; expected 0 to {len(PALETTE) - 1}.")

    n_colours = int(max(labels.max(), y.max(initial=0))) + 1
    levels = np.arange(n_colours + 1) - 0.5
    ax.contourf(G1, G2, labels, levels=levels, cmap=ListedColormap(PALETTE[:n_colours]),
                alpha=0.25)
    if n_colours > 1:
        ax.contour(G1, G2, labels, levels=levels[1:-1], colors="black", linewidths=1.2)
    scatter_classes(X, y, ax=ax, class_names=class_names, title=title)
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    return ax


def perceptron_boundary_history(
    X: Any,
    y: Any,
    weights: Any,
    biases: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a 2-input neuron's decision line w1*x1 + w2*x2 + b = 0 after each epoch.

    Early lines are faint and dotted, the last one solid and labelled, so the reader sees the
    line settle where it separates the classes. Typical use, after ``p.fit(X, y, epochs)``::

        nnlib.plots.perceptron_boundary_history(X, y, p);

    Parameters
    ----------
    X : array, shape (n, 2), the training points.
    y : array, shape (n,), their labels 0 or 1.
    weights : a trained ``Perceptron``, its ``history`` (a list of dicts with keys "w" and
        "b"), or an array of shape (epochs, 2) with the weights after each epoch.
    biases : array, shape (epochs,), the bias after each epoch (only with a weights array).
    ax : Axes to draw on, or None for a new figure.
    title : optional title.

    Returns
    -------
    The matplotlib Axes, with one line per epoch (lines where both weights are 0 are skipped:
    such a neuron has no boundary).
    """
    X, y = _check_points(X, y, "perceptron_boundary_history")
    if hasattr(weights, "history"):
        weights = weights.history
    if isinstance(weights, Sequence) and weights and all(isinstance(h, Mapping) for h in weights):
        if biases is not None:
            raise ValueError("perceptron_boundary_history: biases are taken from the history; "
                             "leave biases=None.")
        weights, biases = [h["w"] for h in weights], [h["b"] for h in weights]
    if biases is None:
        raise ValueError("perceptron_boundary_history expected a Perceptron, its history, or "
                         "a weights array together with a biases array.")
    W = np.asarray(weights, dtype=float)
    b = np.asarray(biases, dtype=float)
    if W.ndim != 2 or W.shape[1] != 2 or len(W) == 0:
        raise ValueError(f"perceptron_boundary_history expected weights of shape (epochs, 2), "
                         f"got shape {W.shape}.")
    if b.shape != (len(W),):
        raise ValueError(f"perceptron_boundary_history expected biases of shape ({len(W)},), "
                         f"one per row of weights, got shape {b.shape}.")
    ax = scatter_classes(X, y, ax=ax, title=title)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    t = np.linspace(-1.0, 1.0, 2) * 10 * np.max(np.abs(np.concatenate([low, high])))
    n = len(W)
    for epoch, ((w1, w2), bias) in enumerate(zip(W, b, strict=True), start=1):
        if w1 == 0 and w2 == 0:
            continue
        # a point on the line, -b w / |w|^2, plus multiples of the direction (-w2, w1)
        norm2 = w1 * w1 + w2 * w2
        p1, p2 = -bias * w1 / norm2, -bias * w2 / norm2
        last = epoch == n
        ax.plot(p1 - t * w2 / np.sqrt(norm2), p2 + t * w1 / np.sqrt(norm2),
                color=PALETTE[3] if last else "grey",
                linestyle="-" if last else ":",
                linewidth=2.0 if last else 1.0,
                alpha=1.0 if last else 0.3 + 0.6 * epoch / n,
                label=f"after epoch {epoch}" if last else None)
    ax.legend(loc="best", framealpha=0.9)
    return ax


# --- activations and training curves ----------------------------------------------------------

def _numerical_derivative(f: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """Centred difference (f(x + h) - f(x - h)) / 2h, shape of x."""
    h = 1e-5
    return (np.asarray(f(x + h), dtype=float) - np.asarray(f(x - h), dtype=float)) / (2 * h)


def plot_activation(
    name_or_fn: str | Callable[[np.ndarray], Any] | tuple[Callable, Callable],
    x: Any = None,
    ax: Axes | None = None,
    derivative: bool = True,
) -> Axes:
    """Plot an activation function (solid line) and its derivative (dashed) on one Axes.

    Parameters
    ----------
    name_or_fn : a name known to ``nnlib.activations.get_activation`` ("relu", "sigmoid",
        ...), a pair ``(f, f_grad)``, or a single function f, whose derivative is then
        estimated by centred differences.
    x : array, shape (m,), where to evaluate (default 401 points from -5 to 5).
    ax : Axes to draw on, or None for a new figure.
    derivative : also draw the derivative.

    Returns
    -------
    The matplotlib Axes, with one line for f and (if ``derivative``) one for f'.
    """
    if isinstance(name_or_fn, str):
        from nnlib.activations import get_activation

        f, f_grad = get_activation(name_or_fn)
        name = name_or_fn.strip().lower()
    elif isinstance(name_or_fn, tuple) and len(name_or_fn) == 2 and all(map(callable, name_or_fn)):
        f, f_grad = name_or_fn
        name = getattr(f, "__name__", "f")
    elif callable(name_or_fn):
        f = name_or_fn
        name = getattr(f, "__name__", "f")

        def f_grad(v: np.ndarray) -> np.ndarray:
            return _numerical_derivative(f, v)
    else:
        raise TypeError(
            "plot_activation expected an activation name (e.g. 'relu'), a function, or a pair "
            f"(f, f_grad), got {type(name_or_fn).__name__}."
        )
    x = np.linspace(-5.0, 5.0, 401) if x is None else np.asarray(x, dtype=float)
    if x.ndim != 1 or len(x) < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"plot_activation expected x as a 1-D array of at least 2 finite "
                         f"values, got shape {x.shape}.")
    x = np.sort(x)
    ax = _new_axes(ax, (5.5, 3.5))
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.axvline(0.0, color="grey", linewidth=0.8)
    ax.plot(x, np.asarray(f(x), dtype=float), color=PALETTE[0], linestyle=LINESTYLES[0],
            linewidth=2.2, label=f"{name}(x)")
    if derivative:
        ax.plot(x, np.asarray(f_grad(x), dtype=float), color=PALETTE[1], linestyle=LINESTYLES[1],
                linewidth=2.2, label=f"derivative {name}'(x)")
    ax.set_xlabel("x")
    ax.set_title(name)
    ax.legend(loc="best", framealpha=0.9)
    return ax


_HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    """The per-epoch curves of a History, by key; empty and all-NaN curves are left out.

    Accepts ``Sequential.fit``'s History (it has ``as_dict()``), a plain dict, or an object
    with a ``.history`` dict (as Keras returns).
    """
    if callable(getattr(history, "as_dict", None)):
        history = history.as_dict()
    elif not isinstance(history, Mapping) and isinstance(getattr(history, "history", None),
                                                         Mapping):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(
            "plot_history expected the history returned by Sequential.fit (a dict-like object "
            f"with keys 'loss', 'accuracy', ...), got {type(history).__name__}."
        )
    curves = {}
    for key in _HISTORY_KEYS:
        if key in history:
            values = np.asarray(history[key], dtype=float)
            if values.ndim != 1:
                raise ValueError(f"plot_history expected {key!r} as one value per epoch, got "
                                 f"shape {values.shape}.")
            if values.size and not np.all(np.isnan(values)):
                curves[key] = values
    if "loss" not in curves:
        raise ValueError(
            "plot_history expected a non-empty 'loss' curve, got keys "
            f"{sorted(history.keys())}. Hint: pass the object Sequential.fit returned."
        )
    for key, values in curves.items():
        if values.shape != curves["loss"].shape:
            raise ValueError(f"plot_history expected every curve to have one value per epoch "
                             f"like 'loss' {curves['loss'].shape}, got {key!r} {values.shape}.")
    return curves


def plot_history(history: Any, ax: Any = None) -> tuple[Axes, Axes]:
    """Plot loss (left) and accuracy (right) per epoch; training solid, validation dashed.

    Parameters
    ----------
    history : what ``Sequential.fit`` returns, or a dict with key "loss" and optionally
        "accuracy", "val_loss", "val_accuracy", each a sequence with one value per epoch.
        Empty curves (no validation data) and all-NaN ones (accuracy of a regression) are
        skipped.
    ax : None (a new figure with two panels) or a pair of Axes (loss, accuracy).

    Returns
    -------
    The pair of Axes (loss, accuracy). Without accuracy curves the second panel says so.
    """
    curves = _history_dict(history)
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(MAX_FIGURE_WIDTH, 3.2), layout="constrained")
    if isinstance(ax, Axes) or len(ax) != 2 or not all(isinstance(a, Axes) for a in ax):
        raise TypeError("plot_history expected ax=None or a pair of Axes (loss, accuracy), e.g. "
                        "from plt.subplots(1, 2).")
    loss_ax, acc_ax = ax
    epochs = np.arange(1, len(curves["loss"]) + 1)
    for panel, metric, label in ((loss_ax, "loss", "loss"), (acc_ax, "accuracy", "accuracy")):
        for i, (prefix, who) in enumerate((("", "training"), ("val_", "validation"))):
            if prefix + metric in curves:
                panel.plot(epochs, curves[prefix + metric], color=PALETTE[i],
                           linestyle=LINESTYLES[i], linewidth=2, label=who,
                           marker=MARKERS[i] if len(epochs) <= 30 else None, markersize=4)
        panel.set_xlabel("epoch")
        panel.set_ylabel(label)
        if panel.lines:
            panel.legend(loc="best", framealpha=0.9)
        else:
            panel.text(0.5, 0.5, f"no {label} recorded", ha="center", va="center",
                       transform=panel.transAxes)
    if "accuracy" in curves or "val_accuracy" in curves:
        acc_ax.set_ylim(-0.02, 1.02)
    loss_ax.set_title("loss per epoch")
    acc_ax.set_title("accuracy per epoch")
    return loss_ax, acc_ax


# --- networks and weights ---------------------------------------------------------------------

def _check_layer_sizes(layer_sizes: Any, who: str) -> list[int]:
    sizes = list(layer_sizes) if isinstance(layer_sizes, Sequence | np.ndarray) else None
    if not sizes or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
    ):
        raise ValueError(f"{who} expected a list of positive whole numbers of units per layer, "
                         f"e.g. [3, 4, 2], got {layer_sizes!r}.")
    return [int(s) for s in sizes]


def network_diagram(
    layer_sizes: Sequence[int],
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    unit_labels: Sequence[Sequence[str] | None] | None = None,
    max_units: int = 10,
) -> Axes:
    """Draw a fully connected network: one column of circles per layer, lines between layers.

    A layer with more than ``max_units`` units shows its first and last few units with a
    vertical ellipsis between them, and its size underneath, so ``[784, 128, 10]`` stays
    readable.

    Parameters
    ----------
    layer_sizes : units per layer, input first, e.g. [3, 4, 2].
    ax : Axes to draw on, or None for a new figure.
    labels : one caption per layer (default "input", "hidden 1", ..., "output").
    unit_labels : per layer, None or one name per unit, written beside the circles of the
        first layer (left) and the last layer (right), e.g. [["R", "G", "B"], None, names].
    max_units : the most units drawn per layer (at least 3).

    Returns
    -------
    The matplotlib Axes, holding one ``Circle`` patch per drawn unit and a ``LineCollection``
    of the connections.
    """
    sizes = _check_layer_sizes(layer_sizes, "network_diagram")
    if isinstance(max_units, bool) or not isinstance(max_units, numbers.Integral) or max_units < 3:
        raise ValueError(f"network_diagram: max_units must be an int >= 3, got {max_units!r}.")
    n_layers = len(sizes)
    if labels is None:
        labels = ["input", *[f"hidden {i}" for i in range(1, n_layers - 1)], "output"][-n_layers:]
    if len(labels) != n_layers:
        raise ValueError(f"network_diagram got {len(labels)} labels for {n_layers} layers.")
    if unit_labels is not None and len(unit_labels) != n_layers:
        raise ValueError(f"network_diagram got unit_labels for {len(unit_labels)} layers, "
                         f"expected {n_layers} (use None for a layer without names).")
    n_slots = min(max(sizes), max_units)
    width, height = 3.0 * n_layers, n_slots + 2.2  # the drawing's extent in data units
    fig_height = float(np.clip(0.45 * height, 2.5, 4.5))  # inches
    ax = _new_axes(ax, (max(3.0, fig_height * width / height), fig_height))
    radius = 0.32
    columns = []  # per layer: the y position of each drawn unit
    for i, size in enumerate(sizes):
        if size <= max_units:
            slots = np.arange(size, dtype=float)
            shown = slots
        else:  # the first and last `keep` units, an ellipsis in the middle slot
            keep = (max_units - 1) // 2
            slots = np.arange(2 * keep + 1, dtype=float)
            shown = np.concatenate([slots[:keep], slots[keep + 1:]])
        offset = (n_slots - len(slots)) / 2.0  # centre the column vertically
        columns.append(n_slots - 1 - (shown + offset))
        if size > max_units:
            ax.text(3.0 * i, n_slots - 1 - (keep + offset), "\u22ee", ha="center",
                    va="center", fontsize=18)

    segments = [((3.0 * i, y0), (3.0 * (i + 1), y1))
                for i in range(n_layers - 1) for y0 in columns[i] for y1 in columns[i + 1]]
    ax.add_collection(LineCollection(segments, colors="grey", linewidths=0.7, alpha=0.6,
                                     zorder=1))
    for i, ys in enumerate(columns):
        face = "white" if i == 0 else PALETTE[5] if i < n_layers - 1 else PALETTE[1]
        for y in ys:
            ax.add_patch(Circle((3.0 * i, y), radius, facecolor=face, edgecolor="black",
                                linewidth=1.2, zorder=2))
        ax.text(3.0 * i, n_slots - 0.2, labels[i], ha="center", va="bottom", fontsize=10)
        ax.text(3.0 * i, -0.9, f"{sizes[i]} unit{'s' if sizes[i] != 1 else ''}",
                ha="center", va="top", fontsize=9)
        names = unit_labels[i] if unit_labels is not None else None
        if names is not None:
            if len(names) != sizes[i]:
                raise ValueError(f"network_diagram: layer {i} has {sizes[i]} units but "
                                 f"{len(names)} unit_labels.")
            if sizes[i] <= max_units:
                side = -1 if i == 0 else 1
                for y, text in zip(ys, names, strict=True):
                    ax.text(3.0 * i + side * (radius + 0.15), y, str(text), fontsize=9,
                            ha="right" if side < 0 else "left", va="center")
    ax.set_xlim(-1.5, 3.0 * (n_layers - 1) + 1.5)
    ax.set_ylim(-1.6, n_slots + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def weight_heatmap(
    W: Any,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    annotate: bool | None = None,
    title: str | None = None,
) -> Axes:
    """Show a weight matrix as coloured cells: blue negative, white zero, red positive.

    The colour scale is symmetric around 0, so white always means "no influence". For a
    ``Dense`` layer's ``W`` of shape (n_in, n_out), rows are inputs and columns are outputs.

    Parameters
    ----------
    W : array, shape (rows, cols), finite values.
    row_labels : one name per row (e.g. ["R", "G", "B"]).
    col_labels : one name per column (e.g. ``nnlib.data.RAINBOW_NAMES``).
    ax : Axes to draw on, or None for a new figure.
    annotate : write each value in its cell (default: when W has at most 100 cells).
    title : optional title.

    Returns
    -------
    The matplotlib Axes, holding the image, a colour bar and (if annotated) one text per cell.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim == 1:
        raise ValueError(f"weight_heatmap expected a 2-D matrix, got a 1-D array of shape "
                         f"{W.shape}. Hint: W.reshape(1, -1) shows it as one row.")
    if W.ndim != 2 or W.size == 0:
        raise ValueError(f"weight_heatmap expected a non-empty 2-D matrix, got shape {W.shape}.")
    if not np.all(np.isfinite(W)):
        raise ValueError("weight_heatmap expected finite weights, got NaN or inf.")
    for name, given, n in (("row_labels", row_labels, W.shape[0]),
                           ("col_labels", col_labels, W.shape[1])):
        if given is not None and len(given) != n:
            raise ValueError(f"weight_heatmap got {len(given)} {name} for a matrix of shape "
                             f"{W.shape}: expected {n}.")
    if annotate is None:
        annotate = W.size <= 100
    ax = _new_axes(ax, (1.0 + 0.8 * W.shape[1], 0.8 + 0.6 * W.shape[0]))
    limit = float(np.abs(W).max()) or 1.0
    image = ax.imshow(W, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="weight")
    ax.set_xticks(np.arange(W.shape[1]),
                  list(col_labels) if col_labels is not None else range(W.shape[1]))
    ax.set_yticks(np.arange(W.shape[0]),
                  list(row_labels) if row_labels is not None else range(W.shape[0]))
    if col_labels is not None and max(len(str(c)) for c in col_labels) > 3:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    if annotate:
        for (r, c), value in np.ndenumerate(W):
            strong = abs(value) > 0.6 * limit
            ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if strong else "black")
    if title is not None:
        ax.set_title(title)
    return ax


# --- images (chapter 6) -----------------------------------------------------------------------

def image_grid(
    images: Any,
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    signed: bool = False,
    suptitle: str | None = None,
    size: float = 1.3,
    values: bool = False,
) -> np.ndarray:
    """Show small images side by side: digits, kernels or feature maps.

    Parameters
    ----------
    images : array of shape (n, H, W), one image (H, W), or a list of 2-D images whose sizes
        may differ (a digit, a kernel and a feature map side by side); finite values.
    titles : one short title per image, or None.
    ncols : images per row (default: all in one row, at most 10).
    signed : False draws values from white (low) to black (high), like ink on paper (each
        image on its own scale from 0, or its minimum if negative, to its maximum).
        True uses the diverging map of :func:`weight_heatmap` (blue negative, white 0, red
        positive), symmetric around 0, shared by all images: for kernels and feature maps.
    suptitle : a title over the whole grid.
    size : inches per image (at most MAX_FIGURE_WIDTH / ncols, so the grid fits the page).
    values : write each value in its pixel (for small kernels).

    Returns
    -------
    The array of Axes, shape (rows, ncols); unused panels are switched off.
    """
    if isinstance(images, (list, tuple)):                  # images of different sizes
        images = [np.asarray(image, dtype=float) for image in images]
    else:
        images = np.asarray(images, dtype=float)
        if images.ndim == 2:
            images = images[None]
        if images.ndim != 3:
            raise ValueError(f"image_grid expected images of shape (n, H, W), got shape "
                             f"{images.shape}. Hint: a batch (N, 1, H, W) becomes images[:, 0].")
    if len(images) == 0 or any(image.ndim != 2 or image.size == 0 for image in images):
        raise ValueError("image_grid expected a non-empty list of 2-D images (H, W).")
    if not all(np.all(np.isfinite(image)) for image in images):
        raise ValueError("image_grid expected finite pixel values, got NaN or inf.")
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"image_grid got {len(titles)} titles for {n} images.")
    if ncols is None:
        ncols = min(n, 10)
    if isinstance(ncols, bool) or not isinstance(ncols, numbers.Integral) or ncols < 1:
        raise ValueError(f"image_grid expected ncols to be a positive int, got {ncols!r}.")
    nrows = -(-n // ncols)
    size = min(size, MAX_FIGURE_WIDTH / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             layout="constrained", squeeze=False)
    limit = max(float(np.abs(image).max()) for image in images) or 1.0
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        image = images[i]
        if signed:
            ax.imshow(image, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        else:
            ax.imshow(image, cmap="gray_r", vmin=min(0.0, image.min()),
                      vmax=max(float(image.max()), 1e-12))
        if values:
            for (r, c), value in np.ndenumerate(image):
                ax.text(c, r, f"{value:.2g}", ha="center", va="center", fontsize=8,
                        color="black" if not signed or abs(value) < 0.6 * limit else "white")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    if suptitle is not None:
        fig.suptitle(suptitle)
    return axes


def confusion_matrix_plot(counts: Any, labels: Sequence[str] | None = None,
                          ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw a confusion matrix: row = true class, column = predicted class, a count per cell.

    Every non-zero count is written in its cell, so the plot does not rely on colour; the
    diagonal is drawn in grey and mistakes in orange shades (darker for more).

    Parameters
    ----------
    counts : int array, shape (k, k); ``counts[i, j]`` is how many examples of class i were
        predicted as class j, so the diagonal holds the correct answers.
    labels : one name per class (default 0 .. k-1).
    ax : Axes to draw on, or None for a new figure.
    title : optional title.

    Returns
    -------
    The matplotlib Axes.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.size == 0:
        raise ValueError(f"confusion_matrix_plot expected a square matrix (k, k), got shape "
                         f"{counts.shape}.")
    if not np.all(counts >= 0) or not np.all(counts == np.round(counts)):
        raise ValueError("confusion_matrix_plot expected counts: whole numbers >= 0.")
    k = counts.shape[0]
    if labels is None:
        labels = [str(i) for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"confusion_matrix_plot got {len(labels)} labels for {k} classes.")
    ax = _new_axes(ax, (0.45 * k + 1.5, 0.45 * k + 1.2))
    off = counts * (1 - np.eye(k))
    shade = np.zeros((k, k, 3)) + 1.0
    worst = max(float(off.max()), 1.0)
    orange = np.array([0.90, 0.62, 0.0])                    # PALETTE[1]
    for (r, c), value in np.ndenumerate(counts):
        if r == c:
            shade[r, c] = 0.85
        elif value:
            strength = 0.25 + 0.75 * value / worst
            shade[r, c] = 1 - strength * (1 - orange)
    ax.imshow(shade)
    for (r, c), value in np.ndenumerate(counts):
        if value:
            ax.text(c, r, str(int(value)), ha="center", va="center", fontsize=8,
                    fontweight="bold" if r != c else "normal")
    ax.set_xticks(np.arange(k), labels)
    ax.set_yticks(np.arange(k), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title is not None:
        ax.set_title(title)
    return ax
