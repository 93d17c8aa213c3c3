"""tools/ is grouped by who uses it, and every ``python -m tools...`` command the docs name runs.

tools/site/ builds the website, tools/exercises/ builds the exercise notebooks, tools/grader/
grades a class (CONTRIBUTING.md, "The tools"). A command in README.md, CONTRIBUTING.md,
the book's guides, benchmarks/README.md, nbgrader_config.py or .ci/run that names a module which
moved or never existed fails here, with the file that names it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools"
PACKAGES = {"site", "exercises", "grader"}
COMMAND = re.compile(r"python -m (tools(?:\.[A-Za-z_]+)+)")


def documents() -> list[Path]:
    docs = [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "benchmarks" / "README.md",
            REPO / "nbgrader_config.py", REPO / ".ci" / "run"]
    return docs + sorted((REPO / "book").glob("*.md"))


def named_commands() -> dict[str, list[str]]:
    """module -> the documents that name ``python -m <module>``."""
    named: dict[str, list[str]] = {}
    for doc in documents():
        for module in COMMAND.findall(doc.read_text(encoding="utf-8")):
            named.setdefault(module, []).append(str(doc.relative_to(REPO)))
    return named


def test_the_docs_name_the_three_entry_points():
    assert {"tools.exercises", "tools.grader"} <= set(named_commands()), named_commands()


@pytest.mark.slow  # two interpreters that import nbgrader
def test_tools_grade_is_the_same_command_as_tools_grader():
    # book/grading_safely.md keeps the earlier name for instructors' scripts
    alias, grader = (subprocess.run([sys.executable, "-m", module, "autograde", "--help"],
                                    cwd=REPO, capture_output=True, text=True, timeout=300)
                     for module in ("tools.grade", "tools.grader"))
    assert alias.returncode == grader.returncode == 0, alias.stderr + grader.stderr
    assert alias.stdout == grader.stdout


@pytest.mark.slow  # one interpreter per command
@pytest.mark.parametrize("module", sorted(named_commands()))
def test_every_command_the_docs_name_runs(module):
    # --help: argparse prints usage and exits 0; the site tools print their usage and exit 2.
    proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    where = ", ".join(sorted(set(named_commands()[module])))
    assert proc.returncode in (0, 2) and "usage" in (proc.stdout + proc.stderr).lower(), (
        f"`python -m {module} --help` (named in {where}) exited {proc.returncode}:\n"
        f"{proc.stdout}\n{proc.stderr}")


def test_tools_holds_one_package_per_audience_and_no_loose_modules():
    loose = sorted(p.name for p in TOOLS.iterdir()
                   if p.name not in PACKAGES | {"__init__.py", "__pycache__", "grade.py"})
    assert not loose, (f"tools/ holds {loose} outside its packages: put site code in tools/site/, "
                       "exercise building in tools/exercises/, grading in tools/grader/")
    for package in PACKAGES:
        assert (TOOLS / package / "__init__.py").is_file(), f"tools/{package}/ is not a package"
    for package in ("exercises", "grader"):
        assert (TOOLS / package / "__main__.py").is_file(), (
            f"tools/{package}/__main__.py is missing: `python -m tools.{package}` would not run")
