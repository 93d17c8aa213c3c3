"""Chapter 6 figures: nnlib's Conv2D forward+backward against PyTorch, and the chapter's CNN
training time.

1. **Conv2D forward + backward** on a batch of 64 images of 8x8 with 8 channels, 8 kernels of
   3x3, padding 1 (float64 and float32): nnlib's ``Conv2D.forward`` then ``Conv2D.backward``
   (weights, bias and input gradients) against ``torch.nn.functional.conv2d`` forward and
   ``backward`` through autograd (the same three gradients), same data, same weights. Also the
   chapter's first layer (1 input channel). Target of issue 14: nnlib within 3x of PyTorch CPU.
2. **The chapter's training run**: the CNN of ``book/06_convolution.md`` (Conv2D(1, 8, 3,
   padding=1), ReLU, MaxPool2D(2), Flatten, Dense(128, 10); Adam 0.01, batch 32, 30 epochs on
   the chapter's 1,151 training digits), timed against the same number of epochs of the dense
   64-18-10 network of the same size, and of the same CNN in PyTorch when torch is installed.
   Target: under 30 s on one core (the page trains three CNNs and three dense networks).

Usage::

    python benchmarks/bench_conv.py                     # one thread (the default here)
    python benchmarks/bench_conv.py --threads 2
    python benchmarks/bench_conv.py --quick             # fewer repetitions
    python benchmarks/bench_conv.py --clock wall        # elapsed instead of CPU time

Timing: the implementations are timed in interleaved rounds (a block of calls of each, the
order rotating from round to round), so that load from other processes hits all alike. Times
are medians over rounds; ratios are medians of the ratio within each round. ``--clock cpu``
(the default) counts the CPU time of this process, which time spent waiting for a core does
not count: the stable figure on a shared machine with one thread. PyTorch is optional; without
it the script says so. It is not a test: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for numpy and torch (default 1)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="cpu",
                        help="cpu: CPU time of this process (default); wall: elapsed time")
    return parser.parse_args()


ARGS = _parse_args()
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables are set)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import nnlib  # noqa: E402
from nnlib.conv import Conv2D, Flatten, MaxPool2D  # noqa: E402
from nnlib.data import load_digits, train_val_split  # noqa: E402
from nnlib.layers import Dense, ReLU  # noqa: E402
from nnlib.network import Sequential, mlp  # noqa: E402
from nnlib.optim import Adam  # noqa: E402

try:
    import torch
except ImportError:  # optional
    torch = None

CLOCK = time.process_time if ARGS.clock == "cpu" else time.perf_counter
ROUNDS = 7 if ARGS.quick else 25


def _block(fn, seconds: float = 0.02) -> float:
    """Seconds per call of fn, over a block of calls lasting about ``seconds``."""
    fn()
    start = CLOCK()
    calls = 0
    while True:
        fn()
        calls += 1
        elapsed = CLOCK() - start
        if elapsed >= seconds:
            return elapsed / calls


def interleaved(fns: dict[str, callable], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Per-call times of each fn, one block each per round, in a rotating order."""
    names = list(fns)
    times = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            times[name].append(_block(fns[name]))
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    return float(np.median(np.array(times[a]) / np.array(times[b])))


# --------------------------------------------------------------------------------------------
# 1. Conv2D forward + backward


def conv_case(c_in: int, dtype: type) -> None:
    rng = np.random.default_rng(0)
    N, H, c_out, k = 64, 8, 8, 3
    layer = Conv2D(c_in, c_out, k, padding=1, rng=1, dtype=dtype)
    layer.b = rng.standard_normal(c_out)
    X = rng.standard_normal((N, c_in, H, H)).astype(dtype)
    dY = rng.standard_normal((N, c_out, H, H)).astype(dtype)

    def ours():
        layer.forward(X)
        return layer.backward(dY)

    fns = {"nnlib": ours}
    if torch is not None:
        tX = torch.tensor(X, requires_grad=True)
        tW = torch.tensor(layer.W, requires_grad=True)
        tb = torch.tensor(layer.b, requires_grad=True)
        tdY = torch.tensor(dY)

        def theirs():
            tX.grad = tW.grad = tb.grad = None
            out = torch.nn.functional.conv2d(tX, tW, tb, padding=1)
            out.backward(tdY)
            return tX.grad

        dX = ours()
        theirs()
        tol = 1e-9 if dtype == np.float64 else 1e-3
        for name, mine, other in (("dX", dX, tX.grad), ("dW", layer.dW, tW.grad),
                                  ("db", layer.db, tb.grad)):
            if not np.allclose(mine, other.numpy(), rtol=tol, atol=tol):
                raise SystemExit(f"nnlib and torch disagree on {name}: not timing.")
        fns["torch"] = theirs
    times = interleaved(fns)
    label = f"Conv2D({c_in}, {c_out}, 3, padding=1), batch {N}x{c_in}x{H}x{H}, " \
            f"{np.dtype(dtype).name}"
    line = f"{label:<58} nnlib {np.median(times['nnlib']) * 1e3:7.3f} ms"
    if torch is not None:
        line += (f"   torch {np.median(times['torch']) * 1e3:7.3f} ms   "
                 f"nnlib/torch {ratio(times, 'nnlib', 'torch'):5.2f}x   (target <= 3x)")
    else:
        line += "   torch not installed: no comparison"
    print(line, flush=True)


# --------------------------------------------------------------------------------------------
# 2. The chapter's CNN training run


def chapter_data():
    images, labels = load_digits()
    idx = np.arange(len(labels))
    idx_rest, y_rest, _, _ = train_val_split(idx, labels, 0.2, rng=6, stratify=True)
    idx_train, y_train, _, _ = train_val_split(idx_rest, y_rest, 0.2, rng=7, stratify=True)
    return images[idx_train][:, None] / 16.0, y_train


def train_nnlib_cnn(X, y, epochs):
    model = Sequential([Conv2D(1, 8, 3, padding=1, rng=0), ReLU(), MaxPool2D(2), Flatten(),
                        Dense(128, 10, rng=0)])
    return model.fit(X, y, "cross_entropy", Adam(lr=0.01), epochs=epochs, batch_size=32, rng=0)


def train_nnlib_dense(X, y, epochs):
    model = mlp([64, 18, 10], rng=0)
    return model.fit(X.reshape(len(X), -1), y, "cross_entropy", Adam(lr=0.01), epochs=epochs,
                     batch_size=32, rng=0)


def train_torch_cnn(X, y, epochs):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(128, 10)).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    tX, ty = torch.tensor(X), torch.tensor(y)
    gen = np.random.default_rng(0)
    for _ in range(epochs):
        order = torch.tensor(gen.permutation(len(X)))
        for start in range(0, len(X), 32):
            batch = order[start:start + 32]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(tX[batch]), ty[batch])
            loss.backward()
            opt.step()
    return loss.item()


def training_case() -> None:
    X, y = chapter_data()
    epochs = 30
    runs = {"nnlib CNN": lambda: train_nnlib_cnn(X, y, epochs),
            "nnlib dense 64-18-10": lambda: train_nnlib_dense(X, y, epochs)}
    if torch is not None:
        runs["torch CNN"] = lambda: train_torch_cnn(X, y, epochs)
    rounds = 2 if ARGS.quick else 5
    seconds = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = CLOCK()
            runs[name]()
            seconds[name].append(CLOCK() - start)
    history = train_nnlib_cnn(X, y, epochs)
    print(f"chapter CNN, {epochs} epochs on {len(X)} digits (final training accuracy "
          f"{history.accuracy[-1]:.1%}), median of {rounds} runs:")
    for name in names:
        line = f"  {name:<22} {np.median(seconds[name]):6.2f} s"
        if name != "nnlib CNN":
            r = float(np.median(np.array(seconds["nnlib CNN"]) / np.array(seconds[name])))
            line += f"   nnlib CNN / {name}: {r:5.2f}x"
        print(line)
    if torch is None:
        print("  torch not installed: no PyTorch CNN to compare with")
    page = 3 * (np.median(seconds["nnlib CNN"]) + np.median(seconds["nnlib dense 64-18-10"]))
    print(f"  the page's six training runs (3 CNN + 3 dense): about {page:.1f} s "
          f"(target: the chapter's training under 30 s on one core)")


if __name__ == "__main__":
    print(f"Python {platform.python_version()}, numpy {np.__version__}, nnlib {nnlib.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else ", torch not installed")
          + f"; {ARGS.threads} thread(s), {ARGS.clock} clock, {platform.machine()}, "
          f"{os.cpu_count()} cores")
    for c_in in (8, 1):
        for dtype in (np.float64, np.float32):
            if torch is not None:
                torch.set_num_threads(ARGS.threads)
            conv_case(c_in, dtype)
    training_case()
