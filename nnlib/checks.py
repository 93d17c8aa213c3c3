"""Self-checks for the exercises: assertions whose failure messages teach.

Every exercise notebook calls these in its visible checks and hidden tests. A failed check
raises ``AssertionError`` with a message that names what was checked, what was expected, what
was received (with shapes), and, where given, a hint about the usual mistake::

    >>> check_close(weighted_sum([1, 2], [3, 4], 0), 11.0, what="weighted_sum([1, 2], [3, 4], 0)")

Results are always converted with ``np.asarray(result, dtype=float)`` before comparing, so an
object that claims to be equal to everything cannot pass a check. When two arrays differ, the
message lists the entries that differ most first, then a short summary; large arrays are never
printed whole.

:func:`call` runs a student's function the way a test should: it names the call in every
message, turns the errors a student typically causes (a list where an array was expected, an
``if`` on a whole array, ...) into a message that says what was passed and what to do, and
fails when the function changed one of its inputs in place.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["check_close", "check_shape", "check_equal", "check_true", "check_unchanged",
           "as_float_array", "call", "using_reference", "student_side", "call_many"]

_SHOW_WHOLE = 12  # arrays with at most this many entries are printed whole in a message
_WORST = 3  # how many of the differing entries a message lists


def _fmt(a: Any) -> str:
    """Short, readable text for a value in a failure message (rows line up under a label)."""
    if isinstance(a, np.ndarray):
        with np.printoptions(precision=6, suppress=False, threshold=_SHOW_WHOLE, edgeitems=2):
            text = np.array2string(a, separator=", ", prefix=" " * 12)
            return f"{text} (shape {a.shape})"
    return repr(a)


def _fmt_number(x: float) -> str:
    return f"{x:.7g}"


def _fail(what: str, detail: str, hint: str | None) -> None:
    message = f"{what}: {detail}"
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def _describe(got: Any) -> str:
    """What kind of value ``got`` is, in a few words (for messages about wrong types)."""
    if isinstance(got, (tuple, list)):
        kinds = sorted({type(item).__name__ for item in got})
        return f"a {type(got).__name__} of {len(got)} item(s) ({', '.join(kinds) or 'empty'})"
    if isinstance(got, np.ndarray):
        return f"a numpy array of dtype {got.dtype} and shape {got.shape}"
    return f"{type(got).__name__} {got!r:.80}"


def as_float_array(got: Any, *, what: str = "result") -> np.ndarray:
    """Convert ``got`` to a float64 array, or fail with a message that says why it could not be.

    Returns an array of any shape; a Python number becomes a 0-d array (shape ``()``).
    """
    if got is None:
        _fail(what, "got None.", "did the function reach a `return` statement?")
    if isinstance(got, (tuple, list)) and any(item is None for item in got):
        _fail(what, f"got {_describe(got)}, one of them None.",
              "did every value you return get computed (no `return x, None`)?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as err:
        if isinstance(got, (tuple, list)) and "inhomogeneous" in str(err):
            shapes = [np.shape(item) for item in got]
            _fail(what, f"expected numbers of one shape, got {_describe(got)} whose items have "
                        f"the shapes {shapes}.",
                  "did you return several values (a tuple) where one array was expected, or "
                  "rows of different lengths?")
        _fail(what, f"expected numbers, got {_describe(got)} ({err}).", None)
    return arr


def check_shape(got: Any, shape: tuple[int, ...], *, what: str = "result",
                hint: str | None = None) -> None:
    """Fail unless ``np.asarray(got, dtype=float).shape == shape``."""
    arr = as_float_array(got, what=what)
    if arr.shape != tuple(shape):
        _fail(what, f"expected shape {tuple(shape)}, got shape {arr.shape}.", hint)


def _differences(arr: np.ndarray, exp: np.ndarray, rtol: float, atol: float,
                 words: tuple[str, str, str] = ("values differ", "expected", "got")) -> str:
    """The entries of ``arr`` that are not close to ``exp``, worst first, and a summary.

    ``words``: the headline and the names of ``exp`` and ``arr`` in the message.
    """
    headline, exp_word, got_word = words
    width = max(len(exp_word), len(got_word)) + 1  # labels line up: "expected: " / "got:      "
    exp_label, got_label = f"{exp_word}:".ljust(width), f"{got_word}:".ljust(width)
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isclose(arr, exp, rtol=rtol, atol=atol)
        error = np.abs(arr - exp)
    error = np.where(np.isnan(error), np.inf, error)  # NaN or inf - inf: worst of all
    if not exp.shape:
        return (f"{headline}.\n  {exp_label} "
                f"{_fmt_number(float(exp))}\n  {got_label} "
                f"{_fmt_number(float(arr))}")
    order = np.argsort(-np.where(bad, error, -1.0), axis=None, kind="stable")
    n_bad = int(bad.sum())
    lines = [f"{headline} in {n_bad} of {exp.size} entries (shape {exp.shape}); "
             f"{'the largest differences' if n_bad > 1 else 'the difference'}:"]
    for flat in order[:min(_WORST, n_bad)]:
        index = tuple(int(i) for i in np.unravel_index(flat, exp.shape))
        lines.append(f"  at index {index}: {exp_word} {_fmt_number(float(exp[index]))}, "
                     f"{got_word} {_fmt_number(float(arr[index]))}")
    if n_bad > _WORST:
        lines.append(f"  ... and {n_bad - _WORST} more.")
    if exp.size <= _SHOW_WHOLE:
        lines.append(f"  {exp_label} {_fmt(exp)}\n"
                     f"  {got_label} {_fmt(arr)}")
    else:
        finite = arr[np.isfinite(arr)]
        if finite.size:
            lines.append(f"  {got_word}: from {_fmt_number(float(finite.min()))} to "
                         f"{_fmt_number(float(finite.max()))}; {exp_word}: from "
                         f"{_fmt_number(float(np.nanmin(exp)))} to "
                         f"{_fmt_number(float(np.nanmax(exp)))}.")
    return "\n".join(lines)


def check_close(got: Any, expected: Any, *, what: str = "result", rtol: float = 1e-6,
                atol: float = 1e-9, hint: str | None = None) -> None:
    """Fail unless ``got`` has the shape of ``expected`` and every entry is close to it.

    Shapes must match exactly (a (3,) vector is not a (3, 1) column); values are compared
    with ``np.isclose(got, expected, rtol, atol)`` entry by entry, and NaN is never close to
    anything. For values that may be tiny, pass ``atol=0`` to compare relatively only.
    """
    arr = as_float_array(got, what=what)
    exp = np.asarray(expected, dtype=float)
    if arr.shape != exp.shape:
        _fail(what, f"expected shape {exp.shape}, got shape {arr.shape}.\n"
                    f"  expected: {_fmt(exp)}\n  got:      {_fmt(arr)}", hint)
    if np.isnan(arr).any() and not np.isnan(exp).any():
        where = ""
        if arr.shape:
            first = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
            where = f" ({int(np.isnan(arr).sum())} of {arr.size} entries, first at {first})"
        _fail(what, f"got NaN in the result{where}.\n  expected: {_fmt(exp)}\n"
                    f"  got:      {_fmt(arr)}",
              hint or "NaN usually comes from inf - inf, 0 * inf or log(0): look for an overflow.")
    if not np.isclose(arr, exp, rtol=rtol, atol=atol).all():
        _fail(what, _differences(arr, exp, rtol, atol), hint)


def check_equal(got: Any, expected: Any, *, what: str = "result", hint: str | None = None) -> None:
    """Fail unless ``got == expected`` for plain values (int, str, bool, tuple of those).

    The comparison is done on ``expected``'s type: ``got`` is converted with ``type(expected)``
    first, so an object with a permissive ``__eq__`` cannot pass.
    """
    kind = type(expected)
    if got is None and expected is not None:
        _fail(what, f"expected {expected!r}, got None.",
              hint or "did the function reach a `return` statement?")
    try:
        converted = kind(got) if kind in (int, str, bool, float) else got
    except (TypeError, ValueError):
        _fail(what, f"expected {kind.__name__} like {expected!r}, got {_describe(got)}.", hint)
    if kind in (int, float) and isinstance(got, (bool, np.bool_)):
        _fail(what, f"expected the number {expected!r}, got the boolean {got!r}.", hint)
    if kind is str and not isinstance(got, (str, np.str_)):
        _fail(what, f"expected the text {expected!r}, got {_describe(got)}.", hint)
    if kind is int and float(got) != int(got):
        _fail(what, f"expected the whole number {expected!r}, got {got!r}.", hint)
    if type(converted) is not kind or not expected == converted:  # expected's __eq__, not got's
        _fail(what, f"expected {expected!r}, got {got!r}.", hint)


def check_true(condition: Any, message: str, *, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` is a real ``True`` (``bool`` or ``np.bool_``)."""
    if not isinstance(condition, (bool, np.bool_)) or not bool(condition):
        _fail("check", message, hint)


def check_unchanged(before: Any, after: Any, *, what: str = "the input",
                    hint: str | None = None) -> None:
    """Fail unless ``after`` (an argument after the call) still equals ``before`` (its copy).

    Use it on a copy taken *before* the call: ``x_before = x.copy(); f(x);
    check_unchanged(x_before, x, what="x after f(x)")``.
    """
    same = _same_value(before, after)
    if not same:
        detail = "your function changed its input in place."
        try:
            b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
            if a.shape == b.shape:
                detail += "\n" + _differences(a, b, 0.0, 0.0,
                                              ("entries changed", "before", "after"))
        except (TypeError, ValueError):
            detail += f"\n  before: {before!r:.200}\n  after:  {after!r:.200}"
        _fail(what, detail, hint or "work on a new array (y = x + ..., or x = np.array(x, "
                                    "dtype=float) to copy) instead of changing the one you "
                                    "were given (x += ..., x[i] = ...).")


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        return bool(a_arr.shape == b_arr.shape and a_arr.dtype == b_arr.dtype
                    and np.array_equal(a_arr, b_arr, equal_nan=a_arr.dtype.kind == "f"))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_value(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _short(value: Any) -> str:
    """A value as it would be written in a call, shortened for a message."""
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            return f"np.array({value.tolist()})"
        return f"<array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# (error type, words in its message) -> what it usually means in a student's function
_EXPLANATIONS = [
    (("ValueError",), "truth value of an array",
     "an `if`, `and`, `or`, `max()`, `min()` or `==` on a whole array: numpy cannot say whether "
     "an array is True. Work element by element with np.where, np.maximum, np.minimum, np.all "
     "or np.any."),
    (("TypeError",), "unsupported operand type(s) for @",
     "`@` on Python lists: convert the inputs first with np.asarray(x, dtype=float)."),
    (("TypeError",), "can't multiply sequence",
     "arithmetic on a Python list: convert it first with np.asarray(x, dtype=float)."),
    (("TypeError",), "can only concatenate list",
     "`+` on Python lists joins them instead of adding numbers: convert them first with "
     "np.asarray(x, dtype=float)."),
    (("TypeError",), "unsupported operand type(s)",
     "arithmetic on values numpy did not convert (lists, None, tuples): convert the inputs with "
     "np.asarray(x, dtype=float), and check that every function you call returns a value."),
    (("TypeError",), "'<' not supported",
     "a comparison on Python lists: convert them with np.asarray(x, dtype=float) first."),
    (("TypeError",), "'>' not supported",
     "a comparison on Python lists: convert them with np.asarray(x, dtype=float) first."),
    (("TypeError",), "'>=' not supported",
     "a comparison on Python lists: convert them with np.asarray(x, dtype=float) first."),
    (("TypeError",), "'<=' not supported",
     "a comparison on Python lists: convert them with np.asarray(x, dtype=float) first."),
    (("TypeError",), "positional argument",
     "the function was called with the arguments its prompt describes: keep the names and "
     "arguments of the prompt (and their defaults)."),
    (("TypeError",), "unexpected keyword argument",
     "the test passes the arguments by the names in the prompt: keep those names."),
    (("TypeError",), "object is not subscriptable",
     "indexing a number or None: check what the value you index is."),
    (("TypeError",), "cannot unpack",
     "unpacking a value that is not a tuple: check what the function you call returns."),
    (("AttributeError",), "'list' object has no attribute",
     "a Python list was passed, and lists have no .shape, .T or .sum: convert it first with "
     "np.asarray(x, dtype=float)."),
    (("AttributeError",), "'tuple' object has no attribute",
     "a tuple was passed, and tuples have no .shape, .T or .sum: convert it first with "
     "np.asarray(x, dtype=float)."),
    (("AttributeError",), "'float' object has no attribute",
     "a plain number was passed (no .shape, no .size): convert it with np.asarray(x, "
     "dtype=float), which also works for numbers."),
    (("AttributeError",), "'int' object has no attribute",
     "a plain number was passed (no .shape, no .size): convert it with np.asarray(x, "
     "dtype=float), which also works for numbers."),
    (("ValueError",), "matmul: input operand",
     "`@` on a plain number or a 0-d array: check the shapes of what you multiply."),
    (("ValueError",), "shapes", "the shapes of two arrays do not fit: print them (x.shape)."),
    (("ValueError",), "could not be broadcast",
     "the shapes of two arrays do not fit: print them (x.shape)."),
    (("RuntimeWarning", "FloatingPointError"), "overflow",
     "exp of a large number overflows (exp(710) is already inf): only compute exp of numbers "
     "<= 0, e.g. exp(-|x|), or subtract the maximum first."),
    (("RuntimeWarning", "FloatingPointError"), "divide by zero",
     "log(0) or a division by 0: leave zero entries out, and never divide by a temperature "
     "or a count that can be 0."),
    (("RuntimeWarning", "FloatingPointError"), "invalid value",
     "inf - inf, inf / inf or 0 * inf gives NaN: look for an overflow or a log(0) just before."),
    (("IndexError",), "", "an index past the end of an array: check the shapes and the loop's "
                          "range (the input may have any length, including 1)."),
    (("ZeroDivisionError",), "", "a division by zero: which input makes a denominator 0?"),
    (("NotImplementedError",), "", "this part is not written yet: replace "
                                   "`raise NotImplementedError()` with your code."),
    (("RecursionError",), "", "the function calls itself without end."),
    (("NameError",), "", "a name that is not defined: run the cells above first, and do not "
                         "rely on a variable of another cell."),
]


def _explain(error: BaseException) -> str | None:
    name, text = type(error).__name__, str(error)
    for names, words, explanation in _EXPLANATIONS:
        if name in names and words in text:
            return explanation
    return None


def _parameter_names(function: Callable[..., Any], count: int) -> list[str]:
    """Names of the first ``count`` parameters of ``function`` ("number 1", ... if unknown)."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"number {i + 1}" for i in range(count)]


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a student's ``function(*args, **kwargs)`` and return its result, or fail teaching.

    - An error raised inside the function becomes an ``AssertionError`` that shows the call
      (``relu(np.array([-1.0, 2.0]))``), the error, and, for the usual causes (lists where arrays
      were expected, an ``if`` on an array, a missing ``return``), what to do.
    - The arguments are copied before the call; if the function changed one of them in place,
      the check fails with "your function changed its input".

    Tests must first check that the inputs are really unchanged *before* they reuse them; this
    helper does it for them. Pass ``_may_change=True`` for a function that is meant to change
    its input (none in the exercises so far). ``AssertionError`` raised by the function passes
    through unchanged.
    """
    may_change = kwargs.pop("_may_change", False)
    name = getattr(function, "__name__", "the function")
    shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
    what = f"{name}({shown})"
    saved = [copy.deepcopy(a) for a in args]
    saved_kw = {k: copy.deepcopy(v) for k, v in kwargs.items()}
    try:
        result = function(*args, **kwargs)
    except AssertionError:
        raise
    except Exception as error:  # noqa: BLE001 (every error of student code becomes a message)
        explanation = _explain(error)
        kinds = ", ".join(sorted({type(a).__name__ for a in list(args) + list(kwargs.values())}))
        message = (f"{what} raised {type(error).__name__}: {error}\n"
                   f"  (the arguments were of type {kinds})")
        if explanation:
            message += f"\nHint: {explanation}"
        raise AssertionError(message) from None
    if not may_change:
        names = _parameter_names(function, len(args))
        positions = [(f"the argument {names[i]}", old, new) for i, (old, new) in
                     enumerate(zip(saved, args, strict=True))]
        positions += [(f"the argument {k}", saved_kw[k], v) for k, v in kwargs.items()]
        for label, old, new in positions:
            if not _same_value(old, new):
                check_unchanged(old, new, what=f"{what}: {label}")
    return result


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
