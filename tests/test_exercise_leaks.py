"""Released exercises contain no line of a solution and no hidden test.

For every exercise set, every non-trivial line inside a ``### BEGIN SOLUTION`` region (or of a
written answer) and inside a ``### BEGIN HIDDEN TESTS`` region of the source is looked for in the
committed release ``exercises/<id>/<id>.ipynb``: as a whole line (indentation ignored) and, for
lines of 20 characters or more, anywhere in the text. Lines that the source also shows outside
those regions are public and not looked for. The last tests check that this search finds what
it should, on the fixture exercise set.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from tools import exercises

# One xdist group: the tests of the generated fixture course share one build of it.
pytestmark = pytest.mark.xdist_group("fixture-course")
REPO = Path(__file__).resolve().parents[1]
SETS = exercises.assignment_ids(REPO)


def committed_release(aid: str) -> nbformat.NotebookNode:
    path = exercises.release_dir(REPO, aid) / f"{aid}.ipynb"
    assert path.is_file(), f"{path} is missing: run python -m tools.exercises build {aid}"
    return nbformat.read(str(path), as_version=4)


def nbgrader_cells(nb) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if "grade_id" in c.metadata.get("nbgrader", {})}


@pytest.mark.parametrize("aid", SETS)
def test_release_contains_no_solution_line_and_no_hidden_test(aid):
    source = exercises.read_source(exercises.source_md(REPO, aid))
    secret, _ = exercises.secret_and_public_lines(source)
    assert secret, f"{aid}: found no solution or hidden-test lines in the source to look for"
    release = committed_release(aid)
    text = "\n".join(c.source for c in release.cells)
    release_lines = {line.strip() for line in text.split("\n")}
    leaked = sorted(f"{gid}: {line}" for line, gid in secret.items()
                    if line in release_lines or (len(line) >= 20 and line in text))
    assert not leaked, f"exercises/{aid}/{aid}.ipynb contains:\n  " + "\n  ".join(leaked)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text


@pytest.mark.parametrize("aid", SETS)
def test_release_keeps_every_graded_cell_with_solutions_stubbed(aid):
    source = nbgrader_cells(exercises.read_source(exercises.source_md(REPO, aid)))
    release = nbgrader_cells(committed_release(aid))
    assert list(release) == list(source), "the release has the source's nbgrader cells, in order"
    for gid, cell in release.items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution") and cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source, gid
        elif meta.get("solution"):
            assert "YOUR ANSWER HERE" in cell.source, gid
        elif meta.get("grade"):
            visible = exercises.split_regions(source[gid].source, exercises.BEGIN_HIDDEN,
                                              exercises.END_HIDDEN)[1]
            assert cell.source == "\n".join(visible).rstrip("\n") or \
                cell.source.split("\n") == visible, f"{gid}: visible tests changed in release"
        else:
            assert cell.source == source[gid].source, f"{gid}: locked cell changed in release"


# ------------------------------------------------------------------ the search itself


@pytest.fixture
def fixture_pair(built_fixture_course):
    source = exercises.read_source(built_fixture_course / "solutions" / "fx_scale" / "fx_scale.md")
    release = nbformat.read(
        str(built_fixture_course / "exercises" / "fx_scale" / "fx_scale.ipynb"), as_version=4)
    return source, release


def planted(release, grade_id: str, extra: str):
    nb = copy.deepcopy(release)
    nbgrader_cells(nb)[grade_id].source += "\n" + extra
    return nb


@pytest.mark.slow
def test_generated_fixture_release_has_no_leak(fixture_pair):
    source, release = fixture_pair
    assert exercises.find_leaks(source, release) == []


@pytest.mark.slow
@pytest.mark.parametrize("extra, expected", [
    # a hidden test pasted into a visible test cell
    ('check_shape(total([[1, 2], [3, 4]]), (), what="total of a 2x2 matrix", '
     'hint="return one number")', "line of 'total_test'"),
    # a solution line, indented differently
    ("scaled = np.asarray(x, dtype=float) * factor", "line of 'scale'"),
    # a long solution line inside a longer line
    ("if True: return float(np.sum(np.asarray(x, dtype=float)))  # copied", "line of 'total'"),
    # a line of the written answer
    ("Converting first lets the function accept lists as well as arrays.", "line of 'explain'"),
    # a marker
    ("### BEGIN HIDDEN TESTS", "marker 'BEGIN HIDDEN TESTS'"),
])
def test_leak_search_finds_a_planted_line(fixture_pair, extra, expected):
    source, release = fixture_pair
    leaks = exercises.find_leaks(source, planted(release, "scale_test", extra))
    assert any(leak.startswith(expected) for leak in leaks), leaks


@pytest.mark.slow
def test_leak_search_ignores_lines_the_source_shows_anyway(fixture_pair):
    source, release = fixture_pair
    # `def scale(x, factor):` is in the solution cell but outside its solution region.
    assert exercises.find_leaks(source, planted(release, "scale_test",
                                                "def scale(x, factor):")) == []
