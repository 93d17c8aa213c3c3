"""Optimisers: how a gradient becomes an update of the weights.

Two ways to use them:

1. Plain functions that show one update rule on one array and return new arrays:
   ``sgd_step(w, g, lr)`` and ``adam_step(w, g, m, v, t, ...)`` (chapter 4 teaches these).
2. Optimiser objects for a whole network: ``SGD`` and ``Adam``. Create one, then after each
   backward pass call ``optimizer.step(model.parameters())``. It changes every parameter's
   ``value`` in place, using its ``grad``, and keeps its own state (momentum, Adam's moments)
   for each parameter object. There is no ``zero_grad``: nnlib's layers overwrite the gradients
   in every backward pass instead of adding to them.

The update rules are PyTorch's (``torch.optim.SGD`` and ``torch.optim.Adam``) for the same
hyper-parameters, so results can be compared number for number:

SGD, with g the gradient and weight decay wd, momentum mu::

    g = g + wd * w                      (only if wd > 0; "L2 regularisation")
    buf = g                             (first step)
    buf = mu * buf + g                  (later steps; only if mu > 0, then g = buf)
    w = w - lr * g

Adam, with step count t = 1, 2, ...::

    g = g + wd * w                      (only if wd > 0)
    m = beta1 * m + (1 - beta1) * g     (first moment: running mean of g)
    v = beta2 * v + (1 - beta2) * g**2  (second moment: running mean of g squared)
    m_hat = m / (1 - beta1**t)          (bias correction: m and v start at 0)
    v_hat = v / (1 - beta2**t)
    w = w - lr * m_hat / (sqrt(v_hat) + eps)
"""

from __future__ import annotations

import numbers

import numpy as np

from nnlib._utils import check_same_shape, int_at_least
from nnlib.layers import Parameter

__all__ = ["sgd_step", "adam_step", "Optimizer", "SGD", "Adam"]


def _check_number(value: float, name: str, who: str, low: float, high: float | None = None,
                  low_inclusive: bool = True) -> float:
    """Return ``value`` as a float if low <= value (< high), else raise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who} expected {name} to be a number, got {value!r}")
    value = float(value)
    too_low = value < low if low_inclusive else value <= low
    too_high = high is not None and value >= high
    if not np.isfinite(value) or too_low or too_high:
        low_text = f"{name} >= {low}" if low_inclusive else f"{name} > {low}"
        bound = low_text if high is None else f"{low_text} and {name} < {high}"
        hint = " Hint: the learning rate must be positive." if name == "lr" else ""
        raise ValueError(f"{who} expected {bound}, got {value!r}.{hint}")
    return value


# ----------------------------------------------------------------------------- plain functions


def sgd_step(w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
    """One step of gradient descent: return ``w - lr * g`` (a new array, same shape as w)."""
    lr = _check_number(lr, "lr", "sgd_step", 0.0, low_inclusive=False)
    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)
    check_same_shape(w, g, "w", "g", "sgd_step")
    return w - lr * g


def adam_step(w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int,
              lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
              eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step (step number ``t`` >= 1); return new ``(w, m, v)``, each shaped like w.

    ``m`` and ``v`` are the running first and second moments from the previous step
    (zeros before the first step).
    """
    lr = _check_number(lr, "lr", "adam_step", 0.0, low_inclusive=False)
    t = int_at_least(t, "the step number t", "adam_step", 1)
    beta1, beta2 = betas
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * np.asarray(g, dtype=float)
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * np.asarray(g, dtype=float) ** 2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    w = np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v


# ----------------------------------------------------------------------------- optimiser objects


class Optimizer:
    """Base class: checks the parameter list and keeps per-parameter state.

    ``state`` maps each :class:`Parameter` object to a dict (e.g. its momentum buffer).
    """

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        who = type(self).__name__
        self.lr = _check_number(lr, "lr", who, 0.0, low_inclusive=False)
        self.weight_decay = _check_number(weight_decay, "weight_decay", who, 0.0)
        self.state: dict[Parameter, dict] = {}

    def _params(self, params: list[Parameter]) -> list[Parameter]:
        who = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{who}.step expected a list of Parameter objects, got a "
                f"{type(params).__name__}. Hint: call {who.lower()}.step(model.parameters()).")
        params = list(params)
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{who}.step expected Parameter objects, got "
                                f"{type(p).__name__}. Hint: pass model.parameters().")
            if p.grad.shape != p.value.shape:
                raise ValueError(f"{who}.step: parameter {p.name!r} has value of shape "
                                 f"{p.value.shape} but grad of shape {p.grad.shape}")
        return params

    def _decayed(self, p: Parameter) -> np.ndarray:
        """The gradient plus the weight decay term ``weight_decay * w`` (a new array if wd > 0)."""
        if self.weight_decay == 0:
            return p.grad
        return p.grad + self.weight_decay * p.value

    def step(self, params: list[Parameter]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, weight_decay={self.weight_decay})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (as torch.optim.SGD).

    ``SGD(lr=0.1).step(model.parameters())`` does ``w -= lr * grad`` for every parameter.
    """

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = _check_number(momentum, "momentum", "SGD", 0.0, 1.0)

    def step(self, params: list[Parameter]) -> None:
        """Update each parameter's value in place from its grad."""
        for p in self._params(params):
            g = self._decayed(p)
            if self.momentum > 0:
                state = self.state.setdefault(p, {})
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(g, copy=True)
                else:
                    buf = state["momentum_buffer"]
                    buf *= self.momentum
                    buf += g
                g = state["momentum_buffer"]
            p.value -= self.lr * g

    def __repr__(self) -> str:
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, "
                f"weight_decay={self.weight_decay})")


class Adam(Optimizer):
    """Adam: momentum plus a per-weight step size from the running mean of squared gradients.

    As ``torch.optim.Adam``: bias-corrected moments; ``weight_decay`` adds ``wd * w`` to the
    gradient (L2 regularisation, not AdamW's decoupled decay).
    """

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam expected betas as a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_number(betas[0], "beta1", "Adam", 0.0, 1.0),
                      _check_number(betas[1], "beta2", "Adam", 0.0, 1.0))
        self.eps = _check_number(eps, "eps", "Adam", 0.0, low_inclusive=False)

    def step(self, params: list[Parameter]) -> None:
        """Update each parameter's value in place from its grad."""
        beta1, beta2 = self.betas
        for p in self._params(params):
            g = self._decayed(p)
            state = self.state.setdefault(p, {})
            if not state:
                state.update(t=0, m=np.zeros_like(p.value), v=np.zeros_like(p.value))
            state["t"] += 1
            t, m, v = state["t"], state["m"], state["v"]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            step_size = self.lr / (1 - beta1**t)
            denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + self.eps  # sqrt(v_hat) + eps
            p.value -= step_size * (m / denom)

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, "
                f"weight_decay={self.weight_decay})")
