"""Benchmark: stock serial ``nbgrader autograde`` against ``python -m tools.grader autograde``.

Generates N submissions of chapter 1 (default 200; a realistic class: 80 % solve everything,
15 % make one of the typical mistakes of tests/mistakes/ch01_perceptron.py, 5 % hand in the
release untouched), puts the SAME hand-ins into two copies of a throw-away course, and grades
one copy with stock ``nbgrader autograde ch01_perceptron`` (one CLI run, one notebook after the
other, no sandbox) and the other with ``python -m tools.grader autograde ch01_perceptron --jobs J``
(sandbox on). It checks that both graded every student with no error and gave every student
the same auto-graded score per part, then prints both throughputs (notebooks per minute) and
their ratio. Not part of the test suite; it takes several minutes::

    python benchmarks/bench_grading.py [--students 200] [--jobs 2] [--cold-kernels]

Exit status 1 when a run had errors or the scores differ. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from grading_course import Course, load_mistakes, solved, with_cell  # noqa: E402

AID = "ch01_perceptron"


def make_class(course: Course, n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    release, solution = course.release, course.solution
    good = solved(release, solution)
    mistakes = load_mistakes(REPO / "tests" / "mistakes" / f"{AID}.py")
    students = [f"s{i:03d}" for i in range(n)]
    for student in students:
        roll = rng.random()
        if roll < 0.80:
            nb = good
        elif roll < 0.95:
            m = rng.choice(mistakes)
            nb = with_cell(good, m["cell"], m["code"])
        else:
            nb = release
        course.submit(student, nb)
    course.add_students(students)
    return students


def auto_scores(course: Course, students: list[str]) -> dict[str, dict[str, float | None]]:
    tests = {c.metadata["nbgrader"]["grade_id"] for c in course.release.cells
             if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")}
    out = {}
    for s in students:
        try:
            out[s] = {k: v[0] for k, v in course.scores(s).items() if k in tests}
        except Exception as err:  # not graded
            out[s] = {"error": str(err)}
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=200)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout", type=int, default=30, help="cell timeout of both runs")
    p.add_argument("--cold-kernels", action="store_true",
                   help="grade with kernels started from scratch (the fallback where the "
                        "machine forbids nested user namespaces) instead of warm ones")
    args = p.parse_args()
    bindir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        stock = Course.create(Path(tmp) / "stock", REPO / "solutions" / AID, AID,
                              extra_config=f"c.Execute.timeout = {args.timeout}\n")
        students = make_class(stock, args.students)
        new_root = Path(tmp) / "new"
        shutil.copytree(stock.root, new_root, symlinks=True)
        new = Course(new_root, AID)
        print(f"{len(students)} submissions of {AID}; {os.cpu_count()} cores; load average "
              f"{os.getloadavg()[0]:.1f} at start", flush=True)

        start = time.monotonic()
        proc = stock.nbgrader("autograde", AID, check=False, timeout=7200)
        stock_s = time.monotonic() - start
        stock_ok = proc.returncode == 0
        print(f"stock nbgrader autograde (serial, no sandbox): {stock_s:.1f} s, exit "
              f"{proc.returncode}, {60 * len(students) / stock_s:.1f} notebooks/min", flush=True)

        start = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "tools.grader", "--course", str(new.root),
                              "autograde", AID, "--jobs", str(args.jobs),
                              "--timeout", str(args.timeout)]
                             + (["--cold-kernels"] if args.cold_kernels else []),
                             cwd=REPO, capture_output=True, text=True, timeout=7200)
        new_s = time.monotonic() - start
        summary = run.stdout.strip().split("\n")[-1]
        kind = "cold" if args.cold_kernels else "warm"
        print(f"python -m tools.grader autograde --jobs {args.jobs} (sandbox on, {kind} kernels): "
              f"{new_s:.1f} s, "
              f"exit {run.returncode}, {60 * len(students) / new_s:.1f} notebooks/min; "
              f"{summary}", flush=True)

        a, b = auto_scores(stock, students), auto_scores(new, students)
        errors = [s for s in students if "error" in a[s] or "error" in b[s]]
        differ = [s for s in students if s not in errors and a[s] != b[s]]
        print(f"throughput ratio (new / stock): {stock_s / new_s:.2f}x; students with errors: "
              f"{len(errors)}; students whose scores differ: {len(differ)}; load average "
              f"{os.getloadavg()[0]:.1f} at the end")
        for s in (errors + differ)[:10]:
            print(f"  {s}: stock {a[s]}\n  {' ' * len(s)}  new   {b[s]}")
        if not stock_ok:
            print(proc.stderr[-2000:])
        return 0 if stock_ok and run.returncode == 0 and not errors and not differ else 1


if __name__ == "__main__":
    sys.exit(main())
