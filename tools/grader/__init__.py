"""Grading a whole class safely: sandboxed, resource-limited, parallel autograding.

``python -m tools.grader autograde|feedback|report`` (:mod:`tools.grader.__main__`). Modules:
:mod:`~tools.grader.submission` (taking hand-ins in as data, tamper detection against the
release), :mod:`~tools.grader.sandbox` (the bubblewrap kernel), :mod:`~tools.grader.launcher`
(runs inside it), :mod:`~tools.grader.zygote` (warm kernels forked in the sandbox),
:mod:`~tools.grader.executor` (nbgrader's Execute, hardened), :mod:`~tools.grader.trusted` and
:mod:`~tools.grader.codec` (test cells run apart from the student's kernel; only plain data
crosses), :mod:`~tools.grader.answerkey` (hand-ins that use nnlib's version of a part),
:mod:`~tools.grader.run` (workers, gradebook merge, progress, summary),
:mod:`~tools.grader.report` (grades CSV, HTML report, feedback) and
:mod:`~tools.grader.feedback` (the feedback preprocessors ``nbgrader_config.py`` lists).
"""
