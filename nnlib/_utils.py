"""Small helpers shared by the nnlib modules (private: not part of the public API).

They turn inputs into float arrays, random seeds into generators, and check shapes and values,
raising errors whose messages say what was expected and what was given, for example::

    Dense expected X with 3 columns, got shape (5, 4)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_rng(rng: None | int | np.random.Generator = None) -> np.random.Generator:
    """Return a numpy ``Generator`` from ``None`` (fresh, unseeded), an int seed or a Generator.

    A Generator is returned as it is (not copied), so the caller's random stream advances.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be None, an int seed or a np.random.Generator, "
        f"got {type(rng).__name__}. Hint: use np.random.default_rng(seed)."
    )


def as_float_array(x: Any, name: str = "x", who: str = "nnlib") -> np.ndarray:
    """Return ``x`` as a floating-point array (no copy if it already is one).

    float32 and float64 arrays keep their dtype; Python numbers, lists, int and bool arrays
    become float64. Anything that is not numbers raises ``TypeError``.
    """
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iub":
        return arr.astype(np.float64)
    raise TypeError(
        f"{who} expected {name} to contain real numbers, got {type(x).__name__} "
        f"with dtype {arr.dtype}: {x!r:.60}"
    )


def check_finite(x: np.ndarray, name: str = "x", who: str = "nnlib") -> None:
    """Raise ``ValueError`` if ``x`` holds NaN or infinite values, saying how many and where."""
    finite = np.isfinite(x)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0]) if x.ndim else ()
        raise ValueError(
            f"{who} expected finite values in {name}, got {len(bad)} NaN/inf value(s), "
            f"the first at index {first} (value {x[first]!r}). "
            "Hint: check the data and the learning rate (a too large one makes values blow up)."
        )


def check_2d(X: np.ndarray, n_cols: int | None = None, name: str = "X",
             who: str = "nnlib") -> None:
    """Raise ``ValueError`` unless ``X`` has shape (n, n_cols) (any n_cols if it is None).

    Example message: ``Dense expected X with 3 columns, got shape (5, 4)``.
    """
    if X.ndim != 2:
        cols = "n_features" if n_cols is None else n_cols
        raise ValueError(
            f"{who} expected {name} with 2 dimensions (batch, {cols}), got shape {X.shape}. "
            "Hint: a single example x of shape (d,) becomes a batch with x.reshape(1, -1)."
        )
    if n_cols is not None and X.shape[1] != n_cols:
        raise ValueError(f"{who} expected {name} with {n_cols} columns, got shape {X.shape}")


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str,
                     who: str = "nnlib") -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{who} expected {name_a} and {name_b} with the same shape, "
            f"got {name_a} {a.shape} and {name_b} {b.shape}"
        )


def check_positive(value: Any, name: str = "lr", who: str = "nnlib") -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"{who} expected {name} to be a positive number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{who} expected {name} > 0, got {value!r}")
    return value


# ----------------------------------------------------------------------------- argument checks
# One line at the call site, so that constructors, forward and backward read as their formulas.


def positive_int(value: Any, name: str, who: str) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` unless it is a whole number >= 1.

    Example message: ``Dense expected n_in to be a positive int, got 0``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{who} expected {name} to be a positive int, got {value!r}")
    return int(value)


def int_at_least(value: Any, name: str, who: str, minimum: int) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` unless it is a whole number >= minimum.

    Example message: ``Conv2D expected padding to be an int >= 0, got -1``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{who} expected {name} to be an int >= {minimum}, got {value!r}")
    return int(value)


def number_at_least(value: Any, name: str, who: str, minimum: float = 0.0) -> float:
    """Return ``value`` as a float, or raise ``ValueError`` unless it is a real number >= minimum.

    Example message: ``LeakyReLU expected alpha to be a number >= 0, got -0.1``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < minimum:
        raise ValueError(f"{who} expected {name} to be a number >= {minimum:g}, got {value!r}")
    return float(value)


def probability_below_one(p: Any, who: str) -> float:
    """Return ``p`` as a float, or raise ``ValueError`` unless 0 <= p < 1 (a drop probability)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
        raise ValueError(f"{who} expected a drop probability p with 0 <= p < 1, got {p!r}")
    return float(p)


def one_of(value: Any, choices: tuple, name: str, who: str) -> Any:
    """Return ``value``, or raise ``ValueError`` unless it is one of ``choices``.

    Example message: ``Dense expected init to be one of ('he', ...), got 'kaiming'``.
    """
    if value not in choices:
        raise ValueError(f"{who} expected {name} to be one of {choices}, got {value!r}")
    return value


def float_dtype(dtype: Any, who: str) -> np.dtype:
    """Return ``np.dtype(dtype)``, or raise ``ValueError`` unless it is float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{who} expected dtype float32 or float64, got {dtype}")
    return dtype


def array_of_shape(value: Any, shape: tuple[int, ...], dtype: np.dtype, name: str, who: str,
                   hint: str = "") -> np.ndarray:
    """Return a copy of ``value`` as an array of ``dtype``, or raise unless it has ``shape``.

    Used when a reader sets a layer's parameter (``layer.W = ...``). Example message:
    ``Dense expected W with shape (4, 2), got shape (2, 4). Hint: W has one row per input ...``.
    """
    arr = np.array(as_float_array(value, name, who), dtype=dtype)  # our own copy
    if arr.shape != shape:
        raise ValueError(f"{who} expected {name} with shape {shape}, got shape {arr.shape}"
                         + (f". Hint: {hint}" if hint else ""))
    return arr


def check_grad_shape(dY: np.ndarray, expected: tuple[int, ...], who: str) -> None:
    """Raise ``ValueError`` unless the gradient ``dY`` has the shape of the forward output."""
    if dY.shape != expected:
        raise ValueError(
            f"{who}.backward expected dY with the shape of the forward output {expected}, "
            f"got shape {dY.shape}"
        )


def check_images(X: object, who: str, channels: int | None = None) -> np.ndarray:
    """Return X as a float array of shape (N, C, H, W), or raise a ValueError that says why."""
    X = as_float_array(X, "X", who)
    if X.ndim != 4:
        hint = (" Hint: a batch of flat 8x8 images of shape (n, 64) becomes "
                "X.reshape(-1, 1, 8, 8); one image of shape (H, W) becomes "
                "image[None, None]." if X.ndim in (2, 3) else "")
        raise ValueError(f"{who} expected X with 4 dimensions (batch, channels, height, width), "
                         f"got shape {X.shape}.{hint}")
    if channels is not None and X.shape[1] != channels:
        raise ValueError(f"{who} expected X with {channels} channel(s) on axis 1 of "
                         f"(batch, channels, height, width), got shape {X.shape}")
    return X



def check_square_kernels(W: np.ndarray, who: str) -> None:
    """Raise ``ValueError`` unless ``W`` has shape (out_channels, in_channels, k, k)."""
    if W.ndim != 4 or W.shape[2] != W.shape[3]:
        raise ValueError(f"{who} expected square kernels W of shape (out_channels, in_channels, "
                         f"k, k), got shape {W.shape}. Hint: one 3x3 kernel K for grey images "
                         f"is K.reshape(1, 1, 3, 3).")


def check_batch(X: np.ndarray, who: str) -> None:
    """Raise ``ValueError`` unless ``X`` is a batch, shape (N, ...) with at least 2 dimensions."""
    if X.ndim < 2:
        raise ValueError(f"{who} expected a batch X of shape (N, ...), got shape {X.shape}")


def check_layer_sizes(sizes: Any, who: str) -> list[int]:
    """Return ``sizes`` as a list of ints, or raise unless it holds at least two positive ints."""
    listed = list(sizes) if isinstance(sizes, (list, tuple, np.ndarray)) else None
    if listed is None or len(listed) < 2:
        raise ValueError(f"{who} expected a list of at least two layer sizes (inputs, ..., "
                         f"outputs), got {sizes!r}")
    for size in listed:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"{who} expected every layer size to be a positive int, "
                             f"got {size!r} in {sizes!r}")
    return [int(s) for s in listed]


def check_layers(layers: Any, layer_class: type, who: str) -> list:
    """Return ``layers`` as a list, or raise unless it is a non-empty list of layer objects."""
    if not isinstance(layers, (list, tuple)) or len(layers) == 0:
        raise ValueError(f"{who} expected a non-empty list of layers, got {layers!r}")
    for i, layer in enumerate(layers):
        if isinstance(layer, type):
            raise TypeError(f"{who} expected layer objects, got the class {layer.__name__} at "
                            f"position {i}. Hint: write {layer.__name__}() with parentheses.")
        if not isinstance(layer, layer_class):
            raise TypeError(f"{who} expected layers with forward, backward and parameters "
                            f"methods (subclasses of nnlib.layers.Layer), got "
                            f"{type(layer).__name__} at position {i}")
    return list(layers)


def check_targets(y: Any, n: int, who: str) -> np.ndarray:
    """Return ``y`` as an array, or raise unless it holds ``n`` numeric targets (one per row)."""
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != n:
        raise ValueError(f"{who} expected y with one target per row of X ({n}), "
                         f"got y of shape {y.shape}")
    if y.dtype.kind not in "iubf":
        raise TypeError(f"{who} expected numeric targets y, got dtype {y.dtype}")
    return y


def check_optimizer(optimizer: Any, who: str) -> None:
    """Raise ``TypeError`` unless ``optimizer`` has a ``step`` method."""
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"{who} expected an optimizer with a step method (e.g. "
                        f"nnlib.optim.SGD(lr=0.1)), got {optimizer!r}")


def check_pair(value: Any, who: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a pair ``(X_val, y_val)``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{who} expected validation_data=(X_val, y_val), got "
                         f"{type(value).__name__}")


def neuron_inputs(x: Any, w: Any, b: Any, who: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return x, w, b as finite float arrays: x (d,) or (n, d), w (d,), b a number; or raise."""
    x, w, b = as_float_array(x, "x", who), as_float_array(w, "w", who), as_float_array(b, "b", who)
    if w.ndim != 1:
        raise ValueError(f"{who} expected w with shape (d,), got shape {w.shape}")
    if b.ndim != 0:
        raise ValueError(f"{who} expected b to be a single number, got shape {b.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"{who} expected x with shape ({w.shape[0]},) or (n, {w.shape[0]}) to match "
            f"w of shape {w.shape}, got shape {x.shape}"
        )
    for name, value in (("x", x), ("w", w), ("b", b)):
        check_finite(value, name, who)
    return x, w, b


def count_of_at_least_one(value: Any, name: str, who: str) -> int:
    """Return ``value`` as an int; ``TypeError`` if it is not an int, ``ValueError`` if < 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who} expected {name} to be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{who} expected {name} >= 1, got {value}")
    return int(value)


def binary_labels(y: Any, n: int, who: str) -> np.ndarray:
    """Return ``y`` as a float array of n labels 0 or 1, or raise saying what is wrong."""
    y = as_float_array(y, "y", who)
    if y.shape != (n,):
        raise ValueError(f"{who} expected y with shape ({n},) (one label per row of X), "
                         f"got shape {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{who} expected labels 0 or 1, got values {np.unique(y)}. "
                         "Hint: for labels -1/1 use (y + 1) // 2.")
    return y
