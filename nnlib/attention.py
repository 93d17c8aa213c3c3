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
example). The layers below add the backward pass, each next to its forward pass:

- ``Embedding(vocab_size, d_model)``: a lookup table, ids (B, T) -> vectors (B, T, C);
- ``LayerNorm(d)``: each token's C numbers rescaled to mean 0 and variance 1, then scaled
  and shifted, ``gamma * x + beta``;
- ``SelfAttention(d_model, n_heads)``: queries, keys and values from the same tokens, several
  heads side by side, then an output matrix;
- ``TransformerBlock(d_model, n_heads)``: ``x + attention(LayerNorm(x))``, then ``x +
  MLP(LayerNorm(x))`` (the pre-LayerNorm layout of GPT-2).
"""

from __future__ import annotations

import numbers

import numpy as np

from nnlib._utils import as_float_array, as_rng
from nnlib.layers import GELU, Dense, Layer, Parameter

__all__ = [
    "causal_mask",
    "masked_softmax",
    "attention_weights",
    "scaled_dot_product_attention",
    "Embedding",
    "LayerNorm",
    "SelfAttention",
    "TransformerBlock",
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


# ----------------------------------------------------------------------------- layers


def _check_size(value: int, name: str, who: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{who} expected {name} to be a positive int, got {value!r}")
    return int(value)


def _check_btc(X: np.ndarray, C: int, who: str) -> np.ndarray:
    """X as a float array of shape (B, T, C), or an error saying what shape was expected."""
    X = as_float_array(X, "X", who)
    if X.ndim != 3 or X.shape[-1] != C:
        raise ValueError(f"{who} expected X of shape (batch, time, {C}), got shape {X.shape}. "
                         "Hint: one sequence of T tokens is a batch of one: X[None] has shape "
                         f"(1, T, {C}).")
    return X


def _check_dY(dY: np.ndarray, shape: tuple[int, ...], who: str) -> np.ndarray:
    dY = np.asarray(dY, dtype=np.float64)
    if dY.shape != shape:
        raise ValueError(f"{who}.backward expected dY with the shape of the forward output "
                         f"{shape}, got shape {dY.shape}")
    return dY


class Embedding(Layer):
    """A lookup table: token id ``i`` becomes row ``i`` of ``W``, a vector of d_model numbers.

    Looking up row i is the same as multiplying the one-hot vector of i by W (a Dense layer
    without bias on one-hot inputs), only without the multiplications by 0.

    Shapes: ``W`` (vocab_size, C); ids (B, T) integers in 0..vocab_size-1; output (B, T, C).
    ``rng`` (None, int seed or Generator) draws the initial W, normal with std 0.02 (GPT-2).
    """

    def __init__(self, vocab_size: int, d_model: int,
                 rng: None | int | np.random.Generator = None) -> None:
        self.vocab_size = _check_size(vocab_size, "vocab_size", "Embedding")
        self.d_model = _check_size(d_model, "d_model", "Embedding")
        W = as_rng(rng).standard_normal((self.vocab_size, self.d_model)) * 0.02
        self._W = Parameter("W", W, np.zeros_like(W))  # the Parameter named "W": self.W, self.dW
        self._ids: np.ndarray | None = None

    @property
    def W(self) -> np.ndarray:
        """The table, shape (vocab_size, d_model): row i is the vector of token i."""
        return self._W.value

    @property
    def dW(self) -> np.ndarray:
        """Gradient of the loss with respect to W from the last backward, shape of W."""
        return self._W.grad

    def _checked_ids(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.dtype.kind == "f" and np.all(ids == np.round(ids)):
            ids = ids.astype(np.int64)  # whole numbers stored as floats (check_gradients)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"Embedding expected integer token ids, got dtype {ids.dtype}. "
                            "Hint: encode the text with a tokenizer first.")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            bad = ids[(ids < 0) | (ids >= self.vocab_size)].ravel()[0]
            raise ValueError(f"Embedding expected ids from 0 to {self.vocab_size - 1} (the "
                             f"vocabulary size is {self.vocab_size}), got {bad}")
        return ids

    def forward(self, ids: np.ndarray) -> np.ndarray:
        """Return ``W[ids]``, shape ids.shape + (C,): (B, T) ids give (B, T, C)."""
        ids = self._checked_ids(ids)
        self._ids = ids
        return self.W[ids]

    def backward(self, dY: np.ndarray) -> None:
        """Add each row of dY (B, T, C) into the gradient of the row of W it came from.

        A token that occurs several times collects the sum of its rows (``np.add.at``, which,
        unlike ``dW[ids] += dY``, adds repeated ids more than once). Returns None: the input
        is integers, it has no gradient.
        """
        ids = self._cached(self._ids)
        dY = _check_dY(dY, ids.shape + (self.d_model,), "Embedding")
        dW = np.zeros_like(self.W)
        np.add.at(dW, ids.ravel(), dY.reshape(-1, self.d_model))
        self._W.grad = dW
        return None

    def parameters(self) -> list[Parameter]:
        return [self._W]

    def __repr__(self) -> str:
        return f"Embedding({self.vocab_size}, {self.d_model})"


class LayerNorm(Layer):
    """Normalise each token's d numbers to mean 0 and variance 1, then scale and shift.

    Forward, over the last axis (as ``torch.nn.LayerNorm(d)``)::

        mu = mean(x),  var = mean((x - mu)^2),  xhat = (x - mu) / sqrt(var + eps)
        y = gamma * xhat + beta

    Shapes: X (B, T, d) (any leading axes), ``gamma`` and ``beta`` (d,), output like X.
    gamma starts at 1 and beta at 0, so a new LayerNorm only normalises.
    """

    def __init__(self, d: int, eps: float = 1e-5) -> None:
        self.d = _check_size(d, "d", "LayerNorm")
        self.eps = float(eps)
        self._gamma = Parameter("gamma", np.ones(self.d), np.zeros(self.d))
        self._beta = Parameter("beta", np.zeros(self.d), np.zeros(self.d))
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def gamma(self) -> np.ndarray:
        """Scale, shape (d,)."""
        return self._gamma.value

    @property
    def beta(self) -> np.ndarray:
        """Shift, shape (d,)."""
        return self._beta.value

    @property
    def dgamma(self) -> np.ndarray:
        """Gradient of the loss with respect to gamma from the last backward, shape (d,)."""
        return self._gamma.grad

    @property
    def dbeta(self) -> np.ndarray:
        """Gradient of the loss with respect to beta from the last backward, shape (d,)."""
        return self._beta.grad

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return ``gamma * xhat + beta``, shape of X (..., d)."""
        X = as_float_array(X, "X", "LayerNorm")
        if X.ndim < 1 or X.shape[-1] != self.d:
            raise ValueError(f"LayerNorm expected X with {self.d} numbers on its last axis, "
                             f"shape (..., {self.d}), got shape {X.shape}")
        mu = X.mean(axis=-1, keepdims=True)
        var = ((X - mu) ** 2).mean(axis=-1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (X - mu) * inv_std
        self._cache = (xhat, inv_std)
        return self.gamma * xhat + self.beta

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Gradients of gamma and beta (summed over all tokens); return dX, shape of X.

        With g = dY * gamma (the gradient reaching xhat), and means over the last axis::

            dX = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps)

        (the two means remove the parts of g that would only move the mean or the size of
        the token's vector, which normalisation undoes anyway).
        """
        xhat, inv_std = self._cached(self._cache)
        dY = _check_dY(dY, xhat.shape, "LayerNorm")
        self._gamma.grad = (dY * xhat).reshape(-1, self.d).sum(axis=0)
        self._beta.grad = dY.reshape(-1, self.d).sum(axis=0)
        g = dY * self.gamma
        return (g - g.mean(axis=-1, keepdims=True)
                - xhat * (g * xhat).mean(axis=-1, keepdims=True)) * inv_std

    def parameters(self) -> list[Parameter]:
        return [self._gamma, self._beta]

    def __repr__(self) -> str:
        return f"LayerNorm({self.d})"


def _value(name: str, doc: str) -> property:
    """A read-only attribute ``layer.<name>``: the value of the parameter of that name."""
    return property(lambda self: self.params[name].value, doc=doc)


def _grad(name: str) -> property:
    """A read-only attribute ``layer.d<name>``: the gradient of the parameter of that name."""
    return property(lambda self: self.params[name].grad,
                    doc=f"Gradient of the loss with respect to {name} from the last backward.")


class SelfAttention(Layer):
    """Multi-head self-attention: every token attends to the tokens before it (and itself).

    Forward, for X (B, T, C), h heads of size d = C / h::

        Q = X @ W_q + b_q,  K = X @ W_k + b_k,  V = X @ W_v + b_v      (B, T, C) each
        split the C channels into h heads                              (B, h, T, d)
        A = softmax(Q @ K^T / sqrt(d), masked)                         (B, h, T, T)
        Z = A @ V, heads joined again                                  (B, T, C)
        Y = Z @ W_o + b_o                                              (B, T, C)

    All heads are computed at once by the reshape to (B, h, T, d): no loop over heads or time.
    After ``forward``, ``last_weights`` holds A (B, h, T, T), for plotting.
    Initial weights: normal with std 1/sqrt(C); biases 0.
    """

    def __init__(self, d_model: int, n_heads: int, causal: bool = True,
                 rng: None | int | np.random.Generator = None) -> None:
        self.d_model = _check_size(d_model, "d_model", "SelfAttention")
        self.n_heads = _check_size(n_heads, "n_heads", "SelfAttention")
        if self.d_model % self.n_heads:
            raise ValueError(f"SelfAttention expected n_heads to divide d_model (each head gets "
                             f"d_model / n_heads channels), got d_model={self.d_model}, "
                             f"n_heads={self.n_heads}")
        self.d_head = self.d_model // self.n_heads
        self.causal = bool(causal)
        rng = as_rng(rng)
        C = self.d_model
        self.params: dict[str, Parameter] = {}
        for name in ("W_q", "W_k", "W_v", "W_o"):
            W = rng.standard_normal((C, C)) / np.sqrt(C)
            self.params[name] = Parameter(name, W, np.zeros_like(W))
        for name in ("b_q", "b_k", "b_v", "b_o"):
            self.params[name] = Parameter(name, np.zeros(C), np.zeros(C))
        self.last_weights: np.ndarray | None = None
        self._cache: tuple | None = None

    W_q = _value("W_q", "Query weights, shape (C, C): column block i is head i's.")
    W_k = _value("W_k", "Key weights, shape (C, C).")
    W_v = _value("W_v", "Value weights, shape (C, C).")
    W_o = _value("W_o", "Output weights, shape (C, C): mix the heads' outputs.")
    b_q = _value("b_q", "Query bias, shape (C,).")
    b_k = _value("b_k", "Key bias, shape (C,).")
    b_v = _value("b_v", "Value bias, shape (C,).")
    b_o = _value("b_o", "Output bias, shape (C,).")
    dW_q, dW_k, dW_v, dW_o = _grad("W_q"), _grad("W_k"), _grad("W_v"), _grad("W_o")
    db_q, db_k, db_v, db_o = _grad("b_q"), _grad("b_k"), _grad("b_v"), _grad("b_o")

    def _split(self, Z: np.ndarray) -> np.ndarray:
        """(B, T, C) -> (B, h, T, d): head i gets channels i*d .. (i+1)*d - 1."""
        B, T, _ = Z.shape
        return Z.reshape(B, T, self.n_heads, self.d_head).transpose(0, 2, 1, 3)

    def _join(self, Z: np.ndarray) -> np.ndarray:
        """(B, h, T, d) -> (B, T, C), the inverse of ``_split``."""
        B, _, T, _ = Z.shape
        return Z.transpose(0, 2, 1, 3).reshape(B, T, self.d_model)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return Y, shape (B, T, C), for X of shape (B, T, C)."""
        X = _check_btc(X, self.d_model, "SelfAttention")
        p = self.params
        Q = self._split(X @ p["W_q"].value + p["b_q"].value)
        K = self._split(X @ p["W_k"].value + p["b_k"].value)
        V = self._split(X @ p["W_v"].value + p["b_v"].value)
        scale = 1.0 / np.sqrt(self.d_head)
        mask = causal_mask(X.shape[1]) if self.causal else None
        A = masked_softmax(Q @ K.transpose(0, 1, 3, 2) * scale, mask)   # (B, h, T, T)
        Z = self._join(A @ V)                                            # (B, T, C)
        self.last_weights = A
        self._cache = (X, Q, K, V, A, Z)
        return Z @ p["W_o"].value + p["b_o"].value

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Gradients of the 8 parameters; return dX, shape (B, T, C).

        The forward pass, backwards, step by step::

            dZ = dY @ W_o^T                    dW_o = Z^T dY,  db_o = sum of dY
            dA = dZ @ V^T,  dV = A^T @ dZ      (per head)
            dS = A * (dA - sum_j(dA * A)) / sqrt(d)   (softmax backward; masked entries: A = 0)
            dQ = dS @ K,    dK = dS^T @ Q
            dX = dQ W_q^T + dK W_k^T + dV W_v^T  (X fed all three)
        """
        X, Q, K, V, A, Z = self._cached(self._cache)
        dY = _check_dY(dY, X.shape, "SelfAttention")
        p, C = self.params, self.d_model
        X2, dY2 = X.reshape(-1, C), dY.reshape(-1, C)  # all tokens as rows
        p["W_o"].grad = Z.reshape(-1, C).T @ dY2
        p["b_o"].grad = dY2.sum(axis=0)
        dZ = self._split(dY @ p["W_o"].value.T)                 # (B, h, T, d)
        dA = dZ @ V.transpose(0, 1, 3, 2)                       # (B, h, T, T)
        dV = A.transpose(0, 1, 3, 2) @ dZ                       # (B, h, T, d)
        dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True)) / np.sqrt(self.d_head)
        dQ = dS @ K
        dK = dS.transpose(0, 1, 3, 2) @ Q
        dX = np.zeros_like(X)
        for name, d_heads in (("q", dQ), ("k", dK), ("v", dV)):
            d_proj = self._join(d_heads).reshape(-1, C)         # (B*T, C)
            p["W_" + name].grad = X2.T @ d_proj
            p["b_" + name].grad = d_proj.sum(axis=0)
            dX += (d_proj @ p["W_" + name].value.T).reshape(X.shape)
        return dX

    def parameters(self) -> list[Parameter]:
        return list(self.params.values())

    def __repr__(self) -> str:
        return f"SelfAttention({self.d_model}, n_heads={self.n_heads}, causal={self.causal})"


class TransformerBlock(Layer):
    """One transformer block, pre-LayerNorm as in GPT-2: attention, then an MLP, each added
    to its input (a residual connection)::

        x = x + attn(ln1(x))                   (B, T, C)   tokens exchange information
        y = x + mlp(ln2(x))                    (B, T, C)   each token is processed alone
        mlp = Dense(C, d_ff) -> GELU -> Dense(d_ff, C),   d_ff = 4 C by default

    The MLP is the network of chapters 2-4, applied to every token: its Dense layers see the
    B * T tokens as rows of one (B * T, C) batch. GELU is the tanh approximation (GPT-2's).
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None,
                 rng: None | int | np.random.Generator = None) -> None:
        self.d_model = _check_size(d_model, "d_model", "TransformerBlock")
        self.d_ff = 4 * self.d_model if d_ff is None else _check_size(d_ff, "d_ff",
                                                                       "TransformerBlock")
        rng = as_rng(rng)
        C = self.d_model
        self.ln1 = LayerNorm(C)
        self.attn = SelfAttention(C, n_heads, causal=True, rng=rng)
        self.ln2 = LayerNorm(C)
        self.fc1 = Dense(C, self.d_ff, init="he", rng=rng)
        self.act = GELU(approximate=True)
        self.fc2 = Dense(self.d_ff, C, init="xavier", rng=rng)
        self._shape: tuple[int, ...] | None = None

    def _mlp(self, X: np.ndarray) -> np.ndarray:
        B, T, C = X.shape
        H = self.act.forward(self.fc1.forward(X.reshape(B * T, C)))
        return self.fc2.forward(H).reshape(B, T, C)

    def _mlp_backward(self, dY: np.ndarray) -> np.ndarray:
        B, T, C = dY.shape
        dH = self.act.backward(self.fc2.backward(dY.reshape(B * T, C)))
        return self.fc1.backward(dH).reshape(B, T, C)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the block's output, shape (B, T, C), for X of shape (B, T, C)."""
        X = _check_btc(X, self.d_model, "TransformerBlock")
        self._shape = X.shape
        X = X + self.attn.forward(self.ln1.forward(X))
        return X + self._mlp(self.ln2.forward(X))

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Return dX, shape (B, T, C). A residual ``x + f(x)`` passes dY straight through
        and adds f's backward: ``dX = dY + f.backward(dY)``."""
        dY = _check_dY(dY, self._cached(self._shape), "TransformerBlock")
        dX = dY + self.ln2.backward(self._mlp_backward(dY))
        return dX + self.ln1.backward(self.attn.backward(dX))

    def sublayers(self) -> list[Layer]:
        """The layers this block is made of, in the order of the forward pass."""
        return [self.ln1, self.attn, self.ln2, self.fc1, self.act, self.fc2]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(name, parameter) pairs with the sub-layer in the name, e.g. ``("attn.W_q", ...)``."""
        parts = (("ln1", self.ln1), ("attn", self.attn), ("ln2", self.ln2),
                 ("fc1", self.fc1), ("fc2", self.fc2))
        return [(f"{prefix}.{p.name}", p) for prefix, layer in parts for p in layer.parameters()]

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def __repr__(self) -> str:
        return (f"TransformerBlock({self.d_model}, n_heads={self.attn.n_heads}, "
                f"d_ff={self.d_ff})")
