"""The test modules that share an expensive set-up declare the same xdist group.

With ``-n 2 --dist loadgroup`` (the README's test command) the scheduler of tests/conftest.py
(``work_unit``) hands out the tests of a group in work units: the site is built once per run
for both workers, each of its modules is a unit (the two that read each page's one visit share
one); each grading module (or exercise set) is a unit; the generated fixture course is built
once. A module that uses one of these set-ups without its group would quietly make it a second
time, or run outside the units that share it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import PRECOMPILED, REPO, module_group

TESTS = Path(__file__).resolve().parent
MODULES = sorted(path.name for path in TESTS.glob("test_*.py"))

# group: what in a module's source means it uses that group's set-up
USES = {
    "site": re.compile(r"\b(site_html|site_url|build_site|visit|OfflinePage|WidgetPage|"
                       r"page_weight)\("),
    "grading": re.compile(r"\b(Course\.create|sandbox\.Sandbox|grade_cmd|warm_kernels_possible)\("
                          r"|-m\", \"tools\.grader?\""),
    "fixture-course": re.compile(r"\bbuilt_fixture_course\b"),
}
# Modules that use a set-up's helpers only on throw-away data (no shared set-up to protect).
NOT_SHARED = {"test_book_site.py", "test_xdist_groups.py"}


@pytest.mark.parametrize("module", MODULES)
def test_module_that_uses_a_shared_set_up_declares_its_group(module):
    if module in NOT_SHARED:
        return
    source = (TESTS / module).read_text(encoding="utf-8")
    used = sorted(group for group, pattern in USES.items() if pattern.search(source))
    declared = module_group(f"tests/{module}")
    assert len(used) <= 1, f"{module} uses the set-ups of several groups: {used}"
    if used:
        assert declared == used[0], (
            f"{module} uses the {used[0]!r} set-up but declares xdist group {declared!r}: add "
            f'pytestmark = pytest.mark.xdist_group("{used[0]}") (see CONTRIBUTING.md, Tests)')


def test_module_group_reads_the_pytestmark_of_a_module(tmp_path, monkeypatch):
    import conftest

    assert module_group("tests/test_site_a11y.py") == "site"
    assert module_group("tests/test_grade_command.py") == "grading"
    assert module_group("tests/test_layers.py") is None
    assert module_group("tests/no_such_file.py") is None
    monkeypatch.setattr(conftest, "REPO", tmp_path)
    (tmp_path / "t.py").write_text('import pytest\npytestmark = [pytest.mark.slow,\n'
                                   '              pytest.mark.xdist_group("x-y")]\n')
    assert conftest.module_group.__wrapped__("t.py") == "x-y"


def test_each_grading_module_and_each_set_of_a_splitting_one_is_one_work_unit():
    from conftest import work_unit

    roundtrip, agreement = "tests/test_grading_roundtrip.py", "tests/test_grading_agreement.py"
    ch01 = {work_unit(f"{roundtrip}::{test}") for test in (
        "test_solution_gets_full_autograded_marks[ch01_perceptron]",
        "test_mistake_loses_exactly_its_parts[ch01_perceptron-03-step_uses_instead_of]",
        "test_nbgrader_validate_passes_the_solution_and_flags_the_release[ch01_perceptron]")}
    assert ch01 == {f"grading/{roundtrip}/ch01_perceptron"}
    assert work_unit(f"{roundtrip}::test_untouched_release_gets_zero[ch02_layers]") == \
        f"grading/{roundtrip}/ch02_layers"
    assert work_unit(f"{roundtrip}::test_untouched_release_gets_zero[fx_scale]") == \
        f"grading/{roundtrip}/fx_scale"
    assert work_unit(f"{agreement}::test_solution_full_marks_and_blank_release_zero_under_"
                     f"trusted_grader[ch01_perceptron]") == f"grading/{agreement}/ch01_perceptron"
    # a grading test not parametrized by a set, or of a module that does not split by set, is
    # in its module's unit; the other groups are one unit each
    assert work_unit(f"{roundtrip}::test_jupyterlab_has_the_nbgrader_validate_button_enabled") \
        == f"grading/{roundtrip}"
    assert {work_unit(f"tests/test_grade_command.py::{test}") for test in (
        "test_bad_submission_outcome[good_a]", "test_run_exits_1_and_lists_every_student")} \
        == {"grading/tests/test_grade_command.py"}
    assert work_unit("tests/test_exercises_sync.py::test_x") == "fixture-course"
    assert work_unit("tests/test_layers.py::test_dense_forward") == \
        "tests/test_layers.py::test_dense_forward"


def test_site_modules_are_units_of_their_own_except_those_that_share_the_visits():
    from conftest import work_unit

    a11y = work_unit("tests/test_site_a11y.py::test_page_has_no_accessibility_violation["
                     "exercises/ch01_perceptron/ch01_perceptron.html]")
    browser = work_unit("tests/test_site_browser.py::test_page_images_load[book/intro.html]")
    layout = work_unit("tests/test_site_layout.py::test_nothing_on_the_page_is_clipped["
                       "book/intro.html-phone]")
    assert a11y == browser == layout == "site/visit"
    assert work_unit("tests/test_book_build.py::test_book_builds_with_no_warning_and_no_failing_"
                     "cell") == "site/tests/test_book_build.py"
    assert work_unit("tests/test_site_widgets.py::test_spam_neuron_starts_at_the_chapters_spammy_"
                     "email") == "site/tests/test_site_widgets.py"


@pytest.mark.parametrize("module", MODULES)
def test_module_that_reads_the_visits_shares_their_unit(module):
    """tests/site_browser.py's ``visit(page)`` opens each page once per process: the modules
    that read it must run in one worker, or each worker opens every page again."""
    source = (TESTS / module).read_text(encoding="utf-8")
    if module in NOT_SHARED or not re.search(r"\bvisit\(", source):
        return
    from conftest import module_shared_unit

    assert module_shared_unit(f"tests/{module}") == "visit", (
        f'{module} reads visit(page): declare XDIST_UNIT = "visit" at its top (see '
        "CONTRIBUTING.md, Tests)")


def test_every_unit_with_a_duration_is_a_unit_of_the_suite():
    from conftest import UNIT_SECONDS, module_splits_by_set, work_unit

    units = set()
    for path in (f"tests/{m}" for m in MODULES if module_group(f"tests/{m}")):
        unit = work_unit(f"{path}::test")  # the unit of the module's tests without a set
        units.add(unit + "/*" if module_splits_by_set(path) else unit)
    stale = sorted(set(UNIT_SECONDS) - units)
    assert not stale, (f"tests/conftest.py UNIT_SECONDS names units that do not exist: {stale}; "
                       f"the units are {sorted(units)}")


def test_units_are_handed_out_longest_first_and_the_site_builds_beside_other_work(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "UNIT_SECONDS", {
        "site/visit": 300, "site/tests/test_site_layout.py": 200,
        "grading/tests/test_grade_command.py": 150,
        "grading/tests/test_grading_roundtrip.py/*": 40})
    units = {"site/visit": 150, "site/tests/test_site_layout.py": 180,
             "grading/tests/test_grade_command.py": 90,
             "grading/tests/test_grading_roundtrip.py/ch01_perceptron": 50,
             "grading/tests/test_grading_roundtrip.py/ch02_layers": 45,
             "tests/test_layers.py::test_a": 1, "tests/test_layers.py::test_b": 1}
    order = conftest.unit_order(units)
    # the longest unit first; the other worker's first unit is not one waiting for the build
    assert order[:3] == ["site/visit", "grading/tests/test_grade_command.py",
                         "site/tests/test_site_layout.py"], order
    assert order[3:5] == ["grading/tests/test_grading_roundtrip.py/ch01_perceptron",
                          "grading/tests/test_grading_roundtrip.py/ch02_layers"], order
    assert set(order[5:]) == {"tests/test_layers.py::test_a", "tests/test_layers.py::test_b"}
    # when the longest unit is not a site unit, it is simply the longest first
    monkeypatch.setitem(conftest.UNIT_SECONDS, "grading/tests/test_grade_command.py", 400)
    assert conftest.unit_order(units)[:3] == [
        "grading/tests/test_grade_command.py", "site/visit", "site/tests/test_site_layout.py"]


@pytest.mark.parametrize("package", ["nnlib", "tools"])
def test_bytecode_of_what_subprocesses_import_is_written_before_the_tests(package):
    """conftest.pytest_configure compiles nnlib and tools, so that the suite's hundreds of
    kernels and graders read bytecode even where PYTHONDONTWRITEBYTECODE is set."""
    assert package in PRECOMPILED
    stale = []
    for source in sorted((REPO / package).rglob("*.py")):
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if not (compiled.is_file() and _bytecode_is_current(compiled, source)):
            stale.append(str(source.relative_to(REPO)))
    assert not stale, (f"{len(stale)} module(s) of {package} have no current bytecode after "
                       f"pytest_configure, e.g. {stale[:3]}: each kernel or grader compiles them "
                       "again; check tests/conftest.py, pytest_configure")


def _bytecode_is_current(compiled: Path, source: Path) -> bool:
    """Would Python's import use ``compiled`` for ``source``? The checks it makes (PEP 552):
    this Python's magic number; then, for a pyc stamped with its source's modification time (as
    compileall writes by default), that time (whole seconds, 32 bits) and size; for a checked
    hash-based one (compileall's choice where SOURCE_DATE_EPOCH is set), the source's hash; an
    unchecked hash-based one is used as it is."""
    header = compiled.read_bytes()[:16]
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return False
    flags = int.from_bytes(header[4:8], "little")
    if flags == 0:
        info = source.stat()
        return (int.from_bytes(header[8:12], "little") == int(info.st_mtime) & 0xFFFFFFFF
                and int.from_bytes(header[12:16], "little") == info.st_size & 0xFFFFFFFF)
    if flags == 0b11:
        return header[8:16] == importlib.util.source_hash(source.read_bytes())
    return flags == 0b01
