"""Typical wrong answers to the chapter 2 exercises (solutions/ch02_layers).

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI.
"""

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: dense_forward
    dict(
        name="dense_forward: W transposed (rows taken as units)",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X has shape {X.shape} but W has shape {W.shape}")
    return X @ W.T + b
''',
        loses=["dense_forward_test"],
    ),
    dict(
        name="dense_forward: bias forgotten",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] \\
            or b.shape[0] != W.shape[1]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W
''',
        loses=["dense_forward_test"],
    ),
    dict(
        name="dense_forward: bias broadcast along the batch axis",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] \\
            or b.shape[0] != W.shape[1]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W + b.reshape(-1, 1)
''',
        loses=["dense_forward_test"],
    ),
    dict(
        name="dense_forward: a batch of one squeezed to a vector",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] \\
            or b.shape[0] != W.shape[1]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return np.squeeze(X @ W + b)
''',
        loses=["dense_forward_test"],
    ),
    dict(
        name="dense_forward: no shape check (numpy's unhelpful error)",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    return np.asarray(X, dtype=float) @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)
''',
        loses=["dense_forward_test"],
    ),
    dict(
        name="dense_forward: the length of b is not checked (one bias broadcast to all units)",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(f"X has shape {X.shape} but W has shape {W.shape}")
    return X @ W + b
''',
        loses=["dense_forward_test"],
    ),
    # ---------------------------------------------------------------- Part 2: count_parameters
    dict(
        # Checks the sizes but not the ranks: a single example as a vector hits numpy's
        # IndexError instead of a ValueError that names the shape.
        name="dense_forward: sizes checked but not ranks (1-D x gives IndexError)",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has shape {X.shape} but W has shape {W.shape}")
    if b.shape[-1] != W.shape[1] or b.size != W.shape[1]:
        raise ValueError(f"b has shape {b.shape} but W has shape {W.shape}")
    return X @ W + b
''',
        loses=["dense_forward_test"],
        says="check the ranks first",
    ),
    dict(
        name="count_parameters: biases counted for the input layer too",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)
''',
        loses=["count_parameters_test"],
    ),
    dict(
        name="count_parameters: weights only, biases forgotten",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
''',
        loses=["count_parameters_test"],
    ),
    dict(
        name="count_parameters: one bias per input of a layer instead of per unit",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))
''',
        loses=["count_parameters_test"],
    ),
    dict(
        name="count_parameters: off by one, the last layer is skipped",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    total = 0
    for i in range(len(sizes) - 2):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total
''',
        loses=["count_parameters_test"],
    ),
    dict(
        name="count_parameters: written for exactly three layers",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    n_in, n_hidden, n_out = layer_sizes
    return n_in * n_hidden + n_hidden + n_hidden * n_out + n_out
''',
        loses=["count_parameters_test"],
    ),
    # ---------------------------------------------------------------- Part 3: collapse_linear
    dict(
        name="collapse_linear: matrices multiplied in the wrong order",
        cell="collapse_linear",
        code='''\
def collapse_linear(W1, b1, W2, b2):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W2 @ W1, b1 @ W2 + b2
''',
        loses=["collapse_linear_test"],
    ),
    dict(
        name="collapse_linear: biases simply added (b1 not passed through W2)",
        cell="collapse_linear",
        code='''\
def collapse_linear(W1, b1, W2, b2):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W1 @ W2, b1 + b2
''',
        loses=["collapse_linear_test"],
    ),
    dict(
        name="collapse_linear: the first layer's bias forgotten",
        cell="collapse_linear",
        code='''\
def collapse_linear(W1, b1, W2, b2):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W1 @ W2, b2
''',
        loses=["collapse_linear_test"],
    ),
    # ---------------------------------------------------------------- Part 4: xor_network
    dict(
        name="xor_network: the output unit computes OR of the hidden units",
        cell="xor_network",
        code='''\
def xor_network():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([-0.5, -1.5])
    W2 = np.array([[1.0], [1.0]])
    b2 = np.array([-0.5])
    return W1, b1, W2, b2
''',
        loses=["xor_network_test"],
    ),
    dict(
        name="xor_network: points exactly on the boundaries (works only because step(0) = 1)",
        cell="xor_network",
        code='''\
def xor_network():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([-1.0, -2.0])
    W2 = np.array([[1.0], [-2.0]])
    b2 = np.array([-1.0])
    return W1, b1, W2, b2
''',
        loses=["xor_network_test"],
    ),
    dict(
        name="xor_network: output weights as a vector and a number instead of (2, 1) and (1,)",
        cell="xor_network",
        code='''\
def xor_network():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([-0.5, -1.5])
    W2 = np.array([1.0, -2.0])
    b2 = -0.5
    return W1, b1, W2, b2
''',
        loses=["xor_network_test"],
    ),
    # ---------------------------------------------------------------- Part 5: spam_forward
    dict(
        name="spam_forward: ReLU forgotten after the hidden layer",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    scores = (np.asarray(X, dtype=float) @ W1 + b1) @ W2 + b2
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)
''',
        loses=["spam_forward_test"],
    ),
    dict(
        name="spam_forward: softmax over the batch axis (columns) instead of each row",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    scores = np.maximum(0.0, np.asarray(X, dtype=float) @ W1 + b1) @ W2 + b2
    exps = np.exp(scores - scores.max(axis=0, keepdims=True))
    return exps / exps.sum(axis=0, keepdims=True)
''',
        loses=["spam_forward_test"],
    ),
    dict(
        name="spam_forward: ReLU applied to the output scores too",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    hidden = np.maximum(0.0, np.asarray(X, dtype=float) @ W1 + b1)
    scores = np.maximum(0.0, hidden @ W2 + b2)
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)
''',
        loses=["spam_forward_test"],
    ),
    dict(
        name="spam_forward: hidden bias forgotten",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    scores = np.maximum(0.0, np.asarray(X, dtype=float) @ W1) @ W2 + b2
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)
''',
        loses=["spam_forward_test"],
    ),
    dict(
        name="spam_forward: softmax without subtracting the maximum (overflows)",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    scores = np.maximum(0.0, np.asarray(X, dtype=float) @ W1 + b1) @ W2 + b2
    exps = np.exp(scores)
    return exps / exps.sum(axis=1, keepdims=True)
''',
        loses=["spam_forward_test"],
    ),
    dict(
        name="spam_forward: softmax divided by the sum over the whole batch",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    hidden = np.maximum(0.0, np.asarray(X, dtype=float) @ W1 + b1)
    scores = hidden @ W2 + b2
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum()
''',
        loses=["spam_forward_test"],
    ),
    # ---------------------------------------------------------------- Part 6: predict_colour
    dict(
        name="predict_colour: returns the class index, not the colour's name",
        cell="predict_colour",
        code='''\
def predict_colour(W, b, rgb):
    scores = np.asarray(rgb, dtype=float).reshape(1, 3) @ W + b
    return int(np.argmax(scores[0]))
''',
        loses=["predict_colour_test"],
    ),
    dict(
        name="predict_colour: argmax along the batch axis",
        cell="predict_colour",
        code='''\
def predict_colour(W, b, rgb):
    scores = np.asarray(rgb, dtype=float).reshape(1, 3) @ W + b
    return RAINBOW_NAMES[np.argmax(scores, axis=0)]
''',
        loses=["predict_colour_test"],
    ),
    dict(
        name="predict_colour: ignores the weights and picks the nearest prototype colour",
        cell="predict_colour",
        code='''\
def predict_colour(W, b, rgb):
    distances = np.sum((RAINBOW_RGB - np.asarray(rgb, dtype=float)) ** 2, axis=1)
    return RAINBOW_NAMES[int(np.argmin(distances))]
''',
        loses=["predict_colour_test"],
    ),
    dict(
        # Right for the nearest-colour weights; the bias matters for other weights.
        name="predict_colour: the bias forgotten",
        cell="predict_colour",
        code='''\
def predict_colour(W, b, rgb):
    scores = np.asarray(rgb, dtype=float) @ W
    return RAINBOW_NAMES[int(np.argmax(scores))]
''',
        loses=["predict_colour_test"],
    ),
]


# Correct answers written in other styles: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="dense_forward with len(shape), np.dot and its own messages",
        cell="dense_forward",
        code='''\
def dense_forward(X, W, b):
    X, W, b = np.array(X, dtype=float), np.array(W, dtype=float), np.array(b, dtype=float)
    if len(X.shape) != 2:
        raise ValueError(f"X must be 2-D (a batch), got shape {X.shape}")
    if len(W.shape) != 2:
        raise ValueError(f"W must be 2-D, got shape {W.shape}")
    if len(b.shape) != 1 or b.shape[0] != W.shape[1]:
        raise ValueError(f"b has shape {b.shape}, W has shape {W.shape}: one bias per unit")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"cannot multiply X {X.shape} by W {W.shape}")
    return np.dot(X, W) + b
''',
    ),
    dict(
        name="count_parameters with numpy arrays of the sizes, a numpy int",
        cell="count_parameters",
        code='''\
def count_parameters(layer_sizes):
    sizes = np.array(layer_sizes)
    return np.sum(sizes[:-1] * sizes[1:]) + np.sum(sizes[1:])
''',
    ),
    dict(
        name="collapse_linear with np.dot and a list for the tuple",
        cell="collapse_linear",
        code='''\
def collapse_linear(W1, b1, W2, b2):
    return [np.dot(W1, W2), np.dot(b1, W2) + b2]
''',
    ),
    dict(
        name="xor_network as nested lists (NAND and OR, then AND)",
        cell="xor_network",
        code='''\
def xor_network():
    W1 = [[-1, 1], [-1, 1]]
    b1 = [1.5, -0.5]
    W2 = [[1], [1]]
    b2 = [-1.5]
    return W1, b1, W2, b2
''',
    ),
    dict(
        name="spam_forward one e-mail at a time",
        cell="spam_forward",
        code='''\
def spam_forward(X, W1, b1, W2, b2):
    rows = []
    for x in np.asarray(X, dtype=float):
        hidden = np.maximum(x @ W1 + b1, 0)
        scores = hidden @ W2 + b2
        e = np.exp(scores - np.max(scores))
        rows.append(e / np.sum(e))
    return np.array(rows).reshape(len(X), 2)
''',
    ),
    dict(
        name="predict_colour on a vector, argmax of a list",
        cell="predict_colour",
        code='''\
def predict_colour(W, b, rgb):
    scores = list(np.asarray(rgb) @ W + b)
    return RAINBOW_NAMES[scores.index(max(scores))]
''',
    ),
]
