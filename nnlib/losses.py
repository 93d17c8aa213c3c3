"""Loss functions: how wrong a batch of predictions is, and its gradient.

Design: each loss comes twice, as a pair of plain functions and as a small object:

* ``mse(pred, target)`` returns the mean loss over the batch (a float) and
  ``mse_grad(pred, target)`` returns dL/dpred, an array shaped like ``pred``. The gradient
  already contains the 1/n of the mean, so a network can pass it straight to ``backward``.
* ``MSE()``, ``BinaryCrossEntropy(from_logits=False)`` and ``CrossEntropy()`` wrap those pairs
  for training loops: ``loss.forward(pred, target)`` (also ``loss(pred, target)``) returns the
  loss and remembers its inputs; ``loss.backward()`` then returns dL/dpred. Each has a ``name``,
  and ``get_loss("mse" | "bce" | "bce_logits" | "cross_entropy")`` builds one by name.

Formulas (n = batch size; predictions are rows)::

    MSE            L = mean((pred - target)^2)                dL/dpred = 2 (pred - target) / N
                   (mean over all N = pred.size entries, as PyTorch's MSELoss)
    BCE            L = -mean(y log p + (1 - y) log(1 - p))   dL/dp = (p - y) / (p (1 - p)) / N
    BCE (logits)   L = mean(max(z, 0) - z y + log(1 + e^-|z|))  dL/dz = (sigmoid(z) - y) / N
    cross-entropy  L = -mean_i sum_j Y_ij log softmax(z_i)_j     dL/dz = (softmax(z) - Y) / n

Numerical stability: the logit forms never exponentiate a large positive number (the
``log(1 + e^-|z|)`` form and the max-shifted ``log_softmax``), so logits of +-1000 give exact,
finite losses. ``binary_cross_entropy`` from probabilities clips p to [eps, 1 - eps] (eps the
machine epsilon of the dtype) so that p = 0 or 1 gives a large finite loss instead of inf; prefer
the logit forms when you have logits (a sigmoid or softmax output layer loses precision).

Shapes: for MSE and BCE, ``target`` has the shape of ``pred``; as a convenience a target of
shape (n,) is accepted for a prediction of shape (n, 1) and vice versa. Cross-entropy takes
logits of shape (n, k) and targets as integer class labels of shape (n,) or as one-hot (or
probability) rows of shape (n, k).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlib._utils import as_float_array, check_finite
from nnlib.activations import log_softmax, sigmoid, softmax

__all__ = [
    "mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "cross_entropy", "cross_entropy_grad",
    "Loss", "MSE", "BinaryCrossEntropy", "CrossEntropy", "get_loss", "LOSSES",
]


# --- input checks --------------------------------------------------------------------------------

def _pred_and_target(pred: Any, target: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays of the same shape, finite; target (n,) matches pred (n, 1) and back."""
    pred = as_float_array(pred, "pred", who)
    target = as_float_array(target, "target", who).astype(pred.dtype, copy=False)
    if pred.ndim == 0:
        raise ValueError(f"{who} expected a batch of predictions, got a single number {pred}. "
                         "Hint: pass arrays, e.g. np.array([0.3]).")
    if pred.shape != target.shape:
        if pred.shape == target.shape + (1,) or target.shape == pred.shape + (1,):
            target = target.reshape(pred.shape)
        else:
            raise ValueError(f"{who} expected target with the shape of pred {pred.shape}, "
                             f"got shape {target.shape}")
    check_finite(pred, "pred", who)
    check_finite(target, "target", who)
    return pred, target


def _logits_and_onehot(logits: Any, y: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """logits (n, k) and the targets as rows Y (n, k): one-hot from labels, or as given."""
    z = as_float_array(logits, "logits", who)
    if z.ndim != 2:
        raise ValueError(f"{who} expected logits of shape (n, k), got shape {z.shape}. "
                         "Hint: one example of shape (k,) becomes z.reshape(1, -1).")
    check_finite(z, "logits", who)
    n, k = z.shape
    y = np.asarray(y)
    if y.shape == (n,):  # integer class labels
        labels = y
        if y.dtype.kind not in "iu":  # e.g. float labels: must be finite whole numbers
            labels = as_float_array(y, "y", who)
            check_finite(labels, "y", who)
        if (labels.dtype.kind == "f" and np.any(labels != np.round(labels))) or np.any(
                labels < 0) or np.any(labels >= k):
            raise ValueError(f"{who} expected integer class labels in 0..{k - 1}, got values "
                             f"{np.unique(labels)[:10]}")
        Y = np.zeros_like(z)
        Y[np.arange(n), labels.astype(int, copy=False)] = 1
        return z, Y
    if y.shape == (n, k):  # one-hot or probability rows
        Y = as_float_array(y, "y", who).astype(z.dtype, copy=False)
        check_finite(Y, "y", who)
        if np.any(Y < 0) or not np.allclose(Y.sum(axis=1), 1, atol=1e-6):
            raise ValueError(f"{who} expected y rows to be one-hot (or probabilities summing "
                             "to 1), got rows that do not sum to 1 or negative entries")
        return z, Y
    raise ValueError(f"{who} expected y as labels of shape ({n},) or one-hot of shape ({n}, {k}) "
                     f"for logits of shape {z.shape}, got shape {y.shape}"
                     + (". Hint: flatten labels with y.ravel()." if y.shape == (n, 1) else ""))


def _check_probabilities(a: np.ndarray, name: str, who: str, hint: str = "") -> None:
    if np.any(a < 0) or np.any(a > 1):
        raise ValueError(f"{who} expected {name} in [0, 1], got values from {a.min():.4g} to "
                         f"{a.max():.4g}.{hint}")


# --- mean squared error --------------------------------------------------------------------------

def mse(pred: Any, target: Any) -> float:
    """Mean squared error mean((pred - target)^2) over all entries. pred, target: same shape."""
    pred, target = _pred_and_target(pred, target, "mse")
    return float(np.mean((pred - target) ** 2))


def mse_grad(pred: Any, target: Any) -> np.ndarray:
    """dL/dpred = 2 (pred - target) / pred.size. Shape of pred."""
    pred, target = _pred_and_target(pred, target, "mse_grad")
    return 2 * (pred - target) / pred.size


# --- binary cross-entropy from probabilities -----------------------------------------------------

_LOGITS_HINT = " Hint: for raw scores (logits) use binary_cross_entropy_with_logits."


def _clip(p: np.ndarray) -> np.ndarray:
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


def binary_cross_entropy(p: Any, y: Any) -> float:
    """-mean(y log p + (1 - y) log(1 - p)). p: probabilities in [0, 1], y: labels 0/1 (or in
    [0, 1]), same shape. p is clipped to [eps, 1 - eps] so the loss stays finite."""
    p, y = _pred_and_target(p, y, "binary_cross_entropy")
    _check_probabilities(p, "p", "binary_cross_entropy", _LOGITS_HINT)
    _check_probabilities(y, "y", "binary_cross_entropy")
    p = _clip(p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_grad(p: Any, y: Any) -> np.ndarray:
    """dL/dp = (p - y) / (p (1 - p)) / N, with p clipped as in the loss. Shape of p."""
    p, y = _pred_and_target(p, y, "binary_cross_entropy_grad")
    _check_probabilities(p, "p", "binary_cross_entropy_grad", _LOGITS_HINT)
    _check_probabilities(y, "y", "binary_cross_entropy_grad")
    p = _clip(p)
    return (p - y) / (p * (1 - p)) / p.size


# --- binary cross-entropy from logits ------------------------------------------------------------

def binary_cross_entropy_with_logits(z: Any, y: Any) -> float:
    """BCE of p = sigmoid(z), computed from the logits z without forming p:
    ``mean(max(z, 0) - z y + log(1 + exp(-|z|)))``. z, y: same shape, y in [0, 1]."""
    z, y = _pred_and_target(z, y, "binary_cross_entropy_with_logits")
    _check_probabilities(y, "y", "binary_cross_entropy_with_logits")
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(z: Any, y: Any) -> np.ndarray:
    """dL/dz = (sigmoid(z) - y) / N. Shape of z."""
    z, y = _pred_and_target(z, y, "binary_cross_entropy_with_logits_grad")
    _check_probabilities(y, "y", "binary_cross_entropy_with_logits_grad")
    return (sigmoid(z) - y) / z.size


# --- cross-entropy from logits (softmax + negative log-likelihood) -------------------------------

def cross_entropy(logits: Any, y: Any) -> float:
    """-mean over rows of log softmax(logits)[true class]. logits: (n, k);
    y: int labels (n,) or one-hot rows (n, k)."""
    z, Y = _logits_and_onehot(logits, y, "cross_entropy")
    return float(-np.sum(Y * log_softmax(z, axis=1)) / z.shape[0])


def cross_entropy_grad(logits: Any, y: Any) -> np.ndarray:
    """dL/dlogits = (softmax(logits) - Y) / n, with Y the one-hot targets. Shape (n, k)."""
    z, Y = _logits_and_onehot(logits, y, "cross_entropy_grad")
    return (softmax(z, axis=1) - Y) / z.shape[0]


# --- loss objects for training loops -------------------------------------------------------------

class Loss:
    """A loss with ``forward(pred, target) -> float`` and ``backward() -> dL/dpred``.

    Subclasses set ``name`` and the two functions ``_loss`` and ``_grad``.
    """

    name = "loss"

    def __init__(self) -> None:
        self._cache: tuple[Any, Any] | None = None

    def _loss(self, pred: Any, target: Any) -> float:
        raise NotImplementedError

    def _grad(self, pred: Any, target: Any) -> np.ndarray:
        raise NotImplementedError

    def forward(self, pred: Any, target: Any) -> float:
        """Mean loss over the batch; remembers pred and target for backward."""
        value = self._loss(pred, target)
        self._cache = (pred, target)
        return value

    def backward(self) -> np.ndarray:
        """dL/dpred for the last forward call (includes the 1/batch factor). Shape of pred."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward(); "
                               "compute the loss first.")
        return self._grad(*self._cache)

    def __call__(self, pred: Any, target: Any) -> float:
        return self.forward(pred, target)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error, for regression outputs (no activation on the last layer)."""

    name = "mse"

    def _loss(self, pred: Any, target: Any) -> float:
        return mse(pred, target)

    def _grad(self, pred: Any, target: Any) -> np.ndarray:
        return mse_grad(pred, target)


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy for yes/no outputs.

    from_logits=False: pred are probabilities (after a sigmoid); from_logits=True: pred are
    the raw scores z and the sigmoid is applied inside, stably (recommended).
    """

    def __init__(self, from_logits: bool = False) -> None:
        super().__init__()
        self.from_logits = bool(from_logits)
        self.name = "bce_logits" if self.from_logits else "bce"

    def _loss(self, pred: Any, target: Any) -> float:
        if self.from_logits:
            return binary_cross_entropy_with_logits(pred, target)
        return binary_cross_entropy(pred, target)

    def _grad(self, pred: Any, target: Any) -> np.ndarray:
        if self.from_logits:
            return binary_cross_entropy_with_logits_grad(pred, target)
        return binary_cross_entropy_grad(pred, target)

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"


class CrossEntropy(Loss):
    """Softmax cross-entropy from logits (n, k): the last layer has no activation.

    Targets: integer labels (n,) or one-hot rows (n, k).
    """

    name = "cross_entropy"

    def forward(self, pred: Any, target: Any) -> float:
        """Mean loss, as ``cross_entropy``; keeps the softmax probabilities P (n, k) and the
        one-hot targets Y (n, k) for backward, so the inputs are checked and converted once."""
        z, Y = _logits_and_onehot(pred, target, "cross_entropy")
        log_P = log_softmax(z, axis=1)
        self._cache = (np.exp(log_P), Y)  # exp(log softmax) = softmax
        return float(-np.sum(Y * log_P) / z.shape[0])

    def _grad(self, P: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """dL/dlogits = (P - Y) / n from what forward kept (as ``cross_entropy_grad``)."""
        return (P - Y) / P.shape[0]


_FACTORIES = {
    "mse": MSE,
    "bce": BinaryCrossEntropy,
    "bce_logits": lambda: BinaryCrossEntropy(from_logits=True),
    "cross_entropy": CrossEntropy,
}

LOSSES: tuple[str, ...] = tuple(_FACTORIES)


def get_loss(name_or_loss: str | Loss) -> Loss:
    """A new loss object for "mse", "bce", "bce_logits" or "cross_entropy";
    an object with forward and backward methods is returned unchanged."""
    if isinstance(name_or_loss, str):
        key = name_or_loss.strip().lower()
        if key not in _FACTORIES:
            raise ValueError(f"unknown loss {name_or_loss!r}; known names: {', '.join(LOSSES)}")
        return _FACTORIES[key]()
    if callable(getattr(name_or_loss, "forward", None)) and callable(
            getattr(name_or_loss, "backward", None)):
        return name_or_loss
    raise TypeError(f"get_loss expected a loss name ({', '.join(LOSSES)}) or a loss object with "
                    f"forward and backward, got {type(name_or_loss).__name__}")
