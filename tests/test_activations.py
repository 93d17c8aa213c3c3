"""Tests of nnlib.activations: known values, derivatives by finite differences, limits,
numerical stability, dtypes and error messages."""

import math
import warnings

import numpy as np
import pytest

import nnlib.activations as A

NAMES = ("step", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "identity")
# every (f, f_grad, kwargs) pair whose derivative is checked by finite differences
SMOOTH_OR_PIECEWISE = [
    ("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"alpha": 0.2}), ("sigmoid", {}),
    ("tanh", {}), ("gelu", {"approximate": False}), ("gelu", {"approximate": True}),
    ("silu", {}), ("identity", {}), ("step", {}),
]


def finite_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# --- known values --------------------------------------------------------------------------------

def test_step_is_one_from_zero_on_and_zero_left_of_zero():
    np.testing.assert_array_equal(A.step([-2.0, -1e-9, 0.0, 1e-9, 3.0]), [0, 0, 1, 1, 1])


def test_relu_known_values():
    np.testing.assert_array_equal(A.relu([-3.0, -0.5, 0.0, 0.5, 3.0]), [0, 0, 0, 0.5, 3])


def test_leaky_relu_known_values_with_default_and_custom_alpha():
    np.testing.assert_allclose(A.leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(A.leaky_relu([-2.0, 3.0], alpha=0.1), [-0.2, 3.0])


def test_sigmoid_known_values():
    np.testing.assert_allclose(A.sigmoid([0.0, 1.0, -1.0, 2.0]),
                               [0.5, 0.7310585786300049, 0.2689414213699951, 0.8807970779778823],
                               rtol=1e-12)


def test_tanh_matches_definition_and_two_sigmoid_identity():
    x = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(A.tanh(x), (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)))
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, atol=1e-15)


def test_gelu_exact_known_values_from_normal_cdf():
    x = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 2.0])
    phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(A.gelu(x), x * phi, rtol=1e-15)
    assert A.gelu(1.0) == pytest.approx(0.8413447460685429, rel=1e-15)


def test_gelu_tanh_approximation_is_close_to_exact_form():
    x = np.linspace(-6, 6, 241)
    assert np.max(np.abs(A.gelu(x, approximate=True) - A.gelu(x))) < 1e-3
    assert A.gelu(1.0, approximate=True) == pytest.approx(0.8411919906082768, rel=1e-12)


def test_silu_known_values():
    np.testing.assert_allclose(A.silu([0.0, 1.0, -1.0]),
                               [0.0, 0.7310585786300049, -0.2689414213699951], rtol=1e-12)


def test_identity_returns_input_values():
    x = np.array([[-1.5, 0.0], [2.0, 7.0]])
    np.testing.assert_array_equal(A.identity(x), x)
    np.testing.assert_array_equal(A.identity_grad(x), np.ones_like(x))


# --- derivatives ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", SMOOTH_OR_PIECEWISE)
def test_derivative_matches_centred_finite_differences(name, kwargs):
    f, f_grad = A.get_activation(name)
    x = np.linspace(-4, 4, 81) + 0.0123  # avoid the kink at exactly 0
    numeric = finite_difference(lambda v: f(v, **kwargs), x)
    np.testing.assert_allclose(f_grad(x, **kwargs), numeric, rtol=1e-6, atol=1e-8)


def test_known_derivative_values_at_zero_and_conventions_at_the_kink():
    assert A.sigmoid_grad(0.0) == 0.25
    assert A.tanh_grad(0.0) == 1.0
    assert A.gelu_grad(0.0) == 0.5 and A.gelu_grad(0.0, approximate=True) == 0.5
    assert A.silu_grad(0.0) == 0.5
    assert A.relu_grad(0.0) == 0.0
    assert A.leaky_relu_grad(0.0) == 0.01
    assert A.step_grad(0.0) == 0.0
    np.testing.assert_array_equal(A.relu_grad([-1.0, 2.0]), [0, 1])
    np.testing.assert_allclose(A.leaky_relu_grad([-1.0, 2.0], alpha=0.3), [0.3, 1])


# --- symmetry and limits -------------------------------------------------------------------------

def test_sigmoid_symmetry_and_tanh_oddness():
    x = np.linspace(-20, 20, 101)
    np.testing.assert_allclose(A.sigmoid(-x), 1 - A.sigmoid(x), atol=1e-15)
    np.testing.assert_allclose(A.tanh(-x), -A.tanh(x))
    np.testing.assert_allclose(A.sigmoid_grad(-x), A.sigmoid_grad(x))


def test_gelu_and_silu_tend_to_relu_far_from_zero():
    x = np.array([-50.0, -20.0, 20.0, 50.0])
    np.testing.assert_allclose(A.gelu(x), A.relu(x), atol=1e-12)
    np.testing.assert_allclose(A.silu(x), A.relu(x), atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("big", [1000.0, 1e4])
def test_no_warning_and_finite_values_at_large_inputs(name, big):
    f, f_grad = A.get_activation(name)
    x = np.array([-big, -1.0, 0.0, 1.0, big])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # underflow (exp(-5e7) -> 0) is not checked: 0 is the correct answer there
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            for g in (f, f_grad):
                y = g(x)
                assert np.all(np.isfinite(y)), f"{g.__name__} gave {y}"
    assert A.sigmoid(-big) == 0.0 and A.sigmoid(big) == 1.0
    assert A.tanh(-big) == -1.0 and A.tanh(big) == 1.0


def test_no_warning_at_large_inputs_in_float32():
    x = np.array([-1e4, -1000, 0, 1000, 1e4], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in NAMES:
            f, f_grad = A.get_activation(name)
            assert np.all(np.isfinite(f(x))) and np.all(np.isfinite(f_grad(x)))


# --- dtype and input kinds -----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_follows_input(name, dtype):
    f, f_grad = A.get_activation(name)
    x = np.linspace(-3, 3, 7).astype(dtype)
    assert f(x).dtype == dtype and f_grad(x).dtype == dtype


@pytest.mark.parametrize("name", NAMES)
def test_python_numbers_and_ints_give_float64_with_shape_kept(name):
    f, f_grad = A.get_activation(name)
    assert np.ndim(f(2)) == 0 and np.asarray(f(2)).dtype == np.float64
    assert np.ndim(f_grad(-1.5)) == 0
    assert f([[1, 2, 3]]).shape == (1, 3) and f([[1, 2, 3]]).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_elementwise_functions_pass_nan_through_without_touching_other_entries(name):
    f, _ = A.get_activation(name)
    y = f(np.array([np.nan, 2.0]))
    assert np.isnan(y[0]) and np.isfinite(y[1])


def test_activation_rejects_non_numeric_input_with_clear_message():
    with pytest.raises(TypeError, match="relu expected x to contain real numbers"):
        A.relu(["a", "b"])


# --- softmax -------------------------------------------------------------------------------------

def test_softmax_seed_example_5_8_15():
    np.testing.assert_allclose(A.softmax([5.0, 8.0, 15.0]), [0.0000454, 0.000911, 0.999044],
                               rtol=5e-3)
    assert A.softmax([5, 8, 15])[2] == pytest.approx(0.99904, abs=1e-5)


def test_softmax_rows_sum_to_one_along_axis():
    z = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(A.softmax(z).sum(axis=-1), np.ones(4))
    np.testing.assert_allclose(A.softmax(z, axis=0).sum(axis=0), np.ones(5))
    np.testing.assert_allclose(A.softmax(z, axis=0), A.softmax(z.T).T)


def test_softmax_is_unchanged_by_adding_a_constant():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(A.softmax(z + 100.0), A.softmax(z))


def test_softmax_and_log_softmax_at_logits_plus_minus_1000_without_warnings():
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = A.softmax(z)
            ls = A.log_softmax(z)
    np.testing.assert_allclose(s, [[1, 0, 0], [0.5, 0.5, 0]], atol=1e-300)
    log2 = math.log(2)
    np.testing.assert_allclose(ls, [[0, -2000, -1000], [-log2, -log2, -2000 - log2]])


def test_log_softmax_equals_log_of_softmax():
    z = np.random.default_rng(1).normal(size=(3, 6)) * 3
    for t in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(A.log_softmax(z, temperature=t),
                                   np.log(A.softmax(z, temperature=t)), atol=1e-12)


def test_temperature_sharpens_below_one_and_flattens_above_one():
    z = np.array([1.0, 2.0, 4.0])
    top = [A.softmax(z, temperature=t)[2] for t in (0.25, 0.5, 1.0, 2.0, 10.0)]
    assert all(a > b for a, b in zip(top[:-1], top[1:], strict=True))
    np.testing.assert_allclose(A.softmax(z, temperature=2.0), A.softmax(z / 2.0))
    np.testing.assert_allclose(A.softmax(z, temperature=1e6), np.full(3, 1 / 3), atol=1e-5)


def test_temperature_zero_returns_one_hot_argmax_first_index_on_ties():
    np.testing.assert_array_equal(A.softmax([1.0, 5.0, 2.0], temperature=0), [0, 1, 0])
    np.testing.assert_array_equal(A.softmax([[3.0, 3.0, 1.0], [0.0, 2.0, 2.0]], temperature=0),
                                  [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(A.softmax([[1.0, 4.0], [2.0, 0.0]], axis=0, temperature=0),
                                  [[0, 1], [1, 0]])
    np.testing.assert_array_equal(A.log_softmax([1.0, 5.0, 2.0], temperature=0),
                                  [-np.inf, 0, -np.inf])


def test_tiny_positive_temperature_approaches_one_hot_without_warnings():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = A.softmax([1.0, 5.0, 2.0], temperature=1e-320)
    np.testing.assert_array_equal(s, [0, 1, 0])


def test_softmax_keeps_float32():
    assert A.softmax(np.ones(3, dtype=np.float32), temperature=0.5).dtype == np.float32
    assert A.log_softmax(np.ones(3, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("fn", [A.softmax, A.log_softmax])
def test_negative_or_nan_temperature_raises_value_error(fn):
    with pytest.raises(ValueError, match="temperature >= 0, got -1"):
        fn([1.0, 2.0], temperature=-1)
    with pytest.raises(ValueError, match="temperature >= 0"):
        fn([1.0, 2.0], temperature=float("nan"))


@pytest.mark.parametrize("fn", [A.softmax, A.log_softmax])
def test_softmax_rejects_nan_or_inf_logits_and_scalars(fn):
    with pytest.raises(ValueError, match="finite values in z.*index \\(1,\\)"):
        fn([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="finite"):
        fn([1.0, np.inf])
    with pytest.raises(ValueError, match="at least 1 dimension"):
        fn(3.0)


def test_softmax_backward_matches_full_jacobian_and_finite_differences():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(3, 4))
    ds = rng.normal(size=(3, 4))
    s = A.softmax(z)
    dz = A.softmax_backward(s, ds)
    for i in range(3):
        jac = np.diag(s[i]) - np.outer(s[i], s[i])
        np.testing.assert_allclose(dz[i], jac.T @ ds[i], atol=1e-14)
    # finite differences of L(z) = sum(ds * softmax(z))
    eps = 1e-6
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (np.sum(ds * A.softmax(zp)) - np.sum(ds * A.softmax(zm))) / (2 * eps)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_backward_along_axis_0_and_shape_mismatch_message():
    rng = np.random.default_rng(3)
    z, ds = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    np.testing.assert_allclose(A.softmax_backward(A.softmax(z, axis=0), ds, axis=0),
                               A.softmax_backward(A.softmax(z.T), ds.T).T)
    with pytest.raises(ValueError, match=r"same shape, got s \(4, 2\) and ds \(2, 4\)"):
        A.softmax_backward(A.softmax(z), ds.T)


def test_softmax_backward_does_not_modify_its_inputs():
    s = A.softmax(np.array([1.0, 2.0, 3.0]))
    ds = np.array([0.1, -0.2, 0.3])
    s0, ds0 = s.copy(), ds.copy()
    A.softmax_backward(s, ds)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_array_equal(ds, ds0)


# --- look-up by name -----------------------------------------------------------------------------

def test_activations_tuple_lists_every_name_and_get_activation_returns_the_pair():
    assert A.ACTIVATIONS == NAMES
    assert A.get_activation("relu") == (A.relu, A.relu_grad)
    assert A.get_activation("GELU") == (A.gelu, A.gelu_grad)
    for name in NAMES:
        f, f_grad = A.get_activation(name)
        assert callable(f) and callable(f_grad)


def test_get_activation_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="unknown activation 'relux'; known names: step, relu"):
        A.get_activation("relux")
    with pytest.raises(TypeError, match="expected a name"):
        A.get_activation(None)
