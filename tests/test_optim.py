"""Tests of nnlib.optim: update rules against hand-computed steps (and PyTorch if installed)."""

import numpy as np
import pytest
from conftest import OPTIONAL

from nnlib.layers import Dense, Parameter
from nnlib.network import mlp
from nnlib.optim import SGD, Adam, adam_step, sgd_step


def param(values, name="w"):
    value = np.array(values, dtype=float)
    return Parameter(name, value, np.zeros_like(value))


# --- plain functions


def test_sgd_step_returns_w_minus_lr_times_g():
    np.testing.assert_allclose(sgd_step([1.0, 2.0], [0.5, -1.0], lr=0.1), [0.95, 2.1])


def test_adam_step_first_step_moves_each_weight_by_about_lr():
    # after bias correction m_hat = g and v_hat = g**2, so the step is lr * sign(g)
    w, m, v = adam_step(np.array([1.0, 1.0]), np.array([2.0, -0.001]), np.zeros(2), np.zeros(2),
                        t=1, lr=0.1)
    np.testing.assert_allclose(w, [0.9, 1.1], rtol=1e-6)
    np.testing.assert_allclose(m, [0.2, -0.0001])
    np.testing.assert_allclose(v, [0.004, 1e-9])


# --- SGD


def test_plain_sgd_subtracts_lr_times_grad_in_place():
    p = param([1.0, -2.0])
    array_before = p.value
    p.grad = np.array([0.5, 0.5])
    SGD(lr=0.1).step([p])
    np.testing.assert_allclose(p.value, [0.95, -2.05])
    assert p.value is array_before  # updated in place: the layer sees the change


def test_sgd_with_momentum_and_weight_decay_matches_hand_computed_steps():
    p = param([1.0, -2.0])
    opt = SGD(lr=0.1, momentum=0.9, weight_decay=0.1)
    # step 1: g = [0.5, 0.5] + 0.1 * [1, -2] = [0.6, 0.3]; buf = g; w = w - 0.1 * buf
    p.grad = np.array([0.5, 0.5])
    opt.step([p])
    np.testing.assert_allclose(p.value, [0.94, -2.03])
    # step 2: g = [-1, 0] + 0.1 * [0.94, -2.03] = [-0.906, -0.203]
    #         buf = 0.9 * [0.6, 0.3] + g = [-0.366, 0.067]; w = w - 0.1 * buf
    p.grad = np.array([-1.0, 0.0])
    opt.step([p])
    np.testing.assert_allclose(p.value, [0.9766, -2.0367])
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], [-0.366, 0.067])


def test_sgd_keeps_separate_momentum_for_each_parameter():
    a, b = param([0.0]), param([0.0])
    opt = SGD(lr=1.0, momentum=0.5)
    a.grad, b.grad = np.array([1.0]), np.array([-2.0])
    opt.step([a, b])
    opt.step([a, b])  # buf_a = 0.5 * 1 + 1 = 1.5, buf_b = -3
    np.testing.assert_allclose(a.value, [-2.5])
    np.testing.assert_allclose(b.value, [5.0])


# --- Adam


def test_adam_matches_hand_computed_steps_with_bias_correction():
    p = param([1.0])
    opt = Adam(lr=0.1)
    # step 1: m = 0.1 * 2 = 0.2, v = 0.001 * 4 = 0.004; m_hat = 2, v_hat = 4
    p.grad = np.array([2.0])
    opt.step([p])
    w1 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8)
    np.testing.assert_allclose(p.value, [w1], rtol=1e-12)
    # step 2: m = 0.9 * 0.2 - 0.1 = 0.08, v = 0.999 * 0.004 + 0.001 = 0.004996
    p.grad = np.array([-1.0])
    opt.step([p])
    m_hat = 0.08 / (1 - 0.9**2)
    v_hat = 0.004996 / (1 - 0.999**2)
    np.testing.assert_allclose(p.value, [w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)],
                               rtol=1e-12)
    assert opt.state[p]["t"] == 2


def test_adam_weight_decay_is_added_to_the_gradient():
    p = param([2.0])
    p.grad = np.array([0.0])
    Adam(lr=0.1, weight_decay=0.5).step([p])  # g = 0 + 0.5 * 2 = 1: first step is -lr * sign
    np.testing.assert_allclose(p.value, [1.9], rtol=1e-7)


def test_adam_and_sgd_agree_with_the_plain_step_functions():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(5)
    grads = rng.standard_normal((3, 5))
    p = param(w0)
    opt = Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    w, m, v = w0.copy(), np.zeros(5), np.zeros(5)
    for t, g in enumerate(grads, start=1):
        p.grad = g
        opt.step([p])
        w, m, v = adam_step(w, g, m, v, t, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    np.testing.assert_allclose(p.value, w, rtol=1e-12)


def test_optimisers_keep_float32_parameters_float32():
    layer = Dense(3, 2, rng=0, dtype=np.float32)
    layer.forward(np.ones((4, 3), dtype=np.float32))
    layer.backward(np.ones((4, 2), dtype=np.float32))
    for opt in (SGD(0.1, momentum=0.9, weight_decay=0.01), Adam(0.01, weight_decay=0.01)):
        opt.step(layer.parameters())
        opt.step(layer.parameters())
        assert layer.W.dtype == layer.b.dtype == np.float32


# --- agreement with PyTorch (only where torch is installed; it is not a requirement)


@pytest.mark.parametrize("make", [
    lambda torch, ps: (SGD(0.05, momentum=0.9, weight_decay=0.01),
                       torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01)),
    lambda torch, ps: (Adam(0.01, betas=(0.8, 0.95), eps=1e-7, weight_decay=0.02),
                       torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-7,
                                        weight_decay=0.02)),
], ids=["SGD", "Adam"])
def test_updates_equal_pytorch_for_the_same_gradients(make):
    torch = pytest.importorskip(
        "torch", reason=OPTIONAL + "torch is not installed (a benchmark-only extra, not in "
        "requirements.txt: pip install torch==2.13.0 to run these agreement tests)")
    rng = np.random.default_rng(1)
    values = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    ours = [param(v) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    opt, torch_opt = make(torch, theirs)
    for _ in range(5):
        grads = [rng.standard_normal(v.shape) for v in values]
        for p, q, g in zip(ours, theirs, grads, strict=True):
            p.grad = g
            q.grad = torch.tensor(g)
        opt.step(ours)
        torch_opt.step()
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.value, q.detach().numpy(), rtol=1e-12, atol=1e-14)


# --- errors


@pytest.mark.parametrize("make", [lambda: SGD(lr=0), lambda: SGD(lr=-0.1),
                                  lambda: Adam(lr=0.0), lambda: sgd_step([1.0], [1.0], lr=-1)])
def test_non_positive_learning_rate_is_a_value_error(make):
    with pytest.raises(ValueError, match="lr > 0.*learning rate must be positive"):
        make()


def test_bad_hyper_parameters_are_value_errors():
    with pytest.raises(ValueError, match="momentum >= 0.0 and momentum < 1.0, got 1.0"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="weight_decay >= 0.0, got -0.1"):
        Adam(weight_decay=-0.1)
    with pytest.raises(ValueError, match="beta2 >= 0.0 and beta2 < 1.0, got 1.0"):
        Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="betas as a pair"):
        Adam(betas=0.9)
    with pytest.raises(TypeError, match="lr to be a number, got '0.1'"):
        SGD("0.1")


def test_step_on_a_model_instead_of_its_parameters_explains_the_call():
    model = mlp([2, 3, 1], rng=0)
    with pytest.raises(TypeError, match=r"sgd.step\(model.parameters\(\)\)"):
        SGD(0.1).step(model)
    with pytest.raises(TypeError, match="expected Parameter objects, got ndarray"):
        Adam().step([np.zeros(3)])
