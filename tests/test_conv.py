"""Tests of nnlib.conv: convolution and pooling layers, forward by loops, backward by finite
differences, errors that show the formula, a CNN in Sequential, and agreement with PyTorch."""

import numpy as np
import pytest
from conftest import OPTIONAL

from nnlib.conv import (
    AvgPool2D,
    Conv2D,
    Flatten,
    MaxPool2D,
    avg_pool2d,
    conv2d,
    conv2d_parameters,
    conv_output_size,
    max_pool2d,
)
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.layers import Dense, ReLU
from nnlib.network import Sequential
from nnlib.optim import Adam


def loop_conv(X, W, b, stride, padding):
    """Convolution written with plain loops, the definition the layer must agree with."""
    N, C, H, Wd = X.shape
    F, _, k, _ = W.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - k) // stride + 1
    Wo = (Wd + 2 * padding - k) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for o in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = Xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    out[n, o, i, j] = np.sum(window * W[o]) + b[o]
    return out


def loop_pool(X, size, stride, reduce):
    N, C, H, W = X.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = reduce(X[n, c, i * stride:i * stride + size,
                                               j * stride:j * stride + size])
    return out


CONFIGS = [  # (N, C_in, H, W, F = C_out, k, stride, padding)
    (2, 1, 8, 8, 3, 3, 1, 0),
    (2, 1, 8, 8, 4, 3, 1, 1),
    (3, 2, 7, 9, 3, 3, 2, 0),
    (1, 3, 6, 6, 2, 2, 2, 0),
    (2, 2, 5, 5, 2, 5, 1, 2),
    (2, 3, 4, 4, 5, 1, 1, 0),
]


# --- output size


@pytest.mark.parametrize("n, k, s, p, expected", [
    (8, 3, 1, 0, 6), (8, 3, 1, 1, 8), (8, 2, 2, 0, 4), (7, 3, 2, 0, 3), (227, 11, 4, 0, 55),
    (5, 5, 1, 0, 1), (1, 3, 1, 1, 1),
])
def test_output_size_formula_examples(n, k, s, p, expected):
    assert conv_output_size(n, k, s, p) == expected


def test_output_size_that_is_not_whole_shows_the_formula_with_numbers():
    with pytest.raises(ValueError, match=r"\(8 \+ 2\*0 - 3\) / 2 \+ 1 = 3\.5 is not a whole"):
        conv_output_size(8, 3, stride=2)


def test_kernel_larger_than_padded_input_is_an_error_with_the_sizes():
    with pytest.raises(ValueError, match=r"kernel \(5x5\) is larger than the padded input.*= 4"):
        conv_output_size(2, 5, padding=1)


@pytest.mark.parametrize("kwargs", [dict(n=0, kernel_size=3), dict(n=8, kernel_size=0),
                                    dict(n=8, kernel_size=3, stride=0),
                                    dict(n=8, kernel_size=3, padding=-1),
                                    dict(n=8, kernel_size=2.0), dict(n=8, kernel_size=True)])
def test_output_size_rejects_non_integers_and_bad_ranges(kwargs):
    with pytest.raises(ValueError, match="expected .* to be an int >="):
        conv_output_size(**kwargs)


# --- Conv2D forward


def test_hand_set_vertical_edge_kernel_finds_the_edge():
    image = np.zeros((1, 1, 5, 6))
    image[..., :3] = 1.0                                    # bright left half, dark right half
    kernel = np.array([[1.0, 0, -1], [1, 0, -1], [1, 0, -1]]).reshape(1, 1, 3, 3)
    out = conv2d(image, kernel)
    assert out.shape == (1, 1, 3, 4)
    np.testing.assert_array_equal(out[0, 0], [[0, 3, 3, 0]] * 3)  # only windows on the edge


def test_kernel_is_not_flipped_cross_correlation_like_pytorch():
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    K = np.zeros((1, 1, 3, 3))
    K[0, 0, 0, 0] = 1.0                                     # picks the window's top-left pixel
    assert conv2d(X, K).item() == 0.0                      # a flipped kernel would give 8


@pytest.mark.parametrize("N, C, H, W, F, k, s, p", CONFIGS)
def test_conv_forward_equals_the_loop_definition(N, C, H, W, F, k, s, p):
    rng = np.random.default_rng(0)
    layer = Conv2D(C, F, k, stride=s, padding=p, rng=1)
    layer.b = rng.standard_normal(F)
    X = rng.standard_normal((N, C, H, W))
    out = layer.forward(X)
    expected = loop_conv(X, layer.W, layer.b, s, p)
    assert out.shape == expected.shape == layer.output_shape(X.shape)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_conv_shapes_init_and_parameter_count():
    layer = Conv2D(3, 8, 5, rng=0)
    assert layer.W.shape == (8, 3, 5, 5) and layer.b.shape == (8,)
    np.testing.assert_array_equal(layer.b, 0.0)
    assert [p.name for p in layer.parameters()] == ["W", "b"]
    assert sum(p.size for p in layer.parameters()) == conv2d_parameters(3, 8, 5) == 608
    big = Conv2D(4, 64, 3, rng=0)                            # He: std sqrt(2 / (C * k * k))
    assert abs(big.W.std() - np.sqrt(2 / 36)) < 0.02
    np.testing.assert_array_equal(Conv2D(1, 2, 3, rng=5).W, Conv2D(1, 2, 3, rng=5).W)


def test_conv_parameter_count_does_not_depend_on_image_size():
    layer = Conv2D(1, 4, 3, rng=0)
    for size in (5, 8, 28):
        layer.forward(np.zeros((1, 1, size, size)))
        assert sum(p.size for p in layer.parameters()) == 40


def test_conv_float32_stays_float32():
    layer = Conv2D(1, 2, 3, padding=1, rng=0, dtype=np.float32)
    out = layer.forward(np.ones((2, 1, 4, 4)))
    assert out.dtype == np.float32
    dX = layer.backward(np.ones_like(out))
    assert dX.dtype == layer.dW.dtype == layer.db.dtype == np.float32


# --- Conv2D backward


@pytest.mark.parametrize("N, C, H, W, F, k, s, p", CONFIGS)
def test_conv_backward_matches_finite_differences(N, C, H, W, F, k, s, p):
    rng = np.random.default_rng(2)
    layer = Conv2D(C, F, k, stride=s, padding=p, rng=3)
    layer.b = rng.standard_normal(F)
    X = rng.standard_normal((N, C, H, W))
    out = layer.forward(X)
    dY = rng.standard_normal(out.shape)
    dX = layer.backward(dY)

    def loss_of_X(x):
        return float(np.sum(layer.forward(x) * dY))

    assert relative_error(dX, numerical_gradient(loss_of_X, X.copy())) < 1e-8
    layer.forward(X)
    layer.backward(dY)
    for param in layer.parameters():
        grad = param.grad.copy()
        numeric = numerical_gradient(lambda _: float(np.sum(layer.forward(X) * dY)), param.value)
        assert relative_error(grad, numeric) < 1e-8, param.name


def test_conv_gradients_follow_the_hand_formulas():
    rng = np.random.default_rng(4)
    layer = Conv2D(2, 3, 3, padding=1, rng=0)
    X = rng.standard_normal((2, 2, 4, 4))
    out = layer.forward(X)
    dY = rng.standard_normal(out.shape)
    layer.backward(dY)
    np.testing.assert_allclose(layer.db, dY.sum(axis=(0, 2, 3)))
    Xp = np.pad(X, ((0, 0), (0, 0), (1, 1), (1, 1)))
    dW = np.zeros_like(layer.W)
    for i in range(4):
        for j in range(4):
            dW += np.einsum("no,ncuv->ocuv", dY[:, :, i, j], Xp[:, :, i:i + 3, j:j + 3])
    np.testing.assert_allclose(layer.dW, dW, rtol=1e-12)


def test_conv_without_input_grad_returns_none_but_stores_grads():
    layer = Conv2D(1, 2, 3, rng=0)
    out = layer.forward(np.ones((1, 1, 4, 4)))
    layer.needs_input_grad = False
    assert layer.backward(np.ones_like(out)) is None
    np.testing.assert_allclose(layer.db, [4.0, 4.0])


@pytest.mark.parametrize("layer", [Conv2D(2, 3, 3, padding=1, stride=1, rng=0), MaxPool2D(2),
                                   AvgPool2D(2), MaxPool2D(3, stride=1), Flatten()],
                         ids=repr)
def test_backward_does_not_change_dY_in_place(layer):
    out = layer.forward(np.random.default_rng(0).standard_normal((2, 2, 4, 4)))
    dY = np.random.default_rng(1).standard_normal(out.shape)
    kept = dY.copy()
    layer.backward(dY)
    np.testing.assert_array_equal(dY, kept)


# --- pooling


@pytest.mark.parametrize("size, stride, H", [(2, None, 8), (2, 1, 5), (3, 3, 6), (3, 2, 7),
                                             (4, None, 8)])
def test_pooling_forward_equals_the_loop_definition(size, stride, H):
    X = np.random.default_rng(5).standard_normal((2, 3, H, H))
    s = size if stride is None else stride
    np.testing.assert_allclose(max_pool2d(X, size, stride), loop_pool(X, size, s, np.max))
    np.testing.assert_allclose(avg_pool2d(X, size, stride), loop_pool(X, size, s, np.mean))


def test_max_and_average_pooling_by_hand():
    X = np.array([[1.0, 2, 0, 0], [3, 4, 0, 8], [5, 0, 1, 1], [0, 7, 1, 1]]).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(max_pool2d(X, 2)[0, 0], [[4, 8], [7, 1]])
    np.testing.assert_array_equal(avg_pool2d(X, 2)[0, 0], [[2.5, 2], [3, 1]])


@pytest.mark.parametrize("make", [lambda: MaxPool2D(2), lambda: MaxPool2D(3, stride=1),
                                  lambda: MaxPool2D(2, stride=1), lambda: AvgPool2D(2),
                                  lambda: AvgPool2D(3, stride=1), lambda: AvgPool2D(3, stride=2)])
def test_pooling_backward_matches_finite_differences(make):
    layer = make()
    rng = np.random.default_rng(6)
    X = rng.permutation(2 * 2 * 7 * 7).reshape(2, 2, 7, 7) / 10.0  # distinct values: no ties
    X = X[..., :7 - (7 - layer.size) % layer.stride, :7 - (7 - layer.size) % layer.stride]
    X = np.ascontiguousarray(X)
    out = layer.forward(X)
    dY = rng.standard_normal(out.shape)
    dX = layer.backward(dY)
    numeric = numerical_gradient(lambda x: float(np.sum(layer.forward(x) * dY)), X.copy(),
                                 eps=1e-4)
    assert relative_error(dX, numeric) < 1e-8


def test_max_pool_sends_the_gradient_to_the_maximum_only():
    X = np.array([[1.0, 5], [3, 2]]).reshape(1, 1, 2, 2)
    layer = MaxPool2D(2)
    layer.forward(X)
    np.testing.assert_array_equal(layer.backward(np.array([[[[7.0]]]]))[0, 0], [[0, 7], [0, 0]])


def test_max_pool_ties_send_the_gradient_to_the_first_maximum_like_pytorch():
    layer = MaxPool2D(2)
    layer.forward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 1, 1, 1)))[0, 0], [[1, 0], [0, 0]])


def test_overlapping_max_pool_adds_gradients_where_windows_share_a_maximum():
    X = np.zeros((1, 1, 3, 3))
    X[0, 0, 1, 1] = 9.0                                      # the centre is in all 4 windows
    layer = MaxPool2D(2, stride=1)
    out = layer.forward(X)
    np.testing.assert_array_equal(out, 9.0)
    dX = layer.backward(np.ones((1, 1, 2, 2)))
    assert dX[0, 0, 1, 1] == 4.0 and dX.sum() == 4.0


def test_avg_pool_spreads_the_gradient_evenly():
    layer = AvgPool2D(2)
    layer.forward(np.zeros((1, 1, 2, 4)))
    dX = layer.backward(np.array([[[[4.0, 8.0]]]]))
    np.testing.assert_array_equal(dX[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2]])


def test_pooling_keeps_channels_separate():
    X = np.stack([np.full((4, 4), 1.0), np.full((4, 4), -2.0)])[None]
    np.testing.assert_array_equal(max_pool2d(X, 2)[0, :, 0, 0], [1.0, -2.0])
    assert MaxPool2D(2).output_shape((5, 7, 8, 8)) == (5, 7, 4, 4)


# --- Flatten


def test_flatten_uses_channel_then_row_order_and_backward_restores_the_shape():
    X = np.arange(2 * 2 * 2 * 3, dtype=float).reshape(2, 2, 2, 3)
    layer = Flatten()
    out = layer.forward(X)
    assert out.shape == (2, 12)
    np.testing.assert_array_equal(out[1], X[1].ravel())
    assert layer.backward(out).shape == X.shape


# --- a CNN inside Sequential


def small_cnn(seed=0):
    return Sequential([Conv2D(1, 4, 3, padding=1, rng=seed), ReLU(), MaxPool2D(2), Flatten(),
                       Dense(4 * 3 * 3, 3, rng=seed)])


def test_whole_cnn_passes_gradient_check():
    X = np.random.default_rng(7).standard_normal((4, 1, 6, 6))
    result = check_gradients(small_cnn(), X, np.array([0, 1, 2, 1]), "cross_entropy")
    assert result.passed(1e-6), result.report()
    assert set(result.errors) == {"layers[0].W", "layers[0].b", "layers[4].W", "layers[4].b",
                                  "input"}


def test_cnn_trains_with_fit_and_predicts_image_batches():
    rng = np.random.default_rng(8)
    X = rng.random((60, 1, 6, 6)) * 0.2
    y = np.arange(60) % 3
    for i, label in enumerate(y):            # class 0: top row lit, 1: left column, 2: centre
        if label == 0:
            X[i, 0, 0, :] += 1
        elif label == 1:
            X[i, 0, :, 0] += 1
        else:
            X[i, 0, 2:4, 2:4] += 1
    model = small_cnn(seed=1)
    history = model.fit(X, y, "cross_entropy", Adam(0.02), epochs=30, batch_size=10, rng=0,
                        validation_data=(X, y))
    assert history.loss[-1] < 0.2 * history.loss[0]
    assert history.val_accuracy[-1] == 1.0
    assert model.predict(X).shape == (60,)
    assert model.predict_proba(X).shape == (60, 3)


def test_summary_with_an_input_shape_lists_every_output_shape():
    text = small_cnn().summary(input_shape=(1, 6, 6))
    assert "(batch, 4, 6, 6)" in text and "(batch, 4, 3, 3)" in text
    assert "(batch, 36)" in text and "(batch, 3)" in text
    assert text.splitlines()[-1] == f"total parameters: {40 + 36 * 3 + 3}"


# --- errors


def test_wrong_rank_names_the_layout_and_how_to_reshape():
    with pytest.raises(ValueError, match=r"4 dimensions \(batch, channels, height, width\), got "
                                         r"shape \(5, 64\).*reshape\(-1, 1, 8, 8\)"):
        Conv2D(1, 2, 3).forward(np.zeros((5, 64)))
    with pytest.raises(ValueError, match="4 dimensions"):
        MaxPool2D(2).forward(np.zeros((8, 8)))


def test_wrong_number_of_channels_is_an_error():
    with pytest.raises(ValueError, match=r"Conv2D expected X with 3 channel\(s\) on axis 1.*"
                                         r"got shape \(2, 1, 8, 8\)"):
        Conv2D(3, 4, 3).forward(np.zeros((2, 1, 8, 8)))


def test_conv_on_a_too_small_image_and_a_misfitting_stride_show_the_formula():
    with pytest.raises(ValueError, match=r"Conv2D: the kernel \(5x5\) is larger than the padded "
                                         r"input: height 3"):
        Conv2D(1, 1, 5).forward(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"output width .*\(8 \+ 2\*1 - 3\) / 2 \+ 1 = 4\.5"):
        Conv2D(1, 1, 3, stride=2, padding=1).forward(np.zeros((1, 1, 7, 8)))
    with pytest.raises(ValueError, match=r"MaxPool2D: the output height .*\(7 \+ 2\*0 - 2\) / 2"):
        MaxPool2D(2).forward(np.zeros((1, 1, 7, 7)))


def test_bad_constructor_arguments_and_weight_shapes():
    with pytest.raises(ValueError, match="in_channels to be an int >= 1, got 0"):
        Conv2D(0, 1, 3)
    with pytest.raises(ValueError, match="padding to be an int >= 0, got -1"):
        Conv2D(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="size to be an int >= 1, got 1.5"):
        AvgPool2D(1.5)
    with pytest.raises(ValueError, match=r"W \(out_channels, in_channels, k, k\) with shape "
                                         r"\(2, 1, 3, 3\), got shape \(3, 3\)"):
        Conv2D(1, 2, 3).W = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"K.reshape\(1, 1, 3, 3\)"):
        conv2d(np.zeros((1, 1, 4, 4)), np.zeros((3, 3)))


def test_backward_before_forward_and_wrong_dY_shape_are_errors():
    for layer in (Conv2D(1, 1, 3), MaxPool2D(2), AvgPool2D(2), Flatten()):
        with pytest.raises(RuntimeError, match="backward called before forward"):
            layer.backward(np.zeros((1, 1, 1, 1)))
    layer = Conv2D(1, 2, 3)
    layer.forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"expected dY with the shape of the forward output "
                                         r"\(1, 2, 2, 2\), got shape \(1, 2, 4, 4\)"):
        layer.backward(np.zeros((1, 2, 4, 4)))


TORCH_OPTIONAL = OPTIONAL + ("torch is not installed (a benchmark-only extra, not in "
                             "requirements.txt: pip install torch to run these agreement tests)")


# --- agreement with PyTorch (only where torch is installed; it is not a requirement)


@pytest.mark.parametrize("N, C, H, W, F, k, s, p", CONFIGS)
def test_conv2d_forward_and_gradients_equal_pytorch(N, C, H, W, F, k, s, p):
    torch = pytest.importorskip("torch", reason=TORCH_OPTIONAL)
    rng = np.random.default_rng(9)
    layer = Conv2D(C, F, k, stride=s, padding=p, rng=10)
    layer.b = rng.standard_normal(F)
    X = rng.standard_normal((N, C, H, W))
    out = layer.forward(X)
    dY = rng.standard_normal(out.shape)
    dX = layer.backward(dY)

    tX = torch.tensor(X, requires_grad=True)
    tW = torch.tensor(layer.W, requires_grad=True)
    tb = torch.tensor(layer.b, requires_grad=True)
    t_out = torch.nn.functional.conv2d(tX, tW, tb, stride=s, padding=p)
    t_out.backward(torch.tensor(dY))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dX, tX.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dW, tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("size, stride, H", [(2, None, 8), (2, 1, 5), (3, 2, 7), (4, 4, 8)])
def test_pooling_forward_and_gradients_equal_pytorch(kind, size, stride, H):
    torch = pytest.importorskip("torch", reason=TORCH_OPTIONAL)
    rng = np.random.default_rng(11)
    X = rng.standard_normal((2, 3, H, H))
    X[0, 0, :2, :2] = 1.0                                    # a tie: both pick the first
    layer = (MaxPool2D if kind == "max" else AvgPool2D)(size, stride)
    out = layer.forward(X)
    dY = rng.standard_normal(out.shape)
    dX = layer.backward(dY)
    tX = torch.tensor(X, requires_grad=True)
    fn = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    t_out = fn(tX, size, stride)
    t_out.backward(torch.tensor(dY))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dX, tX.grad.numpy(), rtol=1e-12, atol=1e-14)
