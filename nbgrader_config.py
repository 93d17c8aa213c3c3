"""nbgrader configuration for the course. Run every nbgrader command from the repository root.

Instructor sources with solutions and hidden tests live in solutions/<assignment>/ (generated from
the MyST source solutions/<assignment>/<assignment>.md by `python -m tools.exercises build`); the
student release is generated into exercises/<assignment>/ (committed). Everything students hand
in, the autograded copies, the feedback and the gradebook stay in grading/, which git ignores.
The instructor guide (book/instructors.md) walks through every command.
"""

import os
import sys

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
# `nbgrader export` writes the grades here, beside the gradebook, never into the repository
# root where one `git add .` would publish them.
c.ExportPlugin.to = os.path.join(ROOT, "grading", "grades.csv")

# The exchange: the folder, writable by every account, through which notebooks are released,
# submitted, collected and returned. Set here, so the command line and the Formgrader (which
# reads this file) use the same one; students' accounts need the same path in their own
# nbgrader configuration (book/instructors.md). NBGRADER_EXCHANGE_ROOT, when set, overrides it.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT") or "/srv/nbgrader/exchange"
# solutions/<id>/<id>.md is the MyST source of the notebook beside it: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*.md"]

# Autograding puts back every test cell a student deleted (and restores edited ones from the
# gradebook, which nbgrader always does), so a deleted test still runs and still costs points.
c.OverwriteCells.add_missing_cells = True

# A cell that runs longer than this (seconds) is interrupted during autograding; the student
# loses that part's points and the rest of the notebook is still graded.
c.Execute.timeout = 60


def _course_tools_on_path() -> None:
    """Make ``tools`` importable: from this course folder, or from the repository nnlib is
    installed from (a course made elsewhere from this repository, as the tests do)."""
    folders = [ROOT]
    try:
        import nnlib

        folders.append(os.path.dirname(os.path.dirname(os.path.abspath(nnlib.__file__))))
    except ImportError:
        pass
    for folder in folders:
        if os.path.isfile(os.path.join(folder, "tools", "grader", "feedback.py")):
            if folder not in sys.path:
                sys.path.insert(0, folder)
            return
    raise ImportError(f"nbgrader_config.py needs the course's tools/ folder; looked in {folders}")


_course_tools_on_path()
from tools.grader.feedback import ClearHiddenTestTracebacks, ScrubHiddenTestLines  # noqa: E402

# Feedback shows neither the hidden tests' source, nor tracebacks that quote it, nor an output
# line that quotes it.
# Both scrubbers live in tools/grader/feedback.py; stock `nbgrader generate_feedback` and
# `python -m tools.grader feedback` use this same list.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ScrubHiddenTestLines,
    ClearHiddenTestTracebacks,
    "nbgrader.preprocessors.ClearHiddenTests",
]

# Feedback pages and the Formgrader's page for grading a submission by hand carry the course's
# own MathJax (npm's mathjax, as on the website), so their formulas render with no internet;
# nbgrader's templates would load MathJax from a CDN. The Formgrader reads this file from the
# course folder (CourseDirectory.root) and renders its grading page with these settings too
# (tools/grader/offline_mathjax.py says why the page carries MathJax inside).
import nbgrader  # noqa: E402

from tools.grader.offline_mathjax import TEMPLATES, mathjax_script  # noqa: E402

c.HTMLExporter.extra_template_basedirs = [
    str(TEMPLATES),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader",
                 "templates"),
]
c.HTMLExporter.filters = {"course_mathjax": mathjax_script}

# Returning feedback leaves out, and names, the hand-ins that did not come through the exchange
# (placed into grading/submitted/ by hand): stock nbgrader stops at the first of them with
# FileNotFoundError. tools/grader/exchange.py says why; the Formgrader's buttons use it too.
from tools.grader.exchange import ReleaseFeedback  # noqa: E402

c.ExchangeFactory.release_feedback = ReleaseFeedback
