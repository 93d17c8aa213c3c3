"""``python -m tools.grader`` and stock nbgrader give every hand-in the same per-part scores.

``tools.grader`` runs the test cells in a trusted interpreter and reaches the student's functions
through proxies that carry plain data; stock ``nbgrader autograde`` runs them in the student's
kernel. For each exercise set of the book with a ``tests/mistakes/<id>.py`` file, the same
hand-ins that tests/test_grading_roundtrip.py grades with stock nbgrader (the instructor's
solution, the blank release, and the packed hand-ins that hold every mistake of ``MISTAKES`` and
every correct answer of ``CORRECT_VARIANTS``, mistakes and variants of different cells side by
side in one hand-in: the same packs, from tests/mistake_packs.py) are graded here with
``tools.grader`` in one run, and held to the same expectations: the solution full marks, the
blank release zero, in each pack every part in a member mistake's ``loses`` at 0 and every
other part (those of the variants included) at full points; a failure names the pack, the member
each wrong part belongs to, and who shares the hand-in. The round
trip holds stock nbgrader to those same per-part scores, and checks (by tracing every pack) that
each test cell of a pack depends on at most one member, so the two graders agree part by part on
every mistake and variant (a mistake caught only by a warning, a test that swaps in the book's
functions, a locked helper that calls the student's code, an in-place change of an argument are
judged alike on both sides of the boundary), without grading everything twice here.
``GRADE_MISTAKES_ALONE=1`` hands in each mistake and variant alone (to debug one).

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
)
from mistake_packs import Pack, describe, expected_scores, packed_notebook, packs, suspects

# The xdist group of the grading tests, one work unit per exercise set (as in the round trip).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]
XDIST_UNIT_PER_SET = True

CELL_TIMEOUT = 10  # seconds, appended to each course's nbgrader_config.py
LIMIT = 1800  # seconds for one grading run
SETS = sets_with_mistakes(REPO)


@dataclass
class Both:
    trusted: Course
    tests: dict[str, float]
    students: list[str]
    names: dict[str, str]  # student -> what the hand-in is
    mistakes: list[dict]  # the set's MISTAKES and CORRECT_VARIANTS, for messages
    variants: list[dict]
    packs: dict[str, Pack]  # pack's student -> its Pack
    expected: dict[str, dict[str, float]]  # student -> test cell -> its score
    log: str
    scores: dict[str, dict]  # Course.all_scores(), read once after the grading run


def _handins(course: Course, aid: str, tests: dict[str, float], mistakes: list[dict],
             variants: list[dict]
             ) -> tuple[dict, dict[str, str], dict[str, dict[str, float]], dict[str, Pack]]:
    release, solution = course.release, course.solution
    good = solved(release, solution)
    handins = {"solution": good, "untouched": release}
    names = {"solution": "the solution", "untouched": "the blank release"}
    expected = {"solution": dict(tests), "untouched": {t: 0.0 for t in tests}}
    found = {}
    for pack in packs(mistakes, variants):
        handins[pack.student] = packed_notebook(good, pack, mistakes, variants)
        names[pack.student] = describe(pack, mistakes, variants, aid,
                                       "tests/test_grading_agreement.py")
        expected[pack.student] = expected_scores(pack, mistakes, variants, tests)
        found[pack.student] = pack
    return handins, names, expected, found


def _grade_both(folder, aid: str) -> Both:
    require_sandbox(61000 if os.getuid() == 0 else None)
    config = f"c.Execute.timeout = {CELL_TIMEOUT}\n"
    trusted = Course.create(folder / "trusted", REPO / "solutions" / aid, aid,
                            extra_config=config)
    tests = autograded_tests(trusted.release)
    path = mistakes_file(REPO, aid)
    mistakes, variants = load_mistakes(path), load_variants(path)
    handins, names, expected, found = _handins(trusted, aid, tests, mistakes, variants)
    for student, nb in handins.items():  # tools.grader adds the students to the gradebook
        trusted.submit(student, nb)
    # One job: each job is a worker process with its own nbgrader and its own warm sandboxed
    # kernel to fork from, set up once; in a test run that keeps both cores busy, a second one
    # only adds that set-up (grading in parallel is tested in tests/test_grade_command.py).
    graded = subprocess.run([sys.executable, "-m", "tools.grader", "--course", str(trusted.root),
                             "autograde", aid, "--jobs", "1"], cwd=REPO, capture_output=True,
                            text=True, timeout=LIMIT)
    log = graded.stdout + graded.stderr
    return Both(trusted, tests, list(handins), names, mistakes, variants, found, expected, log,
                trusted.all_scores())


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


def _scores(b: Both, student: str) -> dict[str, float | None]:
    assert student in b.scores, (f"tools.grader left no graded notebook of {student} in the "
                                 f"gradebook; its log:\n{b.log[-3000:]}")
    return {t: b.scores[student][t][0] for t in b.tests}


@pytest.mark.parametrize("aid", SETS)
def test_solution_full_marks_and_blank_release_zero_under_trusted_grader(both, aid):
    b = both(aid)
    got = _scores(b, "solution")
    assert got == b.tests, (f"the solution lost points under tools.grader: {got}\n"
                            f"{_errors(b.trusted, 'solution', b.tests)}\n{b.log[-3000:]}")
    blank = _scores(b, "untouched")
    assert all(v == 0 for v in blank.values()), f"the blank release scored {blank}"


@pytest.mark.parametrize("aid", SETS)
def test_under_tools_grade_each_mistake_loses_exactly_its_parts_as_under_stock_nbgrader(
        both, aid):
    b = both(aid)
    wrong = []
    for student in b.students:
        if student == "untouched":
            continue
        expected = b.expected[student]
        got = _scores(b, student)
        if got != expected:
            cells = {t for t in b.tests if got[t] != expected[t]}
            blame = []
            if student in b.packs:
                blame = ["  the member each wrong cell belongs to:",
                         *suspects(b.packs[student], b.mistakes, b.variants, cells)]
            wrong.append("\n".join([
                f"tools.grader: {student}: {b.names[student]}\n  expected {expected} "
                f"(as stock nbgrader scores it in the round trip)\n  got      {got}",
                _errors(b.trusted, student, cells), *blame]))
    assert not wrong, "\n".join(wrong)
