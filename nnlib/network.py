"""Networks: layers in a row (``Sequential``), training them (``fit``), and counting parameters.

A ``Sequential`` network is itself a layer: its forward pass runs the layers' forward passes in
order, its backward pass runs their backward passes in reverse (the chain rule). One training
step is then four lines (``Sequential.train_step``)::

    out = model.forward(X)                        # forward pass, shape (batch, n_outputs)
    value = loss.forward(out, y)                  # mean loss over the batch
    model.backward(loss.backward())               # gradients of every parameter
    optimizer.step(model.parameters())            # update the weights in place

``fit`` repeats this over shuffled mini-batches for some epochs and returns a ``History``.

Example, a 2-16-16-2 classifier for a two-class data set::

    >>> model = mlp([2, 16, 16, 2], activation="relu", rng=0)   # outputs logits
    >>> history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=100, rng=0)
    >>> model.predict(X)          # class labels, shape (batch,)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np

from nnlib import losses
from nnlib._utils import (
    as_float_array,
    as_rng,
    check_2d,
    check_finite,
    check_layer_sizes,
    check_layers,
    check_optimizer,
    check_pair,
    check_targets,
    positive_int,
)
from nnlib.layers import Dense, Layer, Parameter, Sigmoid, Softmax, activation_layer

__all__ = ["Sequential", "History", "count_parameters", "mlp"]


def count_parameters(layer_sizes: list[int]) -> int:
    """Number of weights and biases of an MLP with these layer sizes (inputs first).

    Each Dense layer from n_in to n_out units has n_in * n_out weights and n_out biases:
    ``count_parameters([3, 4, 2]) == (3*4 + 4) + (4*2 + 2) == 26``.
    """
    sizes = check_layer_sizes(layer_sizes, "count_parameters")
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    loss, accuracy          on the training batches of the epoch (the mean over its batches,
                            weighted by batch size, measured while training, as Keras does)
    val_loss, val_accuracy  on ``validation_data`` after the epoch, in evaluation mode
                            (empty lists when there is no validation data)

    Accuracy is NaN when the targets are not class labels (e.g. regression with MSE).
    ``history["loss"]`` works like ``history.loss``; ``history.as_dict()`` gives a plain dict.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __getitem__(self, key: str) -> list[float]:
        if key not in ("loss", "accuracy", "val_loss", "val_accuracy"):
            raise KeyError(f"History has 'loss', 'accuracy', 'val_loss', 'val_accuracy'; "
                           f"got {key!r}")
        return getattr(self, key)

    def __len__(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, list[float]]:
        return asdict(self)


def _looks_like_labels(y: np.ndarray) -> bool:
    """True when targets are class labels (ints, 0/1 floats, or one-hot rows)."""
    return y.dtype.kind in "iub" or bool(np.all(y == np.round(y)))


def _accuracy(out: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Fraction of rows whose predicted class equals the target class.

    out has shape (batch, k). For k > 1 the prediction is the argmax of the row and y holds
    integer labels (batch,) or one-hot rows (batch, k). For k == 1 the prediction is
    ``out > threshold`` and y holds 0/1 labels, shape (batch,) or (batch, 1).
    """
    if out.shape[1] == 1:
        predicted = (out[:, 0] > threshold).astype(np.int64)
        true = y.reshape(-1)
    else:
        predicted = out.argmax(axis=1)
        true = y if y.ndim == 1 else y.argmax(axis=1)
    return float(np.mean(predicted == true))


class Sequential(Layer):
    """Layers applied one after the other: ``Sequential([Dense(2, 8), ReLU(), Dense(8, 1)])``.

    ``layers`` is the list of layers (``nnlib.layers.Layer`` objects). The layers keep their
    parameters' names (``"W"``, ``"b"``); ``named_parameters()`` labels them by position
    (``"layers[0].W"``), so reports can say which is which.
    Shapes: ``forward(X)`` takes (batch, n_inputs) and returns (batch, n_outputs).
    """

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = check_layers(layers, Layer, "Sequential")

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Layer:
        """``model[0]`` is the first layer."""
        return self.layers[index]

    def sublayers(self) -> list[Layer]:
        """The layers, in order (``train()`` and ``eval()`` switch them all)."""
        return self.layers

    # --- forward and backward, side by side

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Run every layer's forward pass in order; return the last layer's output."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        """Run every layer's backward pass in reverse order; return dL/dX, shape of X.

        The chain rule: each layer turns the gradient of its output into that of its input.
        Returns None when the first layer skipped dX (``needs_input_grad`` False).
        """
        for layer in reversed(self.layers):
            dY = layer.backward(dY)
        return dY

    @property
    def needs_input_grad(self) -> bool:
        """Whether ``backward`` returns dX: the flag of the first layer, which computes it."""
        return self.layers[0].needs_input_grad

    @needs_input_grad.setter
    def needs_input_grad(self, value: bool) -> None:
        self.layers[0].needs_input_grad = bool(value)

    def parameters(self) -> list[Parameter]:
        """All trainable parameters, layer by layer (each with ``.value`` and ``.grad``)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``(label, parameter)`` pairs, labelled by position: ``("layers[0].W", p)``."""
        return [(f"layers[{i}].{name}", p) for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    @property
    def n_params(self) -> int:
        """Total number of trainable numbers (weights and biases)."""
        return sum(p.size for p in self.parameters())

    # --- modes (train() and eval() come from Layer)

    def _forward_eval(self, X: np.ndarray) -> np.ndarray:
        """Forward pass in evaluation mode, then back to the mode the model was in."""
        was_training = self.training
        self.eval()
        try:
            return self.forward(X)
        finally:
            self.train(was_training)

    # --- predictions

    def _output_layer(self) -> Layer:
        """The last layer (looking inside a nested Sequential at the end)."""
        last = self.layers[-1]
        return last._output_layer() if isinstance(last, Sequential) else last

    def _threshold(self) -> float:
        """Decision threshold for a single output column: 0.5 after a Sigmoid, else 0."""
        return 0.5 if isinstance(self._output_layer(), Sigmoid) else 0.0

    def predict(self, X: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Class labels, shape (batch,), computed in evaluation mode.

        Several output columns: the index of the largest output (argmax; the same for logits
        and for softmax probabilities). One output column: 1 where the output exceeds the
        threshold, else 0; the threshold is 0.5 when the last layer is a Sigmoid
        (probabilities) and 0 otherwise (logits), unless given.
        """
        X = self._checked_X(X, "predict")
        out = self._forward_eval(X)
        if out.ndim != 2:
            raise ValueError(f"Sequential.predict expected outputs of shape (batch, k), "
                             f"got shape {out.shape}")
        if out.shape[1] == 1:
            cut = self._threshold() if threshold is None else float(threshold)
            return (out[:, 0] > cut).astype(np.int64)
        return out.argmax(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, computed in evaluation mode.

        Several output columns: softmax of the logits, shape (batch, k) (the outputs themselves
        if the last layer is a Softmax). One column: the probability of class 1, shape
        (batch, 1) (sigmoid of the logit, or the output itself after a Sigmoid).
        """
        from nnlib.activations import sigmoid, softmax

        out = self._forward_eval(self._checked_X(X, "predict_proba"))
        if isinstance(self._output_layer(), (Sigmoid, Softmax)):
            return out
        return sigmoid(out) if out.shape[1] == 1 else softmax(out, axis=1)

    def _checked_X(self, X: np.ndarray, who: str) -> np.ndarray:
        """X as floats with one example per row: (batch, features) or images (N, C, H, W)."""
        X = as_float_array(X, "X", f"Sequential.{who}")
        if X.ndim < 2:
            check_2d(X, None, "X", f"Sequential.{who}")
        check_finite(X, "X", f"Sequential.{who}")
        return X

    # --- training

    @staticmethod
    def _target_like(y: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Labels of shape (batch,) become (batch, 1) when the output has a single column."""
        if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
            return y.reshape(-1, 1)
        return y

    def _step(self, X: np.ndarray, y: np.ndarray, loss, optimizer) -> tuple[float, np.ndarray]:
        out = self.forward(X)
        value = loss.forward(out, self._target_like(y, out))
        self.backward(loss.backward())
        optimizer.step(self.parameters())
        return value, out

    @contextmanager
    def _without_data_gradient(self) -> Iterator[None]:
        """While training, the first layer skips dX: the gradient of the data is never used."""
        wanted, self.needs_input_grad = self.needs_input_grad, False
        try:
            yield
        finally:
            self.needs_input_grad = wanted

    def train_step(self, X: np.ndarray, y: np.ndarray, loss, optimizer) -> float:
        """One step of training on the batch (X, y): forward, loss, backward, update.

        ``loss`` is a loss object or name (see ``nnlib.losses.get_loss``); ``optimizer`` an
        ``nnlib.optim`` optimiser. Returns the batch's mean loss before the update.
        """
        with self._without_data_gradient():
            return float(self._step(X, y, losses.get_loss(loss), optimizer)[0])

    def evaluate(self, X: np.ndarray, y: np.ndarray, loss) -> tuple[float, float]:
        """Return (mean loss, accuracy) on (X, y) in evaluation mode; accuracy NaN if no labels."""
        X = self._checked_X(X, "evaluate")
        y = np.asarray(y)
        loss = losses.get_loss(loss)
        out = self._forward_eval(X)
        value = float(loss.forward(out, self._target_like(y, out)))
        acc = _accuracy(out, y, self._threshold()) if _looks_like_labels(y) else float("nan")
        return value, acc

    def fit(self, X: np.ndarray, y: np.ndarray, loss, optimizer, epochs: int,
            batch_size: int = 32, validation_data: tuple[np.ndarray, np.ndarray] | None = None,
            rng: None | int | np.random.Generator = None, verbose: bool = False,
            shuffle: bool = True) -> History:
        """Train with mini-batch gradient descent; return a :class:`History` (per epoch).

        X : inputs, shape (n, n_inputs), or images (n, C, H, W) for a network that starts with
        a ``Conv2D`` layer. y : targets: integer labels (n,), one-hot rows
        (n, k), 0/1 labels (n,) or (n, 1) for a single output column, or real targets for MSE.
        loss : loss object or name ("mse", "bce", "bce_logits", "cross_entropy").
        optimizer : e.g. ``SGD(lr=0.1)`` or ``Adam(lr=0.01)``.
        epochs : passes over the data. batch_size : examples per step (the last batch of an
        epoch may be smaller). validation_data : optional (X_val, y_val), evaluated after each
        epoch. rng : seed or Generator for shuffling (shuffle=False keeps the order).
        verbose : print one line per epoch.
        """
        X = self._checked_X(X, "fit")
        y = check_targets(y, len(X), "Sequential.fit")
        epochs = positive_int(epochs, "epochs", "Sequential.fit")
        batch_size = positive_int(batch_size, "batch_size", "Sequential.fit")
        check_optimizer(optimizer, "Sequential.fit")
        loss = losses.get_loss(loss)
        validation = self._checked_validation(validation_data)
        gen = as_rng(rng)
        labels = _looks_like_labels(y)
        history = History()
        self.train()
        with self._without_data_gradient():
            for epoch in range(1, epochs + 1):
                order = gen.permutation(len(X)) if shuffle else np.arange(len(X))
                mean_loss, accuracy = self._epoch(X, y, order, batch_size, loss, optimizer, labels)
                history.loss.append(mean_loss)
                history.accuracy.append(accuracy)
                message = f"epoch {epoch}/{epochs}: loss {mean_loss:.4f}"
                if labels:
                    message += f", accuracy {accuracy:.3f}"
                if validation is not None:
                    val_loss, val_acc = self.evaluate(*validation, loss)
                    history.val_loss.append(val_loss)
                    history.val_accuracy.append(val_acc)
                    message += f", val_loss {val_loss:.4f}, val_accuracy {val_acc:.3f}"
                if not np.isfinite(mean_loss):
                    raise FloatingPointError(
                        f"Sequential.fit: the loss became {mean_loss} in epoch {epoch}. "
                        "Hint: lower the learning rate.")
                if verbose:
                    print(message)
        return history

    def _checked_validation(self, validation_data) -> tuple[np.ndarray, np.ndarray] | None:
        """``(X_val, y_val)`` checked as ``fit`` needs it, or None when there is none."""
        if validation_data is None:
            return None
        check_pair(validation_data, "Sequential.fit")
        return (self._checked_X(validation_data[0], "fit (validation_data)"),
                np.asarray(validation_data[1]))

    def _epoch(self, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int, loss,
               optimizer, labels: bool) -> tuple[float, float]:
        """One pass over the batches in ``order``: (mean loss, accuracy or NaN), while training."""
        total_loss = total_correct = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            value, out = self._step(X[batch], y[batch], loss, optimizer)
            total_loss += value * len(batch)
            if labels:
                total_correct += _accuracy(out, y[batch], self._threshold()) * len(batch)
        n = len(order)
        return total_loss / n, (total_correct / n if labels else float("nan"))

    # --- description

    def summary(self, input_shape: tuple[int, ...] | None = None) -> str:
        """A table of the layers with their output shapes and parameter counts (a string).

        Use ``print(model.summary())``. Without ``input_shape`` the output widths are read from
        the Dense layers; with the shape of one example (e.g. ``(1, 8, 8)`` for a grey 8x8
        image) one example of zeros is passed through the network in evaluation mode and every
        layer's output shape is shown.
        """
        rows = [("layer", "output", "parameters")]
        width = None
        shapes: list[tuple[int, ...]] = []
        if input_shape is not None:
            out = np.zeros((1, *input_shape))
            was_training = self.training
            self.eval()
            try:
                for layer in self.layers:
                    out = layer.forward(out)
                    shapes.append(out.shape[1:])
            finally:
                self.train(was_training)
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                width = layer.n_out
            shape = "(batch, ?)" if width is None else f"(batch, {width})"
            if shapes:
                shape = "(batch, " + ", ".join(str(n) for n in shapes[i]) + ")"
            count = sum(p.size for p in layer.parameters())
            rows.append((f"{i}: {layer!r}", shape, f"{count:,}"))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        lines = [f"{a:<{w0}}  {b:<{w1}}  {c:>10}" for a, b, c in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append("-" * len(lines[0]))
        lines.append(f"total parameters: {self.n_params:,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])"


_RELU_LIKE = ("relu", "leaky_relu", "gelu", "silu")


def mlp(layer_sizes: list[int], activation: str = "relu", output: str | None = None,
        init: str | None = None, rng: None | int | np.random.Generator = None,
        dtype: type | np.dtype = np.float64) -> Sequential:
    """Build a multi-layer perceptron: Dense layers with an activation between them.

    ``mlp([2, 16, 16, 2])`` is Dense(2, 16), ReLU, Dense(16, 16), ReLU, Dense(16, 2).

    Parameters
    ----------
    output : None (the last layer outputs logits, for "cross_entropy" or "bce_logits"), or an
        activation name for the output ("sigmoid", "softmax", ...).
    init : weight initialisation of every Dense layer; None picks "he" for ReLU-like
        activations (relu, leaky_relu, gelu, silu) and "xavier" for the others.
    rng : one seed or Generator for all layers, so the whole network is reproducible.
    """
    sizes = check_layer_sizes(layer_sizes, "mlp")
    activation_layer(activation)  # fail early on an unknown name
    if init is None:
        init = "he" if str(activation).lower() in _RELU_LIKE else "xavier"
    gen = as_rng(rng)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Dense(n_in, n_out, init=init, rng=gen, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(activation_layer(activation))
    if output is not None:
        layers.append(activation_layer(output))
    return Sequential(layers)
