"""Tests of nnlib.losses: values by hand, gradients by finite differences, stability at large
logits, the loss objects, get_loss and error messages."""

import math
import warnings

import numpy as np
import pytest

import nnlib.losses as L
from nnlib.activations import sigmoid, softmax


def numeric_grad(f, x, eps=1e-6):
    x = x.astype(float).copy()
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f(x)
        x[idx] = old - eps
        down = f(x)
        x[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(5, 4)) * 2
LABELS = np.array([0, 3, 1, 1, 2])
PROBS = RNG.uniform(0.05, 0.95, size=(6, 1))
BINARY = np.array([[0], [1], [1], [0], [1], [0]])


# --- values by hand ------------------------------------------------------------------------------

def test_mse_value_by_hand_is_mean_over_all_entries():
    assert L.mse([1.0, 2.0, 3.0], [1.0, 0.0, 0.0]) == pytest.approx((0 + 4 + 9) / 3)
    assert L.mse([[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]) == pytest.approx(5 / 4)


def test_bce_value_by_hand():
    expected = -(math.log(0.9) + math.log(1 - 0.2)) / 2
    assert L.binary_cross_entropy([0.9, 0.2], [1, 0]) == pytest.approx(expected)


def test_bce_with_logits_equals_bce_of_sigmoid():
    z = RNG.normal(size=(6, 1)) * 3
    assert L.binary_cross_entropy_with_logits(z, BINARY) == pytest.approx(
        L.binary_cross_entropy(sigmoid(z), BINARY), rel=1e-12)


def test_cross_entropy_value_by_hand_is_minus_mean_log_probability_of_true_class():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]])
    p = softmax(z)
    expected = -(math.log(p[0, 0]) + math.log(p[1, 1])) / 2
    assert L.cross_entropy(z, [0, 1]) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_labels_and_one_hot_give_same_loss_and_gradient():
    one_hot = np.eye(4)[LABELS]
    assert L.cross_entropy(LOGITS, LABELS) == pytest.approx(L.cross_entropy(LOGITS, one_hot))
    np.testing.assert_allclose(L.cross_entropy_grad(LOGITS, LABELS),
                               L.cross_entropy_grad(LOGITS, one_hot))
    # labels given as floats with integer values are accepted too
    assert L.cross_entropy(LOGITS, LABELS.astype(float)) == L.cross_entropy(LOGITS, LABELS)


def test_cross_entropy_of_uniform_logits_is_log_k():
    assert L.cross_entropy(np.zeros((3, 10)), [0, 5, 9]) == pytest.approx(math.log(10))


def test_perfect_predictions_give_zero_or_tiny_loss():
    assert L.mse([0.5, 2.0], [0.5, 2.0]) == 0.0
    assert L.binary_cross_entropy([1.0, 0.0], [1, 0]) < 1e-15
    assert L.cross_entropy([[100.0, 0.0]], [0]) < 1e-40


# --- gradients -----------------------------------------------------------------------------------

@pytest.mark.parametrize("loss_fn,grad_fn,pred,target", [
    (L.mse, L.mse_grad, RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))),
    (L.binary_cross_entropy, L.binary_cross_entropy_grad, PROBS, BINARY),
    (L.binary_cross_entropy, L.binary_cross_entropy_grad, PROBS, RNG.uniform(size=(6, 1))),
    (L.binary_cross_entropy_with_logits, L.binary_cross_entropy_with_logits_grad,
     RNG.normal(size=(6, 1)) * 3, BINARY),
    (L.cross_entropy, L.cross_entropy_grad, LOGITS, LABELS),
    (L.cross_entropy, L.cross_entropy_grad, LOGITS, softmax(RNG.normal(size=(5, 4)))),
], ids=["mse", "bce", "bce_soft_labels", "bce_logits", "cross_entropy", "ce_soft_targets"])
def test_gradient_matches_finite_differences_including_one_over_batch(loss_fn, grad_fn, pred,
                                                                      target):
    analytic = grad_fn(pred, target)
    assert analytic.shape == pred.shape
    numeric = numeric_grad(lambda p: loss_fn(p, target), pred)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_gradients_have_known_closed_forms():
    z = np.array([[0.0], [2.0]])
    y = np.array([[1.0], [0.0]])
    np.testing.assert_allclose(L.binary_cross_entropy_with_logits_grad(z, y),
                               (sigmoid(z) - y) / 2)
    np.testing.assert_allclose(L.mse_grad([3.0, 1.0], [1.0, 1.0]), [2.0, 0.0])
    np.testing.assert_allclose(L.cross_entropy_grad(np.zeros((1, 2)), [1]), [[0.5, -0.5]])


# --- stability -----------------------------------------------------------------------------------

def test_logit_losses_are_exact_and_warning_free_at_plus_minus_1000():
    z_col = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y_col = np.array([[1.0], [0.0], [0.0], [1.0]])
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            bce = L.binary_cross_entropy_with_logits(z_col, y_col)
            bce_g = L.binary_cross_entropy_with_logits_grad(z_col, y_col)
            ce = L.cross_entropy(logits, [0, 0])
            ce_g = L.cross_entropy_grad(logits, [0, 0])
            bce_p = L.binary_cross_entropy(sigmoid(z_col), y_col)
            bce_p_g = L.binary_cross_entropy_grad(sigmoid(z_col), y_col)
    assert bce == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    np.testing.assert_allclose(bce_g, [[0], [0], [0.25], [-0.25]])
    assert ce == pytest.approx((0 + 2000) / 2)
    np.testing.assert_allclose(ce_g, [[0, 0, 0], [-0.5, 0.5, 0]])
    assert np.isfinite(bce_p) and np.all(np.isfinite(bce_p_g))
    assert bce_p > 15  # two confidently wrong answers cost a lot, but stay finite


def test_float32_inputs_give_float32_gradients():
    z = np.ones((3, 2), dtype=np.float32)
    assert L.mse_grad(z, np.zeros((3, 2))).dtype == np.float32
    assert L.cross_entropy_grad(z, [0, 1, 1]).dtype == np.float32
    assert L.binary_cross_entropy_with_logits_grad(z, np.ones((3, 2))).dtype == np.float32
    assert L.binary_cross_entropy_grad(z * 0.5, np.ones((3, 2))).dtype == np.float32


# --- loss objects --------------------------------------------------------------------------------

@pytest.mark.parametrize("obj,fn,grad_fn,pred,target", [
    (L.MSE(), L.mse, L.mse_grad, RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))),
    (L.BinaryCrossEntropy(), L.binary_cross_entropy, L.binary_cross_entropy_grad, PROBS, BINARY),
    (L.BinaryCrossEntropy(from_logits=True), L.binary_cross_entropy_with_logits,
     L.binary_cross_entropy_with_logits_grad, RNG.normal(size=(6, 1)), BINARY),
    (L.CrossEntropy(), L.cross_entropy, L.cross_entropy_grad, LOGITS, LABELS),
])
def test_loss_objects_forward_backward_and_call_match_the_functions(obj, fn, grad_fn, pred,
                                                                    target):
    assert obj.forward(pred, target) == fn(pred, target)
    # equal up to rounding: CrossEntropy keeps softmax as exp(log_softmax) from its forward
    np.testing.assert_allclose(obj.backward(), grad_fn(pred, target), rtol=1e-12, atol=1e-16)
    assert obj(pred, target) == fn(pred, target)
    assert isinstance(obj.forward(pred, target), float)


def test_loss_object_backward_uses_the_last_forward_call():
    loss = L.MSE()
    loss.forward([1.0, 1.0], [0.0, 0.0])
    loss.forward([3.0, 1.0], [1.0, 1.0])
    np.testing.assert_allclose(loss.backward(), [2.0, 0.0])


def test_backward_before_forward_raises_a_clear_error():
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward"):
        L.CrossEntropy().backward()


def test_loss_names_and_get_loss():
    assert (L.MSE().name, L.BinaryCrossEntropy().name) == ("mse", "bce")
    assert L.BinaryCrossEntropy(from_logits=True).name == "bce_logits"
    assert L.CrossEntropy().name == "cross_entropy"
    for name in L.LOSSES:
        assert L.get_loss(name).name == name
    assert isinstance(L.get_loss("bce_logits"), L.BinaryCrossEntropy)
    assert L.get_loss("bce_logits").from_logits
    assert L.get_loss("mse") is not L.get_loss("mse")  # a fresh object each time
    obj = L.CrossEntropy()
    assert L.get_loss(obj) is obj


def test_get_loss_rejects_unknown_names_and_objects():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; known names: mse, bce, bce_logits"):
        L.get_loss("hinge")
    with pytest.raises(TypeError, match="loss name .* or a loss object"):
        L.get_loss(3)


# --- shapes and bad input ------------------------------------------------------------------------

def test_target_of_shape_n_is_accepted_for_pred_of_shape_n_by_1():
    pred = np.array([[0.2], [0.7]])
    assert L.mse(pred, [0.0, 1.0]) == L.mse(pred, [[0.0], [1.0]])
    assert L.binary_cross_entropy_grad(pred, [0, 1]).shape == (2, 1)


def test_mismatched_shapes_raise_with_both_shapes_named():
    expected = r"target with the shape of pred \(4, 2\), got shape \(4,\)"
    with pytest.raises(ValueError, match=expected):
        L.mse(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"labels of shape \(5,\) or one-hot of shape \(5, 4\)"):
        L.cross_entropy(LOGITS, [0, 1])
    with pytest.raises(ValueError, match="Hint: flatten labels"):
        L.cross_entropy(LOGITS, LABELS.reshape(5, 1))
    with pytest.raises(ValueError, match=r"logits of shape \(n, k\), got shape \(4,\)"):
        L.cross_entropy(np.zeros(4), [1])


def test_bad_label_values_raise():
    with pytest.raises(ValueError, match="integer class labels in 0..3"):
        L.cross_entropy(LOGITS, [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="integer class labels"):
        L.cross_entropy(LOGITS, [0, 1, 2, 0.5, 1])
    with pytest.raises(ValueError, match="rows to be one-hot"):
        L.cross_entropy(LOGITS, np.ones((5, 4)))


def test_probability_losses_reject_values_outside_0_1_with_logits_hint():
    with pytest.raises(ValueError, match="p in \\[0, 1\\].*binary_cross_entropy_with_logits"):
        L.binary_cross_entropy([2.5, -1.0], [1, 0])
    with pytest.raises(ValueError, match="y in \\[0, 1\\]"):
        L.binary_cross_entropy_with_logits([2.5, -1.0], [1, -1])


@pytest.mark.parametrize("fn", [L.mse, L.binary_cross_entropy_with_logits, L.cross_entropy])
def test_nan_predictions_raise_with_a_hint(fn):
    pred = np.array([[np.nan, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="finite values.*Hint"):
        fn(pred, np.array([[0.0, 1.0], [1.0, 0.0]]))
