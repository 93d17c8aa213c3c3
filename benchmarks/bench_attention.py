"""Chapter 7 figures: nnlib's SelfAttention forward+backward against PyTorch, and the cost of
one training step of the chapter's tiny language model.

1. **SelfAttention forward + backward**, float64, batch 16 sequences of 32 tokens, d_model 48,
   4 heads, causal (the chapter's model), and a wider case (64 tokens, d_model 64): nnlib's
   ``SelfAttention.forward`` then ``backward`` (input gradient and the 8 parameter gradients)
   against the same computation in PyTorch: projections with ``@``, heads by reshape,
   ``torch.nn.functional.scaled_dot_product_attention`` with the causal boolean mask, output
   projection, ``backward`` through autograd. The script first checks that the outputs and all
   gradients agree (1e-9), then times them. Reported as the ratio nnlib / torch.
2. **One training step of TransformerLM** (the configuration the chapter trains: see
   ``CHAPTER`` below): ``model.loss`` + ``model.backward()`` + an Adam step, on the corpus,
   and the number of such steps that fit in 30 s of CPU time.

Usage::

    python benchmarks/bench_attention.py              # one thread, CPU time (the defaults)
    python benchmarks/bench_attention.py --quick      # fewer repetitions
    python benchmarks/bench_attention.py --clock wall --threads 2

Timing as in bench_conv.py: interleaved rounds in a rotating order, medians over rounds, ratios
as medians of the per-round ratios, CPU time of this process with one BLAS thread. PyTorch is
optional (pip install torch==2.13.0); without it part 1 prints nnlib's figures only. It is not a
test: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
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
from nnlib.attention import SelfAttention, causal_mask  # noqa: E402
from nnlib.language_model import TransformerLM, load_corpus  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.tokens import CharTokenizer  # noqa: E402

try:
    import torch
except ImportError:  # optional
    torch = None

CLOCK = time.process_time if ARGS.clock == "cpu" else time.perf_counter
ROUNDS = 7 if ARGS.quick else 21


def chapter_settings() -> dict:
    """The model and training settings chapter 7 trains with, read from the page itself
    (its ``config = dict(...)`` and ``training = dict(...)`` lines), so the two cannot drift."""
    page = os.path.join(os.path.dirname(__file__), "..", "book", "07_language_model.md")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    settings = {}
    for name in ("config", "training"):
        line = re.search(rf"^{name} = (dict\(.*\))$", text, re.MULTILINE).group(1)
        call = ast.parse(line, mode="eval").body
        settings.update({k.arg: ast.literal_eval(k.value) for k in call.keywords})
    return settings


CHAPTER = chapter_settings()


def _block(fn, seconds: float = 0.05) -> float:
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


def interleaved(fns: dict, rounds: int = ROUNDS) -> dict[str, list[float]]:
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


def attention_case(B: int, T: int, C: int, h: int) -> None:
    rng = np.random.default_rng(0)
    layer = SelfAttention(C, h, rng=1)
    X, dY = rng.standard_normal((B, T, C)), rng.standard_normal((B, T, C))

    def ours():
        layer.forward(X)
        return layer.backward(dY)

    fns = {"nnlib": ours}
    if torch is not None:
        F = torch.nn.functional
        tX = torch.tensor(X, requires_grad=True)
        tp = {name: torch.tensor(p.value, requires_grad=True)
              for name, p in layer.params.items()}
        mask, tdY = torch.tensor(causal_mask(T)), torch.tensor(dY)

        def heads(Z):
            return Z.reshape(B, T, h, C // h).transpose(1, 2)

        def theirs():
            tX.grad = None
            for p in tp.values():
                p.grad = None
            q = heads(tX @ tp["W_q"] + tp["b_q"])
            k = heads(tX @ tp["W_k"] + tp["b_k"])
            v = heads(tX @ tp["W_v"] + tp["b_v"])
            z = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            out = z.transpose(1, 2).reshape(B, T, C) @ tp["W_o"] + tp["b_o"]
            out.backward(tdY)
            return tX.grad

        dX = ours()
        theirs()
        pairs = [("dX", dX, tX.grad)] + [(name, p.grad, tp[name].grad)
                                         for name, p in layer.params.items()]
        for name, mine, other in pairs:
            if not np.allclose(mine, other.numpy(), rtol=1e-9, atol=1e-9):
                raise SystemExit(f"nnlib and torch disagree on {name}: not timing.")
        fns["torch"] = theirs
    times = interleaved(fns)
    label = f"SelfAttention({C}, {h} heads), batch ({B}, {T}, {C}), float64"
    line = f"{label:<52} nnlib {np.median(times['nnlib']) * 1e3:7.3f} ms"
    if torch is not None:
        line += (f"   torch {np.median(times['torch']) * 1e3:7.3f} ms   "
                 f"nnlib/torch {ratio(times, 'nnlib', 'torch'):5.2f}x")
    else:
        line += "   torch not installed: no comparison"
    print(line, flush=True)


def training_step_case() -> None:
    text = load_corpus()
    tok = CharTokenizer(text)
    ids = np.array(tok.encode(text))
    cfg = CHAPTER
    model = TransformerLM(tok.vocab_size, cfg["d_model"], cfg["n_heads"], cfg["n_layers"],
                          cfg["context"], rng=0)
    optimizer = Adam(cfg["lr"])
    rng = np.random.default_rng(0)
    B, T = cfg["batch_size"], cfg["context"]

    def step():
        starts = rng.integers(0, len(ids) - T, size=B)
        window = ids[starts[:, None] + np.arange(T + 1)]
        model.loss(window[:, :-1], window[:, 1:])
        model.backward()
        optimizer.step(model.parameters())

    seconds = float(np.median(interleaved({"step": step})["step"]))
    print(f"TransformerLM {cfg}, {model.n_parameters()} parameters: one training step "
          f"{seconds * 1e3:.1f} ms, {int(30 / seconds)} steps in 30 s", flush=True)


if __name__ == "__main__":
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"{ARGS.threads} thread(s), {ARGS.clock} clock")
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
    attention_case(16, 32, 48, 4)
    attention_case(8, 64, 64, 4)
    training_step_case()
