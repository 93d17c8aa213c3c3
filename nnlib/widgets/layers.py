"""Chapter 2 widget: build a network with sliders, see its diagram and its parameter count.

``network_state`` is the update logic (plain Python, no widgets): from the layer sizes it
computes how many weights and biases the network has. ``network_builder_widget`` wires sliders
to it and redraws ``nnlib.plots.network_diagram`` each time a slider moves.

A dense layer from ``n_in`` units to ``n_out`` units has a weight matrix of shape
``(n_in, n_out)`` and a bias vector of shape ``(n_out,)``: ``n_in * n_out`` weights and
``n_out`` biases. The input layer only passes its values on, so it has no parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import ipywidgets as widgets
import traitlets

from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = ["network_state", "parameter_summary", "NetworkView", "network_builder_widget"]


def _check_size(value: object, what: str) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be a whole number of units, got {type(value).__name__} "
                        f"{value!r}.")
    if value < 1:
        raise ValueError(f"{what} must be at least 1 unit, got {value}.")
    return int(value)


def network_state(n_inputs: int, hidden: Sequence[int], n_outputs: int) -> dict:
    """Layer sizes and parameter counts of a fully connected network.

    Parameters
    ----------
    n_inputs : int
        Number of input units (features), at least 1.
    hidden : sequence of int
        Units of each hidden layer, in order; may be empty (no hidden layer).
    n_outputs : int
        Number of output units, at least 1.

    Returns
    -------
    dict with keys
        ``layer_sizes`` (list of int, input first), ``n_weights``, ``n_biases``, ``n_params``
        (ints, ``n_params = n_weights + n_biases``), ``weights_formula`` and ``biases_formula``
        (strings such as ``"3×4 + 4×2"`` and ``"4 + 2"`` that show how the counts add up).

    Examples
    --------
    >>> s = network_state(3, [4], 2)
    >>> s["layer_sizes"], s["n_weights"], s["n_biases"], s["n_params"]
    ([3, 4, 2], 20, 6, 26)
    """
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a list of layer sizes such as [4] or [8, 8], got "
                        f"{type(hidden).__name__} {hidden!r}.")
    sizes = [_check_size(n_inputs, "n_inputs")]
    sizes += [_check_size(h, f"hidden layer {i + 1}") for i, h in enumerate(hidden)]
    sizes.append(_check_size(n_outputs, "n_outputs"))

    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    n_weights = sum(a * b for a, b in pairs)
    n_biases = sum(sizes[1:])
    return dict(
        layer_sizes=sizes,
        n_weights=n_weights,
        n_biases=n_biases,
        n_params=n_weights + n_biases,
        weights_formula=" + ".join(f"{a}×{b}" for a, b in pairs),
        biases_formula=" + ".join(str(b) for b in sizes[1:]),
    )


def parameter_summary(state: dict) -> str:
    """One short HTML paragraph describing ``state`` (a dict from ``network_state``).

    Example: ``"Layers 3-4-2: weights 3×4 + 4×2 = 20, biases 4 + 2 = 6, total 26 parameters."``
    """
    sizes = "-".join(str(n) for n in state["layer_sizes"])
    return (f"<b>Layers {sizes}</b>: weights {state['weights_formula']} = "
            f"<b>{state['n_weights']}</b>, biases {state['biases_formula']} = "
            f"<b>{state['n_biases']}</b>, total <b>{state['n_params']}</b> parameters.")


class NetworkView(LiveView):
    """The network diagram and parameter count, drawn in the browser by js/network_builder.js
    (which mirrors :func:`network_state` and :func:`parameter_summary`). ``unit_sliders`` are
    the hidden-layer sliders: the view reads them and greys out those of unused layers."""

    _esm = esm("network_builder.js")
    n_in = traitlets.Int(3).tag(sync=True)
    n_hidden = traitlets.Int(1).tag(sync=True)
    n_out = traitlets.Int(2).tag(sync=True)
    unit_sliders = traitlets.List(traitlets.Instance(widgets.IntSlider)).tag(
        sync=True, **widgets.widget_serialization)


def network_builder_widget(n_inputs: int = 3, hidden: Sequence[int] = (4,), n_outputs: int = 2,
                           max_hidden_layers: int = 4, max_units: int = 10):
    """Sliders for the layer sizes that redraw a network diagram and count its parameters.

    Parameters
    ----------
    n_inputs, hidden, n_outputs
        The network shown first (default 3-4-2, the spam network of chapter 2).
    max_hidden_layers : int
        How many hidden-layer sliders there are (unused ones are greyed out).
    max_units : int
        Largest value of every size slider.

    Returns
    -------
    ipywidgets.VBox
        Display it as the last expression of a notebook cell. The diagram and the count are a
        :class:`NetworkView`, drawn in the browser (js/network_builder.js mirrors
        :func:`network_state`), so they follow the sliders with no kernel too.
    """
    start = network_state(n_inputs, hidden, n_outputs)  # validates the starting sizes
    hidden = list(hidden)
    if len(hidden) > max_hidden_layers:
        raise ValueError(f"hidden has {len(hidden)} layers but max_hidden_layers is "
                         f"{max_hidden_layers}: raise max_hidden_layers.")
    if max(start["layer_sizes"]) > max_units:
        raise ValueError(f"a starting layer has {max(start['layer_sizes'])} units but max_units "
                         f"is {max_units}: raise max_units.")

    style = {"description_width": "9.5em"}
    layout = widgets.Layout(width="26em", max_width="100%")

    def size_slider(value: int, description: str) -> widgets.IntSlider:
        return widgets.IntSlider(value=value, min=1, max=max_units, description=description,
                                 style=style, layout=layout)

    inputs = size_slider(n_inputs, "input units")
    depth = widgets.IntSlider(value=len(hidden), min=0, max=max_hidden_layers,
                              description="hidden layers", style=style, layout=layout)
    units = [size_slider(hidden[i] if i < len(hidden) else 4, f"units in hidden {i + 1}")
             for i in range(max_hidden_layers)]
    for i, slider in enumerate(units):
        slider.disabled = i >= len(hidden)
    outputs = size_slider(n_outputs, "output units")
    view = NetworkView(unit_sliders=units)
    links = link_controls(view, {"n_in": inputs, "n_hidden": depth, "n_out": outputs})
    box = widgets.VBox([inputs, depth, *units, outputs, view])
    box._links = links  # keeps the links alive as long as the widget
    return box
