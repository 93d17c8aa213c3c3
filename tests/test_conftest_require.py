"""tests/conftest.py's require(): a missing requirement skips locally and fails on CI.

The helper is called directly (with CI set or not), and small test files run through pytester
in a subprocess show what a test run reports: a skip locally, a failure on CI, and that on CI a
bare ``pytest.skip`` fails too while ``optional()`` and ``not_applicable()`` stay skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    NOT_APPLICABLE,
    OPTIONAL,
    not_applicable,
    on_ci,
    optional,
    require,
    require_module,
)

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True),
    ("", False), ("false", False), ("0", False),
])
def test_on_ci_reads_the_ci_variable(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert on_ci() is expected


def test_on_ci_is_false_without_the_variable(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert on_ci() is False


def test_require_does_nothing_when_the_condition_holds(monkeypatch):
    for ci in ("true", ""):
        monkeypatch.setenv("CI", ci)
        require(True, "never shown")
        require("/usr/bin/something", "a truthy value counts as present")


def test_require_skips_saying_why_when_not_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="bubblewrap is not installed") as caught:
        require(False, "bubblewrap is not installed")
    assert "on CI" in str(caught.value)


def test_require_fails_saying_why_on_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing") as caught:
        require(None, "Chromium is missing")
    assert "CI=true" in str(caught.value)


def test_require_module_finds_an_installed_module_and_names_a_missing_one(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_module("numpy", "never shown")
    with pytest.raises(pytest.fail.Exception, match="no_such_module_xyz.sub is not installed"):
        require_module("no_such_module_xyz.sub", "pip install nothing")


def test_optional_and_not_applicable_skip_with_their_prefix(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.skip.Exception, match=f"^{OPTIONAL}torch"):
        optional("torch is not installed")
    with pytest.raises(pytest.skip.Exception, match=f"^{NOT_APPLICABLE}no widget"):
        not_applicable("no widget")


SAMPLE = '''
import pytest
from conftest import not_applicable, optional, require

def test_needs_something_missing():
    require(False, "the frobnicator is not installed")

def test_bare_skip():
    pytest.skip("skipped without saying whether it is allowed")

@pytest.mark.skipif(True, reason="a skip marker")
def test_skip_marker():
    pass

def test_optional_extra():
    optional("torch is not installed")

def test_not_applicable_case():
    not_applicable("this chapter has no widget")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False

def test_passes():
    pass
'''


def run_sample(pytester, monkeypatch, ci: str | None):
    pytester.makepyfile(test_sample=SAMPLE)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    return pytester.runpytest_subprocess("-p", "conftest", "-p", "no:cacheprovider", "-rA")


def test_a_test_run_reports_missing_requirements_as_skips_locally(pytester, monkeypatch):
    result = run_sample(pytester, monkeypatch, ci=None)
    result.assert_outcomes(passed=1, skipped=5, xfailed=1)
    result.stdout.fnmatch_lines(["*requirement missing: the frobnicator is not installed*"])


def test_a_test_run_on_ci_fails_every_skip_but_optional_and_not_applicable(pytester, monkeypatch):
    result = run_sample(pytester, monkeypatch, ci="true")
    result.assert_outcomes(passed=1, failed=2, errors=1, skipped=2, xfailed=1)  # marker: setup
    result.stdout.fnmatch_lines([
        "*CI=true, and this test cannot run: the frobnicator is not installed*",
        "*CI=true, and this test was skipped: skipped without saying whether it is allowed*",
    ])
    assert "CI=true, and this test was skipped: a skip marker" in result.stdout.str()
    assert result.ret != 0
