"""The committed exercise notebooks are current, and ``python -m tools.exercises`` works.

The first test is the one that matters for the repository: ``python -m tools.exercises check``
passes (every solutions/*/*.ipynb and exercises/ file is what the MyST sources generate, no
notebook has outputs, no release leaks). The others test the tool itself on the fixture
exercise set in tests/fixtures/solutions/fx_scale: the build is deterministic and clean, check
catches each kind of problem, and validation enforces each rule of CONTRIBUTING.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import exercises

# One xdist group: the tests of the generated fixture course share one build of it.
pytestmark = pytest.mark.xdist_group("fixture-course")
REPO = Path(__file__).resolve().parents[1]
FIXTURE_MD = REPO / "tests" / "fixtures" / "solutions" / "fx_scale" / "fx_scale.md"
FIX = "python -m tools.exercises build"


def run_tool(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m tools.exercises <args>`` in ``cwd`` (the tool imported from this repository)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "tools.exercises", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)


@pytest.mark.slow
def test_committed_exercise_notebooks_are_current_clean_and_leak_free():
    proc = run_tool(REPO, "check")
    assert proc.returncode == 0, (
        f"python -m tools.exercises check failed:\n{proc.stdout}\n{proc.stderr}")
    assert "OK" in proc.stdout


@pytest.mark.slow
def test_check_passes_on_a_fresh_build_which_is_deterministic_and_clean(built_fixture_course):
    """``check`` builds the set again, in a folder of its own, and compares every generated
    file byte by byte with the course's: so it passing on a course just built shows that the
    build is deterministic. The notebooks built are clean: valid, no jupytext metadata, no
    outputs, nbgrader cells identified by their grade_id, the release's solutions stubbed."""
    course = built_fixture_course
    files = [exercises.solution_notebook(course, "fx_scale"),
             exercises.release_dir(course, "fx_scale") / "fx_scale.ipynb"]
    first = [p.read_bytes() for p in files]
    proc = run_tool(course, "check")
    assert proc.returncode == 0, proc.stderr
    assert "1 exercise set(s) OK (fx_scale)" in proc.stdout
    assert [p.read_bytes() for p in files] == first, "check changed the course it checked"
    for path in files:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
        assert "jupytext" not in nb.metadata
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                assert cell.id == gid, "nbgrader cells are identified by their grade_id"
    release = nbformat.read(str(files[1]), as_version=4)
    assert sum("raise NotImplementedError()" in c.source for c in release.cells) == 2
    assert any(c.source == "YOUR ANSWER HERE" for c in release.cells)


def check_reusing_the_fixture_build(course: Path, built: Path, monkeypatch, capsys
                                    ) -> tuple[int, str, str]:
    """``python -m tools.exercises check`` run in this process in ``course``: (exit status,
    stdout, stderr). The fresh build it compares with is the one ``built`` (the fixture course)
    already made, when the set's source is the same (a build of it gives the same bytes:
    test_check_passes_on_a_fresh_build_which_is_deterministic_and_clean); an edited source is
    built for real."""
    real_build = exercises.build

    def build(root, ids=None, log=print):
        root = Path(root)
        if ids != ["fx_scale"] or (root / "solutions" / "fx_scale" / "fx_scale.md").read_bytes() \
                != (built / "solutions" / "fx_scale" / "fx_scale.md").read_bytes():
            return real_build(root, ids, log=log)
        shutil.copy2(exercises.solution_notebook(built, "fx_scale"),
                     exercises.solution_notebook(root, "fx_scale"))
        shutil.copytree(exercises.release_dir(built, "fx_scale"),
                        exercises.release_dir(root, "fx_scale"))
        return ["fx_scale"]

    monkeypatch.setattr(exercises, "build", build)
    monkeypatch.chdir(course)
    code = exercises.main(["check"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_check_reports_every_kind_of_problem_with_file_and_fix(built_fixture_course, tmp_path,
                                                               monkeypatch, capsys):
    course = tmp_path / "course"
    shutil.copytree(built_fixture_course, course)
    release_path = course / "exercises" / "fx_scale" / "fx_scale.ipynb"
    solution_path = course / "solutions" / "fx_scale" / "fx_scale.ipynb"
    # 1. a hidden test pasted into the release by hand
    release = nbformat.read(str(release_path), as_version=4)
    release.cells[-1].source += "\ncheck_close(total([[1, 2], [3, 4]]), 10.0, " \
                                "what=\"total of a 2x2 matrix\", hint=\"sum every entry\")"
    nbformat.write(release, str(release_path))
    # 2. an executed instructor notebook
    solution = nbformat.read(str(solution_path), as_version=4)
    solution.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran")]
    solution.cells[1].execution_count = 1
    nbformat.write(solution, str(solution_path))
    # 3. a release whose source is gone
    (course / "exercises" / "old_set").mkdir()
    (course / "exercises" / "old_set" / "old_set.ipynb").write_text("{}")

    code, _, err = check_reusing_the_fixture_build(course, built_fixture_course, monkeypatch,
                                                   capsys)
    assert code == 1
    assert ("exercises/fx_scale/fx_scale.ipynb leaks a line of 'total_test': check_close(total"
            in err)
    assert ("exercises/fx_scale/fx_scale.ipynb is stale (differs from what "
            "solutions/fx_scale/fx_scale.md generates); run: python -m tools.exercises build "
            "fx_scale") in err
    assert "solutions/fx_scale/fx_scale.ipynb has outputs or execution counts" in err
    assert "solutions/fx_scale/fx_scale.ipynb is stale" in err
    assert "exercises/old_set/ has no source solutions/old_set/old_set.md" in err
    # check never writes into the course it checks
    assert nbformat.read(str(solution_path), as_version=4).cells[1].execution_count == 1


@pytest.mark.slow
def test_check_reports_a_source_edited_after_the_build(built_fixture_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(built_fixture_course, course)
    md = course / "solutions" / "fx_scale" / "fx_scale.md"
    md.write_text(md.read_text().replace("check_close(total([1.0, 2.0, 3.5]), 6.5",
                                         "check_close(total([1.0, 2.0, 4.5]), 7.5"))
    proc = run_tool(course, "check", "fx_scale")
    assert proc.returncode == 1
    assert "solutions/fx_scale/fx_scale.ipynb is stale" in proc.stderr
    assert "exercises/fx_scale/fx_scale.ipynb is stale" in proc.stderr
    assert f"{FIX} fx_scale" in proc.stderr


def test_fixture_source_follows_every_rule():
    assert exercises.validate_source(exercises.read_source(FIXTURE_MD), "fx_scale") == []


# Each case breaks one rule of CONTRIBUTING.md in the fixture source: (old text, new text,
# a fragment of the message validation must give).
BROKEN = {
    "import in a solution cell": (
        "    ### BEGIN SOLUTION\n    scaled", "    ### BEGIN SOLUTION\n    import math\n    scaled",
        "imports belong in the locked import cell"),
    "solution cell without markers": (
        "    ### BEGIN SOLUTION\n    return float", "    return float",
        "needs '### BEGIN SOLUTION' / '### END SOLUTION'"),
    "unterminated solution region": (
        "    return scaled\n    ### END SOLUTION\n", "    return scaled\n",
        "solution markers are malformed"),
    "duplicate grade id": (
        "grade_id: total\n", "grade_id: scale\n", "grade_id 'scale' is used again"),
    "grade cell without points": (
        "  points: 2\n", "", "a grade cell needs points > 0, got points: None"),
    "test cell not named <part>_test": (
        "grade_id: scale_test", "grade_id: check_scale", "a test cell's grade_id is '<part>_test'"),
    "test cell unlocked": (
        "grade_id: total_test\n  locked: true", "grade_id: total_test\n  locked: false",
        "a test cell must be locked"),
    "locked cell between a solution and its test": (
        "```{code-cell} ipython3\n---\nnbgrader:\n  grade: true\n  grade_id: total_test",
        "```{code-cell} ipython3\n---\nnbgrader:\n  grade: false\n  grade_id: given\n"
        "  locked: true\n  schema_version: 3\n  solution: false\n  task: false\n---\n"
        "x = [1.0, 2.0]\n```\n\n"
        "```{code-cell} ipython3\n---\nnbgrader:\n  grade: true\n  grade_id: total_test",
        "the nbgrader cell right above a test cell must be a solution or grade cell"),
    "hidden tests in a cell that is not graded": (
        "  grade: true\n  grade_id: scale_test", "  grade: false\n  grade_id: scale_test",
        "has hidden-test markers but is not a grade cell"),
    "written answer without a locked prompt above it": (
        '"grade_id": "explain_prompt", "locked": true',
        '"grade_id": "explain_prompt", "locked": false',
        "a written answer needs its prompt in a locked markdown cell"),
    "no written answer": (
        '"grade": true, "grade_id": "explain", "locked": false, "points": 1, "schema_version": 3, '
        '"solution": true',
        '"grade": false, "grade_id": "explain", "locked": true, "schema_version": 3, '
        '"solution": false',
        "no written answer"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_validation_rejects_a_source_that_breaks_a_rule(case, tmp_path):
    old, new, message = BROKEN[case]
    text = FIXTURE_MD.read_text()
    assert old in text, f"the fixture changed: {old!r} not found"
    path = tmp_path / "broken.md"
    path.write_text(text.replace(old, new, 1))
    problems = exercises.validate_source(exercises.read_source(path), "broken.md")
    assert any(message in p for p in problems), f"expected {message!r} among {problems}"


def test_build_refuses_an_invalid_source_and_says_why(tmp_path):
    (tmp_path / "solutions" / "fx_scale").mkdir(parents=True)
    shutil.copy2(REPO / exercises.CONFIG, tmp_path / exercises.CONFIG)
    old, new, message = BROKEN["import in a solution cell"]
    (tmp_path / "solutions" / "fx_scale" / "fx_scale.md").write_text(
        FIXTURE_MD.read_text().replace(old, new, 1))
    proc = run_tool(tmp_path, "build")
    assert proc.returncode == 1
    assert "solutions/fx_scale/fx_scale.md: cell" in proc.stderr and message in proc.stderr
    assert not (tmp_path / "exercises").exists(), "nothing is generated from an invalid source"


@pytest.mark.slow  # several subprocesses (a minute on a busy machine)
def test_cli_names_an_unknown_set_and_a_wrong_folder(tmp_path):
    proc = run_tool(REPO, "check", "ch99_nothing")
    assert proc.returncode == 1
    assert "no exercise source solutions/ch99_nothing/ch99_nothing.md" in proc.stderr
    proc = run_tool(tmp_path, "build")
    assert proc.returncode == 2
    assert "run this from the repository root" in proc.stderr


def test_every_exercise_set_is_in_the_table_of_contents_and_on_the_exercises_page():
    toc = (REPO / "_toc.yml").read_text(encoding="utf-8")
    page = (REPO / "book" / "exercises.md").read_text(encoding="utf-8")
    missing = []
    for aid in exercises.assignment_ids(REPO):
        if f"- file: exercises/{aid}/{aid}\n" not in toc:
            missing.append(f"_toc.yml has no entry 'exercises/{aid}/{aid}' under Exercises")
        if f"(../exercises/{aid}/{aid}.ipynb)" not in page:
            missing.append(f"book/exercises.md does not link ../exercises/{aid}/{aid}.ipynb in "
                           f"its list of sets")
    assert missing == [], "\n".join(missing)
