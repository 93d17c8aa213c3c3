"""nnlib.checks.using_reference: tests run a student's function with the book's earlier parts."""

import pytest

from nnlib.checks import using_reference


def test_replaces_names_inside_the_block_and_restores_them_after():
    ns = {"step": "student's step"}

    def book_step(z):
        return 1.0

    with using_reference(ns, step=book_step):
        assert ns["step"] is book_step
    assert ns["step"] == "student's step"


def test_restores_even_when_the_block_fails():
    ns = {"predict": "student's predict"}
    with pytest.raises(AssertionError), using_reference(ns, predict=len):
        raise AssertionError("a failed check")
    assert ns["predict"] == "student's predict"


def test_a_name_that_did_not_exist_is_removed_again():
    ns = {}
    with using_reference(ns, predict=len):
        assert ns["predict"] is len
    assert "predict" not in ns


def test_a_function_looking_up_a_global_sees_the_reference_inside_the_block():
    ns = {}
    exec("def helper(z):\n    return 'student'\n"
         "def uses_helper(z):\n    return helper(z)\n", ns)
    with using_reference(ns, helper=lambda z: "book"):
        assert ns["uses_helper"](0) == "book"
    assert ns["uses_helper"](0) == "student"


def test_rejects_something_that_is_not_a_function():
    with pytest.raises(TypeError, match="step must be a function"):
        with using_reference({}, step=3):
            pass
