"""nbgrader's Execute preprocessor, hardened for untrusted notebooks (used by tools.grader).

:class:`GuardedExecute` replaces ``nbgrader.preprocessors.Execute`` in the autograde pipeline of
each grading worker. On top of nbgrader's per-cell timeout it

- **runs the tests apart from the student's code.** Answer cells run in the sandboxed kernel;
  test cells (visible and hidden) run only in a trusted interpreter (:mod:`tools.grader.trusted`)
  that never executes student code; locked instructor cells (imports, data) run in both. When a
  test uses a name of the student's notebook, or calls a student's function, the request comes
  back here and a small snippet (:data:`KERNEL_CALL`) runs silently in the kernel: only plain data
  crosses (:mod:`tools.grader.codec`), each call within the time left of its test cell, its
  printed output dropped. The test cell's outputs, made on the trusted side, become the cell's
  outputs, so nbgrader scores them as usual. The notebook nbgrader wrote into the kernel's folder
  (hidden tests included) is removed before the kernel starts;
- **survives a kernel that dies or stops answering** (``os._exit``, a CPU or memory limit, an
  endless loop that ignores Ctrl-C): the cell gets an error output saying what happened, the
  kernel is restarted, the kernel's cells before it are run again silently (so the student's
  other functions exist again), and grading goes on with the next cell. A cell that kills the
  kernel is never run twice, so one bad part costs that part only;
- **caps the output** of each cell (``output_limit`` bytes) and of the whole notebook
  (``notebook_output_limit``): the rest is dropped and a note says so. Error outputs always get
  through (shortened), since they decide the score;
- **limits the whole student** to ``notebook_timeout`` seconds, measured here: no cell, call or
  replayed cell gets a timeout longer than the time left, and cells not reached get an error
  output (a test cell without an error would otherwise score full marks);
- **records what happened where it happens** (:attr:`GuardedExecute.last_events`: timeouts,
  memory and CPU limits, crashes, cut output, answer-key use), read by the worker for the
  student's status.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import secrets
import signal
import time
from pathlib import Path
from queue import Empty

import psutil
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_hook
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from tools.grader import codec, sandbox, trusted

# ename of the error outputs the grader itself writes (read back by tools.grader.run).
KERNEL_DIED = "KernelDied"
CELL_TIMEOUT = "CellTimeoutError"
NOT_RUN = "NotRun"

# The student side of a call: run in the kernel (silently: the student's pre/post_run_cell hooks
# do not fire, nothing enters the history). It may be tampered with by the student's code; that
# can only change what it reports about the student's own functions.
KERNEL_CALL = r"""
def @FN@(request):
    import base64, builtins as B, inspect, io, json, sys, warnings
    (len, isinstance, str, type, callable, getattr, eval, exec, dict, object, BaseException,
     NameError, bool, int, float, list, tuple) = (
        B.len, B.isinstance, B.str, B.type, B.callable, B.getattr, B.eval, B.exec, B.dict,
        B.object, B.BaseException, B.NameError, B.bool, B.int, B.float, B.list, B.tuple)
    g = globals()
    c = g.get("_grader_codec")
    if not isinstance(c, dict) or "encode" not in c:
        c = {}
        exec(base64.b64decode(@CODEC@).decode(), c)
        g["_grader_codec"] = c
    store = g.setdefault("_grader_objects", {})

    def resolve(key, expr):
        if key is None:
            return eval(expr, g)
        if key not in store:
            store[key] = eval(expr, g)
        return store[key]

    req = json.loads(base64.b64decode(request).decode())
    out = {"nonce": req["nonce"]}
    sink, saved, entered, missing = io.StringIO(), {}, [], object()
    old = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = sink
        if req["op"] == "lookup":
            names, signatures = {}, {}
            for name in req["names"]:
                if name not in g:
                    names[name] = ["missing", None]
                    continue
                value = g[name]
                if callable(value):
                    inner = getattr(value, "__wrapped__", value)
                    module = str(getattr(inner, "__module__", None) or "")
                    names[name] = ["function", (module + "." + str(getattr(
                        inner, "__qualname__", "?"))) if module.startswith("nnlib") else None]
                    try:
                        params = []
                        for p in inspect.signature(value).parameters.values():
                            d = []
                            if p.default is not p.empty:
                                try:
                                    d = ["plain", c["encode"](p.default)]
                                except Exception:
                                    d = ["other", type(p.default).__name__]
                            params.append([p.name, int(p.kind), d])
                        signatures[name] = params
                    except Exception:
                        pass
                    continue
                try:
                    names[name] = ["value", c["encode"](value, what=name)]
                except Exception:
                    names[name] = ["other", "an object of type " + type(value).__name__]
            out["names"] = names
            out["signatures"] = signatures
        else:
            results, hits = [], set()
            try:
                for name, key, expr in req["overrides"]:
                    saved.setdefault(name, g.get(name, missing))
                    g[name] = resolve(key, expr)
                for key, expr in req["contexts"]:
                    manager = resolve(key, expr)
                    manager.__enter__()
                    entered.append(manager)
                kind, key, expr = req["target"]
                if kind == "name" and expr not in g:
                    raise NameError(f"name {expr!r} is not defined")
                fn = g[expr] if kind == "name" else resolve(key, expr)
                batch = c["decode"](req["batch"], resolve)
                # nnlib's own version of the function called (the part's function), called from
                # outside nnlib and not as a reference the test put in place: the answer key.
                keys, hits = {}, set()
                for dotted in req.get("keys", []):
                    module, _, attr = dotted.rpartition(".")
                    code = getattr(getattr(sys.modules.get(module), attr, None), "__code__", None)
                    if code is not None:
                        keys[code] = dotted
                for name, _, _ in req["overrides"]:
                    keys.pop(getattr(g.get(name), "__code__", None), None)

                def profile(frame, event, arg):
                    if event == "call" and frame.f_code in keys:
                        caller = frame.f_back
                        if caller is None or not str(caller.f_globals.get(
                                "__name__", "")).startswith("nnlib"):
                            hits.add(keys[frame.f_code])

                if keys:
                    sys.setprofile(profile)
                warned = out["warnings"] = []
                for args, kwargs in batch:
                    # warnings of the student's call go back to the test, which issues them again
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        try:
                            result = fn(*args, **kwargs)
                        finally:
                            room = 20 - len(warned) if len(warned) < 20 else 0
                            warned += [[str(getattr(w.category, "__name__", "Warning")),
                                        str(w.message)[:1000]] for w in caught[:room]]
                    try:
                        results.append(c["encode"](result, what="the result of " + req["what"]))
                    except c["Unplain"] as err:
                        plain = (type(None), bool, int, float, str, list, tuple, dict)
                        if type(result) in plain:
                            message = str(err)
                        else:
                            message = (req["what"] + " returned an object of type "
                                       + type(result).__name__ + "; return numbers, strings, "
                                       "lists, tuples, dicts or numpy arrays of numbers")
                        out["error"] = ["TypeError", message]
                        break
                if req["write_back"] and len(batch) == 1:
                    def plain_or_none(value):
                        try:
                            return c["encode"](value)
                        except Exception:
                            return None
                    out["args"] = [plain_or_none(a) for a in batch[0][0]]
                    out["kwargs"] = {k: plain_or_none(v) for k, v in batch[0][1].items()}
            except BaseException as err:
                out["error"] = [type(err).__name__, str(err)[:1000]]
            finally:
                sys.setprofile(None)
            out["results"] = results
            out["answer_key"] = sorted(hits)
    finally:
        for manager in reversed(entered):
            try:
                manager.__exit__(None, None, None)
            except BaseException:
                pass
        for name, value in saved.items():
            if value is missing:
                g.pop(name, None)
            else:
                g[name] = value
        sys.stdout, sys.stderr = old
    out["dropped"] = len(sink.getvalue())
    from IPython.display import publish_display_data
    publish_display_data({"application/x-grader-result": json.dumps(out)})

"""
RESULT_MIME = "application/x-grader-result"


def _reap_leftovers(find) -> int:
    """Kill every process the kernel started (a fork bomb's copies of it); return how many.

    Run by the grader, outside the sandbox, after each cell; ``find()`` lists the pids of the
    processes below the kernel (the worker's sandbox knows where its kernels are). Killing from
    outside matters: a fork bomb copies the kernel with its sockets, so a request sent to the
    kernel could be answered by a copy.
    """
    killed = 0
    for _ in range(3):  # copies may still be forking while we kill
        pids = find()
        if not pids:
            break
        for pid in pids:
            try:
                psutil.Process(pid).kill()
                killed += 1
            except psutil.Error:
                pass
        # Wait until each has ended. A killed child of the kernel stays a zombie (nobody reaps
        # it while the kernel runs): ended, but never gone, so psutil.wait_procs would wait
        # out its whole timeout for it.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not all(sandbox.ended(pid) for pid in pids):
            time.sleep(0.01)
    return killed


async def _wait_for_ready(kc, timeout: float) -> None:
    """Wait until the kernel answers and its IOPub channel is connected.

    jupyter_client's ``wait_for_ready`` does the same, then drains IOPub until it has been
    silent for 0.2 s: a fixed 0.2 s (or more) per notebook. Here the drain stops at the
    ``idle`` status of one of our own ``kernel_info`` requests, the last message the kernel
    sends for it; when a status never arrives (IOPub was not connected yet: ipykernel's welcome
    message says when it is), the request is sent again. Replies to any earlier request count:
    on a busy machine they arrive after the next request was sent.
    """
    deadline = time.monotonic() + timeout
    sent: set[str] = set()  # every kernel_info request: on a slow machine, replies come late

    def ours(msg: dict) -> bool:
        return msg["parent_header"].get("msg_id") in sent

    while True:
        sent.add(kc.kernel_info())
        try:
            reply = await ensure_async(kc.shell_channel.get_msg(timeout=1))
            while not (reply["msg_type"] == "kernel_info_reply" and ours(reply)):
                reply = await ensure_async(kc.shell_channel.get_msg(timeout=0.2))
        except Empty:
            reply = None
        if reply is not None:
            quiet_until = time.monotonic() + 1.0
            while time.monotonic() < quiet_until:
                try:
                    msg = await ensure_async(kc.iopub_channel.get_msg(timeout=0.05))
                except Empty:
                    continue
                if (ours(msg) and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    kc._handle_kernel_info_reply(reply)
                    return
                if msg["msg_type"] == "iopub_welcome":  # connected only now: ask again
                    break
        if not await ensure_async(kc.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """nbgrader's Execute with tests in a trusted interpreter, restarts, caps and one budget."""

    output_limit = Integer(100_000, help="Bytes of output kept per cell.").tag(config=True)
    notebook_output_limit = Integer(1_000_000, help="Bytes of output kept per notebook.").tag(
        config=True)
    notebook_timeout = Integer(900, help="Seconds for the whole notebook, everything included."
                               ).tag(config=True)
    max_restarts = Integer(4, help="Kernel restarts per notebook before giving up.").tag(
        config=True)
    sandboxed = Bool(False, help="The kernel runs in its own PID namespace (reap leftovers)."
                     ).tag(config=True)

    before_kernel = None  # set by the grading worker: callable(folder) run before the kernel starts
    after_kernel = None  # set by the grading worker: callable() run once the kernel is stopped
    leftovers = None  # set by the grading worker: callable(kernel pid) -> pids to kill
    answer_keys: dict[str, str] = {}  # set by the grading worker: part function -> nnlib name
    last_events: list[dict] = []  # what happened in the last notebook (read by the worker)
    _zygote = None  # the worker's trusted zygote (started on first use, one per process)

    def preprocess(self, nb, resources=None, km=None):
        folder = (resources or {}).get("metadata", {}).get("path")
        name = (resources or {}).get("metadata", {}).get("name")
        if folder and name:
            # nbgrader wrote the notebook being graded, hidden tests included, into the folder
            # the kernel runs in; it is in memory now and written again when graded.
            Path(folder, f"{name}.ipynb").unlink(missing_ok=True)
        if self.before_kernel is not None and folder:
            self.before_kernel(folder)
        self._started = time.monotonic()
        self._cell_timeout = self.timeout
        self._restarts = 0
        self._gave_up = ""
        self._bytes: dict[int, int] = {}
        self._total = 0
        self._cut: set[int] = set()
        self._bad: set[int] = set()  # cells that killed or hung the kernel: never re-run
        self._student_started = False
        self._broken = ""  # why the kernel must be restarted after the current trusted cell
        self.events: list[dict] = []
        GuardedExecute.last_events = self.events
        self._trusted = None
        self._replaying = False
        self._helper_ready = False  # the kernel-side call helper is defined (per kernel)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._close_trusted()
            self.timeout = self._cell_timeout
            if self.after_kernel is not None:
                self.after_kernel()

    def _event(self, kind: str, cell=None, detail: str = "") -> None:
        gid = self._nbgrader(cell).get("grade_id") if cell is not None else None
        self.events.append({"kind": kind, "cell": gid, "detail": detail[:300]})

    def _left(self) -> float:
        return self.notebook_timeout - (time.monotonic() - self._started)

    async def async_start_new_kernel_client(self):
        """nbclient's, with a quicker wait for the kernel: see :func:`_wait_for_ready`."""
        self.kc = self.km.client()
        try:
            await ensure_async(self.kc.start_channels())
            await _wait_for_ready(self.kc, self.startup_timeout)
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # ------------------------------------------------------------------ cells

    def _nbgrader(self, cell) -> dict:
        return cell.metadata.get("nbgrader", {}) if cell is not None else {}

    def _role(self, cell) -> str:
        """'test' (trusted interpreter only), 'instructor' (both) or 'student' (kernel only)."""
        meta = self._nbgrader(cell)
        if meta.get("grade") and not meta.get("solution"):
            return "test"
        if meta.get("locked") and not meta.get("solution") and not meta.get("grade"):
            return "instructor"
        return "student"

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not self._gave_up and self._left() <= 0:
            self._gave_up = (f"the notebook used up its {self.notebook_timeout} s of grading "
                             f"time; this cell was not run")
            self._event("timed out", cell, "notebook time limit")
        if self._gave_up:
            cell.outputs = [_error(NOT_RUN, self._gave_up)]
            self._event("not finished", cell)
            return cell, resources
        role = self._role(cell)
        self._student_started = self._student_started or role == "student"
        try:
            if role == "test":
                self._run_trusted(cell, index)
                if not self._broken:
                    self._reap()  # a call that forked: its copies must not answer the next cell
            else:
                self.timeout = max(1, int(min(self._cell_timeout, self._left()) + 0.999))
                super().preprocess_cell(cell, resources, index)
                self._reap()
                if role == "instructor":
                    self._run_trusted(cell, index, record=False)
        except (DeadKernelError, CellTimeoutError, TimeoutError, RuntimeError) as err:
            self._broken = self._broken or self._reason(err)
        if self._broken:
            self._bad.add(index)
            kind, reason = self._broken
            self._broken = ""
            self._event(kind, cell, reason)
            cell.outputs.append(_error(CELL_TIMEOUT if kind == "timed out" else KERNEL_DIED,
                                       reason))
            self._recover(index)
        self._all_or_nothing(cell)
        return cell, resources

    def _reap(self) -> None:
        if self.sandboxed and self._student_started:
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None and self.leftovers is not None and _reap_leftovers(
                    lambda: self.leftovers(process.pid)):
                self._event("processes killed")

    def _all_or_nothing(self, cell) -> None:
        """A test cell scores full marks unless a check raised: nbgrader also gives 0 for any
        text on stderr (a harmless warning) and gives partial credit for a number shown as the
        cell's result. Here stderr becomes stdout and results become plain displays, so only
        errors decide."""
        if self._role(cell) != "test":
            return
        for out in cell.outputs:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"
            elif out.get("output_type") == "execute_result":
                out["output_type"] = "display_data"
                out.pop("execution_count", None)

    # ------------------------------------------------------------------ trusted interpreter

    def _open_trusted(self):
        if self._trusted is None:
            if GuardedExecute._zygote is None:
                GuardedExecute._zygote = trusted.Zygote()
            self._trusted, self._trusted_pid = GuardedExecute._zygote.child()
        return self._trusted

    def _close_trusted(self) -> None:
        """Close the link to the trusted interpreter and end it (it may be stuck in a test)."""
        if self._trusted is not None:
            self._trusted.close()
            self._trusted = None
            try:
                os.kill(self._trusted_pid, signal.SIGKILL)
            except OSError:  # it had already ended, and its parent reaped it
                pass

    def _run_trusted(self, cell, index: int, record: bool = True) -> None:
        """Run ``cell`` in the trusted interpreter, answering its lookups and calls from the
        kernel; with ``record``, its outputs become the cell's outputs."""
        deadline = time.monotonic() + min(self._cell_timeout, max(self._left(), 0))
        sock = self._open_trusted()
        name = self._nbgrader(cell).get("grade_id") or f"cell {index}"
        trusted.send(sock, {"op": "run", "source": _source(cell), "name": name,
                            "student_names": record})
        cell.execution_count = index + 1
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0) + 5)
            try:
                message = trusted.recv(sock)
            except (OSError, ConnectionError) as err:
                self._close_trusted()  # a test that does not finish: a fresh interpreter
                self._replay_trusted(index)
                outputs = [_error(CELL_TIMEOUT, f"the test did not finish within its "
                                  f"{self._cell_timeout} s ({type(err).__name__})")]
                self._event("timed out", cell, "test cell")
                break
            if message["op"] == "done":
                outputs = [new_output(**o) for o in message["outputs"]]
                break
            if self._broken:  # the kernel is gone: every further call fails at once
                reply = {"op": "reply", "failure": ["died", self._broken[1]]}
            else:
                reply = self._answer(message, deadline, cell)
            trusted.send(sock, reply)
        if record:
            cell.outputs = []
            for out in outputs:
                self._keep(cell.outputs, out, index)
        elif any(o.get("output_type") == "error" for o in outputs):
            err = next(o for o in outputs if o.get("output_type") == "error")
            self._event("grading error", cell, f"instructor cell failed in the trusted "
                        f"interpreter: {err.get('ename')}: {err.get('evalue')}")

    def _replay_trusted(self, index: int) -> None:
        """Run the instructor cells before ``index`` again in a fresh trusted interpreter."""
        for i, earlier in enumerate(self.nb.cells[:index]):
            if earlier.cell_type == "code" and self._role(earlier) == "instructor":
                sock = self._open_trusted()
                trusted.send(sock, {"op": "run", "source": _source(earlier), "name": f"cell {i}",
                                    "student_names": False})
                sock.settimeout(max(self._left(), 1))
                try:
                    while trusted.recv(sock)["op"] != "done":
                        trusted.send(sock, {"op": "reply", "failure": ["died", "no kernel"]})
                except (OSError, ConnectionError):
                    self._close_trusted()
                    return

    def _answer(self, message: dict, deadline: float, cell) -> dict:
        request = {"nonce": secrets.token_hex(8)}
        if message["op"] == "lookup":
            request.update(op="lookup", names=message["names"])
            what = "looking up " + ", ".join(message["names"])[:80]
        else:
            request.update(op="call", target=message["target"], what=message["what"],
                           batch=message["batch"], overrides=message["overrides"],
                           contexts=message["contexts"], write_back=message["write_back"],
                           keys=[self.answer_keys[message["what"]]]
                           if message["what"] in self.answer_keys else [])
            what = message["what"]
        try:
            payload = run_sync(self._kernel_call)(request, deadline, what)
        except _CallFailed as failed:
            kind, reason = failed.args
            if kind != "interrupted":
                self._broken = (kind, reason)
            else:
                self._event("timed out", cell, reason)
            return {"op": "reply", "failure": ["timeout" if kind in ("timed out", "interrupted")
                                               else "died", reason]}
        if payload.get("dropped"):
            self._dropped = getattr(self, "_dropped", 0) + payload["dropped"]
        if message["op"] == "lookup":
            for name, (kind, body) in payload.get("names", {}).items():
                if kind == "function" and name in self.answer_keys and body:
                    self._event("answer key", cell, f"{name} is nnlib's {body}")
            return {"op": "reply", "names": payload.get("names", {}),
                    "signatures": payload.get("signatures", {})}
        for dotted in payload.get("answer_key", [])[:5]:
            self._event("answer key", cell, f"{what} called nnlib's {dotted}")
        error = payload.get("error")
        if error and error[0] == "MemoryError":
            self._event("memory limit", cell, f"MemoryError in {what}")
        return {"op": "reply", "payload": payload}

    async def _kernel_call(self, request: dict, deadline: float, what: str) -> dict:
        """Run the kernel side of a call; its payload, or _CallFailed(kind, reason)."""
        # The helper is defined in the kernel once (per kernel); each call then sends one line.
        # If the student's code removed it, the call reports no result and it is sent again.
        call = f"{_HELPER}({base64.b64encode(json.dumps(request).encode()).decode()!r})\n"
        code = call if self._helper_ready else _HELPER_SOURCE + call
        self._helper_ready = True
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        payload, interrupted = None, False
        while True:
            left = deadline - time.monotonic()
            if left <= 0 and not interrupted:
                interrupted = True
                await ensure_async(self.km.interrupt_kernel())
                deadline = time.monotonic() + 3
                continue
            if left <= 0:
                raise _CallFailed("timed out", f"timed out: {what}(...) ran longer than the "
                                  f"{self._cell_timeout} s of its test and did not stop when "
                                  f"interrupted (endless loop?)")
            try:
                msg = await ensure_async(self.kc.get_iopub_msg(timeout=min(left, 0.5)))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
                    raise _CallFailed(*self._reason(DeadKernelError("died"))) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "display_data" and RESULT_MIME in msg["content"].get("data", {}):
                text = msg["content"]["data"][RESULT_MIME]
                try:
                    found = json.loads(text) if len(text) <= 4 * codec.MAX_BYTES else None
                except ValueError:
                    found = None
                if isinstance(found, dict) and found.get("nonce") == request["nonce"]:
                    payload = found
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                break
        if interrupted:
            raise _CallFailed("interrupted", f"timed out: {what}(...) ran longer than the "
                              f"{self._cell_timeout} s of its test and was interrupted")
        if payload is None and code is call:  # define the helper again and retry once
            self._helper_ready = False
            return await self._kernel_call(request, deadline, what)
        if payload is None:
            payload = {"error": ["RuntimeError", f"{what}: the kernel sent no result (did your "
                                 f"code change how the kernel runs code?)"], "results": []}
        return payload

    # ------------------------------------------------------------------ recovery

    def _reason(self, err: Exception) -> tuple[str, str]:
        """(outcome kind, message) for a kernel that died or hung, from its exit status."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            if isinstance(err, DeadKernelError):
                return "kernel died", "kernel died: the kernel stopped answering"
            return "timed out", (f"timed out: the cell ran longer than {self.timeout} s and did "
                                 f"not stop when interrupted (endless loop?)")
        signum = code - 128 if code > 128 else -code if code < 0 else 0
        if signum == signal.SIGXCPU:
            return "cpu limit", "CPU time limit: the kernel used up its CPU time and was stopped"
        if signum == signal.SIGKILL:
            # Which limit killed it is read from outside the kernel (its client's record of the
            # cgroup's OOM kills and the CPU time used: run._fill); the exit status alone cannot
            # tell memory from CPU time.
            return "kernel died", ("kernel died: the kernel was killed (SIGKILL), most likely by "
                                   "a limit on memory or CPU time")
        if signum:
            return "kernel died", f"kernel died: stopped by signal {signal.Signals(signum).name}"
        return "kernel died", (f"kernel died: the kernel exited with code {code} (sys.exit or "
                               f"os._exit in your code?); cells after this one ran in a "
                               f"restarted kernel")

    def _recover(self, index: int) -> None:
        """Restart the kernel and silently re-run the kernel's cells before ``index``, within
        the notebook's time budget."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._gave_up = (f"the kernel had to be restarted {self.max_restarts} times; the "
                             f"rest of the notebook was not run")
            return
        self._replaying = True
        try:
            run_sync(self._restart)()
            self._student_started = False
            for i, earlier in enumerate(self.nb.cells[:index]):
                if earlier.cell_type != "code" or i in self._bad or self._role(earlier) == \
                        "test":
                    continue
                if self._left() <= 0:
                    raise TimeoutError("the notebook's time ran out during the replay")
                self._student_started = self._student_started or \
                    self._role(earlier) == "student"
                self.timeout = max(1, int(min(self._cell_timeout, self._left()) + 0.999))
                self.execute_cell(copy.deepcopy(earlier), i, store_history=True)
        except Exception as err:  # a replay that fails again: stop here, cells get NotRun
            self._gave_up = f"the kernel could not be restarted after a crash ({err})"
        finally:
            self._replaying = False

    async def _restart(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        await ensure_async(self.km.restart_kernel(now=True))
        self._helper_ready = False
        # Not async_start_new_kernel_client: on failure it would clean the kernel manager up,
        # and nbclient's own clean-up at the end of the notebook would then fail.
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        # Within the student's time budget (at least 10 s: a restart is the grader's doing).
        await _wait_for_ready(self.kc, min(self.startup_timeout, max(self._left(), 10)))
        self.kc.allow_stdin = False

    # ------------------------------------------------------------------ outputs

    def _keep(self, outs: list, out: NotebookNode, cell_index: int) -> bool:
        """Append ``out`` unless the cell's or the notebook's output cap is reached."""
        if out.get("output_type") == "error":
            out["evalue"] = str(out.get("evalue", ""))[:2000]
            out["traceback"] = [str(line)[:2000] for line in out.get("traceback", [])[-40:]]
            outs.append(out)
            return True
        if cell_index in self._cut:
            return False
        size = len(json.dumps(out, default=str))
        used = self._bytes.get(cell_index, 0) + size
        self._bytes[cell_index] = used
        self._total += size
        if used > self.output_limit or self._total > self.notebook_output_limit:
            self._cut.add(cell_index)
            per_cell = used > self.output_limit
            self.events.append({"kind": "output cut", "cell": None, "detail": (
                "cell" if per_cell else "notebook")})
            limit = (f"a cell may print at most {self.output_limit} bytes" if per_cell else
                     f"a notebook may print at most {self.notebook_output_limit} bytes")
            outs.append(new_output("stream", name="stderr", text=(
                f"\n[grader: output cut here: {limit}]\n")))
            return False
        outs.append(out)
        return True

    def output(self, outs, msg, display_id, cell_index):
        if self._replaying:  # a replay's outputs go nowhere and count for nothing
            return super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "error":
            content = msg["content"]
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            content["traceback"] = [line[:2000] for line in content.get("traceback", [])[-40:]]
            if content.get("ename") == "MemoryError":
                self.events.append({"kind": "memory limit", "cell": None, "detail": ""})
            return super().output(outs, msg, display_id, cell_index)
        if cell_index in self._cut:
            return None
        size = len(json.dumps(msg["content"], default=str))
        used = self._bytes.get(cell_index, 0) + size
        self._bytes[cell_index] = used
        self._total += size
        if used > self.output_limit or self._total > self.notebook_output_limit:
            self._cut.add(cell_index)
            per_cell = used > self.output_limit
            self.events.append({"kind": "output cut", "cell": None,
                                "detail": "cell" if per_cell else "notebook"})
            limit = (f"a cell may print at most {self.output_limit} bytes" if per_cell else
                     f"a notebook may print at most {self.notebook_output_limit} bytes")
            outs.append(new_output("stream", name="stderr", text=(
                f"\n[grader: output cut here: {limit}]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)


class _CallFailed(Exception):
    """A call into the kernel that could not finish: (outcome kind, reason)."""


_CODEC_B64 = base64.b64encode(codec.source().encode()).decode()
_HELPER = f"_grader_call_{secrets.token_hex(6)}"
_HELPER_SOURCE = KERNEL_CALL.replace("@FN@", _HELPER).replace("@CODEC@", repr(_CODEC_B64))


def _source(cell) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else str(cell.source)
