"""CI's configuration: the workflow checks pull requests as it checks main, and publishes only main.

.github/workflows/pages.yml runs .ci/run (the README's set-up and test commands) for pushes to
main, pull requests and manual runs; only a push or a manual run uploads and deploys the site.
.ci/run reads both commands from README.md, each a single line after its marker.
"""

from __future__ import annotations

import subprocess
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


def test_ci_run_reads_single_line_commands_from_the_readme():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    function = script.split("readme_command() {", 1)[1].split("\n}\n", 1)[0]
    commands = {}
    for name in ("setup", "test"):
        proc = subprocess.run(["bash", "-c", f"readme_command() {{{function}\n}}\n"
                               f"readme_command {name}"], cwd=REPO, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        commands[name] = proc.stdout
    assert commands["test"].startswith(".venv/bin/python -m pytest"), commands
    assert "jupyter-book build --warningiserror" in commands["setup"], commands
    for name, command in commands.items():
        assert command.count("\n") == 1, f"README's {name} command must be one line: {command!r}"
