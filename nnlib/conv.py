"""Convolution and pooling layers for images (chapter 6), with forward and backward passes.

Images come in batches of shape ``(N, C, H, W)``: N images, C channels (1 for grey, 3 for
RGB, or the feature maps of an earlier layer), H rows and W columns. That is PyTorch's order.

- :class:`Conv2D` slides ``out_channels`` small kernels of shape ``(C, k, k)`` over the image.
  Each output number is the weighted sum of one ``k x k`` window over all channels, plus a bias.
  Like every deep-learning library we do not flip the kernel (strictly, that makes it a
  cross-correlation; the name "convolution" stuck anyway).
- :class:`MaxPool2D` and :class:`AvgPool2D` shrink each feature map by keeping the largest value,
  or the mean, of each ``size x size`` window.
- :class:`Flatten` turns ``(N, C, H, W)`` into ``(N, C*H*W)`` rows for a following ``Dense``.

Output size along one axis (rows or columns), for an input of size ``n``, kernel ``k``, stride
``s`` and padding ``p`` zeros on *each* side::

    out = (n + 2p - k) / s + 1                                   (conv_output_size)

This must be a whole number: like CS231n's reference code, nnlib raises a ValueError that shows
the formula when it is not. PyTorch instead rounds down and silently ignores the last rows or
columns that do not fill a window (ResNet's first layer relies on that: a 7x7 kernel with stride
2 and padding 3 turns 224 pixels into (224 + 6 - 7) / 2 + 1 = 112.5, rounded down to 112).

How the layers are vectorised ("im2col", as the big libraries do it):
``numpy.lib.stride_tricks.sliding_window_view`` gives a *view* of all ``k x k`` windows of the
padded image, shape ``(N, C, Ho, Wo, k, k)``, without copying a single number (it only changes
how numpy steps through memory); every s-th window gives the stride. Copying the windows into a
matrix with one row per window, ``(N*Ho*Wo, C*k*k)``, turns the whole convolution into ONE
matrix product with the kernels, one column per kernel: the operation BLAS and GPUs are fastest
at. The backward pass reuses that matrix for ``dW`` and goes the other way for ``dX``
("col2im"): each of the ``k*k`` kernel positions adds its share of the gradient back into the
image, one shifted slice at a time.

Example: a hand-set vertical-edge kernel on one 4x4 image::

    >>> conv = Conv2D(1, 1, 3)
    >>> conv.W = np.array([[[[1.0, 0, -1], [1, 0, -1], [1, 0, -1]]]])   # (C_out, C_in, k, k)
    >>> X = np.zeros((1, 1, 4, 4)); X[..., :2] = 1.0                     # bright left half
    >>> conv.forward(X)[0, 0]                                            # (4 - 3)/1 + 1 = 2
    array([[3., 3.],
           [3., 3.]])
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnlib._utils import (
    array_of_shape,
    as_float_array,
    as_rng,
    check_batch,
    check_grad_shape,
    check_images,
    check_square_kernels,
    float_dtype,
    int_at_least,
)
from nnlib.layers import Layer, Parameter

__all__ = [
    "conv_output_size",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "Flatten",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "conv2d_parameters",
]


# ----------------------------------------------------------------------------- sizes

def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     who: str = "conv_output_size", axis: str = "size") -> int:
    """Output size along one axis: ``(n + 2*padding - kernel_size) / stride + 1``.

    ``n`` is the input's height or width, ``padding`` the zeros added on each side.
    Examples: an 8x8 image and a 3x3 kernel give 6 (no padding) or 8 (``padding=1``);
    ``conv_output_size(8, 2, stride=2) == 4`` (pooling by 2).

    Raises ValueError, showing the formula with the numbers, when the kernel is larger than
    the padded input or when the result is not a whole number.
    """
    n = int_at_least(n, "the input size", who, 1)
    k = int_at_least(kernel_size, "kernel_size", who, 1)
    s = int_at_least(stride, "stride", who, 1)
    p = int_at_least(padding, "padding", who, 0)
    formula = f"(n + 2*padding - kernel_size) / stride + 1 = ({n} + 2*{p} - {k}) / {s} + 1"
    if k > n + 2 * p:
        raise ValueError(
            f"{who}: the kernel ({k}x{k}) is larger than the padded input: {axis} {n} + "
            f"2*padding {p} = {n + 2 * p}. Hint: use a smaller kernel or more padding.")
    if (n + 2 * p - k) % s != 0:
        raise ValueError(
            f"{who}: the output {axis} {formula} = {(n + 2 * p - k) / s + 1:g} is not a whole "
            f"number, so the last windows would not fit. Hint: choose stride and padding so "
            f"that stride divides n + 2*padding - kernel_size = {n + 2 * p - k}.")
    return (n + 2 * p - k) // s + 1


def _windows(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    """All size x size windows of X (N, C, H, W), every stride-th one: (N, C, Ho, Wo, size, size).

    A read-only view into X's memory (no copy): window [n, c, i, j] is
    ``X[n, c, i*stride : i*stride+size, j*stride : j*stride+size]``.
    """
    return sliding_window_view(X, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]


def _pad(X: np.ndarray, p: int) -> np.ndarray:
    """Add p zeros on each side of the height and width axes of X (N, C, H, W)."""
    return X if p == 0 else np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def _col2im(dwin: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """Add window gradients back into an image: the backward pass of ``_windows``.

    dwin has shape (N, C, Ho, Wo, k, k), the gradient of each window entry; returns the gradient
    of the image, ``shape`` (N, C, H, W). Kernel position (i, j) of window (a, b) sits at image
    pixel (a*stride + i, b*stride + j), so position (i, j) of *all* windows is one strided slice
    of the image; windows that overlap add up there.
    """
    dX = np.zeros(shape, dtype=dwin.dtype)
    _, _, Ho, Wo, k, _ = dwin.shape
    for i in range(k):
        for j in range(k):
            dX[:, :, i:i + stride * (Ho - 1) + 1:stride,
               j:j + stride * (Wo - 1) + 1:stride] += dwin[:, :, :, :, i, j]
    return dX


def conv2d_parameters(in_channels: int, out_channels: int, kernel_size: int) -> int:
    """Number of weights and biases of a Conv2D layer: ``out*in*k*k + out``.

    It does not depend on the image size: the same kernels slide over every position (weight
    sharing). ``conv2d_parameters(1, 8, 3) == 8*1*3*3 + 8 == 80``.
    """
    c_in = int_at_least(in_channels, "in_channels", "conv2d_parameters", 1)
    c_out = int_at_least(out_channels, "out_channels", "conv2d_parameters", 1)
    k = int_at_least(kernel_size, "kernel_size", "conv2d_parameters", 1)
    return c_out * c_in * k * k + c_out


# ----------------------------------------------------------------------------- Conv2D

class Conv2D(Layer):
    """A 2-D convolution layer: ``out_channels`` kernels of shape (in_channels, k, k).

    Shapes: ``X`` (N, in_channels, H, W); output (N, out_channels, Ho, Wo) with
    ``Ho = (H + 2*padding - k) / stride + 1`` (the same for Wo); ``W`` (out_channels,
    in_channels, k, k); ``b`` (out_channels,). Weights start He-normal, with standard deviation
    ``sqrt(2 / (in_channels*k*k))`` (the fan-in of one output number); biases start at zero.
    After ``backward``, ``dW`` and ``db`` hold the gradients.

    Parameters
    ----------
    in_channels : channels of the input (1 for grey images, 3 for colour).
    out_channels : number of kernels, which is the number of output channels.
    kernel_size : k, the height and width of each (square) kernel.
    stride : step between windows (1: every position).
    padding : zeros added on each side of the height and width.
    rng : None, an int seed or a ``np.random.Generator``, for the initial weights.
    dtype : ``np.float64`` (default) or ``np.float32``; inputs are converted to it.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, rng: None | int | np.random.Generator = None,
                 dtype: type | np.dtype = np.float64) -> None:
        self.in_channels = int_at_least(in_channels, "in_channels", "Conv2D", 1)
        self.out_channels = int_at_least(out_channels, "out_channels", "Conv2D", 1)
        self.kernel_size = int_at_least(kernel_size, "kernel_size", "Conv2D", 1)
        self.stride = int_at_least(stride, "stride", "Conv2D", 1)
        self.padding = int_at_least(padding, "padding", "Conv2D", 0)
        self.dtype = float_dtype(dtype, "Conv2D")
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        fan_in = self.in_channels * self.kernel_size ** 2
        W = (as_rng(rng).standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(self.dtype)
        self._W = Parameter.new("W", W)    # the Parameter named "W": self.W, self.dW
        self._b = Parameter.new("b", np.zeros(self.out_channels, dtype=self.dtype))
        self._cols: np.ndarray | None = None    # the windows of the padded input, one per row
        self._Xp_shape: tuple[int, ...] = ()

    @property
    def W(self) -> np.ndarray:
        """Kernels, shape (out_channels, in_channels, k, k): W[o] is the kernel of channel o."""
        return self._W.value

    @W.setter
    def W(self, value: np.ndarray) -> None:
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        self._W.value = array_of_shape(value, shape, self.dtype,
                                       "W (out_channels, in_channels, k, k)", "Conv2D")

    @property
    def b(self) -> np.ndarray:
        """Biases, shape (out_channels,): one per kernel."""
        return self._b.value

    @b.setter
    def b(self, value: np.ndarray) -> None:
        self._b.value = array_of_shape(value, (self.out_channels,), self.dtype,
                                       "b (out_channels,)", "Conv2D")

    @property
    def dW(self) -> np.ndarray:
        """Gradient of the loss with respect to W from the last backward, shape of W."""
        return self._W.grad

    @property
    def db(self) -> np.ndarray:
        """Gradient of the loss with respect to b from the last backward, shape (out_channels,)."""
        return self._b.grad

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """Output shape (N, out_channels, Ho, Wo) for an input of shape (N, in_channels, H, W)."""
        N, _, H, W = input_shape
        Ho = conv_output_size(H, self.kernel_size, self.stride, self.padding, "Conv2D", "height")
        Wo = conv_output_size(W, self.kernel_size, self.stride, self.padding, "Conv2D", "width")
        return (N, self.out_channels, Ho, Wo)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the feature maps, shape (N, out_channels, Ho, Wo), for X (N, in_channels, H, W).

        ``Y[n, o, i, j] = sum over c, u, v of window[n, c, i, j, u, v] * W[o, c, u, v] + b[o]``.
        """
        X = np.asarray(check_images(X, "Conv2D", self.in_channels), dtype=self.dtype)
        N, _, Ho, Wo = self.output_shape(X.shape)  # a ValueError with the formula if it misfits
        Xp = _pad(X, self.padding)
        win = _windows(Xp, self.kernel_size, self.stride)          # (N, C, Ho, Wo, k, k), a view
        # im2col: one row per window, its C*k*k numbers in the order of W[o] (channel, row, col)
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, -1)
        Y = cols @ self.W.reshape(self.out_channels, -1).T + self.b  # (N*Ho*Wo, O)
        self._cols, self._Xp_shape = cols, Xp.shape
        return Y.reshape(N, Ho, Wo, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        """Store ``dW``, ``db``; return dX, shape (N, in_channels, H, W), for dY (N, O, Ho, Wo).

        Each output number used one window and one kernel, so:
        ``dW[o] = sum over n, i, j of dY[n, o, i, j] * window[n, :, i, j]``,
        ``db[o] = sum of dY[:, o]``, and each window receives ``sum over o of dY[n, o, i, j] *
        W[o]``, added back into the image where the window came from (``_col2im``), then the
        padding is cut off. When ``needs_input_grad`` is False (the first layer of a network in
        training) dX is skipped and None is returned.
        """
        cols = self._cached(self._cols)
        dY = np.asarray(dY, dtype=self.dtype)
        N, C, Hp, Wp = self._Xp_shape
        k, s = self.kernel_size, self.stride
        Ho, Wo = (Hp - k) // s + 1, (Wp - k) // s + 1
        check_grad_shape(dY, (N, self.out_channels, Ho, Wo), "Conv2D")
        dY_rows = dY.transpose(0, 2, 3, 1).reshape(N * Ho * Wo, -1)  # one row per window
        self._W.grad = (dY_rows.T @ cols).reshape(self.W.shape)  # (O, C, k, k)
        self._b.grad = dY_rows.sum(axis=0)
        if not self.needs_input_grad:
            return None
        dcols = dY_rows @ self.W.reshape(self.out_channels, -1)      # (N*Ho*Wo, C*k*k)
        dwin = dcols.reshape(N, Ho, Wo, C, k, k).transpose(0, 3, 1, 2, 4, 5)
        dXp = _col2im(dwin, self._Xp_shape, self.stride)
        p = self.padding
        return dXp[:, :, p:dXp.shape[2] - p, p:dXp.shape[3] - p] if p else dXp

    def parameters(self) -> list[Parameter]:
        return [self._W, self._b]

    def __repr__(self) -> str:
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size="
                f"{self.kernel_size}, stride={self.stride}, padding={self.padding})")


# ----------------------------------------------------------------------------- pooling

class _Pool2D(Layer):
    """Shared set-up of the pooling layers: window ``size``, ``stride`` (default: size)."""

    def __init__(self, size: int, stride: int | None = None) -> None:
        who = type(self).__name__
        self.size = int_at_least(size, "size", who, 1)
        self.stride = self.size if stride is None else int_at_least(stride, "stride", who, 1)
        self._X_shape: tuple[int, ...] | None = None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """Output shape (N, C, Ho, Wo) for an input (N, C, H, W): ``Ho = (H - size)/stride + 1``."""
        who = type(self).__name__
        N, C, H, W = input_shape
        return (N, C, conv_output_size(H, self.size, self.stride, 0, who, "height"),
                conv_output_size(W, self.size, self.stride, 0, who, "width"))

    def _windows_of(self, X: np.ndarray) -> np.ndarray:
        X = check_images(X, type(self).__name__)
        self.output_shape(X.shape)
        self._X_shape = X.shape
        return _windows(X, self.size, self.stride)                 # (N, C, Ho, Wo, s, s)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.size}, stride={self.stride})"


class MaxPool2D(_Pool2D):
    """Max pooling: the largest value of each ``size x size`` window, channel by channel.

    Shapes: X (N, C, H, W) -> (N, C, Ho, Wo), ``Ho = (H - size) / stride + 1``; the stride
    defaults to ``size`` (windows side by side, no overlap). No parameters.
    Backward: only the position that held the maximum had any effect on the output, so the whole
    gradient goes there and every other position of the window gets 0. When several positions tie,
    the first one (in reading order) gets it, as in PyTorch.
    """

    def __init__(self, size: int, stride: int | None = None) -> None:
        super().__init__(size, stride)
        self._argmax: np.ndarray | None = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the window maxima, shape (N, C, Ho, Wo), for X (N, C, H, W)."""
        win = self._windows_of(X)
        flat = win.reshape(*win.shape[:4], -1)                     # (N, C, Ho, Wo, size*size)
        self._argmax = flat.argmax(axis=-1)                        # where each maximum was
        return np.take_along_axis(flat, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Return dX, shape (N, C, H, W): dY at each window's maximum, 0 elsewhere."""
        argmax = self._cached(self._argmax)
        dY = np.asarray(dY)
        check_grad_shape(dY, argmax.shape, "MaxPool2D")
        k = self.size
        positions = np.arange(k * k).reshape(k, k)                 # reading order in a window
        dwin = (argmax[..., None, None] == positions) * dY[..., None, None]
        return _col2im(dwin, self._X_shape, self.stride)


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each ``size x size`` window, channel by channel.

    Shapes: X (N, C, H, W) -> (N, C, Ho, Wo), ``Ho = (H - size) / stride + 1``; the stride
    defaults to ``size``. No parameters. Backward: every position of a window contributed
    1/size² of its mean, so each gets ``dY / size²``.
    """

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the window means, shape (N, C, Ho, Wo), for X (N, C, H, W)."""
        return self._windows_of(X).mean(axis=(4, 5))

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Return dX, shape (N, C, H, W): each window spreads dY / size² over its positions."""
        X_shape = self._cached(self._X_shape)
        dY = np.asarray(dY)
        check_grad_shape(dY, self.output_shape(X_shape), "AvgPool2D")
        k = self.size
        dwin = np.broadcast_to((dY / (k * k))[..., None, None], (*dY.shape, k, k))
        return _col2im(dwin, X_shape, self.stride)


# ----------------------------------------------------------------------------- Flatten

class Flatten(Layer):
    """Reshape (N, C, H, W) (or any (N, ...)) into rows (N, C*H*W), for a following Dense layer.

    Each row lists channel 0 row by row, then channel 1, and so on (C order, as PyTorch's
    ``flatten``). Backward reshapes the gradient back to the input's shape. No parameters.
    """

    def __init__(self) -> None:
        self._X_shape: tuple[int, ...] | None = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return X reshaped to (N, C*H*W)."""
        X = as_float_array(X, "X", "Flatten")
        check_batch(X, "Flatten")
        self._X_shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY: np.ndarray) -> np.ndarray:
        """Return dY reshaped back to the input's shape (N, C, H, W)."""
        X_shape = self._cached(self._X_shape)
        dY = np.asarray(dY)
        check_grad_shape(dY, (X_shape[0], int(np.prod(X_shape[1:]))), "Flatten")
        return dY.reshape(X_shape)


# ----------------------------------------------------------------------------- functions

def conv2d(X: np.ndarray, W: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
           padding: int = 0) -> np.ndarray:
    """Forward pass of a convolution with given kernels (like ``torch.nn.functional.conv2d``).

    X (N, C, H, W), W (O, C, k, k), b (O,) or None (zeros). Returns (N, O, Ho, Wo).
    """
    W = as_float_array(W, "W", "conv2d")
    check_square_kernels(W, "conv2d")
    X = as_float_array(X, "X", "conv2d")
    dtype = np.result_type(X.dtype, W.dtype)
    layer = Conv2D(W.shape[1], W.shape[0], W.shape[2], stride, padding, dtype=dtype)
    layer.W = W
    if b is not None:
        layer.b = b
    return layer.forward(X)


def max_pool2d(X: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Max pooling of X (N, C, H, W) in size x size windows; returns (N, C, Ho, Wo)."""
    return MaxPool2D(size, stride).forward(X)


def avg_pool2d(X: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Average pooling of X (N, C, H, W) in size x size windows; returns (N, C, Ho, Wo)."""
    return AvgPool2D(size, stride).forward(X)
