"""Gradient checking: compare backpropagation with finite differences.

Backpropagation gives the gradient of the loss exactly, if the backward code is right. A
finite difference gives it approximately, with no backward code at all: nudge one number by
+-eps and watch the loss,

    dL/dx_i  ~  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)      (centred difference)

whose error shrinks like eps^2. If the two agree to about 1e-7 or better (in float64), the
backward pass is right; a bug typically gives errors of 1e-2 or more.

    >>> result = check_gradients(Dense(3, 2, rng=0), X, y, "mse")
    >>> result.passed()          # True when every max relative error is below 1e-6
    >>> print(result)            # a table, one row per parameter and one for the input

The relative error of a parameter is measured on its whole gradient::

    error = max_i |analytic_i - numerical_i| / max_i max(|analytic_i|, |numerical_i|),

the largest disagreement relative to the size of that gradient, so entries that are exactly 0
(a ReLU that is off) do not turn rounding noise into a huge ratio. Gradients whose size is
below 1e-8 count as zero (the error is then the absolute difference divided by 1e-8).

Limits: use float64 (in float32 rounding swamps the difference); pick data away from kinks
(ReLU at exactly 0); and switch randomness off (``model.eval()`` for Dropout), since the loss
must be the same function on every call: ``check_gradients`` raises if it is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlib._utils import as_float_array
from nnlib.losses import Loss, get_loss

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradCheckResult"]

_TINY = 1e-8  # gradients smaller than this count as zero in relative_error


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of a scalar function f at x. Returns an array shaped like x.

    f takes the array x and returns a number. Each entry of x is nudged in place to x_i + eps
    and x_i - eps (so f may also read x through another name, e.g. a layer's live weights),
    then restored: x holds exactly its old values afterwards, even if f raises.
    A float ndarray is perturbed in place; anything else is first copied to a float64 array.
    """
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"numerical_gradient expected eps > 0, got {eps!r}")
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        x = np.array(as_float_array(x, "x", "numerical_gradient"), dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + eps
            f_plus = float(f(x))
            x[i] = old - eps
            f_minus = float(f(x))
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic: Any, numerical: Any) -> float:
    """``max|a - n| / max(|a|, |n|)`` over all entries (size floored at 1e-8); 0 if empty."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error expected arrays of the same shape, got {a.shape} "
                         f"and {n.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(n))), _TINY)
    return float(np.max(np.abs(a - n)) / scale)


@dataclass
class GradCheckResult:
    """The outcome of ``check_gradients``.

    errors     {name: max relative error} per parameter (e.g. "layers[0].W") and "input"
    analytic   {name: gradient from backward}         same shapes as the parameters / input
    numerical  {name: gradient from finite differences}
    """

    errors: dict[str, float]
    analytic: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    numerical: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def max_error(self) -> float:
        """The largest relative error over all parameters and the input."""
        return max(self.errors.values(), default=0.0)

    def passed(self, tol: float = 1e-6) -> bool:
        """True when every relative error is below ``tol``."""
        return self.max_error < tol

    def report(self, tol: float = 1e-6) -> str:
        """A table: one row per gradient with its shape, relative error and ok / WRONG."""
        width = max([len(name) for name in self.errors] + [9])
        lines = [f"{'gradient':<{width}}  {'shape':<12}  {'rel. error':>10}  status"]
        for name, err in self.errors.items():
            shape = str(self.analytic[name].shape) if name in self.analytic else ""
            status = "ok" if err < tol else "WRONG"
            lines.append(f"{name:<{width}}  {shape:<12}  {err:>10.2e}  {status}")
        if self.passed(tol):
            lines.append(f"all gradients agree (max relative error {self.max_error:.2e} < {tol:g})")
        else:
            wrong = [name for name, err in self.errors.items() if not err < tol]
            lines.append(f"gradients disagree for {', '.join(wrong)} (tolerance {tol:g}): "
                         "check the backward pass of the layer they belong to")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def check_gradients(model: Any, X: Any, y: Any, loss: str | Loss,
                    eps: float = 1e-6) -> GradCheckResult:
    """Compare ``model.backward`` with finite differences of the loss, for every parameter and
    for the input X.

    - model: a layer or network with forward(X), backward(dY) -> dX and parameters() (each
      parameter has .name, .value, the live array, and .grad). Rows are labelled by
      ``model.named_parameters()`` where it has one (``"layers[0].W"`` in a Sequential).
    - X: input batch, shape (batch, n_in). y: targets, as the loss expects them.
    - loss: a loss object or name ("mse", "bce", "bce_logits", "cross_entropy").

    The loss is L = loss.forward(model.forward(X), y). Parameters are restored afterwards;
    their .grad holds the analytic gradients. Cost: two forward passes per number checked.
    """
    for method in ("forward", "backward", "parameters"):
        if not callable(getattr(model, method, None)):
            raise TypeError(f"check_gradients expected a layer or network with forward, "
                            f"backward and parameters methods, got {type(model).__name__}")
    loss = get_loss(loss)
    X = np.array(as_float_array(X, "X", "check_gradients"), dtype=np.float64)  # our own copy

    def loss_at(X_now: np.ndarray) -> float:
        return loss.forward(model.forward(X_now), y)

    first, second = loss_at(X), loss_at(X)
    if first != second:
        raise ValueError(f"check_gradients expected the same loss on every call, got {first!r} "
                         f"then {second!r}. Hint: randomness in the forward pass (Dropout in "
                         "training mode?) must be off: call model.eval() first.")

    # analytic gradients: one forward and one backward pass
    loss_at(X)
    dX = model.backward(loss.backward())
    named = _named_parameters(model)
    params = [p for _, p in named]
    analytic: dict[str, np.ndarray] = {}
    numerical: dict[str, np.ndarray] = {}
    keys: list[str] = []
    for key, p in named:
        while key in analytic:  # two parameters with the same name: keep both
            key += "'"
        keys.append(key)
        if np.shape(p.grad) != np.shape(p.value):
            raise ValueError(f"check_gradients expected the gradient of {p.name} with the shape "
                             f"of its value {np.shape(p.value)}, got {np.shape(p.grad)}")
        analytic[key] = np.array(p.grad, dtype=np.float64)

    # numerical gradients: nudge each entry of each parameter's live array
    for key, p in zip(keys, params, strict=True):
        numerical[key] = numerical_gradient(lambda _: loss_at(X), p.value, eps)
    if dX is not None:
        analytic["input"] = np.array(dX, dtype=np.float64)
        numerical["input"] = numerical_gradient(loss_at, X, eps)

    errors = {key: relative_error(analytic[key], numerical[key]) for key in analytic}
    return GradCheckResult(errors, analytic, numerical)


def _named_parameters(model: Any) -> list[tuple[str, Any]]:
    """``model.named_parameters()``, or ``(p.name, p)`` pairs for a model without it."""
    if callable(getattr(model, "named_parameters", None)):
        return list(model.named_parameters())
    return [(p.name, p) for p in model.parameters()]
