"""Time three whole training runs of nnlib against the same steps of a minimal numpy loop.

The runs are the ones the test suite trains (tests/test_training.py and
tests/test_widgets_training.py), with the same settings:

- playground: ``train_playground(**PLAYGROUND_DEFAULTS)`` from ``nnlib.widgets.training``, the
  chapter 4 default setting: 2-4-4-1 ReLU network, BCE on one logit, SGD lr 0.03, 300 training
  points in batches of 10, 100 epochs (3000 steps), validation after every epoch;
- quadrants, Adam: ``mlp([2, 16, 16, 2])`` on ``data.quadrants(n=400, rng=0)``, softmax
  cross-entropy, ``Adam(lr=0.01)``, batches of 32, 150 epochs (1950 steps);
- spirals, Adam: ``mlp([2, 32, 32, 2])`` on ``data.spirals(n=400, rng=0)``, the same loss and
  optimizer, 200 epochs (2600 steps).

The reference for each run is measured in the same run of the script: the same number of
training steps on mini-batches of the same data and size, done by ``numpy_step`` of
bench_training_step.py (forward pass, softmax cross-entropy, backward pass, plain SGD update in
plain numpy; no checks, no objects) inside a shuffle-and-slice loop of a few lines
(``numpy_loop`` below). The reference does less than nnlib's run: no Adam moments (plain SGD),
no per-epoch history, no validation pass, and for the playground two softmax logits in place of
one sigmoid logit (the nearest step numpy_step can do). The ratio nnlib / numpy therefore says
what the whole of ``fit`` costs over the bare arithmetic of its steps.

The targets below used to be timed assertions in the test suite; they are printed next to the
measured figures (met or not) and never decide the exit status. The exit status is 1 only when
a run does not learn: nnlib's run misses the accuracy the tests require, or the reference
loop's loss does not fall.

Usage (from the repository root)::

    python benchmarks/bench_training_runs.py            # 7 repetitions of each run
    python benchmarks/bench_training_runs.py --quick    # 3 repetitions (noisier)

Timing: CPU time of the process (``time.process_time``), so time spent waiting for a core on a
busy machine is not counted, with single-threaded BLAS (the script sets OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS and MKL_NUM_THREADS to 1 before numpy is imported; with one thread, CPU time is
close to the time the run would take on one free core). Each repetition times nnlib's run and
the reference loop back to back, in alternating order; times are medians over repetitions and
the ratio is the median of the per-repetition ratios (paired, so a busy spell that slows one
repetition slows both sides of it).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repetitions of each run (overrides --quick)")
    args = parser.parse_args()
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats expected a whole number >= 1, got {args.repeats}")
    return args


ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace(quick=True, repeats=None)

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # single-threaded BLAS, before numpy is imported

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402  (after the thread variables are set)
from bench_training_step import numpy_step  # noqa: E402  (also imports torch, if installed)

from nnlib import data  # noqa: E402
from nnlib.network import mlp  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.widgets.training import PLAYGROUND_DEFAULTS, train_playground  # noqa: E402

# ----------------------------------------------------------------------------- the reference


def numpy_loop(X: np.ndarray, y: np.ndarray, sizes: list[int], epochs: int, batch_size: int,
               lr: float, seed: int) -> list[float]:
    """Train a ReLU MLP with plain SGD in plain numpy; return the mean loss of each epoch.

    X has shape (n, sizes[0]), y holds n integer labels in [0, sizes[-1]). Every epoch shuffles
    the rows and takes ceil(n / batch_size) steps of ``numpy_step`` (the last batch may be
    smaller), as ``Sequential.fit`` does.
    """
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((a, b)) * np.sqrt(2.0 / a)
          for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [np.zeros(b) for b in sizes[1:]]
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            total += numpy_step(Ws, bs, X[batch], y[batch], lr) * len(batch)
        losses.append(total / n)
    return losses


# ----------------------------------------------------------------------------- the three runs


def held_out_accuracy(model, make, seed: int) -> float:
    """Accuracy on 1000 fresh points of the same data set (as in tests/test_training.py)."""
    X, y = make(n=1000, rng=1000 + seed)
    return float(np.mean(model.predict(X) == y))


def playground_run() -> dict:
    """The chapter 4 default run; its test requires validation accuracy >= 0.95."""
    first = train_playground(**PLAYGROUND_DEFAULTS)
    X, y = first["X_train"], first["y_train"]  # the same split as the timed runs
    units, layers = PLAYGROUND_DEFAULTS["units"], PLAYGROUND_DEFAULTS["hidden_layers"]
    epochs, batch = PLAYGROUND_DEFAULTS["epochs"], 10  # train_playground's batch_size

    def check(result: dict) -> tuple[bool, str]:
        ok = result["val_accuracy"] >= 0.95
        return ok, f"validation accuracy {result['val_accuracy']:.3f} (needs >= 0.95)"

    return {
        "name": "playground default run",
        "steps": epochs * -(-len(X) // batch),
        "nnlib": lambda: train_playground(**PLAYGROUND_DEFAULTS),
        "check": check,
        "numpy": lambda: numpy_loop(X, y, [2] + [units] * layers + [2], epochs, batch,
                                    PLAYGROUND_DEFAULTS["lr"], seed=0),
        "target_s": 5.0,
        "target": "under 5 s CPU (about 1 s on a 2-core machine)",
    }


def adam_run(name: str, make, sizes: list[int], epochs: int, needed: float) -> dict:
    """An Adam run of tests/test_training.py with seed 0; its test requires the accuracy on the
    training set (last epoch) and on fresh points to be >= ``needed``."""
    seed, batch = 0, 32
    X, y = make(n=400, rng=seed)

    def nnlib_run() -> tuple:
        model = mlp(sizes, activation="relu", rng=seed)
        history = model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=epochs,
                            batch_size=batch, rng=seed)
        return model, history

    def check(result: tuple) -> tuple[bool, str]:
        model, history = result
        held_out = held_out_accuracy(model, make, seed)
        ok = history.accuracy[-1] >= needed and held_out >= needed
        return ok, (f"accuracy: training {history.accuracy[-1]:.3f}, held-out {held_out:.3f} "
                    f"(both need >= {needed})")

    return {
        "name": name,
        "steps": epochs * -(-len(X) // batch),
        "nnlib": nnlib_run,
        "check": check,
        "numpy": lambda: numpy_loop(X, y, sizes, epochs, batch, 0.01, seed=seed),
        "target_s": 10.0,
        "target": "well under 10 s CPU (about 1 s on one free core)",
    }


def time_pair(run: dict, repeats: int) -> dict:
    """Median CPU seconds of nnlib's run and of the reference loop, the median paired ratio,
    and whether every repetition learned."""
    nnlib_times, numpy_times, notes, ok = [], [], set(), True
    for rep in range(repeats):
        order = ("nnlib", "numpy") if rep % 2 == 0 else ("numpy", "nnlib")
        for side in order:
            start = time.process_time()
            out = run[side]()
            seconds = time.process_time() - start
            if side == "nnlib":
                learned, note = run["check"](out)  # after the clock stopped
                nnlib_times.append(seconds)
                notes.add(note)
                ok = ok and learned
            else:
                numpy_times.append(seconds)
                if not (np.isfinite(out[-1]) and out[-1] < out[0]):
                    ok = False
                    notes.add(f"reference loop's loss did not fall: {out[0]:.4f} -> "
                              f"{out[-1]:.4f}")
    ratios = np.array(nnlib_times) / np.array(numpy_times)
    return {"nnlib": float(np.median(nnlib_times)), "numpy": float(np.median(numpy_times)),
            "ratio": float(np.median(ratios)), "low": float(ratios.min()),
            "high": float(ratios.max()), "ok": ok, "notes": sorted(notes)}


def _load() -> str:
    """The 1-minute load average (how many processes wanted a core), where the OS tells it."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def main() -> int:
    repeats = ARGS.repeats or (3 if ARGS.quick else 7)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"1 BLAS thread; CPU time (time.process_time), median of {repeats} repetitions")
    print(f"load average before: {_load()}")
    print("reference: the same number of steps of numpy_step (bench_training_step.py), plain "
          "SGD, in a minimal shuffle-and-slice loop\n")
    runs = [
        playground_run(),
        adam_run("quadrants, Adam", data.quadrants, [2, 16, 16, 2], 150, 0.97),
        adam_run("spirals, Adam", data.spirals, [2, 32, 32, 2], 200, 0.95),
    ]
    print(f"{'run':<24} {'steps':>5} {'nnlib':>8} {'per step':>9} {'numpy':>8} "
          f"{'nnlib/numpy':>11} {'[low-high]':>11}   target (was a test assertion)")
    all_ok = True
    for run in runs:
        run["nnlib"]()  # warm-up (imports, caches); not timed
        run["numpy"]()
        t = time_pair(run, repeats)
        met = "met" if t["nnlib"] < run["target_s"] else "NOT met"
        print(f"{run['name']:<24} {run['steps']:>5} {t['nnlib']:>6.2f} s "
              f"{t['nnlib'] / run['steps'] * 1e6:>6.0f} us {t['numpy']:>6.2f} s "
              f"{t['ratio']:>10.2f}x {t['low']:>5.2f}-{t['high']:<5.2f}   "
              f"{run['target']}: {met}", flush=True)
        for note in t["notes"]:
            print(f"{'':<24} {'' if t['ok'] else 'FAILED: '}{note}")
        all_ok = all_ok and t["ok"]
        run["result"] = t
    print(f"load average after: {_load()}\n")
    for run in runs:
        t = run["result"]
        met = "met" if t["nnlib"] < run["target_s"] else "NOT met"
        print(f"{run['name']}: {t['nnlib']:.2f} s CPU, {t['ratio']:.1f}x the plain-numpy loop; "
              f"target {run['target']}: {met}")
    if not all_ok:
        print("A run did not learn (see FAILED above): the timings are not meaningful.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
