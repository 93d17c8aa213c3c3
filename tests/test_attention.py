"""Tests of nnlib.attention: causal mask, attention weights, scaled dot-product attention, and
the layers Embedding, LayerNorm, SelfAttention, TransformerBlock (gradient checks, PyTorch)."""

import numpy as np
import pytest
from conftest import OPTIONAL

from nnlib.attention import (
    Embedding,
    LayerNorm,
    SelfAttention,
    TransformerBlock,
    attention_weights,
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)
from nnlib.gradcheck import check_gradients
from nnlib.layers import Dense

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


# --- layers: Embedding, LayerNorm, SelfAttention, TransformerBlock --------------------------



TORCH_OPTIONAL = OPTIONAL + ("torch is not installed (a benchmark-only extra, not in "
                             "requirements.txt: pip install torch==2.13.0 to run these "
                             "agreement tests)")


def _data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def assert_gradients_pass(result):
    """Every gradient agrees, except b_k's, whose true value is exactly 0: adding b_k to every
    key adds the same number q_i . b_k to every score of row i, which softmax ignores. Its
    finite difference is then rounding noise (~1e-10), which the relative error cannot judge."""
    for key in [k for k in result.errors if k.startswith("b_k")]:
        assert np.abs(result.analytic[key]).max() < 1e-12, result.analytic[key]
        assert np.abs(result.numerical[key]).max() < 1e-7, result.numerical[key]
        del result.errors[key]
    assert result.passed(), result.report()


def test_embedding_looks_up_rows():
    emb = Embedding(5, 3, rng=0)
    ids = np.array([[0, 4, 4], [2, 1, 0]])
    Y = emb.forward(ids)
    assert Y.shape == (2, 3, 3)
    np.testing.assert_array_equal(Y[0, 1], emb.W[4])
    np.testing.assert_array_equal(Y[1], emb.W[[2, 1, 0]])


def test_embedding_is_a_dense_layer_on_one_hot_vectors():
    emb = Embedding(6, 4, rng=1)
    dense = Dense(6, 4)
    dense.W, dense.b = emb.W, np.zeros(4)
    ids = np.array([3, 0, 5, 3])
    np.testing.assert_allclose(emb.forward(ids[None])[0], dense.forward(np.eye(6)[ids]))


def test_embedding_backward_adds_the_rows_of_repeated_ids():
    emb = Embedding(4, 2, rng=0)
    ids = np.array([[1, 3, 1]])
    emb.forward(ids)
    dY = np.array([[[1.0, 2.0], [3.0, 4.0], [10.0, 20.0]]])
    assert emb.backward(dY) is None
    np.testing.assert_array_equal(emb.dW, [[0, 0], [11, 22], [0, 0], [3, 4]])


def test_embedding_gradients_pass_gradcheck():
    emb = Embedding(7, 3, rng=0)
    ids = np.array([[1, 2, 2, 6], [0, 6, 6, 6]])
    result = check_gradients(emb, ids, _data((2, 4, 3)), "mse")
    assert result.passed(), result.report()
    assert "input" not in result.errors  # integer ids have no gradient


def test_embedding_errors_teach():
    emb = Embedding(5, 2)
    with pytest.raises(ValueError, match="ids from 0 to 4.*got 5"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(TypeError, match="integer token ids"):
        emb.forward(np.array([[0.5, 1.0]]))
    with pytest.raises(RuntimeError, match="before forward"):
        Embedding(3, 2).backward(np.zeros((1, 1, 2)))


def test_layer_norm_normalises_each_token():
    ln = LayerNorm(4)
    X = _data((2, 3, 4)) * 5 + 3
    Y = ln.forward(X)
    np.testing.assert_allclose(Y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=-1), 1, rtol=1e-3)  # eps makes it a bit below 1
    ln.gamma[:] = [1, 2, 3, 4]
    ln.beta[:] = 1
    np.testing.assert_allclose(ln.forward(X), Y * [1, 2, 3, 4] + 1)


def test_layer_norm_gradients_pass_gradcheck():
    ln = LayerNorm(5)
    ln.gamma[:] = _data(5, seed=3)
    ln.beta[:] = _data(5, seed=4)
    result = check_gradients(ln, _data((2, 3, 5)), _data((2, 3, 5), seed=1), "mse")
    assert result.passed(), result.report()


def test_layer_norm_rejects_the_wrong_width():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 4\), got shape \(2, 3\)"):
        LayerNorm(4).forward(np.ones((2, 3)))


def test_self_attention_shapes_and_weights():
    att = SelfAttention(8, 2, rng=0)
    X = _data((3, 5, 8))
    Y = att.forward(X)
    assert Y.shape == (3, 5, 8)
    assert att.last_weights.shape == (3, 2, 5, 5)
    np.testing.assert_allclose(att.last_weights.sum(axis=-1), 1)
    assert np.all(att.last_weights[..., ~causal_mask(5)] == 0)
    assert att.W_q.shape == (8, 8) and att.b_o.shape == (8,)
    assert [p.name for p in att.parameters()] == ["W_q", "W_k", "W_v", "W_o",
                                                  "b_q", "b_k", "b_v", "b_o"]


def test_self_attention_equals_the_functions_head_by_head():
    att = SelfAttention(6, 3, rng=1)
    for p in att.parameters():
        p.value[...] = _data(p.shape, seed=len(p.name) + ord(p.name[-1]))
    X = _data((2, 4, 6), seed=5)
    heads = []
    for h in range(3):
        cols = slice(2 * h, 2 * h + 2)
        Q = X @ att.W_q[:, cols] + att.b_q[cols]
        K = X @ att.W_k[:, cols] + att.b_k[cols]
        V = X @ att.W_v[:, cols] + att.b_v[cols]
        heads.append(scaled_dot_product_attention(Q, K, V))
    expected = np.concatenate(heads, axis=-1) @ att.W_o + att.b_o
    np.testing.assert_allclose(att.forward(X), expected, atol=1e-12)


def test_self_attention_a_token_never_depends_on_later_tokens():
    att = SelfAttention(4, 2, rng=2)
    X = _data((1, 6, 4))
    Y = att.forward(X)
    X2 = X.copy()
    X2[0, 3:] += 10  # change the future of position 2
    np.testing.assert_allclose(att.forward(X2)[0, :3], Y[0, :3], atol=1e-12)
    assert not np.allclose(att.forward(X2)[0, 3:], Y[0, 3:])


@pytest.mark.parametrize("causal", [True, False])
def test_self_attention_gradients_pass_gradcheck(causal):
    att = SelfAttention(4, 2, causal=causal, rng=3)
    att.params["b_q"].value[:] = _data(4, seed=7)  # non-zero biases exercise their paths
    att.params["b_k"].value[:] = _data(4, seed=8)
    result = check_gradients(att, _data((2, 3, 4)), _data((2, 3, 4), seed=1), "mse")
    assert_gradients_pass(result)


def test_self_attention_needs_heads_that_divide_d_model():
    with pytest.raises(ValueError, match="n_heads to divide d_model.*d_model=6, n_heads=4"):
        SelfAttention(6, 4)
    with pytest.raises(ValueError, match=r"shape \(batch, time, 6\), got shape \(4, 6\)"):
        SelfAttention(6, 2).forward(np.ones((4, 6)))


def test_transformer_block_gradients_pass_gradcheck():
    block = TransformerBlock(4, 2, d_ff=6, rng=0)
    for ln in (block.ln1, block.ln2):
        ln.gamma[:] = 1 + 0.3 * _data(4, seed=11)
        ln.beta[:] = 0.2 * _data(4, seed=12)
    result = check_gradients(block, _data((2, 3, 4)), _data((2, 3, 4), seed=1), "mse")
    assert_gradients_pass(result)


def test_transformer_block_is_two_residual_steps():
    block = TransformerBlock(8, 2, rng=1)
    X = _data((2, 5, 8))
    H = X + block.attn.forward(block.ln1.forward(X))
    B, T, C = H.shape
    mlp = block.fc2.forward(block.act.forward(block.fc1.forward(
        block.ln2.forward(H).reshape(B * T, C)))).reshape(B, T, C)
    np.testing.assert_allclose(block.forward(X), H + mlp)
    assert block.d_ff == 32
    names = [name for name, _ in block.named_parameters()]
    assert names[:3] == ["ln1.gamma", "ln1.beta", "attn.W_q"]
    assert names[-2:] == ["fc2.W", "fc2.b"]
    assert block.sublayers() == [block.ln1, block.attn, block.ln2, block.fc1, block.act,
                                 block.fc2]
    assert block.parameters() == [p for layer in block.sublayers() for p in layer.parameters()]


@pytest.mark.parametrize("layer, X", [
    (Embedding(5, 3, rng=0), np.array([[1, 2, 0]])),
    (LayerNorm(3), _data((1, 2, 3))),
    (SelfAttention(4, 2, rng=0), _data((1, 3, 4))),
], ids=["Embedding", "LayerNorm", "SelfAttention"])
def test_every_parameter_is_named_as_its_array_and_its_gradient(layer, X):
    layer.backward(np.ones_like(layer.forward(X)))
    for p in layer.parameters():
        assert getattr(layer, p.name) is p.value        # layer.W is the W Parameter's value
        assert getattr(layer, "d" + p.name) is p.grad   # layer.dW is its gradient
    assert not hasattr(layer, "weight") and not hasattr(layer, "bias")


# --- agreement with PyTorch (only where torch is installed; it is not a requirement) ---------


def test_embedding_and_layer_norm_equal_pytorch():
    torch = pytest.importorskip("torch", reason=TORCH_OPTIONAL)
    emb = Embedding(9, 5, rng=0)
    ids = np.array([[1, 8, 8, 0], [3, 3, 2, 7]])
    dY = _data((2, 4, 5), seed=2)
    t_emb = torch.nn.Embedding(9, 5).double()
    with torch.no_grad():
        t_emb.weight.copy_(torch.tensor(emb.W))
    t_out = t_emb(torch.tensor(ids))
    t_out.backward(torch.tensor(dY))
    np.testing.assert_allclose(emb.forward(ids), t_out.detach().numpy(), atol=1e-12)
    emb.backward(dY)
    np.testing.assert_allclose(emb.dW, t_emb.weight.grad.numpy(), atol=1e-12)

    ln = LayerNorm(5)
    ln.gamma[:] = _data(5, seed=3)
    ln.beta[:] = _data(5, seed=4)
    X = _data((2, 4, 5), seed=5) * 3 + 1
    t_ln = torch.nn.LayerNorm(5).double()
    with torch.no_grad():
        t_ln.weight.copy_(torch.tensor(ln.gamma))
        t_ln.bias.copy_(torch.tensor(ln.beta))
    tX = torch.tensor(X, requires_grad=True)
    t_out = t_ln(tX)
    t_out.backward(torch.tensor(dY))
    np.testing.assert_allclose(ln.forward(X), t_out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ln.backward(dY), tX.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ln.dgamma, t_ln.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ln.dbeta, t_ln.bias.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("causal", [True, False])
def test_scaled_dot_product_attention_equals_pytorch(causal):
    torch = pytest.importorskip("torch", reason=TORCH_OPTIONAL)
    F = torch.nn.functional
    Q, K, V = _data((2, 3, 5, 4), 1), _data((2, 3, 5, 4), 2), _data((2, 3, 5, 6), 3)
    mask = torch.tensor(causal_mask(5)) if causal else None
    theirs = F.scaled_dot_product_attention(torch.tensor(Q), torch.tensor(K), torch.tensor(V),
                                            attn_mask=mask)
    np.testing.assert_allclose(scaled_dot_product_attention(Q, K, V, causal=causal),
                               theirs.numpy(), atol=1e-12)


def test_self_attention_forward_and_gradients_equal_pytorch():
    torch = pytest.importorskip("torch", reason=TORCH_OPTIONAL)
    F = torch.nn.functional
    B, T, C, h = 2, 5, 8, 2
    att = SelfAttention(C, h, rng=4)
    for name in ("b_q", "b_k", "b_v", "b_o"):
        att.params[name].value[:] = _data(C, seed=ord(name[-1]))
    X, dY = _data((B, T, C), 6), _data((B, T, C), 7)
    Y = att.forward(X)
    dX = att.backward(dY)

    tX = torch.tensor(X, requires_grad=True)
    tp = {name: torch.tensor(p.value, requires_grad=True) for name, p in att.params.items()}

    def heads(Z):
        return Z.reshape(B, T, h, C // h).transpose(1, 2)

    q = heads(tX @ tp["W_q"] + tp["b_q"])
    k = heads(tX @ tp["W_k"] + tp["b_k"])
    v = heads(tX @ tp["W_v"] + tp["b_v"])
    z = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(causal_mask(T)))
    t_out = z.transpose(1, 2).reshape(B, T, C) @ tp["W_o"] + tp["b_o"]
    t_out.backward(torch.tensor(dY))
    np.testing.assert_allclose(Y, t_out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dX, tX.grad.numpy(), atol=1e-12)
    for name, p in att.params.items():
        np.testing.assert_allclose(p.grad, tp[name].grad.numpy(), atol=1e-12, err_msg=name)
