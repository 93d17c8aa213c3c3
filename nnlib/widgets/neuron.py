"""Chapter 1 widgets: the spam-email neuron and the decision-boundary sliders.

Each widget has two halves:

- a plain *state* function (``spam_neuron_state``, ``boundary_state``) that computes everything
  the widget shows from the slider values. It needs no browser and no kernel, so the tests call
  it directly;
- a *builder* (``spam_neuron_widget``, ``decision_boundary_widget``) that creates the sliders
  beside a *view* (``SpamNeuronView``, ``BoundaryView``): an anywidget whose JavaScript
  (``js/spam_neuron.js``, ``js/decision_boundary.js``) computes and draws what the widget shows
  in the browser, so the sliders work in JupyterLab and on the book's website, where no kernel
  runs (see nnlib/widgets/live.py). The JavaScript mirrors the state function, which stays the
  reference: the site's tests check that both show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import traitlets

from nnlib.activations import sigmoid
from nnlib.neuron import weighted_sum
from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = [
    "SPAM_INPUT_LABELS",
    "SPAM_DEFAULT_WEIGHTS",
    "SPAM_DEFAULT_BIAS",
    "spam_neuron_state",
    "spam_neuron_widget",
    "boundary_state",
    "decision_boundary_widget",
]


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


class SpamNeuronView(LiveView):
    """The spam neuron's readout and chart, computed in the browser by js/spam_neuron.js
    (which mirrors :func:`spam_neuron_state`). Its traits follow the sliders."""

    _esm = esm("spam_neuron.js")
    x1 = traitlets.Float(1.0).tag(sync=True)
    x2 = traitlets.Float(1.0).tag(sync=True)
    x3 = traitlets.Float(0.0).tag(sync=True)
    w1 = traitlets.Float(SPAM_DEFAULT_WEIGHTS[0]).tag(sync=True)
    w2 = traitlets.Float(SPAM_DEFAULT_WEIGHTS[1]).tag(sync=True)
    w3 = traitlets.Float(SPAM_DEFAULT_WEIGHTS[2]).tag(sync=True)
    b = traitlets.Float(SPAM_DEFAULT_BIAS).tag(sync=True)


def spam_neuron_widget(inputs: Sequence[float] = (1.0, 1.0, 0.0),
                       weights: Sequence[float] = SPAM_DEFAULT_WEIGHTS,
                       bias: float = SPAM_DEFAULT_BIAS) -> widgets.Widget:
    """Sliders for the three inputs, three weights and the bias of the spam-email neuron.

    Shows, live, each input's contribution, the weighted sum, the sigmoid probability and the
    verdict. With the default weights, an e-mail that talks money, has odd links and comes from
    a stranger, inputs (1, 1, 0), is spam; flipping them to (0, 0, 1) makes it not spam.

    The readout and chart are a :class:`SpamNeuronView`, drawn in the browser, so they follow
    the sliders in JupyterLab and on the book's website alike (no kernel needed).
    """
    spam_neuron_state(inputs, weights, bias)  # fails early, with a clear message, on bad values
    style = {"description_width": "9.5em"}
    layout = widgets.Layout(width="21em", max_width="100%")
    input_sliders = [
        widgets.FloatSlider(value=float(v), min=0.0, max=1.0, step=0.05, description=label,
                            style=style, layout=layout)
        for v, label in zip(inputs, SPAM_INPUT_LABELS, strict=True)
    ]
    weight_sliders = [
        widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1,
                            description=f"weight w{i + 1}", style=style, layout=layout)
        for i, v in enumerate(weights)
    ]
    bias_slider = widgets.FloatSlider(value=float(bias), min=-5.0, max=5.0, step=0.1,
                                      description="bias b", style=style, layout=layout)
    names = ("x1", "x2", "x3", "w1", "w2", "w3", "b")
    controls = dict(zip(names, [*input_sliders, *weight_sliders, bias_slider], strict=True))
    view = SpamNeuronView()
    links = link_controls(view, controls)
    box = widgets.VBox([
        widgets.HBox([
            widgets.VBox([widgets.HTML("<b>The e-mail (0 = no, 1 = definitely)</b>"),
                          *input_sliders]),
            widgets.VBox([widgets.HTML("<b>The neuron</b>"), *weight_sliders, bias_slider]),
        ], layout=widgets.Layout(flex_flow="row wrap")),
        view,
    ])
    box._links = links  # noqa: SLF001 (keeps the links alive as long as the widget)
    return box


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


class BoundaryView(LiveView):
    """The decision-boundary plot and readout, computed in the browser by
    js/decision_boundary.js (which mirrors :func:`boundary_state`). ``data`` holds the points,
    their labels and the plotted box."""

    _esm = esm("decision_boundary.js")
    w1 = traitlets.Float(1.0).tag(sync=True)
    w2 = traitlets.Float(1.0).tag(sync=True)
    b = traitlets.Float(-0.5).tag(sync=True)


def decision_boundary_widget(X=None, y=None, w1: float = 1.0, w2: float = 1.0,
                             b: float = -0.5) -> widgets.Widget:
    """Sliders for w1, w2 and b that move the line w1*x1 + w2*x2 + b = 0 over a set of points.

    By default the points are the AND gate's four inputs (only (1, 1) has label 1) and the
    starting line computes OR instead, so two points start on the wrong side: the reader's job
    is to move the line until none are. The side where the neuron says 1 is hatched ``//``.
    The plot and readout are a :class:`BoundaryView`, drawn in the browser (no kernel needed).
    """
    if X is None and y is None:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        y = np.array([0, 0, 0, 1])
    elif X is None or y is None:
        raise ValueError("decision_boundary_widget: give both X and y, or neither (AND gate).")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    boundary_state(w1, w2, b, X, y)  # validates shapes before any widget is built
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y: expected labels 0 or 1, got {np.unique(y).tolist()}.")
    pad = 0.5
    xlim = (float(X[:, 0].min()) - pad, float(X[:, 0].max()) + pad)
    ylim = (float(X[:, 1].min()) - pad, float(X[:, 1].max()) + pad)

    def slider(value, name):
        return widgets.FloatSlider(value=float(value), min=-3.0, max=3.0, step=0.1,
                                   description=name,
                                   layout=widgets.Layout(width="20em", max_width="100%"))

    controls = {"w1": slider(w1, "w1"), "w2": slider(w2, "w2"), "b": slider(b, "b")}
    view = BoundaryView(data={"X": X.tolist(), "y": [int(v) for v in y],
                              "xlim": list(xlim), "ylim": list(ylim)})
    links = link_controls(view, controls)
    box = widgets.VBox([widgets.HBox(list(controls.values()),
                                     layout=widgets.Layout(flex_flow="row wrap")), view])
    box._links = links  # noqa: SLF001 (keeps the links alive as long as the widget)
    return box
