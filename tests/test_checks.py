"""The exercises' self-checks pass right answers and fail wrong ones with teaching messages."""

import numpy as np
import pytest

from nnlib.checks import as_float_array, check_close, check_equal, check_shape, check_true


class EqualsEverything:
    """What a student might return to fool a naive ``==`` test."""

    def __eq__(self, other):
        return True

    __hash__ = None


def failure(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as err:
        check(*args, **kwargs)
    return str(err.value)


def test_check_close_passes_equal_numbers_lists_and_arrays():
    check_close(0.98, 0.98)
    check_close([4, 10], np.array([4.0, 10.0]))
    check_close(np.float32(0.5), 0.5)


def test_check_close_message_names_what_expected_got_and_hint():
    message = failure(check_close, [1.0, 2.0], [1.0, 3.0], what="dense_forward(x, W, b)",
                      hint="did you add the bias?")
    assert message.startswith("dense_forward(x, W, b): values differ")
    assert "index (1,)" in message
    assert "expected: [1., 3.]" in message and "got:      [1., 2.]" in message
    assert message.endswith("Hint: did you add the bias?")


def test_check_close_refuses_a_column_where_a_vector_is_expected():
    message = failure(check_close, np.ones((3, 1)), np.ones(3), what="predict(X)")
    assert "expected shape (3,), got shape (3, 1)" in message


def test_check_close_reports_nan_with_an_overflow_hint():
    message = failure(check_close, [np.nan], [1.0], what="sigmoid(-1000)")
    assert "NaN" in message and "overflow" in message


def test_checks_refuse_an_object_that_claims_to_equal_everything():
    assert "expected numbers, got EqualsEverything" in failure(check_close, EqualsEverything(), 1)
    assert "expected int like 3" in failure(check_equal, EqualsEverything(), 3)


def test_check_close_says_when_the_function_returned_none():
    message = failure(check_close, None, 1.0, what="weighted_sum(x, w, 0)")
    assert "got None" in message and "return" in message


def test_check_equal_compares_on_the_expected_type():
    check_equal(np.int64(26), 26)
    check_equal("red", "red")
    assert "expected 26, got 27" in failure(check_equal, 27, 26, what="count_parameters")
    assert "whole number" in failure(check_equal, 26.5, 26)
    assert "boolean" in failure(check_equal, True, 1)


def test_check_shape_and_check_true():
    check_shape(np.zeros((5, 2)), (5, 2))
    assert "expected shape (5, 2), got shape (2, 5)" in failure(check_shape, np.zeros((2, 5)),
                                                                (5, 2))
    check_true(np.bool_(True), "fine")
    assert "rows must sum to 1" in failure(check_true, False, "rows must sum to 1")
    assert "rows must sum to 1" in failure(check_true, EqualsEverything(), "rows must sum to 1")


def test_as_float_array_gives_float64_of_the_same_shape():
    arr = as_float_array([[1, 2], [3, 4]])
    assert arr.dtype == np.float64 and arr.shape == (2, 2)
    assert as_float_array(3).shape == ()
