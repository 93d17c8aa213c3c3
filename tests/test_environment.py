"""The environment requirements.txt installs keeps every Jupyter process quick to start.

jsonschema (imported by nbformat, so by nbgrader, nbconvert, the grader and JupyterLab) checks
IRIs with ``rfc3987`` when that is installed and otherwise imports ``rfc3987_syntax``, which
builds about 35 Earley parsers at import: about 2 s of CPU in every such process. The suite
starts hundreds of them, and an instructor's every nbgrader command pays it too.
"""

from __future__ import annotations

import subprocess
import sys


def test_importing_nbformat_does_not_build_the_rfc3987_syntax_parsers():
    probe = ("import sys, nbformat, jsonschema._format; "
             "print('rfc3987_syntax' in sys.modules, 'rfc3987' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"], (
        "importing nbformat loaded rfc3987_syntax (about 2 s of CPU per process) instead of "
        f"rfc3987: (rfc3987_syntax loaded, rfc3987 loaded) = {out}. "
        "Install requirements.txt, which pins rfc3987.")
