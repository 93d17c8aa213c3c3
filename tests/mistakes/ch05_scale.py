"""Typical wrong answers to the chapter 5 exercises (solutions/ch05_scale): scale arithmetic.

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI. Several of
them pass the visible self-checks and are caught only by the hidden tests (noted below).
"""

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: mlp_parameters
    dict(
        name="mlp_parameters: biases forgotten (weights only)",
        cell="mlp_parameters",
        code='''\
def mlp_parameters(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
''',
        loses=["mlp_parameters_test"],
    ),
    dict(
        name="mlp_parameters: one bias per unit of every layer, inputs included",
        cell="mlp_parameters",
        code='''\
def mlp_parameters(layer_sizes):
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return weights + sum(layer_sizes)
''',
        loses=["mlp_parameters_test"],
    ),
    dict(
        name="mlp_parameters: biases counted per input unit instead of per output unit",
        cell="mlp_parameters",
        code='''\
def mlp_parameters(layer_sizes):
    return sum(a * b + a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
''',
        loses=["mlp_parameters_test"],
    ),
    # ------------------------------------------------------------ Part 2: transformer_parameters
    dict(
        name="transformer_parameters: embeddings forgotten",
        cell="transformer_parameters",
        code='''\
def transformer_parameters(n_layers, d_model, vocab_size):
    return 12 * d_model**2 * n_layers
''',
        loses=["transformer_parameters_test"],
    ),
    dict(
        name="transformer_parameters: embeddings counted once per layer",
        cell="transformer_parameters",
        code='''\
def transformer_parameters(n_layers, d_model, vocab_size):
    return (12 * d_model**2 + vocab_size * d_model) * n_layers
''',
        loses=["transformer_parameters_test"],
    ),
    dict(
        name="transformer_parameters: d not squared",
        cell="transformer_parameters",
        code='''\
def transformer_parameters(n_layers, d_model, vocab_size):
    return 12 * d_model * n_layers + vocab_size * d_model
''',
        loses=["transformer_parameters_test"],
    ),
    # ---------------------------------------------------------------- Part 3: memory_gb
    dict(
        name="memory_gb: bits instead of bytes (fp16 as 16 per parameter)",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    size = {"fp32": 32, "fp16": 16, "bf16": 16, "int8": 8, "int4": 4}
    return n_params * (16 if training else size[dtype]) / 1e9
''',
        loses=["memory_gb_test"],
    ),
    dict(
        name="memory_gb: GiB (2**30 bytes) instead of GB (10**9 bytes)",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    size = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    return n_params * (16 if training else size[dtype]) / 2**30
''',
        loses=["memory_gb_test"],
    ),
    dict(
        name="memory_gb: training counts only the weights (Adam's state forgotten)",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    size = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    return n_params * size[dtype] / 1e9
''',
        loses=["memory_gb_test"],
    ),
    dict(
        # Passes the visible checks; hidden: int4 is half a byte.
        name="memory_gb: int4 taken as 4 bytes",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    size = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 4}
    return n_params * (16 if training else size[dtype]) / 1e9
''',
        loses=["memory_gb_test"],
    ),
    dict(
        # Passes the visible checks (fp32 training: 4 * 4 = 16); hidden: bf16 training.
        name="memory_gb: training as 4 times the weights' bytes",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    size = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}[dtype]
    return n_params * (4 * size if training else size) / 1e9
''',
        loses=["memory_gb_test"],
    ),
    # ---------------------------------------------------------------- Part 4: training_flops
    dict(
        name="training_flops: 2 N D (the forward pass only)",
        cell="training_flops",
        code='''\
def training_flops(n_params, n_tokens):
    return 2 * n_params * n_tokens
''',
        loses=["training_flops_test"],
    ),
    dict(
        name="training_flops: 6 N + D instead of 6 N D",
        cell="training_flops",
        code='''\
def training_flops(n_params, n_tokens):
    return 6 * n_params + n_tokens
''',
        loses=["training_flops_test"],
    ),
    # ---------------------------------------------------------------- Part 5: training_days
    dict(
        name="training_days: multiplies by the utilisation instead of dividing",
        cell="training_days",
        code='''\
def training_days(flops, peak_flops, utilisation):
    return flops / peak_flops * utilisation / 86_400
''',
        loses=["training_days_test"],
    ),
    dict(
        name="training_days: hours instead of days (divides by 3600)",
        cell="training_days",
        code='''\
def training_days(flops, peak_flops, utilisation):
    return flops / (peak_flops * utilisation) / 3600
''',
        loses=["training_days_test"],
    ),
    dict(
        name="training_days: utilisation ignored",
        cell="training_days",
        code='''\
def training_days(flops, peak_flops, utilisation):
    return flops / peak_flops / 86_400
''',
        loses=["training_days_test"],
    ),
    # ---------------------------------------------------------------- Part 6: compute_optimal
    dict(
        name="compute_optimal: forgets the 6 of C = 6 N D (N = sqrt(C / 20))",
        cell="compute_optimal",
        code='''\
def compute_optimal(flops):
    n = np.sqrt(flops / 20)
    return n, 20 * n
''',
        loses=["compute_optimal_test"],
    ),
    dict(
        name="compute_optimal: returns (tokens, parameters), swapped",
        cell="compute_optimal",
        code='''\
def compute_optimal(flops):
    n = np.sqrt(flops / 120)
    return 20 * n, n
''',
        loses=["compute_optimal_test"],
    ),
    dict(
        name="compute_optimal: N = C / 120 (no square root)",
        cell="compute_optimal",
        code='''\
def compute_optimal(flops):
    n = flops / 120
    return n, 20 * n
''',
        loses=["compute_optimal_test"],
    ),
    # ------------------------------------------------------------- Part 7: matmul speed
    dict(
        name="gflops_from_times: MFLOP/s (divides by 1e6)",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return times


def gflops_from_times(n, times):
    return 2 * n**3 / min(times) / 1e6
''',
        loses=["measure_matmul_gflops_test"],
    ),
    dict(
        name="gflops_from_times: n**3 operations (the additions forgotten)",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return times


def gflops_from_times(n, times):
    return n**3 / min(times) / 1e9
''',
        loses=["measure_matmul_gflops_test"],
    ),
    dict(
        name="gflops_from_times: mean time instead of the shortest",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return times


def gflops_from_times(n, times):
    return 2 * n**3 / np.mean(times) / 1e9
''',
        loses=["measure_matmul_gflops_test"],
    ),
    dict(
        name="gflops_from_times: keeps the last time instead of the shortest",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return times


def gflops_from_times(n, times):
    return 2 * n**3 / times[-1] / 1e9
''',
        loses=["measure_matmul_gflops_test"],
    ),
    dict(
        # Passes the visible example; hidden: one time, and five times as an array.
        name="gflops_from_times: the shortest of the first two times only (written for repeats=2)",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return times


def gflops_from_times(n, times):
    return 2 * n**3 / min(times[0], times[1]) / 1e9
''',
        loses=["measure_matmul_gflops_test"],
        says="including 1",
    ),
    dict(
        name="matmul_times: times all the products together (one number)",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    start = time.perf_counter()
    for _ in range(repeats):
        A @ B
    return time.perf_counter() - start


def gflops_from_times(n, times):
    return 2 * n**3 / min(times) / 1e9
''',
        loses=["measure_matmul_gflops_test"],
    ),
    # ---------------------------------------------------------------- written answer
    dict(
        name="emergence: left empty (graded by hand, costs no auto-graded points)",
        cell="emergence",
        code="YOUR ANSWER HERE",
        loses=[],
    ),
]

MISTAKES += [
    dict(
        # Passes the visible checks (fp32 training: 16 is what the prompt says); hidden: the
        # 16 bytes already include the 16-bit weights.
        name="memory_gb: training as the weights' bytes plus 16 per parameter",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    sizes = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    total = n_params * sizes[dtype]
    if training:
        total = n_params * 16 if dtype == "fp32" else total + n_params * 16
    return total / 1e9
''',
        loses=["memory_gb_test"],
    ),
    dict(
        # int(...) to be safe with huge numbers: right for billions, wrong for 3 int4 numbers.
        name="memory_gb: rounds the bytes to a whole number",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    sizes = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    per_param = 16 if training else sizes[dtype]
    return int(n_params * per_param) / 1e9
''',
        loses=["memory_gb_test"],
    ),
]

# Correct answers written in other styles: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="mlp_parameters with numpy, a numpy int",
        cell="mlp_parameters",
        code='''\
def mlp_parameters(layer_sizes):
    sizes = np.asarray(layer_sizes)
    return np.sum(sizes[:-1] * sizes[1:] + sizes[1:])
''',
    ),
    dict(
        name="transformer_parameters in floats",
        cell="transformer_parameters",
        code='''\
def transformer_parameters(n_layers, d_model, vocab_size):
    per_layer = 4.0 * d_model**2 + 8.0 * d_model**2
    return per_layer * n_layers + float(vocab_size * d_model)
''',
    ),
    dict(
        name="memory_gb with if/elif and bits",
        cell="memory_gb",
        code='''\
def memory_gb(n_params, dtype, training=False):
    if training:
        return 16 * n_params / 10**9
    if dtype == "fp32":
        bits = 32
    elif dtype in ("fp16", "bf16"):
        bits = 16
    elif dtype == "int8":
        bits = 8
    else:
        bits = 4
    return n_params * bits / 8 / 10**9
''',
    ),
    dict(
        name="training_days in steps, seconds of a day written out",
        cell="training_days",
        code='''\
def training_days(flops, peak_flops, utilisation):
    achieved = peak_flops * utilisation
    seconds = flops / achieved
    hours = seconds / 3600
    return hours / 24
''',
    ),
    dict(
        name="compute_optimal as a list of numpy floats",
        cell="compute_optimal",
        code='''\
def compute_optimal(flops):
    n = (flops / 120) ** 0.5
    return [np.float64(n), np.float64(20 * n)]
''',
    ),
    dict(
        name="matmul speed with a numpy array of times and np.min",
        cell="measure_matmul_gflops",
        code='''\
def matmul_times(n, repeats=3):
    A = np.random.default_rng(1).random((n, n))
    B = np.random.default_rng(2).random((n, n))
    times = np.zeros(repeats)
    for i in range(repeats):
        t0 = time.perf_counter()
        C = A @ B
        t1 = time.perf_counter()
        times[i] = t1 - t0
    return times


def gflops_from_times(n, times):
    shortest = np.min(times)
    flops = 2 * n * n * n
    return flops / shortest / 1e9
''',
    ),
]
