"""ruff, the linter, finds nothing in the repository (at the version requirements.txt pins).

``ruff check .`` runs as part of the test command, with the rules of pyproject.toml ([tool.ruff]),
so a lint error fails the suite (and CI) with ruff's own report. Contributors can run the same
check before each commit with pre-commit (.pre-commit-config.yaml, pinned to the same version).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def pinned(requirement: str) -> str:
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{requirement}==(\S+)$", text, re.MULTILINE)
    assert match, f"requirements.txt does not pin {requirement} (expected {requirement}==X.Y.Z)"
    return match.group(1)


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_installed_ruff_is_the_pinned_version():
    version = ruff("--version")
    assert version.returncode == 0, f"ruff is not installed: {version.stderr}"
    assert version.stdout.split() == ["ruff", pinned("ruff")], (
        f"this environment has {version.stdout.strip()}, requirements.txt pins "
        f"ruff=={pinned('ruff')}: pip install -r requirements.txt"
    )


def test_ruff_check_finds_nothing_in_the_repository():
    proc = ruff("check", ".", "--no-cache", "--output-format", "concise")
    assert proc.returncode == 0, (
        "ruff check . found problems (fix them, or run `ruff check --fix .`):\n"
        + proc.stdout + proc.stderr
    )


def test_ruff_check_reports_a_planted_error(tmp_path):
    # The check above can fail: ruff with this configuration flags an unused import.
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n", encoding="utf-8")
    proc = ruff("check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(planted))
    assert proc.returncode == 1 and "F401" in proc.stdout, proc.stdout + proc.stderr


def test_pre_commit_hook_runs_the_pinned_ruff():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    repos = {repo["repo"]: repo for repo in config["repos"]}
    ruff_repo = repos.get("https://github.com/astral-sh/ruff-pre-commit")
    assert ruff_repo, ".pre-commit-config.yaml has no ruff-pre-commit hook"
    assert ruff_repo["rev"] == f"v{pinned('ruff')}", (
        f".pre-commit-config.yaml runs ruff {ruff_repo['rev']}, requirements.txt pins "
        f"{pinned('ruff')}: keep them the same"
    )
    assert "ruff" in [hook["id"] for hook in ruff_repo["hooks"]]
