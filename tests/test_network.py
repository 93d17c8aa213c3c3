"""Tests of nnlib.network: Sequential, History, count_parameters, mlp, and their errors."""

import numpy as np
import pytest

from nnlib.conv import Flatten
from nnlib.gradcheck import check_gradients
from nnlib.layers import (
    GELU,
    Dense,
    Dropout,
    Identity,
    Layer,
    LeakyReLU,
    Parameter,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from nnlib.losses import CrossEntropy
from nnlib.network import History, Sequential, count_parameters, mlp
from nnlib.optim import SGD, Adam

RNG = np.random.default_rng(0)
X6 = RNG.standard_normal((6, 3))
Y6 = np.array([0, 1, 1, 0, 1, 0])


def spam_network():
    """The 3-4-2 network of chapter 2."""
    return Sequential([Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1)])


# --- counting


def test_count_parameters_of_the_chapter_2_spam_network_is_26():
    assert count_parameters([3, 4, 2]) == 26  # 3*4 + 4 + 4*2 + 2
    assert spam_network().n_params == 26


@pytest.mark.parametrize("sizes", [[784, 256, 128, 10], [2, 16, 16, 2], [1, 1]])
def test_count_parameters_agrees_with_a_built_network(sizes):
    assert mlp(sizes, rng=0).n_params == count_parameters(sizes)


@pytest.mark.parametrize("bad", [[3], [], [3, 0, 2], [3, 2.5], "32", [3, True]])
def test_count_parameters_rejects_bad_layer_sizes(bad):
    with pytest.raises(ValueError, match="count_parameters expected"):
        count_parameters(bad)


# --- forward, backward, parameters


def test_forward_applies_the_layers_in_order():
    model = spam_network()
    d1, _, d2 = model.layers
    expected = np.maximum(X6 @ d1.W + d1.b, 0) @ d2.W + d2.b
    np.testing.assert_allclose(model.forward(X6), expected)
    np.testing.assert_allclose(model(X6), expected)


def test_layers_can_be_indexed_and_counted():
    model = spam_network()
    assert len(model) == 3 and model[0] is model.layers[0] and model[-1] is model.layers[2]


def test_parameters_are_the_layers_parameters_labelled_by_position():
    model = spam_network()
    params = model.parameters()
    assert [p.name for p in params] == ["W", "b", "W", "b"]  # the layers' own names, kept
    assert params[0] is model.layers[0].parameters()[0] and params[0].value is model.layers[0].W
    assert [(label, p) for label, p in model.named_parameters()] == [
        ("layers[0].W", params[0]), ("layers[0].b", params[1]), ("layers[2].W", params[2]),
        ("layers[2].b", params[3])]


def test_named_parameters_of_a_nested_network_give_the_whole_path():
    inner = Sequential([Dense(3, 3, rng=0), ReLU()])
    model = Sequential([inner, Dense(3, 2, rng=1)])
    assert [label for label, _ in model.named_parameters()] == [
        "layers[0].layers[0].W", "layers[0].layers[0].b", "layers[1].W", "layers[1].b"]
    assert [label for label, _ in inner.named_parameters()] == ["layers[0].W", "layers[0].b"]


def test_backward_returns_input_gradient_and_fills_parameter_grads():
    model = spam_network()
    out = model.forward(X6)
    dY = np.ones_like(out)
    dX = model.backward(dY)
    assert dX.shape == X6.shape
    d1, relu, d2 = model.layers
    dH = dY @ d2.W.T * (X6 @ d1.W + d1.b > 0)
    np.testing.assert_allclose(d2.dW, relu.forward(X6 @ d1.W + d1.b).T @ dY)
    np.testing.assert_allclose(d1.dW, X6.T @ dH)
    np.testing.assert_allclose(dX, dH @ d1.W.T)


def test_backward_without_input_grad_still_fills_every_parameter_grad():
    model = spam_network()
    model.forward(X6)
    model.backward(np.ones((6, 2)))
    full = [p.grad.copy() for p in model.parameters()]
    model.needs_input_grad = False
    assert not model.layers[0].needs_input_grad  # the flag is the first layer's
    assert model.backward(np.ones((6, 2))) is None
    for p, g in zip(model.parameters(), full, strict=True):
        np.testing.assert_allclose(p.grad, g)
    model.needs_input_grad = True
    assert model.backward(np.ones((6, 2))).shape == X6.shape


def test_needs_input_grad_of_a_nested_network_reaches_its_first_layer():
    inner = Sequential([Dense(3, 3, rng=0), ReLU()])
    model = Sequential([inner, Dense(3, 2, rng=1)])
    model.needs_input_grad = False
    assert not inner.needs_input_grad and not inner.layers[0].needs_input_grad
    assert model.layers[1].needs_input_grad  # only the first layer's input is the data
    model.forward(X6)
    assert model.backward(np.ones((6, 2))) is None


class FirstLayerSpy(Dense):
    """A Dense layer that records whether its dX was wanted at each backward call."""

    def backward(self, dY):
        self.asked.append(self.needs_input_grad)
        return super().backward(dY)


def test_training_skips_the_data_gradient_and_restores_the_flag():
    spy = FirstLayerSpy(3, 4, rng=0)
    spy.asked = []
    model = Sequential([spy, ReLU(), Dense(4, 2, rng=1)])
    model.train_step(X6, Y6, "cross_entropy", SGD(0.1))
    model.fit(X6, Y6, "cross_entropy", SGD(0.1), epochs=2, batch_size=3, rng=0)
    assert spy.asked == [False] * 5  # one step, then 2 epochs of 2 batches
    assert model.needs_input_grad and spy.needs_input_grad  # back as it was
    model.forward(X6)
    assert model.backward(np.ones((6, 2))).shape == X6.shape


class TokenRows(Layer):
    """A layer whose input is integer ids (like an embedding): backward returns None."""

    def __init__(self, n_ids, width, rng=0):
        table = np.random.default_rng(rng).normal(size=(n_ids, width))
        self._E = Parameter("E", table, np.zeros_like(table))

    def forward(self, ids):
        self._ids = np.asarray(ids).astype(np.int64)  # fit passes X as floats
        return self._E.value[self._ids]

    def backward(self, dY):
        self._E.grad = np.zeros_like(self._E.value)
        np.add.at(self._E.grad, self._ids, dY)
        return None

    def parameters(self):
        return [self._E]


def test_a_new_layer_type_trains_as_first_layer_without_special_cases():
    ids = np.array([[0, 1], [2, 3], [0, 2], [1, 3], [0, 0], [3, 1]])  # (batch, 2 tokens)
    model = Sequential([TokenRows(4, 3), Flatten(), Dense(6, 2, rng=1)])
    before = model.layers[0].parameters()[0].value.copy()
    history = model.fit(ids, ids[:, 0] % 2, "cross_entropy", SGD(0.5), epochs=20, batch_size=6)
    assert history.loss[-1] < history.loss[0]
    assert not np.array_equal(model.layers[0].parameters()[0].value, before)
    assert [label for label, _ in model.named_parameters()] == [
        "layers[0].E", "layers[2].W", "layers[2].b"]


ACTIVATIONS = [ReLU, lambda: LeakyReLU(0.1), Sigmoid, Tanh, GELU, lambda: GELU(True), SiLU,
               Identity]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=["relu", "leaky_relu", "sigmoid", "tanh",
                                                  "gelu", "gelu_tanh", "silu", "identity"])
@pytest.mark.parametrize("loss, y, n_out", [
    ("mse", RNG.standard_normal((6, 2)), 2),
    ("bce", None, 1),
    ("bce_logits", (RNG.random(6) > 0.5).astype(float), 1),
    ("cross_entropy", np.array([0, 1, 2, 2, 1, 0]), 3),
])
def test_gradients_of_a_network_agree_with_finite_differences(act, loss, y, n_out):
    layers = [Dense(3, 5, rng=1), act(), Dense(5, 4, rng=2), act(), Dense(4, n_out, rng=3)]
    if loss == "bce":  # probabilities: end with a sigmoid
        layers.append(Sigmoid())
        y = (RNG.random(6) > 0.5).astype(float)
    model = Sequential(layers)
    X = X6 + 0.01  # away from ReLU's kink at 0 for these weights
    result = check_gradients(model, X, y, loss)
    assert result.passed(1e-6), str(result)


def test_softmax_output_with_mse_has_correct_gradients():
    model = Sequential([Dense(3, 4, rng=1), Tanh(), Dense(4, 3, rng=2), Softmax()])
    result = check_gradients(model, X6, np.eye(3)[[0, 1, 2, 0, 1, 2]], "mse")
    assert result.passed(1e-6), str(result)


def test_float32_network_stays_float32_through_a_training_step():
    model = mlp([3, 4, 2], rng=0, dtype=np.float32)
    value = model.train_step(X6.astype(np.float32), np.array([0, 1, 0, 1, 0, 1]),
                             CrossEntropy(), Adam(0.01))
    assert isinstance(value, float)
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32
               for p in model.parameters())
    assert model.forward(X6).dtype == np.float32


# --- modes and predictions


def test_every_layer_has_train_and_eval():
    for layer in (Dense(2, 2, rng=0), ReLU(), Dropout(0.5), Identity()):
        assert layer.eval() is layer and not layer.training
        assert layer.train() is layer and layer.training


def test_train_and_eval_switch_dropout_and_nested_layers():
    inner = Sequential([Dense(3, 3, rng=0), Dropout(0.5, rng=0)])
    model = Sequential([inner, ReLU(), Dense(3, 2, rng=1)])
    assert model.eval() is model
    assert not model.training and not inner.training and not inner.layers[1].training
    np.testing.assert_array_equal(model.forward(X6), model.forward(X6))  # deterministic
    model.train()
    assert inner.layers[1].training
    assert not np.array_equal(model.forward(X6), model.forward(X6))  # new masks each call


def test_predict_uses_evaluation_mode_and_restores_training_mode():
    model = Sequential([Dense(3, 8, rng=0), Dropout(0.5, rng=1), Dense(8, 3, rng=2)])
    model.train()
    first = model.predict(X6)
    np.testing.assert_array_equal(first, model.predict(X6))
    assert model.training and model.layers[1].training


def test_predict_returns_argmax_for_several_outputs():
    model = Sequential([Identity()])
    out = np.array([[0.1, 0.7, 0.2], [3.0, -1.0, 0.0]])
    np.testing.assert_array_equal(model.predict(out), [1, 0])


def test_predict_thresholds_a_single_output_at_0_for_logits_and_0_5_after_sigmoid():
    logits = np.array([[-0.2], [0.1], [2.0]])
    np.testing.assert_array_equal(Sequential([Identity()]).predict(logits), [0, 1, 1])
    sigmoid_model = Sequential([Sigmoid()])  # sigmoid(0.1) = 0.525 > 0.5, sigmoid(-0.2) < 0.5
    np.testing.assert_array_equal(sigmoid_model.predict(logits), [0, 1, 1])
    np.testing.assert_array_equal(Sequential([Identity()]).predict(logits, threshold=1.0),
                                  [0, 0, 1])


def test_predict_looks_inside_a_nested_network_for_the_output_sigmoid():
    model = Sequential([Identity(), Sequential([Identity(), Sigmoid()])])
    np.testing.assert_array_equal(model.predict(np.array([[-0.2], [0.1]])), [0, 1])
    np.testing.assert_allclose(model.predict_proba(np.array([[0.0]])), [[0.5]])


def test_predict_proba_gives_probabilities():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    proba = Sequential([Identity()]).predict_proba(logits)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[1], 1 / 3)
    np.testing.assert_allclose(Sequential([Identity()]).predict_proba(np.array([[0.0]])), [[0.5]])
    np.testing.assert_allclose(Sequential([Softmax()]).predict_proba(logits), proba)


# --- fit and History


def test_fit_returns_one_history_entry_per_epoch_with_validation():
    X = RNG.standard_normal((50, 3))
    y = (X[:, 0] > 0).astype(int)
    model = mlp([3, 8, 2], rng=0)
    history = model.fit(X, y, "cross_entropy", SGD(0.1), epochs=4, batch_size=16,
                        validation_data=(X[:20], y[:20]), rng=0)
    assert isinstance(history, History) and len(history) == 4
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == 4
        assert all(np.isfinite(history[key]))
    assert history.loss[-1] < history.loss[0]
    assert history.as_dict()["val_accuracy"] == history.val_accuracy
    # the validation figures are exactly what evaluate() measures after training
    assert history.val_loss[-1] == pytest.approx(model.evaluate(X[:20], y[:20],
                                                                "cross_entropy")[0])


def test_fit_epoch_loss_is_the_batch_size_weighted_mean_of_the_step_losses():
    X = RNG.standard_normal((10, 3))
    y = np.array([0, 1] * 5)
    a, b = mlp([3, 4, 2], rng=0), mlp([3, 4, 2], rng=0)
    history = a.fit(X, y, "cross_entropy", SGD(0.1), epochs=1, batch_size=4, shuffle=False)
    steps = [b.train_step(X[i:i + 4], y[i:i + 4], "cross_entropy", SGD(0.1)) * len(X[i:i + 4])
             for i in range(0, 10, 4)]
    assert history.loss[0] == pytest.approx(sum(steps) / 10)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_allclose(p.value, q.value)


def test_fit_with_a_single_sigmoid_output_and_0_1_labels_of_shape_n():
    X = RNG.standard_normal((40, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = mlp([2, 4, 1], activation="tanh", output="sigmoid", rng=0)
    history = model.fit(X, y, "bce", Adam(0.05), epochs=30, batch_size=8, rng=0)
    assert history.accuracy[-1] >= 0.9
    assert model.predict(X).shape == (40,)


def test_fit_accuracy_is_nan_for_regression_targets():
    X = RNG.standard_normal((20, 2))
    history = mlp([2, 4, 1], rng=0).fit(X, X.sum(axis=1) * 0.3, "mse", SGD(0.01), epochs=2)
    assert np.isnan(history.accuracy).all() and np.isfinite(history.loss).all()


def test_fit_is_reproducible_with_seeds():
    X = RNG.standard_normal((30, 3))
    y = RNG.integers(0, 3, 30)

    def run():
        model = Sequential([Dense(3, 8, rng=1), ReLU(), Dropout(0.2, rng=2), Dense(8, 3, rng=3)])
        return model.fit(X, y, "cross_entropy", Adam(0.01), epochs=3, batch_size=7, rng=4).loss

    assert run() == run()


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_fit_stops_with_a_hint_when_the_loss_blows_up():
    X = RNG.standard_normal((20, 2)) * 100
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        mlp([2, 16, 1], rng=0).fit(X, X.sum(axis=1) ** 2, "mse", SGD(10.0), epochs=50)


# --- mlp and summary


def test_mlp_builds_dense_layers_with_activations_between_them():
    model = mlp([2, 16, 16, 2], rng=0)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "ReLU", "Dense", "ReLU", "Dense"]
    model = mlp([2, 3, 1], activation="tanh", output="sigmoid", rng=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Tanh", "Dense",
                                                                "Sigmoid"]
    assert model.layers[0].init == "xavier" and mlp([2, 3], rng=0).layers[0].init == "he"
    np.testing.assert_array_equal(mlp([2, 3, 1], rng=5).forward(X6[:, :2]),
                                  mlp([2, 3, 1], rng=5).forward(X6[:, :2]))


def test_summary_lists_layers_widths_and_the_total():
    text = spam_network().summary()
    assert "Dense(3, 4" in text and "(batch, 4)" in text and "(batch, 2)" in text
    assert "ReLU" in text
    assert text.splitlines()[-1] == "total parameters: 26"


# --- errors


def test_sequential_rejects_bad_layer_lists():
    with pytest.raises(ValueError, match="non-empty list of layers"):
        Sequential([])
    with pytest.raises(TypeError, match=r"class ReLU at position 1.*ReLU\(\)"):
        Sequential([Dense(2, 2), ReLU])
    with pytest.raises(TypeError, match="forward, backward and parameters"):
        Sequential([Dense(2, 2), np.tanh])


def test_mismatched_layer_sizes_name_the_layer_and_shapes():
    model = Sequential([Dense(3, 4), ReLU(), Dense(5, 2)])
    with pytest.raises(ValueError, match=r"Dense expected X with 5 columns, got shape \(6, 4\)"):
        model.forward(X6)


def test_fit_rejects_bad_arguments_with_clear_messages():
    model = mlp([3, 4, 2], rng=0)
    y = np.zeros(6, dtype=int)
    with pytest.raises(ValueError, match=r"one target per row of X \(6\), got y of shape \(5,\)"):
        model.fit(X6, y[:5], "cross_entropy", SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match="epochs to be a positive int, got 0"):
        model.fit(X6, y, "cross_entropy", SGD(0.1), epochs=0)
    with pytest.raises(ValueError, match="batch_size to be a positive int, got 2.5"):
        model.fit(X6, y, "cross_entropy", SGD(0.1), epochs=1, batch_size=2.5)
    with pytest.raises(TypeError, match="optimizer with a step method"):
        model.fit(X6, y, "cross_entropy", 0.1, epochs=1)
    with pytest.raises(ValueError, match="unknown loss 'crossentropy'"):
        model.fit(X6, y, "crossentropy", SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match=r"validation_data=\(X_val, y_val\)"):
        model.fit(X6, y, "cross_entropy", SGD(0.1), epochs=1, validation_data=X6)
    bad = X6.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="finite values in X"):
        model.fit(bad, y, "cross_entropy", SGD(0.1), epochs=1)


def test_predict_rejects_a_single_example_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        spam_network().predict(np.array([0.1, 0.2, 0.3]))


def test_mlp_rejects_unknown_activation_names():
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        mlp([2, 3, 1], activation="relu6")
