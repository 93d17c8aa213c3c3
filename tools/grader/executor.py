"""nbgrader's Execute preprocessor, hardened for untrusted notebooks (used by tools.grade).

:class:`GuardedExecute` replaces ``nbgrader.preprocessors.Execute`` in the autograde pipeline of
each grading worker. On top of nbgrader's per-cell timeout it

- **survives a kernel that dies or stops answering** (``os._exit``, a CPU or memory limit, an
  endless loop that ignores Ctrl-C): the cell gets an error output saying what happened, the
  kernel is restarted, the code cells before it are run again silently (so the student's other
  functions exist again), and grading goes on with the next cell. A cell that kills the kernel is
  never run twice, so one bad part costs that part only;
- **caps the output** each cell may produce (``output_limit`` bytes): the rest is dropped and a
  note says so. Error outputs always get through (shortened), since they decide the score;
- **limits the whole notebook** to ``notebook_timeout`` seconds: cells not reached get an error
  output (a test cell without an error would otherwise score full marks);
- **runs every test cell against the helpers as the locked cells set them up**. After the locked
  cells at the top (the imports), a snapshot is taken inside the kernel of every ``numpy*``,
  ``nnlib*`` and ``builtins`` module namespace, of the code of their functions and of the global
  names the locked cells bound; right before each test cell it is restored. A student who writes
  ``np.allclose = lambda *a, **k: True``, ``check_close = print``,
  ``nnlib.checks.check_close.__code__ = ...`` or ``builtins.float = ...`` in a solution cell
  is graded by the real functions. This defends against patching by name or attribute, the only
  kind a student can do without writing code aimed at this grader; a submission that hunts down
  the snapshot in the kernel's memory is not stopped (see book/grading_safely.md).
"""

from __future__ import annotations

import copy
import json
import secrets
import signal
import time
from queue import Empty

import psutil
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_hook
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

# ename of the error outputs the grader itself writes (read back by tools.grader.run).
KERNEL_DIED = "KernelDied"
CELL_TIMEOUT = "CellTimeoutError"
NOT_RUN = "NotRun"

_SNAPSHOT = r'''
def _make_guard():
    import builtins, re, sys, types
    _vars, _setattr, _items, _isinstance, _list = vars, setattr, dict.items, isinstance, list
    _Function, _Namespace = types.FunctionType, types.SimpleNamespace
    modules = {name: m for name, m in _list(sys.modules.items()) if m is not None
               and name.split(".")[0] in ("numpy", "nnlib")}
    modules["builtins"] = builtins
    spaces = [(name, m, dict(_vars(m))) for name, m in _items(modules)]
    g = globals()
    ipython = re.compile(r"__.*|_+|_\d+|_i+|_i\d+|_ih|_oh|_dh")
    names = {k: v for k, v in _items(g) if not ipython.fullmatch(k)}
    objects = [(v, dict(_vars(v))) for v in names.values() if _isinstance(v, _Namespace)]
    functions = []
    for _, _, d in spaces:
        functions += [(f, f.__code__, f.__defaults__, f.__kwdefaults__)
                      for f in d.values() if _isinstance(f, _Function)]
    functions += [(f, f.__code__, f.__defaults__, f.__kwdefaults__)
                  for f in names.values() if _isinstance(f, _Function)]
    mods = sys.modules

    def restore():
        for name, m, saved in spaces:
            mods[name] = m
            current = _vars(m)
            for k, v in _items(saved):
                if current.get(k, restore) is not v:
                    _setattr(m, k, v)
        for obj, saved in objects:
            for k, v in _items(saved):
                _setattr(obj, k, v)
        for f, code, defaults, kwdefaults in functions:
            if f.__code__ is not code:
                f.__code__ = code
            f.__defaults__, f.__kwdefaults__ = defaults, kwdefaults
        for k, v in _items(names):
            g[k] = v
    return restore
'''


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
        procs = []
        for pid in pids:
            try:
                proc = psutil.Process(pid)
                proc.kill()
                procs.append(proc)
                killed += 1
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=2)
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
    """nbgrader's Execute with kernel restarts, output caps, a notebook time limit and guards."""

    output_limit = Integer(100_000, help="Bytes of output kept per cell.").tag(config=True)
    notebook_timeout = Integer(900, help="Seconds for the whole notebook.").tag(config=True)
    max_restarts = Integer(4, help="Kernel restarts per notebook before giving up.").tag(
        config=True)
    sandboxed = Bool(False, help="The kernel runs in its own PID namespace (reap leftovers)."
                     ).tag(config=True)

    before_kernel = None  # set by the grading worker: callable(folder) run before the kernel starts
    after_kernel = None  # set by the grading worker: callable() run once the kernel is stopped
    leftovers = None  # set by the grading worker: callable(kernel pid) -> pids to kill

    def preprocess(self, nb, resources=None, km=None):
        folder = (resources or {}).get("metadata", {}).get("path")
        if self.before_kernel is not None and folder:
            self.before_kernel(folder)
        self._started = time.monotonic()
        self._restarts = 0
        self._gave_up = ""
        self._bytes: dict[int, int] = {}
        self._cut: set[int] = set()
        self._bad: set[int] = set()  # cells that killed or hung the kernel: never re-run
        self._guard = f"_grader_restore_{secrets.token_hex(6)}"
        self._guarded = False  # snapshot taken (after the locked cells at the top)
        self._student_started = False
        self.incidents: list[str] = []
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.after_kernel is not None:
                self.after_kernel()

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

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not self._gave_up and time.monotonic() - self._started > self.notebook_timeout:
            self._gave_up = (f"the notebook used up its {self.notebook_timeout} s of grading "
                             f"time; this cell was not run")
            self.incidents.append("notebook time limit")
        if self._gave_up:
            cell.outputs = [_error(NOT_RUN, self._gave_up)]
            return cell, resources
        try:
            self._before(cell)
            super().preprocess_cell(cell, resources, index)
            self._after(cell)
        except (DeadKernelError, CellTimeoutError, TimeoutError, RuntimeError) as err:
            self._bad.add(index)
            reason = self._reason(err)
            self.incidents.append(reason.split(":")[0])
            cell.outputs.append(_error(KERNEL_DIED if "died" in reason or "limit" in reason
                                       else CELL_TIMEOUT, reason))
            self._recover(index)
        self._all_or_nothing(cell)
        return cell, resources

    def _all_or_nothing(self, cell) -> None:
        """A test cell scores full marks unless a check raised: nbgrader also gives 0 for any
        text on stderr (a harmless warning) and gives partial credit for a number shown as the
        cell's result, which student code can fake with ``sys.displayhook(2.0)``. Here stderr
        becomes stdout and results become plain displays, so only errors decide."""
        meta = self._nbgrader(cell)
        if not (meta.get("grade") and not meta.get("solution")):
            return
        for out in cell.outputs:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"
            elif out.get("output_type") == "execute_result":
                out["output_type"] = "display_data"
                out.pop("execution_count", None)

    def _nbgrader(self, cell) -> dict:
        return cell.metadata.get("nbgrader", {})

    def _before(self, cell) -> None:
        meta = self._nbgrader(cell)
        if not (meta.get("locked") and not meta.get("grade")):
            self._student_started = True
        if self._guarded and meta.get("grade") and not meta.get("solution"):
            self._hidden(f"{self._guard}()")

    def _after(self, cell) -> None:
        meta = self._nbgrader(cell)
        if self.sandboxed and self._student_started:
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None and self.leftovers is not None and _reap_leftovers(
                    lambda: self.leftovers(process.pid)):
                self.incidents.append("processes left behind (killed)")
        if not self._student_started and meta.get("locked"):
            self._hidden(_SNAPSHOT + f"{self._guard} = _make_guard()\ndel _make_guard\n")
            self._guarded = True

    def _hidden(self, code: str) -> None:
        """Run code in the kernel without output or history; fail like a cell if it hangs."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = self.wait_for_reply(msg_id)
        if reply is None:
            raise CellTimeoutError("the kernel did not answer the grader")

    # ------------------------------------------------------------------ recovery

    def _reason(self, err: Exception) -> str:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return (f"timed out: the cell ran longer than {self.timeout} s and did not stop when "
                    f"interrupted (endless loop?)")
        signum = code - 128 if code > 128 else -code if code < 0 else 0
        if signum == signal.SIGXCPU:
            return "CPU time limit: the kernel used up its CPU time and was stopped"
        if signum == signal.SIGKILL:
            return "memory limit: the kernel was killed (too much memory or too many processes)"
        if signum:
            return f"kernel died: stopped by signal {signal.Signals(signum).name}"
        return (f"kernel died: the kernel exited with code {code} (sys.exit or os._exit in "
                f"your code?); cells after this one ran in a restarted kernel")

    def _recover(self, index: int) -> None:
        """Restart the kernel and silently re-run the code cells before ``index``."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._gave_up = (f"the kernel had to be restarted {self.max_restarts} times; the "
                             f"rest of the notebook was not run")
            return
        try:
            run_sync(self._restart)()
            self._guarded, self._student_started = False, False
            for i, earlier in enumerate(self.nb.cells[:index]):
                if earlier.cell_type != "code" or i in self._bad:
                    continue
                scratch = copy.deepcopy(earlier)
                self._before(scratch)
                self.execute_cell(scratch, i, store_history=True)
                self._after(scratch)
        except Exception as err:  # a replay that fails again: stop here, cells get NotRun
            self._gave_up = f"the kernel could not be restarted after a crash ({err})"

    async def _restart(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        await ensure_async(self.km.restart_kernel(now=True))
        # Not async_start_new_kernel_client: on failure it would clean the kernel manager up,
        # and nbclient's own clean-up at the end of the notebook would then fail.
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        await _wait_for_ready(self.kc, self.startup_timeout)
        self.kc.allow_stdin = False

    # ------------------------------------------------------------------ outputs

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":
            content = msg["content"]
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            content["traceback"] = [line[:2000] for line in content.get("traceback", [])[-40:]]
            return super().output(outs, msg, display_id, cell_index)
        if cell_index in self._cut:
            return None
        size = len(json.dumps(msg["content"], default=str))
        used = self._bytes.get(cell_index, 0) + size
        self._bytes[cell_index] = used
        if used > self.output_limit:
            self._cut.add(cell_index)
            self.incidents.append("output cut")
            outs.append(new_output("stream", name="stderr", text=(
                f"\n[grader: output cut here: a cell may print at most {self.output_limit} "
                f"bytes]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)
