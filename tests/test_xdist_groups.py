"""The test modules that share an expensive set-up declare the same xdist group.

With ``-n 2 --dist loadgroup`` (the README's test command) the tests of one group run in one
worker (tests/conftest.py, ``pytest_xdist_make_scheduler``): the built site, its server and
Chromium are made once; the grading runs never compete with each other for the cores; the
generated fixture course is built once. A module that uses one of these set-ups without its
group would quietly make it a second time, or grade next to another grading run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import module_group

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
