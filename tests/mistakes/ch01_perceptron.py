"""Typical wrong answers to the chapter 1 exercises (solutions/ch01_perceptron).

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI. Several of
them pass the visible self-checks and are caught only by the hidden tests (noted below).
"""

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: weighted_sum
    dict(
        name="weighted_sum: bias forgotten",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    return float(np.dot(x, w))
''',
        loses=["weighted_sum_test"],
    ),
    dict(
        name="weighted_sum: products not added up (one number per input)",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    return np.asarray(x, dtype=float) * np.asarray(w, dtype=float) + b
''',
        loses=["weighted_sum_test"],
    ),
    dict(
        # Passes the visible checks (which use arrays); hidden: lists (list @ list fails).
        name="weighted_sum: list inputs not converted to arrays",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    return float(x @ w + b)
''',
        loses=["weighted_sum_test"],
    ),
    dict(
        # Passes the visible checks (3 inputs); hidden: 2 and 5 inputs.
        name="weighted_sum: the sum written out for three inputs",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    return float(x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + b)
''',
        loses=["weighted_sum_test"],
        says="any length",
    ),
    # ---------------------------------------------------------------- Part 2: step
    dict(
        # Passes the visible checks; hidden: step(0) must be 1.
        name="step: > instead of >= (step(0) gives 0)",
        cell="step",
        code='''\
def step(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
''',
        loses=["step_test"],
    ),
    dict(
        # Passes the visible checks; hidden: the result must be numbers.
        name="step: returns booleans",
        cell="step",
        code='''\
def step(z):
    return np.asarray(z) >= 0
''',
        loses=["step_test"],
    ),
    dict(
        name="step: the sign function (-1 for negative sums)",
        cell="step",
        code='''\
def step(z):
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, -1.0)
''',
        loses=["step_test"],
    ),
    dict(
        # Passes the visible checks; hidden: step(0) is 0.5.
        name="step: (sign(z) + 1) / 2, which is 0.5 at z = 0",
        cell="step",
        code='''\
def step(z):
    return (np.sign(z) + 1) / 2
''',
        loses=["step_test"],
        says="np.sign(0) is 0",
    ),
    dict(
        name="step: if/else on the whole array",
        cell="step",
        code='''\
def step(z):
    if z >= 0:
        return 1.0
    else:
        return 0.0
''',
        loses=["step_test"],
        says="np.where",
    ),
    # ---------------------------------------------------------------- Part 3: predict
    dict(
        name="predict: bias forgotten",
        cell="predict",
        code='''\
def predict(X, w, b):
    return step(np.asarray(X, dtype=float) @ np.asarray(w, dtype=float))
''',
        loses=["predict_test"],
    ),
    dict(
        # Passes the visible checks; hidden: points on the line.
        name="predict: > instead of >= written out instead of step",
        cell="predict",
        code='''\
def predict(X, w, b):
    z = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b
    return (z > 0).astype(int)
''',
        loses=["predict_test"],
    ),
    dict(
        # Passes the visible checks; hidden: must be a numpy array.
        name="predict: returns a list of booleans",
        cell="predict",
        code='''\
def predict(X, w, b):
    return [bool(x @ np.asarray(w, dtype=float) + b >= 0) for x in np.asarray(X, dtype=float)]
''',
        loses=["predict_test"],
    ),
    dict(
        name="predict: weights as a column, answers of shape (n, 1)",
        cell="predict",
        code='''\
def predict(X, w, b):
    w = np.asarray(w, dtype=float).reshape(-1, 1)
    return step(np.asarray(X, dtype=float) @ w + b)
''',
        loses=["predict_test"],
    ),
    dict(
        # Passes the visible checks (arrays); hidden: X and w as lists.
        name="predict: lists not converted (list @ list)",
        cell="predict",
        code='''\
def predict(X, w, b):
    return step(X @ w + b)
''',
        loses=["predict_test"],
        says="np.asarray",
    ),
    # ---------------------------------------------------------------- Part 4: perceptron_update
    dict(
        name="perceptron_update: wrong sign (error = guess - target)",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    error = predict(x.reshape(1, -1), w, b)[0] - target
    return w + lr * error * x, b + lr * error
''',
        loses=["perceptron_update_test"],
    ),
    dict(
        name="perceptron_update: bias never updated",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    error = target - step(weighted_sum(x, w, b))
    return w + lr * error * x, b
''',
        loses=["perceptron_update_test"],
    ),
    dict(
        # Passes the visible checks (lr = 1 there); hidden: lr = 0.5 and 0.1.
        name="perceptron_update: learning rate ignored",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    error = target - step(x @ w + b)
    return w + error * x, b + error
''',
        loses=["perceptron_update_test"],
    ),
    dict(
        # Passes the visible checks; hidden: the caller's w must stay unchanged.
        name="perceptron_update: changes the caller's w in place (w +=)",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    error = target - step(x @ w + b)
    w += lr * error * x
    return w, b + lr * error
''',
        loses=["perceptron_update_test"],
        says="changed its input",
    ),
    dict(
        name="perceptron_update: the guess from predict on a batch of one, b_new an array",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    guess = predict(x.reshape(1, -1), w, b)
    error = target - guess
    return w + lr * error * x, b + lr * error
''',
        loses=["perceptron_update_test"],
        says="guess[0]",
    ),
    # ---------------------------------------------------------------- Part 5: train_perceptron
    dict(
        name="train_perceptron: error count not reset each epoch (running total)",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    errors, wrong = [], 0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            if step(x_i @ w + b) != y_i:
                wrong += 1
            w, b = perceptron_update(x_i, y_i, w, b, lr)
        errors.append(wrong)
    return w, b, errors
''',
        loses=["train_perceptron_test"],
    ),
    dict(
        name="train_perceptron: mistakes counted after the update",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            w, b = perceptron_update(x_i, y_i, w, b, lr)
            if step(x_i @ w + b) != y_i:
                wrong += 1
        errors.append(wrong)
    return w, b, errors
''',
        loses=["train_perceptron_test"],
    ),
    dict(
        # Passes the visible checks (lr = 1 there); hidden: lr = 0.5 on OR.
        name="train_perceptron: lr not passed on to the update",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            wrong += int(step(x_i @ w + b) != y_i)
            w, b = perceptron_update(x_i, y_i, w, b)
        errors.append(wrong)
    return w, b, errors
''',
        loses=["train_perceptron_test"],
    ),
    dict(
        # Passes the visible checks (AND has 2 inputs); hidden: 3 spam features.
        name="train_perceptron: weights hard-wired to two inputs",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(2), 0.0
    errors = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            wrong += int(step(x_i[:2] @ w + b) != y_i)
            w, b = perceptron_update(x_i[:2], y_i, w, b, lr)
        errors.append(wrong)
    return w, b, errors
''',
        loses=["train_perceptron_test"],
    ),
    dict(
        # The habit of stochastic gradient descent: shuffle every epoch. The prompt says row 0
        # first, in order.
        name="train_perceptron: shuffles the rows every epoch",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        wrong = 0
        for i in np.random.permutation(len(X)):
            if step(X[i] @ w + b) != y[i]:
                wrong += 1
            w, b = perceptron_update(X[i], y[i], w, b, lr)
        errors.append(wrong)
    return w, b, errors
''',
        loses=["train_perceptron_test"],
    ),
    # ---------------------------------------------------------------- Part 6: spam_weights
    dict(
        name="spam_weights: a known sender counted as evidence for spam",
        cell="spam_weights",
        code='''\
def spam_weights():
    return np.array([2.0, 2.0, 3.0]), -0.5
''',
        loses=["spam_weights_test"],
    ),
    dict(
        name="spam_weights: no bias (every empty e-mail is spam)",
        cell="spam_weights",
        code='''\
def spam_weights():
    return np.array([2.0, 2.0, -3.0]), 0.0
''',
        loses=["spam_weights_test"],
    ),
    dict(
        # Fits the six visible e-mails; hidden: a known sender must push away from spam.
        name="spam_weights: known sender ignored (weight 0)",
        cell="spam_weights",
        code='''\
def spam_weights():
    return np.array([1.0, 2.0, 0.0]), -0.85
''',
        loses=["spam_weights_test"],
    ),
    # ---------------------------------------------------------------- Part 7: find_separating_line
    dict(
        name="find_separating_line: any point right instead of all",
        cell="find_separating_line",
        code='''\
def find_separating_line(X, y, values):
    for w1 in values:
        for w2 in values:
            for b in values:
                if np.any(predict(X, np.array([w1, w2]), b) == y):
                    return (w1, w2, b)
    return None
''',
        loses=["find_separating_line_test"],
    ),
    dict(
        # Passes the visible checks; hidden: a point exactly on the line.
        name="find_separating_line: > instead of >= written out",
        cell="find_separating_line",
        code='''\
def find_separating_line(X, y, values):
    X = np.asarray(X, dtype=float)
    for w1 in values:
        for w2 in values:
            for b in values:
                answers = (X @ np.array([w1, w2]) + b > 0).astype(int)
                if np.array_equal(answers, y):
                    return (w1, w2, b)
    return None
''',
        loses=["find_separating_line_test"],
    ),
    dict(
        name="find_separating_line: returns the last line tried when none works",
        cell="find_separating_line",
        code='''\
def find_separating_line(X, y, values):
    for w1 in values:
        for w2 in values:
            for b in values:
                if np.all(predict(X, np.array([w1, w2]), b) == y):
                    return (w1, w2, b)
    return (w1, w2, b)
''',
        loses=["find_separating_line_test"],
    ),
    # ---------------------------------------------------------------- written answers
    dict(
        name="xor_proof: left empty (graded by hand, costs no auto-graded points)",
        cell="xor_proof",
        code="YOUR ANSWER HERE",
        loses=[],
    ),
]

# Correct answers written in other styles: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="weighted_sum: a loop over the pairs, no numpy",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    total = b
    for x_i, w_i in zip(x, w):
        total += x_i * w_i
    return float(total)
''',
    ),
    dict(
        name="weighted_sum: np.dot, returning a numpy float",
        cell="weighted_sum",
        code='''\
def weighted_sum(x, w, b):
    return np.dot(x, w) + b
''',
    ),
    dict(
        name="step: np.heaviside with the value 1 at 0",
        cell="step",
        code='''\
def step(z):
    return np.heaviside(z, 1.0)
''',
    ),
    dict(
        name="step: a comparison turned into floats",
        cell="step",
        code='''\
def step(z):
    return (np.asarray(z) >= 0).astype(float)
''',
    ),
    dict(
        name="predict: a loop over the rows, ints",
        cell="predict",
        code='''\
def predict(X, w, b):
    answers = []
    for row in np.asarray(X, dtype=float):
        z = np.dot(row, w) + b
        answers.append(1 if z >= 0 else 0)
    return np.array(answers)
''',
    ),
    dict(
        name="perceptron_update: only moves on a mistake, guess from predict",
        cell="perceptron_update",
        code='''\
def perceptron_update(x, target, w, b, lr=1.0):
    guess = predict(x.reshape(1, -1), w, b)[0]
    if guess == target:
        return w.copy(), b
    error = target - guess
    return w + lr * error * x, b + lr * error
''',
    ),
    dict(
        name="train_perceptron: index loop, errors as a numpy array",
        cell="train_perceptron",
        code='''\
def train_perceptron(X, y, epochs, lr=1.0):
    n, d = X.shape
    w = np.zeros(d)
    b = 0
    errors = np.zeros(epochs, dtype=int)
    for epoch in range(epochs):
        for i in range(n):
            guess = predict(X[i:i + 1], w, b)[0]
            if guess != y[i]:
                errors[epoch] += 1
            w, b = perceptron_update(X[i], y[i], w, b, lr=lr)
    return w, b, errors
''',
    ),
    dict(
        name="spam_weights: lists and an int bias",
        cell="spam_weights",
        code='''\
def spam_weights():
    return [3, 3, -5], -1
''',
    ),
    dict(
        name="find_separating_line: bias in the outer loop, a list of numpy floats",
        cell="find_separating_line",
        code='''\
def find_separating_line(X, y, values):
    for b in values:
        for w2 in values:
            for w1 in values:
                z = X @ np.array([w1, w2]) + b
                if np.array_equal(np.where(z >= 0, 1, 0), y):
                    return [w1, w2, b]
    return None
''',
    ),
]
