"""The exercises' self-checks pass right answers and fail wrong ones with teaching messages."""

import numpy as np
import pytest

from nnlib.checks import (
    as_float_array,
    call,
    check_close,
    check_equal,
    check_shape,
    check_true,
    check_unchanged,
)


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


def test_check_close_lists_the_worst_entries_first_and_never_prints_a_large_array_whole():
    expected = np.zeros((30, 30))
    got = expected.copy()
    got[3, 4], got[10, 1], got[0, 0], got[29, 29] = 0.5, -7.0, 1e-3, 2.0
    message = failure(check_close, got, expected, what="dense_forward(X, W, b)")
    assert "values differ in 4 of 900 entries (shape (30, 30))" in message
    lines = message.split("\n")
    assert "at index (10, 1): expected 0, got -7" in lines[1]
    assert "at index (29, 29)" in lines[2] and "at index (3, 4)" in lines[3]
    assert "... and 1 more." in message
    assert len(lines) <= 8 and len(message) < 600, message


def test_check_close_compares_tiny_values_relatively_when_asked():
    check_close(1e-300, 0.0)  # the default atol accepts a tiny absolute error
    message = failure(check_close, 1e-300, 2e-300, rtol=1e-6, atol=0, what="sigmoid(-690)")
    assert "expected: 2e-300" in message and "got:      1e-300" in message


def test_check_close_says_a_tuple_was_returned_where_one_array_was_expected():
    message = failure(check_close, (np.zeros(2), 0.5), [0.0, 0.0], what="perceptron_update")
    assert "tuple of 2 item(s)" in message and "shapes [(2,), ()]" in message
    assert "several values" in message


def test_check_close_names_a_none_inside_a_returned_tuple():
    message = failure(check_close, (1.0, None), [1.0, 2.0], what="compute_optimal(120)")
    assert "one of them None" in message


def test_check_equal_says_none_and_text_for_a_string_answer():
    assert "got None" in failure(check_equal, None, "red", what="predict_colour")
    message = failure(check_equal, 3, "red", what="predict_colour")
    assert "expected the text 'red', got int 3" in message


def test_check_unchanged_says_the_function_changed_its_input():
    before = np.array([-1.0, 1.0, -2.0])
    after = np.array([0.0, 1.0, 0.0])
    message = failure(check_unchanged, before, after, what="x after relu(x)")
    assert "your function changed its input in place" in message
    assert "entries changed in 2 of 3 entries" in message
    assert "at index (2,): before -2, after 0" in message
    check_unchanged(before, before.copy())
    check_unchanged([1, [2, 3]], [1, [2, 3]])
    assert "changed its input" in failure(check_unchanged, [1, 2], [1, 2, 3])


def test_call_returns_the_result_of_a_correct_function():
    def weighted_sum(x, w, b):
        return float(np.dot(x, w) + b)

    assert call(weighted_sum, [1, 2], [3, 4], b=0.5) == 11.5


def test_call_turns_a_list_error_into_a_message_about_lists():
    def weighted_sum(x, w, b):
        return float(x @ w + b)

    message = failure(call, weighted_sum, [1, 2], [3, 4], 0.5)
    assert message.startswith("weighted_sum([1, 2], [3, 4], 0.5) raised TypeError")
    assert "of type float, list" in message
    assert "np.asarray(x, dtype=float)" in message


def test_call_explains_the_ambiguous_truth_value_of_an_array():
    def relu(x):
        return x if x > 0 else 0.0

    message = failure(call, relu, np.array([-1.0, 2.0]))
    assert message.startswith("relu(np.array([-1.0, 2.0])) raised ValueError")
    assert "np.where" in message and "element by element" in message


def test_call_explains_an_attribute_error_on_a_list_and_a_missing_part():
    def mse_grad(pred, target):
        return 2 * (np.asarray(pred) - target) / pred.size

    message = failure(call, mse_grad, [1.0], [0.0])
    assert "raised AttributeError: 'list' object has no attribute 'size'" in message
    assert "np.asarray(x, dtype=float)" in message

    def unwritten(x):
        raise NotImplementedError()

    assert "not written yet" in failure(call, unwritten, 1.0)


def test_call_explains_an_overflow_warning_raised_as_an_error():
    import warnings

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = failure(call, sigmoid, np.array([-1000.0]))
    assert "raised RuntimeWarning: overflow" in message and "exp(-|x|)" in message


def test_call_fails_when_the_function_changes_its_input_in_place():
    def relu(x):
        x[x < 0] = 0.0
        return x

    x = np.array([-1.0, 2.0])
    message = failure(call, relu, x)
    assert ("relu(np.array([-1.0, 2.0])): the argument x: your function changed its input"
            in message)
    assert "at index (0,): before -1, after 0" in message

    def update(w, lr=1.0):
        w += lr
        return w

    message = failure(call, update, np.zeros(2), lr=np.float64(0.5))
    assert "changed its input" in message


def test_call_lets_an_assertion_of_the_function_through_and_shortens_large_arguments():
    def checks_itself(x):
        raise AssertionError("a check inside")

    assert failure(call, checks_itself, np.zeros((20, 20))) == "a check inside"

    def broken(x):
        return x[100]

    message = failure(call, broken, np.zeros((20, 20)))
    assert message.startswith("broken(<array of shape (20, 20)>) raised IndexError")
