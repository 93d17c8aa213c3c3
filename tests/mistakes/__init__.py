"""Typical mistakes of each exercise set, graded through the real nbgrader CLI.

One file per exercise set: ``tests/mistakes/<id>.py`` for ``solutions/<id>/<id>.md``. Its
presence is what puts the set into ``tests/test_grading_roundtrip.py`` (the file is loaded by
path, so it needs no imports). It defines one list, ``MISTAKES``, of dicts::

    MISTAKES = [
        dict(
            name="weighted_sum forgets the bias",   # what the student got wrong (test id)
            cell="weighted_sum",                    # grade_id of the solution cell replaced
            code="def weighted_sum(x, w, b):\\n    return float(np.dot(x, w))\\n",
            loses=["weighted_sum_test"],            # test cells that must score 0
        ),
        ...
    ]

``cell`` is the grade_id of a solution cell (code, or a written-answer markdown cell); ``code``
is the whole new source of that cell, exactly what the student typed (no BEGIN/END SOLUTION
markers, no imports: the locked import cell has run); ``loses`` lists the grade_ids of the
auto-graded test cells (``<part>_test``) that must score 0. Every other auto-graded test cell
must keep its full points; that is how the round trip proves that one mistake costs exactly one
part. A mistake in a written answer has ``loses=[]`` (written answers are graded by hand).

A mistake may also have ``says``: a piece of text that the failure message of its test cell
must contain (the hint that names this mistake), so that the round trip also proves the message
points at the mistake actually made.

Each file may also define ``CORRECT_VARIANTS``: dicts with ``name``, ``cell`` and ``code`` like
a mistake, but correct answers written in another style (a loop instead of vectorised code,
lists instead of arrays where the prompt allows them, numpy scalars instead of floats). The round
trip submits each one and asserts full marks.

The round trip submits the release with every solution cell filled with the instructor's
solution, except ``cell``, which gets ``code``, in a hand-in it shares with mistakes and correct
variants of other cells (tests/mistake_packs.py: each test cell of such a hand-in depends on one
of them at most, which a trace of the hand-in checks); autogrades all submissions in one
``nbgrader autograde`` run; and compares the per-cell scores in the gradebook with ``loses``.

Guidelines: at least one mistake per auto-graded part; take them from the hidden tests' purpose
(missing bias, ``>`` instead of ``>=``, wrong sign, wrong shape, a returned list instead of an
array); keep each one realistic (code a student would write, not ``return None``); a mistake
must not loop forever or take more than a few seconds.
"""
