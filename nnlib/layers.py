"""Layers: the building blocks of a network, each with its forward and backward pass.

Every layer has the same small interface:

- ``forward(X)`` computes the output for a batch ``X`` and caches what the backward pass needs;
- ``backward(dY)`` takes the gradient of the loss with respect to the output (``dY``, same shape
  as the output), stores the gradients of the layer's parameters, and returns the gradient with
  respect to the input (``dX``, same shape as ``X``). It never changes ``dY`` in place. A layer
  whose ``needs_input_grad`` is ``False`` may skip ``dX`` and return ``None``: a network sets
  it on its first layer while training, where ``dX`` would be the gradient with respect to the
  data, which nothing uses; a layer whose input is not real numbers (token ids) returns ``None``
  always;
- ``parameters()`` returns the layer's :class:`Parameter` objects (an empty list when it has none);
- ``train()`` and ``eval()`` switch ``training`` on and off; only :class:`Dropout` behaves
  differently in evaluation.

Names, one convention for every layer (as in PyTorch, with the book's symbols):

==============  ====================================  ==============================
what            name                                  example (``Dense``)
==============  ====================================  ==============================
an array of     the symbol of the book's formula      ``layer.W``, ``layer.b``
the formula
its gradient    ``d`` + the symbol                    ``layer.dW``, ``layer.db``
the parameter   a :class:`Parameter` whose ``.name``  ``Parameter("W", value, grad)``:
                is the symbol, ``.value`` the array,  ``layer.W is p.value`` and
                ``.grad`` the gradient                ``layer.dW is p.grad``
==============  ====================================  ==============================

``parameters()`` returns the Parameter objects (what optimisers update, in place);
``named_parameters()`` gives each one a label that says where it sits (``"layers[0].W"`` in a
``Sequential``). Assigning ``layer.W = ...`` checks the shape and replaces the parameter's value.

Shapes: a batch ``X`` has one example per row, shape ``(batch, features)``.

Example, the worked layer of chapter 2 (weight rows [2, 1, 1, -1] and [1, 1, 1, 1])::

    >>> layer = Dense(4, 2)
    >>> layer.W = np.array([[2.0, 1, 1, -1], [1, 1, 1, 1]]).T    # shape (n_in, n_out) = (4, 2)
    >>> layer.b = np.array([-9.0, -7.0])
    >>> layer.forward(np.array([[2, 5, 7, 3]]))
    array([[ 4., 10.]])

Gradients are overwritten by every ``backward`` call, never accumulated, so there is nothing to
reset between training steps. Argument checks live in ``nnlib._utils``, one line each here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib import activations
from nnlib._utils import (
    array_of_shape,
    as_float_array,
    as_rng,
    check_2d,
    check_grad_shape,
    float_dtype,
    number_at_least,
    one_of,
    positive_int,
    probability_below_one,
)

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

_check_grad_shape = check_grad_shape  # the name other modules import


@dataclass(eq=False)
class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    ``name`` is the symbol of the book's formula (``"W"``, ``"b"``, ``"gamma"``); the layer
    exposes ``value`` under that name (``layer.W``) and ``grad`` under ``d`` + name
    (``layer.dW``). ``value`` is the live array the layer computes with: optimisers update it
    in place. ``grad`` has the same shape; the layer's ``backward`` sets it. Two parameters are
    the same only if they are the same object (``eq=False``), so a parameter can be a
    dictionary key, which is how optimisers keep their per-parameter state.
    """

    name: str
    value: np.ndarray
    grad: np.ndarray

    @classmethod
    def new(cls, name: str, value: np.ndarray) -> Parameter:
        """A parameter whose gradient starts as zeros of the value's shape and dtype."""
        return cls(name, value, np.zeros_like(value))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size


class Layer:
    """Base class of all layers: a forward pass, a backward pass and (maybe) parameters.

    ``training`` (default True) is switched by ``train()`` and ``eval()``, which a layer made
    of other layers passes on to them (``sublayers()``). ``needs_input_grad`` (default True)
    says whether ``backward`` must return ``dX``; when it is False a layer may skip ``dX``
    and return ``None``.
    """

    training: bool = True
    needs_input_grad: bool = True

    def forward(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters; none by default."""
        return []

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``(label, parameter)`` pairs; the label is the parameter's name, e.g. ``"W"``."""
        return [(p.name, p) for p in self.parameters()]

    def sublayers(self) -> list[Layer]:
        """The layers this layer is made of (none; ``Sequential`` has its ``layers``)."""
        return []

    def train(self, mode: bool = True) -> Layer:
        """Training mode (Dropout drops), here and in every sublayer; returns the layer."""
        self.training = bool(mode)
        for layer in self.sublayers():
            layer.train(mode)
        return self

    def eval(self) -> Layer:
        """Evaluation mode (Dropout passes everything through); returns the layer."""
        return self.train(False)

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
        self.n_in = positive_int(n_in, "n_in", "Dense")
        self.n_out = positive_int(n_out, "n_out", "Dense")
        self.init = one_of(init, INITS, "init", "Dense")
        self.dtype = float_dtype(dtype, "Dense")
        W = _initial_weights(init, self.n_in, self.n_out, as_rng(rng), self.dtype)
        self._W = Parameter.new("W", W)    # the Parameter named "W": self.W, self.dW
        self._b = Parameter.new("b", np.zeros(self.n_out, dtype=self.dtype))
        self._X: np.ndarray | None = None

    # W and b are the arrays inside the Parameter objects, so that an optimiser updating the
    # parameters and a reader setting ``layer.W = ...`` both change the same thing.
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_in, n_out): column j holds the weights of unit j."""
        return self._W.value

    @W.setter
    def W(self, value: np.ndarray) -> None:
        self._W.value = array_of_shape(value, (self.n_in, self.n_out), self.dtype, "W", "Dense",
                                       hint="W has one row per input and one column per unit.")

    @property
    def b(self) -> np.ndarray:
        """Biases, shape (n_out,)."""
        return self._b.value

    @b.setter
    def b(self, value: np.ndarray) -> None:
        self._b.value = array_of_shape(value, (self.n_out,), self.dtype, "b", "Dense")

    @property
    def dW(self) -> np.ndarray:
        """Gradient of the loss with respect to W from the last backward, shape (n_in, n_out)."""
        return self._W.grad

    @property
    def db(self) -> np.ndarray:
        """Gradient of the loss with respect to b from the last backward, shape (n_out,)."""
        return self._b.grad

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return ``X @ W + b``, shape (batch, n_out), for X of shape (batch, n_in)."""
        X = np.asarray(as_float_array(X, "X", "Dense"), dtype=self.dtype)
        check_2d(X, self.n_in, "X", "Dense")
        self._X = X
        return X @ self.W + self.b

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        """Store ``dW = X.T @ dY`` and ``db = dY.sum(axis=0)``; return ``dX = dY @ W.T``.

        dY has shape (batch, n_out); dX has shape (batch, n_in). When ``needs_input_grad`` is
        False (the first layer of a network in training) dX is not computed and None is
        returned: it costs as much as the forward pass.
        """
        X = self._cached(self._X)
        dY = np.asarray(dY, dtype=self.dtype)
        check_grad_shape(dY, (X.shape[0], self.n_out), "Dense")
        self._W.grad = X.T @ dY
        self._b.grad = dY.sum(axis=0)
        return dY @ self.W.T if self.needs_input_grad else None

    def parameters(self) -> list[Parameter]:
        return [self._W, self._b]

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
        check_grad_shape(dY, X.shape, type(self).__name__)
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
        self.alpha = number_at_least(alpha, "alpha", "LeakyReLU", 0)

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
        check_grad_shape(dY, S.shape, "Softmax")
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
        self.p = probability_below_one(p, "Dropout")
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
        check_grad_shape(dY, self._mask.shape, "Dropout")
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
