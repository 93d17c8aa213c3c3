"""Tests of nnlib.gradcheck, and gradient checks of every layer, activation and loss."""

import numpy as np
import pytest

from nnlib.gradcheck import GradCheckResult, check_gradients, numerical_gradient, relative_error
from nnlib.layers import (
    GELU,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from nnlib.network import Sequential

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 3))
Y_REGRESSION = RNG.normal(size=(6, 2))
Y_LABELS = np.array([0, 1, 1, 0, 1, 0])
Y_BINARY = Y_LABELS.reshape(6, 1).astype(float)

ACTIVATION_LAYERS = {
    "relu": ReLU, "leaky_relu": lambda: LeakyReLU(0.1), "sigmoid": Sigmoid, "tanh": Tanh,
    "gelu": GELU, "gelu_tanh": lambda: GELU(approximate=True), "silu": SiLU,
    "identity": Identity,
}
# (loss name, targets, number of outputs of the network)
LOSS_CASES = {
    "mse": (Y_REGRESSION, 2),
    "cross_entropy": (Y_LABELS, 2),
    "bce_logits": (Y_BINARY, 1),
}


# --- numerical_gradient --------------------------------------------------------------------------

def test_numerical_gradient_of_sum_of_squares_is_two_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8)


def test_numerical_gradient_of_a_non_quadratic_function():
    x = np.array([0.3, -1.2, 2.0])
    g = numerical_gradient(lambda v: np.sum(np.sin(v) * np.exp(v)), x)
    np.testing.assert_allclose(g, np.exp(x) * (np.sin(x) + np.cos(x)), rtol=1e-8)


def test_numerical_gradient_uses_centred_differences():
    # for f(x) = x^3 at 1, forward differences err by about 3 eps, centred ones by eps^2
    g = numerical_gradient(lambda v: float(v[0] ** 3), np.array([1.0]), eps=1e-3)
    assert abs(g[0] - 3.0) < 2e-6


def test_numerical_gradient_restores_x_and_perturbs_it_in_place():
    x = np.array([1.0, 2.0, 3.0])
    alias = x  # a function that reads the live array (like a layer reading its weights)
    g = numerical_gradient(lambda _: float(alias @ np.array([1.0, 10.0, 100.0])), x)
    np.testing.assert_allclose(g, [1, 10, 100], rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_accepts_lists_and_rejects_bad_eps():
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), [1, 2]), [2, 4])
    with pytest.raises(ValueError, match="eps > 0, got 0"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), eps=0)


def test_relative_error_is_scaled_by_the_largest_gradient_entry():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([2.0, 0.0], [2.0, 1e-9]) == pytest.approx(5e-10)
    assert relative_error([1.0], [1.1]) == pytest.approx(0.1 / 1.1)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))


# --- check_gradients on layers and networks ------------------------------------------------------

@pytest.mark.parametrize("loss", sorted(LOSS_CASES))
def test_dense_layer_gradients_pass_for_every_loss(loss):
    y, n_out = LOSS_CASES[loss]
    result = check_gradients(Dense(3, n_out, rng=1), X, y, loss)
    assert set(result.errors) == {"W", "b", "input"}
    assert result.passed(1e-6), result.report()


@pytest.mark.parametrize("activation", sorted(ACTIVATION_LAYERS))
@pytest.mark.parametrize("loss", sorted(LOSS_CASES))
def test_sequential_gradients_pass_for_every_activation_and_loss(activation, loss):
    y, n_out = LOSS_CASES[loss]
    act = ACTIVATION_LAYERS[activation]
    model = Sequential([Dense(3, 5, rng=1), act(), Dense(5, 4, rng=2), act(),
                        Dense(4, n_out, rng=3)])
    result = check_gradients(model, X, y, loss)
    assert set(result.errors) == {"layers[0].W", "layers[0].b", "layers[2].W", "layers[2].b",
                                  "layers[4].W", "layers[4].b", "input"}
    assert result.max_error < 1e-6, result.report()


def test_sigmoid_output_with_bce_from_probabilities_passes():
    model = Sequential([Dense(3, 4, rng=1), Tanh(), Dense(4, 1, rng=2), Sigmoid()])
    assert check_gradients(model, X, Y_BINARY, "bce").passed(), "bce"


def test_softmax_layer_with_mse_and_cross_entropy_of_one_hot_targets_passes():
    model = Sequential([Dense(3, 4, rng=1), SiLU(), Dense(4, 2, rng=2), Softmax()])
    assert check_gradients(model, X, np.eye(2)[Y_LABELS], "mse").passed()
    logits_model = Sequential([Dense(3, 2, rng=4)])
    assert check_gradients(logits_model, X, np.eye(2)[Y_LABELS], "cross_entropy").passed()


@pytest.mark.parametrize("layer", [Softmax(), Tanh(), GELU(), LeakyReLU(0.2)])
def test_layer_without_parameters_is_checked_on_its_input_only(layer):
    result = check_gradients(layer, X, RNG.uniform(size=(6, 3)), "mse")
    assert list(result.errors) == ["input"]
    assert result.passed(), result.report()


def test_dropout_in_eval_mode_passes_and_in_training_mode_is_refused():
    model = Sequential([Dense(3, 4, rng=1), ReLU(), Dropout(0.5, rng=0), Dense(4, 2, rng=2)])
    with pytest.raises(ValueError, match="same loss on every call.*model.eval\\(\\)"):
        check_gradients(model, X, Y_LABELS, "cross_entropy")
    assert check_gradients(model.eval(), X, Y_LABELS, "cross_entropy").passed()


def test_check_gradients_accepts_a_loss_object_and_restores_parameters():
    from nnlib.losses import CrossEntropy

    model = Sequential([Dense(3, 4, rng=1), Tanh(), Dense(4, 2, rng=2)])
    before = [p.value.copy() for p in model.parameters()]
    result = check_gradients(model, X, Y_LABELS, CrossEntropy())
    for (label, p), old in zip(model.named_parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, old)
        np.testing.assert_array_equal(p.grad, result.analytic[label])  # grads from backward
    assert result.analytic["input"].shape == X.shape


# --- it catches wrong backward passes ------------------------------------------------------------

class DenseForgetsBiasGradient(Dense):
    def backward(self, dY):
        dX = super().backward(dY)
        bias = self.parameters()[1]
        bias.grad = np.zeros_like(bias.grad)
        return dX


class DenseWithoutTransposeInDX(Dense):  # square layer, so the wrong product still runs
    def backward(self, dY):
        super().backward(dY)
        return dY @ self.W


class SigmoidWithWrongDerivative(Sigmoid):
    def f_grad(self, X):
        return self.f(X)  # forgot the (1 - s) factor


def test_a_missing_bias_gradient_is_caught_and_named_in_the_report():
    result = check_gradients(DenseForgetsBiasGradient(3, 2, rng=1), X, Y_REGRESSION, "mse")
    assert not result.passed()
    assert result.errors["b"] > 0.5 and result.errors["W"] < 1e-6
    assert "gradients disagree for b" in result.report()


def test_a_wrong_input_gradient_is_caught():
    result = check_gradients(DenseWithoutTransposeInDX(3, 3, rng=1), X, RNG.normal(size=(6, 3)),
                             "mse")
    assert result.errors["input"] > 1e-2 and result.errors["W"] < 1e-6


def test_a_wrong_activation_derivative_is_caught_in_a_network():
    model = Sequential([Dense(3, 4, rng=1), SigmoidWithWrongDerivative(), Dense(4, 2, rng=2)])
    result = check_gradients(model, X, Y_LABELS, "cross_entropy")
    assert result.errors["layers[0].W"] > 1e-2
    assert result.errors["layers[2].W"] < 1e-6  # the layer after it is still right
    assert not result.passed()


# --- result object and bad input -----------------------------------------------------------------

def test_report_is_a_table_with_one_row_per_gradient():
    result = check_gradients(Dense(3, 2, rng=1), X, Y_REGRESSION, "mse")
    text = str(result)
    lines = text.splitlines()
    assert lines[0].split() == ["gradient", "shape", "rel.", "error", "status"]
    assert lines[1].startswith("W") and "(3, 2)" in lines[1] and lines[1].endswith("ok")
    assert lines[3].startswith("input") and "(6, 3)" in lines[3]
    assert "all gradients agree" in lines[-1]
    assert text == result.report()


def test_result_max_error_and_passed_threshold():
    result = GradCheckResult({"W": 1e-9, "b": 3e-7, "input": 2e-8})
    assert result.max_error == 3e-7
    assert result.passed() and not result.passed(tol=1e-7)


def test_check_gradients_rejects_objects_without_the_layer_interface_and_bad_losses():
    with pytest.raises(TypeError, match="forward, backward and parameters"):
        check_gradients(lambda x: x, X, Y_LABELS, "mse")
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        check_gradients(Dense(3, 2, rng=1), X, Y_LABELS, "l1")
