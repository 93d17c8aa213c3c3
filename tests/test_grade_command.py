"""``python -m tools.grader``: a class of bad submissions graded through the real command.

A throw-away course for chapter 1 (tests/grading_course.py) first has one student, ``earlier``,
graded and given a manual score on a written answer. Then tests/bad_submissions.py hands in its
corpus (controls, invalid and missing notebooks, tampering, endless loops, memory and fork
bombs, exits, floods, escapes from the sandbox, monkeypatching, fake results, warnings), and the
class run ``python -m tools.grader autograde ch01_perceptron --jobs 2`` grades them all in
sandboxes, with the limits given on its command line (``bad_submissions.COMMAND_LIMITS``: a 5 s
cell timeout, 40 s per student, 1280 MB per kernel). That run is killed twice on its way
(SIGTERM, then the run after it with SIGKILL: nothing of a killed run may be left, and the next
run must clean up after it and grade each student not saved yet exactly once), and a third run
goes to the end. The tests check every student's outcome against the corpus's expectations
(status, which parts scored 0, tampering flag, messages, outputs, files that must not exist,
time), that ``earlier`` and the gradebook were left intact, that a second run grades nobody
again, that the feedback (made once, read by several tests) shows no hidden test, even decoded,
and the report. The kernel-related cases are graded again with cold kernels; the CPU limit is
checked on three students of its own. Needs bubblewrap: without it the tests skip, saying so; on
CI (CI=true) they fail (tests/conftest.py, require).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from bad_submissions import AID, COMMAND_LIMITS, Expect, write_corpus
from conftest import require_sandbox
from grading_course import (
    REPO,
    Course,
    cell_by_id,
    hidden_test_lines,
    html_text,
    lines_found_in,
    solved,
    warm_kernels_possible,
)

from tools.grader import submission

# One xdist group: the grading runs (worker processes, cell time limits) never compete with
# each other for the cores.
pytestmark = pytest.mark.xdist_group("grading")
# The settings appended to the courses' nbgrader_config.py: the same as the grading round trip's
# (tests/test_grading_roundtrip.py), so that the course is generated once per test run.
COURSE_CONFIG = "c.Execute.timeout = 10\n"
TESTS = ["weighted_sum_test", "step_test", "predict_test", "perceptron_update_test",
         "train_perceptron_test", "spam_weights_test", "find_separating_line_test"]



def grade_cmd(course: Course, *args: str, env: dict | None = None,
              timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.grader", "--course", str(course.root),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=env)


def gradebook_rows(course: Course) -> list[tuple]:
    """Every row of the gradebook's grade table, with the student and cell names."""
    con = sqlite3.connect(course.root / "grading" / "gradebook.db")
    try:
        return con.execute(
            "SELECT student.id, base_cell.name, grade.auto_score, grade.manual_score, "
            "grade.extra_credit, grade.needs_manual_grade "
            "FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN student ON submitted_assignment.student_id = "
            "student.id JOIN base_cell ON grade.cell_id = base_cell.id "
            "ORDER BY 1, 2").fetchall()
    finally:
        con.close()


@dataclass
class Run:
    course: Course
    expect: dict[str, Expect]
    first: subprocess.CompletedProcess  # the class run that went to the end
    second: subprocess.CompletedProcess
    earlier_before: list[tuple]
    earlier_mtime: float
    rows_after_first: list[tuple]
    scores_after_first: dict[str, dict]  # Course.all_scores() after the first run
    status: dict[str, dict]
    solutions_before: dict[str, str]
    solutions_after: dict[str, str]
    submitted_before: dict[str, str]
    submitted_after: dict[str, str]
    tmp: Path  # the runs' TMPDIR
    kills: dict[str, Killed]  # the class runs killed before it, by signal name


def folder_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def plain_hashes(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` without following a link: a file's hash, a link's target,
    the type of anything else (FIFOs and devices are never opened)."""
    import stat

    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):  # os.walk follows no link
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                found[rel] = "-> " + os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                if info.st_size > 50_000_000:
                    found[rel] = f"{info.st_size} bytes, {info.st_mtime_ns}"
                else:
                    found[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
            else:
                found[rel] = f"mode {oct(info.st_mode)}"
    return found


def sandboxed_course(tmp_path_factory, name: str) -> Course:
    """A throw-away chapter 1 course (needs a working sandbox). The tests give the limits
    they need on the command line (--timeout ...), so every course of this module, and of
    the grading round trip of chapter 1, is a copy of one generated course."""
    require_sandbox(61000 if os.getuid() == 0 else None)
    return Course.create(tmp_path_factory.mktemp(name) / "course", REPO / "solutions" / AID,
                         AID, extra_config=COURSE_CONFIG)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    # the runs' own temporary folder (short: socket paths in it must fit in 108 bytes), so
    # that processes of these runs can be told from other grading runs on the machine
    tmp = Path(tempfile.mkdtemp(prefix="gc-", dir="/tmp"))
    try:
        yield _graded(tmp_path_factory, dict(os.environ, TMPDIR=str(tmp)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _graded(tmp_path_factory, env: dict) -> Run:
    course = sandboxed_course(tmp_path_factory, "grade-command")
    course.submit("earlier", solved(course.release, course.solution))
    proc = grade_cmd(course, "autograde", AID, "--jobs", "2", *COMMAND_LIMITS, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, "nn-from-one-neuron") as gb:
        gb.find_grade("xor_proof", AID, AID, "earlier").manual_score = 2.5
        gb.db.commit()
    earlier_before = [r for r in gradebook_rows(course) if r[0] == "earlier"]
    earlier_nb = course.root / "grading" / "autograded" / "earlier" / AID / f"{AID}.ipynb"
    earlier_mtime = earlier_nb.stat().st_mtime

    expect = write_corpus(course)
    solutions_before = folder_hashes(course.root / "solutions")
    submitted_before = plain_hashes(course.root / "grading" / "submitted")
    # The class run is killed twice on its way (SIGTERM, then the run after it with SIGKILL:
    # see the tests of killed runs below), then run again to the end.
    kills = _killed_runs(course, Path(env["TMPDIR"]), sorted(expect) + ["earlier"])
    first = grade_cmd(course, "autograde", AID, "--jobs", "2", *COMMAND_LIMITS, env=env)
    last_killed = kills[KILL_ORDER[-1][0]]
    last_killed.next_log = first.stderr
    last_killed.next_cgroups = _cgroups(last_killed.where, last_killed.owner)
    if warm_kernels_possible(61000 if os.getuid() == 0 else None):
        assert "kernels forked from a warm sandboxed process" in first.stderr, first.stderr[-2000:]
    rows, scores = gradebook_rows(course), course.all_scores()
    for killed in kills.values():
        killed.rows_after_all = rows
    second = grade_cmd(course, "autograde", AID, "--jobs", "2", *COMMAND_LIMITS, env=env)
    status = json.loads((course.root / "grading" / "status" / f"{AID}.json").read_text())
    return Run(course, expect, first, second, earlier_before, earlier_mtime, rows, scores,
               status, solutions_before, folder_hashes(course.root / "solutions"),
               submitted_before, plain_hashes(course.root / "grading" / "submitted"),
               Path(env["TMPDIR"]), kills)


def corpus_students() -> list[str]:
    """The corpus's student names, without building a course (for parametrize)."""
    source = (REPO / "tests" / "bad_submissions.py").read_text(encoding="utf-8")
    return [line.split('"')[1] for line in source.split("\n")
            if line.strip().startswith('cases["')]


# ------------------------------------------------------------------------------ fast tests


def test_release_and_solution_are_not_tampering():
    """No false alarm on a notebook with hidden tests: the release and a solved release, as a
    student hands them in, rebuild without any tampering (stock nbgrader's checksums differ)."""
    from tools import exercises

    release = nbformat.read(str(exercises.release_dir(REPO, AID) / f"{AID}.ipynb"), 4)
    solution = nbformat.read(str(exercises.solution_notebook(REPO, AID)), 4)
    for nb in (release, solved(release, solution)):
        rebuilt = submission.rebuild(nb, release)
        assert rebuilt.tampering == [] and rebuilt.notes == []
        assert [c.source for c in rebuilt.notebook.cells if c.metadata.get("nbgrader", {}).get(
            "locked")] == [c.source for c in release.cells
                           if c.metadata.get("nbgrader", {}).get("locked")]


def test_rebuild_restores_locked_cells_and_keeps_answers():
    from tools import exercises

    release = nbformat.read(str(exercises.release_dir(REPO, AID) / f"{AID}.ipynb"), 4)
    nb = solved(release, nbformat.read(str(exercises.solution_notebook(REPO, AID)), 4))
    cell_by_id(nb, "step_test").source = "pass"
    cell_by_id(nb, "step").source += "\n# my comment"
    rebuilt = submission.rebuild(nb, release)
    assert rebuilt.tampering == ["edited locked cell 'step_test'"]
    assert cell_by_id(rebuilt.notebook, "step_test").source == cell_by_id(release,
                                                                          "step_test").source
    assert cell_by_id(rebuilt.notebook, "step").source.endswith("# my comment")


@pytest.mark.slow  # several subprocesses (a minute on a busy machine)
def test_refuses_without_sandbox_and_says_why(tmp_path):
    course = Course.create(tmp_path / "course", REPO / "solutions" / AID, AID,
                           extra_config=COURSE_CONFIG)
    course.submit("someone", course.release)
    env = dict(os.environ, PATH=str(tmp_path / "empty-bin"))  # no bwrap on PATH
    proc = grade_cmd(course, "autograde", AID, env=env, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "bubblewrap" in proc.stderr and "--unsafe" in proc.stderr
    assert not (course.root / "grading" / "autograded" / "someone").exists()


# ------------------------------------------------------------------------------ the class run


@pytest.mark.slow
def test_run_exits_1_and_lists_every_student(graded):
    out = graded.first.stdout
    assert graded.first.returncode == 1, graded.first.stdout + graded.first.stderr[-3000:]
    for student in graded.expect:
        assert any(line.split()[:1] == [student] for line in out.split("\n")), (
            f"{student} has no line in the summary:\n{out}")
    needs = {s for s, e in graded.expect.items()
             if e.tampered or e.answer_key or not e.graded or e.handin}
    assert f"{len(needs)} need you" in out, out
    assert "ETA" in graded.first.stderr, "no progress line with an ETA on stderr"


def check_outcome(course: Course, expect: Expect, status: dict, rows: list[tuple],
                  scores: dict[str, dict], student: str) -> None:
    """The student's graded outcome is what the corpus expects (status, scores, messages,
    outputs, files that must not exist, size of the autograded notebook)."""
    st = status[student]
    wanted = expect.status if isinstance(expect.status, tuple) else (expect.status,)
    assert st["status"] in wanted, f"{student}: status {st['status']!r}, expected {wanted}; {st}"
    assert bool(st["tampering"]) == expect.tampered, f"{student}: tampering {st['tampering']}"
    assert bool(st.get("answer_key")) == expect.answer_key, (
        f"{student}: answer key findings {st.get('answer_key')}")
    if expect.max_seconds is not None:
        assert st["seconds"] < expect.max_seconds, (
            f"{student} took {st['seconds']} s to grade, more than {expect.max_seconds}")
    details = "; ".join(st["tampering"] + st.get("answer_key", []) + st["notes"])
    for text in expect.messages:
        assert text in details, f"{student}: {text!r} not in the details {details!r}"
    kinds = sorted(f["kind"] for f in st.get("handin", []))
    assert kinds == sorted(expect.handin), f"{student}: hand-in findings {st.get('handin')}"
    limits = [end["kind"] for end in st.get("limits", [])]
    assert (expect.limit in limits) if expect.limit else not limits, f"{student}: {limits}"
    autograded = course.root / "grading" / "autograded" / student / AID
    if not expect.graded:
        assert student not in {r[0] for r in rows}, f"{student} should not be in the gradebook"
        assert not autograded.exists(), f"{student} has an autograded folder"
        return
    for rel in expect.not_copied:
        assert not os.path.lexists(autograded / rel), f"{student}: {rel} was copied"
    shown = (autograded / f"{AID}.ipynb").read_text(encoding="utf-8")
    for text in expect.leaks:
        assert text not in shown, f"{student}: {text!r} is in the autograded notebook"
    assert student in scores, f"{student} is in the gradebook's grades but has no notebook"
    got = {t: scores[student][t][0] for t in TESTS}
    want = {t: 0.0 if t in expect.loses else scores[student][t][1] for t in TESTS}
    assert got == want, f"{student}: scores {got}, expected {want}; messages {st['messages']}"
    assert st["score"] == sum(want.values())
    nb = course.autograded(student)
    for gid, texts in expect.cell_outputs.items():
        shown = json.dumps(cell_by_id(nb, gid).outputs)
        for text in texts:
            assert text in shown, f"{student}: {text!r} not in the output of {gid}: {shown[:600]}"
    for gid, texts in expect.not_in_outputs.items():
        shown = json.dumps(cell_by_id(nb, gid).outputs)
        for text in texts:
            assert text not in shown, f"{student}: {text!r} is in the output of {gid}"
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    for text in expect.in_outputs:
        assert text in outputs, f"{student}: {text!r} is not among the notebook's outputs"
    for path in expect.must_not_exist:
        assert not path.exists(), f"{student} managed to write {path}"
    size = (course.root / "grading" / "autograded" / student / AID /
            f"{AID}.ipynb").stat().st_size
    assert size < 2_000_000, f"{student}'s autograded notebook is {size} bytes"


@pytest.mark.slow
@pytest.mark.parametrize("student", corpus_students())
def test_bad_submission_outcome(graded, student):
    check_outcome(graded.course, graded.expect[student], graded.status, graded.rows_after_first,
                  graded.scores_after_first, student)


# The cases where the kernel's life matters, graded again with kernels started from scratch
# (--cold-kernels: the fallback where nested user namespaces are forbidden): what differs between
# a warm and a cold kernel is how it is started, isolated, limited, interrupted, restarted and
# ended, so these are the limits, crashes, the sandbox's walls and a control. The cases that
# attack the tests (patched helpers, hooks, callers read, objects returned, answer key) and the
# output caps meet the same code outside the kernel either way: they are graded warm only.
COLD_CASES = ["good_a", "endless_loop", "loop_ignoring_sigint", "memory_bomb", "fork_bomb",
              "os_exit", "write_outside", "read_secrets", "network", "memfd_hoard", "shm_fill",
              "data_links"]


@pytest.fixture(scope="module")
def graded_cold(tmp_path_factory):
    course = sandboxed_course(tmp_path_factory, "grade-command-cold")
    # good_b is handed in too, but not named by --student: it must not be graded
    expect = write_corpus(course, only=COLD_CASES + ["good_b"])
    args = [arg for student in COLD_CASES for arg in ("--student", student)]
    proc = grade_cmd(course, "autograde", AID, "--jobs", "2", "--cold-kernels", *COMMAND_LIMITS,
                     *args)
    assert "each kernel started from scratch" in proc.stderr, proc.stderr[-2000:]
    status = json.loads((course.root / "grading" / "status" / f"{AID}.json").read_text())
    return course, expect, status, gradebook_rows(course), course.all_scores()


@pytest.mark.slow
@pytest.mark.parametrize("student", COLD_CASES)
def test_bad_submission_outcome_with_cold_kernels(graded_cold, student):
    course, expect, status, rows, scores = graded_cold
    assert set(status) == set(COLD_CASES), "grading with --student graded other students"
    check_outcome(course, expect[student], status, rows, scores, student)


@pytest.mark.slow
def test_lost_parts_have_teaching_messages(graded):
    st = graded.status["patch_helpers"]
    assert "step([-2, -0.5, 0.5, 3]): values differ" in st["messages"]["step_test"]
    assert "weighted_sum returned an object of type Anything; return numbers" in \
        graded.status["equals_everything"]["messages"]["weighted_sum_test"]
    assert graded.status["raises_own_error"]["messages"]["step_test"] == (
        "AssertionError: step(np.array([-2.0, -0.5, 0.5, 3.0])) raised ValueError: step is not "
        "ready yet")


@pytest.mark.slow
def test_earlier_student_and_gradebook_untouched(graded):
    after = [r for r in graded.rows_after_first if r[0] == "earlier"]
    assert after == graded.earlier_before
    assert ("earlier", "xor_proof", None, 2.5) == next(r for r in after if r[1] == "xor_proof")[:4]
    nb = graded.course.root / "grading" / "autograded" / "earlier" / AID / f"{AID}.ipynb"
    assert nb.stat().st_mtime == graded.earlier_mtime, "earlier was regraded"
    con = sqlite3.connect(graded.course.root / "grading" / "gradebook.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    in_book = {r[0] for r in graded.rows_after_first}
    assert in_book == {"earlier"} | {s for s, e in graded.expect.items() if e.graded}
    assert graded.solutions_after == graded.solutions_before, "solutions/ changed"


@pytest.mark.slow
def test_hand_ins_are_left_as_they_were(graded):
    """Grading reads hand-ins and never changes them (nor what their links point at: other
    students' notebooks, the solutions, the gradebook's file is checked above)."""
    assert graded.submitted_after == graded.submitted_before


@pytest.mark.slow
def test_hostile_hand_ins_cost_bounded_time(graded):
    """A 200 MB notebook, a 1 GiB sparse file, 8,000 and 20,000 small files and link loops
    cost about what an honest hand-in costs (the caps: nbgrader sees at most --max-files),
    measured against the honest students of the same run, not as absolute time."""
    honest = max(graded.status[s]["seconds"] for s in ("good_a", "good_b", "extra_cells"))
    for student in ("huge_notebook", "sparse_file", "files_8000", "files_20000", "link_loop",
                    "data_links"):
        took = graded.status[student]["seconds"]
        assert took < max(60.0, 5 * honest), f"{student} took {took} s (honest: {honest} s)"


@pytest.mark.slow
def test_second_run_skips_graded_students_and_changes_nothing(graded):
    ungraded = [s for s, e in graded.expect.items() if not e.graded]
    done = len(graded.expect) + 1 - len(ungraded)
    # Only the hand-ins that could not be graded are looked at again (they may have been fixed).
    assert f"{done} already graded (skipped; --force regrades), {len(ungraded)} to grade" in \
        graded.second.stderr, graded.second.stderr[-2000:]
    assert graded.second.returncode == 1  # the same students still need the instructor
    assert gradebook_rows(graded.course) == graded.rows_after_first


@pytest.fixture(scope="module")
def feedback(graded) -> subprocess.CompletedProcess:
    """``python -m tools.grader feedback`` run once on the graded class (the feedback tests
    read the pages it wrote)."""
    proc = grade_cmd(graded.course, "feedback", AID, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.mark.slow
def test_feedback_shows_no_hidden_tests_but_the_visible_messages(graded, feedback):
    hidden = hidden_test_lines(graded.course.solution)
    for student, expect in graded.expect.items():
        if not expect.graded:
            continue
        text = html_text(without_course_mathjax(graded.course.feedback_html(student)))
        shown = lines_found_in(text, hidden)
        assert not shown, f"feedback of {student} shows hidden-test lines: {sorted(shown)[:5]}"
        for leak in expect.leaks:  # what links in the hand-in pointed at
            assert leak not in text, f"feedback of {student} shows {leak!r}"
    wrong = html_text(graded.course.feedback_html("patch_helpers"))
    assert "values differ" in wrong and "Hint:" in wrong


def without_course_mathjax(page: str) -> str:
    """A feedback page without the copy of MathJax every page carries (2.3 MB of the course's
    own script, tools/grader/offline_mathjax.py, the same in every page: no student wrote any
    of it, and decoding its every base64-like run took most of the time of the test below)."""
    from tools.grader import offline_mathjax

    script = offline_mathjax.mathjax_script()
    assert page.count(script) == 1, "the feedback page does not carry the course's MathJax once"
    return page.replace(script, "")


def decoded_texts(text: str) -> list[str]:
    """``text`` and what hides in it: HTML entities decoded, every base64 run decoded (and the
    text chunks of any PNG image in it)."""
    import base64
    import html as html_module
    import re
    import zlib

    found = [text, html_module.unescape(text), html_module.unescape(html_module.unescape(text))]
    for run in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text.replace("\\n", "")):
        try:
            raw = base64.b64decode(run + "=" * (-len(run) % 4))
        except ValueError:
            continue
        found.append(raw.decode("utf-8", "replace"))
        found.append(html_module.unescape(raw.decode("utf-8", "replace")))
        if raw.startswith(b"\x89PNG"):
            pos = 8
            while pos + 8 <= len(raw):
                size, kind = int.from_bytes(raw[pos:pos + 4], "big"), raw[pos + 4:pos + 8]
                data = raw[pos + 8:pos + 8 + size]
                if kind == b"tEXt":
                    found.append(data.decode("latin-1"))
                elif kind == b"zTXt":
                    found.append(zlib.decompress(data.split(b"\0", 1)[1][1:]).decode("latin-1"))
                elif kind == b"iTXt":
                    found.append(data.decode("utf-8", "replace"))
                pos += 12 + size
    return found


@pytest.mark.slow
def test_no_hidden_test_line_in_any_encoding_of_feedback_or_autograded(graded, feedback):
    """Kind 3: hooks that print every cell's source base64-encoded, as HTML entities or in a
    PNG's text chunk find no test source to print: test cells never run in the kernel. Checked
    in every student's feedback page and autograded notebook, decoded."""
    hidden = hidden_test_lines(graded.course.solution)
    leak = graded.course.autograded("leak_hooks")
    assert any("image/png" in o.get("data", {}) for c in leak.cells for o in c.get("outputs", [])
               ), "the leak_hooks case printed no image: the hostile case did not run"
    for student, expect in graded.expect.items():
        if not expect.graded:
            continue
        page = without_course_mathjax(graded.course.feedback_html(student))
        # The autograded notebook (the instructor's copy) keeps the hidden tests in the test
        # cells' source, as nbgrader does; what the student's code printed is in the outputs.
        outputs = json.dumps([c.get("outputs", []) for c in graded.course.autograded(
            student).cells])
        for where, text in (("feedback", page), ("autograded outputs", outputs)):
            for decoded in decoded_texts(text):
                shown = lines_found_in(decoded, hidden)
                assert not shown, f"{where} of {student} shows hidden lines: {sorted(shown)[:3]}"


@pytest.mark.slow
def test_report_csv_and_html(graded):
    proc = grade_cmd(graded.course, "report", AID, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = graded.course.root / "grading" / "reports"
    rows = list(csv.DictReader((reports / f"{AID}.csv").open(encoding="utf-8")))
    assert {r["student"] for r in rows} == set(graded.expect) | {"earlier"}
    by = {r["student"]: r for r in rows}
    assert by["good_a"]["step_test"] == "2" and by["patch_helpers"]["step_test"] == "0"
    assert by["invalid_json"]["status"] == "invalid notebook"
    page = (reports / f"{AID}.html").read_text(encoding="utf-8")
    for part in TESTS + ["xor_proof"]:
        assert part in page
    assert "step([-2, -0.5, 0.5, 3]): values differ" in page


@pytest.mark.slow
def test_no_sandbox_process_outlives_the_command(graded):
    """Every worker's zygote and kernel ends with the command (by the time the fixture's three
    runs have returned)."""
    left = _mentioning(str(graded.tmp))  # bwrap, zygotes, kernel clients name their folder
    assert not left, f"processes of the grading sandbox still running: {left}"
    assert not list(graded.tmp.iterdir()), "a run left its temporary folder"


# ------------------------------------------------------------------------------ a killed run


def _descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process below ``pid`` now."""
    from tools.grader import sandbox as sb

    tree = sb._process_tree()
    return {(p, str(sb._start_time(p))) for p in sb._descendants(tree, pid)}


def _still_running(procs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    from tools.grader import sandbox as sb

    return {(p, start) for p, start in procs if str(sb._start_time(p)) == start}


def _mentioning(text: str) -> list[str]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if text.encode() in cmd:
                found.append(cmd[:160].decode(errors="replace"))
    return found


@dataclass
class Killed:
    """One run of ``autograde`` killed mid-run, and what the run after it found and did."""

    signal_name: str
    students: list[str]  # every student handed in
    below: set[tuple[int, str]]  # processes below the command when it was killed
    still_running: set[tuple[int, str]]  # of them, still running a few seconds later
    mentioning: list[str]  # processes then still naming the run's temporary folder
    cgroup_procs: dict[str, list[str]]  # the run's memory cgroups -> processes left in them
    left_dirs: list[Path]  # the temporary folders it left
    saved: set[str]  # students saved when it was killed (graded or not)
    rows_at_kill: list[tuple]  # the gradebook then
    owner: str  # sandbox.owner_id of the run (names its memory cgroups)
    where: object  # where memory cgroups are made (sandbox._cgroup_parent)
    next_log: str = ""  # stderr of the run after it
    next_cgroups: list[str] = field(default_factory=list)  # its cgroups after the next run
    rows_after_all: list[tuple] = field(default_factory=list)  # the gradebook at the end


# Killed in this order, each run the next one after the killed one before it (SIGTERM: the
# command's own clean-up code may run; SIGKILL: none of it runs).
KILL_ORDER = [("SIGTERM", 15), ("SIGKILL", 9)]


def _killed_runs(course: Course, tmp: Path, students: list[str]) -> dict[str, Killed]:
    """Start the class run (``autograde`` with the corpus's limits), kill it with SIGTERM as
    soon as it has saved a student and is grading the next; start it again, kill that run with
    SIGKILL as soon as it has saved another student. The caller runs it to the end and fills
    in the last run's ``next_log`` and ``next_cgroups``."""
    from tools.grader import run
    from tools.grader import sandbox as sb

    env = dict(os.environ, TMPDIR=str(tmp))
    status_file = course.root / "grading" / "status" / f"{AID}.json"
    where = sb._cgroup_parent()
    kills: dict[str, Killed] = {}
    previous: Killed | None = None
    for name, signum in KILL_ORDER:
        saved_before = set(json.loads(status_file.read_text())) if status_file.exists() else set()
        proc = subprocess.Popen([sys.executable, "-m", "tools.grader", "--course",
                                 str(course.root), "autograde", AID, "--jobs", "2",
                                 *COMMAND_LIMITS], cwd=REPO,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            below, owner = _kill_when_busy(proc, status_file, saved_before, signum)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
        log = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if previous is not None:  # this run was the next one after it
            previous.next_log = log
            previous.next_cgroups = _cgroups(where, previous.owner)
        for _ in range(100):  # "within a few seconds"
            if not _still_running(below) and not _mentioning(str(tmp)):
                break
            time.sleep(0.1)
        groups = {group: (where[0] / group / "cgroup.procs").read_text().split()
                  for group in _cgroups(where, owner)}
        left = [p for p in tmp.iterdir() if p.name.startswith(run.RUN_PREFIX)
                and (previous is None or p not in previous.left_dirs)]
        killed = Killed(name, students, below, _still_running(below), _mentioning(str(tmp)),
                        groups, left, set(json.loads(status_file.read_text())),
                        gradebook_rows(course), owner, where)
        kills[name] = previous = killed
    return kills


def _cgroups(where, owner: str) -> list[str]:
    """The memory cgroups of the grading run ``owner`` (none where none can be made)."""
    from tools.grader import sandbox as sb

    if isinstance(where, str):
        return []
    return sorted(g.name for g in where[0].glob(f"{sb.CGROUP_PREFIX}{owner}-*"))


def _kill_when_busy(proc: subprocess.Popen, status_file: Path, saved_before: set[str],
                    signum: int) -> tuple[set[tuple[int, str]], str]:
    """Send ``signum`` to the command once it has saved a student of its own and one of its
    kernels is running; return the processes below it at that moment and its owner id."""
    from tools.grader import sandbox as sb

    deadline = time.monotonic() + 600
    while True:
        assert proc.poll() is None, "the run ended before it was killed:\n" + \
            proc.stderr.read().decode(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "no student was graded in 10 minutes"
        try:
            saved = set(json.loads(status_file.read_text())) if status_file.exists() else set()
        except ValueError:  # being written
            saved = set()
        if saved - saved_before:
            below = _descendants(proc.pid)
            # the process that stands for a student's kernel (tools/grader/zygote.py client
            # or cold): a kernel is running
            if any(b"\0client\0" in sb._cmdline(pid) or b"\0cold\0" in sb._cmdline(pid)
                   for pid, _ in below):
                owner = sb.owner_id(proc.pid)
                os.kill(proc.pid, signum)
                return below, owner
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", [name for name, _ in KILL_ORDER])
def test_a_killed_run_leaves_no_process_and_the_next_run_cleans_up(graded, signal_name):
    """Kill ``autograde`` mid-run (SIGKILL: no clean-up code of its own runs): within a few
    seconds no process it started is left (workers, bwrap, zygotes, kernel clients, kernels:
    each is tied to the one above it), and the next run removes the temporary folder and
    memory cgroups the killed run left, grades every student not saved yet, exactly once, and
    leaves the gradebook intact. (The class run of the corpus is killed with SIGTERM first;
    the run after it is the one killed with SIGKILL, and a last run grades the rest.)"""
    killed = graded.kills[signal_name]
    assert killed.below, "the command had no worker processes"
    assert not killed.still_running, f"left running after {signal_name}: {killed.mentioning[:5]}"
    assert not killed.mentioning, killed.mentioning
    for group, procs in killed.cgroup_procs.items():
        assert not procs, f"processes left in {group}: {procs}"
    assert killed.left_dirs, "the killed run left no temporary folder (was it killed mid-run?)"
    # the next run
    for folder in killed.left_dirs:
        assert f"removed {folder}" in killed.next_log, killed.next_log[-2000:]
        assert not folder.exists()
    assert not killed.next_cgroups, killed.next_cgroups
    # saved and in the gradebook: graded (hand-ins that could not be graded are saved with
    # their status, and looked at again by every run)
    done = killed.saved & {r[0] for r in killed.rows_at_kill}
    assert f"{len(done)} already graded (skipped; --force regrades), " \
           f"{len(killed.students) - len(done)} to grade" in killed.next_log, \
        killed.next_log[-2000:]
    assert {r for r in killed.rows_after_all if r[0] in done} == {
        r for r in killed.rows_at_kill if r[0] in done}, "a student saved before the kill changed"


@pytest.mark.slow
def test_after_killed_runs_every_student_is_graded_once(graded):
    from tools.grader import run

    course = graded.course
    students = {"earlier"} | {s for s, e in graded.expect.items() if e.graded}
    assert course.graded_students() == students
    con = sqlite3.connect(course.root / "grading" / "gradebook.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        subs = con.execute("SELECT student.id, COUNT(*) FROM submitted_assignment JOIN student "
                           "ON submitted_assignment.student_id = student.id GROUP BY 1"
                           ).fetchall()
    finally:
        con.close()
    assert sorted(subs) == [(s, 1) for s in sorted(students)], subs
    assert not [p for p in graded.tmp.iterdir() if p.name.startswith(run.RUN_PREFIX)]


# ------------------------------------------------------------------------------ CPU time


CPU_BURN = """\
def step(z):
    while True:
        pass
"""

CPU_BURN_IGNORING_SIGXCPU = """\
import signal
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
def step(z):
    while True:
        pass
"""


@pytest.mark.slow
@pytest.mark.parametrize("kernels", ["warm", "cold"])
def test_cpu_limit_is_reported_as_a_cpu_limit(tmp_path_factory, kernels):
    """A kernel that uses up --cpu-seconds is stopped by the kernel (SIGXCPU, or SIGKILL 5 s
    later when it ignores SIGXCPU) and reported as a CPU limit, from how the kernel ended as
    seen outside the sandbox (not as "kernel died"); that part scores 0, the rest is graded."""
    course = sandboxed_course(tmp_path_factory, f"cpu-{kernels}")
    good = solved(course.release, course.solution)
    course.submit("honest", good)
    for student, code in (("burner", CPU_BURN), ("stubborn", CPU_BURN_IGNORING_SIGXCPU)):
        nb = nbformat.from_dict(json.loads(json.dumps(good)))
        cell_by_id(nb, "step").source = code
        course.submit(student, nb)
    # a cell timeout far beyond the CPU time: the limit, not the timeout, must stop the loops
    proc = grade_cmd(course, "autograde", AID, "--jobs", "2", "--cpu-seconds", "3",
                     "--timeout", "60",
                     *(["--cold-kernels"] if kernels == "cold" else []))
    assert "3 CPU seconds" in proc.stderr, proc.stderr[-2000:]
    status = json.loads((course.root / "grading" / "status" / f"{AID}.json").read_text())
    assert status["honest"]["status"] == "ok" and status["honest"]["score"] == 19, status
    for student, signal_name in (("burner", "SIGXCPU"), ("stubborn", "SIGKILL")):
        st = status[student]
        assert st["parts"]["step_test"] == 0 and st["score"] == 17, st
        if kernels == "cold" and student == "stubborn":
            # Not held: outside bwrap the client sees a SIGKILL but not the CPU time the
            # kernel used (bwrap does not pass it on), so this is reported as "kernel died".
            assert st["status"] == "kernel died" and not st["limits"], st
            continue
        assert st["status"] == "cpu limit", st
        assert [(e["kind"], e["signal"]) for e in st["limits"]] == [("cpu limit", signal_name)]
        if kernels == "warm":  # the kernel's CPU time, as its init reaped it
            assert st["limits"][0]["cpu_seconds"] >= 2.5, st["limits"]
