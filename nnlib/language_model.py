"""A tiny language model: predict the next token, measure it, and write with it (chapter 7).

Next-token prediction is classification: at every position the model outputs one score
(logit) per token of the vocabulary; softmax turns them into probabilities, and training
lowers the cross-entropy of the token that really came next.

- ``next_token_probabilities(model, ids, temperature)``: the distribution of the next token.
- ``generate(model, prompt_ids, n, temperature, rng)``: append n sampled tokens, one by one.
- ``perplexity(p_correct)``: exp of the mean negative log-probability of the correct tokens,
  "how many tokens the model hesitates between"; ``perplexity_from_loss(loss)`` = exp(loss).
- ``TransformerLM``: token and position embeddings, transformer blocks, a final LayerNorm and
  an output layer to one logit per vocabulary token (GPT-2's layout, tiny).
- ``train_language_model(model, ids, steps, batch_size, lr, rng)``: Adam on random windows of
  a long list of token ids; ``load_corpus()``: the text that ships with nnlib to train on.

A model for the first three is anything with ``forward(ids (B, T)) -> logits (B, T, vocab)``
and an int ``context`` (the longest input it reads).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlib._utils import as_float_array, as_rng
from nnlib.activations import log_softmax, softmax
from nnlib.attention import Embedding, LayerNorm, TransformerBlock
from nnlib.layers import Layer, Parameter
from nnlib.optim import Adam

__all__ = [
    "perplexity",
    "perplexity_from_loss",
    "next_token_probabilities",
    "generate",
    "TransformerLM",
    "train_language_model",
    "TrainingHistory",
    "load_corpus",
    "CORPUS_SOURCE",
]


# ----------------------------------------------------------------------------- measuring


def perplexity(p_correct: Any) -> float:
    """``exp(-mean(log p))`` of the probabilities the model gave to the correct next tokens.

    A model that always gives the right token probability 1 has perplexity 1; one that spreads
    its probability evenly over V tokens has perplexity V. Example: ``perplexity([0.5, 0.25])``
    is ``exp((ln 2 + ln 4) / 2) = sqrt(8) = 2.83``.
    """
    p = as_float_array(p_correct, "p_correct", "perplexity").ravel()
    if p.size == 0:
        raise ValueError("perplexity expected at least one probability, got none")
    if not np.all((p >= 0) & (p <= 1)):
        bad = p[~((p >= 0) & (p <= 1))][0]
        raise ValueError(f"perplexity expected probabilities between 0 and 1, got {bad!r}. "
                         "Hint: pass the probability of each correct token (after softmax), "
                         "not logits or log-probabilities.")
    with np.errstate(divide="ignore"):  # p = 0 gives log 0 = -inf: perplexity infinity
        return float(np.exp(-np.mean(np.log(p))))


def perplexity_from_loss(loss: float) -> float:
    """``exp(loss)`` for a mean cross-entropy loss in nats (natural log): the same number as
    ``perplexity`` of the probabilities that gave that loss."""
    if isinstance(loss, bool) or not isinstance(loss, (numbers.Real, np.floating)):
        raise TypeError(f"perplexity_from_loss expected a number (a mean cross-entropy), got "
                        f"{loss!r}")
    if not loss >= 0:
        raise ValueError(f"perplexity_from_loss expected a cross-entropy >= 0, got {loss!r}")
    return float(np.exp(loss))


# ----------------------------------------------------------------------------- writing


def _check_model(model: Any, who: str) -> int:
    context = getattr(model, "context", None)
    if not callable(getattr(model, "forward", None)) or not isinstance(context, numbers.Integral):
        raise TypeError(f"{who} expected a language model with forward(ids) and an int "
                        f"context (such as TransformerLM), got {type(model).__name__}")
    return int(context)


def _check_prompt(ids: Any, who: str) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or arr.size == 0 or (arr.dtype.kind not in "iu"):
        raise ValueError(f"{who} expected a non-empty list of integer token ids, got "
                         f"{ids!r:.60}. Hint: encode the prompt with the tokenizer first.")
    return arr.astype(np.int64)


def next_token_probabilities(model: Any, ids: Any, temperature: float = 1.0) -> np.ndarray:
    """Probabilities of the next token after ``ids``, shape (vocab,).

    The model reads the last ``model.context`` ids (a batch of one); the logits of the last
    position, divided by the temperature, go through softmax. Temperature 0 gives the one-hot
    vector of the most likely token (the first one if several tie).
    """
    context = _check_model(model, "next_token_probabilities")
    ids = _check_prompt(ids, "next_token_probabilities")[-context:]
    logits = model.forward(ids[None, :])[0, -1]
    return softmax(logits, temperature=temperature)


def generate(model: Any, prompt_ids: Any, n: int, temperature: float = 1.0,
             rng: None | int | np.random.Generator = None) -> list[int]:
    """The prompt followed by ``n`` new tokens, each drawn from ``next_token_probabilities``.

    Temperature 0 always takes the most likely token (the same text every time); otherwise the
    token is sampled with ``rng`` (None, an int seed or a Generator: the same seed gives the
    same text). Returns a list of ``len(prompt_ids) + n`` ints.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"generate expected the number of new tokens n to be an int >= 0, "
                         f"got {n!r}")
    _check_model(model, "generate")
    ids = [int(i) for i in _check_prompt(prompt_ids, "generate")]
    rng = as_rng(rng)
    for _ in range(int(n)):
        p = next_token_probabilities(model, ids, temperature)
        if temperature == 0:
            ids.append(int(np.argmax(p)))
        else:
            ids.append(int(rng.choice(len(p), p=p)))
    return ids


# ----------------------------------------------------------------------------- the model


class TransformerLM(Layer):
    """A GPT-style language model: ids (B, T) -> logits (B, T, vocab_size).

    ::

        x = tok_emb(ids) + pos_emb(0, 1, ..., T-1)      (B, T, C)   C = d_model
        x = block(x), for each of the n_layers blocks   (B, T, C)
        logits = ln_f(x) @ W_out                         (B, T, V)   W_out (C, V), no bias

    The logits at position t score the token that comes AFTER ids[:, t]; the causal attention
    makes them depend on ids[:, :t+1] only. ``context`` is the longest input (the number of
    position embeddings). The parameter count is exactly
    ``nnlib.scale.transformer_parameters(n_layers, d_model, vocab_size, d_ff,
    n_positions=context, tied_embeddings=False)``.
    """

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int,
                 context: int, d_ff: int | None = None,
                 rng: None | int | np.random.Generator = None) -> None:
        for name, value in (("vocab_size", vocab_size), ("d_model", d_model),
                            ("n_heads", n_heads), ("n_layers", n_layers), ("context", context)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"TransformerLM expected {name} to be a positive int, "
                                 f"got {value!r}")
        rng = as_rng(rng)
        self.vocab_size, self.d_model, self.n_heads = int(vocab_size), int(d_model), int(n_heads)
        self.n_layers, self.context = int(n_layers), int(context)
        self.tok_emb = Embedding(self.vocab_size, self.d_model, rng=rng)
        self.pos_emb = Embedding(self.context, self.d_model, rng=rng)
        self.blocks = [TransformerBlock(self.d_model, self.n_heads, d_ff, rng=rng)
                       for _ in range(self.n_layers)]
        self.d_ff = self.blocks[0].d_ff
        self.ln_f = LayerNorm(self.d_model)
        W = rng.standard_normal((self.d_model, self.vocab_size)) * 0.02
        self._W_out = Parameter("W_out", W, np.zeros_like(W))  # self.W_out, self.dW_out
        self._cache: tuple | None = None
        self._dlogits: np.ndarray | None = None

    @property
    def W_out(self) -> np.ndarray:
        """Output weights, shape (d_model, vocab_size): column i scores token i."""
        return self._W_out.value

    @property
    def dW_out(self) -> np.ndarray:
        """Gradient of the loss with respect to W_out from the last backward."""
        return self._W_out.grad

    def sublayers(self) -> list[Layer]:
        """The layers the model is made of, in the order of the forward pass."""
        return [self.tok_emb, self.pos_emb, *self.blocks, self.ln_f]

    @property
    def config(self) -> dict[str, int]:
        """The numbers that define the model's shape (saved with its weights)."""
        return {"vocab_size": self.vocab_size, "d_model": self.d_model,
                "n_heads": self.n_heads, "n_layers": self.n_layers,
                "context": self.context, "d_ff": self.d_ff}

    def _checked_ids(self, ids: Any) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim == 1:
            raise ValueError(f"TransformerLM expected a batch of id sequences, shape (B, T), got "
                             f"shape {ids.shape}. Hint: one sequence is a batch of one: "
                             "np.array(ids)[None].")
        if ids.ndim != 2 or ids.shape[1] < 1:
            raise ValueError(f"TransformerLM expected ids of shape (B, T), got shape {ids.shape}")
        if ids.shape[1] > self.context:
            raise ValueError(f"TransformerLM reads at most context={self.context} tokens, got "
                             f"T={ids.shape[1]}. Hint: keep the last {self.context}: "
                             f"ids[:, -{self.context}:].")
        return ids

    def forward(self, ids: Any) -> np.ndarray:
        """Return the logits, shape (B, T, vocab_size), for ids of shape (B, T)."""
        ids = self._checked_ids(ids)
        T = ids.shape[1]
        x = self.tok_emb.forward(ids) + self.pos_emb.forward(np.arange(T)[None, :])
        for block in self.blocks:
            x = block.forward(x)
        h = self.ln_f.forward(x)
        self._cache = h
        self._dlogits = None  # a new forward pass: the last loss's gradient no longer applies
        return h @ self.W_out

    def backward(self, dlogits: np.ndarray | None = None) -> None:
        """Gradients of every parameter from dlogits (B, T, vocab_size), or, if None, from the
        last ``loss``. Returns None (the input is integer ids)."""
        h = self._cached(self._cache)
        if dlogits is None:
            if self._dlogits is None:
                raise RuntimeError(
                    "TransformerLM.backward() without dlogits back-propagates the last loss, "
                    "and there is none for the last forward pass. Hint: call "
                    "model.loss(ids, targets) first, or pass the gradient of the logits.")
            dlogits = self._dlogits
        dlogits = np.asarray(dlogits, dtype=np.float64)
        expected = h.shape[:2] + (self.vocab_size,)
        if dlogits.shape != expected:
            raise ValueError(f"TransformerLM.backward expected dlogits with the shape of the "
                             f"logits {expected}, got shape {dlogits.shape}")
        C = self.d_model
        self._W_out.grad = h.reshape(-1, C).T @ dlogits.reshape(-1, self.vocab_size)
        dx = self.ln_f.backward(dlogits @ self.W_out.T)
        for block in reversed(self.blocks):
            dx = block.backward(dx)
        self.tok_emb.backward(dx)
        self.pos_emb.backward(dx.sum(axis=0, keepdims=True))  # one position row per batch
        return None

    def loss(self, ids: Any, targets: Any) -> float:
        """Mean cross-entropy of the next tokens: ``-mean log softmax(logits)[target]``.

        ids and targets have shape (B, T); targets[b, t] is the token that follows
        ids[b, t] (for a text window w: ids = w[:-1], targets = w[1:]). Also stores the
        gradient of the loss with respect to the logits, (softmax - one_hot) / (B T), which
        ``backward()`` (no argument) then uses.
        """
        logits = self.forward(ids)
        targets = np.asarray(targets)
        if targets.shape != logits.shape[:2] or targets.dtype.kind not in "iu":
            raise ValueError(f"TransformerLM.loss expected integer targets of the shape of ids "
                             f"{logits.shape[:2]}, got shape {targets.shape} (dtype "
                             f"{targets.dtype}). Hint: targets are the ids shifted by one: "
                             "ids = windows[:, :-1], targets = windows[:, 1:].")
        if targets.min() < 0 or targets.max() >= self.vocab_size:
            raise ValueError(f"TransformerLM.loss expected targets from 0 to "
                             f"{self.vocab_size - 1}, got values from {targets.min()} to "
                             f"{targets.max()}")
        # all B * T positions as rows: logp (N, V), one target per row
        logp = log_softmax(logits.reshape(-1, self.vocab_size), axis=-1)
        rows, cols = np.arange(len(logp)), targets.ravel()
        dlogits = np.exp(logp)          # softmax
        dlogits[rows, cols] -= 1        # minus the one-hot of the target
        self._dlogits = (dlogits / len(logp)).reshape(logits.shape)
        return float(-logp[rows, cols].mean())

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(name, parameter) pairs, e.g. ``("blocks.0.attn.W_q", ...)``, in a fixed order."""
        named = [(f"{prefix}.{p.name}", p) for prefix, layer in (("tok_emb", self.tok_emb),
                                                                 ("pos_emb", self.pos_emb))
                 for p in layer.parameters()]
        for i, block in enumerate(self.blocks):
            named += [(f"blocks.{i}.{name}", p) for name, p in block.named_parameters()]
        named += [(f"ln_f.{p.name}", p) for p in self.ln_f.parameters()]
        named.append(("W_out", self._W_out))
        return named

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def n_parameters(self) -> int:
        """The number of trainable numbers."""
        return sum(p.size for p in self.parameters())

    def save(self, path: Any) -> None:
        """Write the configuration and every parameter to a .npz file."""
        arrays = {name: p.value for name, p in self.named_parameters()}
        arrays.update({f"config.{k}": np.array(v) for k, v in self.config.items()})
        with open(path, "wb") as f:  # np.savez would add .npz to a path without it
            np.savez(f, **arrays)

    @classmethod
    def load(cls, path: Any) -> TransformerLM:
        """A model with the configuration and weights saved by ``save``."""
        with np.load(path) as data:
            keys = ("vocab_size", "d_model", "n_heads", "n_layers", "context", "d_ff")
            missing = [k for k in keys if f"config.{k}" not in data]
            if missing:
                raise ValueError(f"TransformerLM.load: {path} is not a file written by "
                                 f"TransformerLM.save (it lacks config.{missing[0]})")
            model = cls(**{k: int(data[f"config.{k}"]) for k in keys}, rng=0)
            for name, p in model.named_parameters():
                if name not in data or data[name].shape != p.shape:
                    raise ValueError(f"TransformerLM.load: {path} has no parameter {name} of "
                                     f"shape {p.shape}")
                p.value[...] = data[name]
        return model

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.config.items())
        return f"TransformerLM({args})"


# ----------------------------------------------------------------------------- training


def _windows(ids: np.ndarray, length: int, batch_size: int,
             rng: np.random.Generator) -> np.ndarray:
    """batch_size random windows of ``length`` consecutive ids, shape (batch_size, length)."""
    starts = rng.integers(0, len(ids) - length + 1, size=batch_size)
    return ids[starts[:, None] + np.arange(length)]


@dataclass
class TrainingHistory:
    """What ``train_language_model`` measured: ``loss[i]`` is the training loss of step i
    (the mean cross-entropy of its batch, in nats; ln(vocab_size) for a model that knows
    nothing)."""

    loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)


def train_language_model(model: TransformerLM, ids: Any, steps: int, batch_size: int = 32,
                         lr: float = 3e-3, rng: None | int | np.random.Generator = None,
                         callback: Any = None) -> TrainingHistory:
    """Train ``model`` to predict the next token of the long id sequence ``ids``.

    Each step takes ``batch_size`` random windows of ``model.context + 1`` ids; the model reads
    the first ``context`` of each and is scored on the next one at every position (inputs
    ``w[:-1]``, targets ``w[1:]``), then Adam (learning rate ``lr``) updates every parameter.
    ``callback(step, loss)``, if given, is called after every step. Returns a
    ``TrainingHistory`` whose ``loss`` lists the training loss of every step.
    """
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"train_language_model expected {name} to be a positive int, "
                             f"got {value!r}")
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"train_language_model expected one long 1-D list of integer token "
                         f"ids, got shape {ids.shape} (dtype {ids.dtype}). Hint: "
                         "tokenizer.encode(text).")
    if len(ids) < model.context + 1:
        raise ValueError(f"train_language_model needs at least context + 1 = "
                         f"{model.context + 1} ids to cut one training window, got {len(ids)}")
    rng = as_rng(rng)
    optimizer = Adam(lr)
    history = TrainingHistory()
    for step in range(int(steps)):
        window = _windows(ids, model.context + 1, int(batch_size), rng)
        loss = model.loss(window[:, :-1], window[:, 1:])
        model.backward()
        optimizer.step(model.parameters())
        history.loss.append(loss)
        if callback is not None:
            callback(step, loss)
    return history


# ----------------------------------------------------------------------------- the corpus

CORPUS_FILE = Path(__file__).resolve().parent / "datasets" / "book_prose.txt"
CORPUS_SOURCE = ("the prose of this book's chapters 1-6 (book/01_*.md .. book/06_*.md) without "
                 "code, maths or markup, written by nnlib/datasets/make_corpus.py")


def load_corpus() -> str:
    """The text the chapter's tiny model trains on: about 90 KB of this book's own prose.

    One paragraph per line, printable ASCII only (83 different characters). It ships with
    nnlib (``nnlib/datasets/book_prose.txt``; no download); ``CORPUS_SOURCE`` says where it
    comes from and nnlib/datasets/README.md how it is made.
    """
    if not CORPUS_FILE.exists():
        raise FileNotFoundError(f"load_corpus: {CORPUS_FILE} is missing. Hint: reinstall nnlib "
                                "(pip install -e .) or run python nnlib/datasets/make_corpus.py "
                                "from the repository root.")
    return CORPUS_FILE.read_text(encoding="ascii")
