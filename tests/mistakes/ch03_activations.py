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
        says="changed its input",
    ),
    dict(
        name="relu with Python's max, which cannot compare an array with 0",
        cell="relu",
        code='''def relu(x):
    return max(0, x)
''',
        loses=["relu_test"],
        says="element by element",
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
        code='''def sample_with_temperature(logits, T, n, seed):
    logits = np.asarray(logits, dtype=float)
    if T == 0:
        return np.full(n, np.argmax(logits))
    p = nnlib.activations.softmax(logits * T)
    return np.random.default_rng(seed).choice(len(logits), size=n, p=p)
''',
        loses=["sample_with_temperature_test"],
    ),
    dict(
        name="sampling is always greedy",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, n, seed):
    return np.full(n, np.argmax(logits))
''',
        loses=["sample_with_temperature_test"],
    ),
    dict(
        # Right frequencies, but the seed is ignored: a second call gives other draws.
        name="sampling with np.random.choice, which ignores the seed",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, n, seed):
    logits = np.asarray(logits, dtype=float)
    if T == 0:
        return np.full(n, np.argmax(logits))
    p = nnlib.activations.softmax(logits, temperature=T)
    return np.random.choice(len(logits), size=n, p=p)
''',
        loses=["sample_with_temperature_test"],
        says="same seed",
    ),
    dict(
        name="sampling makes a new generator for every draw (all draws the same)",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, n, seed):
    logits = np.asarray(logits, dtype=float)
    if T == 0:
        return np.full(n, np.argmax(logits))
    p = nnlib.activations.softmax(logits, temperature=T)
    draws = []
    for _ in range(n):
        rng = np.random.default_rng(seed)
        draws.append(rng.choice(len(logits), p=p))
    return np.array(draws)
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
    dict(
        name="leaky_relu scales the negative entries of its input in place",
        cell="leaky_relu",
        code='''def leaky_relu(x, alpha=0.01):
    x[x <= 0] *= alpha
    return x
''',
        loses=["leaky_relu_test"],
        says="changed its input",
    ),
    dict(
        # Copies first (right for arrays), but a plain number has no .copy().
        name="leaky_relu works on arrays only (x.copy() of a float)",
        cell="leaky_relu",
        code='''def leaky_relu(x, alpha=0.01):
    out = x.copy()
    out[out <= 0] *= alpha
    return out
''',
        loses=["leaky_relu_test"],
        says="plain number",
    ),
    dict(
        # The forum fix for the overflow: clip x. Fine at +-1000 up to 1e-9, wrong in the tail.
        name="sigmoid clips x to [-500, 500] before the textbook formula",
        cell="sigmoid",
        code='''def sigmoid(x):
    x = np.clip(x, -500, 500)
    return 1 / (1 + np.exp(-x))
''',
        loses=["sigmoid_test"],
        says="no clipping",
    ),
    dict(
        name="relu_grad is 1 at the kink (x >= 0)",
        cell="grads",
        code='''def relu_grad(x):
    return np.where(np.asarray(x) >= 0, 1.0, 0.0)


def sigmoid_grad(x):
    s = nnlib.activations.sigmoid(x)
    return s * (1.0 - s)
''',
        loses=["grads_test"],
        says="x <= 0",
    ),
    dict(
        name="sigmoid_grad as exp(-x) / (1 + exp(-x))**2 overflows at -1000",
        cell="grads",
        code='''def relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


def sigmoid_grad(x):
    e = np.exp(-np.asarray(x, dtype=float))
    return e / (1 + e) ** 2
''',
        loses=["grads_test"],
        says="overflow",
    ),
    dict(
        name="softmax at T = 0 as z == max (two 1s on a tie)",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        return (z == np.max(z, axis=axis, keepdims=True)).astype(float)
    e = np.exp((z - np.max(z, axis=axis, keepdims=True)) / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
        says="z == z.max()",
    ),
    dict(
        name="softmax subtracts the mean instead of the maximum (overflows at +-1000)",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        one_hot = np.zeros_like(z)
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        np.put_along_axis(one_hot, top, 1.0, axis=axis)
        return one_hot
    e = np.exp((z - np.mean(z, axis=axis, keepdims=True)) / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)
''',
        loses=["softmax_test"],
    ),
    dict(
        name="entropy of a list: p[p > 0] needs an array",
        cell="entropy",
        code='''def entropy(p):
    nonzero = p[p > 0]
    return float(-np.sum(nonzero * np.log2(nonzero)))
''',
        loses=["entropy_test"],
        says="np.asarray",
    ),
    dict(
        name="entropy adds 1e-12 inside the log instead of leaving zeros out",
        cell="entropy",
        code='''def entropy(p):
    p = np.asarray(p, dtype=float)
    return float(-np.sum(p * np.log2(p + 1e-12)))
''',
        loses=["entropy_test"],
        says="log2(p + 1e-12)",
    ),
]


# Correct answers written in other styles: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="relu as x * (x > 0)",
        cell="relu",
        code='''def relu(x):
    x = np.asarray(x, dtype=float)
    return x * (x > 0)
''',
    ),
    dict(
        name="relu with np.clip, numpy float for a number",
        cell="relu",
        code='''def relu(x):
    return np.clip(x, 0, None)
''',
    ),
    dict(
        name="leaky_relu from maximum and minimum, no conversion",
        cell="leaky_relu",
        code='''def leaky_relu(x, alpha=0.01):
    return np.maximum(x, 0) + alpha * np.minimum(x, 0)
''',
    ),
    dict(
        name="sigmoid through logaddexp",
        cell="sigmoid",
        code='''def sigmoid(x):
    return np.exp(-np.logaddexp(0, -np.asarray(x, dtype=float)))
''',
    ),
    dict(
        name="sigmoid with boolean masks for the two halves",
        cell="sigmoid",
        code='''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out
''',
    ),
    dict(
        name="grads with np.where and s - s**2",
        cell="grads",
        code='''def relu_grad(x):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)


def sigmoid_grad(x):
    s = nnlib.activations.sigmoid(x)
    return s - s**2
''',
    ),
    dict(
        name="softmax through a log-sum-exp, argmax with keepdims",
        cell="softmax",
        code='''def softmax(z, axis=-1, temperature=1.0):
    z = np.asarray(z, dtype=float)
    if temperature == 0:
        top = np.argmax(z, axis=axis, keepdims=True)
        positions = np.arange(z.shape[axis]).reshape(
            [-1 if a == axis % z.ndim else 1 for a in range(z.ndim)])
        return (positions == top).astype(float)
    s = z / temperature
    m = np.max(s, axis=axis, keepdims=True)
    log_total = m + np.log(np.sum(np.exp(s - m), axis=axis, keepdims=True))
    return np.exp(s - log_total)
''',
    ),
    dict(
        name="sampling in a loop from one generator, a list of Python ints",
        cell="sample_with_temperature",
        code='''def sample_with_temperature(logits, T, n, seed):
    rng = np.random.default_rng(seed)
    if T == 0:
        best = int(np.argmax(logits))
        return [best for _ in range(n)]
    p = nnlib.activations.softmax(np.asarray(logits, dtype=float), temperature=T)
    return [int(rng.choice(len(p), p=p)) for _ in range(n)]
''',
    ),
    dict(
        name="entropy as a loop over the entries",
        cell="entropy",
        code='''def entropy(p):
    total = 0.0
    for p_i in p:
        if p_i > 0:
            total -= p_i * np.log2(p_i)
    return total
''',
    ),
]
