"""Print the Python that .ci/run builds the virtual environment with (the README's ``$PYTHON``).

The README's set-up command makes ``.venv`` with ``"${PYTHON:-python3}"``. Which CPython runs the
test suite matters: on the project's machine ``python3`` is pyenv's 3.11, built as a shared
library without profile-guided optimisation, and Debian's ``/usr/bin/python3`` (3.11, optimised)
runs the same suite with about 14 % less CPU (benchmarks/README.md, "The interpreter").

- ``PYTHON`` set: it is checked (CPython >= 3.10 that can make a venv) and printed as it is; if it
  cannot be used, the script says why and exits with 1.
- ``PYTHON`` unset: ``python3`` and ``/usr/bin/python3`` (when they are two different programs
  and both can make a venv) each run the same short pure-Python workload (``WORKLOAD``) five
  times; the other one is printed only if its best time is at most ``FASTER`` of
  ``python3``'s, else ``python3``. What was measured goes to standard error, for the CI log.

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
# Another interpreter replaces python3 only if it needs at most this share of its CPU time: a
# smaller difference is within the noise of a busy machine, and python3 is what the README says.
FASTER = 0.95

# Run by each candidate: can it make a venv, and how long does a fixed pure-Python workload take
# (objects, dicts, strings, JSON, sorting, many small calls: the interpreter's own work, where
# builds differ most, as in the test suite's tools, nbgrader and Jupyter)? Prints one JSON line.
WORKLOAD = r"""
import json, os, sys, time
info = {"executable": os.path.realpath(sys.executable),
        "version": list(sys.version_info[:3]), "implementation": sys.implementation.name}
try:
    import ensurepip, venv
    ensurepip.version()
except Exception as error:
    info["no_venv"] = f"{type(error).__name__}: {error}"

class Cell:
    __slots__ = ("source", "n")

    def __init__(self, source, n):
        self.source, self.n = source, n

    def words(self):
        return [word.strip("():*+,") for word in self.source.split()]

def calls(n):
    return n if n < 2 else calls(n - 1) + calls(n - 2)

def work():
    cells = [Cell(f"def step_{i}(z): return z * {i} + weight_{i % 7}", i) for i in range(1000)]
    table = {}
    for cell in cells:
        for word in cell.words():
            table[word] = table.get(word, 0) + cell.n
    back = json.loads(json.dumps([{"source": c.source, "n": c.n} for c in cells]))
    ranked = sorted(back, key=lambda c: (len(c["source"]) % 13, -c["n"]))
    return len(table) + len(ranked) + calls(16)

if sys.argv[1:] == ["measure"]:
    best = None
    for _ in range(5):
        start = time.process_time()
        for _ in range(50):
            work()
        took = time.process_time() - start
        best = took if best is None else min(best, took)
    info["seconds"] = best
print(json.dumps(info))
"""


def probe(command: str, measure: bool) -> dict:
    """What ``command`` is (its real executable, version) and, with ``measure``, its best time
    over five runs of the workload; ``problem``: why it cannot build the venv, if it cannot."""
    args = [command, "-c", WORKLOAD] + (["measure"] if measure else [])
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as error:
        return {"problem": f"cannot run it ({error})"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"problem": f"it exited with {proc.returncode} ({last})"}
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"problem": f"it printed no answer ({proc.stdout[-200:]!r})"}
    version = tuple(info["version"])
    wanted = ".".join(map(str, MIN_VERSION))
    if info["implementation"] != "cpython" or version < MIN_VERSION:
        info["problem"] = (f"it is {info['implementation']} {'.'.join(map(str, version))}; "
                           f"the project needs CPython {wanted} or newer")
    elif "no_venv" in info:
        info["problem"] = (f"it cannot make a virtual environment ({info['no_venv']}; on "
                           "Debian or Ubuntu: apt-get install python3-venv)")
    return info


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
    return f"{what}: {info['seconds']:.3f} s of CPU for the workload" if "seconds" in info else what


def main() -> int:
    given = os.environ.get("PYTHON", "").strip()
    if given:
        info = probe(given, measure=False)
        if "problem" in info:
            print(f"pick_python: PYTHON={given} cannot build the project's virtual environment: "
                  f"{info['problem']}. Set PYTHON to a CPython "
                  f"{'.'.join(map(str, MIN_VERSION))}+ interpreter, or unset it.", file=sys.stderr)
            return 1
        print(f"pick_python: PYTHON={given} as set ({describe(given, info)})", file=sys.stderr)
        print(given)
        return 0
    default = probe(DEFAULT, measure=True)
    others = {}
    for command in OTHERS:
        if os.path.exists(command):
            others[command] = probe(command, measure=True)
    chosen = choose(default, others)
    for command, info in [(DEFAULT, default), *others.items()]:
        print(f"pick_python: {describe(command, info)}", file=sys.stderr)
    if chosen == DEFAULT and "problem" in default:
        print(f"pick_python: no interpreter here can build the project's virtual environment "
              f"(see above). Install CPython {'.'.join(map(str, MIN_VERSION))}+ with venv, or "
              "set PYTHON to one.", file=sys.stderr)
        return 1
    print(f"pick_python: the virtual environment is made with {chosen}", file=sys.stderr)
    print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
