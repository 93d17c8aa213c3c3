"""Autograde a whole class in parallel sandboxes, merging into the gradebook one student at a time.

The parent process lists the submissions, skips those already graded (unless ``force``), and
hands the others to ``jobs`` worker processes. Each worker owns a private nbgrader course folder
and a private copy of the gradebook, so workers never write the same file, and its kernels talk
over Unix sockets in its own folder, so there are no ports to clash. For one student a worker

1. opens the hand-in without following any link, finds the notebook (a renamed one is
   accepted and reported; a linked, special or too large one is reported, not graded), reads
   it (invalid JSON is reported, not graded), rebuilds it on the release, noting any
   tampering, and copies the hand-in's regular files within the caps into a private folder,
   reporting what was left out (:mod:`tools.grader.submission`);
2. runs nbgrader's real autograde on it (``NbGraderAPI.autograde``) with nbgrader's Execute
   replaced by :class:`tools.grader.executor.GuardedExecute` and the kernel replaced by the
   sandboxed one (:mod:`tools.grader.sandbox`);
3. sends back the scores read from its private gradebook and the autograded folder.

Every worker dies with the parent (``PR_SET_PDEATHSIG``), and its kernels with it; a run's
temporary folder is marked as its own, and the next run removes what a killed run left there
(and its memory cgroups).

The parent alone writes the course's gradebook and ``grading/autograded/``: one student at a
time, in a transaction, as each result arrives, so an interrupted run keeps every student
finished so far and a rerun resumes. A status file ``grading/status/<assignment>.json`` keeps
each student's outcome (score, status, tampering, messages) for the summary and the report.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from tools.grader import answerkey, sandbox, submission

NEEDS_INSTRUCTOR = ("tampered", "answer key", "invalid notebook", "missing notebook",
                    "grading error", "symlink", "special file", "too large", "files left out")
# Outcomes of the student's own code, worst first (reported by GuardedExecute as events, and by
# the kernel's client as how the kernel ended: sandbox.kernel_end).
CODE_OUTCOMES = ("timed out", "memory limit", "cpu limit", "kernel died", "not finished",
                 "output cut")


# nbgrader's own SQLAlchemy session warnings (also printed by stock nbgrader) hide the progress.
warnings.filterwarnings("ignore", message=".*not in session.*")


class GradingError(Exception):
    """A problem with the course or the command line; the message says what to do."""


@dataclass
class Course:
    """Paths and settings of the nbgrader course in ``root`` (read from its nbgrader_config.py)."""

    root: Path
    course_id: str
    source: Path
    release: Path
    submitted: Path
    autograded: Path
    db_path: Path
    cell_timeout: int

    @classmethod
    def load(cls, root: Path) -> Course:
        from traitlets.config.loader import PyFileConfigLoader

        root = root.resolve()
        config_file = root / "nbgrader_config.py"
        if not config_file.is_file():
            raise GradingError(f"no nbgrader_config.py in {root}: run this from the course's "
                               f"folder (the repository root) or pass --course DIR")
        config = PyFileConfigLoader(config_file.name, path=str(root)).load_config()
        cd = config.CourseDirectory

        def folder(name: str, default: str) -> Path:
            value = cd.get(name, default)
            return (root / value).resolve()

        db_url = cd.get("db_url", f"sqlite:///{root}/gradebook.db")
        if not db_url.startswith("sqlite:///"):
            raise GradingError(f"only SQLite gradebooks are supported, got db_url {db_url!r}")
        db = Path(db_url[len("sqlite:///"):])
        return cls(root, cd.get("course_id", "default_course"),
                   folder("source_directory", "source"), folder("release_directory", "release"),
                   folder("submitted_directory", "submitted"),
                   folder("autograded_directory", "autograded"),
                   db if db.is_absolute() else (root / db).resolve(),
                   int(config.get("Execute", {}).get("timeout", 30) or 30))

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def status_file(self, aid: str) -> Path:
        return self.db_path.parent / "status" / f"{aid}.json"

    def release_notebook(self, aid: str) -> nbformat.NotebookNode:
        path = self.release / aid / f"{aid}.ipynb"
        if not path.is_file():
            raise GradingError(f"no release {path}: generate it first "
                               f"(python -m tools.exercises build {aid})")
        return nbformat.read(str(path), as_version=4)


@dataclass
class Outcome:
    """One student's result, as shown in the summary and kept in the status file."""

    student: str
    status: str
    score: float | None = None
    max_score: float = 0.0
    parts: dict[str, float | None] = field(default_factory=dict)  # grade id -> auto score
    tampering: list[str] = field(default_factory=list)
    answer_key: list[str] = field(default_factory=list)  # uses of nnlib's own versions
    notes: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # test cell -> first error line
    seconds: float = 0.0
    # what of the hand-in was left out (submission.Finding as dicts: kind, path, detail)
    handin: list[dict] = field(default_factory=list)
    # limits the kernel hit, seen from outside it (dicts of sandbox.kernel_end)
    limits: list[dict] = field(default_factory=list)

    @property
    def needs_instructor(self) -> bool:
        return self.status in NEEDS_INSTRUCTOR or bool(
            self.tampering or self.answer_key or self.handin)

    def details(self) -> str:
        return "; ".join(self.tampering + self.answer_key + self.notes)


@dataclass
class Options:
    jobs: int
    force: bool = False
    unsafe: bool = False
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    cell_timeout: int | None = None
    notebook_timeout: int = 900
    uid_base: int = 61000
    output_limit: int = 100_000
    notebook_output_limit: int = 1_000_000
    students: list[str] | None = None
    warm: bool = True  # fork kernels from a warm sandboxed process where the machine allows
    caps: submission.Caps = field(default_factory=submission.Caps)
    memory_cgroups: bool = True  # each worker's kernels in a memory cgroup (where possible)
    owner: str = ""  # sandbox.owner_id of the grading command (names its cgroups, temp folder)


# --------------------------------------------------------------------------- worker side

_WORKER: dict = {}


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Be killed (SIGKILL) when process ``parent`` ends, however it ends; exit now if it
    already has. Every process the grader starts is tied to it this way or by the layer
    above it (bwrap --die-with-parent, the zygote's lifeline, a PID namespace)."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


def _worker_init(course: Course, aid: str, options: Options, base: str, counter,
                 parent: int) -> None:
    die_with_parent(parent)
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    wdir = Path(base) / f"worker-{index}"
    (wdir / "course").mkdir(parents=True)
    shutil.copy2(Path(base) / "template.db", wdir / "gradebook.db")
    uid = options.uid_base + index if (os.getuid() == 0 and not options.unsafe) else None
    cgroup = (f"{sandbox.CGROUP_PREFIX}{options.owner}-w{index}"
              if options.memory_cgroups and not options.unsafe else None)
    box = sandbox.Sandbox(wdir / "sandbox", options.limits, uid=uid, enabled=not options.unsafe,
                          warm=options.warm and not options.unsafe,
                          students=wdir / "course" / "autograded", memory_cgroup=cgroup)
    box.prepare()
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(box.jupyter_path)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(
            os.pathsep) if p])
    os.environ.pop("JPY_PARENT_PID", None)
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's SQLAlchemy chatter
    tempfile.tempdir = str(box.runtime_dir)  # connection files next to the IPC sockets
    release = course.release_notebook(aid)
    # the release's answer keys, found once per worker (for each hand-in and for the kernel)
    _WORKER.update(course=course, aid=aid, options=options, wdir=wdir, box=box,
                   release=release, answer_keys=answerkey.part_functions(release))


def _worker_api():
    if "api" in _WORKER:
        return _WORKER["api"]
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from tools.grader.executor import GuardedExecute

    course, options, wdir, box = (_WORKER[k] for k in ("course", "options", "wdir", "box"))
    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config())
    cd = config.CourseDirectory
    cd.root = str(wdir / "course")
    cd.submitted_directory = "submitted"
    cd.autograded_directory = "autograded"
    cd.feedback_directory = "feedback"
    cd.source_directory = str(course.source)
    cd.release_directory = str(course.release)
    cd.db_url = f"sqlite:///{wdir / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = [
        GuardedExecute, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    config.Autograde.create_student = True
    config.GuardedExecute.kernel_name = sandbox.KERNEL_NAME
    config.GuardedExecute.timeout = options.cell_timeout or course.cell_timeout
    config.GuardedExecute.notebook_timeout = options.notebook_timeout
    config.GuardedExecute.startup_timeout = 120
    config.GuardedExecute.output_limit = options.output_limit
    config.GuardedExecute.notebook_output_limit = options.notebook_output_limit
    GuardedExecute.answer_keys = _WORKER["answer_keys"]
    config.GuardedExecute.sandboxed = box.enabled
    # A warm kernel is killed at once (with everything it started) and the worker waits until
    # it is gone; a cold one is asked to shut down first, as nbclient does by default.
    config.GuardedExecute.shutdown_kernel = "immediate" if box.warm else "graceful"
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(box.runtime_dir / "kernel")
    config.Application.log_level = "WARNING"

    def before_kernel(path: str) -> None:
        work = Path(path)
        box.give_folder(work)
        box.write_kernel(work)

    def after_kernel() -> None:
        if not box.wait_kernels_gone():
            raise RuntimeError("a killed kernel did not stop within 10 s")

    GuardedExecute.before_kernel = staticmethod(before_kernel)
    GuardedExecute.after_kernel = staticmethod(after_kernel)
    GuardedExecute.leftovers = staticmethod(box.leftovers)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    _WORKER["api"] = api
    return api


def _handin_findings(outcome: Outcome, findings: list[submission.Finding]) -> None:
    outcome.handin += [asdict(f) for f in findings]
    outcome.notes += [f.text() for f in findings]


def grade_one(student: str) -> tuple[Outcome, dict | None]:
    """Worker: grade one student; returns the outcome and what the parent must merge."""
    start = time.monotonic()
    course, aid, release = _WORKER["course"], _WORKER["aid"], _WORKER["release"]
    caps = _WORKER["options"].caps
    outcome = Outcome(student, "ok")
    box = _WORKER["box"]
    box.take_kernel_ends()  # the record starts empty for each student
    try:
        # The hand-in is data: read and copied without following a link (submission.py); the
        # private copy, within the caps, is all that nbgrader and the kernel ever see.
        with submission.HandinFolder.open(course.submitted, student, aid) as folder:
            if folder.problem is not None:
                outcome.status = ("symlink" if folder.problem.kind == "symlink"
                                  else "missing notebook")
                _handin_findings(outcome, [folder.problem])
                return outcome, None
            handin = submission.find_notebook(folder, aid, release, caps)
            if handin.name is None:
                if handin.problem is not None:
                    outcome.status = handin.problem.kind if handin.problem.kind in (
                        "symlink", "special file", "too large") else "special file"
                    _handin_findings(outcome, [handin.problem])
                else:
                    outcome.status, outcome.notes = "missing notebook", [handin.note]
                return outcome, None
            if handin.note:
                outcome.notes.append(handin.note)
            try:
                data = folder.read_bytes(handin.name, caps.notebook_mb * submission.MB)
                nb = submission.read(data, handin.name)
            except OSError as err:
                outcome.status = "special file"
                _handin_findings(outcome, [submission.Finding("unreadable", handin.name,
                                                              str(err))])
                return outcome, None
            except submission.InvalidNotebook as err:
                outcome.status, outcome.notes = "invalid notebook", outcome.notes + [str(err)]
                return outcome, None
            del data
            rebuilt = submission.rebuild(nb, release)
            outcome.tampering, outcome.notes = rebuilt.tampering, outcome.notes + rebuilt.notes
            outcome.answer_key = answerkey.findings(rebuilt.notebook, _WORKER["answer_keys"])
            wcourse = _WORKER["wdir"] / "course"
            dest = wcourse / "submitted" / student / aid
            if dest.exists():
                shutil.rmtree(dest)
            _handin_findings(outcome, folder.copy_files(
                dest, caps, skip=lambda name: name.endswith(".ipynb")))
        nbformat.write(rebuilt.notebook, str(dest / f"{aid}.ipynb"))
        out_dir = wcourse / "autograded" / student
        if out_dir.exists():
            shutil.rmtree(out_dir)
        result = _worker_api().autograde(aid, student, force=True, create=True)
        if not result.get("success"):
            log = (result.get("error") or "") + (result.get("log") or "")
            outcome.status = "grading error"
            outcome.notes.append("nbgrader autograde failed: " + log.strip()[-600:])
            return outcome, None
        payload = _read_results(student)
        # limits the kernels hit, as their clients saw it from outside (sandbox.kernel_end)
        outcome.limits = [end for end in box.take_kernel_ends()
                          if end["kind"] in ("memory limit", "cpu limit")]
        _fill(outcome, payload, wcourse / "autograded" / student / aid / f"{aid}.ipynb")
        if outcome.handin and outcome.status == "ok":
            outcome.status = "files left out"
        payload["folder"] = str(wcourse / "autograded" / student / aid)
        return outcome, payload
    except Exception:  # never lose the other students because of one
        outcome.status = "grading error"
        outcome.notes.append(traceback.format_exc(limit=3)[-800:])
        return outcome, None
    finally:
        outcome.seconds = round(time.monotonic() - start, 2)


def _read_results(student: str) -> dict:
    from nbgrader.api import Gradebook

    aid = _WORKER["aid"]
    with Gradebook(f"sqlite:///{_WORKER['wdir'] / 'gradebook.db'}",
                   _WORKER["course"].course_id) as gb:
        sub = gb.find_submission(aid, student)
        return {"timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                "notebooks": [{
                    "name": nb.name, "late_penalty": nb.late_submission_penalty,
                    "grades": [{"name": g.name, "auto_score": g.auto_score,
                                "max_score": g.max_score,
                                "needs_manual_grade": g.needs_manual_grade}
                               for g in nb.grades],
                    "comments": [{"name": c.name, "auto_comment": c.auto_comment}
                                 for c in nb.comments]}
                    for nb in sub.notebooks]}


def _first_error(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            first = str(out.get("evalue", "")).strip().split("\n")[0]
            return f"{out.get('ename', 'Error')}: {first}"[:300]
    return None


def _fill(outcome: Outcome, payload: dict, autograded: Path) -> None:
    """Scores from the gradebook payload, test messages from the autograded notebook, and the
    outcome from the events GuardedExecute recorded where things happened."""
    from tools.grader.executor import GuardedExecute

    tests = {c.metadata["nbgrader"]["grade_id"] for c in _WORKER["release"].cells
             if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")}
    auto = [g for nb in payload["notebooks"] for g in nb["grades"] if g["name"] in tests]
    outcome.parts = {g["name"]: g["auto_score"] for g in auto}
    outcome.max_score = sum(g["max_score"] or 0 for g in auto)
    outcome.score = sum(g["auto_score"] or 0 for g in auto)
    nb = nbformat.read(str(autograded), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        message = _first_error(cell) if cell.cell_type == "code" else None
        if meta.get("grade") and message:
            outcome.messages[meta.get("grade_id", "?")] = message
    events = list(GuardedExecute.last_events)
    kinds = {e["kind"] for e in events}
    if outcome.limits:
        # How the kernel ended, seen from outside it (its signal, CPU seconds, the cgroup's OOM
        # count), explains its death better than the executor's guess from the exit status.
        kinds -= {"kernel died", "memory limit", "cpu limit"}
        kinds |= {end["kind"] for end in outcome.limits}
        outcome.notes += [end["detail"] for end in outcome.limits]
    worst = [k for k in CODE_OUTCOMES if k in kinds]
    if worst:
        outcome.status = worst[0]
        outcome.notes += [f"{k} (see the autograded notebook)" for k in worst]
    if "grading error" in kinds:
        outcome.status = "grading error"
        outcome.notes += [e["detail"] for e in events if e["kind"] == "grading error"][:3]
    for e in events:
        if e["kind"] == "answer key":
            outcome.answer_key.append(f"answer key: {e['detail']}")
    outcome.answer_key = sorted(set(outcome.answer_key))
    if outcome.answer_key and outcome.status == "ok":
        outcome.status = "answer key"
    if outcome.tampering:
        outcome.status = "tampered"


# --------------------------------------------------------------------------- parent side


def submitted_students(course: Course, aid: str) -> list[str]:
    if not course.submitted.is_dir():
        return []
    return sorted(d.name for d in course.submitted.iterdir()
                  if d.is_dir() and (d / aid).is_dir())


def load_status(course: Course, aid: str) -> dict[str, dict]:
    path = course.status_file(aid)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def save_status(course: Course, aid: str, status: dict[str, dict]) -> None:
    path = course.status_file(aid)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def already_graded(course: Course, aid: str) -> set[str]:
    """Students with an autograded notebook on disk and auto scores in the gradebook."""
    from nbgrader.api import Gradebook

    done = set()
    with Gradebook(course.db_url, course.course_id) as gb:
        for sub in gb.find_assignment(aid).submissions:
            if any(g.auto_score is not None for n in sub.notebooks for g in n.grades) and \
                    (course.autograded / sub.student.id / aid / f"{aid}.ipynb").is_file():
                done.add(sub.student.id)
    return done


GRADED_ELSEWHERE = ("graded before by stock nbgrader (nbgrader autograde or the Formgrader), "
                    "not in this command's sandbox; --force regrades it here")


def graded_outcomes(course: Course, aid: str, students: list[str],
                    status: dict[str, dict]) -> list[Outcome]:
    """Outcomes of the students skipped as already graded. Their scores come from the gradebook,
    which holds what counts whoever graded them; status and notes come from this command's
    status file when it graded them, else they say that stock nbgrader did."""
    from nbgrader.api import Gradebook

    tests = {c.metadata["nbgrader"]["grade_id"]: c for c in course.release_notebook(aid).cells
             if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")}
    outcomes = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for student in students:
            grades = [g for nb in gb.find_submission(aid, student).notebooks for g in nb.grades
                      if g.name in tests]
            outcome = (Outcome(**status[student]) if student in status else
                       Outcome(student, "ok", notes=[GRADED_ELSEWHERE]))
            outcome.parts = {g.name: g.auto_score for g in grades}
            outcome.score = sum(g.auto_score or 0 for g in grades)
            outcome.max_score = sum(g.max_score or 0 for g in grades)
            outcomes.append(outcome)
    return outcomes


def merge(course: Course, aid: str, student: str, payload: dict, gb) -> None:
    """Write one student's scores into the course gradebook ``gb`` (an open nbgrader Gradebook,
    committed here) and move the autograded folder into place."""
    from datetime import datetime

    gb.update_or_create_student(student)
    stamp = payload["timestamp"]
    kwargs = {"timestamp": datetime.fromisoformat(stamp)} if stamp else {}
    gb.update_or_create_submission(aid, student, **kwargs)
    for nbp in payload["notebooks"]:
        nb = gb.find_submission_notebook(nbp["name"], aid, student)
        nb.late_submission_penalty = nbp["late_penalty"]
        grades = {g.name: g for g in nb.grades}
        for g in nbp["grades"]:
            grade = grades[g["name"]]
            grade.auto_score = g["auto_score"]
            # A part the instructor graded by hand keeps their grade and their "done": a
            # regrade never puts it back among the ones that need a person (stock nbgrader does).
            if grade.manual_score is None:
                grade.needs_manual_grade = g["needs_manual_grade"]
        comments = {c.name: c for c in nb.comments}
        for c in nbp["comments"]:
            comments[c["name"]].auto_comment = c["auto_comment"]
    gb.db.commit()
    src = Path(payload["folder"])
    dest = course.autograded / student / aid
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{aid}.incoming"
    if staging.exists():
        shutil.rmtree(staging)
    left_out = submission.copy_plain(src, staging)  # never read through a link
    if left_out:
        raise RuntimeError("the autograded folder holds " + "; ".join(f.text() for f in left_out))
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(staging, dest)


def _template_gradebook(course: Course, aid: str, target: Path) -> None:
    """A copy of the course gradebook for the workers (SQLite's backup API: consistent)."""
    from nbgrader.api import Gradebook, MissingEntry

    if not course.db_path.is_file():
        raise GradingError(f"no gradebook {course.db_path}: run nbgrader generate_assignment "
                           f"{aid} (python -m tools.exercises build {aid}) first")
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(aid)
        except MissingEntry as err:
            raise GradingError(f"the gradebook has no assignment {aid!r}: run "
                               f"python -m tools.exercises build {aid} first") from err
    src = sqlite3.connect(course.db_path)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


class Progress:
    """A plain-text progress line with rate and ETA: redrawn in a terminal, logged otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.start = time.monotonic()
        self.tty = stream.isatty()
        self.last_print = 0.0

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        now = time.monotonic()
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        score = f"{outcome.score:g}/{outcome.max_score:g}" if outcome.score is not None else "-"
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                f"{rate * 60:.0f}/min ETA {int(eta) // 60}m{int(eta) % 60:02d}s  "
                f"{outcome.student}: {outcome.status} {score}")
        if self.tty:
            self.stream.write("\r" + line[:150].ljust(150))
            if self.done == self.total:
                self.stream.write("\n")
        elif now - self.last_print >= 10 or self.done == self.total or \
                self.done % max(1, self.total // 20) == 0:
            self.stream.write(line + "\n")
            self.last_print = now
        self.stream.flush()


def autograde(course: Course, aid: str, options: Options, log=print) -> list[Outcome]:
    """Grade every submission of ``aid`` (see the module docstring); returns all outcomes."""
    release = course.release_notebook(aid)
    del release
    uid = options.uid_base if os.getuid() == 0 else None
    options.owner = sandbox.owner_id(os.getpid())
    for gone in remove_stale_runs() + sandbox.remove_stale_cgroups():
        log(f"removed {gone}, left by a grading run that was killed")
    cold_reason = None
    memory_reason = sandbox.memory_cgroup_unavailable()
    options.memory_cgroups = memory_reason is None
    if not options.unsafe:
        sandbox.check_available(uid, options.limits, memory_cgroup=options.memory_cgroups)
        if options.warm:
            cold_reason = sandbox.check_warm(uid, options.limits)
            options.warm = cold_reason is None
    students = submitted_students(course, aid)
    if options.students:
        unknown = sorted(set(options.students) - set(students))
        if unknown:
            raise GradingError(f"no submission of {aid} for {', '.join(unknown)} in "
                               f"{course.submitted}")
        students = [s for s in students if s in options.students]
    status = load_status(course, aid)
    skipped = set() if options.force else already_graded(course, aid) & set(students)
    todo = [s for s in students if s not in skipped]
    log(f"{aid}: {len(students)} submissions, {len(skipped)} already graded (skipped; --force "
        f"regrades), {len(todo)} to grade with {options.jobs} workers")
    log(sandbox.describe(options.limits, uid, enabled=not options.unsafe, warm=options.warm,
                         memory_cgroup=memory_reason, workers=options.jobs))
    if cold_reason:
        log(f"note: {cold_reason}; every kernel starts from scratch (as safe, slower)")
    outcomes = graded_outcomes(course, aid, sorted(skipped), status)
    if not todo:
        return outcomes
    with tempfile.TemporaryDirectory(prefix=f"{RUN_PREFIX}{aid}-") as base:
        os.chmod(base, 0o700)
        # marks the folder as this run's: a later run removes it if this one was killed
        (Path(base) / RUN_MARK).write_text(options.owner, encoding="ascii")
        _template_gradebook(course, aid, Path(base) / "template.db")
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("i", 0)
        progress = Progress(len(todo))
        from nbgrader.api import Gradebook

        with Gradebook(course.db_url, course.course_id) as gb, cf.ProcessPoolExecutor(
                options.jobs, mp_context=ctx, initializer=_worker_init,
                initargs=(course, aid, options, base, counter, os.getpid())) as pool:
            futures = {pool.submit(grade_one, s): s for s in todo}
            try:
                for future in cf.as_completed(futures):
                    try:
                        outcome, payload = future.result()
                    except Exception as err:  # a worker process died
                        outcome, payload = Outcome(futures[future], "grading error",
                                                   notes=[f"worker failed: {err}"]), None
                    if payload is not None:
                        try:
                            merge(course, aid, outcome.student, payload, gb)
                        except Exception as err:  # keep going; this student is not saved
                            gb.db.rollback()
                            outcome.status = "grading error"
                            outcome.notes.append(f"could not save the result: {err}")
                    status[outcome.student] = asdict(outcome)
                    save_status(course, aid, status)
                    outcomes.append(outcome)
                    progress.update(outcome)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                log(f"\ninterrupted: {len(outcomes) - len(skipped)} students were graded and "
                    f"saved; run the same command again to grade the rest")
                raise
            finally:
                _remove_cgroups(options.owner)
    _remove_cgroups(options.owner)  # the workers have ended: their kernels' cgroups go
    return sorted(outcomes, key=lambda o: o.student)


RUN_PREFIX = "grading-"  # + <assignment>-<random>: a run's private folder in the temp folder
RUN_MARK = ".tools-grade-run"  # in it: sandbox.owner_id of the run


def _remove_cgroups(owner: str) -> None:
    where = sandbox._cgroup_parent()
    if isinstance(where, str) or not owner:
        return
    for entry in os.scandir(where[0]):
        if entry.name.startswith(f"{sandbox.CGROUP_PREFIX}{owner}-") and entry.is_dir(
                follow_symlinks=False):
            sandbox.remove_cgroup(Path(entry.path))


def remove_stale_runs(tmp: Path | None = None) -> list[str]:
    """Remove the private folders that killed runs left in the temporary folder: only folders
    named like ours, owned by this user, not links, holding our mark (a regular file) naming
    a process that is no longer running. Nothing is followed through a link (rmtree of Python
    3.11 on Linux works on file descriptors). Returns the paths removed."""
    import stat as st

    tmp = Path(tmp or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(tmp))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(RUN_PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not st.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            mark = os.stat(Path(entry.path) / RUN_MARK, follow_symlinks=False)
            if not st.S_ISREG(mark.st_mode) or mark.st_size > 100:
                continue
            owner = (Path(entry.path) / RUN_MARK).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if owner and not sandbox.owner_alive(owner):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def summary_table(outcomes: list[Outcome]) -> str:
    """One line per student: score, status, what needs looking at."""
    rows = [("student", "score", "status", "details")]
    for o in sorted(outcomes, key=lambda o: o.student):
        score = f"{o.score:g}/{o.max_score:g}" if o.score is not None else "-"
        flag = " (!)" if o.needs_instructor else ""
        rows.append((o.student, score, o.status + flag, o.details()[:160]))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip()
             for r in rows]
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    need = [o.student for o in outcomes if o.needs_instructor]
    lines.append("")
    lines.append(f"{len(outcomes)} students; {len(need)} need you (marked (!)): "
                 f"{', '.join(need) if need else 'none'}")
    return "\n".join(lines)
