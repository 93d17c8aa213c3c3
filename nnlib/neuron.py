"""One artificial neuron: the weighted sum and Rosenblatt's perceptron (chapter 1).

A neuron computes the weighted sum of its inputs plus a bias,

    z = w . x + b = w_1 x_1 + ... + w_d x_d + b,

and the perceptron passes z through the step function: it answers 1 when z >= 0, else 0.

The perceptron learning rule visits the training examples one at a time and nudges the
weights only when the answer was wrong:

    y_hat = step(w . x + b)
    w <- w + lr * (y - y_hat) * x
    b <- b + lr * (y - y_hat)

If the two classes can be separated by a straight line (a plane in more dimensions), this
rule finds such a line after a finite number of mistakes (the perceptron convergence theorem).
On XOR it never stops making mistakes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlib._utils import (
    as_float_array,
    as_rng,
    binary_labels,
    check_2d,
    check_finite,
    check_positive,
    count_of_at_least_one,
    int_at_least,
    neuron_inputs,
)

__all__ = ["weighted_sum", "Perceptron"]


def weighted_sum(x: Any, w: Any, b: Any = 0.0) -> float | np.ndarray:
    """Return z = w . x + b.

    x: shape (d,) for one example (returns a float) or (n, d) for a batch (returns shape (n,)).
    w: shape (d,). b: a number.
    Example: weighted_sum([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], 0) gives 0.98
    (0.35 - 0.09 + 0.72).
    """
    x, w, b = neuron_inputs(x, w, b, "weighted_sum")
    z = x @ w + b
    return float(z) if x.ndim == 1 else z


class Perceptron:
    """A single neuron with a step activation, trained by the perceptron learning rule.

    ``Perceptron(n_inputs, lr=1.0, rng=None)``:

    - n_inputs: number of input features d.
    - lr: learning rate, > 0 (how far each correction moves the weights).
    - rng: None to visit the training examples in the order given; an int seed or a
      np.random.Generator to visit them in a new random order every epoch.

    Attributes:

    - w: weights, shape (d,), starting at 0; b: bias, a float, starting at 0.
    - history: one dict per epoch trained, in order, such as
      ``{"epoch": 1, "errors": 3, "w": <copy of w after the epoch>, "b": <b after it>}``,
      where errors counts the examples the neuron got wrong during that epoch (each one
      caused an update). A chapter can replay it to show the boundary converging.
    """

    def __init__(self, n_inputs: int, lr: float = 1.0,
                 rng: None | int | np.random.Generator = None) -> None:
        self.n_inputs = count_of_at_least_one(n_inputs, "n_inputs", "Perceptron")
        self.lr = check_positive(lr, "lr", "Perceptron")
        self.shuffle = rng is not None
        self.rng = as_rng(rng)
        self.w = np.zeros(self.n_inputs)
        self.b = 0.0
        self.history: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"Perceptron(n_inputs={self.n_inputs}, lr={self.lr}, w={self.w}, b={self.b})"

    def _as_batch(self, X: Any, who: str) -> np.ndarray:
        """X as a float array of shape (n, d); a single example of shape (d,) is accepted."""
        X = as_float_array(X, "X", who)
        if X.ndim == 1 and X.shape[0] == self.n_inputs:
            X = X.reshape(1, -1)
        check_2d(X, self.n_inputs, "X", who)
        check_finite(X, "X", who)
        return X

    def net_input(self, X: Any) -> np.ndarray:
        """z = X @ w + b for X of shape (n, d) (or one example (d,)); returns shape (n,)."""
        X = self._as_batch(X, "Perceptron.net_input")
        return X @ self.w + self.b

    def predict(self, X: Any) -> np.ndarray:
        """Class 1 where z = X @ w + b >= 0, else 0. X: (n, d) -> int array (n,).

        A single example of shape (d,) gives an int array of shape (1,).
        """
        return (self.net_input(X) >= 0).astype(int)

    def fit(self, X: Any, y: Any, epochs: int = 10) -> Perceptron:
        """Train with the perceptron rule for at most ``epochs`` passes over (X, y).

        X: shape (n, d). y: shape (n,), labels 0 or 1.
        Stops early after the first epoch with zero errors: every example is then classified
        correctly and the rule would not change the weights any more. Calling fit again
        continues from the current weights and appends to ``history``. Returns self.
        """
        X = self._as_batch(X, "Perceptron.fit")
        y = binary_labels(y, X.shape[0], "Perceptron.fit")
        epochs = int_at_least(epochs, "epochs", "Perceptron.fit", 1)
        for _ in range(epochs):
            order = self.rng.permutation(len(y)) if self.shuffle else np.arange(len(y))
            errors = 0
            for i in order:
                y_hat = 1.0 if X[i] @ self.w + self.b >= 0 else 0.0
                if y_hat != y[i]:
                    self.w += self.lr * (y[i] - y_hat) * X[i]
                    self.b = float(self.b + self.lr * (y[i] - y_hat))
                    errors += 1
            self.history.append({"epoch": len(self.history) + 1, "errors": errors,
                                 "w": self.w.copy(), "b": self.b})
            if errors == 0:
                break
        return self
