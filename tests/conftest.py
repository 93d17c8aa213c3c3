"""Shared set-up of the test suite (kept small: fixtures of one area live in that area's tests).

- The repository root goes on ``sys.path`` so tests can import ``tools`` as well as ``nnlib``,
  whichever way pytest is started (``pytest`` or ``python -m pytest``, from any folder).
- The bin folder of the running Python goes first on ``PATH``, so the Jupyter tools the tests
  run (``nbgrader``, ``jupyter``, and ``alembic``, which nbgrader calls itself) are the ones of
  this environment even when it is not activated.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(autouse=True, scope="session")
def environment_tools_on_path():
    """Put this Python's bin folder first on PATH for the whole session."""
    bindir = os.path.dirname(sys.executable)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + os.pathsep + old
    yield
    os.environ["PATH"] = old


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
