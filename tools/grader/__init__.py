"""Grading a whole class safely: sandboxed, resource-limited, parallel autograding (tools.grader).

Modules: :mod:`~tools.grader.sandbox` (the bubblewrap kernel), :mod:`~tools.grader.launcher`
(runs inside it), :mod:`~tools.grader.executor` (nbgrader's Execute, hardened),
:mod:`~tools.grader.submission` (reading hand-ins, tamper detection against the release),
:mod:`~tools.grader.run` (workers, gradebook merge, progress, summary) and
:mod:`~tools.grader.report` (grades CSV, HTML report, feedback without hidden tests).
"""
