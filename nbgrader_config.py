"""nbgrader configuration for the course. Run every nbgrader command from the repository root.

Instructor sources with solutions and hidden tests live in solutions/<assignment>/ (generated from
the MyST source solutions/<assignment>/<assignment>.md by `python -m tools.exercises build`); the
student release is generated into exercises/<assignment>/ (committed). Everything students hand
in, the autograded copies, the feedback and the gradebook stay in grading/, which git ignores.
The instructor guide (book/instructors.md) walks through every command.
"""

import os

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# The course folder is the folder of this file (absolute, so nbgrader does not warn about it).
# grading/ is git-ignored, so a fresh clone lacks it; the gradebook cannot be created without it.
ROOT = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(ROOT, "grading"), exist_ok=True)

c.CourseDirectory.course_id = "nn-from-one-neuron"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "grading", "gradebook.db")
# solutions/<id>/<id>.md is the MyST source of the notebook beside it: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*.md"]

# Autograding puts back every test cell a student deleted (and restores edited ones from the
# gradebook, which nbgrader always does), so a deleted test still runs and still costs points.
c.OverwriteCells.add_missing_cells = True

# A cell that runs longer than this (seconds) is interrupted during autograding; the student
# loses that part's points and the rest of the notebook is still graded.
c.Execute.timeout = 60


class ClearHiddenTestTracebacks(Preprocessor):
    """Reduce errors of test cells that hold hidden tests to their message, for the feedback.

    ClearHiddenTests removes the hidden tests from a cell's source, but a failed check's
    traceback quotes the lines around it, hidden ones included. In a test cell with a hidden
    region, every error keeps only ``ExceptionName: message`` (the teaching message of the
    nnlib.checks helper); the quoted source is dropped. Must run before ClearHiddenTests.
    """

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        grade = cell.metadata.get("nbgrader", {}).get("grade")
        if cell.cell_type == "code" and grade and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name, message = output.get("ename", "Error"), output.get("evalue", "")
                    output["traceback"] = [f"{name}: {message}"]
        return cell, resources


# Feedback shows neither the hidden tests' source nor tracebacks that quote it.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ClearHiddenTestTracebacks,
    "nbgrader.preprocessors.ClearHiddenTests",
]
