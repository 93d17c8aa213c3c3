"""Grade a whole class safely: sandboxed, resource-limited, parallel nbgrader autograding.

Run from the course folder (the repository root, where nbgrader_config.py is)::

    python -m tools.grader autograde ch01_perceptron --jobs 2        # grade what is not graded yet
    python -m tools.grader autograde ch01_perceptron --force         # regrade everybody
    python -m tools.grader feedback ch01_perceptron                  # feedback, no hidden tests
    python -m tools.grader report ch01_perceptron                    # grades CSV + HTML report

``autograde`` grades every folder ``grading/submitted/<student>/<assignment>/`` with nbgrader's
own autograde, each student's kernel in a bubblewrap sandbox (no network, no view of
solutions/, the gradebook or other students, an unprivileged user, limits on memory, CPU,
processes, file and output size, a per-cell and a per-notebook timeout), each hand-in taken in
as data (no link followed, caps on its size and files), ``--jobs`` students at a time, and
writes the scores into nbgrader's gradebook, which stays the record. It prints a progress line
with an ETA and ends with one line per student. Exit status: 0 when every student was graded
and nothing needs a look; 1 when something needs the instructor (tampering, an invalid, missing,
linked or too large notebook, files left out of a hand-in, a grading error: marked (!) in the
table); 2 for bad usage, a broken course
or a sandbox that cannot start (``--unsafe`` grades without one, as stock nbgrader does).
The guide is book/grading_safely.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tools.grader import run, sandbox, submission


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.grader", description=__doc__.split("\n")[0])
    p.add_argument("--course", type=Path, default=Path("."),
                   help="course folder holding nbgrader_config.py (default: current folder)")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("autograde", help="autograde every submission of an assignment")
    a.add_argument("assignment")
    a.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="students graded at the same time (default: number of cores)")
    a.add_argument("--force", action="store_true", help="regrade students already graded")
    a.add_argument("--unsafe", action="store_true",
                   help="run student code WITHOUT the sandbox (only for trusted submissions)")
    a.add_argument("--cold-kernels", action="store_true",
                   help="start every kernel from scratch instead of forking it from a warm "
                        "sandboxed process (slower; chosen by itself where the machine "
                        "forbids the nested user namespaces warm kernels need)")
    a.add_argument("--student", action="append", dest="students", metavar="ID",
                   help="grade only this student (repeat for more)")
    a.add_argument("--timeout", type=int, default=None,
                   help="seconds per cell (default: Execute.timeout of nbgrader_config.py)")
    a.add_argument("--notebook-timeout", type=int, default=900,
                   help="seconds for a whole notebook, replays after crashes and the tests "
                        "included (default 900)")
    a.add_argument("--memory", type=int, default=sandbox.Limits.memory_mb,
                   help="MB of memory per kernel: its processes' address space each and, "
                        "where a memory cgroup can be made, all its processes and shared "
                        "memory together (default %(default)s)")
    a.add_argument("--processes", type=int, default=sandbox.Limits.processes,
                   help="processes per kernel (default %(default)s)")
    a.add_argument("--cpu-seconds", type=int, default=sandbox.Limits.cpu_seconds,
                   help="CPU seconds per kernel process, a backstop behind the timeouts "
                        "(default %(default)s)")
    a.add_argument("--output-limit", type=int, default=100_000,
                   help="bytes of output kept per cell (default %(default)s)")
    a.add_argument("--notebook-output-limit", type=int, default=1_000_000,
                   help="bytes of output kept per notebook (default %(default)s)")
    caps = submission.Caps()
    a.add_argument("--max-notebook-mb", type=int, default=caps.notebook_mb,
                   help="a larger notebook is not graded, and reported (default %(default)s)")
    a.add_argument("--max-files", type=int, default=caps.files,
                   help="files and folders of a hand-in copied besides the notebook; the rest "
                        "is left out and reported (default %(default)s)")
    a.add_argument("--max-files-mb", type=int, default=caps.files_mb,
                   help="their total size in MB (default %(default)s)")
    for name, helptext in (("feedback", "write feedback HTML without hidden tests"),
                           ("report", "write the grades CSV and the HTML report")):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("assignment")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        course = run.Course.load(args.course)
        if args.command == "autograde":
            if args.jobs < 1:
                raise run.GradingError(f"--jobs must be at least 1, got {args.jobs}")
            for name in ("max_notebook_mb", "max_files", "max_files_mb"):
                if getattr(args, name) < 0:
                    raise run.GradingError(f"--{name.replace('_', '-')} must not be negative, "
                                           f"got {getattr(args, name)}")
            options = run.Options(
                jobs=args.jobs, force=args.force, unsafe=args.unsafe,
                limits=sandbox.Limits(memory_mb=args.memory, processes=args.processes,
                                      cpu_seconds=args.cpu_seconds),
                cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                students=args.students, output_limit=args.output_limit,
                notebook_output_limit=args.notebook_output_limit,
                warm=not args.cold_kernels,
                caps=submission.Caps(notebook_mb=args.max_notebook_mb, files=args.max_files,
                                     files_mb=args.max_files_mb))
            try:
                outcomes = run.autograde(course, args.assignment, options,
                                         log=lambda m: print(m, file=sys.stderr))
            except sandbox.SandboxUnavailable as err:
                print(f"refusing to grade: {err}", file=sys.stderr)
                return 2
            print(run.summary_table(outcomes))
            return 1 if any(o.needs_instructor for o in outcomes) else 0
        from tools.grader import report

        if args.command == "feedback":
            return report.feedback(course, args.assignment)
        csv_path, html_path = report.write_report(course, args.assignment)
        print(f"wrote {csv_path}\nwrote {html_path}")
        return 0
    except run.GradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
