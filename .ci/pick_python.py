"""Print the Python that .ci/run builds the virtual environment with (the README's ``$PYTHON``).

The README's set-up command makes ``.venv`` with ``"${PYTHON:-python3}"``. Which CPython runs the
test suite matters: on the project's machine ``python3`` is pyenv's 3.11, built as a shared
library without profile-guided optimisation, and Debian's ``/usr/bin/python3`` (3.11, optimised)
runs the same suite with about 14 % less CPU (benchmarks/README.md, "The interpreter").

- ``PYTHON`` set: it is checked (CPython >= 3.10 that can make a venv) and printed as it is; if it
  cannot be used, the script says why and exits with 1.
- ``PYTHON`` unset: ``python3`` and ``/usr/bin/python3`` (when they are two different programs
  and both can make a venv) take turns running the same short pure-Python workload
  (``WORKLOAD``), ``ROUNDS`` times each, each time in a new process; the other one is printed
  only if its best round is at most ``FASTER`` of ``python3``'s, else ``python3``. What was
  measured goes to standard error, for the CI log.

Run: ``python3 .ci/pick_python.py`` (stdout: the interpreter; stderr: the timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

DEFAULT = "python3"
OTHERS = ("/usr/bin/python3",)
MIN_VERSION = (3, 10)
WANTED = "CPython " + ".".join(map(str, MIN_VERSION)) + "+"  # for messages
# Another interpreter replaces python3 only if it needs at most this share of its CPU time: a
# smaller difference is within the noise of a busy machine, and python3 is what the README says.
FASTER = 0.95

# Run by each candidate: what it is and whether it can make a venv (``probe``). Prints one JSON
# line.
PROBE = r"""
import json, os, sys
info = {"executable": os.path.realpath(sys.executable),
        "version": list(sys.version_info[:3]), "implementation": sys.implementation.name}
try:
    import ensurepip, venv
    ensurepip.version()
except Exception as error:
    info["no_venv"] = f"{type(error).__name__}: {error}"
print(json.dumps(info))
"""

# One round of a fixed pure-Python workload, about 0.1 s: many small calls and objects, dicts,
# strings, JSON and sorting, the interpreter's own work, where builds differ most (as in the
# test suite's tools, nbgrader and Jupyter). Prints the CPU seconds it took.
WORKLOAD = r"""
import json, time

class Node:
    __slots__ = ("value", "children")

    def __init__(self, value):
        self.value, self.children = value, []

    def total(self):
        return self.value + sum(child.total() for child in self.children)

def tree(depth):
    node = Node(depth)
    if depth:
        node.children = [tree(depth - 1), tree(depth - 1)]
    return node

def calls(n):
    return n if n < 2 else calls(n - 1) + calls(n - 2)

def words():
    counts = {}
    for i in range(3000):
        for word in f"def step_{i}(z): return z * {i} + weight_{i % 7}".split():
            counts[word] = counts.get(word, 0) + 1
    return len(json.dumps(sorted(counts.items())))

start = time.process_time()
for _ in range(20):
    calls(15), tree(9).total(), words()
print(time.process_time() - start)
"""
# Rounds per candidate, each in a new process, the candidates taking turns (so that a change in
# the machine's speed meets both alike); the best round counts.
ROUNDS = 9


def _run(command: str, code: str) -> tuple[str | None, str]:
    """(the last line ``command -c code`` printed, or None; why not)."""
    try:
        proc = subprocess.run([command, "-c", code], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"cannot run it ({error})"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"it exited with {proc.returncode} ({last})"
    lines = proc.stdout.strip().splitlines()
    return (lines[-1], "") if lines else (None, "it printed nothing")


def probe(command: str) -> dict:
    """What ``command`` is (its real executable, version); ``problem``: why it cannot build the
    project's venv, if it cannot."""
    answer, why = _run(command, PROBE)
    if answer is None:
        return {"problem": why}
    try:
        info = json.loads(answer)
    except ValueError:
        return {"problem": f"it printed no answer ({answer[-200:]!r})"}
    version = tuple(info["version"])
    if info["implementation"] != "cpython" or version < MIN_VERSION:
        info["problem"] = (f"it is {info['implementation']} {'.'.join(map(str, version))}; "
                           f"the project needs {WANTED}")
    elif "no_venv" in info:
        info["problem"] = (f"it cannot make a virtual environment ({info['no_venv']}; on "
                           "Debian or Ubuntu: apt-get install python3-venv)")
    return info


def measure(candidates: dict[str, dict]) -> None:
    """Add ``seconds`` (the best of ``ROUNDS`` rounds of ``WORKLOAD``) to each usable candidate;
    a candidate whose round fails gets a ``problem``."""
    usable = [c for c, info in candidates.items() if "problem" not in info]
    if len(usable) < 2:  # nothing to compare
        return
    for _ in range(ROUNDS):
        for command in usable:
            info = candidates[command]
            if "problem" in info:
                continue
            answer, why = _run(command, WORKLOAD)
            try:
                seconds = float(answer) if answer is not None else None
            except ValueError:
                seconds = None
            if seconds is None:
                info["problem"] = f"the workload failed: {why or answer!r}"
                continue
            info["seconds"] = min(info.get("seconds", seconds), seconds)


def choose(default: dict, others: dict[str, dict]) -> str:
    """``DEFAULT``, unless another usable interpreter (not the same program) needs at most
    ``FASTER`` of its time; the fastest such one then."""
    if "problem" in default or "seconds" not in default:
        usable = {c: i for c, i in others.items() if "problem" not in i and "seconds" in i}
        return min(usable, key=lambda c: usable[c]["seconds"]) if usable else DEFAULT
    best, best_seconds = DEFAULT, default["seconds"]
    for command, info in others.items():
        if "problem" in info or "seconds" not in info:
            continue
        if info["executable"] == default["executable"]:
            continue
        if info["seconds"] <= FASTER * default["seconds"] and info["seconds"] < best_seconds:
            best, best_seconds = command, info["seconds"]
    return best


def describe(command: str, info: dict) -> str:
    what = f"{command} ({info.get('executable', '?')}"
    if "version" in info:
        what += ", " + ".".join(map(str, info["version"]))
    what += ")"
    if "problem" in info:
        return f"{what}: not used, {info['problem']}"
    if "seconds" in info:
        return f"{what}: {info['seconds']:.3f} s of CPU for a round of the workload (best)"
    return what


def main() -> int:
    given = os.environ.get("PYTHON", "").strip()
    if given:
        info = probe(given)
        if "problem" in info:
            print(f"pick_python: PYTHON={given} cannot build the project's virtual environment: "
                  f"{info['problem']}. Set PYTHON to a {WANTED} interpreter, or unset it.",
                  file=sys.stderr)
            return 1
        print(f"pick_python: PYTHON={given} as set ({describe(given, info)})", file=sys.stderr)
        print(given)
        return 0
    candidates = {DEFAULT: probe(DEFAULT)}
    for command in OTHERS:
        if os.path.exists(command):
            candidates[command] = probe(command)
    same = [c for c in OTHERS if c in candidates and "problem" not in candidates[c]
            and candidates[c].get("executable") == candidates[DEFAULT].get("executable")]
    for command in same:  # one program under two names: nothing to compare
        candidates[command]["problem"] = f"it is the same program as {DEFAULT}"
    measure(candidates)
    default = candidates.pop(DEFAULT)
    others = candidates
    chosen = choose(default, others)
    for command, info in [(DEFAULT, default), *others.items()]:
        print(f"pick_python: {describe(command, info)}", file=sys.stderr)
    if chosen == DEFAULT and "problem" in default:
        print(f"pick_python: no interpreter here can build the project's virtual environment "
              f"(see above). Install {WANTED} with venv, or set PYTHON to one.", file=sys.stderr)
        return 1
    print(f"pick_python: the virtual environment is made with {chosen}", file=sys.stderr)
    print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
