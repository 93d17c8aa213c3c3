"""A tiny language model: predict the next token, measure it, and write with it (chapter 7).

Next-token prediction is classification: at every position the model outputs one score
(logit) per token of the vocabulary; softmax turns them into probabilities, and training
lowers the cross-entropy of the token that really came next.

- ``next_token_probabilities(model, ids, temperature)``: the distribution of the next token.
- ``generate(model, prompt_ids, n, temperature, rng)``: append n sampled tokens, one by one.
- ``perplexity(p_correct)``: exp of the mean negative log-probability of the correct tokens,
  "how many tokens the model hesitates between"; ``perplexity_from_loss(loss)`` = exp(loss).

A model here is anything with ``forward(ids (B, T)) -> logits (B, T, vocab)`` and an int
``context`` (the longest input it reads).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nnlib._utils import as_float_array, as_rng
from nnlib.activations import softmax

__all__ = [
    "perplexity",
    "perplexity_from_loss",
    "next_token_probabilities",
    "generate",
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
