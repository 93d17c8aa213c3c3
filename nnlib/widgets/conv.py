"""Chapter 6 widget: the kernel explorer. Pick a digit and a 3x3 kernel, watch the feature map,
then squint at it with a pooling-size slider.

``kernel_explorer_state`` is the update logic (plain Python, no widgets): it convolves one image
with one kernel using ``nnlib.conv`` (padding 1, so an 8x8 digit gives an 8x8 feature map),
optionally applies ReLU, and pools the result. ``kernel_explorer_widget`` puts a digit menu, a
preset menu, nine weight sliders, a pooling-size slider and a max/average menu beside a
:class:`KernelExplorerView`, drawn in the browser by ``js/kernel_explorer.js`` (which mirrors
``kernel_explorer_state``), so it works in JupyterLab and on the website with no kernel.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import traitlets

from nnlib.conv import avg_pool2d, conv2d, max_pool2d
from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = [
    "KERNEL_PRESETS",
    "POOL_SIZES",
    "explorer_digits",
    "kernel_explorer_state",
    "KernelExplorerView",
    "kernel_explorer_widget",
]

KERNEL_PRESETS: dict[str, tuple[tuple[float, ...], ...]] = {
    "vertical edges": ((1.0, 0.0, -1.0), (1.0, 0.0, -1.0), (1.0, 0.0, -1.0)),
    "horizontal edges": ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), (-1.0, -1.0, -1.0)),
    "blur": ((1.0, 1.0, 1.0), (1.0, 1.0, 1.0), (1.0, 1.0, 1.0)),
    "sharpen": ((0.0, -1.0, 0.0), (-1.0, 5.0, -1.0), (0.0, -1.0, 0.0)),
    "identity": ((0.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 0.0)),
}
"""Hand-set 3x3 kernels. Vertical edges (Prewitt): bright left of dark gives a positive
response. Horizontal edges: bright above dark. Blur: the sum of the 3x3 neighbourhood (nine
ones; divided by 9 it would be the mean, but the sliders move in steps of 0.1). Sharpen: the
pixel minus its four neighbours, plus itself four times over. Identity: the image unchanged."""

POOL_SIZES = (1, 2, 4, 8)
"""Pooling sizes offered for an 8x8 feature map (each divides 8; 1 means no pooling)."""


def explorer_digits() -> tuple[np.ndarray, np.ndarray]:
    """The first example of each digit 0..9 in ``nnlib.data.load_digits``, scaled to [0, 1].

    Returns images of shape (10, 8, 8) (image d shows digit d) and their labels 0..9.
    """
    from nnlib.data import load_digits

    images, labels = load_digits()
    first = np.array([np.flatnonzero(labels == d)[0] for d in range(10)])
    return images[first] / 16.0, labels[first]


def _as_kernel(kernel: object) -> np.ndarray:
    if isinstance(kernel, str):
        if kernel not in KERNEL_PRESETS:
            raise ValueError(f"unknown kernel preset {kernel!r}; expected one of "
                             f"{sorted(KERNEL_PRESETS)} or nine numbers.")
        return np.array(KERNEL_PRESETS[kernel], dtype=float)
    K = np.asarray(kernel, dtype=float)
    if K.size != 9 or K.ndim not in (1, 2):
        raise ValueError(f"kernel: expected a 3x3 kernel (or nine numbers), got shape {K.shape}.")
    if not np.all(np.isfinite(K)):
        raise ValueError("kernel: expected finite numbers, got NaN or inf.")
    return K.reshape(3, 3)


def kernel_explorer_state(image: Sequence[Sequence[float]] | np.ndarray,
                          kernel: str | Sequence[float] | np.ndarray,
                          pool_size: int = 2, pool: str = "max", relu: bool = True) -> dict:
    """What the kernel explorer shows for one image, one kernel and one pooling setting.

    Parameters
    ----------
    image : array (H, W), finite values (the explorer uses 8x8 digits scaled to [0, 1]).
    kernel : a name of ``KERNEL_PRESETS`` or nine numbers (row by row) / a 3x3 array.
    pool_size : size of the square pooling windows (stride = size); must divide H and W.
        1 means no pooling.
    pool : ``"max"`` or ``"avg"``.
    relu : apply ReLU to the feature map before pooling (as a CNN layer does).

    Returns
    -------
    dict with keys
        ``kernel`` (3x3 list), ``feature_map`` (H x W list: the convolution with padding 1),
        ``activated`` (after ReLU, or the feature map itself), ``pooled`` (H/size x W/size
        list), ``feature_min``, ``feature_max`` (floats), ``pooled_shape`` (pair of ints) and
        ``summary`` (one sentence with the numbers).

    Examples
    --------
    >>> s = kernel_explorer_state(np.eye(8), "identity", pool_size=4)
    >>> s["pooled"]
    [[1.0, 0.0], [0.0, 1.0]]
    """
    X = np.asarray(image, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"image: expected one grey image of shape (H, W), got shape {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("image: expected finite pixel values, got NaN or inf.")
    K = _as_kernel(kernel)
    if isinstance(pool_size, bool) or not isinstance(pool_size, numbers.Integral):
        raise ValueError(f"pool_size: expected a whole number, got {pool_size!r}.")
    if pool not in ("max", "avg"):
        raise ValueError(f"pool: expected 'max' or 'avg', got {pool!r}.")
    # Rounded to 10 decimals (+ 0.0 turns -0.0 into 0.0): the last bits of a sum depend on the
    # order of its additions, which differs between numpy's matrix product and the page's
    # JavaScript; without rounding, a value such as 9.575 could be shown as 9.57 here and 9.58
    # there. The rounding is far below the 2 decimals shown.
    feature = np.round(conv2d(X[None, None], K[None, None], padding=1)[0, 0], 10) + 0.0
    activated = np.maximum(feature, 0.0) if relu else feature
    pool_fn = max_pool2d if pool == "max" else avg_pool2d
    pooled = np.round(pool_fn(activated[None, None], int(pool_size))[0, 0], 10) + 0.0
    stage = "ReLU, then " if relu else ""
    name = "max" if pool == "max" else "average"
    summary = (f"Feature map {feature.shape[0]}×{feature.shape[1]}, values from "
               f"{feature.min():.2f} to {feature.max():.2f}; {stage}{pool_size}×{pool_size} "
               f"{name} pooling keeps {pooled.size} of {feature.size} numbers "
               f"({pooled.shape[0]}×{pooled.shape[1]}), largest {pooled.max():.2f}.")
    return dict(
        kernel=K.tolist(),
        feature_map=feature.tolist(),
        activated=activated.tolist(),
        pooled=pooled.tolist(),
        feature_min=float(feature.min()),
        feature_max=float(feature.max()),
        pooled_shape=(int(pooled.shape[0]), int(pooled.shape[1])),
        summary=summary,
    )


WEIGHT_NAMES = tuple(f"w{i}" for i in range(9))


class KernelExplorerView(LiveView):
    """The digit, kernel, feature map and pooled map, drawn in the browser by
    js/kernel_explorer.js (which mirrors :func:`kernel_explorer_state`). ``digit``, ``preset``,
    ``size`` and ``pooling`` follow the menus' and the pooling slider's positions (indices);
    ``w0`` .. ``w8`` follow the nine weight sliders, both ways: choosing a preset sets them.
    ``data`` holds the ten digits, the presets and the pooling sizes."""

    _esm = esm("kernel_explorer.js")
    digit = traitlets.Int(3).tag(sync=True)
    preset = traitlets.Int(0).tag(sync=True)
    size = traitlets.Int(1).tag(sync=True)
    pooling = traitlets.Int(0).tag(sync=True)
    w0 = traitlets.Float(1.0).tag(sync=True)
    w1 = traitlets.Float(0.0).tag(sync=True)
    w2 = traitlets.Float(-1.0).tag(sync=True)
    w3 = traitlets.Float(1.0).tag(sync=True)
    w4 = traitlets.Float(0.0).tag(sync=True)
    w5 = traitlets.Float(-1.0).tag(sync=True)
    w6 = traitlets.Float(1.0).tag(sync=True)
    w7 = traitlets.Float(0.0).tag(sync=True)
    w8 = traitlets.Float(-1.0).tag(sync=True)


def kernel_explorer_widget(digit: int = 3, preset: str = "vertical edges", pool_size: int = 2,
                           pool: str = "max") -> widgets.Widget:
    """A digit menu, a kernel (preset menu and nine sliders) and pooling controls.

    Shows the digit, its feature map for the kernel (blue negative, vermillion positive, with
    "+" and "-" marks), and the map after ReLU and pooling, with a sentence that states the
    numbers (``kernel_explorer_state``'s summary). Choosing a preset sets the nine sliders;
    moving a slider changes the kernel. The pictures are a :class:`KernelExplorerView`, drawn
    in the browser, so they follow the controls in JupyterLab and on the website alike.
    Returns an ``ipywidgets.VBox``: display it as the last expression of a cell.
    """
    digits, _ = explorer_digits()
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ValueError(f"digit: expected a whole number 0..9, got {digit!r}.")
    if pool_size not in POOL_SIZES:
        raise ValueError(f"pool_size: expected one of {POOL_SIZES}, got {pool_size!r}.")
    kernel_explorer_state(digits[digit], preset, pool_size, pool)  # validates the rest
    names = list(KERNEL_PRESETS)
    layout = widgets.Layout(width="20em", max_width="100%")
    digit_menu = widgets.Dropdown(options=[(str(d), d) for d in range(10)], value=int(digit),
                                  description="digit", layout=layout)
    preset_menu = widgets.Dropdown(options=names, value=preset, description="kernel",
                                   layout=layout)
    start = np.array(KERNEL_PRESETS[preset], dtype=float).ravel()
    sliders = [widgets.FloatSlider(value=float(start[i]), min=-5.0, max=5.0, step=0.1,
                                   description=f"w[{i // 3},{i % 3}]",
                                   layout=widgets.Layout(width="100%"),
                                   style={"description_width": "3.5em"})
               for i in range(9)]
    size_slider = widgets.SelectionSlider(options=[(str(n), n) for n in POOL_SIZES],
                                          value=pool_size, description="pool size",
                                          layout=layout)
    kind_menu = widgets.Dropdown(options=[("max", "max"), ("average", "avg")], value=pool,
                                 description="pooling", layout=layout)
    view = KernelExplorerView(
        digit=int(digit), preset=names.index(preset), size=POOL_SIZES.index(pool_size),
        pooling=0 if pool == "max" else 1,
        data=dict(digits=digits.tolist(), preset_names=names,
                  presets={name: [list(row) for row in KERNEL_PRESETS[name]] for name in names},
                  pool_sizes=list(POOL_SIZES)))
    # menus and the selection slider hold their position as "index" in the browser
    links = [widgets.jsdlink((control, "index"), (view, trait))
             for control, trait in ((digit_menu, "digit"), (preset_menu, "preset"),
                                    (size_slider, "size"), (kind_menu, "pooling"))]
    links += link_controls(view, dict(zip(WEIGHT_NAMES, sliders, strict=True)),
                           both_ways=WEIGHT_NAMES)
    # three columns, like the kernel's rows, where the page is wide enough; fewer on a phone
    grid = widgets.GridBox(sliders, layout=widgets.Layout(
        grid_template_columns="repeat(auto-fill, minmax(13em, 1fr))", width="42em",
        max_width="100%"))
    box = widgets.VBox([
        widgets.HBox([digit_menu, preset_menu], layout=widgets.Layout(flex_flow="row wrap")),
        grid,
        widgets.HBox([size_slider, kind_menu], layout=widgets.Layout(flex_flow="row wrap")),
        view,
    ])
    box._links = links  # keeps the links alive as long as the widget
    return box
