"""Fast checks of the pieces nbgrader_config.py plugs into nbgrader for the instructor guide's
workflow (the whole workflow runs in tests/test_instructor_workflow.py, marked slow):
returning feedback beside hand-ins placed by hand, feedback pages' own MathJax, and the uid the
sandbox line names."""

from __future__ import annotations

import re

import pytest

from tools.grader import exchange, offline_mathjax, sandbox


def test_hand_placed_names_feedback_folders_without_the_exchange_files(tmp_path):
    for student, files in {"alice": ["ch01.html", "timestamp.txt", "submission_secret.txt"],
                           "carol": ["ch01.html"],
                           "dave": ["ch01.html", "timestamp.txt"],
                           "erin": []}.items():
        folder = tmp_path / "feedback" / student / "ch01"
        folder.mkdir(parents=True)
        for name in files:
            (folder / name).write_text("x")
    found = exchange.hand_placed(str(tmp_path / "feedback" / "*" / "ch01"))
    assert found == ["carol", "dave"]  # erin has no page to release, alice came via the exchange
    assert exchange.hand_placed(str(tmp_path / "feedback" / "alice" / "ch01")) == []


def test_feedback_mathjax_is_inline_and_cannot_close_its_script_element():
    html = offline_mathjax.mathjax_script()
    if not offline_mathjax.SCRIPT.is_file():
        pytest.fail(f"{offline_mathjax.SCRIPT} is missing: run npm ci")
    assert not re.search(r"<script[^>]*\bsrc=", html)  # nothing loaded from anywhere
    body = html.split("<script>\n", 1)[1].rsplit("\n</script>", 1)[0]
    assert len(body) > 1_000_000 and not re.search(r"</script", body, re.IGNORECASE)
    assert '"tags": "ams"' in html and "window.MathJax" in html


def test_feedback_mathjax_falls_back_to_a_cdn_with_a_warning_without_npm_ci(monkeypatch,
                                                                            tmp_path):
    monkeypatch.setattr(offline_mathjax, "SCRIPT", tmp_path / "missing.js")
    offline_mathjax._script_text.cache_clear()
    try:
        with pytest.warns(UserWarning, match="npm ci"):
            html = offline_mathjax.mathjax_script()
    finally:
        offline_mathjax._script_text.cache_clear()
    assert offline_mathjax.CDN_FALLBACK in html


@pytest.mark.parametrize("uid, warm, workers, says", [
    (61000, True, 2, "uid 65534 in a user namespace (uid 61000–61001 outside it, one per worker)"),
    (61000, False, 2, "uid 61000–61001 (one per worker)"),
    (61000, False, 1, "uid 61000 (one per worker)"),
    (None, True, 2, "uid 65534 in a user namespace (your uid"),
    (None, False, 2, "uid 65534 in a user namespace (your uid"),
])
def test_sandbox_line_says_which_uid_student_code_runs_as(uid, warm, workers, says):
    line = sandbox.describe(sandbox.Limits(), uid, warm=warm, workers=workers)
    assert line.startswith("sandbox: ") and says in line
