"""Typical wrong answers to the chapter 6 exercises (solutions/ch06_convolution).

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI. Several of
them pass the visible self-checks and are caught only by the hidden tests (noted below).
"""

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: output_size
    dict(
        name="output_size: off by one (the first position's + 1 forgotten)",
        cell="output_size",
        code='''\
def output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride
''',
        loses=["output_size_test"],
    ),
    dict(
        name="output_size: padding counted on one side only",
        cell="output_size",
        code='''\
def output_size(n, k, stride=1, padding=0):
    return (n + padding - k) // stride + 1
''',
        loses=["output_size_test"],
    ),
    dict(
        # Passes the visible checks (stride 1); hidden: stride 2, 3, 4 and 16.
        name="output_size: the stride divides n as well as the kernel's travel",
        cell="output_size",
        code='''\
def output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding) // stride - k + 1
''',
        loses=["output_size_test"],
    ),
    dict(
        # Passes the visible checks (check_equal accepts 6.0 for 6); hidden: the type check.
        name="output_size: returns a float (true division)",
        cell="output_size",
        code='''\
def output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) / stride + 1
''',
        loses=["output_size_test"],
    ),
    # ---------------------------------------------------------------- Part 2: conv2d_loops
    dict(
        name="conv2d_loops: kernel flipped (the mathematicians' convolution)",
        cell="conv_loops",
        code='''\
def conv2d_loops(image, kernel):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)[::-1, ::-1]
    k = kernel.shape[0]
    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + k, j:j + k] * kernel)
    return out
''',
        loses=["conv_loops_test"],
    ),
    dict(
        name="conv2d_loops: off by one, the last row and column of windows missing",
        cell="conv_loops",
        code='''\
def conv2d_loops(image, kernel):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    k = kernel.shape[0]
    out = np.zeros((image.shape[0] - k, image.shape[1] - k))
    for i in range(image.shape[0] - k):
        for j in range(image.shape[1] - k):
            out[i, j] = np.sum(image[i:i + k, j:j + k] * kernel)
    return out
''',
        loses=["conv_loops_test"],
    ),
    dict(
        # Passes the visible checks (square images); hidden: a 7x9 image.
        name="conv2d_loops: assumes a square image (height used for both axes)",
        cell="conv_loops",
        code='''\
def conv2d_loops(image, kernel):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    k = kernel.shape[0]
    n = image.shape[0] - k + 1
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = np.sum(image[i:i + k, j:j + k] * kernel)
    return out
''',
        loses=["conv_loops_test"],
    ),
    # ---------------------------------------------------------------- Part 3: conv2d_single
    dict(
        name="conv2d_single: padding applied on one side only (after the image)",
        cell="conv_single",
        code='''\
def conv2d_single(image, kernel, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    padded = np.pad(image, ((0, padding), (0, padding)))
    windows = sliding_window_view(padded, kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel)
''',
        loses=["conv_single_test"],
    ),
    dict(
        name="conv2d_single: stride ignored",
        cell="conv_single",
        code='''\
def conv2d_single(image, kernel, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    windows = sliding_window_view(np.pad(image, padding), kernel.shape)
    return np.einsum("ijuv,uv->ij", windows, kernel)
''',
        loses=["conv_single_test"],
    ),
    dict(
        # Passes the visible checks (kernels of ones look the same flipped); hidden: random
        # kernels.
        name="conv2d_single: kernel flipped",
        cell="conv_single",
        code='''\
def conv2d_single(image, kernel, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    windows = sliding_window_view(np.pad(image, padding), kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel[::-1, ::-1])
''',
        loses=["conv_single_test"],
    ),
    # ---------------------------------------------------------------- Part 4: conv2d_layer
    dict(
        name="conv2d_layer: channels forgotten (only channel 0 of images and kernels)",
        cell="conv_multi",
        code='''\
def conv2d_layer(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    k = W.shape[2]
    windows = sliding_window_view(X[:, 0], (k, k), axis=(1, 2))
    Y = np.einsum("nijuv,fuv->nfij", windows, W[:, 0])
    return Y + np.asarray(b, dtype=float)[None, :, None, None]
''',
        loses=["conv_multi_test"],
    ),
    dict(
        name="conv2d_layer: bias forgotten",
        cell="conv_multi",
        code='''\
def conv2d_layer(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    k = W.shape[2]
    windows = sliding_window_view(X, (k, k), axis=(2, 3))
    return np.einsum("ncijuv,fcuv->nfij", windows, W)
''',
        loses=["conv_multi_test"],
    ),
    dict(
        # Passes the visible check (one kernel, so b broadcasts anywhere); hidden: 4 kernels.
        name="conv2d_layer: bias added along the wrong axis (the last one)",
        cell="conv_multi",
        code='''\
def conv2d_layer(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    k = W.shape[2]
    windows = sliding_window_view(X, (k, k), axis=(2, 3))
    return np.einsum("ncijuv,fcuv->nfij", windows, W) + np.asarray(b, dtype=float)
''',
        loses=["conv_multi_test"],
    ),
    # ---------------------------------------------------------------- Part 5: maxpool_forward
    dict(
        name="maxpool_forward: averages when asked to take the maximum",
        cell="maxpool",
        code='''\
def maxpool_forward(x, size):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    windows = x.reshape(N, C, H // size, size, W // size, size)
    out = windows.mean(axis=(3, 5))
    mask = np.full(x.shape, 1.0 / (size * size))
    return out, mask
''',
        loses=["maxpool_test"],
    ),
    dict(
        # Passes the visible checks (no ties); hidden: windows whose maximum appears twice.
        name="maxpool_forward: the mask marks every position equal to the maximum (ties)",
        cell="maxpool",
        code='''\
def maxpool_forward(x, size):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    windows = x.reshape(N, C, H // size, size, W // size, size)
    out = windows.max(axis=(3, 5))
    spread = np.repeat(np.repeat(out, size, axis=2), size, axis=3)
    mask = (x == spread).astype(float)
    return out, mask
''',
        loses=["maxpool_test"],
    ),
    dict(
        # Passes the visible checks (one channel); hidden: three channels.
        name="maxpool_forward: channels forgotten (the maximum taken over all channels)",
        cell="maxpool",
        code='''\
def maxpool_forward(x, size):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    out = np.zeros((N, C, H // size, W // size))
    mask = np.zeros_like(x)
    for n in range(N):
        for i in range(H // size):
            for j in range(W // size):
                window = x[n, :, i * size:(i + 1) * size, j * size:(j + 1) * size]
                out[n, :, i, j] = window.max()
                c, u, v = np.unravel_index(np.argmax(window), window.shape)
                mask[n, c, i * size + u, j * size + v] = 1.0
    return out, mask
''',
        loses=["maxpool_test"],
    ),
    # ---------------------------------------------------------------- Part 6: parameter counts
    dict(
        name="conv_params: biases forgotten",
        cell="params",
        code='''\
def conv_params(c_in, c_out, k):
    return c_out * c_in * k * k


def dense_params(n_in, n_out):
    return n_in * n_out + n_out
''',
        loses=["params_test"],
    ),
    dict(
        # Passes the visible checks (one input channel); hidden: 3 and 8 input channels.
        name="conv_params: input channels forgotten (a kernel counted as k x k only)",
        cell="params",
        code='''\
def conv_params(c_in, c_out, k):
    return c_out * k * k + c_out


def dense_params(n_in, n_out):
    return n_in * n_out + n_out
''',
        loses=["params_test"],
    ),
    # ---------------------------------------------------------------- Part 7: conv2d_backward
    dict(
        name="conv2d_backward: dx built with the flipped kernel",
        cell="conv_backward",
        code='''\
def conv2d_backward(x, kernel, dout):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    dout = np.asarray(dout, dtype=float)
    k = kernel.shape[0]
    dx = np.zeros_like(x)
    dkernel = np.zeros_like(kernel)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dkernel += dout[i, j] * x[i:i + k, j:j + k]
            dx[i:i + k, j:j + k] += dout[i, j] * kernel[::-1, ::-1]
    return dx, dkernel
''',
        loses=["conv_backward_test"],
    ),
    dict(
        name="conv2d_backward: dkernel from the transposed window",
        cell="conv_backward",
        code='''\
def conv2d_backward(x, kernel, dout):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    dout = np.asarray(dout, dtype=float)
    k = kernel.shape[0]
    dx = np.zeros_like(x)
    dkernel = np.zeros_like(kernel)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dkernel += dout[i, j] * x[i:i + k, j:j + k].T
            dx[i:i + k, j:j + k] += dout[i, j] * kernel
    return dx, dkernel
''',
        loses=["conv_backward_test"],
    ),
    dict(
        name="conv2d_backward: dx overwritten instead of accumulated where windows overlap",
        cell="conv_backward",
        code='''\
def conv2d_backward(x, kernel, dout):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    dout = np.asarray(dout, dtype=float)
    k = kernel.shape[0]
    dx = np.zeros_like(x)
    dkernel = np.zeros_like(kernel)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dkernel += dout[i, j] * x[i:i + k, j:j + k]
            dx[i:i + k, j:j + k] = dout[i, j] * kernel
    return dx, dkernel
''',
        loses=["conv_backward_test"],
    ),
    # ---------------------------------------------------------------- Part 8: written answer
    dict(
        name="written answer: pooling described as a softmax (graded by hand, no test lost)",
        cell="written_pooling",
        code="Pooling applies a softmax to each window, so it keeps everything, just smaller.\n",
        loses=[],
    ),
]

# Correct answers written in another style: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="output_size with true division and int()",
        cell="output_size",
        code='''\
def output_size(n, k, stride=1, padding=0):
    return int((n + 2 * padding - k) / stride) + 1
''',
    ),
    dict(
        name="conv2d_loops with four nested loops and plain Python sums",
        cell="conv_loops",
        code='''\
def conv2d_loops(image, kernel):
    image = np.array(image, dtype=float)
    kernel = np.array(kernel, dtype=float)
    H, W = image.shape
    k = len(kernel)
    out = np.zeros((H - k + 1, W - k + 1))
    for i in range(H - k + 1):
        for j in range(W - k + 1):
            total = 0.0
            for u in range(k):
                for v in range(k):
                    total += image[i + u, j + v] * kernel[u, v]
            out[i, j] = total
    return out
''',
    ),
    dict(
        name="conv2d_single with loops over the strided positions of a padded copy",
        cell="conv_single",
        code='''\
def conv2d_single(image, kernel, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    k = kernel.shape[0]
    padded = np.zeros((image.shape[0] + 2 * padding, image.shape[1] + 2 * padding))
    padded[padding:padding + image.shape[0], padding:padding + image.shape[1]] = image
    rows = (padded.shape[0] - k) // stride + 1
    cols = (padded.shape[1] - k) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            r, c = i * stride, j * stride
            out[i, j] = (padded[r:r + k, c:c + k] * kernel).sum()
    return out
''',
    ),
    dict(
        name="conv2d_layer with loops over images and kernels",
        cell="conv_multi",
        code='''\
def conv2d_layer(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    N, C, H, Wd = X.shape
    F, _, k, _ = W.shape
    out = np.zeros((N, F, H - k + 1, Wd - k + 1))
    for n in range(N):
        for f in range(F):
            for i in range(H - k + 1):
                for j in range(Wd - k + 1):
                    out[n, f, i, j] = np.sum(X[n, :, i:i + k, j:j + k] * W[f]) + b[f]
    return out
''',
    ),
    dict(
        name="maxpool_forward with loops and np.argmax on each window",
        cell="maxpool",
        code='''\
def maxpool_forward(x, size):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    out = np.zeros((N, C, H // size, W // size))
    mask = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H // size):
                for j in range(W // size):
                    window = x[n, c, i * size:(i + 1) * size, j * size:(j + 1) * size]
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    out[n, c, i, j] = window[r, s]
                    mask[n, c, i * size + r, j * size + s] = 1.0
    return out, mask
''',
    ),
    dict(
        name="conv_params and dense_params factored",
        cell="params",
        code='''\
def conv_params(c_in, c_out, k):
    return (c_in * k ** 2 + 1) * c_out


def dense_params(n_in, n_out):
    return (n_in + 1) * n_out
''',
    ),
    dict(
        name="conv2d_backward with einsum over the windows and a padded full convolution",
        cell="conv_backward",
        code='''\
def conv2d_backward(x, kernel, dout):
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    dout = np.asarray(dout, dtype=float)
    k = kernel.shape[0]
    windows = sliding_window_view(x, (k, k))
    dkernel = np.einsum("ijuv,ij->uv", windows, dout)
    padded = np.pad(dout, k - 1)
    dx = np.einsum("ijuv,uv->ij", sliding_window_view(padded, (k, k)), kernel[::-1, ::-1])
    return dx, dkernel
''',
    ),
]
