"""nbgrader configuration for the course. Run every nbgrader command from the repository root.

Instructor sources with solutions and hidden tests live in solutions/<assignment>/; the student
release is generated into exercises/<assignment>/ (committed). Everything students hand in, the
autograded copies, the feedback and the gradebook stay in grading/, which git ignores.
"""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "nn-from-one-neuron"
c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = "sqlite:///grading/gradebook.db"
# solutions/<id>/<id>.md is the MyST source of the notebook beside it: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*.md"]

# Feedback never shows hidden tests (their source or their tracebacks).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]
# A cell that runs longer than this is interrupted during autograding.
c.ExecutePreprocessor.timeout = 120
