"""Activation functions and their derivatives, side by side.

Every function works elementwise on numpy arrays of any shape and on Python numbers, and the
output has the shape of the input. Each ``f`` has a partner ``f_grad`` that takes the *same*
input ``x`` and returns the derivative f'(x), so a layer's backward pass is

    dX = dY * f_grad(X)          # chain rule, elementwise

dtype follows the input: float32 stays float32, float64 stays float64, and ints, bools and
Python numbers become float64. A Python number in gives a numpy scalar out.

None of them overflows or warns for ``|x| <= 1e4``: the sigmoid never calls ``exp`` of a large
positive number, and softmax subtracts the maximum before exponentiating. The elementwise
functions pass NaN through (NaN in, NaN out, no check, so layers stay fast); softmax and
log_softmax raise ValueError on NaN or infinite logits, where a whole row would become NaN.

Where a derivative is not defined (step, ReLU and leaky ReLU at exactly 0) we use the right
derivative's usual convention: ``relu_grad(0) == 0``, ``leaky_relu_grad(0) == alpha``,
``step_grad`` is 0 everywhere.

The exact GELU needs the error function erf. numpy has none (and nnlib does not depend on
scipy), so we apply Python's ``math.erf``, exact to double precision, elementwise with
``np.frompyfunc``. It is accurate but runs at Python speed (about 75 ns per element); the
tanh approximation (``approximate=True``) is pure numpy and fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlib._utils import as_float_array, check_finite, check_same_shape

__all__ = [
    "step", "step_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "gelu", "gelu_grad", "silu", "silu_grad",
    "identity", "identity_grad", "softmax", "log_softmax", "softmax_backward",
    "get_activation", "ACTIVATIONS",
]

ArrayLike = Any  # np.ndarray, a nested list or a Python number


def _scalar_if_0d(a: np.ndarray) -> np.ndarray:
    """Return a numpy scalar for a 0-d array (input was a number), else the array itself."""
    return a[()] if a.ndim == 0 else a


# --- step: 1 from zero on, 0 left of zero --------------------------------------------------------

def step(x: ArrayLike) -> np.ndarray:
    """Heaviside step: 1 where x >= 0, else 0 (the perceptron's activation). Shape of x."""
    x = as_float_array(x, "x", "step")
    return _scalar_if_0d(np.heaviside(x, x.dtype.type(1)))  # second argument: the value at 0


def step_grad(x: ArrayLike) -> np.ndarray:
    """Derivative of step: 0 everywhere (undefined at 0; we return 0). Shape of x.

    This is why a perceptron cannot be trained by gradient descent.
    """
    x = as_float_array(x, "x", "step_grad")
    return _scalar_if_0d(np.zeros_like(x))


# --- ReLU: max(0, x) -----------------------------------------------------------------------------

def relu(x: ArrayLike) -> np.ndarray:
    """ReLU(x) = max(0, x). Shape of x."""
    x = as_float_array(x, "x", "relu")
    return _scalar_if_0d(np.maximum(x, 0).astype(x.dtype, copy=False))


def relu_grad(x: ArrayLike) -> np.ndarray:
    """ReLU'(x) = 1 where x > 0, else 0 (0 at x == 0 by convention). Shape of x."""
    x = as_float_array(x, "x", "relu_grad")
    return _scalar_if_0d((x > 0).astype(x.dtype))


# --- leaky ReLU: x for x > 0, alpha * x otherwise ------------------------------------------------

def leaky_relu(x: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU(x) = x where x > 0, else alpha * x. Shape of x."""
    x = as_float_array(x, "x", "leaky_relu")
    return _scalar_if_0d(np.where(x > 0, x, x * x.dtype.type(alpha)))


def leaky_relu_grad(x: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU'(x) = 1 where x > 0, else alpha. Shape of x."""
    x = as_float_array(x, "x", "leaky_relu_grad")
    return _scalar_if_0d(np.where(x > 0, x.dtype.type(1), x.dtype.type(alpha)))


# --- sigmoid: 1 / (1 + e^-x) ---------------------------------------------------------------------

def sigmoid(x: ArrayLike) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + exp(-x)), in (0, 1). Shape of x.

    Computed from ``e = exp(-|x|)``, which is never larger than 1, so nothing overflows:
    for x >= 0 it is 1 / (1 + e), for x < 0 it is e / (1 + e) (the same function).
    """
    x = as_float_array(x, "x", "sigmoid")
    e = np.exp(-np.abs(x))
    r = 1 / (1 + e)
    return _scalar_if_0d(np.where(x >= 0, r, e * r))


def sigmoid_grad(x: ArrayLike) -> np.ndarray:
    """sigmoid'(x) = s * (1 - s) with s = sigmoid(x); at most 0.25 (at x = 0). Shape of x."""
    s = sigmoid(x)
    return s * (1 - s)


# --- tanh ----------------------------------------------------------------------------------------

def tanh(x: ArrayLike) -> np.ndarray:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), in (-1, 1); tanh(x) = 2 * sigmoid(2x) - 1."""
    x = as_float_array(x, "x", "tanh")
    return _scalar_if_0d(np.tanh(x))


def tanh_grad(x: ArrayLike) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)**2; 1 at x = 0. Shape of x."""
    t = tanh(x)
    return 1 - t * t


# --- GELU: x * Phi(x), Phi the standard normal CDF -----------------------------------------------

_erf = np.frompyfunc(math.erf, 1, 1)  # math.erf applied to each element (returns object dtype)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_C = 0.044715


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt(2))) / 2, exact, with the dtype of x."""
    erf = np.asarray(_erf(x / math.sqrt(2)), dtype=x.dtype)  # object -> float
    return 0.5 * (1 + erf)


def _normal_pdf(x: np.ndarray) -> np.ndarray:
    """phi(x) = exp(-x**2 / 2) / sqrt(2 pi)."""
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def gelu(x: ArrayLike, approximate: bool = False) -> np.ndarray:
    """GELU(x) = x * Phi(x), where Phi is the standard normal CDF. Shape of x.

    ``approximate=False`` gives the exact form, ``approximate=True`` the tanh approximation
    used by GPT-2 and BERT, within about 1e-3 of the exact form::

        exact:   Phi(x) = (1 + erf(x / sqrt(2))) / 2
        approx:  GELU(x) ~ x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
    """
    x = as_float_array(x, "x", "gelu")
    if approximate:
        u = _SQRT_2_OVER_PI * (x + _GELU_C * x * x * x)
        return _scalar_if_0d(0.5 * x * (1 + np.tanh(u)))
    return _scalar_if_0d(x * _normal_cdf(x))


def gelu_grad(x: ArrayLike, approximate: bool = False) -> np.ndarray:
    """Derivative of gelu(x, approximate) at x. Shape of x.

    With phi the standard normal density, u = sqrt(2/pi) (x + 0.044715 x^3) and t = tanh(u)::

        exact:   GELU'(x) = Phi(x) + x * phi(x)
        approx:  GELU'(x) = (1 + t) / 2 + x/2 * (1 - t^2) * sqrt(2/pi) * (1 + 3 * 0.044715 x^2)
    """
    x = as_float_array(x, "x", "gelu_grad")
    if approximate:
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x))
        du_dx = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
        return _scalar_if_0d(0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du_dx)
    return _scalar_if_0d(_normal_cdf(x) + x * _normal_pdf(x))


# --- SiLU (swish): x * sigmoid(x) ----------------------------------------------------------------

def silu(x: ArrayLike) -> np.ndarray:
    """SiLU(x) = x * sigmoid(x) (also called swish). Shape of x."""
    x = as_float_array(x, "x", "silu")
    return x * sigmoid(x)


def silu_grad(x: ArrayLike) -> np.ndarray:
    """SiLU'(x) = s + x * s * (1 - s) with s = sigmoid(x). Shape of x."""
    x = as_float_array(x, "x", "silu_grad")
    s = sigmoid(x)
    return s + x * s * (1 - s)


# --- identity (linear output) --------------------------------------------------------------------

def identity(x: ArrayLike) -> np.ndarray:
    """identity(x) = x (a layer with no activation). Shape of x."""
    return _scalar_if_0d(as_float_array(x, "x", "identity"))


def identity_grad(x: ArrayLike) -> np.ndarray:
    """identity'(x) = 1. Shape of x."""
    return _scalar_if_0d(np.ones_like(as_float_array(x, "x", "identity_grad")))


# --- softmax: a probability distribution over the last axis --------------------------------------

def _check_temperature(temperature: float, who: str) -> float:
    t = float(temperature)
    if not t >= 0:  # also catches NaN
        raise ValueError(
            f"{who} expected temperature >= 0, got {temperature!r}. "
            "Hint: 0 picks the largest logit, 1 is the plain softmax, larger values flatten it."
        )
    return t


def softmax(z: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """softmax(z)_i = exp(z_i / T) / sum_j exp(z_j / T) along ``axis``. Shape of z.

    Numerically stable: we subtract max(z) first (the result does not change, because the
    common factor exp(-max / T) cancels), so the largest exponent is exp(0) = 1.

    temperature T > 1 flattens the distribution, T < 1 sharpens it, and T = 0 returns the
    one-hot vector of the argmax (the first one if several logits tie). T < 0 raises.
    Example: softmax([5, 8, 15]) = [0.0000454, 0.000911, 0.999044].
    """
    z = as_float_array(z, "z", "softmax")
    check_finite(z, "z", "softmax")
    t = _check_temperature(temperature, "softmax")
    if z.ndim == 0:
        raise ValueError("softmax expected an array with at least 1 dimension, got a number.")
    if t == 0:
        return _one_hot_argmax(z, axis)
    shifted = z - z.max(axis=axis, keepdims=True)
    if t != 1:
        with np.errstate(over="ignore"):  # a tiny T sends shifted / T to -inf: exp gives 0
            shifted = shifted / z.dtype.type(t)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """log(softmax(z, axis, temperature)), computed without taking log of a tiny number.

    log_softmax(z)_i = (z_i - m) / T - log(sum_j exp((z_j - m) / T)),  m = max(z).
    With T = 0 the result is 0 at the argmax and -inf elsewhere (the log of a one-hot).
    """
    z = as_float_array(z, "z", "log_softmax")
    check_finite(z, "z", "log_softmax")
    t = _check_temperature(temperature, "log_softmax")
    if z.ndim == 0:
        raise ValueError("log_softmax expected an array with at least 1 dimension, got a number.")
    if t == 0:
        return np.where(_one_hot_argmax(z, axis) == 1, z.dtype.type(0), z.dtype.type(-np.inf))
    shifted = z - z.max(axis=axis, keepdims=True)
    if t != 1:
        with np.errstate(over="ignore"):
            shifted = shifted / z.dtype.type(t)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _one_hot_argmax(z: np.ndarray, axis: int) -> np.ndarray:
    """1 at the (first) largest entry along ``axis``, 0 elsewhere. Shape of z."""
    idx = np.expand_dims(np.argmax(z, axis=axis), axis)
    out = np.zeros_like(z)
    np.put_along_axis(out, idx, 1, axis=axis)
    return out


def softmax_backward(s: ArrayLike, ds: ArrayLike, axis: int = -1) -> np.ndarray:
    """Gradient through softmax: dz = s * (ds - sum(ds * s)) along ``axis``. Shape of s.

    s is the softmax output (not its input) and ds the upstream gradient dL/ds. This is the
    vector-Jacobian product with the softmax Jacobian J_ij = s_i (delta_ij - s_j), computed
    without building the (k, k) matrix.
    """
    s = as_float_array(s, "s", "softmax_backward")
    ds = as_float_array(ds, "ds", "softmax_backward")
    check_same_shape(s, ds, "s", "ds", "softmax_backward")
    return s * (ds - (ds * s).sum(axis=axis, keepdims=True))


# --- look-up by name -----------------------------------------------------------------------------

_TABLE: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "step": (step, step_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "gelu": (gelu, gelu_grad),
    "silu": (silu, silu_grad),
    "identity": (identity, identity_grad),
}

ACTIVATIONS: tuple[str, ...] = tuple(_TABLE)


def get_activation(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Return the pair (f, f_grad) for an activation name, e.g. ``get_activation("relu")``.

    Known names: step, relu, leaky_relu, sigmoid, tanh, gelu, silu, identity
    (case-insensitive; "linear" is not accepted, use "identity").
    """
    if not isinstance(name, str):
        raise TypeError(f"get_activation expected a name (str), got {type(name).__name__}")
    key = name.strip().lower()
    if key not in _TABLE:
        raise ValueError(
            f"unknown activation {name!r}; known names: {', '.join(ACTIVATIONS)}"
        )
    return _TABLE[key]
