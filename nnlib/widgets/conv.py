"""Chapter 6 widget: the kernel explorer. Pick a digit and a 3x3 kernel, watch the feature map,
then squint at it with a pooling-size slider.

``kernel_explorer_state`` is the update logic (plain Python, no widgets): it convolves one image
with one kernel using ``nnlib.conv`` (padding 1, so an 8x8 digit gives an 8x8 feature map),
optionally applies ReLU, and pools the result. ``kernel_explorer_widget`` wires a digit picker,
a preset menu, nine weight sliders, a pooling-size slider and a max/average switch to it.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from nnlib.conv import avg_pool2d, conv2d, max_pool2d

__all__ = [
    "KERNEL_PRESETS",
    "POOL_SIZES",
    "explorer_digits",
    "kernel_explorer_state",
    "kernel_explorer_widget",
]

KERNEL_PRESETS: dict[str, tuple[tuple[float, ...], ...]] = {
    "vertical edges": ((1.0, 0.0, -1.0), (1.0, 0.0, -1.0), (1.0, 0.0, -1.0)),
    "horizontal edges": ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), (-1.0, -1.0, -1.0)),
    "blur": ((1 / 9,) * 3,) * 3,
    "sharpen": ((0.0, -1.0, 0.0), (-1.0, 5.0, -1.0), (0.0, -1.0, 0.0)),
    "identity": ((0.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 0.0)),
}
"""Hand-set 3x3 kernels. Vertical edges (Prewitt): bright left of dark gives a positive
response. Horizontal edges: bright above dark. Blur: the mean of the 3x3 neighbourhood.
Sharpen: the pixel minus its four neighbours, plus itself four times over. Identity: the
image unchanged."""

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
    feature = conv2d(X[None, None], K[None, None], padding=1)[0, 0]
    activated = np.maximum(feature, 0.0) if relu else feature
    pool_fn = max_pool2d if pool == "max" else avg_pool2d
    pooled = pool_fn(activated[None, None], int(pool_size))[0, 0]
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


def kernel_explorer_widget(digit: int = 3, preset: str = "vertical edges", pool_size: int = 2,
                           pool: str = "max"):
    """A digit picker, a kernel (preset menu and nine sliders) and pooling controls.

    Shows the digit, its feature map for the kernel (blue negative, red positive), and the map
    after ReLU and pooling. Choosing a preset sets the nine sliders; moving a slider changes
    the kernel. Returns an ``ipywidgets.VBox``: display it as the last expression of a cell.
    """
    digits, _ = explorer_digits()
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ValueError(f"digit: expected a whole number 0..9, got {digit!r}.")
    if pool_size not in POOL_SIZES:
        raise ValueError(f"pool_size: expected one of {POOL_SIZES}, got {pool_size!r}.")
    kernel_explorer_state(digits[digit], preset, pool_size, pool)  # validates the rest

    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from nnlib.plots import DIVERGING_CMAP

    digit_menu = widgets.Dropdown(options=list(range(10)), value=int(digit), description="digit")
    preset_menu = widgets.Dropdown(options=list(KERNEL_PRESETS), value=preset,
                                   description="kernel")
    start = KERNEL_PRESETS[preset]
    sliders = [widgets.FloatSlider(value=float(start[r][c]), min=-5.0, max=5.0, step=0.1,
                                   description=f"w[{r},{c}]", continuous_update=False,
                                   layout=widgets.Layout(width="15em"),
                                   style={"description_width": "3.5em"})
               for r in range(3) for c in range(3)]
    size_slider = widgets.SelectionSlider(options=list(POOL_SIZES), value=pool_size,
                                          description="pool size", continuous_update=False)
    kind = widgets.ToggleButtons(options=[("max", "max"), ("average", "avg")], value=pool,
                                 description="pooling")

    def apply_preset(change: dict) -> None:
        values = np.array(KERNEL_PRESETS[change["new"]]).ravel()
        for slider, value in zip(sliders, values, strict=True):
            slider.value = round(float(value), 2)

    preset_menu.observe(apply_preset, names="value")

    def update(d: int, size: int, how: str, **weights: float) -> None:
        K = [weights[f"w{i}"] for i in range(9)]
        state = kernel_explorer_state(digits[d], K, size, how)
        fig, axes = plt.subplots(1, 4, figsize=(10, 2.8), layout="constrained")
        axes[0].imshow(digits[d], cmap="gray_r", vmin=0, vmax=1)
        axes[0].set_title(f"digit {d} (8×8)")
        limit = max(np.abs(state["kernel"]).max(), 1e-9)
        axes[1].imshow(state["kernel"], cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        for (r, c), value in np.ndenumerate(np.array(state["kernel"])):
            axes[1].text(c, r, f"{value:.2g}", ha="center", va="center", fontsize=9)
        axes[1].set_title("kernel (3×3)")
        limit = max(abs(state["feature_min"]), abs(state["feature_max"]), 1e-9)
        axes[2].imshow(state["feature_map"], cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        axes[2].set_title("feature map (8×8)")
        pooled = np.array(state["pooled"])
        axes[3].imshow(pooled, cmap="gray_r", vmin=0, vmax=max(pooled.max(), 1e-9))
        axes[3].set_title(f"ReLU + {size}×{size} {'max' if how == 'max' else 'avg'} pool")
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        print(state["summary"])
        plt.show()
        plt.close(fig)

    controls = {"d": digit_menu, "size": size_slider, "how": kind}
    controls.update({f"w{i}": slider for i, slider in enumerate(sliders)})
    out = widgets.interactive_output(update, controls)
    grid = widgets.GridBox(sliders, layout=widgets.Layout(
        grid_template_columns="repeat(3, 15em)", max_width="100%"))
    return widgets.VBox([widgets.HBox([digit_menu, preset_menu]), grid,
                         widgets.HBox([size_slider, kind]), out])
