"""The trusted interpreter: where the test cells run, apart from the student's code.

Each grading worker starts one *trusted zygote* (``python -m tools.grader.trusted``), a process
that imports numpy, nnlib and the check helpers once and then waits. For each student the worker
asks it for a fresh interpreter: the zygote forks a child and hands it one end of a socket pair;
the worker keeps the other. The child never executes student code. It runs

- the **instructor cells** (locked cells that are not tests: imports, data, helpers), so the
  tests use the real numpy, nnlib, builtins and data; and
- the **test cells** (visible and hidden).

A test cell reaches the student's work only through the names it uses that the instructor cells
and earlier test cells did not define (``step``, ``weighted_sum``, ``w_spam``): before the cell
runs, the child asks the worker what each of them is in the student's kernel. A function becomes
a :class:`StudentFunction` proxy; a value that is plain data (numbers, strings, lists, tuples,
dicts, numeric numpy arrays: :mod:`tools.grader.codec`) is copied; anything else becomes an
:class:`Unavailable` that says what it is. Calling a proxy sends the encoded arguments to the
worker, which runs a small snippet in the kernel that calls the student's function there and
sends back the result (or the student's exception, or a refusal of a result that is not plain
data), and the arguments as the call left them: those the function changed in place are changed
in place here too.

Three helpers of :mod:`nnlib.checks` behave as in a notebook but act on the kernel here:
``using_reference`` (the book's functions stand in for the student's earlier parts during the
calls inside the block), ``student_side`` (an object built by instructor code in the kernel,
passed to the student's functions by reference: a model, a generator, a function to
differentiate, a patch of ``time.perf_counter``) and ``call_many`` (many calls in one round trip).

Wire format between worker and child: 8-byte length, then JSON; never pickle.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import linecache
import os
import signal
import socket
import struct
import sys
import traceback

from tools.grader import codec

MAX_MESSAGE = 64_000_000


# --------------------------------------------------------------------------- wire


def send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message).encode()
    sock.sendall(struct.pack("!Q", len(data)) + data)


def recv(sock: socket.socket) -> dict:
    head = _exactly(sock, 8)
    size, = struct.unpack("!Q", head)
    if size > MAX_MESSAGE:
        raise ConnectionError(f"a message of {size} bytes is too large")
    return json.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- the child's side


class CallTimedOut(Exception):
    """The student's function did not return within the time left for the cell."""


class KernelDied(Exception):
    """The student's kernel died (or was stopped by a limit) during a call."""


class Unavailable:
    """A name of the student's notebook whose value cannot cross to the tests."""

    def __init__(self, name: str, kind: str):
        object.__setattr__(self, "_why", f"`{name}` in your notebook is {kind}; the tests can "
                           f"only read numbers, strings, None, lists, tuples, dicts and numpy "
                           f"arrays of numbers")

    def _refuse(self, *args, **kwargs):
        raise TypeError(object.__getattribute__(self, "_why"))

    def __getattr__(self, name):
        self._refuse()

    __call__ = __iter__ = __len__ = __bool__ = __float__ = __int__ = __array__ = _refuse
    __getitem__ = __eq__ = __ne__ = __lt__ = __gt__ = __add__ = __sub__ = __mul__ = _refuse

    def __repr__(self):
        return f"<unavailable: {object.__getattribute__(self, '_why')}>"


class _Channel:
    """The child's link to the worker: lookups and calls into the kernel."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.overrides: list[list] = []  # [name, key, expr] of using_reference blocks
        self.contexts: list[list] = []  # [key, expr] of student_side context blocks
        self.counter = 0

    def ask(self, message: dict) -> dict:
        send(self.sock, message)
        reply = recv(self.sock)
        if reply.get("op") == "abort":  # the worker gave up on this cell
            raise SystemExit(0)
        return reply

    def refs(self, value):
        if isinstance(value, StudentFunction):
            return codec.Reference(None, object.__getattribute__(value, "_name"))
        if isinstance(value, StudentSide):
            return codec.Reference(value._key, value._expr)
        return None

    def call(self, target: list, what: str, batch: list[tuple[tuple, dict]],
             write_back: bool) -> list:
        try:
            text = codec.encode([[list(a), k] for a, k in batch], what=f"the arguments of {what}",
                                refs=self.refs)
        except codec.Unplain as err:
            message = str(err)
            for args, kwargs in batch:  # say which argument
                for label, value in [(f"argument {i + 1}", a) for i, a in enumerate(args)] + [
                        (f"argument {k}=", v) for k, v in kwargs.items()]:
                    try:
                        codec.encode(value, what=f"{label} of {what}", refs=self.refs)
                    except codec.Unplain as detail:
                        message = str(detail)
                        break
            raise TypeError(f"the test could not pass {message}") from None
        reply = self.ask({"op": "call", "target": target, "what": what, "batch": text,
                          "overrides": [list(o) for o in self.overrides],
                          "contexts": [list(c) for c in self.contexts],
                          "write_back": write_back})
        if "failure" in reply:
            kind, message = reply["failure"]
            raise (CallTimedOut if kind == "timeout" else KernelDied)(message)
        payload = reply["payload"]
        if write_back and payload.get("args") is not None:
            a0, k0 = batch[0]
            kw = payload.get("kwargs", {})
            after = list(zip(a0, payload["args"], strict=False)) + [(k0[k], kw.get(k))
                                                                    for k in k0]
            for old, new in after:
                if new is not None:
                    _write_back(old, codec.decode(new))
        results = [codec.decode(r) for r in payload.get("results", [])]
        _reissue(payload.get("warnings"), what)
        if payload.get("error"):
            ename, message = payload["error"]
            raise _student_error(ename, message)
        return results


def _warning_class(name) -> type:
    """The warning class called ``name``: a builtin or numpy's, else a new subclass of Warning."""
    kind = _WARNINGS.get(name)
    if kind is None:
        try:
            import numpy as np

            kind = getattr(np.exceptions, name, None)
        except AttributeError:
            kind = None
        if not (isinstance(kind, type) and issubclass(kind, Warning)):
            kind = type(str(name)[:60] if str(name).isidentifier() else "Warning", (Warning,), {})
    return kind


def _reissue(warned, what: str) -> None:
    """Issue here, in the test's process, the warnings the student's call raised in the kernel
    (category name and message, plain data): ``warnings.simplefilter("error")`` in a test then
    turns them into errors as it would in a notebook."""
    if not isinstance(warned, list):
        return
    import warnings

    for item in warned[:20]:
        if isinstance(item, list) and len(item) == 2:
            name, message = (str(x)[:1000] for x in item)
            # located in the student's call, never in the test (whose lines must not show)
            warnings.warn_explicit(message, _warning_class(name), f"<{what}>", 0)


def _write_back(old, new) -> None:
    """Copy a changed argument's new contents into the caller's object, in place."""
    try:
        import numpy as np

        if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
            if old.shape == new.shape and not np.array_equal(old, new, equal_nan=True) and \
                    old.flags.writeable:
                old[...] = new
        elif type(old) is list and type(new) is list and old != new:
            old[:] = new
        elif type(old) is dict and type(new) is dict and old != new:
            old.clear()
            old.update(new)
    except (TypeError, ValueError):
        pass


_ERRORS = {name: obj for name, obj in vars(builtins).items()
           if isinstance(obj, type) and issubclass(obj, Exception)}
_WARNINGS = {name: obj for name, obj in _ERRORS.items() if issubclass(obj, Warning)}


def _student_error(ename: str, message: str) -> Exception:
    kind = _ERRORS.get(ename) or type(str(ename)[:60] or "Error", (Exception,), {})
    try:
        return kind(str(message)[:1000])
    except Exception:
        return RuntimeError(f"{ename}: {str(message)[:1000]}")


class StudentFunction:
    """A function of the student's notebook, called in the student's kernel."""

    def __init__(self, channel: _Channel, name: str, signature=None):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "__name__", name)
        # the student's parameters (names and plain defaults), for messages that name them
        object.__setattr__(self, "__signature__", signature)

    def __call__(self, *args, **kwargs):
        name = object.__getattribute__(self, "_name")
        channel = object.__getattribute__(self, "_channel")
        return channel.call(["name", None, name], name, [(args, kwargs)], True)[0]

    def __repr__(self):
        return f"<the student's {object.__getattribute__(self, '_name')}>"


class _Default:
    """A default value that is not plain data, shown by its type only."""

    def __init__(self, kind: str):
        self._kind = kind

    def __repr__(self):
        return f"<{self._kind}>"


def _signature(data):
    """An inspect.Signature from the plain data the kernel sent: [[name, kind, default], ...]
    with default ``[]`` (none), ``["plain", text]`` or ``["other", type name]``; None if the
    data is not a valid signature."""
    import inspect

    if not isinstance(data, list) or len(data) > 100:
        return None
    try:
        params = []
        for name, kind, default in data:
            if not (isinstance(name, str) and name.isidentifier() and kind in range(5)):
                return None
            value = inspect.Parameter.empty
            if default and default[0] == "plain":
                value = codec.decode(str(default[1]))
            elif default:
                value = _Default(str(default[1])[:60])
            params.append(inspect.Parameter(name, inspect._ParameterKind(kind), default=value))
        return inspect.Signature(params)
    except (TypeError, ValueError, IndexError):
        return None


class StudentSide:
    """An object built in the student's kernel from instructor code (``student_side``)."""

    def __init__(self, channel: _Channel, expr: str):
        channel.counter += 1
        self._channel, self._expr, self._key = channel, expr, f"obj{channel.counter}"
        self.__name__ = expr.split("(")[0].strip()

    def __call__(self, *args, **kwargs):
        return self._channel.call(["ref", self._key, self._expr], self._expr.split("(")[0],
                                  [(args, kwargs)], True)[0]

    def __enter__(self):
        self._channel.contexts.append([self._key, self._expr])
        return self

    def __exit__(self, *exc):
        self._channel.contexts.remove([self._key, self._expr])
        return False

    def __repr__(self):
        return f"<in the student's kernel: {self._expr}>"


def _install_helpers(channel: _Channel) -> None:
    """Make nnlib.checks' kernel helpers act on the student's kernel (before any cell runs)."""
    import nnlib.checks as checks

    local_using_reference = checks.using_reference

    @contextlib.contextmanager
    def using_reference(namespace, **functions):
        added = []
        for name, function in functions.items():
            expr = _kernel_name(channel, function, namespace)
            if expr is None:
                raise TypeError(f"using_reference: {name} must be a function defined by an "
                                f"instructor cell (so the kernel has it too)")
            added.append([name, expr[0], expr[1]])
        channel.overrides.extend(added)
        try:
            with local_using_reference(namespace, **functions):
                yield
        finally:
            for item in added:
                channel.overrides.remove(item)

    def student_side(expr, namespace=None):
        return StudentSide(channel, expr)

    def call_many(function, calls):
        calls = [tuple(c) for c in calls]
        if isinstance(function, StudentFunction):
            name = object.__getattribute__(function, "_name")
            target = ["name", None, name]
        elif isinstance(function, StudentSide):
            name, target = function._expr, ["ref", function._key, function._expr]
        else:
            return [function(*c) for c in calls]
        return channel.call(target, name, [(c, {}) for c in calls], False)

    checks.using_reference = using_reference
    checks.student_side = student_side
    checks.call_many = call_many


def _kernel_name(channel: _Channel, function, namespace: dict):
    """(cache key, expression) naming ``function`` in the kernel, or None."""
    if isinstance(function, StudentFunction):
        return None, object.__getattribute__(function, "_name")
    if isinstance(function, StudentSide):
        return function._key, function._expr
    for name, value in namespace.items():
        if name.startswith("__"):
            continue
        if value is function:
            return None, name
    for name, value in namespace.items():
        if name.startswith("__") or isinstance(value, (StudentFunction, Unavailable)):
            continue
        attrs = getattr(value, "__dict__", None)
        if isinstance(attrs, dict) and type(value).__name__ in ("SimpleNamespace", "module"):
            for attr, item in attrs.items():
                if item is function:
                    return None, f"{name}.{attr}"
    return None


def _calls_student_code(function, ns: dict) -> bool:
    """Whether ``function`` was defined by an instructor cell here and uses a global name that
    only the student's notebook defines (``gradient_of`` calling ``numerical_gradient``): such a
    helper runs in the kernel, next to the student's code and the data it passes along."""
    import dis
    import types

    if not isinstance(function, types.FunctionType) or function.__globals__ is not ns:
        return False
    codes, names = [function.__code__], set()
    while codes:
        code = codes.pop()
        names.update(i.argval for i in dis.get_instructions(code)
                     if i.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return any(n not in ns and not hasattr(builtins, n) for n in names)


def _own_signature(function):
    import inspect

    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


def _loaded_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    loads, stores = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stores.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            stores.add(node.arg)
    return loads, stores


class Child:
    """One student's trusted interpreter (runs in the forked child)."""

    def __init__(self, sock: socket.socket):
        self.channel = _Channel(sock)
        self.ns: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.proxied: dict[str, object] = {}
        self.shadowed: dict[str, object] = {}  # instructor functions a proxy stands in for
        _install_helpers(self.channel)

    def serve(self) -> None:
        while True:
            try:
                message = recv(self.channel.sock)
            except ConnectionError:
                return
            if message.get("op") == "run":
                outputs = self.run(message["source"], message["name"],
                                   message.get("student_names", True))
                send(self.channel.sock, {"op": "done", "outputs": outputs})

    def run(self, source: str, name: str, student_names: bool) -> list[dict]:
        for key, value in self.proxied.items():  # the student's names are looked up afresh
            if self.ns.get(key) is value:
                del self.ns[key]
        self.proxied = {}
        for key, value in self.shadowed.items():
            self.ns[key] = value
        self.shadowed = {}
        filename = f"<{name}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        out = io.StringIO()
        outputs: list[dict] = []
        try:
            tree = ast.parse(source, filename)
            if student_names:
                self._bind_student_names(tree)
            code = compile(tree, filename, "exec")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(code, self.ns)
        except BaseException as err:  # the test failed: report it like a kernel would
            if out.getvalue():
                outputs.append({"output_type": "stream", "name": "stdout",
                                "text": out.getvalue()})
            tb = traceback.format_exception(type(err), err, err.__traceback__)
            keep = [line for line in tb if "tools/grader/" not in line]
            outputs.append({"output_type": "error", "ename": type(err).__name__,
                            "evalue": str(err)[:2000], "traceback": keep[-40:]})
            return outputs
        if out.getvalue():
            outputs.append({"output_type": "stream", "name": "stdout", "text": out.getvalue()})
        return outputs

    def _bind_student_names(self, tree: ast.AST) -> None:
        loads, stores = _loaded_names(tree)
        for name in sorted(loads - stores):  # a locked cell's helper that calls student code
            function = self.ns.get(name)
            if _calls_student_code(function, self.ns):
                self.shadowed[name] = function
                self.ns[name] = StudentFunction(self.channel, name, _own_signature(function))
        wanted = sorted(n for n in loads - stores
                        if n not in self.ns and not hasattr(builtins, n))
        if not wanted:
            return
        reply = self.channel.ask({"op": "lookup", "names": wanted})
        signatures = reply.get("signatures") or {}
        for name, (kind, body) in reply.get("names", {}).items():
            if kind == "function":
                value = StudentFunction(self.channel, name, _signature(signatures.get(name)))
            elif kind == "value":
                value = codec.decode(body)
            elif kind == "other":
                value = Unavailable(name, body)
            else:
                continue
            self.ns[name] = value
            self.proxied[name] = value


# --------------------------------------------------------------------------- the zygote


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def zygote_main(control_fd: int) -> None:
    """Import what tests need once, then fork one child per request received on the socket."""
    _die_with_parent()
    import numpy  # noqa: F401

    import nnlib  # noqa: F401
    import nnlib.activations  # noqa: F401
    import nnlib.checks  # noqa: F401
    import nnlib.data  # noqa: F401
    import nnlib.layers  # noqa: F401
    import nnlib.losses  # noqa: F401
    import nnlib.network  # noqa: F401
    import nnlib.optim  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    send(control, {"op": "ready"})
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 1024, 1)
        except OSError:
            return
        if not msg or not fds:
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            _die_with_parent()
            sock = socket.socket(fileno=fds[0])
            try:
                Child(sock).serve()
            finally:
                os._exit(0)
        os.close(fds[0])
        send(control, {"op": "forked", "pid": pid})


class Zygote:
    """The worker's handle on its trusted zygote."""

    def __init__(self):
        import subprocess

        parent, child = socket.socketpair()
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from tools.grader.trusted import zygote_main; "
             "zygote_main(int(sys.argv[1]))", str(child.fileno())],
            pass_fds=[child.fileno()], env=env, cwd=root, stdin=subprocess.DEVNULL)
        child.close()
        self.control = parent
        self.control.settimeout(120)
        ready = recv(self.control)
        if ready.get("op") != "ready":
            raise RuntimeError(f"the trusted interpreter did not start: {ready}")

    def child(self) -> tuple[socket.socket, int]:
        """A socket to a fresh trusted interpreter, and its process id."""
        mine, theirs = socket.socketpair()
        socket.send_fds(self.control, [b"f"], [theirs.fileno()])
        theirs.close()
        return mine, int(recv(self.control)["pid"])

    def close(self) -> None:
        self.control.close()
        try:
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
