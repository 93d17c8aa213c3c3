"""Grading round trip through the real nbgrader CLI, for every exercise set with a mistakes file.

For each exercise set ``<id>`` that has ``tests/mistakes/<id>.py`` (plus the test fixture set in
tests/fixtures/, which checks the harness itself, including a mistake in a written answer), a
temporary course folder gets a copy of ``nbgrader_config.py`` (with a 10 s cell timeout
appended) and of ``solutions/<id>/``; its release is generated with ``nbgrader
generate_assignment``; these students hand in, in ``grading/submitted/<student>/<id>/``:

- ``packNN``: the solution with several cells replaced, all different, each by a typical
  mistake of MISTAKES or by a correct answer written in another style (CORRECT_VARIANTS: loops
  instead of vectorised code, lists, numpy scalars...) (tests/mistake_packs.py says how they are
  packed and why a pack gives each member exactly the score it gets alone;
  ``test_packed_hand_ins_are_independent`` checks that condition on every pack); each mistake and
  each variant is in exactly one pack;
- ``tests_edited``: the release with every test cell replaced by ``pass``;
- ``tests_deleted``: the solution (the release with every solution cell filled with the
  instructor's solution) with every test cell deleted;
- ``broken_json``: a file that is not JSON.

The instructor's solution and the untouched release are graded as two of these: nbgrader puts
back every test cell of ``tests_deleted`` and ``tests_edited`` from its gradebook entry before
it runs anything, so what it runs for them is, cell for cell, what it would run for the solution
and for the untouched release handed in as they are (the tests check that it is, then hold those
two hand-ins to the solution's full marks and the blank release's zero). Handing them in again
would cost two kernels per set for the same cells.

Each mistake and variant is graded this way, each test cell of its pack held to an exact score
(0 in a member mistake's ``loses``, full points elsewhere, so a variant's parts keep full marks)
and each ``says`` hint looked for in its own cells; a failure names the pack, its members and the
member each wrong test cell belongs to. Set ``GRADE_MISTAKES_ALONE=1`` to hand each one in alone
(to debug one).

The cases that test how nbgrader treats a hostile hand-in run on every set where they depend on
the set: the untouched release (its cells), edited and deleted tests (nbgrader restores each test
cell of THIS set from its gradebook entry, by grade id and checksum, so every set's metadata is
checked) and broken JSON (costs no kernel). Three cases test nbgrader's own handling, which
does not depend on the set's content, and run only on HARNESS_SETS (the quick tier's fixture set
and chapter 1, whose tests swap in the book's functions):

- ``mistake_tests_edited``: a mistake whose failing test cells were replaced by ``pass``;
- ``mistake_tests_deleted``: a mistake whose failing test cells were deleted;
- ``infinite_loop``: the solution with an endless loop in one part's function (it waits out
  the 10 s cell timeout; nbgrader interrupts the kernel and goes on with the next cells). The
  loop sleeps, so that waiting costs the machine no CPU (the time limit is on the clock).

All are graded by ONE ``nbgrader autograde`` run (which adds the students to the gradebook
itself: ``Autograde.create_student``) and given feedback by ``nbgrader generate_feedback``; the
tests read the per-cell scores from the gradebook with nbgrader's Gradebook API.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from grading_course import (
    FIXTURES,
    REPO,
    Course,
    autograded_tests,
    cell_by_id,
    grade_id,
    graded_students,
    hidden_test_lines,
    html_text,
    lines_found_in,
    load_mistakes,
    load_variants,
    looping_version,
    mistakes_file,
    sets_with_mistakes,
    solved,
    strip_markers,
    with_cell,
    without_cells,
)
from mistake_packs import (
    Pack,
    dependency_problems,
    describe,
    expected_scores,
    pack_of,
    packed_notebook,
    packing_problems,
    packs,
    suspects,
    trace,
    traced_cells,
)

# The xdist group of the grading tests; each exercise set's tests are a work unit of their own
# (tests/conftest.py, work_unit), so the sets are graded on both workers at once: one autograde
# run per worker, whose cells need a second or two of their 10 s limit.
pytestmark = pytest.mark.xdist_group("grading")
XDIST_UNIT_PER_SET = True
CELL_TIMEOUT = 10  # seconds, appended to the course's nbgrader_config.py
AUTOGRADE_LIMIT = 1800  # seconds: the autograde run is killed (and the tests fail) after this

# The sets that also get the hand-ins testing nbgrader's own handling (module docstring).
HARNESS_SETS = ("fx_scale", "ch01_perceptron")
TEST_FILE = "tests/test_grading_roundtrip.py"

SETS = [(REPO, aid) for aid in sets_with_mistakes(REPO)] + \
       [(FIXTURES, aid) for aid in sets_with_mistakes(FIXTURES)]
# The chapters' sets are slow (their own autograde run each); the small fixture set is the quick
# tier's one grading round trip (pytest -m "not slow").
SET_PARAMS = [pytest.param(root, aid, id=aid, marks=[pytest.mark.slow] if root == REPO else [])
              for root, aid in SETS]
HARNESS_PARAMS = [p for p in SET_PARAMS if p.values[1] in HARNESS_SETS]


def _mistake_params():
    params = []
    for root, aid in SETS:
        try:
            mistakes = load_mistakes(mistakes_file(root, aid))
        except Exception:  # reported by test_mistakes_file_is_well_formed
            continue
        for i, m in enumerate(mistakes):
            slug = re.sub(r"[^A-Za-z0-9]+", "_", m["name"]).strip("_")[:60]
            params.append(pytest.param(root, aid, i, id=f"{aid}-{i:02d}-{slug}",
                                       marks=[pytest.mark.slow] if root == REPO else []))
    return params


def _variant_params():
    params = []
    for root, aid in SETS:
        try:
            variants = load_variants(mistakes_file(root, aid))
        except Exception:  # reported by test_mistakes_file_is_well_formed
            continue
        for i, v in enumerate(variants):
            slug = re.sub(r"[^A-Za-z0-9]+", "_", v["name"]).strip("_")[:60]
            params.append(pytest.param(root, aid, i, id=f"{aid}-variant{i:02d}-{slug}"))
    return params


@dataclass
class Graded:
    course: Course
    mistakes: list[dict]
    variants: list[dict]
    tests: dict[str, float]  # auto-graded test cell -> points
    packs: list[Pack]  # the hand-ins of the mistakes and variants (tests/mistake_packs.py)
    students: list[str]
    autograde_log: str
    autograde_returncode: int
    autograde_seconds: float
    feedback_returncode: int
    feedback_log: str
    edited_mistake: int | None  # index of the mistake submitted with edited/deleted tests
    loop_part: str | None  # solution cell submitted with an infinite loop
    # what nbgrader must run for the solution and the untouched release (STANDS_FOR)
    runs: dict[str, list[tuple[str, str]]]
    scores: dict[str, dict]  # Course.all_scores(), read once after the grading run

    def pack_of(self, kind: str, index: int) -> Pack:
        return pack_of(self.packs, kind, index)

    def graded_students(self) -> set[str]:
        """Students with an autograded notebook in the gradebook, from the scores read once."""
        return graded_students(self.scores)


# The hand-in that the solution and the untouched release are graded as (module docstring).
STANDS_FOR = {"solution": "tests_deleted", "untouched": "tests_edited"}


def with_instructor_tests(nb, solution, tests: dict[str, float]):
    """``nb`` with each test cell as the gradebook has it (the instructor's, hidden tests too):
    what nbgrader runs for a hand-in whose test cells are the release's."""
    for t in tests:
        nb = with_cell(nb, t, cell_by_id(solution, t).source)
    return nb


def _restored_note(gid: str) -> str:
    """The comment nbgrader puts at the top of a code cell it added back (OverwriteCells)."""
    from nbgrader.preprocessors import OverwriteCells

    note = OverwriteCells.class_traits()["missing_cell_notification"].default_value
    return "# " + note.format(cell_id=gid)


def cells_run(nb) -> list[tuple[str, str]]:
    """What nbgrader runs of a notebook: each cell's type and source, in order (without the
    comment nbgrader puts at the top of a test cell it added back: a comment runs as nothing)."""
    cells = []
    for c in nb.cells:
        source, note = c.source, _restored_note(grade_id(c) or "")
        if c.cell_type == "code" and source.startswith(note):
            source = source[len(note):]
        cells.append((c.cell_type, source))
    return cells


def grade_everything(folder: Path, root: Path, aid: str) -> Graded:
    course = Course.create(folder, root / "solutions" / aid, aid,
                           extra_config=f"c.Execute.timeout = {CELL_TIMEOUT}\n")
    release, solution = course.release, course.solution
    mistakes = load_mistakes(mistakes_file(root, aid))
    variants = load_variants(mistakes_file(root, aid))
    tests = autograded_tests(release)
    good = solved(release, solution)
    submissions = {}
    handins = packs(mistakes, variants)
    for pack in handins:
        submissions[pack.student] = packed_notebook(good, pack, mistakes, variants)
    passed = release
    for t in tests:
        passed = with_cell(passed, t, "pass")
    submissions["tests_edited"] = passed
    submissions["tests_deleted"] = without_cells(good, list(tests))
    harness = aid in HARNESS_SETS
    edited = next((i for i, m in enumerate(mistakes) if m["loses"]), None) if harness else None
    if edited is not None:
        alone = with_cell(good, mistakes[edited]["cell"], mistakes[edited]["code"])
        wrong = alone
        for t in mistakes[edited]["loses"]:
            wrong = with_cell(wrong, t, "pass")
        submissions["mistake_tests_edited"] = wrong
        submissions["mistake_tests_deleted"] = without_cells(
            alone, list(mistakes[edited]["loses"]))
    submissions["broken_json"] = '{"cells": [ this is not JSON'
    loop_part = None
    for cell in solution.cells if harness else []:
        gid = grade_id(cell)
        looping = looping_version(strip_markers(cell.source)) if cell.cell_type == "code" else None
        if cell.metadata.get("nbgrader", {}).get("solution") and looping and f"{gid}_test" in tests:
            submissions["infinite_loop"] = with_cell(good, gid, looping)
            loop_part = gid
            break
    for student, nb in submissions.items():
        course.submit(student, nb)
    runs = {"solution": cells_run(with_instructor_tests(good, solution, tests)),
            "untouched": cells_run(with_instructor_tests(release, solution, tests))}
    start = time.monotonic()
    proc = course.nbgrader("autograde", aid, check=False, timeout=AUTOGRADE_LIMIT)
    seconds = time.monotonic() - start
    feedback = course.nbgrader("generate_feedback", aid, check=False, timeout=AUTOGRADE_LIMIT)
    return Graded(course, mistakes, variants, tests, handins, list(submissions),
                  proc.stdout + proc.stderr,
                  proc.returncode, seconds, feedback.returncode, feedback.stdout + feedback.stderr,
                  edited, loop_part, runs, course.all_scores())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """graded(root, aid): the Graded course of that exercise set, built once per test module."""
    cache: dict[tuple[Path, str], Graded] = {}

    def get(root: Path, aid: str) -> Graded:
        if (root, aid) not in cache:
            cache[root, aid] = grade_everything(tmp_path_factory.mktemp(f"course-{aid}"),
                                                root, aid)
        return cache[root, aid]

    return get


def failure_messages(g: Graded, student: str, cells: set[str]) -> str:
    """The error each of ``cells`` raised in the student's autograded notebook (for messages)."""
    try:
        nb = g.course.autograded(student)
    except FileNotFoundError:
        return "  (no autograded notebook)"
    lines = []
    for gid in sorted(cells):
        try:
            errors = [f"{o.ename}: {o.evalue}"[:600] for o in cell_by_id(nb, gid).get("outputs", [])
                      if o.output_type == "error"]
        except KeyError:
            errors = ["(cell missing)"]
        lines.append(f"  {gid}: {' | '.join(errors) or 'no error'}")
    return "\n".join(lines)


def wrong_scores(g: Graded, student: str, loses: list[str], what: str) -> tuple[set[str], str]:
    """The test cells of the student's hand-in not at their expected score (0 in ``loses``,
    full points elsewhere), and a message that shows them ("" when there are none)."""
    assert student in g.scores, (f"{what}: nbgrader left no graded notebook of {student} in "
                                 f"the gradebook; autograde said:\n{g.autograde_log[-3000:]}")
    got = {t: g.scores[student][t][0] for t in g.tests}
    expected = {t: 0.0 if t in loses else points for t, points in g.tests.items()}
    wrong = {t for t in g.tests if got[t] != expected[t]}
    if not wrong:
        return wrong, ""
    return wrong, (f"{what}: auto-graded scores differ from expected for {sorted(wrong)}\n"
                   f"  expected {expected}\n  got      {got}\n"
                   f"errors in those cells:\n{failure_messages(g, student, wrong)}")


def assert_loses_exactly(g: Graded, student: str, loses: list[str], what: str) -> None:
    wrong, message = wrong_scores(g, student, loses, what)
    assert not wrong, message


# ------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_mistakes_file_is_well_formed(root, aid):
    from tools import exercises

    source = exercises.instructor_notebook(exercises.read_source(exercises.source_md(root, aid)))
    mistakes = load_mistakes(mistakes_file(root, aid))
    solution_cells = {grade_id(c) for c in source.cells
                      if c.metadata.get("nbgrader", {}).get("solution")}
    tests = autograded_tests(source)
    names = [m["name"] for m in mistakes]
    assert len(set(names)) == len(names), f"mistake names repeat: {names}"
    for m in mistakes:
        assert m["cell"] in solution_cells, (
            f"mistake {m['name']!r}: cell {m['cell']!r} is not a solution cell; "
            f"solution cells: {sorted(solution_cells)}")
        unknown = set(m["loses"]) - set(tests)
        assert not unknown, (f"mistake {m['name']!r}: loses {sorted(unknown)}, which are not "
                             f"auto-graded test cells ({sorted(tests)})")
    variants = load_variants(mistakes_file(root, aid))
    names = [v["name"] for v in variants]
    assert len(set(names)) == len(names), f"variant names repeat: {names}"
    for v in variants:
        assert v["cell"] in solution_cells, (
            f"correct variant {v['name']!r}: cell {v['cell']!r} is not a solution cell; "
            f"solution cells: {sorted(solution_cells)}")
    if root == REPO:
        assert variants, (f"{aid}: the mistakes file needs a CORRECT_VARIANTS list of correct "
                          f"answers in other styles, which must keep full marks")
    covered = {t for m in mistakes for t in m["loses"]}
    assert covered == set(tests), (
        f"every auto-graded part needs at least one typical mistake; none for "
        f"{sorted(set(tests) - covered)}")


def assert_graded_as(g: Graded, handin: str) -> str:
    """The student whose autograded notebook is, cell for cell, what nbgrader runs for
    ``handin`` ("solution" or "untouched"; STANDS_FOR): checked here."""
    student = STANDS_FOR[handin]
    got = cells_run(g.course.autograded(student))
    expected = g.runs[handin]
    if got != expected:
        diff = [f"  cell {i}: expected {e!r:.200}\n           got      {r!r:.200}"
                for i, (e, r) in enumerate(zip(expected, got, strict=False)) if e != r]
        raise AssertionError(
            f"the {handin} is graded as the hand-in {student}, whose test cells nbgrader puts "
            f"back; but its autograded notebook differs from what nbgrader runs for the "
            f"{handin} ({len(got)} cells, expected {len(expected)}):\n" + "\n".join(diff[:10]))
    return student


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_solution_gets_full_autograded_marks(graded, root, aid):
    g = graded(root, aid)
    student = assert_graded_as(g, "solution")
    assert_loses_exactly(g, student, [], f"the instructor's solution (graded as {student})")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_untouched_release_gets_zero(graded, root, aid):
    g = graded(root, aid)
    student = assert_graded_as(g, "untouched")
    assert_loses_exactly(g, student, list(g.tests),
                         f"the untouched release (graded as {student})")


def assert_pack_scores(g: Graded, pack: Pack, what: str) -> None:
    """Every test cell of the pack's hand-in at its exact expected score (0 in a member
    mistake's ``loses``, full points elsewhere: a variant's parts keep full marks); the message
    names the member each wrong cell belongs to and who shares the hand-in."""
    loses = [t for t, points in expected_scores(pack, g.mistakes, g.variants, g.tests).items()
             if points == 0 and g.tests[t] != 0]
    wrong, message = wrong_scores(g, pack.student, loses, f"{what} (in hand-in {pack.student})")
    assert not wrong, "\n".join([
        message, "  the member each of those cells belongs to:",
        *suspects(pack, g.mistakes, g.variants, wrong),
        describe(pack, g.mistakes, g.variants, g.course.aid, TEST_FILE)])


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_packs_follow_the_packing_rules(root, aid):
    """Each mistake and variant is in one pack, whose members replace different cells and lose
    different test cells (the static rules of tests/mistake_packs.py)."""
    mistakes = load_mistakes(mistakes_file(root, aid))
    variants = load_variants(mistakes_file(root, aid))
    found = packs(mistakes, variants)
    problems = packing_problems(found, mistakes, variants)
    assert not problems, "\n".join(problems)
    # The rules must be able to fail: two members of one cell in one pack break them (two
    # mistakes, or a mistake and a variant), and so does a member left out or placed twice.
    first = mistakes[0]["cell"] if mistakes else None
    same_cell = next((i for i, m in enumerate(mistakes[1:], 1) if m["cell"] == first), None)
    variant = next((i for i, v in enumerate(variants) if v["cell"] == first), None)
    if same_cell is not None:
        broken = [Pack("broken", mistakes=[0, same_cell])] + [
            Pack(p.student, [i for i in p.mistakes if i not in (0, same_cell)], list(p.variants))
            for p in found]
        assert any("replace the same cell" in p
                   for p in packing_problems(broken, mistakes, variants))
    if variant is not None:
        broken = [Pack("broken", mistakes=[0], variants=[variant])] + [
            Pack(p.student, [i for i in p.mistakes if i != 0],
                 [i for i in p.variants if i != variant]) for p in found]
        assert any("replace the same cell" in p
                   for p in packing_problems(broken, mistakes, variants))
    if variants:
        twice = [*found, Pack("again", variants=[0])]
        assert any("every variant must be in exactly one pack" in p
                   for p in packing_problems(twice, mistakes, variants))
    if mistakes:
        missing = [Pack(p.student, [i for i in p.mistakes if i != 0], list(p.variants))
                   for p in found]
        assert any("every mistake must be in exactly one pack" in p
                   for p in packing_problems(missing, mistakes, variants))


# Hand-ins whose packing the trace must refuse: (what, cells of a notebook, mistake a, mistake b),
# each cell (id, source, is a test); the members replace cells "a" and "b".
_DEPENDENT = {
    "b calls a's function": [
        ("a", "def f(x):\n    return x + 1\n", False),
        ("b", "def g(x):\n    return f(x) * 2\n", False),
        ("b_test", "assert g(1) == 4\n", True)],
    "b's test reads what a locked cell computed with a's function": [
        ("a", "def f(x):\n    return x + 1\n", False),
        ("table", "TABLE = [f(i) for i in range(3)]\n", False),
        ("b", "def g(x):\n    return 2 * x\n", False),
        ("b_test", "assert g(TABLE[1]) == 4\n", True)],
    "a changes a global list in place": [
        ("data", "DATA = [1, 2]\n", False),
        ("a", "def f(x):\n    return x\nDATA.append(3)\n", False),
        ("b", "def g(x):\n    return sum(x)\n", False),
        ("b_test", "assert g(DATA) == 3\n", True)],
    "a draws from the global random generator": [
        ("imports", "import random\n", False),
        ("a", "def f(x):\n    return x\nrandom.random()\n", False),
        ("b", "def g(x):\n    return x\n", False),
        ("b_test", "assert g(random.random()) < 2\n", True)],
    "b's test reads what a's test bound": [
        ("a", "def f(x):\n    return x + 1\n", False),
        ("a_test", "assert f(1) == 2\nSHARED = 5\n", True),
        ("b", "def g(x):\n    return x\n", False),
        ("b_test", "assert g(SHARED) == 5\n", True)],
    "b's test reads what a's failing test did not get to bind": [
        ("a", "def f(x):\n    return x\n", False),
        ("a_test", "assert f(1) == 2\nSHARED = 5\n", True),
        ("b", "def g(x):\n    return x\n", False),
        ("b_test", "assert g(SHARED) == 5\n", True)],
}
_INDEPENDENT = [
    ("imports", "from nnlib.checks import using_reference\nbook_f = lambda x: x + 1\n", False),
    ("a", "def f(x):\n    return x + 1\n", False),
    ("a_test", "assert f(1) == 2\n", True),
    ("b", "def g(x):\n    return f(x) * 2\n", False),
    ("b_test", "with using_reference(globals(), f=book_f):\n    assert g(1) == 4\n", True)]


def _synthetic(case: str) -> list[tuple[str, str, bool]]:
    return _INDEPENDENT if case == "independent" else _DEPENDENT[case]


@pytest.fixture(scope="module")
def synthetic_reads(tmp_path_factory):
    """The trace of every small notebook below, in one process."""
    notebooks = {case: [{"id": gid, "source": text, "test": test}
                        for gid, text, test in _synthetic(case)]
                 for case in [*_DEPENDENT, "independent"]}
    return trace(notebooks, tmp_path_factory.mktemp("trace"))


@pytest.mark.parametrize("b_kind", ["mistake", "variant"])
@pytest.mark.parametrize("case", [*_DEPENDENT, "independent"])
def test_dependency_trace_refuses_packs_whose_members_interact(case, b_kind, synthetic_reads):
    """The check of test_packed_hand_ins_are_independent can fail: on small notebooks where b's
    test depends on a's cell, the trace reports it, whether b is another mistake or a correct
    variant beside a's mistake; where b's test swaps in a reference for a's function (as
    using_reference does), it reports nothing."""
    source = {gid: text for gid, text, _ in _synthetic(case)}
    # The members keep the cells' code (what is traced is who reads whom, not who is wrong).
    a, b = (dict(name=f"{gid} replaced", cell=gid, code=source[gid], loses=[])
            for gid in ("a", "b"))
    if b_kind == "mistake":
        pack, mistakes, variants = Pack("pack00", mistakes=[0, 1]), [a, b], []
    else:
        del b["loses"]
        pack, mistakes, variants = Pack("pack00", mistakes=[0], variants=[0]), [a], [b]
    reads = synthetic_reads[case]
    problems = dependency_problems(pack, mistakes, variants, reads)
    if case == "independent":
        assert problems == [], f"reads {reads}: {problems}"
        # A mistake must be the cause of its losses: a loss its cell is not read by is refused.
        wrong = [{**a, "loses": ["b_test"]}]
        assert any("reads nothing cell 'a' defines" in p
                   for p in dependency_problems(Pack("pack00", mistakes=[0], variants=[0]),
                                                wrong, [b], reads)), reads
    else:
        assert any("b_test reads what 2 members define" in p and f"{b_kind} " in p
                   for p in problems), f"{case}: the trace read {reads}, problems {problems}"


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_packed_hand_ins_are_independent(graded, root, aid):
    """In every packed hand-in, each test cell reads what at most one member defines, and each
    cell a mistake must lose reads that mistake's cell (tests/mistake_packs.py, the trace)."""
    g = graded(root, aid)
    solution = g.course.solution
    multi = [p for p in g.packs if p.size() > 1]
    notebooks = {p.student: traced_cells(solution, p, g.mistakes, g.variants) for p in multi}
    reads = trace(notebooks, g.course.root) if notebooks else {}
    problems = []
    for pack in multi:
        found = dependency_problems(pack, g.mistakes, g.variants, reads[pack.student])
        if found:
            problems.append(describe(pack, g.mistakes, g.variants, aid, TEST_FILE) + "\n  "
                            + "\n  ".join(found))
    assert not problems, ("packed hand-ins whose members may depend on each other (grade "
                          "them alone, or fix the test so that it uses only its own part):\n"
                          + "\n".join(problems))


@pytest.mark.parametrize("root, aid, index", _mistake_params())
def test_mistake_loses_exactly_its_parts(graded, root, aid, index):
    g = graded(root, aid)
    m = g.mistakes[index]
    pack = g.pack_of("mistake", index)
    assert_pack_scores(g, pack, f"mistake {index} {m['name']!r}")
    if m.get("says"):
        # The message the student sees must point at this mistake.
        shown = failure_messages(g, pack.student, set(m["loses"]))
        assert m["says"] in shown, (
            f"mistake {index} {m['name']!r} (in hand-in {pack.student}): the failure message "
            f"should say {m['says']!r}; it was:\n{shown}\n"
            f"{describe(pack, g.mistakes, g.variants, aid, TEST_FILE)}")


@pytest.mark.slow
@pytest.mark.parametrize("root, aid, index", _variant_params())
def test_correct_variant_keeps_full_marks(graded, root, aid, index):
    g = graded(root, aid)
    v = g.variants[index]
    assert_pack_scores(g, g.pack_of("variant", index), f"correct variant {index} {v['name']!r}")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_edited_test_cells_are_restored_and_rerun(graded, root, aid):
    g = graded(root, aid)
    # Every test replaced by `pass` on an unsolved release: `pass` would score full marks.
    assert_loses_exactly(g, "tests_edited", list(g.tests), "release with tests replaced by pass")
    autograded, solution = g.course.autograded("tests_edited"), g.course.solution
    for t in g.tests:
        assert cell_by_id(autograded, t).source == cell_by_id(solution, t).source, (
            f"test cell {t!r} was not restored to the instructor's version before grading")


@pytest.mark.parametrize("root, aid", HARNESS_PARAMS)
def test_edited_failing_tests_of_a_mistake_still_fail(graded, root, aid):
    g = graded(root, aid)
    m = g.mistakes[g.edited_mistake]
    assert_loses_exactly(g, "mistake_tests_edited", list(m["loses"]),
                         f"mistake {m['name']!r} with its failing tests replaced by pass")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_deleted_test_cells_are_restored(graded, root, aid):
    g = graded(root, aid)
    # Full marks are only possible if the deleted test cells were put back and run.
    assert_loses_exactly(g, "tests_deleted", [], "solution with every test cell deleted")
    present = {grade_id(c) for c in g.course.autograded("tests_deleted").cells}
    assert set(g.tests) <= present, f"not restored: {sorted(set(g.tests) - present)}"


@pytest.mark.parametrize("root, aid", HARNESS_PARAMS)
def test_deleted_failing_tests_of_a_mistake_still_fail(graded, root, aid):
    g = graded(root, aid)
    m = g.mistakes[g.edited_mistake]
    assert_loses_exactly(g, "mistake_tests_deleted", list(m["loses"]),
                         f"mistake {m['name']!r} with its failing tests deleted")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_invalid_json_fails_only_that_student(graded, root, aid):
    g = graded(root, aid)
    assert g.autograde_returncode != 0, "nbgrader autograde should report the broken submission"
    assert "broken_json" in g.autograde_log
    autograded = g.graded_students()
    assert autograded == set(g.students) - {"broken_json"}, (
        f"expected every student but broken_json to be graded; not graded: "
        f"{sorted(set(g.students) - autograded)}; graded: {sorted(autograded)}")


@pytest.mark.parametrize("root, aid", HARNESS_PARAMS)
def test_infinite_loop_times_out_and_loses_only_its_part(graded, root, aid):
    g = graded(root, aid)
    assert g.loop_part is not None, f"{aid} has no solution cell that defines a function to loop in"
    part_test = f"{g.loop_part}_test"
    assert_loses_exactly(g, "infinite_loop", [part_test],
                         f"an endless loop in {g.loop_part!r}")
    cell = cell_by_id(g.course.autograded("infinite_loop"), part_test)
    errors = [o.ename for o in cell.outputs if o.output_type == "error"]
    assert {"CellTimeoutError", "KeyboardInterrupt"} & set(errors), (
        f"{part_test} should have been interrupted after {CELL_TIMEOUT} s; its errors: {errors}")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_feedback_has_no_hidden_test_source(graded, root, aid):
    g = graded(root, aid)
    assert g.feedback_returncode == 0, g.feedback_log[-3000:]
    solution = g.course.solution
    hidden = hidden_test_lines(solution)
    assert hidden, f"{aid} has no hidden tests to look for"
    visible = {line.strip() for t in g.tests
               for line in cell_by_id(g.course.release, t).source.split("\n")} - {""}
    for student in sorted(g.graded_students()):
        text = html_text(g.course.feedback_html(student))
        shown = lines_found_in(text, hidden)
        assert not shown, f"feedback of {student} shows hidden-test lines: {sorted(shown)}"
        assert lines_found_in(text, visible), (
            f"feedback of {student} shows none of the visible tests: is the page empty?")


@pytest.mark.parametrize("root, aid", SET_PARAMS)
def test_hidden_tests_would_show_without_the_feedback_config(graded, root, aid):
    """Control for the test above: an autograded notebook rendered to HTML by nbconvert alone
    shows hidden tests, so their absence from the feedback is the work of nbgrader_config.py."""
    from nbconvert import HTMLExporter

    g = graded(root, aid)
    nb = g.course.autograded(g.packs[0].student)
    page, _ = HTMLExporter().from_notebook_node(nbformat.from_dict(nb))
    assert lines_found_in(html_text(page), hidden_test_lines(g.course.solution))


# ------------------------------------------------------------------ the student's side


@pytest.mark.slow  # several subprocesses (a minute on a busy machine)
def test_jupyterlab_has_the_nbgrader_validate_button_enabled():
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    line = next((ln for ln in listing.splitlines() if "@jupyter/nbgrader" in ln), "")
    assert "enabled" in line and "OK" in line, (
        f"JupyterLab should list @jupyter/nbgrader as 'enabled OK' (pip install -r "
        f"requirements.txt installs it); jupyter labextension list said:\n{listing}")


@pytest.mark.parametrize("root, aid", SET_PARAMS[:1])
def test_nbgrader_validate_passes_the_solution_and_flags_the_release(graded, root, aid):
    """What the Validate button runs: `nbgrader validate` on a student's notebook."""
    g = graded(root, aid)
    work = g.course.root / "student_work"
    work.mkdir(exist_ok=True)
    solved_path, release_path = work / "solved.ipynb", work / "release.ipynb"
    nbformat.write(solved(g.course.release, g.course.solution), str(solved_path))
    nbformat.write(g.course.release, str(release_path))
    # One `nbgrader validate` for both (it validates each notebook it is given in turn, each in
    # a fresh kernel, and writes each one's result to stdout in that order).
    proc = g.course.nbgrader("validate", str(solved_path), str(release_path), check=False,
                             timeout=600)
    out = proc.stdout
    success, failed = "Success! Your notebook passes all the tests.", "VALIDATION FAILED ON"
    assert out.count(success) == 1 and out.count(failed) == 1, (
        f"expected the solved notebook to pass and the release to fail:\n{out[-3000:]}"
        f"{proc.stderr[-2000:]}")
    solved_part, release_part = out.split(failed, 1)
    assert success in solved_part, f"the solved notebook did not pass:\n{out[-3000:]}"
    assert "NotImplementedError" in release_part, out[-2000:]
