"""Tests of nnlib.layers: forward values, backward by finite differences, modes and errors."""

import numpy as np
import pytest

from nnlib.gradcheck import check_gradients, numerical_gradient
from nnlib.layers import (
    GELU,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    Parameter,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
    activation_layer,
)


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1e-9 for good gradients."""
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


# --- Dense: forward


def test_dense_reproduces_the_chapter_2_worked_example():
    layer = Dense(4, 2)
    layer.W = np.array([[2, 1, 1, -1], [1, 1, 1, 1]], dtype=float).T
    layer.b = np.array([-9.0, -7.0])
    out = layer.forward(np.array([[2, 5, 7, 3]]))
    np.testing.assert_array_equal(out, [[4.0, 10.0]])


def test_dense_forward_is_X_times_W_plus_b_for_a_batch():
    rng = np.random.default_rng(0)
    layer = Dense(3, 5, rng=1)
    layer.b = rng.standard_normal(5)
    X = rng.standard_normal((7, 3))
    out = layer.forward(X)
    assert out.shape == (7, 5)
    for row in range(7):
        np.testing.assert_allclose(out[row], X[row] @ layer.W + layer.b)


def test_dense_shapes_and_zero_biases_at_start():
    layer = Dense(3, 4, rng=0)
    assert layer.W.shape == (3, 4) and layer.b.shape == (4,)
    np.testing.assert_array_equal(layer.b, 0.0)
    assert [p.name for p in layer.parameters()] == ["W", "b"]
    assert all(isinstance(p, Parameter) for p in layer.parameters())


@pytest.mark.parametrize("init, expected_std", [
    ("he", np.sqrt(2 / 400)),
    ("xavier", np.sqrt(2 / (400 + 200))),
    ("normal", 0.01),
])
def test_dense_init_has_the_documented_standard_deviation(init, expected_std):
    W = Dense(400, 200, init=init, rng=0).W
    assert abs(W.mean()) < 0.05 * expected_std
    assert W.std() == pytest.approx(expected_std, rel=0.02)


def test_dense_zeros_init_and_seeded_init_are_reproducible():
    np.testing.assert_array_equal(Dense(3, 2, init="zeros").W, 0.0)
    np.testing.assert_array_equal(Dense(3, 2, rng=42).W, Dense(3, 2, rng=42).W)
    assert not np.array_equal(Dense(3, 2, rng=1).W, Dense(3, 2, rng=2).W)


def test_dense_float32_keeps_float32_through_forward_and_backward():
    layer = Dense(3, 2, rng=0, dtype=np.float32)
    X = np.ones((4, 3))  # float64 input is converted to the layer's dtype
    out = layer.forward(X)
    dX = layer.backward(np.ones((4, 2), dtype=np.float32))
    assert layer.W.dtype == out.dtype == dX.dtype == layer.dW.dtype == np.float32


def test_parameters_share_memory_with_W_and_b():
    layer = Dense(2, 2, rng=0)
    weight, bias = layer.parameters()
    weight.value -= 1.0  # what an optimiser does
    np.testing.assert_array_equal(layer.W, weight.value)
    layer.W = np.zeros((2, 2))  # what a reader does
    assert weight.value is layer.W
    layer.forward(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    assert weight.grad is layer.dW and bias.grad is layer.db


# --- Dense: backward


def test_dense_backward_matches_hand_formulas():
    rng = np.random.default_rng(3)
    layer = Dense(3, 2, rng=0)
    X = rng.standard_normal((5, 3))
    dY = rng.standard_normal((5, 2))
    layer.forward(X)
    dX = layer.backward(dY)
    np.testing.assert_allclose(layer.dW, X.T @ dY)
    np.testing.assert_allclose(layer.db, dY.sum(axis=0))
    np.testing.assert_allclose(dX, dY @ layer.W.T)


def test_dense_backward_matches_finite_differences_for_W_b_and_X():
    rng = np.random.default_rng(4)
    layer = Dense(4, 3, rng=5)
    layer.b = rng.standard_normal(3)
    X = rng.standard_normal((6, 4))
    R = rng.standard_normal((6, 3))

    def loss(_):
        return float(np.sum(layer.forward(X) * R))  # dL/dY = R

    layer.forward(X)
    dX = layer.backward(R)
    assert rel_error(layer.dW, numerical_gradient(loss, layer.W)) < 1e-7
    assert rel_error(layer.db, numerical_gradient(loss, layer.b)) < 1e-7
    assert rel_error(dX, numerical_gradient(loss, X)) < 1e-7


def test_dense_passes_nnlib_gradcheck_with_each_init():
    rng = np.random.default_rng(6)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    for init in ("he", "xavier", "normal"):
        result = check_gradients(Dense(3, 2, init=init, rng=0), X, Y, "mse")
        assert result.passed(1e-6), str(result)


def test_dense_backward_without_input_grad_returns_none_but_stores_grads():
    layer = Dense(3, 2, rng=0)
    X = np.arange(6.0).reshape(2, 3)
    layer.forward(X)
    layer.needs_input_grad = False
    assert layer.backward(np.ones((2, 2))) is None
    np.testing.assert_allclose(layer.dW, X.T @ np.ones((2, 2)))


# --- activation layers


ALL_ACTIVATION_LAYERS = [
    ReLU(), LeakyReLU(0.1), Sigmoid(), Tanh(), GELU(), GELU(approximate=True), SiLU(),
    Identity(), Softmax(),
]


@pytest.mark.parametrize("layer", ALL_ACTIVATION_LAYERS, ids=repr)
def test_activation_layer_backward_matches_finite_differences(layer):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((5, 4))
    X[np.abs(X) < 1e-3] = 0.5  # keep away from ReLU's kink
    result = check_gradients(layer, X, rng.standard_normal((5, 4)), "mse")
    assert result.passed(1e-7), str(result)


@pytest.mark.parametrize("layer", ALL_ACTIVATION_LAYERS + [Dense(4, 4, rng=0), Dropout(0.5, 0)],
                         ids=repr)
def test_backward_does_not_change_dY_in_place(layer):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((3, 4))
    layer.forward(X)
    dY = rng.standard_normal((3, 4))
    before = dY.copy()
    layer.backward(dY)
    np.testing.assert_array_equal(dY, before)


def test_activation_layer_forward_values():
    X = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ReLU().forward(X), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(LeakyReLU(0.1).forward(X), [[-0.2, 0.0, 3.0]])
    np.testing.assert_allclose(Sigmoid().forward(X), 1 / (1 + np.exp(-X)))
    np.testing.assert_allclose(Tanh().forward(X), np.tanh(X))
    np.testing.assert_allclose(SiLU().forward(X), X / (1 + np.exp(-X)))
    np.testing.assert_allclose(GELU().forward(np.array([[1.0]])), [[0.8413447460685429]])
    np.testing.assert_array_equal(Identity().forward(X), X)
    np.testing.assert_allclose(Softmax().forward(np.array([[5.0, 8.0, 15.0]])),
                               [[4.5e-5, 9.11e-4, 0.99904]], rtol=1e-2)


def test_relu_backward_passes_gradient_only_where_input_was_positive():
    layer = ReLU()
    layer.forward(np.array([[-1.0, 2.0, 0.0, 5.0]]))
    np.testing.assert_array_equal(layer.backward(np.array([[10.0, 20.0, 30.0, 40.0]])),
                                  [[0.0, 20.0, 0.0, 40.0]])


def test_softmax_layer_rows_sum_to_one_and_grad_of_constant_shift_is_zero():
    layer = Softmax()
    S = layer.forward(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(S.sum(axis=1), 1.0)
    # adding the same number to every upstream gradient of a row changes nothing
    np.testing.assert_allclose(layer.backward(np.ones((2, 3))), 0.0, atol=1e-15)


def test_activation_layer_factory_builds_each_layer_and_rejects_unknown_names():
    assert isinstance(activation_layer("relu"), ReLU)
    assert isinstance(activation_layer("ReLU"), ReLU)
    assert activation_layer("leaky_relu", alpha=0.2).alpha == 0.2
    assert isinstance(activation_layer("softmax"), Softmax)
    assert activation_layer("relu") is not activation_layer("relu")
    with pytest.raises(ValueError, match="unknown activation 'relux'.*relu"):
        activation_layer("relux")


def test_activation_layers_keep_float32():
    X = np.ones((2, 3), dtype=np.float32)
    for layer in ALL_ACTIVATION_LAYERS:
        out = layer.forward(X)
        assert out.dtype == np.float32, layer
        assert layer.backward(np.ones_like(out)).dtype == np.float32, layer


# --- Dropout


def test_dropout_in_training_zeroes_about_p_and_scales_the_rest():
    layer = Dropout(0.25, rng=0)
    X = np.ones((200, 100))
    out = layer.forward(X)
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert np.mean(out == 0) == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the mean
    dY = np.full(X.shape, 2.0)
    np.testing.assert_array_equal(layer.backward(dY), 2.0 * (out / X))  # same mask


def test_dropout_in_evaluation_mode_is_the_identity():
    layer = Dropout(0.5, rng=0)
    layer.training = False
    X = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(layer.forward(X), X)
    np.testing.assert_array_equal(layer.backward(X), X)


def test_dropout_is_reproducible_with_a_seed():
    X = np.ones((10, 10))
    np.testing.assert_array_equal(Dropout(0.5, rng=3).forward(X), Dropout(0.5, rng=3).forward(X))


# --- errors


def test_dense_error_names_expected_columns_and_given_shape():
    with pytest.raises(ValueError, match=r"Dense expected X with 3 columns, got shape \(5, 4\)"):
        Dense(3, 2).forward(np.zeros((5, 4)))


def test_dense_rejects_a_1d_example_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"got shape \(4,\).*reshape\(1, -1\)"):
        Dense(4, 2).forward(np.array([2, 5, 7, 3]))


def test_dense_rejects_bad_sizes_init_and_dtype():
    with pytest.raises(ValueError, match="n_in to be a positive int, got 0"):
        Dense(0, 2)
    with pytest.raises(ValueError, match="n_out to be a positive int, got 2.5"):
        Dense(3, 2.5)
    with pytest.raises(ValueError, match="init to be one of .*got 'kaiming'"):
        Dense(3, 2, init="kaiming")
    with pytest.raises(ValueError, match="dtype float32 or float64, got int64"):
        Dense(3, 2, dtype=np.int64)


def test_setting_W_with_the_wrong_shape_explains_the_layout():
    layer = Dense(4, 2)
    with pytest.raises(ValueError, match=r"W with shape \(4, 2\), got shape \(2, 4\).*one row"):
        layer.W = np.zeros((2, 4))


def test_backward_before_forward_and_wrong_dY_shape_are_errors():
    with pytest.raises(RuntimeError, match="backward called before forward"):
        Dense(3, 2).backward(np.zeros((1, 2)))
    with pytest.raises(RuntimeError, match="ReLU.backward called before forward"):
        ReLU().backward(np.zeros((1, 2)))
    layer = Dense(3, 2)
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dY with the shape of the forward output \(4, 2\)"):
        layer.backward(np.zeros((4, 3)))


def test_dropout_and_leaky_relu_reject_bad_arguments():
    with pytest.raises(ValueError, match="0 <= p < 1, got 1"):
        Dropout(1)
    with pytest.raises(ValueError, match="alpha to be a number >= 0, got -0.1"):
        LeakyReLU(-0.1)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="Dense expected X to contain real numbers"):
        Dense(2, 2).forward(np.array([["a", "b"]]))


# --- one contract and one set of names, for every layer of nnlib


def _every_layer():
    """name -> (a function making the layer, an input batch for it): every Layer class of
    nnlib's core. A layer whose input is not real numbers (token ids) returns None from
    backward: list its name in INPUT_NOT_DIFFERENTIABLE."""
    from nnlib.attention import Embedding, LayerNorm, SelfAttention, TransformerBlock
    from nnlib.conv import AvgPool2D, Conv2D, Flatten, MaxPool2D
    from nnlib.language_model import TransformerLM
    from nnlib.network import Sequential

    rng = np.random.default_rng(5)
    rows, images = rng.standard_normal((4, 3)), rng.standard_normal((2, 2, 6, 6))
    sequences, ids = rng.standard_normal((2, 3, 4)), rng.integers(0, 5, size=(2, 3))
    return {
        "Dense": (lambda: Dense(3, 2, rng=0), rows),
        "ReLU": (ReLU, rows), "LeakyReLU": (LeakyReLU, rows), "Sigmoid": (Sigmoid, rows),
        "Tanh": (Tanh, rows), "GELU": (GELU, rows), "SiLU": (SiLU, rows),
        "Identity": (Identity, rows), "Softmax": (Softmax, rows),
        "Dropout": (lambda: Dropout(0.5, rng=0), rows),
        "Conv2D": (lambda: Conv2D(2, 3, 3, padding=1, rng=0), images),
        "MaxPool2D": (lambda: MaxPool2D(2), images), "AvgPool2D": (lambda: AvgPool2D(2), images),
        "Flatten": (Flatten, images),
        "Sequential": (lambda: Sequential([Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1)]),
                       rows),
        "Embedding": (lambda: Embedding(5, 4, rng=0), ids),
        "LayerNorm": (lambda: LayerNorm(4), sequences),
        "SelfAttention": (lambda: SelfAttention(4, 2, rng=0), sequences),
        "TransformerBlock": (lambda: TransformerBlock(4, 2, rng=0), sequences),
        "TransformerLM": (lambda: TransformerLM(5, 4, 2, 1, context=3, rng=0), ids),
    }


EVERY_LAYER = _every_layer()
INPUT_NOT_DIFFERENTIABLE = {"Embedding", "TransformerLM"}  # their input is token ids


def test_every_layer_class_of_the_core_is_covered_by_the_contract_tests():
    import nnlib
    from nnlib.layers import Layer

    exported = {name for name, value in vars(nnlib).items()
                if isinstance(value, type) and issubclass(value, Layer) and value is not Layer}
    assert exported <= set(EVERY_LAYER), f"add {sorted(exported - set(EVERY_LAYER))} here"


@pytest.mark.parametrize("name", sorted(EVERY_LAYER))
def test_every_layer_backward_returns_dX_with_the_shape_of_X(name):
    make, X = EVERY_LAYER[name]
    layer = make()
    out = layer.forward(X)
    dY = np.ones_like(out)
    dX = layer.backward(dY)
    if name in INPUT_NOT_DIFFERENTIABLE:
        assert dX is None
    else:
        assert dX.shape == X.shape
    np.testing.assert_array_equal(dY, np.ones_like(out))  # dY not changed in place


@pytest.mark.parametrize("name", sorted(EVERY_LAYER))
def test_every_layer_may_skip_dX_when_its_input_needs_no_gradient(name):
    make, X = EVERY_LAYER[name]
    layer = make()
    grads = {}
    for needed in (True, False):
        layer.needs_input_grad = needed
        layer.forward(X)
        dX = layer.backward(np.ones_like(layer.forward(X)))
        assert dX is None or dX.shape == X.shape
        grads[needed] = [p.grad.copy() for p in layer.parameters()]
    for with_dX, without in zip(grads[True], grads[False], strict=True):
        np.testing.assert_array_equal(with_dX, without)  # the parameters' gradients are the same


@pytest.mark.parametrize("name", sorted(EVERY_LAYER))
def test_every_layer_has_train_and_eval(name):
    layer = EVERY_LAYER[name][0]()
    assert layer.eval() is layer and not layer.training
    assert layer.train() is layer and layer.training


def _layer_tree(layer):
    """The layer and, recursively, the layers it is made of (``sublayers()``)."""
    yield layer
    for sub in layer.sublayers():
        yield from _layer_tree(sub)


@pytest.mark.parametrize("name", sorted(EVERY_LAYER))
def test_every_parameter_is_named_as_its_array_and_its_gradient(name):
    make, X = EVERY_LAYER[name]
    top = make()
    top.backward(np.ones_like(top.forward(X)))
    owned = []
    for layer in _layer_tree(top):
        inner = {id(p) for sub in layer.sublayers() for p in sub.parameters()}
        for p in layer.parameters():
            if id(p) in inner:
                continue  # a sublayer's parameter: checked on that sublayer
            owned.append(p)
            assert isinstance(p, Parameter)
            assert getattr(layer, p.name) is p.value        # layer.W is the W Parameter's value
            assert getattr(layer, "d" + p.name) is p.grad   # layer.dW is its gradient
        assert not hasattr(layer, "weight") and not hasattr(layer, "bias")
    assert sorted(map(id, owned)) == sorted(map(id, top.parameters()))  # each one, once
