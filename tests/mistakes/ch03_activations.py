"""Typical wrong answers to the chapter 3 exercises (activation functions).

Each entry replaces the source of one solution cell (``cell``, its grade id) with ``code`` and
names the test cells that must then score 0 (``loses``); every other test cell must keep its
full points. The grading round-trip test submits each one through the real nbgrader CLI.
"""

MISTAKES = [
    dict(
        name="relu changes its input in place",
        cell="relu",
        code='''def relu(x):
    x = np.asarray(x, dtype=float)
    x[x < 0] = 0
    return x
''',
        loses=["relu_test"],
    ),
    dict(
        name="relu with Python's max, which cannot compare an array with 0",
        cell="relu",
        code='''def relu(x):
    return max(0, x)
''',
        loses=["relu_test"],
    ),
    dict(
        name="leaky_relu returns alpha instead of alpha * x for negatives",
        cell="leaky_relu",
        code='''def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, alpha)
''',
        loses=["leaky_relu_test"],
    ),
    dict(
        name="leaky_relu ignores the alpha it is given",
        cell="leaky_relu",
        code='''def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.01 * x)
''',
        loses=["leaky_relu_test"],
    ),
    dict(
        name="textbook sigmoid overflows and warns at -1000",
        cell="sigmoid",
        code='''def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
''',
        loses=["sigmoid_test"],
    ),
    dict(
        name="sigmoid as 1 - sigmoid(-x) loses precision for negative x",
        cell="sigmoid",
        code='''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    pos = 1 / (1 + np.exp(-np.abs(x)))
    return np.where(x >= 0, pos, 1 - pos)
''',
        loses=["sigmoid_test"],
    ),
    dict(
        name="relu_grad is the sign of x (-1 for negative inputs)",
        cell="grads",
        code='''def relu_grad(x):
    return np.sign(np.asarray(x, dtype=float))


def sigmoid_grad(x):
    s = nnlib.activations.sigmoid(x)
    return s * (1.0 - s)
''',
        loses=["grads_test"],
    ),
    dict(
        name="sigmoid_grad uses x instead of sigmoid(x)",
        cell="grads",
        code='''def relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


def sigmoid_grad(x):
    s = nnlib.activations.sigmoid(x)
    return s * (1.0 - x)
''',
        loses=["grads_test"],
    ),
    dict(
        name="softmax without the max shift overflows",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros_like(z)
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        np.put_along_axis(one_hot, top, 1.0, axis=axis)
        return one_hot
    e = np.exp(z / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="softmax subtracts the maximum of the whole array, not of each row",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros_like(z)
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        np.put_along_axis(one_hot, top, 1.0, axis=axis)
        return one_hot
    e = np.exp((z - np.max(z)) / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="softmax always works along the last axis",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros_like(z)
        top = np.expand_dims(np.argmax(z, axis=-1), -1)
        np.put_along_axis(one_hot, top, 1.0, axis=-1)
        return one_hot
    e = np.exp((z - np.max(z, axis=-1, keepdims=True)) / temperature)
    return e / np.sum(e, axis=-1, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="softmax multiplies by the temperature instead of dividing",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros_like(z)
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        np.put_along_axis(one_hot, top, 1.0, axis=axis)
        return one_hot
    e = np.exp((z - np.max(z, axis=axis, keepdims=True)) * temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="softmax argmax over the flattened array at T = 0",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros(z.size)
        one_hot[np.argmax(z)] = 1.0
        return one_hot.reshape(z.shape)
    e = np.exp((z - np.max(z, axis=axis, keepdims=True)) / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="sampling multiplies the logits by T",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, rng):
    logits = np.asarray(logits, dtype=float)
    if T == 0:
        return int(np.argmax(logits))
    p = nnlib.activations.softmax(logits * T)
    return int(rng.choice(len(logits), p=p))
''',
        loses=["sample_with_temperature_test"],
    ),
    dict(
        name="sampling is always greedy",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, rng):
    return int(np.argmax(logits))
''',
        loses=["sample_with_temperature_test"],
    ),
    dict(
        name="entropy with log(0) gives nan for a certain outcome",
        cell="entropy",
        code='''def entropy(p):
    p = np.asarray(p, dtype=float)
    return float(-np.sum(p * np.log2(p)))
''',
        loses=["entropy_test"],
    ),
    dict(
        name="entropy in nats (natural log) instead of bits",
        cell="entropy",
        code='''def entropy(p):
    p = np.asarray(p, dtype=float)
    nonzero = p[p > 0]
    return float(-np.sum(nonzero * np.log(nonzero)))
''',
        loses=["entropy_test"],
    ),
]
