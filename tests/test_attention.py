"""Tests of nnlib.attention: causal mask, attention weights, scaled dot-product attention."""

import numpy as np
import pytest

from nnlib.attention import (
    attention_weights,
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)

# The chapter's 3-token example: one head, d = 2.
Q3 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
K3 = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
V3 = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])


def test_causal_mask_is_the_lower_triangle_with_the_diagonal():
    np.testing.assert_array_equal(
        causal_mask(3), np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=bool))
    assert causal_mask(1).dtype == bool and causal_mask(1).shape == (1, 1)
    with pytest.raises(ValueError, match="T to be an int >= 1"):
        causal_mask(0)


def test_attention_weights_by_hand_on_three_tokens():
    A = attention_weights(Q3, K3)
    s = 1 / np.sqrt(2)
    # row 0 sees only token 0; row 1 sees tokens 0, 1 with scores 0 and 1/sqrt(2)
    np.testing.assert_allclose(A[0], [1, 0, 0])
    e = np.exp([0.0, s])
    np.testing.assert_allclose(A[1], [e[0] / e.sum(), e[1] / e.sum(), 0])
    e = np.exp([s, 2 * s, 2 * s])
    np.testing.assert_allclose(A[2], e / e.sum())


def test_attention_weights_rows_sum_to_one_and_never_look_ahead():
    rng = np.random.default_rng(0)
    Q, K = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 5, 4))
    A = attention_weights(Q, K)
    assert A.shape == (2, 3, 5, 5)
    np.testing.assert_allclose(A.sum(axis=-1), 1)
    assert np.all(A[..., ~causal_mask(5)] == 0)
    assert np.all(A[..., causal_mask(5)] > 0)


def test_attention_weights_softmax_is_over_the_keys_not_the_queries():
    rng = np.random.default_rng(1)
    Q, K = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    A = attention_weights(Q, K, causal=False)
    np.testing.assert_allclose(A.sum(axis=-1), 1)
    S = Q @ K.T / np.sqrt(3)
    np.testing.assert_allclose(A, np.exp(S) / np.exp(S).sum(axis=1, keepdims=True))


def test_attention_weights_default_scale_is_one_over_sqrt_d():
    rng = np.random.default_rng(2)
    Q, K = rng.normal(size=(4, 16)), rng.normal(size=(4, 16))
    np.testing.assert_allclose(attention_weights(Q, K), attention_weights(Q, K, scale=0.25))
    assert not np.allclose(attention_weights(Q, K), attention_weights(Q, K, scale=1.0))


def test_scaled_dot_product_attention_is_weights_times_values():
    Y = scaled_dot_product_attention(Q3, K3, V3)
    np.testing.assert_allclose(Y, attention_weights(Q3, K3) @ V3)
    np.testing.assert_allclose(Y[0], V3[0])  # the first token can only see itself


def test_masked_softmax_handles_large_scores_and_no_mask():
    S = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    np.testing.assert_allclose(masked_softmax(S), [[1, 0], [0, 1]])
    np.testing.assert_allclose(masked_softmax(S, causal_mask(2)), [[1, 0], [0, 1]])


def test_attention_errors_say_what_shapes_were_expected():
    with pytest.raises(ValueError, match="same size d"):
        attention_weights(np.ones((3, 2)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="at least 2 axes"):
        attention_weights(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="one value per key"):
        scaled_dot_product_attention(np.ones((3, 2)), np.ones((3, 2)), np.ones((4, 2)))
