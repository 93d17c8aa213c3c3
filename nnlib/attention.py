"""Attention: each token takes a weighted average of the tokens before it (chapter 7).

Shapes: a batch of sequences is ``(B, T, C)``: B sequences, T tokens (time steps) each, C
numbers (channels) per token. A head works on ``d = C / n_heads`` channels of its own.

The scaled dot product, for queries Q (..., T, d), keys K (..., T, d) and values V (..., T, d_v)::

    scores  S = Q @ K^T / sqrt(d)           (..., T, T)   row i: how well query i matches key j
    mask        S[i, j] = -inf where j > i  (causal: a token must not see the future)
    weights A = softmax(S) over j           (..., T, T)   each row sums to 1
    output  Y = A @ V                       (..., T, d_v) row i: weighted average of values

Why sqrt(d): a dot product of two random d-vectors with unit-size entries has a spread of
about sqrt(d); dividing by it keeps the scores near 1 for any head size, so the softmax does
not saturate into a one-hot (where its gradient vanishes).

The functions here compute the forward pass only (the chapter builds them up on a 3-token
example); the layers below add the backward pass.
"""

from __future__ import annotations

import numbers

import numpy as np

from nnlib._utils import as_float_array

__all__ = [
    "causal_mask",
    "masked_softmax",
    "attention_weights",
    "scaled_dot_product_attention",
]


def _check_length(T: int, who: str) -> int:
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or T < 1:
        raise ValueError(f"{who} expected the sequence length T to be an int >= 1, got {T!r}")
    return int(T)


def causal_mask(T: int) -> np.ndarray:
    """Boolean (T, T): True where position i MAY attend to position j, that is j <= i.

    The lower triangle, diagonal included (PyTorch's convention for a boolean ``attn_mask``)::

        >>> causal_mask(3).astype(int)
        array([[1, 0, 0],
               [1, 1, 0],
               [1, 1, 1]])
    """
    T = _check_length(T, "causal_mask")
    return np.tril(np.ones((T, T), dtype=bool))


def masked_softmax(S: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis of S, with the entries where ``mask`` is False set to 0.

    S (..., T, T); mask (T, T) boolean or None (no mask). Equivalent to setting the masked
    scores to -inf before the softmax. Every row must keep at least one True entry.
    """
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    S = S - S.max(axis=-1, keepdims=True)  # stable: the largest exponent is exp(0) = 1
    E = np.exp(S)  # exp(-inf) = 0: masked entries get weight 0
    return E / E.sum(axis=-1, keepdims=True)


def _check_qkv(Q: np.ndarray, K: np.ndarray, V: np.ndarray | None, who: str):
    Q = as_float_array(Q, "Q", who)
    K = as_float_array(K, "K", who)
    if Q.ndim < 2 or K.ndim < 2:
        raise ValueError(f"{who} expected Q and K with at least 2 axes (..., T, d), got Q "
                         f"{Q.shape} and K {K.shape}. Hint: one sequence of T tokens is (T, d).")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"{who} expected queries and keys of the same size d (the last axis), "
                         f"got Q {Q.shape} and K {K.shape}")
    if V is not None:
        V = as_float_array(V, "V", who)
        if V.ndim < 2 or V.shape[-2] != K.shape[-2]:
            raise ValueError(f"{who} expected one value per key: V (..., T, d_v) with the T of "
                             f"K, got K {K.shape} and V {V.shape}")
    return Q, K, V


def _scale(scale: float | None, d: int) -> float:
    return 1.0 / np.sqrt(d) if scale is None else float(scale)


def attention_weights(Q: np.ndarray, K: np.ndarray, causal: bool = True,
                      scale: float | None = None) -> np.ndarray:
    """Attention weights ``softmax(Q @ K^T * scale)`` over the last axis (the keys).

    Q (..., T, d) and K (..., T, d); returns (..., T, T), each row sums to 1. ``scale``
    defaults to ``1 / sqrt(d)``. With ``causal=True`` position i gets weight 0 on every j > i.
    """
    Q, K, _ = _check_qkv(Q, K, None, "attention_weights")
    S = Q @ np.swapaxes(K, -1, -2) * _scale(scale, Q.shape[-1])
    if causal:
        if Q.shape[-2] != K.shape[-2]:
            raise ValueError(f"attention_weights: the causal mask needs as many queries as keys,"
                             f" got Q {Q.shape} and K {K.shape}")
        return masked_softmax(S, causal_mask(Q.shape[-2]))
    return masked_softmax(S)


def scaled_dot_product_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray,
                                 causal: bool = True, scale: float | None = None) -> np.ndarray:
    """``attention_weights(Q, K) @ V``: each output row is a weighted average of value rows.

    Q (..., T, d), K (..., T, d), V (..., T, d_v); returns (..., T, d_v). As
    ``torch.nn.functional.scaled_dot_product_attention(Q, K, V, is_causal=causal,
    scale=scale)``.
    """
    Q, K, V = _check_qkv(Q, K, V, "scaled_dot_product_attention")
    return attention_weights(Q, K, causal, scale) @ V
