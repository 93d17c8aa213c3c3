"""Layers: the building blocks of a network, each with its forward and backward pass.

Every layer has the same small interface:

- ``forward(X)`` computes the output for a batch ``X`` and caches what the backward pass needs;
- ``backward(dY)`` takes the gradient of the loss with respect to the output (``dY``, same shape
  as the output), stores the gradients of the layer's parameters, and returns the gradient with
  respect to the input (``dX``, same shape as ``X``). It never changes ``dY`` in place;
- ``parameters()`` returns the layer's :class:`Parameter` objects (an empty list when it has none);
- ``training`` is ``True`` while training; only :class:`Dropout` behaves differently in evaluation.

Shapes: a batch ``X`` has one example per row, shape ``(batch, features)``.

Example, the worked layer of chapter 2 (weight rows [2, 1, 1, -1] and [1, 1, 1, 1])::

    >>> layer = Dense(4, 2)
    >>> layer.W = np.array([[2.0, 1, 1, -1], [1, 1, 1, 1]]).T    # shape (n_in, n_out) = (4, 2)
    >>> layer.b = np.array([-9.0, -7.0])
    >>> layer.forward(np.array([[2, 5, 7, 3]]))
    array([[ 4., 10.]])

Gradients are overwritten by every ``backward`` call, never accumulated, so there is nothing to
reset between training steps.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from nnlib import activations
from nnlib._utils import as_float_array, as_rng, check_2d

__all__ = [
    "Parameter",
    "Layer",
    "Dense",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "GELU",
    "SiLU",
    "Identity",
    "Softmax",
    "Dropout",
    "activation_layer",
    "INITS",
]

INITS = ("he", "xavier", "normal", "zeros")


@dataclass(eq=False)
class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    ``value`` is the live array the layer computes with: optimisers update it in place.
    ``grad`` has the same shape; the layer's ``backward`` sets it. Two parameters are the same
    only if they are the same object (``eq=False``), so a parameter can be a dictionary key,
    which is how optimisers keep their per-parameter state.
    """

    name: str
    value: np.ndarray
    grad: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size


class Layer:
    """Base class of all layers: a forward pass, a backward pass and (maybe) parameters."""

    training: bool = True

    def forward(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dY: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters; none by default."""
        return []

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _cached(self, value: np.ndarray | None) -> np.ndarray:
        """Return a forward-pass cache, or explain that ``forward`` must come first."""
        if value is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward. "
                "Hint: run forward(X) on the batch first; backward uses what it cached."
            )
        return value


def _check_grad_shape(dY: np.ndarray, expected: tuple[int, ...], who: str) -> None:
    if dY.shape != expected:
        raise ValueError(
            f"{who}.backward expected dY with the shape of the forward output {expected}, "
            f"got shape {dY.shape}"
        )


# ----------------------------------------------------------------------------- Dense


def _initial_weights(init: str, n_in: int, n_out: int, rng: np.random.Generator,
                     dtype: np.dtype) -> np.ndarray:
    """Return initial weights of shape (n_in, n_out).

    he      normal, std sqrt(2 / n_in): keeps the signal's size through ReLU layers
    xavier  normal, std sqrt(2 / (n_in + n_out)) (Glorot): for tanh and sigmoid layers
    normal  normal, std 0.01: "small random numbers", the naive choice (signals shrink with depth)
    zeros   all zero: every unit in the layer then stays identical (a classic mistake to show)
    """
    if init == "zeros":
        return np.zeros((n_in, n_out), dtype=dtype)
    std = {"he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(2.0 / (n_in + n_out)), "normal": 0.01}
    return (rng.standard_normal((n_in, n_out)) * std[init]).astype(dtype, copy=False)


class Dense(Layer):
    """A fully connected layer: ``Y = X @ W + b``.

    Parameters
    ----------
    n_in, n_out : number of inputs and of outputs (units).
    init : how to draw the initial weights: ``"he"`` (default), ``"xavier"``, ``"normal"`` or
        ``"zeros"`` (see ``_initial_weights``). Biases start at zero.
    rng : None, an int seed or a ``np.random.Generator``, for the initial weights.
    dtype : ``np.float64`` (default) or ``np.float32``; inputs are converted to it.

    Shapes: ``W`` (n_in, n_out), ``b`` (n_out,), ``X`` (batch, n_in), output (batch, n_out).
    A single example must be passed as a batch of one row: ``x.reshape(1, -1)``.
    After ``backward``, ``dW`` and ``db`` hold the gradients (same shapes as ``W`` and ``b``).
    """

    def __init__(self, n_in: int, n_out: int, init: str = "he",
                 rng: None | int | np.random.Generator = None,
                 dtype: type | np.dtype = np.float64) -> None:
        for name, value in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Dense expected {name} to be a positive int, got {value!r}")
        if init not in INITS:
            raise ValueError(f"Dense expected init to be one of {INITS}, got {init!r}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"Dense expected dtype float32 or float64, got {dtype}")
        self.n_in, self.n_out, self.init, self.dtype = int(n_in), int(n_out), init, dtype
        W = _initial_weights(init, self.n_in, self.n_out, as_rng(rng), dtype)
        self.weight = Parameter("W", W, np.zeros_like(W))
        self.bias = Parameter("b", np.zeros(self.n_out, dtype=dtype),
                              np.zeros(self.n_out, dtype=dtype))
        self._X: np.ndarray | None = None

    # W and b are the arrays inside the Parameter objects, so that an optimiser updating the
    # parameters and a reader setting ``layer.W = ...`` both change the same thing.
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_in, n_out): column j holds the weights of unit j."""
        return self.weight.value

    @W.setter
    def W(self, value: np.ndarray) -> None:
        self.weight.value = self._checked(value, (self.n_in, self.n_out), "W")

    @property
    def b(self) -> np.ndarray:
        """Biases, shape (n_out,)."""
        return self.bias.value

    @b.setter
    def b(self, value: np.ndarray) -> None:
        self.bias.value = self._checked(value, (self.n_out,), "b")

    @property
    def dW(self) -> np.ndarray:
        """Gradient of the loss with respect to W from the last backward, shape (n_in, n_out)."""
        return self.weight.grad

    @property
    def db(self) -> np.ndarray:
        """Gradient of the loss with respect to b from the last backward, shape (n_out,)."""
        return self.bias.grad

    def _checked(self, value: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
        arr = np.array(as_float_array(value, name, "Dense"), dtype=self.dtype)  # own copy
        if arr.shape != shape:
            hint = " Hint: W has one row per input and one column per unit." if name == "W" else ""
            raise ValueError(f"Dense expected {name} with shape {shape}, got shape {arr.shape}."
                             + hint)
        return arr

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return ``X @ W + b``, shape (batch, n_out), for X of shape (batch, n_in)."""
        X = np.asarray(as_float_array(X, "X", "Dense"), dtype=self.dtype)
        check_2d(X, self.n_in, "X", "Dense")
        self._X = X
        return X @ self.W + self.b

    def backward(self, dY: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Store ``dW = X.T @ dY`` and ``db = dY.sum(axis=0)``; return ``dX = dY @ W.T``.

        dY has shape (batch, n_out); dX has shape (batch, n_in). With ``input_grad=False`` the
        input gradient is not computed and None is returned: for the first layer of a network
        dX is the gradient with respect to the data, which training never uses, and it costs
        as much as the forward pass.
        """
        X = self._cached(self._X)
        dY = np.asarray(dY, dtype=self.dtype)
        _check_grad_shape(dY, (X.shape[0], self.n_out), "Dense")
        self.weight.grad = X.T @ dY
        self.bias.grad = dY.sum(axis=0)
        return dY @ self.W.T if input_grad else None

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


# ----------------------------------------------------------------------------- activations


class _Elementwise(Layer):
    """An activation applied to every entry: ``Y = f(X)``, and ``dX = dY * f'(X)``.

    Subclasses set ``f`` and ``f_grad`` (functions of ``nnlib.activations``). The output has the
    shape and float dtype of the input; integer inputs become float64.
    """

    def __init__(self) -> None:
        self._X: np.ndarray | None = None

    def f(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def f_grad(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = as_float_array(X, "X", type(self).__name__)
        self._X = X
        return self.f(X)

    def backward(self, dY: np.ndarray) -> np.ndarray:
        X = self._cached(self._X)
        dY = np.asarray(dY)
        _check_grad_shape(dY, X.shape, type(self).__name__)
        return dY * self.f_grad(X)


class ReLU(_Elementwise):
    """``max(0, x)``; derivative 1 where x > 0, else 0 (written out: the most used layer)."""

    def f(self, X):
        return np.maximum(X, 0)

    def f_grad(self, X):
        return X > 0  # True/False act as 1/0 in dY * f_grad(X)


class LeakyReLU(_Elementwise):
    """``x`` where x > 0, else ``alpha * x``; derivative 1 or alpha."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha < 0:
            raise ValueError(f"LeakyReLU expected alpha to be a number >= 0, got {alpha!r}")
        self.alpha = float(alpha)

    def f(self, X):
        return activations.leaky_relu(X, self.alpha)

    def f_grad(self, X):
        return activations.leaky_relu_grad(X, self.alpha)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))``, values in (0, 1); derivative s * (1 - s)."""

    def f(self, X):
        return activations.sigmoid(X)

    def f_grad(self, X):
        return activations.sigmoid_grad(X)


class Tanh(_Elementwise):
    """``tanh(x)``, values in (-1, 1); derivative 1 - tanh(x)**2."""

    def f(self, X):
        return activations.tanh(X)

    def f_grad(self, X):
        return activations.tanh_grad(X)


class GELU(_Elementwise):
    """``x * Phi(x)`` (exact, with erf) or its tanh approximation (``approximate=True``)."""

    def __init__(self, approximate: bool = False) -> None:
        super().__init__()
        self.approximate = bool(approximate)

    def f(self, X):
        return activations.gelu(X, approximate=self.approximate)

    def f_grad(self, X):
        return activations.gelu_grad(X, approximate=self.approximate)

    def __repr__(self) -> str:
        return f"GELU(approximate={self.approximate})"


class SiLU(_Elementwise):
    """``x * sigmoid(x)`` (also called Swish)."""

    def f(self, X):
        return activations.silu(X)

    def f_grad(self, X):
        return activations.silu_grad(X)


class Identity(Layer):
    """Passes its input through unchanged: ``Y = X`` and ``dX = dY``."""

    def forward(self, X: np.ndarray) -> np.ndarray:
        return as_float_array(X, "X", "Identity")

    def backward(self, dY: np.ndarray) -> np.ndarray:
        return np.asarray(dY)


class Softmax(Layer):
    """Softmax along ``axis`` (default: the last, one row of scores per example).

    Unlike the elementwise activations every output depends on every input of its row, so the
    backward pass is a vector-Jacobian product: ``dX = s * (dY - sum(dY * s))`` per row.
    For classification prefer a ``Dense`` output (logits) with ``CrossEntropy``, which fuses
    softmax and loss into one stable step; this layer is for when probabilities are wanted.
    """

    def __init__(self, axis: int = -1) -> None:
        self.axis = int(axis)
        self._S: np.ndarray | None = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        S = activations.softmax(as_float_array(X, "X", "Softmax"), axis=self.axis)
        self._S = S
        return S

    def backward(self, dY: np.ndarray) -> np.ndarray:
        S = self._cached(self._S)
        dY = np.asarray(dY)
        _check_grad_shape(dY, S.shape, "Softmax")
        return activations.softmax_backward(S, dY, axis=self.axis)

    def __repr__(self) -> str:
        return f"Softmax(axis={self.axis})"


# ----------------------------------------------------------------------------- dropout


class Dropout(Layer):
    """Inverted dropout: while training, zero each entry with probability ``p``.

    The kept entries are divided by ``1 - p`` so that the expected output equals the input; in
    evaluation mode (``training = False``) the layer passes its input through unchanged.
    ``rng`` (None, int seed or Generator) draws the masks, so training is reproducible.
    """

    def __init__(self, p: float = 0.5, rng: None | int | np.random.Generator = None) -> None:
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ValueError(
                f"Dropout expected a drop probability p with 0 <= p < 1, got {p!r}")
        self.p = float(p)
        self.rng = as_rng(rng)
        self._mask: np.ndarray | None = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = as_float_array(X, "X", "Dropout")
        if not self.training or self.p == 0:
            self._mask = None
            return X
        keep = self.rng.random(X.shape) >= self.p
        self._mask = keep.astype(X.dtype) / X.dtype.type(1 - self.p)
        return X * self._mask

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dY = np.asarray(dY)
        if self._mask is None:  # evaluation mode or p == 0: the layer was the identity
            return dY
        _check_grad_shape(dY, self._mask.shape, "Dropout")
        return dY * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


# ----------------------------------------------------------------------------- factory

_ACTIVATION_LAYERS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "gelu": GELU,
    "silu": SiLU,
    "softmax": Softmax,
    "identity": Identity,
}


def activation_layer(name: str, **kwargs) -> Layer:
    """Return a new activation layer from its name, e.g. ``activation_layer("relu")``.

    Names: relu, leaky_relu, sigmoid, tanh, gelu, silu, softmax, identity. Keyword arguments go
    to the layer (``activation_layer("leaky_relu", alpha=0.1)``).
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in _ACTIVATION_LAYERS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(_ACTIVATION_LAYERS)}")
    return _ACTIVATION_LAYERS[key](**kwargs)
