"""Plain data across the grading boundary: the one encoding student and test code share.

Test cells run in a trusted interpreter; the student's functions run in the sandboxed kernel.
Everything that goes from one to the other (a call's arguments, its result, arguments the call
changed, a value the test reads) is encoded here into JSON text, never pickled, and only these
kinds of value cross:

- ``None``, ``bool``, ``int``, ``float``, ``str``;
- ``list``, ``tuple`` and ``dict`` (keys of the kinds above) of them, nested up to 40 deep;
- numpy arrays and numpy scalars of a bool, integer, unsigned, float or complex dtype.

Anything else is refused with :class:`Unplain`, whose message names the value and its type. The
encoded text is capped (:data:`MAX_BYTES`). The decoder only ever builds the kinds above.

``SOURCE`` is this module's code as text: the grader sends it into the kernel with each call, so
that both sides use the same encoding (what the student's kernel does with it can only change
what it reports about the student's own functions).
"""

from __future__ import annotations

import inspect
import sys

MAX_BYTES = 8_000_000
MAX_DEPTH = 40


# --- the codec (also executed inside the kernel: standard library and numpy only) ---------
# BEGIN CODEC
import base64 as _b64  # noqa: E402
import json as _json  # noqa: E402

import numpy as _np  # noqa: E402


class Unplain(TypeError):
    """A value that cannot cross the grading boundary (the message says which and why)."""


class Reference:
    """A kernel-side object named by the test: sent as its expression, evaluated in the kernel."""

    def __init__(self, key, expr):
        self.key, self.expr = key, expr


_KINDS = "biufc"


def encode(value, what="the value", refs=None):
    """JSON text of ``value`` (plain data only; ``refs(v)`` gives a Reference for markers)."""
    def enc(v, path, depth):
        if depth > 40:
            raise Unplain(f"{path} is nested more than 40 levels deep")
        if v is None or v is True or v is False or type(v) in (int, str):
            return v
        if type(v) is float:
            return v if v == v and v not in (float("inf"), float("-inf")) else {"$f": repr(v)}
        if isinstance(v, _np.ndarray):
            if v.dtype.kind not in _KINDS:
                raise Unplain(f"{path} is a numpy array of dtype {v.dtype}; only numbers and "
                              f"booleans can be passed")
            a = _np.array(_np.asarray(v).view(_np.ndarray), order="C")  # 0-d stays 0-d
            return {"$a": [a.dtype.str, list(a.shape), _b64.b64encode(a.tobytes()).decode()]}
        if isinstance(v, _np.generic) and v.dtype.kind in _KINDS:
            a = _np.asarray(v)
            return {"$s": [a.dtype.str, _b64.b64encode(a.tobytes()).decode()]}
        r = refs(v) if refs is not None else None
        if r is not None:
            return {"$r": [r.key, r.expr]}
        if type(v) is list:
            return [enc(x, f"{path}[{i}]", depth + 1) for i, x in enumerate(v)]
        if type(v) is tuple:
            return {"$t": [enc(x, f"{path}[{i}]", depth + 1) for i, x in enumerate(v)]}
        if type(v) is dict:
            return {"$d": [[enc(k, f"a key of {path}", depth + 1), enc(x, f"{path}[{k!r}]",
                                                                        depth + 1)]
                           for k, x in v.items()]}
        raise Unplain(f"{path} is an object of type {type(v).__name__}; only numbers, strings, "
                      f"None, lists, tuples, dicts and numpy arrays of numbers can be passed")

    text = _json.dumps(enc(value, what, 0), separators=(",", ":"))
    if len(text) > 8_000_000:
        raise Unplain(f"{what} is too large ({len(text)} bytes encoded, at most 8000000)")
    return text


def decode(text, resolve=None):
    """The value of JSON ``text`` made by :func:`encode` (``resolve(key, expr)`` for markers)."""
    if len(text) > 8_000_000:
        raise Unplain(f"an encoded value of {len(text)} bytes is too large (at most 8000000)")

    def dec(v):
        if isinstance(v, list):
            return [dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        (tag, body), = v.items()
        if tag == "$f":
            return float(body)
        if tag == "$t":
            return tuple(dec(x) for x in body)
        if tag == "$d":
            return {_freeze(dec(k)): dec(x) for k, x in body}
        if tag in ("$a", "$s"):
            dtype = _np.dtype(body[0])
            if dtype.kind not in _KINDS:
                raise Unplain(f"refused an array of dtype {dtype}")
            raw = _b64.b64decode(body[-1])
            if tag == "$s":
                return _np.frombuffer(raw, dtype=dtype)[0]
            shape = tuple(int(n) for n in body[1])
            return _np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if tag == "$r" and resolve is not None:
            return resolve(body[0], body[1])
        raise Unplain(f"unknown tag {tag!r} in an encoded value")

    return dec(_json.loads(text))


def _freeze(k):
    return tuple(k) if isinstance(k, list) else k
# END CODEC


def source() -> str:
    """The codec's code (between the markers above), to run inside the kernel."""
    text = inspect.getsource(sys.modules[__name__])
    return text.split("# BEGIN CODEC\n", 1)[1].split("# END CODEC\n", 1)[0]
