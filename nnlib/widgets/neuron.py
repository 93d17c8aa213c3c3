"""Chapter 1 widgets: the spam-email neuron and the decision-boundary sliders.

Each widget has two halves:

- a plain *state* function (``spam_neuron_state``, ``boundary_state``) that computes everything
  the widget shows from the slider values. It needs no browser and no kernel, so the tests call
  it directly;
- a *builder* (``spam_neuron_widget``, ``decision_boundary_widget``) that creates the sliders and
  redraws a matplotlib figure inside an ``Output`` widget whenever a slider moves. The first
  drawing happens when the builder runs, so the saved notebook (and the static web page) shows
  the initial plot even without a live kernel.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from nnlib.activations import sigmoid
from nnlib.neuron import weighted_sum
from nnlib.plots import MARKERS, PALETTE

__all__ = [
    "SPAM_INPUT_LABELS",
    "SPAM_DEFAULT_WEIGHTS",
    "SPAM_DEFAULT_BIAS",
    "spam_neuron_state",
    "spam_neuron_widget",
    "boundary_state",
    "decision_boundary_widget",
]

# The book's colour-blind-safe palette; every use of a colour is doubled by a marker shape,
# a hatch pattern or a text label, so nothing is told by colour alone.
_BLUE, _ORANGE = PALETTE[0], PALETTE[1]

SPAM_INPUT_LABELS = ("mentions 'Win $$$'", "has suspicious links", "from a known sender")
# Hand-set weights: money talk and odd links push towards spam, a known sender pushes away.
# They are the rule that labels ``nnlib.data.spam_emails``: 2*win + 2*links - 3*known > 0.5.
SPAM_DEFAULT_WEIGHTS = (2.0, 2.0, -3.0)
SPAM_DEFAULT_BIAS = -0.5


# --------------------------------------------------------------------------------------------
# The spam-email neuron
# --------------------------------------------------------------------------------------------

def spam_neuron_state(inputs: Sequence[float], weights: Sequence[float], bias: float) -> dict:
    """Everything the spam-neuron widget shows, for one setting of its sliders.

    Parameters
    ----------
    inputs : three numbers in [0, 1], shape (3,)
        How strongly the e-mail mentions winning money, has suspicious links, and comes from a
        known sender.
    weights : three numbers, shape (3,)
        How much the neuron cares about each input (negative: the input argues *against* spam).
    bias : float
        Added to the weighted sum; a negative bias makes the neuron harder to convince.

    Returns
    -------
    dict with
        ``contributions`` : array, shape (3,), each input times its weight;
        ``weighted_sum`` : float, the sum of the contributions plus the bias;
        ``probability`` : float in (0, 1), the sigmoid of the weighted sum;
        ``verdict`` : ``"spam"`` if the probability is at least 0.5, otherwise ``"not spam"``.
    """
    x = np.asarray(inputs, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.shape != (3,):
        raise ValueError(f"inputs: expected 3 numbers (win money, suspicious links, known "
                         f"sender), got shape {x.shape}.")
    if w.shape != (3,):
        raise ValueError(f"weights: expected 3 numbers, one per input, got shape {w.shape}.")
    if np.any(x < 0) or np.any(x > 1):
        raise ValueError(f"inputs: expected numbers between 0 and 1, got {x.tolist()}.")
    z = float(weighted_sum(x, w, float(bias)))
    p = float(sigmoid(z))
    return {
        "contributions": x * w,
        "weighted_sum": z,
        "probability": p,
        "verdict": "spam" if p >= 0.5 else "not spam",
    }


def _draw_spam_state(state: dict, bias: float, ax_parts, ax_prob) -> None:
    """Left: what each input and the bias add to the sum. Right: the probability gauge."""
    names = ["Win $$$", "links", "known sender", "bias"]
    values = np.append(state["contributions"], bias)
    ypos = np.arange(len(values))[::-1]
    for y, v in zip(ypos, values + 0.0, strict=True):  # + 0.0 turns -0.0 into 0.0
        pushes_spam = v >= 0
        ax_parts.barh(y, v, color=_ORANGE if pushes_spam else _BLUE,
                      hatch="//" if pushes_spam else "..", edgecolor="black")
        ax_parts.text(v + (0.1 if pushes_spam else -0.1), y, f"{v:+.2f}", va="center",
                      ha="left" if pushes_spam else "right", fontsize=9)
    ax_parts.axvline(0, color="black", lw=1)
    ax_parts.set_yticks(ypos, names)
    ax_parts.set_xlim(-7.5, 7.5)
    ax_parts.set_xlabel("adds to the weighted sum (hatched // : towards spam)")
    ax_parts.set_title(f"weighted sum z = {state['weighted_sum']:+.2f}", fontsize=10)

    p = state["probability"]
    spam = state["verdict"] == "spam"
    ax_prob.bar([0], [p], width=0.6, color=_ORANGE if spam else _BLUE,
                hatch="//" if spam else "..", edgecolor="black")
    ax_prob.axhline(0.5, color="black", ls="--", lw=1)
    ax_prob.set_yticks([0, 0.5, 1])
    ax_prob.set_ylim(0, 1)
    ax_prob.set_xlim(-0.5, 0.5)
    ax_prob.set_xticks([])
    ax_prob.set_ylabel("sigmoid(z)")
    ax_prob.set_title(f"P(spam) = {p:.2f}\n{state['verdict'].upper()}", fontsize=10)


def spam_neuron_widget(inputs: Sequence[float] = (1.0, 1.0, 0.0),
                       weights: Sequence[float] = SPAM_DEFAULT_WEIGHTS,
                       bias: float = SPAM_DEFAULT_BIAS) -> widgets.Widget:
    """Sliders for the three inputs, three weights and the bias of the spam-email neuron.

    Shows, live, each input's contribution, the weighted sum, the sigmoid probability and the
    verdict. With the default weights, an e-mail that talks money, has odd links and comes from
    a stranger, inputs (1, 1, 0), is spam; flipping them to (0, 0, 1) makes it not spam.
    """
    spam_neuron_state(inputs, weights, bias)  # fails early, with a clear message, on bad values
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="340px")
    input_sliders = [
        widgets.FloatSlider(value=float(v), min=0.0, max=1.0, step=0.05, description=label,
                            style=style, layout=layout, continuous_update=False)
        for v, label in zip(inputs, SPAM_INPUT_LABELS, strict=True)
    ]
    weight_sliders = [
        widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1,
                            description=f"weight w{i + 1}", style=style, layout=layout,
                            continuous_update=False)
        for i, v in enumerate(weights)
    ]
    bias_slider = widgets.FloatSlider(value=float(bias), min=-5.0, max=5.0, step=0.1,
                                      description="bias b", style=style, layout=layout,
                                      continuous_update=False)
    readout = widgets.HTML()

    def update(x1, x2, x3, w1, w2, w3, b):
        state = spam_neuron_state((x1, x2, x3), (w1, w2, w3), b)
        terms = " + ".join(f"{w:.1f}&times;{x:.2f}" for w, x in
                           zip((w1, w2, w3), (x1, x2, x3), strict=True))
        readout.value = (
            f"<code>z = {terms} + ({b:.1f}) = {state['weighted_sum']:.2f}</code><br>"
            f"<code>sigmoid(z) = {state['probability']:.3f}</code> &rarr; "
            f"<b>{state['verdict']}</b>"
        )
        fig, (ax_parts, ax_prob) = plt.subplots(
            1, 2, figsize=(7, 2.6), gridspec_kw={"width_ratios": [4, 1]})
        _draw_spam_state(state, b, ax_parts, ax_prob)
        fig.tight_layout()
        plt.show()

    names = ("x1", "x2", "x3", "w1", "w2", "w3", "b")
    controls = dict(zip(names, [*input_sliders, *weight_sliders, bias_slider], strict=True))
    plot = widgets.interactive_output(update, controls)
    return widgets.VBox([
        widgets.HBox([
            widgets.VBox([widgets.HTML("<b>The e-mail (0 = no, 1 = definitely)</b>"),
                          *input_sliders]),
            widgets.VBox([widgets.HTML("<b>The neuron</b>"), *weight_sliders, bias_slider]),
        ]),
        readout,
        plot,
    ])


# --------------------------------------------------------------------------------------------
# The decision boundary of a two-input neuron
# --------------------------------------------------------------------------------------------

def _clip_line_to_box(w1: float, w2: float, b: float,
                      xlim: tuple[float, float], ylim: tuple[float, float]):
    """The segment of the line w1*x1 + w2*x2 + b = 0 inside the box, or None if it misses it."""
    points = []
    if w2 != 0:  # crossings with the left and right edges
        for x1 in xlim:
            x2 = -(w1 * x1 + b) / w2
            if ylim[0] <= x2 <= ylim[1]:
                points.append((x1, x2))
    if w1 != 0:  # crossings with the bottom and top edges
        for x2 in ylim:
            x1 = -(w2 * x2 + b) / w1
            if xlim[0] <= x1 <= xlim[1]:
                points.append((x1, x2))
    unique = []
    for p in points:  # a line through a corner is found twice
        if not any(np.allclose(p, q) for q in unique):
            unique.append(p)
    if len(unique) < 2:
        return None
    return np.array(unique[:2], dtype=float) + 0.0  # + 0.0 turns -0.0 into 0.0


def boundary_state(w1: float, w2: float, b: float, X, y,
                   xlim: tuple[float, float] = (-0.5, 1.5),
                   ylim: tuple[float, float] = (-0.5, 1.5)) -> dict:
    """Everything the decision-boundary widget shows, for one setting of w1, w2 and b.

    The neuron says 1 where w1*x1 + w2*x2 + b >= 0 and 0 elsewhere (the step activation), so the
    boundary is the line w1*x1 + w2*x2 + b = 0.

    Parameters
    ----------
    w1, w2, b : floats, the weights and the bias.
    X : array, shape (n, 2), the points; y : array, shape (n,), their labels 0 or 1.
    xlim, ylim : the plotted box, used to cut the line to a drawable segment.

    Returns
    -------
    dict with
        ``line`` : array, shape (2, 2), the segment's end points ``[[x1, x2], [x1, x2]]``, or
        ``None`` when the line does not cross the box (for instance when w1 = w2 = 0);
        ``predictions`` : array of 0/1, shape (n,);
        ``misclassified`` : boolean array, shape (n,);
        ``n_errors`` : int, how many points are on the wrong side.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X: expected shape (n, 2), one row per point, got shape {X.shape}.")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected shape ({X.shape[0]},), one label per row of X, "
                         f"got shape {y.shape}.")
    z = X @ np.array([w1, w2], dtype=float) + b
    predictions = (z >= 0).astype(int)
    misclassified = predictions != y
    return {
        "line": _clip_line_to_box(float(w1), float(w2), float(b), xlim, ylim),
        "predictions": predictions,
        "misclassified": misclassified,
        "n_errors": int(misclassified.sum()),
    }


def _draw_boundary_state(ax, state: dict, w1: float, w2: float, b: float, X, y,
                         xlim, ylim) -> None:
    """Shade and hatch the two half-planes, draw the line and the points (markers by class)."""
    g1, g2 = np.meshgrid(np.linspace(*xlim, 201), np.linspace(*ylim, 201))
    says_one = (w1 * g1 + w2 * g2 + b >= 0).astype(float)
    ax.contourf(g1, g2, says_one, levels=[-0.5, 0.5, 1.5], colors=[_BLUE, _ORANGE],
                alpha=0.18, hatches=["..", "//"])
    if state["line"] is not None:
        (a1, a2), (c1, c2) = state["line"]
        ax.plot([a1, c1], [a2, c2], color="black", lw=2)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    for label in (0, 1):
        marker, colour = MARKERS[label], PALETTE[label]
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=90, color=colour, edgecolor="black",
                   zorder=3, label=f"label {label}")
    wrong = X[state["misclassified"]]
    if len(wrong):
        ax.scatter(wrong[:, 0], wrong[:, 1], marker="o", s=350, facecolor="none",
                   edgecolor="black", lw=1.5, ls="--", zorder=4, label="wrong side")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"{w1:.1f}·x1 + {w2:.1f}·x2 + ({b:.1f}) = 0:  "
                 f"{state['n_errors']} point(s) on the wrong side", fontsize=10)
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(facecolor=_ORANGE, alpha=0.35, hatch="//", label="neuron says 1"),
                Patch(facecolor=_BLUE, alpha=0.35, hatch="..", label="neuron says 0")]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)


def decision_boundary_widget(X=None, y=None, w1: float = 1.0, w2: float = 1.0,
                             b: float = -0.5) -> widgets.Widget:
    """Sliders for w1, w2 and b that move the line w1*x1 + w2*x2 + b = 0 over a set of points.

    By default the points are the AND gate's four inputs (only (1, 1) has label 1) and the
    starting line computes OR instead, so two points start on the wrong side: the reader's job
    is to move the line until none are. The side where the neuron says 1 is hatched ``//``.
    """
    if X is None and y is None:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        y = np.array([0, 0, 0, 1])
    elif X is None or y is None:
        raise ValueError("decision_boundary_widget: give both X and y, or neither (AND gate).")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    boundary_state(w1, w2, b, X, y)  # validates shapes before any widget is built
    pad = 0.5
    xlim = (float(X[:, 0].min()) - pad, float(X[:, 0].max()) + pad)
    ylim = (float(X[:, 1].min()) - pad, float(X[:, 1].max()) + pad)

    def slider(value, name):
        return widgets.FloatSlider(value=float(value), min=-3.0, max=3.0, step=0.1,
                                   description=name, continuous_update=False)

    controls = {"w1": slider(w1, "w1"), "w2": slider(w2, "w2"), "b": slider(b, "b")}
    readout = widgets.HTML()  # the plot's message in words, for readers who cannot see it

    def update(w1, w2, b):
        state = boundary_state(w1, w2, b, X, y, xlim, ylim)
        wrong = ", ".join(f"({p[0]:g}, {p[1]:g})" for p in X[state["misclassified"]])
        readout.value = (
            f"<code>{w1:.1f}&middot;x1 + {w2:.1f}&middot;x2 + ({b:.1f}) = 0</code>: "
            f"<b>{state['n_errors']} of {len(X)}</b> points on the wrong side"
            + (f" ({wrong})" if wrong else "") + "."
        )
        fig, ax = plt.subplots(figsize=(5, 5))
        _draw_boundary_state(ax, state, w1, w2, b, X, y, xlim, ylim)
        fig.tight_layout()
        plt.show()

    plot = widgets.interactive_output(update, controls)
    return widgets.VBox([widgets.HBox(list(controls.values())), readout, plot])
