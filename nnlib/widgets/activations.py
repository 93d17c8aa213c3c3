"""Chapter 3 widgets: the softmax temperature slider and the activation explorer.

The update logic is in plain functions that need no widgets and no kernel:

temperature_state(logits, T)               probabilities softmax(logits / T) and their entropy
sample_words(words, logits, T, n, rng)     n words drawn at temperature T (T = 0: the argmax)
explorer_state(name, x_min, x_max)         x, f(x) and f'(x) of one activation on a range
draw_temperature(words, logits, T, ax)     the temperature chart, with matplotlib
draw_explorer(name, x_min, x_max, axes)    the explorer's two plots, with matplotlib

The builders ``temperature_widget`` and ``activation_explorer_widget`` put sliders and a
dropdown beside a view (``TemperatureView``, ``ExplorerView``) whose JavaScript
(js/temperature.js, js/activation_explorer.js) mirrors those functions and draws in the
browser, so the widgets work in JupyterLab and on the book's website, with no kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from nnlib._utils import as_rng
from nnlib.activations import ACTIVATIONS, get_activation, softmax
from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = [
    "TOY_PROMPT",
    "TOY_WORDS",
    "TOY_LOGITS",
    "temperature_state",
    "sample_words",
    "explorer_state",
    "draw_temperature",
    "draw_explorer",
    "temperature_widget",
    "activation_explorer_widget",
]

# A toy language model's scores (logits) for the word after "The cat sat on the".
TOY_PROMPT = "The cat sat on the"
TOY_WORDS = ("mat", "floor", "sofa", "chair", "roof", "table", "keyboard", "moon")
TOY_LOGITS = (4.0, 3.0, 2.6, 2.2, 1.5, 1.2, 0.5, -1.0)

T_MAX = 3.0  # the temperature slider runs from 0 to T_MAX


def _check_logits(logits: Any) -> np.ndarray:
    """Return ``logits`` as a float vector of shape (V,), or raise a ValueError saying why not."""
    z = np.asarray(logits, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a vector of at least 2 scores, shape (V,); "
                         f"got shape {z.shape}.")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"logits must be finite numbers; got {z}.")
    return z


def _check_temperature(T: Any) -> float:
    """Return ``T`` as a float, or raise a ValueError unless it is a number >= 0."""
    try:
        t = float(T)
    except (TypeError, ValueError) as err:
        raise TypeError(f"temperature T must be a number >= 0; got {T!r}.") from err
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"temperature T must be a finite number >= 0; got {T!r}.")
    return t


def _check_vocabulary(words: Any, logits: Any) -> tuple[list[str], np.ndarray]:
    """Fill in the toy vocabulary where ``words``/``logits`` are None and check they match."""
    words = list(TOY_WORDS if words is None else words)
    z = _check_logits(TOY_LOGITS if logits is None else logits)
    if len(words) != z.size:
        raise ValueError(f"need one logit per word: got {len(words)} words and {z.size} logits.")
    return [str(w) for w in words], z


def _entropy_bits(p: np.ndarray) -> float:
    """Entropy sum p log2(1/p) = -sum p log2 p in bits, with 0 * log 0 counted as 0."""
    nonzero = p[p > 0]
    return float(np.sum(nonzero * np.log2(1 / nonzero)))


def temperature_state(logits: Any, T: float) -> dict:
    """Probabilities of each word at temperature T, and their entropy.

    logits: shape (V,), the raw scores of V words. T: a number >= 0.
    Returns ``dict(probabilities=p, entropy=H)`` with p = softmax(logits / T) of shape (V,)
    (at T = 0 the one-hot vector of the largest logit) and H = -sum p log2 p in bits:
    0 when one word is certain, log2(V) when all V words are equally likely.
    """
    z = _check_logits(logits)
    p = softmax(z, temperature=_check_temperature(T))
    return dict(probabilities=p, entropy=_entropy_bits(p))


def sample_words(words: Any, logits: Any, T: float, n: int,
                 rng: np.random.Generator | int | None = None) -> list[str]:
    """Draw ``n`` words at temperature ``T``, each independently with probability softmax(logits/T).

    words: V strings; logits: shape (V,); n >= 1; rng: a numpy Generator or a seed.
    Returns a list of n words. At T = 0 every draw is the word with the largest logit (greedy).
    """
    words, z = _check_vocabulary(words, logits)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n, the number of words to draw, must be a whole number >= 1; got {n!r}.")
    p = temperature_state(z, T)["probabilities"]
    rng = as_rng(rng)
    picks = rng.choice(len(words), size=int(n), p=p)
    return [words[i] for i in picks]


def explorer_state(name: str, x_min: float, x_max: float, num: int = 201) -> dict:
    """An activation and its derivative on ``num`` evenly spaced inputs from x_min to x_max.

    name: one of ``nnlib.activations.ACTIVATIONS`` (softmax excepted: it acts on a whole layer).
    Returns ``dict(name=name, x=x, y=f(x), dy=f'(x))``, three arrays of shape (num,).
    """
    if name == "softmax":
        raise ValueError("softmax acts on a whole vector, not on one number at a time: choose "
                         "one of the element-wise activations " + ", ".join(_explorer_names()))
    f, f_grad = get_activation(name)
    lo, hi = float(x_min), float(x_max)
    if not lo < hi:
        raise ValueError(f"the input range needs x_min < x_max; got x_min={x_min}, x_max={x_max}.")
    if num < 2:
        raise ValueError(f"num, the number of points, must be at least 2; got {num}.")
    x = np.linspace(lo, hi, int(num))
    return dict(name=name, x=x, y=np.asarray(f(x), dtype=float),
                dy=np.asarray(f_grad(x), dtype=float))


def _explorer_names() -> list[str]:
    """The activations the explorer offers: every one in ACTIVATIONS that works element-wise."""
    return [name for name in ACTIVATIONS if name != "softmax"]


def _style() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The book's colour-blind-safe colours and its line styles (from nnlib.plots)."""
    from nnlib import plots

    return plots.PALETTE, plots.LINESTYLES


def draw_temperature(words: Any = None, logits: Any = None, T: float = 1.0, ax=None,
                     prompt: str = TOY_PROMPT):
    """Bar chart of the next-word probabilities at temperature T, the entropy in the title.

    Hatched outline bars show the T = 1 probabilities for comparison, so the two sets of
    bars differ by fill and hatching, not only by colour. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    words, z = _check_vocabulary(words, logits)
    state = temperature_state(z, T)
    reference = temperature_state(z, 1.0)["probabilities"]
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    colours, _ = _style()
    pos = np.arange(len(words))
    ax.bar(pos, state["probabilities"], width=0.7, color=colours[0], edgecolor="black",
           label=f"T = {float(T):g}")
    ax.bar(pos, reference, width=0.7, fill=False, hatch="//", edgecolor=colours[1],
           linewidth=1.2, label="T = 1 (for comparison)")
    for i, p in enumerate(state["probabilities"]):
        ax.text(i, p + 0.02, f"{p:.2f}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(pos, words)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    greedy = " (greedy: argmax)" if float(T) == 0 else ""
    ax.set_title(f'"{prompt} ..."   T = {float(T):.2f}{greedy}   '
                 f'entropy = {state["entropy"]:.2f} bits (max {np.log2(len(words)):.2f})')
    ax.legend(loc="upper right", fontsize=9)
    return ax


def draw_explorer(name: str, x_min: float = -5.0, x_max: float = 5.0, axes=None):
    """Plot an activation (left) and its derivative (right) side by side. Returns the 2 Axes."""
    import matplotlib.pyplot as plt

    state = explorer_state(name, x_min, x_max)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    colours, styles = _style()
    left, right = axes
    left.plot(state["x"], state["y"], color=colours[0], linestyle=styles[0], linewidth=2)
    left.set_title(f"{name}(x)")
    right.plot(state["x"], state["dy"], color=colours[1], linestyle=styles[1], linewidth=2)
    right.set_title(f"derivative {name}'(x)")
    for ax in axes:
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
    return axes


class TemperatureView(LiveView):
    """The temperature chart, entropy and drawn words, computed in the browser by
    js/temperature.js (which mirrors :func:`temperature_state` and :func:`sample_words`)."""

    _esm = esm("temperature.js")
    T = traitlets.Float(1.0).tag(sync=True)
    n = traitlets.Int(10).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)


class ExplorerView(LiveView):
    """The activation and its derivative, drawn in the browser by js/activation_explorer.js
    (which mirrors :func:`explorer_state`); ``activation`` is the index into ``data["names"]``."""

    _esm = esm("activation_explorer.js")
    activation = traitlets.Int(0).tag(sync=True)
    x_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(),
                              default_value=(-5.0, 5.0)).tag(sync=True)


def temperature_widget(words: Any = None, logits: Any = None,
                       rng: np.random.Generator | int | None = None):
    """A temperature slider (0 to 3) over next-word probabilities, and words drawn at it.

    words, logits: the vocabulary and its scores (default: the toy continuations of
    "The cat sat on the..."). rng: the first seed of the draws, a whole number from 0 to 99
    (default 0). The words shown are ``sample_words(words, logits, T, n, rng=seed)``: the same
    for the same settings, in JupyterLab and on the website; "draw again" moves to the next
    seed. Returns an ipywidgets VBox ready to display; the chart, entropy and draws are a
    :class:`TemperatureView`, computed in the browser (js/temperature.js).
    """
    import ipywidgets as widgets

    words, z = _check_vocabulary(words, logits)
    seed = 0 if rng is None else rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 100:
        raise ValueError(f"rng: the widget draws with a seed, a whole number from 0 to 99; "
                         f"got {rng!r}.")
    layout = widgets.Layout(width="20em", max_width="100%")
    temperature = widgets.FloatSlider(value=1.0, min=0.0, max=T_MAX, step=0.05,
                                      description="T", readout_format=".2f", layout=layout)
    draws = widgets.IntSlider(value=10, min=1, max=30, description="words", layout=layout)
    seeds = widgets.IntSlider(value=int(seed), min=0, max=99, description="seed", layout=layout)
    view = TemperatureView(data={"words": words, "logits": z.tolist(), "prompt": TOY_PROMPT})
    links = link_controls(view, {"T": temperature, "n": draws, "seed": seeds},
                         both_ways=("seed",))
    wrap = widgets.Layout(flex_flow="row wrap")
    box = widgets.VBox([temperature, view, widgets.HBox([draws, seeds], layout=wrap)])
    box._links = links  # keeps the links alive as long as the widget
    return box


def activation_explorer_widget(name: str = "relu"):
    """A dropdown of activations and an input-range slider; the function and its derivative.

    Returns an ipywidgets VBox ready to display; the plots and the readout are an
    :class:`ExplorerView`, drawn in the browser (js/activation_explorer.js mirrors
    :func:`explorer_state`).
    """
    import ipywidgets as widgets

    names = _explorer_names()
    if name not in names:
        raise ValueError(f"name must be one of {names}; got {name!r}.")
    choice = widgets.Dropdown(options=names, value=name, description="activation")
    x_range = widgets.FloatRangeSlider(value=(-5.0, 5.0), min=-20.0, max=20.0, step=0.5,
                                       description="x from, to", readout_format=".1f",
                                       layout=widgets.Layout(width="22em", max_width="100%"))
    view = ExplorerView(data={"names": names})
    links = link_controls(view, {"activation": choice, "x_range": x_range})
    box = widgets.VBox([widgets.HBox([choice, x_range],
                                     layout=widgets.Layout(flex_flow="row wrap")), view])
    box._links = links  # keeps the links alive as long as the widget
    return box
