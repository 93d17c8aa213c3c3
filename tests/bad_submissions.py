"""A corpus of bad submissions, generated from an exercise set's release, with what must happen.

:func:`write_corpus` hands in, into a :class:`grading_course.Course` (a throw-away nbgrader
course), one student per kind of trouble a grader meets in a real class, plus correct controls;
it returns, per student, an :class:`Expect`: the status ``python -m tools.grader autograde`` must
report, the test cells that must score 0 (all others full marks), whether tampering must be
flagged, text its messages must contain, and files the submission tried to create that must not
exist afterwards. Built for chapter 1 (``ch01_perceptron``): it replaces the ``weighted_sum``,
``step`` and ``predict`` answers, whose test cells are ``<part>_test``.

Run it by hand to get a course to try the command on::

    python tests/bad_submissions.py /tmp/bad-course
    python -m tools.grader --course /tmp/bad-course autograde ch01_perceptron
"""

from __future__ import annotations

import copy
import sys
import textwrap
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools, when run as a script
from grading_course import (  # noqa: E402
    REPO,
    Course,
    cell_by_id,
    solved,
    with_cell,
    without_cells,
)

AID = "ch01_perceptron"

WRONG_STEP = """\
def step(z):
    return np.zeros_like(np.asarray(z, dtype=float))
"""


@dataclass
class Expect:
    status: str | tuple[str, ...]  # as in the summary table (one of them, if a tuple)
    loses: list[str] = field(default_factory=list)  # test cells that must score 0
    tampered: bool = False
    graded: bool = True  # has a submission in the gradebook afterwards
    messages: list[str] = field(default_factory=list)  # must appear in the student's details
    cell_outputs: dict[str, list[str]] = field(default_factory=dict)  # grade id -> texts
    must_not_exist: list[Path] = field(default_factory=list)
    answer_key: bool = False  # flagged for using nnlib's own version of a part's function
    not_in_outputs: dict[str, list[str]] = field(default_factory=dict)  # grade id -> texts
    max_seconds: float | None = None  # the student's grading time must stay below this
    # hand-ins and limits (kinds 4, 5, 7 of issue 18)
    handin: list[str] = field(default_factory=list)  # kinds of findings that must be reported
    leaks: list[str] = field(default_factory=list)  # texts that must appear nowhere graded
    not_copied: list[str] = field(default_factory=list)  # paths absent from the autograded copy
    limit: str | None = None  # a limit the kernel must have hit ("memory limit", "cpu limit")
    in_outputs: list[str] = field(default_factory=list)  # texts among the notebook's outputs


def _code(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


def write_corpus(course: Course, only: Collection[str] | None = None) -> dict[str, Expect]:
    """Hand in every case of the corpus (or the students ``only``) into ``course``; return what
    each must come to."""
    root = course.root
    release, solution = course.release, course.solution
    good = solved(release, solution)
    step_ok = cell_by_id(good, "step").source
    secret_nb = root / "solutions" / AID / f"{AID}.ipynb"
    pwned = [root / "grading" / "pwned.txt", root / "solutions" / "pwned.txt",
             root.parent / f"{root.name}-pwned.txt"]
    cases: dict[str, tuple[nbformat.NotebookNode | str | None, Expect]] = {}

    cases["good_a"] = good, Expect("ok")
    cases["good_b"] = good, Expect("ok")
    extra = copy.deepcopy(good)
    extra.cells.insert(3, nbformat.v4.new_code_cell("def helper(v):\n    return 2 * v\n"))
    extra.cells.insert(4, nbformat.v4.new_markdown_cell("My notes: the sum is x @ w + b."))
    cases["extra_cells"] = extra, Expect("ok")
    cases["untouched"] = release, Expect("ok", loses=["weighted_sum_test", "step_test",
                                                      "predict_test", "perceptron_update_test",
                                                      "train_perceptron_test",
                                                      "spam_weights_test",
                                                      "find_separating_line_test"])
    cases["invalid_json"] = '{"cells": [ {"cell_type": "code", "source": "x = 1"', Expect(
        "invalid notebook", graded=False, messages=["not valid JSON"])
    cases["missing_notebook"] = None, Expect("missing notebook", graded=False,
                                             messages=["no notebook"])
    cases["renamed_notebook"] = good, Expect("ok", messages=["renamed"])

    # Tampering with locked cells and metadata.
    cases["deleted_tests"] = without_cells(
        with_cell(good, "step", WRONG_STEP), ["weighted_sum_test", "step_test"]), Expect(
        "tampered", loses=["step_test"], tampered=True,
        messages=["deleted locked cell 'weighted_sum_test'", "deleted locked cell 'step_test'"])
    edited = with_cell(with_cell(good, "step", WRONG_STEP), "step_test", "pass")
    cases["edited_test"] = edited, Expect("tampered", loses=["step_test"], tampered=True,
                                          messages=["edited locked cell 'step_test'"])
    retyped = with_cell(good, "step", WRONG_STEP)
    cell_by_id(retyped, "step_test").cell_type = "raw"
    cell_by_id(retyped, "step_test").pop("outputs", None)
    cell_by_id(retyped, "step_test").pop("execution_count", None)
    cases["retyped_test"] = retyped, Expect(
        "tampered", loses=["step_test"], tampered=True,
        messages=["changed locked cell 'step_test' from code to raw"])
    meta = with_cell(good, "step", WRONG_STEP)
    cell_by_id(meta, "step_test").metadata["nbgrader"].update(grade=False, points=0)
    cell_by_id(meta, "step").metadata["nbgrader"]["points"] = 100
    cases["changed_metadata"] = meta, Expect(
        "tampered", loses=["step_test"], tampered=True,
        messages=["changed the nbgrader metadata of 'step_test'",
                  "changed the nbgrader metadata of 'step'"])
    imports = with_cell(good, "step", WRONG_STEP)
    cell = cell_by_id(imports, "imports")
    cell.source += "\ncheck_close = lambda *args, **kwargs: None\n"
    cases["edited_imports"] = imports, Expect("tampered", loses=["step_test"], tampered=True,
                                              messages=["edited locked cell 'imports'"])

    # Code that runs away, crashes or floods.
    cases["endless_loop"] = with_cell(good, "step", _code("""
        def step(z):
            while True:
                pass
        """)), Expect("timed out", loses=["step_test"])
    cases["loop_ignoring_sigint"] = with_cell(good, "step", _code("""
        import signal
        def step(z):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                try:
                    pass
                except BaseException:
                    pass
        """)), Expect("timed out", loses=["step_test"])
    cases["memory_bomb"] = with_cell(good, "weighted_sum", _code("""
        def weighted_sum(x, w, b):
            hoard = []
            while True:
                hoard.append(bytearray(500_000_000))
        """)), Expect("memory limit", loses=["weighted_sum_test"])
    cases["fork_bomb"] = with_cell(good, "step", _code("""
        import os
        def step(z):
            while True:
                os.fork()
        """)), Expect(("ok", "timed out"), loses=["step_test"])
    cases["sys_exit"] = with_cell(good, "predict", _code("""
        import sys
        def predict(X, w, b):
            sys.exit("bye")
        """)), Expect("ok", loses=["predict_test"])
    cases["os_exit"] = with_cell(good, "weighted_sum", _code("""
        import os
        def weighted_sum(x, w, b):
            os._exit(3)
        """)), Expect("kernel died", loses=["weighted_sum_test"])
    cases["huge_output"] = with_cell(good, "step", _code("""
        for _ in range(2000):
            print("spam " * 2000)
        """) + step_ok), Expect("output cut")

    # Code that reaches out of its sandbox.
    cases["write_outside"] = with_cell(good, "weighted_sum", _code(f"""
        for target in {[str(p) for p in pwned]!r}:
            try:
                open(target, "w").write("pwned")
                print("WROTE", target)
            except OSError as err:
                print("refused:", type(err).__name__)
        try:
            open("my_notes.txt", "w").write("my own folder is read-only")
            print("WROTE my_notes.txt")
        except OSError as err:
            print("own folder refused:", type(err).__name__)
        open("/tmp/my_notes.txt", "w").write("scratch space is fine")
        """) + cell_by_id(good, "weighted_sum").source), Expect(
        "ok", must_not_exist=pwned,
        cell_outputs={"weighted_sum": ["refused:", "own folder refused: OSError"]})
    cases["read_secrets"] = with_cell(good, "weighted_sum", _code(f"""
        for target in [{str(secret_nb)!r}, {str(course.root / "grading" / "gradebook.db")!r},
                       {str(course.root / "grading" / "submitted")!r}, "/root", "/etc/passwd"]:
            try:
                print("READ", target, len(open(target, "rb").read()))
            except OSError as err:
                print("refused:", type(err).__name__, target)
        """) + cell_by_id(good, "weighted_sum").source), Expect(
        "ok", cell_outputs={"weighted_sum": ["refused: FileNotFoundError"]})
    cases["steal_hidden_tests"] = with_cell(good, "step", _code("""
        import inspect
        def step(z):
            caller = next(f for f in inspect.stack() if "In" in f.frame.f_globals)
            print("".join(caller.frame.f_globals["In"][-1:]))
            z = np.asarray(z, dtype=float)
            return np.where(z >= 0, 1.0, 0.0)
        """)), Expect("ok")
    cases["network"] = with_cell(good, "weighted_sum", _code("""
        import socket
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=3)
            print("NETWORK OPEN")
        except OSError as err:
            print("no network:", type(err).__name__)
        """) + cell_by_id(good, "weighted_sum").source), Expect(
        "ok", cell_outputs={"weighted_sum": ["no network:"]})

    # Cheating the checks from inside the kernel.
    cases["patch_helpers"] = with_cell(good, "step", _code("""
        check_close = lambda *args, **kwargs: None
        check_shape = lambda *args, **kwargs: None
        check_true = lambda *args, **kwargs: None
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["patch_numpy"] = with_cell(good, "step", _code("""
        import numpy.core.numeric
        np.allclose = lambda *args, **kwargs: True
        np.isclose = lambda *args, **kwargs: np.array(True)
        numpy.core.numeric.isclose = np.isclose
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["patch_code_and_builtins"] = with_cell(good, "step", _code("""
        import builtins
        import nnlib.checks
        def _quiet(*args, **kwargs):
            return None
        nnlib.checks.check_close.__code__ = _quiet.__code__
        nnlib.checks.check_shape.__code__ = _quiet.__code__
        nnlib.checks.check_true.__code__ = _quiet.__code__
        builtins.AssertionError = type("Harmless", (Warning,), {})
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["equals_everything"] = with_cell(good, "weighted_sum", _code("""
        class Anything:
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False
        def weighted_sum(x, w, b):
            return Anything()
        """)), Expect("ok", loses=["weighted_sum_test"],
                      cell_outputs={"weighted_sum_test": [
                          "weighted_sum returned an object of type Anything"]})
    cases["fake_partial_credit"] = with_cell(good, "step", _code("""
        import sys
        def step(z):
            sys.displayhook(2.0)
            return 0.0
        """)), Expect("ok", loses=["step_test"])
    cases["warnings_on_stderr"] = with_cell(good, "weighted_sum", _code("""
        import sys, warnings
        def weighted_sum(x, w, b):
            warnings.warn("this is only a warning", UserWarning)
            print("debug: computing", file=sys.stderr)
            with np.errstate(divide="warn"):
                np.log(np.array([0.0]))
            x = np.asarray(x, dtype=float)
            w = np.asarray(w, dtype=float)
            return float(x @ w + b)
        """)), Expect("ok")

    cases.update(_trusted_cases(good, step_ok))

    handins = handin_cases(course, good)
    if only is not None:
        unknown = set(only) - set(cases) - set(handins)
        assert not unknown, f"no such case in the corpus: {sorted(unknown)}"
        cases = {s: c for s, c in cases.items() if s in only}
        handins = {s: c for s, c in handins.items() if s in only}
    for student, (nb, _) in cases.items():
        folder = course.submission_path(student).parent
        folder.mkdir(parents=True, exist_ok=True)
        if callable(nb):
            nb(folder)
        elif nb is None:
            (folder / "notes.txt").write_text("I forgot to upload it", encoding="utf-8")
        elif student == "renamed_notebook":
            nbformat.write(nb, str(folder / f"{AID} (copy).ipynb"))
        else:
            course.submit(student, nb)
    for student, (write, _) in handins.items():
        folder = course.submission_path(student).parent
        folder.parent.mkdir(parents=True, exist_ok=True)
        write(folder)
    return {student: expect for student, (_, expect) in (cases | handins).items()}


# ============================================================================================
# Hand-ins that are not just data, and limits that must hold in total (issue 18, kinds 4, 5
# and 7). Each case is a writer (it makes the student's folder) and what must come of it.
# ============================================================================================

READ_DATA = """\
import os
for name in sorted(os.listdir("data")) if os.path.isdir("data") else []:
    try:
        with open(os.path.join("data", name), "rb") as f:
            print("READ", name, f.read(300))
    except OSError as err:
        print("refused", name, type(err).__name__)
print("FOLDER", sorted(os.listdir(".")))
"""

MEMFD_HOARD = """\
import os
hoard = []
for i in range(160):  # 2.4 GB of memory-backed files, each under the 16 MB file limit
    fd = os.memfd_create(f"hoard{i}")
    os.posix_fallocate(fd, 0, 15 << 20)  # its pages, allocated (faster than writing them)
    hoard.append(fd)
print("HOARDED", len(hoard) * 15, "MB")
"""

SHM_FILL = """\
written = 0
try:
    for i in range(400):  # 400 x 8 MB = 3.2 GB into /dev/shm
        with open(f"/dev/shm/fill{i}", "wb") as f:
            for _ in range(8):
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1
except OSError as err:
    print("shm full after", written, "MB:", type(err).__name__)
"""


def _secret_first_line(path: str) -> list[str]:
    """The first line of a file the grader must never show (if the tests can read it)."""
    try:
        with open(path, "rb") as f:
            line = f.readline().strip().decode(errors="replace")
    except OSError:
        return []
    return [line] if len(line) >= 8 else []


def handin_cases(course: Course, good: nbformat.NotebookNode) -> dict[str, tuple]:
    import os
    import socket
    import stat as st

    from tools.grader import sandbox

    root = course.root
    nb_name = f"{AID}.ipynb"
    other = course.submission_path("good_a")  # another student's notebook
    solution = root / "solutions" / AID / nb_name
    gradebook = root / "grading" / "gradebook.db"
    ws = cell_by_id(good, "weighted_sum").source
    reader = with_cell(good, "weighted_sum", READ_DATA + ws)
    leaks = _secret_first_line("/etc/shadow") + ["SQLite format 3"]
    cases: dict[str, tuple] = {}

    def notebook(nb):
        def write(folder: Path):
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(folder / nb_name))
        return write

    def then(first, second):
        def write(folder: Path):
            first(folder)
            second(folder)
        return write

    def symlink_notebook(target: str):
        def write(folder: Path):
            folder.mkdir(parents=True, exist_ok=True)
            os.symlink(target, folder / nb_name)
        return write

    cases["link_to_other_student"] = symlink_notebook(
        os.path.relpath(other, course.submission_path("x").parent)), Expect(
        "symlink", graded=False, handin=["symlink"], messages=["a symbolic link to"])
    cases["link_to_solution"] = symlink_notebook(str(solution)), Expect(
        "symlink", graded=False, handin=["symlink"], messages=["a symbolic link to"])

    def linked_folder(folder: Path):
        os.symlink(os.path.relpath(course.submission_path("good_b").parent, folder.parent),
                   folder)
    cases["linked_folder"] = linked_folder, Expect("symlink", graded=False, handin=["symlink"],
                                                   messages=["is a symbolic link"])

    def data_links(folder: Path):
        data = folder / "data"
        data.mkdir(parents=True)
        (data / "ok.txt").write_text("my own data")
        os.symlink("/etc/shadow", data / "shadow")
        os.symlink(os.path.relpath(solution, data), data / "solution.ipynb.txt")
        os.symlink(str(gradebook), data / "gradebook")
        os.symlink(os.path.relpath(other, data), data / "friend.txt")
        os.symlink(os.path.relpath(root / "grading", data), data / "grading")
    cases["data_links"] = then(notebook(reader), data_links), Expect(
        "files left out", handin=["symlink"] * 5, leaks=leaks,
        messages=["left out data/shadow: a symbolic link to /etc/shadow"],
        cell_outputs={"weighted_sum": ["READ ok.txt b'my own data'"]},
        not_copied=["data/shadow", "data/gradebook", "data/grading"])

    def link_loop(folder: Path):
        os.symlink(".", folder / "loop")
        os.symlink("..", folder / "up")
        os.symlink(str(root / "grading"), folder / "grading")
        (folder / "nest").mkdir()
        os.symlink("../nest", folder / "nest" / "again")
    cases["link_loop"] = then(notebook(good), link_loop), Expect(
        "files left out", handin=["symlink"] * 4, not_copied=["loop", "up", "grading"])

    def fifo_notebook(folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        os.mkfifo(folder / nb_name)
    cases["fifo_notebook"] = fifo_notebook, Expect(
        "special file", graded=False, handin=["special file"], messages=["a FIFO"])

    def special_files(folder: Path):
        os.mkfifo(folder / "pipe")
        sock = socket.socket(socket.AF_UNIX)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:  # through the folder's descriptor: the full path may pass 108 bytes
            sock.bind(f"/proc/self/fd/{fd}/socket")
        finally:
            os.close(fd)
            sock.close()
        if os.getuid() == 0:  # a copy of /dev/zero: endless if it were read
            os.mknod(folder / "zero", st.S_IFCHR | 0o666, os.makedev(1, 5))
    cases["special_files"] = then(notebook(reader), special_files), Expect(
        "files left out", handin=["special file"] * (3 if os.getuid() == 0 else 2),
        not_copied=["pipe", "socket", "zero"])

    def huge_notebook(folder: Path):
        big = copy.deepcopy(good)
        big.cells.append(nbformat.v4.new_markdown_cell("x" * (200 * 1024 * 1024)))
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(big, str(folder / nb_name))
    cases["huge_notebook"] = huge_notebook, Expect(
        "too large", graded=False, handin=["too large"], messages=["--max-notebook-mb"])

    def sparse_file(folder: Path):
        with open(folder / "weights.bin", "wb") as f:
            f.truncate(1 << 30)
    cases["sparse_file"] = then(notebook(good), sparse_file), Expect(
        "files left out", handin=["cap"], not_copied=["weights.bin"],
        messages=["--max-files-mb"])

    def many_files(count: int):
        def write(folder: Path):
            many = folder / "many"
            many.mkdir()
            for i in range(count):
                (many / f"f{i:05d}.txt").write_bytes(b"x")
        return write
    cases["files_8000"] = then(notebook(good), many_files(8000)), Expect(
        "files left out", handin=["cap"], messages=["--max-files"])
    cases["files_20000"] = then(notebook(good), many_files(20000)), Expect(
        "files left out", handin=["cap"], messages=["--max-files"])

    # Memory that is not a process's: memfd beyond --memory kills the kernel where a memory
    # cgroup counts it, and is refused at once where none can be made; either way the cell
    # fails (its function is never defined) and the rest is graded.
    cgroup = sandbox.memory_cgroup_unavailable() is None
    cases["memfd_hoard"] = notebook(with_cell(good, "weighted_sum", MEMFD_HOARD + ws)), Expect(
        "memory limit" if cgroup else "ok", loses=["weighted_sum_test"],
        limit="memory limit" if cgroup else None)
    cases["shm_fill"] = notebook(with_cell(good, "weighted_sum", SHM_FILL + ws)), Expect(
        "ok", cell_outputs={"weighted_sum": ["shm full after"]})
    return cases


# The limits the corpus is graded with, on the command line of ``autograde`` (COMMAND_LIMITS):
# small, so that the hand-ins that exist to cross them cost seconds, not minutes.
CELL_TIMEOUT = 5  # --timeout: seconds per cell
# --notebook-timeout: seconds per student, replays and tests included. budget_replay_sleeps
# uses all of it; every other hand-in needs far less: at most 11 s (the loops: a cell timeout, the
# interrupt's grace, a restart) and 7 s for the others in a full test run on two busy cores,
# and 37 s for the slowest of the others at a load of 17 on the two cores (other test runs),
# where memory_bomb's 5 s cell timeout already fails.
NOTEBOOK_TIMEOUT = 40
# --memory: MB per kernel (its processes' address space is 256 MB less). An honest chapter 1
# kernel needs about 600 MB of address space (numpy's reservations), so 1280 leaves it room,
# while memory_bomb touches at most one 500 MB array before it fails and memfd_hoard fills
# 1.3 GB, not 2 (the default): under a busy machine's load, touching 1.5 GB of pages took
# memory_bomb past its 5 s cell timeout (reported "timed out" instead of "memory limit").
MEMORY_MB = 1280
COMMAND_LIMITS = ["--timeout", str(CELL_TIMEOUT), "--notebook-timeout", str(NOTEBOOK_TIMEOUT),
                  "--memory", str(MEMORY_MB)]

# Sleeps almost a cell timeout, but only in a kernel that started more than a cell timeout after
# the student's folder was made (the grader makes it just before the first kernel starts).
REPLAY_ONLY_SLEEP = f"""\
import os, time
with open("/proc/self/stat") as f:
    started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
with open("/proc/uptime") as f:
    age = float(f.read().split()[0]) - started  # of this kernel, in seconds
if time.time() - os.stat(".").st_mtime - age > {CELL_TIMEOUT - 1}:  # a replay after a crash
    time.sleep({CELL_TIMEOUT - 0.3})
"""

LEAK_HOOK = """
import base64, struct, zlib
from IPython.display import Image, display

def _png_with_text(text):
    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"cell\\x00" + text.encode("latin-1", "replace"))
            + chunk(b"IDAT", zlib.compress(b"\\x00\\x00")) + chunk(b"IEND", b""))

def _leak(info):
    source = info.raw_cell
    print(base64.b64encode(source.encode()).decode())
    print("".join(f"&#{ord(ch)};" for ch in source))
    display(Image(data=_png_with_text(source)))

get_ipython().events.register("pre_run_cell", _leak)
get_ipython().events.register("post_run_cell", _leak)
"""


def _trusted_cases(good, step_ok: str) -> dict:
    """Hand-ins that attack the tests from the student's kernel (kinds 1, 2, 3), the time and
    output budgets (kind 6) and the answer key; see book/grading_safely.md."""
    cases = {}
    weighted_ok = cell_by_id(good, "weighted_sum").source
    # Kind 1: code that changes how later cells run.
    cases["input_transformer"] = with_cell(good, "step", _code("""
        def _no_checks(lines):
            return [line.replace("check_", "print and None and check_") for line in lines]
        get_ipython().input_transformers_post.append(_no_checks)
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["hook_clears_errors"] = with_cell(good, "step", _code("""
        import sys
        def _forget(result):
            result.error_in_exec = None
            result.error_before_exec = None
            sys.last_type = sys.last_value = sys.last_traceback = None
        get_ipython().events.register("post_run_cell", _forget)
        get_ipython().set_custom_exc((AssertionError,), lambda *args, **kwargs: None)
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["tracer_rewrites_checks"] = with_cell(good, "step", _code("""
        import sys, threading
        def _tracer(frame, event, arg):
            if frame.f_code.co_name in ("check_close", "check_shape", "check_true", "_fail"):
                frame.f_locals["expected"] = frame.f_locals.get("got")
                return None
            return _tracer
        sys.settrace(_tracer)
        threading.settrace(_tracer)
        sys.setprofile(lambda frame, event, arg: None)
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    cases["shadow_builtins"] = with_cell(good, "spam_weights", _code("""
        import builtins
        zip = lambda *args: iter(())
        isinstance = lambda *args: True
        len = lambda obj: 0
        def spam_weights():
            return np.array([-1.0, -1.0, 1.0]), 5.0
        """)), Expect("ok", loses=["spam_weights_test"])
    cases["patch_numpy_and_checks"] = with_cell(good, "step", _code("""
        import sys, types
        import nnlib.checks
        np.allclose = lambda *args, **kwargs: True
        np.testing.assert_allclose = lambda *args, **kwargs: None
        fake = types.ModuleType("nnlib.checks")
        fake.check_close = fake.check_shape = fake.check_true = lambda *a, **k: None
        sys.modules["nnlib.checks"] = fake
        nnlib.checks.check_close.__code__ = (lambda *a, **k: None).__code__
        """) + WRONG_STEP), Expect("ok", loses=["step_test"])
    # Kind 2: code that reads the test that calls it.
    cases["reads_caller"] = with_cell(good, "step", _code("""
        import gc, inspect, linecache, sys
        def step(z):
            found = []
            frame = sys._getframe(1)
            while frame is not None:
                found += [v for k, v in frame.f_locals.items() if k in ("expected", "exp")]
                found += [c for c in frame.f_code.co_consts if isinstance(c, (list, tuple))]
                frame = frame.f_back
            for info in inspect.stack():
                found += [line for line in (info.code_context or []) if "check_close" in line]
            for name in list(linecache.cache):
                found += [line for line in linecache.getlines(name) if "check_close" in line]
            found += [o for o in gc.get_objects() if isinstance(o, str) and "check_close(" in o]
            print("FOUND", found)
            if found and isinstance(found[0], (list, tuple)):
                return np.asarray(found[0], dtype=float)
            return np.zeros_like(np.asarray(z, dtype=float))
        """)), Expect("ok", loses=["step_test"])
    cases["history_to_later_cell"] = with_cell(good, "predict", _code("""
        import gc, linecache
        seen = [line for name in list(linecache.cache) for line in linecache.getlines(name)]
        seen += [s for s in gc.get_objects() if isinstance(s, str) and "HIDDEN" in s]
        seen += list(In) + [str(v) for v in globals().values() if isinstance(v, str)]
        print("\\n".join(seen))
        """) + cell_by_id(good, "predict").source), Expect(("ok", "output cut"))
    cases["reads_notebook_file"] = with_cell(good, "weighted_sum", _code("""
        import glob, os
        found = sorted(glob.glob("*.ipynb") + glob.glob("**/*.ipynb", recursive=True))
        print("NOTEBOOKS", found)
        for path in found:
            print(open(path, encoding="utf-8").read())
        """) + weighted_ok), Expect("ok", cell_outputs={"weighted_sum": ["NOTEBOOKS []"]})
    # Kind 3: hidden tests out through the feedback (printed encoded by the kernel's hooks).
    cases["leak_hooks"] = with_cell(good, "weighted_sum", _code(LEAK_HOOK) + weighted_ok), \
        Expect("ok")
    cases["prints_arguments"] = with_cell(good, "step", _code("""
        import os
        def step(z):
            print("ARGUMENT", repr(z))
            os.write(1, ("ARGUMENT " + repr(z) + "\\n").encode())
            z = np.asarray(z, dtype=float)
            return np.where(z >= 0, 1.0, 0.0)
        """)), Expect("ok", not_in_outputs={"step_test": ["ARGUMENT"]})
    # The boundary: what crosses and what does not.
    cases["returns_object"] = with_cell(good, "step", _code("""
        class Verdicts:
            def __init__(self, values):
                self.values = values
        def step(z):
            return Verdicts(np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0))
        """)), Expect("ok", loses=["step_test"], cell_outputs={"step_test": [
            "step returned an object of type Verdicts; return numbers"]})
    cases["lying_array"] = with_cell(good, "step", _code("""
        class Liar(np.ndarray):
            def __eq__(self, other):
                return np.ones(np.shape(other), dtype=bool)
            def __array__(self, *args, **kwargs):
                return np.array([0.0, 0.0, 1.0, 1.0])
        def step(z):
            z = np.asarray(z, dtype=float)
            return np.full(z.shape, 0.5).view(Liar)
        """)), Expect("ok", loses=["step_test"])
    cases["raises_own_error"] = with_cell(good, "step", _code("""
        def step(z):
            raise ValueError("step is not ready yet")
        """)), Expect("ok", loses=["step_test"],
                      cell_outputs={"step_test": ["ValueError", "step is not ready yet"]})
    cases["mutates_argument"] = with_cell(good, "perceptron_update", _code("""
        def perceptron_update(x, target, w, b, lr=1.0):
            x = np.asarray(x, dtype=float)
            error = target - step(x @ w + b)
            w += lr * error * x
            return w, float(b + lr * error)
        """)), Expect("ok", loses=["perceptron_update_test"], cell_outputs={
            "perceptron_update_test": ["the argument w: your function changed its input in "
                                       "place"]})
    # Kind 6: time and output in total. The cells at the end sleep only in a kernel started
    # well after the student's folder was made: the kernel restarted after the crash below,
    # which replays them. The first run of the notebook reaches the crash in seconds; without
    # one budget for the student, the replay alone would take 40 x (the cell timeout - 0.3 s).
    # Its name sorts it among the first students graded (the grader takes them in name order):
    # it sleeps out the whole budget, which then overlaps the grading of the others instead of
    # ending the class run alone (about 20 s of one idle worker when it was "replay_sleeps").
    sleepers = copy.deepcopy(good)
    for _ in range(40):
        sleepers.cells.append(nbformat.v4.new_code_cell(REPLAY_ONLY_SLEEP))
    sleepers.cells.append(nbformat.v4.new_code_cell(  # the replay kernel starts later than this
        f"import time\ntime.sleep({0.9 * CELL_TIMEOUT})\n"))
    sleepers.cells.append(nbformat.v4.new_code_cell("import os\nos._exit(1)\n"))
    sleepers.cells.append(nbformat.v4.new_code_cell('print("after the crash")\n'))
    cases["budget_replay_sleeps"] = sleepers, Expect(
        "kernel died", max_seconds=NOTEBOOK_TIMEOUT + 30,
        messages=["kernel died (see", "not finished (see"],
        in_outputs=["the kernel could not be restarted after a crash",
                     "the kernel exited with code 1"])
    flood = copy.deepcopy(good)
    for _ in range(40):
        flood.cells.append(nbformat.v4.new_code_cell('print("x" * 90_000)\n'))
    cases["output_in_many_cells"] = flood, Expect("output cut")
    # The answer key is not an answer.
    cases["answer_key_import"] = with_cell(good, "step", "from nnlib.activations import step\n"), \
        Expect("answer key", answer_key=True, messages=["imports step from nnlib.activations"])
    cases["answer_key_wrapper"] = with_cell(good, "weighted_sum", _code("""
        def weighted_sum(x, w, b):
            return nnlib.neuron.weighted_sum(x, w, b)
        """)), Expect("answer key", answer_key=True, messages=["weighted_sum calls another"])
    cases["answer_key_getattr"] = with_cell(good, "step", _code("""
        import importlib
        step = getattr(importlib.import_module("nnlib." + "activ" + "ations"), "st" + "ep")
        """)), Expect("answer key", answer_key=True, messages=["nnlib.activations.step"])
    cases["answer_key_hidden_wrapper"] = with_cell(good, "step", _code("""
        import importlib
        _library = importlib.import_module("nnlib." + "activ" + "ations")
        _impl = vars(_library)["st" + "ep"]
        def step(z):
            return _impl(z)
        """)), Expect("answer key", answer_key=True,
                      messages=["step called nnlib's nnlib.activations.step"])
    cases["answer_key_book"] = with_cell(good, "step", _code("""
        def step(z):
            return book.step(z)
        """)), Expect("answer key", answer_key=True, messages=["step calls another"])
    return cases


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/bad_submissions.py NEW_COURSE_FOLDER")
    target = Path(sys.argv[1]).resolve()
    c = Course.create(target, REPO / "solutions" / AID, AID, extra_config="c.Execute.timeout = 5\n")
    for name, e in write_corpus(c).items():
        print(f"{name:24s} expect {e.status}, loses {e.loses or 'nothing'}")
