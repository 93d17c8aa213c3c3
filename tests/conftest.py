"""Shared set-up of the test suite (kept small: fixtures of one area live in that area's tests).

- The repository root goes on ``sys.path`` so tests can import ``tools`` as well as ``nnlib``,
  whichever way pytest is started (``pytest`` or ``python -m pytest``, from any folder).
- The bin folder of the running Python goes first on ``PATH``, so the Jupyter tools the tests
  run (``nbgrader``, ``jupyter``, and ``alembic``, which nbgrader calls itself) are the ones of
  this environment even when it is not activated.
- ``require(condition, why)``: the one way a test says it needs something of the machine
  (bubblewrap, Chromium, playwright, ``npm ci``'s files). Without it the test is skipped, saying
  why; on CI (``CI=true``) it FAILS instead, because a CI run must never pass without having
  tested the grading sandbox or the site in a browser. Skips that are genuinely optional (the
  PyTorch agreement tests: torch is a benchmark-only extra) or that do not apply to a
  parameter (a chapter with no widget) go through ``optional(why)`` / ``not_applicable(why)``.
  On CI any other skip fails too, with a message saying which helper to use, so a requirement
  cannot hide behind a bare ``pytest.skip`` (``pytest_runtest_makereport`` below).
- nnlib and tools are compiled to bytecode once, before the tests start (``pytest_configure``):
  a full run starts some 700 Pythons that import them (kernels, sandboxed graders, nbgrader),
  and where ``PYTHONDONTWRITEBYTECODE`` is set (as on this project's machines) each of them
  would compile both from source again.
"""

from __future__ import annotations

import ast
import compileall
import functools
import os
import re
import sys
from pathlib import Path

import pytest

# pytester runs small test files in a subprocess (tests/test_conftest_require.py uses it).
pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
# Prefixes of the skip reasons that are allowed on CI (see optional() and not_applicable()).
OPTIONAL = "optional: "
NOT_APPLICABLE = "not applicable: "
ALLOWED_ON_CI = (OPTIONAL, NOT_APPLICABLE)

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# The packages the suite's subprocesses import: kernels import nnlib, graders and nbgrader's
# configuration import tools.
PRECOMPILED = ("nnlib", "tools")


def pytest_configure(config):
    """Write the bytecode of nnlib and tools (in the controller, before any worker starts).

    Python writes it itself on import unless ``PYTHONDONTWRITEBYTECODE`` is set; then every
    process compiles both from source (about 0.1 s of CPU each). ``compileall`` writes it even
    so, and only where a file changed; Python checks it against the source's time and size at
    every import, so an edit is never run stale. A tree that cannot be written is left as it is
    (``compileall`` reports no error with ``quiet=2``: each process then compiles as before).
    """
    if hasattr(config, "workerinput"):
        return
    for name in PRECOMPILED:
        compileall.compile_dir(REPO / name, quiet=2)


@pytest.fixture(autouse=True, scope="session")
def environment_tools_on_path():
    """Put this Python's bin folder first on PATH for the whole session."""
    bindir = os.path.dirname(sys.executable)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + os.pathsep + old
    yield
    os.environ["PATH"] = old


@pytest.fixture(autouse=True, scope="session")
def generated_courses_shared_by_the_workers(tmp_path_factory):
    """``grading_course.Course.create`` keeps the courses it generates in a folder of this run
    that every xdist worker sees (beside the workers' own temporary folders, which pytest
    removes with old runs): a course is generated once per run, not once per worker."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "courses"
    before = os.environ.get("TESTS_GENERATED_COURSES")
    os.environ["TESTS_GENERATED_COURSES"] = str(folder)
    yield
    if before is None:
        os.environ.pop("TESTS_GENERATED_COURSES", None)
    else:
        os.environ["TESTS_GENERATED_COURSES"] = before


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def built_fixture_course(tmp_path_factory) -> Path:
    """A course folder holding the test fixture exercise set ``fx_scale`` built by tools.exercises.

    It has the repository's nbgrader_config.py, solutions/fx_scale/ (from tests/fixtures) and the
    generated exercises/fx_scale/. Treat it as read-only: copy it before changing anything.
    """
    import shutil

    from tools import exercises

    course = tmp_path_factory.mktemp("fixture-course")
    shutil.copy2(REPO / exercises.CONFIG, course / exercises.CONFIG)
    shutil.copytree(REPO / "tests" / "fixtures" / "solutions", course / exercises.SOLUTIONS)
    exercises.build(course, log=lambda _msg: None)
    return course


def on_ci() -> bool:
    """True when the environment variable CI says so (GitHub Actions and .ci/run set CI=true)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(condition: object, why: str) -> None:
    """Go on when ``condition`` is true; else skip the test saying ``why`` or, on CI, fail it.

    ``why`` names what is missing and how to get it, e.g. ``"bubblewrap is not installed
    (apt-get install bubblewrap)"``. Call it from a test or a fixture (a module- or
    session-scoped fixture makes every test that uses it skip or fail).
    """
    if condition:
        return
    if on_ci():
        pytest.fail(f"CI=true, and this test cannot run: {why}. On CI a missing requirement is a "
                    "failure, not a skip: install it (.ci/run does).", pytrace=False)
    pytest.skip(f"requirement missing: {why} (on CI, with CI=true, this test fails)")


def require_module(name: str, install: str) -> None:
    """require() that the Python module ``name`` can be imported (``install`` says how)."""
    import importlib.util

    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent package is missing
        found = False
    require(found, f"the Python module {name} is not installed ({install})")


def optional(why: str) -> None:
    """Skip a test of an optional extra that this environment lacks (allowed on CI)."""
    pytest.skip(OPTIONAL + why)


def not_applicable(why: str) -> None:
    """Skip a parameter of a test that does not apply to it (allowed on CI)."""
    pytest.skip(NOT_APPLICABLE + why)


def skip_reason(report) -> str:
    """The reason of a skipped test report (pytest stores (file, line, reason))."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI, a skip that is not optional() or not_applicable() is a failure (see the top)."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and on_ci()) or hasattr(report, "wasxfail"):
        return
    reason = skip_reason(report)
    if reason.startswith(ALLOWED_ON_CI):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"CI=true, and this test was skipped: {reason}\n"
        "On CI a skip is a failure unless the test calls optional(why) (an optional extra) or "
        "not_applicable(why) (a parameter it does not apply to), from tests/conftest.py; a "
        "missing requirement goes through require(condition, why)."
    )


# ------------------------------------------------------------------- requirements of the machine

NO_BWRAP = "bubblewrap is not installed (apt-get install bubblewrap; .ci/run does)"


def require_sandbox(uid: int | None) -> None:
    """require() bubblewrap and a grading sandbox that starts for ``uid`` (None: this user)."""
    import shutil

    require(shutil.which("bwrap") is not None, NO_BWRAP)
    from tools.grader import sandbox

    try:
        sandbox.check_available(uid)
    except sandbox.SandboxUnavailable as err:
        require(False, f"the grading sandbox cannot start here: {err}")


def require_browser() -> None:
    """require() Debian's Chromium and playwright, which drives it (no browser is downloaded)."""
    from site_browser import CHROMIUM, NO_CHROMIUM

    require(CHROMIUM is not None, NO_CHROMIUM)
    require_module("playwright.sync_api", "pip install -r requirements.txt")


@pytest.fixture(scope="session")
def needs_browser() -> None:
    """Use (``pytest.mark.usefixtures("needs_browser")``) in a test that opens Chromium."""
    require_browser()


# ------------------------------------------------------------------------ xdist groups of modules


@functools.cache
def module_group(path: str) -> str | None:
    """The xdist group a test module declares: ``pytestmark = ... xdist_group("name") ...``."""
    assigned = _module_assignments(path)
    found = re.search(r"xdist_group\(\s*[\"']([^\"']+)[\"']", assigned.get("pytestmark", ""))
    return found.group(1) if found else None


@functools.cache
def module_splits_by_set(path: str) -> bool:
    """Does the module declare ``XDIST_UNIT_PER_SET = True`` (see ``work_unit``)?"""
    return _module_assignments(path).get("XDIST_UNIT_PER_SET", "").strip() == "True"


@functools.cache
def module_shared_unit(path: str) -> str | None:
    """The work unit a module shares with others of its group: ``XDIST_UNIT = "name"``."""
    found = re.fullmatch(r"\s*[\"']([A-Za-z0-9_-]+)[\"']\s*",
                         _module_assignments(path).get("XDIST_UNIT", ""))
    return found.group(1) if found else None


def _module_assignments(path: str) -> dict[str, str]:
    """The source of each module-level ``name = ...`` assignment of a test module ({} if none)."""
    file = REPO / path
    if not (file.suffix == ".py" and file.is_file()):
        return {}
    source = file.read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, ast.get_source_segment(source, node.value) or "")
    return found


@functools.cache
def exercise_set_ids() -> frozenset[str]:
    """The exercise sets of the repository and of the test fixtures: each folder
    ``solutions/<id>/`` holding its source ``<id>.md`` (as ``tools.exercises`` finds them)."""
    return frozenset(folder.name for root in (REPO, REPO / "tests" / "fixtures")
                     for folder in (root / "solutions").glob("*/")
                     if (folder / f"{folder.name}.md").is_file())


# Groups whose modules share no set-up with each other: each module is a work unit of its own.
# The grading modules each grade their own courses (the generated courses they start from are
# shared through the disk, grading_course.Course.create). The site's modules share one strict
# build per run, through the disk too (tests/book_site.py); each worker that runs one of them
# starts its own server and Chromium (a second or two). Modules that share what a process keeps
# (each page's visit of tests/site_browser.py) declare the same ``XDIST_UNIT``.
UNIT_PER_MODULE = {"grading", "site"}


def work_unit(nodeid: str) -> str:
    """The xdist work unit of a test: what one worker runs, start to end, in one go.

    - A test of a module without an xdist group is a unit of its own.
    - The tests of a group are one unit (one built site and one browser; one generated fixture
      course) ...
    - ... except in the groups of ``UNIT_PER_MODULE`` (``grading``, ``site``), where each module
      is a unit (``grading/tests/test_grade_command.py``), modules that declare the same
      ``XDIST_UNIT = "name"`` share one (``site/visit``: the tests that read each page's one
      visit), and in a module of these that declares
      ``XDIST_UNIT_PER_SET = True`` (the grading round trip and the agreement test) the tests
      whose first parameter is an exercise set form one unit per set
      (``grading/tests/test_grading_roundtrip.py/ch01_perceptron``). The module grades each
      set once, in whichever worker runs that set's unit, so the gradings of the sets spread
      over both workers instead of queueing behind each other in one.
    """
    path = nodeid.split("::", 1)[0]
    group = module_group(path)
    if group is None:
        return nodeid
    if group not in UNIT_PER_MODULE:
        return group
    shared = module_shared_unit(path)
    if shared:
        return f"{group}/{shared}"
    if module_splits_by_set(path):
        first = re.search(r"\[([A-Za-z0-9_]+)(?:-|\])", nodeid)
        if first and first.group(1) in exercise_set_ids():
            return f"{group}/{path}/{first.group(1)}"
    return f"{group}/{path}"


# About how long the large work units keep a worker busy, in seconds of a full run of the README's
# test command on two cores (benchmarks/README.md, "The test suite"). Only the order in which the
# units are handed out depends on them: the longest first, so that the two workers end together.
# A key names a unit (``work_unit``); a key ending in "/*" stands for each of a module's per-set
# units. Units not listed count 0.05 s per test. tests/test_xdist_groups.py checks every key.
UNIT_SECONDS = {
    "grading/tests/test_grade_command.py": 265,
    "site/visit": 220,
    "site/tests/test_site_widgets.py": 40,
    "grading/tests/test_instructor_workflow.py": 47,
    "grading/tests/test_grading_roundtrip.py/*": 35,
    "fixture-course": 27,
    "site/tests/test_jupyterlab_widgets.py": 26,
    "site/tests/test_site_widgets_training.py": 21,
    "grading/tests/test_grading_agreement.py/*": 18,
}
# The group whose units wait for the strict build of the site (tests/book_site.py): the first of
# them to run builds it, in about a minute of one core.
BUILDS_FIRST = "site"


def unit_seconds(unit: str, tests: int) -> float:
    """The expected seconds of a work unit (``UNIT_SECONDS``) holding ``tests`` tests."""
    if unit in UNIT_SECONDS:
        return UNIT_SECONDS[unit]
    per_set = unit.rsplit("/", 1)[0] + "/*"
    if unit.count("/") >= 2 and per_set in UNIT_SECONDS:
        return UNIT_SECONDS[per_set]
    return 0.05 * tests


def unit_order(units: dict[str, int]) -> list[str]:
    """The order in which to hand out work units (unit -> its number of tests).

    The longest first (largest-processing-time-first scheduling: what is left at the end are
    single tests of a fraction of a second, which even out the two workers). One exception:
    the first unit of the ``site`` group builds the site and the others of the group wait for
    that build, so when the first unit is a site unit, the second one (the other worker's
    first) is the longest unit of another group, which runs while the site builds.
    """
    order = sorted(units, key=lambda u: (-unit_seconds(u, units[u]), -units[u], u))
    if len(order) > 2 and order[0].startswith(BUILDS_FIRST + "/"):
        other = next((u for u in order[1:] if not u.startswith(BUILDS_FIRST + "/")), None)
        if other is not None:
            order.remove(other)
            order.insert(1, other)
    return order


# optional: pytest-xdist declares this hook, so without it (`pytest -p no:xdist`) the hook is
# simply never called, instead of pytest refusing to load this file
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup``, with the groups the test modules declare in their ``pytestmark``.

    pytest-xdist 3.8 marks a group by appending ``@group`` to each test's node id, which pytest 9
    no longer lets it change, so its own grouping silently sends the tests of one group to
    different workers. This scheduler reads the group from the module instead (module-level
    ``pytestmark`` only; ``work_unit`` above), and still honours an ``@group`` suffix when xdist
    manages to add one. The units are handed out in ``unit_order``: the longest first, so
    the single tests fill in the end of the run on both workers.
    """
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "@" in nodeid.rsplit("]", 1)[-1]:
                return super()._split_scope(nodeid)
            return work_unit(nodeid)

        def _assign_work_unit(self, node):
            if not getattr(self, "_ordered", False):  # the queue is complete at the first call
                order = unit_order({unit: len(tests) for unit, tests in self.workqueue.items()})
                for unit in order:
                    self.workqueue.move_to_end(unit)
                self._ordered = True
            super()._assign_work_unit(node)

    return ModuleGroupScheduling(config, log)
