"""Returning feedback when some hand-ins came through the exchange and others by hand.

nbgrader's ``release_feedback`` (its local exchange) returns each student's feedback page under
a name made from the secret that ``nbgrader submit`` put beside the hand-in
(``submission_secret.txt``), and reads the hand-in's ``timestamp.txt``. A hand-in that did not
come through the exchange (the instructor guide's learning-management-system route: the
instructor puts it into ``grading/submitted/<student>/<assignment>/``) has neither, so stock
nbgrader stops with ``FileNotFoundError`` at that student, and the students after them get no
feedback either. Such a student could not fetch feedback from the exchange anyway: they never
submitted to it.

:class:`ReleaseFeedback` is nbgrader's own class with one change: it leaves those students out,
says so (the instructor returns their ``<notebook>.html`` by hand, the way the hand-in came) and
releases everyone else's. ``nbgrader_config.py`` makes it the exchange's ``release_feedback``, so
``nbgrader release_feedback`` and the Formgrader's *Release feedback* buttons both use it.
"""

from __future__ import annotations

import glob
import os

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

# what `nbgrader submit` puts beside a hand-in, and `nbgrader collect` and the feedback keep
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def hand_placed(src_path: str) -> list[str]:
    """Students under ``src_path`` (``<feedback>/<student or *>/<assignment>``) whose feedback
    folder has a page but not the files a hand-in through the exchange brings."""
    students = []
    for folder in sorted(glob.glob(src_path)):
        if glob.glob(os.path.join(glob.escape(folder), "*.html")) and not all(
                os.path.isfile(os.path.join(folder, name)) for name in EXCHANGE_FILES):
            students.append(os.path.basename(os.path.dirname(os.path.normpath(folder))))
    return students


class ReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's ``release_feedback`` that leaves out, and names, hand-ins placed by hand."""

    def copy_files(self):
        by_hand = hand_placed(self.src_path)
        if not by_hand:
            return super().copy_files()
        for student in by_hand:
            page = os.path.join(self.coursedir.format_path(
                self.coursedir.feedback_directory, student, self.coursedir.assignment_id), "")
            self.log.warning(
                "Not releasing feedback for student '%s': their hand-in was placed by hand, "
                "not submitted through the exchange (no %s), so they cannot fetch feedback "
                "from it. Give them the page(s) in %s yourself.", student,
                " or ".join(EXCHANGE_FILES), page)
        saved = self.coursedir.student_id_exclude
        excluded = {s for s in (saved or "").split(",") if s} | set(by_hand)
        self.coursedir.student_id_exclude = ",".join(sorted(excluded))
        try:
            return super().copy_files()
        finally:
            self.coursedir.student_id_exclude = saved
