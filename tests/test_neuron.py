"""Tests of nnlib.neuron: weighted_sum and the Perceptron learning rule."""

import numpy as np
import pytest

from nnlib._utils import as_rng, check_2d, check_positive
from nnlib.neuron import Perceptron, weighted_sum

GATE_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND_Y = np.array([0, 0, 0, 1])
OR_Y = np.array([0, 1, 1, 1])
XOR_Y = np.array([0, 1, 1, 0])


# --- weighted_sum --------------------------------------------------------------------------------

def test_weighted_sum_seed_example_is_0_98():
    z = weighted_sum([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], 0)
    assert isinstance(z, float)
    assert z == pytest.approx(0.98)


def test_weighted_sum_adds_the_bias():
    assert weighted_sum([1, 2], [3, 4], -1.5) == pytest.approx(9.5)


def test_weighted_sum_of_a_batch_gives_one_value_per_row():
    X = np.array([[0.7, 0.3, 0.9], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    z = weighted_sum(X, [0.5, -0.3, 0.8], 0.1)
    assert z.shape == (3,)
    np.testing.assert_allclose(z, [1.08, 0.6, 0.1])


def test_weighted_sum_batch_keeps_float32():
    X = np.ones((2, 3), dtype=np.float32)
    assert weighted_sum(X, np.ones(3, dtype=np.float32), np.float32(1)).dtype == np.float32


def test_weighted_sum_mismatched_sizes_message_names_both_shapes():
    expected = r"expected x with shape \(3,\) or \(n, 3\).*got shape \(2,\)"
    with pytest.raises(ValueError, match=expected):
        weighted_sum([1, 2], [1, 2, 3], 0)
    with pytest.raises(ValueError, match=r"w with shape \(d,\), got shape \(1, 2\)"):
        weighted_sum([1, 2], [[1, 2]], 0)
    with pytest.raises(ValueError, match="b to be a single number"):
        weighted_sum([1, 2], [1, 2], [0, 1])


def test_weighted_sum_rejects_nan_inputs():
    with pytest.raises(ValueError, match="finite values in x"):
        weighted_sum([1, np.nan], [1, 2], 0)
    with pytest.raises(TypeError, match="real numbers"):
        weighted_sum(["a", "b"], [1, 2], 0)


# --- Perceptron ----------------------------------------------------------------------------------

def test_perceptron_starts_at_zero_and_predicts_one_at_z_equal_zero():
    p = Perceptron(3)
    np.testing.assert_array_equal(p.w, np.zeros(3))
    assert p.b == 0.0 and p.history == []
    pred = p.predict(np.zeros((2, 3)))
    assert pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, [1, 1])  # step at >= 0


def test_perceptron_one_update_follows_the_learning_rule_by_hand():
    p = Perceptron(2, lr=0.5)
    p.fit([[1.0, 2.0]], [0], epochs=1)  # predicts 1 at z = 0, target 0: w -= 0.5 * x, b -= 0.5
    np.testing.assert_allclose(p.w, [-0.5, -1.0])
    assert p.b == -0.5
    assert p.history == [{"epoch": 1, "errors": 1, "w": p.history[0]["w"], "b": -0.5}]
    np.testing.assert_allclose(p.history[0]["w"], [-0.5, -1.0])


def test_perceptron_learns_and_gate_and_stops_early_on_an_error_free_epoch():
    p = Perceptron(2).fit(GATE_X, AND_Y, epochs=100)
    np.testing.assert_array_equal(p.predict(GATE_X), AND_Y)
    assert len(p.history) < 100
    assert p.history[-1]["errors"] == 0
    assert all(h["errors"] > 0 for h in p.history[:-1])
    # hand-traced run with samples in order, lr = 1: w = [2, 1], b = -3 after 6 epochs
    np.testing.assert_allclose(p.w, [2.0, 1.0])
    assert p.b == -3.0 and len(p.history) == 6


def test_perceptron_history_keeps_a_copy_of_the_weights_of_each_epoch():
    p = Perceptron(2).fit(GATE_X, AND_Y, epochs=100)
    assert [h["epoch"] for h in p.history] == list(range(1, len(p.history) + 1))
    assert p.history[0]["w"] is not p.w
    assert not np.array_equal(p.history[0]["w"], p.history[-1]["w"])
    np.testing.assert_array_equal(p.history[-1]["w"], p.w)
    assert p.history[-1]["b"] == p.b


def test_perceptron_learns_or_gate_with_shuffling_rng():
    p = Perceptron(2, rng=0).fit(GATE_X, OR_Y, epochs=50)
    np.testing.assert_array_equal(p.predict(GATE_X), OR_Y)
    assert p.history[-1]["errors"] == 0


def test_perceptron_same_seed_gives_same_run_and_generator_is_accepted():
    a = Perceptron(2, rng=3).fit(GATE_X, AND_Y, epochs=30)
    b = Perceptron(2, rng=np.random.default_rng(3)).fit(GATE_X, AND_Y, epochs=30)
    assert [h["errors"] for h in a.history] == [h["errors"] for h in b.history]
    np.testing.assert_array_equal(a.w, b.w)


def test_perceptron_never_converges_on_xor():
    p = Perceptron(2).fit(GATE_X, XOR_Y, epochs=50)
    assert len(p.history) == 50
    assert all(h["errors"] > 0 for h in p.history)
    assert np.mean(p.predict(GATE_X) == XOR_Y) < 1.0


def test_perceptron_separates_linearly_separable_random_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 > 0).astype(int)
    p = Perceptron(3, lr=0.1, rng=1).fit(X, y, epochs=1000)
    assert p.history[-1]["errors"] == 0
    np.testing.assert_array_equal(p.predict(X), y)


def test_perceptron_fit_again_continues_and_appends_history():
    p = Perceptron(2).fit(GATE_X, AND_Y, epochs=2)
    p.fit(GATE_X, AND_Y, epochs=100)
    assert p.history[2]["epoch"] == 3
    np.testing.assert_array_equal(p.predict(GATE_X), AND_Y)


def test_perceptron_predict_accepts_a_single_example_and_net_input_values():
    p = Perceptron(2)
    p.w[:] = [2.0, 1.0]
    p.b = -3.0
    np.testing.assert_array_equal(p.predict([1, 1]), [1])
    np.testing.assert_allclose(p.net_input(GATE_X), [-3, -2, -1, 0])


@pytest.mark.parametrize("lr", [0, -0.5, float("nan")])
def test_perceptron_rejects_non_positive_learning_rate(lr):
    with pytest.raises(ValueError, match="Perceptron expected lr > 0"):
        Perceptron(2, lr=lr)


def test_perceptron_rejects_bad_n_inputs_and_rng():
    with pytest.raises(ValueError, match="n_inputs >= 1, got 0"):
        Perceptron(0)
    with pytest.raises(TypeError, match="n_inputs to be an int"):
        Perceptron(2.5)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a np.random.Generator"):
        Perceptron(2, rng="seed")


def test_perceptron_bad_shapes_and_labels_give_clear_messages():
    p = Perceptron(3)
    with pytest.raises(ValueError, match=r"expected X with 3 columns, got shape \(4, 2\)"):
        p.fit(GATE_X, AND_Y, epochs=1)
    p2 = Perceptron(2)
    with pytest.raises(ValueError, match=r"y with shape \(4,\).*got shape \(3,\)"):
        p2.fit(GATE_X, AND_Y[:3], epochs=1)
    with pytest.raises(ValueError, match="labels 0 or 1.*-1"):
        p2.fit(GATE_X, 2 * AND_Y - 1, epochs=1)
    with pytest.raises(ValueError, match="epochs to be an int >= 1, got 0"):
        p2.fit(GATE_X, AND_Y, epochs=0)
    with pytest.raises(ValueError, match="finite values in X"):
        p2.predict([[np.nan, 1.0]])
    with pytest.raises(ValueError, match=r"expected X with 2 columns, got shape \(1, 3\)"):
        p2.predict([[1.0, 2.0, 3.0]])


def test_as_rng_accepts_none_int_and_generator():
    g = np.random.default_rng(5)
    assert as_rng(g) is g
    assert as_rng(7).random() == np.random.default_rng(7).random()
    assert isinstance(as_rng(None), np.random.Generator)
    with pytest.raises(TypeError):
        as_rng(True)


def test_shape_helper_messages_name_the_layer_expected_and_given_shapes():
    with pytest.raises(ValueError, match=r"^Dense expected X with 3 columns, got shape \(5, 4\)$"):
        check_2d(np.zeros((5, 4)), 3, "X", "Dense")
    with pytest.raises(ValueError, match=r"2 dimensions \(batch, 3\), got shape \(3,\).*reshape"):
        check_2d(np.zeros(3), 3, "X", "Dense")
    assert check_positive(0.5, "lr", "SGD") == 0.5
    with pytest.raises(TypeError, match="SGD expected lr to be a positive number, got '0.1'"):
        check_positive("0.1", "lr", "SGD")
