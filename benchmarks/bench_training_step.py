"""Time one training step of nnlib against a minimal numpy step and against PyTorch (CPU).

One training step = forward pass, softmax cross-entropy loss (mean over the batch), backward
pass, plain SGD update (lr = 0.01). All three implementations train the same MLP (ReLU hidden
layers, logits out) from the same initial weights on the same batch, in the same dtype:

- nnlib:  ``model.train_step(X, y, CrossEntropy(), SGD(0.01))`` on ``nnlib.mlp(sizes)``;
- numpy:  ``numpy_step`` below, the shortest plain numpy code a careful person would write
          (no input checks, no objects, no first-layer input gradient);
- torch:  ``torch.nn.Sequential`` of ``Linear``/``ReLU``, ``nn.CrossEntropyLoss``,
          ``torch.optim.SGD``, with ``zero_grad(set_to_none=True)`` each step.

Usage::

    python benchmarks/bench_training_step.py               # all cores
    python benchmarks/bench_training_step.py --threads 1   # single-threaded BLAS everywhere
    python benchmarks/bench_training_step.py --quick       # fewer repetitions
    python benchmarks/bench_training_step.py --threads 1 --clock cpu   # on a busy machine

Threads: numpy's BLAS (OpenBLAS) and torch get the same number of threads. The script sets
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS before numpy is imported (unless they
are already set, in which case that value is used) and calls ``torch.set_num_threads`` with it.

Timing: the three implementations are timed in interleaved rounds, each round a block of
steps of each, in an order that rotates from round to round, so that load from other processes
hits all three alike and none always runs right after the same other one. With several threads
each block starts after a 0.2 s pause (see PAUSE). Times are the median over rounds of the time
per step; ratios are the median over rounds of the ratio within a round (paired, so a busy
spell that slows one round slows both sides). Before timing, the script checks that the three
give the same first-step loss and the same updated weights.

PyTorch is optional (``pip install torch``); without it the script says so and compares nnlib
with the numpy step only. It is not a test: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for numpy and torch (default: the number of cores, "
                             "or OPENBLAS_NUM_THREADS/OMP_NUM_THREADS if set)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (default); cpu: CPU time of this process "
                             "(time.process_time), which time spent waiting for a core does not "
                             "count: use it with --threads 1 on a busy machine")
    return parser.parse_args()


ARGS = (_parse_args() if __name__ == "__main__"
        else argparse.Namespace(threads=None, quick=True, clock="wall"))


def _choose_threads(requested: int | None) -> int:
    """Decide the thread count and pin it in the environment before numpy loads BLAS."""
    if requested is None:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            if os.environ.get(var, "").isdigit():
                requested = int(os.environ[var])
                break
        else:
            requested = os.cpu_count() or 1
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(requested)
    return requested


THREADS = _choose_threads(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables are set)

import nnlib  # noqa: E402
from nnlib.losses import CrossEntropy  # noqa: E402
from nnlib.network import mlp  # noqa: E402
from nnlib.optim import SGD  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional
    torch = None

LR = 0.01
# With more than one thread, OpenBLAS (numpy) and libgomp (torch) keep their worker threads
# spinning for a while after each call; a block of one library right after the other's would
# share the cores with those spinners. A pause before each block lets them go to sleep, as they
# would in a program that uses only one of the libraries.
PAUSE = 0.2 if THREADS > 1 else 0.0
CONFIGS = [  # (layer sizes, batch size)
    ([784, 256, 128, 10], 128),
    ([2, 16, 16, 2], 32),
]
DTYPES = [np.float64, np.float32]


# ----------------------------------------------------------------------------- minimal numpy


def numpy_step(Ws: list[np.ndarray], bs: list[np.ndarray], X: np.ndarray, y: np.ndarray,
               lr: float) -> float:
    """One SGD step of a ReLU MLP with softmax cross-entropy, in plain numpy. Returns the loss."""
    hs = [X]  # inputs of each layer
    for W, b in zip(Ws[:-1], bs[:-1], strict=True):
        hs.append(np.maximum(hs[-1] @ W + b, 0))
    z = hs[-1] @ Ws[-1] + bs[-1]
    n = X.shape[0]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = -np.mean(np.log(p[rows, y]))
    dz = p
    dz[rows, y] -= 1
    dz /= n
    for i in range(len(Ws) - 1, -1, -1):
        dW = hs[i].T @ dz
        db = dz.sum(axis=0)
        if i > 0:
            dz = (dz @ Ws[i].T) * (hs[i] > 0)
        Ws[i] -= lr * dW
        bs[i] -= lr * db
    return float(loss)


# ----------------------------------------------------------------------------- set-up


def make_runners(sizes: list[int], batch: int, dtype: type) -> tuple[dict, dict]:
    """Step functions (name -> step(), returning the loss) with identical weights and data,
    and functions returning each implementation's current weight matrices (n_in, n_out)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch)

    model = mlp(sizes, activation="relu", rng=1, dtype=dtype)
    dense = [layer for layer in model.layers if isinstance(layer, nnlib.layers.Dense)]
    loss, opt = CrossEntropy(), SGD(LR)
    runners = {"nnlib": lambda: model.train_step(X, y, loss, opt)}

    Ws = [d.W.copy() for d in dense]
    bs = [d.b.copy() for d in dense]
    runners["numpy"] = lambda: numpy_step(Ws, bs, X, y, LR)
    weights = {"nnlib": lambda: [d.W for d in dense], "numpy": lambda: Ws}

    if torch is not None:
        tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
        modules = []
        for i, d in enumerate(dense):
            linear = torch.nn.Linear(d.n_in, d.n_out, dtype=tdtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(d.W.T.copy()))
                linear.bias.copy_(torch.from_numpy(d.b.copy()))
            modules.append(linear)
            if i < len(dense) - 1:
                modules.append(torch.nn.ReLU())
        tmodel = torch.nn.Sequential(*modules)
        tloss = torch.nn.CrossEntropyLoss()
        topt = torch.optim.SGD(tmodel.parameters(), lr=LR)
        tX, ty = torch.from_numpy(X), torch.from_numpy(y)

        def torch_step() -> float:
            topt.zero_grad(set_to_none=True)
            value = tloss(tmodel(tX), ty)
            value.backward()
            topt.step()
            return value.item()

        runners["torch"] = torch_step
        weights["torch"] = lambda: [m.weight.detach().numpy().T for m in modules[::2]]
    return runners, weights


def check_agreement(runners: dict, weights: dict, dtype: type) -> None:
    """One step each: same loss and same updated weights, or stop with an error."""
    losses = {name: run() for name, run in runners.items()}
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    reference = weights["numpy"]()
    for name, value in losses.items():
        if not np.isclose(value, losses["numpy"], rtol=rtol):
            sys.exit(f"{name} first-step loss {value} differs from numpy's {losses['numpy']}")
        for a, b in zip(weights[name](), reference, strict=True):
            if not np.allclose(a, b, rtol=rtol, atol=rtol * 1e-2):
                sys.exit(f"{name} weights after one step differ from numpy's")


def time_runners(runners: dict, step_estimate: float,
                 rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds per step of each runner, and median per-round ratios nnlib / other.

    Each round times a block of steps of every runner back to back; the ratio of two runners
    within one round is little affected by load that comes and goes between rounds.
    """
    clock = time.process_time if ARGS.clock == "cpu" else time.perf_counter
    block = max(1, int(0.01 / max(step_estimate, 1e-7)))  # about 10 ms of steps per block
    times = {name: [] for name in runners}
    for _ in range(3 * block):  # warm-up
        for run in runners.values():
            run()
    names = list(runners)
    for round_ in range(rounds):
        # rotate the order, so that each implementation follows each other one equally often
        # (the block after another library's starts with that library's data in the caches)
        k = round_ % len(names)
        for name in names[k:] + names[:k]:
            run = runners[name]
            time.sleep(PAUSE)
            start = clock()
            for _ in range(block):
                run()
            times[name].append((clock() - start) / block)
    medians = {name: float(np.median(t)) for name, t in times.items()}
    nnlib_times = np.array(times["nnlib"])
    ratios = {name: float(np.median(nnlib_times / np.array(t)))
              for name, t in times.items() if name != "nnlib"}
    return medians, ratios


def _load() -> str:
    """The 1-minute load average (how many processes wanted a core), where the OS tells it."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def main() -> None:
    if torch is not None:
        torch.set_num_threads(THREADS)
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'NOT INSTALLED'}, "
          f"{os.cpu_count()} cores, {THREADS} BLAS thread(s) for numpy and torch")
    print(f"load average before: {_load()} (figures are only meaningful on an idle machine)")
    if torch is None:
        print("PyTorch is not installed: comparing nnlib with the minimal numpy step only.\n"
              "  (pip install torch to add the PyTorch column)")
    if ARGS.clock == "cpu":
        print("clock: CPU time of the process (waiting for a core is not counted)"
              + ("; with several threads it adds up the CPU time of all threads, spinning "
                 "included, so it is not elapsed time" if THREADS > 1 else ""))
    rounds = 10 if ARGS.quick else 40
    print(f"median time per training step over {rounds} interleaved rounds; ratios are medians "
          f"of per-round ratios; SGD lr={LR}\n")
    header = f"{'network':<16} {'batch':>5} {'dtype':<8} {'nnlib':>10} {'numpy':>10}"
    header += f" {'torch':>10} {'nnlib/numpy':>12} {'nnlib/torch':>12}" if torch else \
        f" {'nnlib/numpy':>12}"
    print(header)
    for sizes, batch in CONFIGS:
        for dtype in DTYPES:
            runners, weights = make_runners(sizes, batch, dtype)
            check_agreement(runners, weights, dtype)
            start = time.perf_counter()
            runners["nnlib"]()
            estimate = time.perf_counter() - start
            t, ratio = time_runners(runners, estimate, rounds)
            name = "-".join(map(str, sizes))
            line = (f"{name:<16} {batch:>5} {np.dtype(dtype).name:<8} "
                    f"{t['nnlib'] * 1e6:>8.0f}us {t['numpy'] * 1e6:>8.0f}us")
            if torch is not None:
                line += (f" {t['torch'] * 1e6:>8.0f}us {ratio['numpy']:>12.2f}"
                         f" {ratio['torch']:>12.2f}")
            else:
                line += f" {ratio['numpy']:>12.2f}"
            print(line, flush=True)
    print(f"load average after: {_load()}")
    print("\ntargets: 784-256-128-10: nnlib/numpy <= 1.2 and nnlib/torch <= 1.25; "
          "2-16-16-2: nnlib/torch <= 0.5")


if __name__ == "__main__":
    main()
