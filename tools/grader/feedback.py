"""The feedback's two scrubbers, as nbgrader preprocessors (one place, used by every path).

nbgrader_config.py puts both into ``GenerateFeedback.preprocessors``, before nbgrader's own
``ClearHiddenTests``, so stock ``nbgrader generate_feedback`` and ``python -m tools.grader
feedback`` (which runs nbgrader's generate_feedback with the course's configuration) make the
same pages:

- :class:`ScrubHiddenTestLines` replaces every output line, in any cell and any text output,
  that quotes a line of a hidden-test region. With tests run apart from the student's code
  (tools/grader/trusted.py) the kernel never sees a test, so this is a second line of defence:
  it matters for notebooks graded by stock nbgrader, where tests and student code share a kernel.
- :class:`ClearHiddenTestTracebacks` reduces every error of a test cell holding hidden tests to
  ``ExceptionName: message`` (the teaching message of the nnlib.checks helper): a traceback
  quotes the lines around the failed check, hidden ones included.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HIDDEN_NOTE = "[grader: a line of the hidden tests was removed here]"


def hidden_lines(nb) -> tuple[set[str], set[str]]:
    """(whole lines, long lines) of the hidden-test regions that appear nowhere else."""
    from tools import exercises

    lines = exercises.hidden_test_lines(nb)
    return lines, {line for line in lines if len(line) >= exercises.SUBSTRING_MIN}


def scrub(text: str, lines: set[str], long: set[str]) -> str:
    out = []
    for line in text.split("\n"):
        plain = ANSI.sub("", line)
        if plain.strip() in lines or any(h in plain for h in long):
            out.append(HIDDEN_NOTE)
        else:
            out.append(line)
    return "\n".join(out)


class ScrubHiddenTestLines(Preprocessor):
    """Replace every output line that quotes a hidden test (any cell, any output kind)."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        lines, long = hidden_lines(nb)
        if not lines:
            return nb, resources
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if "text" in out:
                    out["text"] = scrub(str(out["text"]), lines, long)
                if "evalue" in out:
                    out["evalue"] = scrub(str(out["evalue"]), lines, long)
                if "traceback" in out:
                    out["traceback"] = [scrub(str(t), lines, long) for t in out["traceback"]]
                for key, value in out.get("data", {}).items():
                    if isinstance(value, str) and (not key.startswith("image/")
                                                   or key == "image/svg+xml"):
                        out["data"][key] = scrub(value, lines, long)
        return nb, resources


class ClearHiddenTestTracebacks(Preprocessor):
    """Reduce errors of test cells that hold hidden tests to their message (before
    ClearHiddenTests, which removes the hidden region and with it the marker this looks for)."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        grade = cell.metadata.get("nbgrader", {}).get("grade")
        if cell.cell_type == "code" and grade and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name, message = output.get("ename", "Error"), output.get("evalue", "")
                    output["traceback"] = [f"{name}: {message}"]
        return cell, resources
