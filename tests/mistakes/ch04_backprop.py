"""Typical wrong answers to the chapter 4 exercises (solutions/ch04_backprop).

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI. Several of
them pass the visible self-checks and are caught only by the hidden tests (noted below).
"""

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: mse, mse_grad
    dict(
        # Passes the visible checks (a vector: 3 rows and 3 entries); hidden: a (8, 3) batch,
        # where the number of rows (8) and of entries (24) differ.
        name="mse_grad: divides by the number of rows instead of the number of entries",
        cell="mse",
        code='''\
def mse(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff**2))


def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    return 2.0 * (pred - np.asarray(target, dtype=float)) / len(pred)
''',
        loses=["mse_test"],
    ),
    dict(
        name="mse_grad: the 1/N of the mean forgotten",
        cell="mse",
        code='''\
def mse(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff**2))


def mse_grad(pred, target):
    return 2.0 * (np.asarray(pred, dtype=float) - np.asarray(target, dtype=float))
''',
        loses=["mse_test"],
    ),
    dict(
        name="mse_grad: the factor 2 of the square forgotten",
        cell="mse",
        code='''\
def mse(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff**2))


def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    return (pred - np.asarray(target, dtype=float)) / pred.size
''',
        loses=["mse_test"],
    ),
    dict(
        name="mse: sum instead of mean",
        cell="mse",
        code='''\
def mse(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.sum(diff**2))


def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    return 2.0 * (pred - np.asarray(target, dtype=float)) / pred.size
''',
        loses=["mse_test"],
    ),
    # ---------------------------------------------------------------- Part 2: bce from logits
    dict(
        # Passes the visible checks (arrays); the prompt allows lists.
        name="mse: lists not converted (list - list)",
        cell="mse",
        code='''\
def mse(pred, target):
    return float(np.mean((pred - target) ** 2))


def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    return 2.0 * (pred - np.asarray(target, dtype=float)) / pred.size
''',
        loses=["mse_test"],
        says="np.asarray",
    ),
    dict(
        name="bce_with_logits: textbook form -log(sigmoid) gives inf at large logits",
        cell="bce",
        code='''\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    p = 1.0 / (1.0 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    return (nnlib.activations.sigmoid(z) - np.asarray(y, dtype=float)) / z.size
''',
        loses=["bce_test"],
    ),
    dict(
        # The prompt's formula typed literally: fine at +-1000, 0.1% off when the loss is 1e-13.
        name="bce_with_logits: np.log(1 + ...) instead of np.log1p",
        cell="bce",
        code='''\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log(1 + np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    return (nnlib.activations.sigmoid(z) - np.asarray(y, dtype=float)) / z.size
''',
        loses=["bce_test"],
        says="np.log1p",
    ),
    dict(
        # Passes the visible checks (large logits only for the loss); hidden: the gradient at
        # z = +-1000 with overflow warnings turned into errors.
        name="bce_with_logits_grad: naive sigmoid overflows (RuntimeWarning) at z = -1000",
        cell="bce",
        code='''\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    return (1.0 / (1.0 + np.exp(-z)) - np.asarray(y, dtype=float)) / z.size
''',
        loses=["bce_test"],
    ),
    dict(
        name="bce_with_logits_grad: sign flipped (y - sigmoid(z))",
        cell="bce",
        code='''\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    return (np.asarray(y, dtype=float) - nnlib.activations.sigmoid(z)) / z.size
''',
        loses=["bce_test"],
    ),
    dict(
        # Passes the visible checks (a vector: rows = entries); hidden: a (6, 2) batch.
        name="bce_with_logits_grad: divides by the number of rows, not of entries",
        cell="bce",
        code='''\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    return (nnlib.activations.sigmoid(z) - np.asarray(y, dtype=float)) / len(z)
''',
        loses=["bce_test"],
    ),
    # ---------------------------------------------------------------- Part 3: chain rule
    dict(
        # Passes the visible checks (z > 0 there); hidden: z < 0, where the ReLU blocks.
        name="chain_rule_gradients: the ReLU's derivative forgotten",
        cell="chain",
        code='''\
def chain_rule_gradients(x, w1, b, w2, y):
    z = w1 * x + b
    h = max(z, 0.0)
    dL_dyhat = 2.0 * (w2 * h - y)
    dL_dz = dL_dyhat * w2
    return float(dL_dz * x), float(dL_dz), float(dL_dyhat * h)
''',
        loses=["chain_test"],
    ),
    dict(
        name="chain_rule_gradients: the factor 2 of the square forgotten",
        cell="chain",
        code='''\
def chain_rule_gradients(x, w1, b, w2, y):
    z = w1 * x + b
    h = max(z, 0.0)
    dL_dyhat = w2 * h - y
    dL_dz = dL_dyhat * w2 * (1.0 if z > 0 else 0.0)
    return float(dL_dz * x), float(dL_dz), float(dL_dyhat * h)
''',
        loses=["chain_test"],
    ),
    dict(
        name="chain_rule_gradients: sign error (y - yhat)",
        cell="chain",
        code='''\
def chain_rule_gradients(x, w1, b, w2, y):
    z = w1 * x + b
    h = max(z, 0.0)
    dL_dyhat = 2.0 * (y - w2 * h)
    dL_dz = dL_dyhat * w2 * (1.0 if z > 0 else 0.0)
    return float(dL_dz * x), float(dL_dz), float(dL_dyhat * h)
''',
        loses=["chain_test"],
    ),
    # ---------------------------------------------------------------- Part 4: dense backward
    dict(
        # Passes the visible example (z = 0.75) and the numeric cases, which avoid z = 0.
        name="chain_rule_gradients: ReLU'(0) taken as 1 (z >= 0)",
        cell="chain",
        code='''\
def chain_rule_gradients(x, w1, b, w2, y):
    z = w1 * x + b
    h = max(z, 0.0)
    y_hat = w2 * h
    dL_dyhat = 2.0 * (y_hat - y)
    dL_dz = dL_dyhat * w2 * (1.0 if z >= 0 else 0.0)
    return float(dL_dz * x), float(dL_dz), float(dL_dyhat * h)
''',
        loses=["chain_test"],
        says="z > 0, not z >= 0",
    ),
    dict(
        # Fails the visible checks (wrong values); the hidden tests also use a square W,
        # where a transposed dW has the right shape and only the values give it away.
        name="dense_backward: dW transposed (dY.T @ X), reshaped to fit",
        cell="dense",
        code='''\
def dense_backward(dY, X, W):
    dY, X, W = (np.asarray(a, dtype=float) for a in (dY, X, W))
    return dY @ W.T, (dY.T @ X).reshape(W.shape), dY.sum(axis=0)
''',
        loses=["dense_test"],
    ),
    dict(
        name="dense_backward: db not summed over the batch (first row only)",
        cell="dense",
        code='''\
def dense_backward(dY, X, W):
    dY, X, W = (np.asarray(a, dtype=float) for a in (dY, X, W))
    return dY @ W.T, X.T @ dY, dY[0]
''',
        loses=["dense_test"],
    ),
    dict(
        name="dense_backward: db averaged over the batch (1/n twice)",
        cell="dense",
        code='''\
def dense_backward(dY, X, W):
    dY, X, W = (np.asarray(a, dtype=float) for a in (dY, X, W))
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)
''',
        loses=["dense_test"],
    ),
    dict(
        name="dense_backward: dX = dY @ W (W not transposed)",
        cell="dense",
        code='''\
def dense_backward(dY, X, W):
    dY, X, W = (np.asarray(a, dtype=float) for a in (dY, X, W))
    return dY @ W, X.T @ dY, dY.sum(axis=0)
''',
        loses=["dense_test"],
    ),
    # ---------------------------------------------------------------- Part 5: numerical gradient
    dict(
        # Passes the visible checks (eps = 1e-6 on a quadratic); hidden: eps = 1e-3 on a cubic,
        # where the one-sided error (about 3 x eps) is far larger than the centred one (eps**2).
        name="numerical_gradient: one-sided difference (f(x+eps) - f(x)) / eps",
        cell="numgrad",
        code='''\
def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    f0 = float(f(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (float(f(x)) - f0) / eps
        x[i] = old
    return grad
''',
        loses=["numgrad_test"],
    ),
    dict(
        # Passes the visible checks (a vector); hidden: a matrix.
        name="numerical_gradient: loops over range(len(x)), works for vectors only",
        cell="numgrad",
        code='''\
def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        loses=["numgrad_test"],
    ),
    dict(
        name="numerical_gradient: nudges the caller's array and never puts it back",
        cell="numgrad",
        code='''\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(np.shape(x)):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        loses=["numgrad_test"],
    ),
    dict(
        name="numerical_gradient: divides by eps instead of 2 eps",
        cell="numgrad",
        code='''\
def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / eps
    return grad
''',
        loses=["numgrad_test"],
    ),
    # ---------------------------------------------------------------- Part 6: sgd, momentum
    dict(
        name="sgd_step: updates in the wrong direction (w + lr * g)",
        cell="sgd",
        code='''\
def sgd_step(w, g, lr):
    return np.asarray(w, dtype=float) + lr * np.asarray(g, dtype=float)


def momentum_step(w, g, velocity, lr, momentum=0.9):
    v = momentum * np.asarray(velocity, dtype=float) + np.asarray(g, dtype=float)
    return np.asarray(w, dtype=float) - lr * v, v
''',
        loses=["sgd_test"],
    ),
    dict(
        # Passes the visible checks (the first step starts from zero velocity); hidden: the
        # second step must use the updated velocity.
        name="momentum_step: returns the old velocity instead of the updated one",
        cell="sgd",
        code='''\
def sgd_step(w, g, lr):
    return np.asarray(w, dtype=float) - lr * np.asarray(g, dtype=float)


def momentum_step(w, g, velocity, lr, momentum=0.9):
    v = momentum * np.asarray(velocity, dtype=float) + np.asarray(g, dtype=float)
    return np.asarray(w, dtype=float) - lr * v, np.asarray(g, dtype=float)
''',
        loses=["sgd_test"],
    ),
    dict(
        name="sgd_step: changes the caller's w in place (w -=)",
        cell="sgd",
        code='''\
def sgd_step(w, g, lr):
    w -= lr * np.asarray(g, dtype=float)
    return w


def momentum_step(w, g, velocity, lr, momentum=0.9):
    v = momentum * np.asarray(velocity, dtype=float) + np.asarray(g, dtype=float)
    return np.asarray(w, dtype=float) - lr * v, v
''',
        loses=["sgd_test"],
    ),
    # ---------------------------------------------------------------- Part 7: adam
    dict(
        name="momentum_step: updates the caller's velocity in place",
        cell="sgd",
        code='''\
def sgd_step(w, g, lr):
    return np.asarray(w, dtype=float) - lr * np.asarray(g, dtype=float)


def momentum_step(w, g, velocity, lr, momentum=0.9):
    velocity *= momentum
    velocity += g
    return w - lr * velocity, velocity
''',
        loses=["sgd_test"],
        says="changed its input",
    ),
    dict(
        name="adam_step: no bias correction",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = np.asarray(g, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g**2
    return np.asarray(w, dtype=float) - lr * m / (np.sqrt(v) + eps), m, v
''',
        loses=["adam_test"],
    ),
    dict(
        # Passes the visible checks (t = 1 only); hidden: later steps.
        name="adam_step: bias correction with a fixed t = 1",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = np.asarray(g, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1)
    v_hat = v / (1 - beta2)
    return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''',
        loses=["adam_test"],
    ),
    dict(
        name="adam_step: returns the corrected moments m_hat, v_hat",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = np.asarray(g, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
''',
        loses=["adam_test"],
    ),
    dict(
        name="adam_step: updates in the wrong direction",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = np.asarray(g, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return np.asarray(w, dtype=float) + lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''',
        loses=["adam_test"],
    ),
    dict(
        # Passes the visible step and the default-beta runs; the betas cancel on a first step.
        name="adam_step: beta1 and beta2 hard-wired to 0.9 and 0.999",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g**2
    m_hat = m / (1 - 0.9**t)
    v_hat = v / (1 - 0.999**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''',
        loses=["adam_test"],
    ),
    dict(
        # Invisible for gradients of about 1: sqrt(1 + 1e-8) is 1 + 5e-9.
        name="adam_step: eps inside the square root",
        cell="adam",
        code='''\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v
''',
        loses=["adam_test"],
        says="eps outside the square root",
    ),
    # ---------------------------------------------------------------- Part 8: training
    dict(
        name="train_quadrants: no hidden layer (a straight line cannot split XOR)",
        cell="train",
        code='''\
def train_quadrants(X, y, X_new):
    model = mlp([2, 1], rng=0)
    model.fit(X, y, "bce_logits", Adam(lr=0.01), epochs=60, batch_size=16, rng=0)
    return model.predict(X_new)
''',
        loses=["train_test"],
    ),
    dict(
        name="train_quadrants: learning rate far too small for the epochs given",
        cell="train",
        code='''\
def train_quadrants(X, y, X_new):
    model = mlp([2, 16, 16, 1], activation="relu", rng=0)
    model.fit(X, y, "bce_logits", SGD(lr=0.0001), epochs=5, batch_size=16, rng=0)
    return model.predict(X_new)
''',
        loses=["train_test"],
    ),
    dict(
        name="train_quadrants: trains but returns nothing",
        cell="train",
        code='''\
def train_quadrants(X, y, X_new):
    model = mlp([2, 16, 16, 1], activation="relu", rng=0)
    model.fit(X, y, "bce_logits", Adam(lr=0.01), epochs=60, batch_size=16, rng=0)
''',
        loses=["train_test"],
    ),
    dict(
        # Accurate every time, but no seed: two calls give different networks.
        name="train_quadrants: no seeds (not reproducible)",
        cell="train",
        code='''\
def train_quadrants(X, y, X_new):
    model = mlp([2, 16, 16, 1], activation="relu")
    model.fit(X, y, "bce_logits", Adam(lr=0.01), epochs=60, batch_size=16)
    return model.predict(X_new)
''',
        loses=["train_test"],
        says="fix every seed",
    ),
    # ---------------------------------------------------------------- written answer
    dict(
        name="curves: left empty (graded by hand, costs no auto-graded points)",
        cell="curves",
        code="YOUR ANSWER HERE",
        loses=[],
    ),
]


# Correct answers written in other styles: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="mse and mse_grad with explicit sums and len of the flattened array",
        cell="mse",
        code='''\\
def mse(pred, target):
    d = (np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)).ravel()
    return np.sum(d * d) / len(d)


def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    target = np.asarray(target, dtype=float)
    return 2 / np.size(pred) * (pred - target)
''',
    ),
    dict(
        name="bce with np.logaddexp and a hand-written stable sigmoid",
        cell="bce",
        code='''\\
def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    return np.mean(np.maximum(z, 0) - z * y + np.logaddexp(0.0, -np.abs(z)))


def bce_with_logits_grad(z, y):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return (s - np.asarray(y, dtype=float)) / z.size
''',
    ),
    dict(
        name="chain_rule_gradients with numpy and a list result",
        cell="chain",
        code='''\\
def chain_rule_gradients(x, w1, b, w2, y):
    z = w1 * x + b
    h = np.maximum(z, 0)
    y_hat = w2 * h
    dz = 2 * (y_hat - y) * w2 * np.where(z > 0, 1.0, 0.0)
    return [dz * x, dz, 2 * (y_hat - y) * h]
''',
    ),
    dict(
        name="dense_backward with loops over the batch (outer products)",
        cell="dense",
        code='''\\
def dense_backward(dY, X, W):
    dW = np.zeros(W.shape)
    db = np.zeros(W.shape[1])
    for x_row, dy_row in zip(X, dY):
        dW += np.outer(x_row, dy_row)
        db += dy_row
    return np.dot(dY, W.T), dW, db
''',
    ),
    dict(
        name="numerical_gradient over x.flat on a copy",
        cell="numgrad",
        code='''\\
def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros(x.shape)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += eps
        minus.flat[i] -= eps
        grad.flat[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad
''',
    ),
    dict(
        name="sgd and momentum without conversion for arrays, list results",
        cell="sgd",
        code='''\\
def sgd_step(w, g, lr):
    return [w_i - lr * g_i for w_i, g_i in zip(np.ravel(w), np.ravel(g))]


def momentum_step(w, g, velocity, lr, momentum=0.9):
    v = momentum * np.array(velocity, dtype=float) + np.array(g, dtype=float)
    new_w = np.array(w, dtype=float) - lr * v
    return new_w, v
''',
    ),
    dict(
        name="adam_step in the order of the paper, with numpy floats for t",
        cell="adam",
        code='''\\
def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * np.square(g)
    step = lr * (new_m / (1 - np.power(beta1, t))) / (np.sqrt(new_v / (1 - np.power(beta2, t)))
                                                       + eps)
    return w - step, new_m, new_v
''',
    ),
    dict(
        name="train_quadrants with tanh, SGD with momentum, a list of int labels",
        cell="train",
        code='''\\
def train_quadrants(X, y, X_new):
    model = mlp([2, 8, 8, 1], activation="tanh", rng=1)
    model.fit(X, y, "bce_logits", SGD(lr=0.1, momentum=0.9), epochs=80, batch_size=8, rng=1)
    return [int(label) for label in np.ravel(model.predict(X_new))]
''',
    ),
]
