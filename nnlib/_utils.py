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
