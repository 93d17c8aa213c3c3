"""Self-checks for the exercises: assertions whose failure messages teach.

Every exercise notebook calls these in its visible checks and hidden tests. A failed check
raises ``AssertionError`` with a message that names what was checked, what was expected, what
was received (with shapes), and, where given, a hint about the usual mistake::

    >>> check_close(weighted_sum([1, 2], [3, 4], 0), 11.0, what="weighted_sum([1, 2], [3, 4], 0)")

Results are always converted with ``np.asarray(result, dtype=float)`` before comparing, so an
object that claims to be equal to everything cannot pass a check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["check_close", "check_shape", "check_equal", "check_true", "as_float_array",
           "using_reference", "student_side", "call_many"]


def _fmt(a: Any) -> str:
    """Short, readable text for a value in a failure message."""
    if isinstance(a, np.ndarray):
        with np.printoptions(precision=6, suppress=False, threshold=20, edgeitems=3):
            return f"{np.array2string(a, separator=', ')} (shape {a.shape})"
    return repr(a)


def _fail(what: str, detail: str, hint: str | None) -> None:
    message = f"{what}: {detail}"
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def as_float_array(got: Any, *, what: str = "result") -> np.ndarray:
    """Convert ``got`` to a float64 array, or fail with a message that says why it could not be.

    Returns an array of any shape; a Python number becomes a 0-d array (shape ``()``).
    """
    if got is None:
        _fail(what, "got None.", "did the function reach a `return` statement?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as err:
        _fail(what, f"expected numbers, got {type(got).__name__} {got!r:.80} ({err}).", None)
    return arr


def check_shape(got: Any, shape: tuple[int, ...], *, what: str = "result",
                hint: str | None = None) -> None:
    """Fail unless ``np.asarray(got, dtype=float).shape == shape``."""
    arr = as_float_array(got, what=what)
    if arr.shape != tuple(shape):
        _fail(what, f"expected shape {tuple(shape)}, got shape {arr.shape}.", hint)


def check_close(got: Any, expected: Any, *, what: str = "result", rtol: float = 1e-6,
                atol: float = 1e-9, hint: str | None = None) -> None:
    """Fail unless ``got`` has the shape of ``expected`` and every entry is close to it.

    Shapes must match exactly (a (3,) vector is not a (3, 1) column); values are compared
    with ``np.allclose(got, expected, rtol, atol)`` and NaN is never close to anything.
    """
    arr = as_float_array(got, what=what)
    exp = np.asarray(expected, dtype=float)
    if arr.shape != exp.shape:
        _fail(what, f"expected shape {exp.shape}, got shape {arr.shape}.\n"
                    f"  expected: {_fmt(exp)}\n  got:      {_fmt(arr)}", hint)
    if np.isnan(arr).any() and not np.isnan(exp).any():
        _fail(what, f"got NaN in the result.\n  expected: {_fmt(exp)}\n  got:      {_fmt(arr)}",
              hint or "NaN usually comes from inf - inf, 0 * inf or log(0): look for an overflow.")
    if not np.allclose(arr, exp, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(arr - exp)), exp.shape) if exp.shape else ()
        index = tuple(int(i) for i in worst)
        where = f" (largest difference at index {index})" if exp.shape else ""
        _fail(what, f"values differ{where}.\n  expected: {_fmt(exp if exp.shape else float(exp))}"
                    f"\n  got:      {_fmt(arr if arr.shape else float(arr))}", hint)


def check_equal(got: Any, expected: Any, *, what: str = "result", hint: str | None = None) -> None:
    """Fail unless ``got == expected`` for plain values (int, str, bool, tuple of those).

    The comparison is done on ``expected``'s type: ``got`` is converted with ``type(expected)``
    first, so an object with a permissive ``__eq__`` cannot pass.
    """
    kind = type(expected)
    try:
        converted = kind(got) if kind in (int, str, bool, float) else got
    except (TypeError, ValueError):
        _fail(what, f"expected {kind.__name__} like {expected!r}, got {type(got).__name__} "
                    f"{got!r:.80}.", hint)
    if kind in (int, float) and isinstance(got, (bool, np.bool_)):
        _fail(what, f"expected the number {expected!r}, got the boolean {got!r}.", hint)
    if kind is int and float(got) != int(got):
        _fail(what, f"expected the whole number {expected!r}, got {got!r}.", hint)
    if type(converted) is not kind or not expected == converted:  # expected's __eq__, not got's
        _fail(what, f"expected {expected!r}, got {got!r}.", hint)


def check_true(condition: Any, message: str, *, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` is a real ``True`` (``bool`` or ``np.bool_``)."""
    if not isinstance(condition, (bool, np.bool_)) or not bool(condition):
        _fail("check", message, hint)


@contextmanager
def using_reference(namespace: MutableMapping[str, Any],
                    **functions: Callable[..., Any]) -> Iterator[None]:
    """Run a block with some of the notebook's functions replaced by the book's versions.

    A test of one exercise part calls only that part's function. When that function uses the
    student's earlier parts (``train_perceptron`` calling ``predict``, say), the test runs it
    with correct versions of those earlier parts in their place, so that one mistake costs the
    points of one part only::

        with using_reference(globals(), predict=book_predict):
            w, b, errors = train_perceptron(X, y, epochs=10)

    ``namespace`` is the notebook's ``globals()``. The student's own functions are put back when
    the block ends, also when it fails; a name that did not exist before is removed again.
    """
    for name, function in functions.items():
        if not callable(function):
            raise TypeError(f"using_reference: {name} must be a function, got "
                            f"{type(function).__name__}.")
    missing = object()
    saved = {name: namespace.get(name, missing) for name in functions}
    namespace.update(functions)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = old


def student_side(expr: str, namespace: Mapping[str, Any]) -> Any:
    """The object ``expr`` builds from the notebook's names, for a test to hand to your function.

    In a notebook this is just ``eval(expr, namespace)``: ``student_side("np.random.default_rng(0)",
    globals())`` is a generator. When the course's grader runs the tests apart from your code,
    the object is built next to your code instead (tests can send your functions only plain data:
    numbers, strings, lists, dicts, numpy arrays), and passed to your function from there.
    """
    return eval(expr, dict(namespace))  # noqa: S307 (instructor code from a locked test cell)


def call_many(function: Callable[..., Any], calls: list[tuple]) -> list[Any]:
    """``[function(*args) for args in calls]``; the grader makes all the calls in one go."""
    return [function(*args) for args in calls]
