"""CI's configuration: the workflow checks pull requests as it checks main, and publishes only main.

.github/workflows/pages.yml runs .ci/run (the README's set-up and test commands) for pushes to
main, pull requests and manual runs; only a push or a manual run uploads and deploys the site.
.ci/run reads both commands from README.md, each a single line after its marker. The set-up
makes the venv with ``$PYTHON``: .ci/pick_python.py's choice (python3, or a clearly faster
/usr/bin/python3), or on GitHub setup-python's interpreter.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
NOT_ON_PR = "github.event_name != 'pull_request'"


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_workflow_runs_on_pushes_to_main_pull_requests_and_by_hand():
    triggers = workflow()["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers and "workflow_dispatch" in triggers


def test_build_job_runs_ci_run_for_every_event():
    build = workflow()["jobs"]["build"]
    assert "if" not in build, "the build job must run for pull requests too"
    runs = [step.get("run", "") for step in build["steps"]]
    assert ".ci/run" in runs, f"the build job does not run .ci/run: {runs}"


def test_only_pushes_and_manual_runs_publish_the_site():
    data = workflow()
    deploy = data["jobs"]["deploy"]
    assert deploy.get("if") == NOT_ON_PR, "a pull request must not deploy the site"
    uploads = [step for step in data["jobs"]["build"]["steps"]
               if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert [step.get("if") for step in uploads] == [NOT_ON_PR]
    assert data["permissions"] == {"contents": "read"}, "pull requests get read-only rights"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def readme_command(name: str) -> str:
    """The README's command after the marker ``name`` as .ci/run reads it (its own function)."""
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    function = script.split("readme_command() {", 1)[1].split("\n}\n", 1)[0]
    proc = subprocess.run(["bash", "-c", f"readme_command() {{{function}\n}}\n"
                           f"readme_command {name}"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_ci_run_reads_single_line_commands_from_the_readme():
    commands = {name: readme_command(name) for name in ("setup", "test")}
    assert commands["test"].startswith(".venv/bin/python -m pytest"), commands
    assert "jupyter-book build --warningiserror" in commands["setup"], commands
    for name, command in commands.items():
        assert command.count("\n") == 1, f"README's {name} command must be one line: {command!r}"


def _pick_python():
    spec = importlib.util.spec_from_file_location("pick_python", REPO / ".ci" / "pick_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_setup_makes_the_venv_with_PYTHON_or_python3():
    setup = readme_command("setup")
    assert setup.startswith('"${PYTHON:-python3}" -m venv --clear .venv && '), setup
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    picked = script.index('PYTHON="$(python3 .ci/pick_python.py)"')
    assert "export PYTHON" in script[picked:], ".ci/run must export the interpreter it picked"
    assert picked < script.index('bash -euo pipefail -c "$SETUP_CMD"'), (
        ".ci/run must pick the interpreter before it runs the set-up command")


def test_workflow_makes_the_venv_with_setup_pythons_interpreter():
    steps = [step for step in workflow()["jobs"]["build"]["steps"] if step.get("run") == ".ci/run"]
    assert [step.get("env", {}).get("PYTHON") for step in steps] == ["python"], (
        "on GitHub the venv must come from actions/setup-python (PYTHON=python on the .ci/run "
        "step), not from whichever /usr/bin/python3 the runner has")


def test_pick_python_keeps_python3_unless_another_is_clearly_faster():
    pick = _pick_python()
    python3 = {"executable": "/opt/py/bin/python3.11", "version": [3, 11, 7], "seconds": 1.0}
    other = {"executable": "/usr/bin/python3.11", "version": [3, 11, 2]}
    system = "/usr/bin/python3"
    assert pick.choose(python3, {system: {**other, "seconds": 0.97}}) == "python3"
    assert pick.choose(python3, {system: {**other, "seconds": 0.80}}) == system
    assert pick.choose(python3, {system: {**other, "seconds": 1.30}}) == "python3"
    # the same program under two names, or one that cannot make a venv, is never taken
    assert pick.choose(python3, {system: {**python3, "seconds": 0.5}}) == "python3"
    unusable = {**other, "seconds": 0.5, "problem": "it cannot make a virtual environment"}
    assert pick.choose(python3, {system: unusable}) == "python3"
    # python3 itself unusable: the usable other one, whatever its time
    broken = {"problem": "cannot run it"}
    assert pick.choose(broken, {system: {**other, "seconds": 2.0}}) == system


def test_pick_python_prints_a_python_that_can_make_a_venv(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    proc = subprocess.run([sys.executable, str(REPO / ".ci" / "pick_python.py")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    chosen = proc.stdout.strip()
    assert chosen in ("python3", "/usr/bin/python3"), proc.stdout
    assert f"the virtual environment is made with {chosen}" in proc.stderr, proc.stderr
    made = subprocess.run([chosen, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr


def test_pick_python_keeps_a_given_PYTHON_and_refuses_a_wrong_one_saying_why(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable}
    script = str(REPO / ".ci" / "pick_python.py")
    kept = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True,
                          timeout=120)
    assert (kept.returncode, kept.stdout.strip()) == (0, sys.executable), kept.stderr
    missing = str(tmp_path / "no-such-python")
    refused = subprocess.run([sys.executable, script], env={**env, "PYTHON": missing},
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and refused.stdout == "", refused
    assert f"PYTHON={missing} cannot build" in refused.stderr, refused.stderr
    assert "Set PYTHON to a CPython 3.10+ interpreter, or unset it" in refused.stderr


def test_pick_python_times_each_interpreter_in_rounds_of_its_own(tmp_path):
    pick = _pick_python()
    alias = tmp_path / "python-alias"
    alias.symlink_to(sys.executable)
    candidates = {sys.executable: pick.probe(sys.executable), str(alias): pick.probe(str(alias))}
    assert all("problem" not in info for info in candidates.values()), candidates
    pick.measure(candidates)
    for command, info in candidates.items():
        assert 0 < info.get("seconds", 0) < 10, f"{command}: no time measured ({info})"
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    assert "exited with 3" in pick.probe(str(broken))["problem"]


def test_a_test_that_hangs_fails_with_every_threads_stack_and_the_run_goes_on(tmp_path):
    """pyproject.toml ends a test that runs longer than ``faulthandler_timeout`` (set-up and
    teardown included): the stacks of its worker's threads go to the log, the worker exits, and
    pytest-xdist reports the test failed and runs the others in a new worker. (Here the limit is
    2 s; the suite's is in pyproject.toml.) Without it one hang would stall CI until its own
    time limit, with no word of where."""
    (tmp_path / "test_stuck.py").write_text(
        "import time\n\n\ndef test_stuck():\n    time.sleep(300)\n\n\n"
        "def test_next():\n    pass\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir",
         str(tmp_path), "-p", "no:cacheprovider", "-n", "2", "-o", "faulthandler_timeout=2",
         str(tmp_path / "test_stuck.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert "Timeout (0:00:02)!" in out and 'test_stuck.py", line 5 in test_stuck' in out, (
        f"no stack of the stuck test in the output:\n{out[-3000:]}")
    assert proc.returncode == 1 and "1 failed, 1 passed" in out, (
        f"the stuck test did not fail, or the run did not go on:\n{out[-3000:]}")
