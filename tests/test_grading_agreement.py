"""``python -m tools.grader`` and stock nbgrader give every hand-in the same per-part scores.

``tools.grader`` runs the test cells in a trusted interpreter and reaches the student's functions
through proxies that carry plain data; stock ``nbgrader autograde`` runs them in the student's
kernel. For each exercise set of the book with a ``tests/mistakes/<id>.py`` file, the same
hand-ins that tests/test_grading_roundtrip.py grades with stock nbgrader (the instructor's
solution, the blank release, every mistake of ``MISTAKES``, every correct answer of
``CORRECT_VARIANTS``) are graded here with ``tools.grader`` in one run, and held to the same
expectations: the solution full marks, the blank release zero, each mistake exactly the parts in
its ``loses`` at 0 and every other part at full points, each variant full marks. The round trip
holds stock nbgrader to those same per-part scores, so the two graders agree part by part on every
hand-in (a mistake caught only by a warning, a test that swaps in the book's functions, a locked
helper that calls the student's code, an in-place change of an argument are judged alike on both
sides of the boundary), without grading everything twice here.

Run: ``.venv/bin/pytest tests/test_grading_agreement.py -k ch03 -q`` (slow: a class run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from conftest import require_sandbox
from grading_course import (
    REPO,
    Course,
    autograded_tests,
    cell_by_id,
    load_mistakes,
    load_variants,
    mistakes_file,
    sets_with_mistakes,
    solved,
    with_cell,
)

# One xdist group with the other grading runs: they never compete with each other for the cores.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]

CELL_TIMEOUT = 10  # seconds, appended to each course's nbgrader_config.py
LIMIT = 1800  # seconds for one grading run
SETS = sets_with_mistakes(REPO)


@dataclass
class Both:
    trusted: Course
    tests: dict[str, float]
    students: list[str]
    names: dict[str, str]  # student -> what the hand-in is
    log: str


def _handins(course: Course, aid: str) -> tuple[dict, dict[str, str]]:
    release, solution = course.release, course.solution
    good = solved(release, solution)
    handins = {"solution": good, "untouched": release}
    names = {"solution": "the solution", "untouched": "the blank release"}
    path = mistakes_file(REPO, aid)
    for i, m in enumerate(load_mistakes(path)):
        handins[f"mistake{i:02d}"] = with_cell(good, m["cell"], m["code"])
        names[f"mistake{i:02d}"] = f"mistake {m['name']!r}"
    for i, v in enumerate(load_variants(path)):
        handins[f"variant{i:02d}"] = with_cell(good, v["cell"], v["code"])
        names[f"variant{i:02d}"] = f"correct variant {v['name']!r}"
    return handins, names


def _grade_both(folder, aid: str) -> Both:
    require_sandbox(61000 if os.getuid() == 0 else None)
    config = f"c.Execute.timeout = {CELL_TIMEOUT}\n"
    trusted = Course.create(folder / "trusted", REPO / "solutions" / aid, aid,
                            extra_config=config)
    handins, names = _handins(trusted, aid)
    for student, nb in handins.items():
        trusted.submit(student, nb)
    trusted.add_students(list(handins))
    graded = subprocess.run([sys.executable, "-m", "tools.grader", "--course", str(trusted.root),
                             "autograde", aid, "--jobs", "2"], cwd=REPO, capture_output=True,
                            text=True, timeout=LIMIT)
    log = graded.stdout + graded.stderr
    return Both(trusted, autograded_tests(trusted.release), list(handins), names, log)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    cache: dict[str, Both] = {}

    def get(aid: str) -> Both:
        if aid not in cache:
            cache[aid] = _grade_both(tmp_path_factory.mktemp(f"agree-{aid}"), aid)
        return cache[aid]

    return get


def _errors(course: Course, student: str, cells) -> str:
    try:
        nb = course.autograded(student)
    except FileNotFoundError:
        return "  (no autograded notebook)"
    lines = []
    for gid in sorted(cells):
        errors = [f"{o.ename}: {o.evalue}"[:400] for o in cell_by_id(nb, gid).get("outputs", [])
                  if o.output_type == "error"]
        lines.append(f"    {gid}: {' | '.join(errors) or 'no error'}")
    return "\n".join(lines)


def _scores(course: Course, student: str, tests) -> dict[str, float | None]:
    scores = course.scores(student)
    return {t: scores[t][0] for t in tests}


@pytest.mark.parametrize("aid", SETS)
def test_solution_full_marks_and_blank_release_zero_under_trusted_grader(both, aid):
    b = both(aid)
    got = _scores(b.trusted, "solution", b.tests)
    assert got == b.tests, (f"the solution lost points under tools.grader: {got}\n"
                            f"{_errors(b.trusted, 'solution', b.tests)}\n{b.log[-3000:]}")
    blank = _scores(b.trusted, "untouched", b.tests)
    assert all(v == 0 for v in blank.values()), f"the blank release scored {blank}"


@pytest.mark.parametrize("aid", SETS)
def test_under_tools_grade_each_mistake_loses_exactly_its_parts_as_under_stock_nbgrader(
        both, aid):
    b = both(aid)
    mistakes = load_mistakes(mistakes_file(REPO, aid))
    wrong = []
    for student in b.students:
        if student.startswith("mistake"):
            loses = set(mistakes[int(student[len("mistake"):])]["loses"])
        elif student.startswith("variant") or student == "solution":
            loses = set()
        else:
            continue
        expected = {t: 0.0 if t in loses else points for t, points in b.tests.items()}
        got = _scores(b.trusted, student, b.tests)
        if got != expected:
            cells = {t for t in b.tests if got[t] != expected[t]}
            wrong.append(f"tools.grader: {student} ({b.names[student]}) expected {expected} (as "
                         f"stock nbgrader scores it in the round trip)\n  got {got}\n"
                         f"{_errors(b.trusted, student, cells)}")
    assert not wrong, "\n".join(wrong)
