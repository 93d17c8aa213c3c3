"""The sandboxed kernel that runs a student's notebook during grading (bubblewrap + rlimits).

Every notebook is executed by a Jupyter kernel whose spec is written at run time into a private
folder (put on ``JUPYTER_PATH``); its command starts the kernel through ``bwrap`` with:

- a new mount namespace holding only, read-only: ``/usr`` (system libraries), the Python
  installation (``sys.prefix`` and ``sys.base_prefix``), the ``nnlib`` package folder (not the
  repository: ``solutions/``, ``grading/`` and the gradebook stay invisible) and the launcher;
  the student's own working folder (a private copy of the submission, seen as
  ``/home/student/work``); read-write: the folder of the kernel's IPC sockets and a
  size-limited private ``/tmp``, the only place student code can write to. Nothing else of
  the machine exists inside: no other student, no instructor home;
- no network (``--unshare-net``: only a loopback device that is down), its own process, IPC and
  host-name namespaces, a new session (no terminal), killed when the grader dies;
- an unprivileged user: as root, the launcher switches to a uid of its own per worker
  (``--uid-base`` + worker number); as an ordinary user, bwrap maps the instructor to uid 65534
  in a user namespace;
- resource limits set by :mod:`tools.grader.launcher` (address space, CPU seconds, number of
  processes, file size, open files, no core dumps), a private size-limited ``/dev/shm``, and,
  where the grader may make one, a memory cgroup (:class:`MemoryCgroup`) in which all of a
  kernel's processes and shared memory count together; where it may not, ``memfd_create`` is
  refused instead.

Outside the sandbox, a small process stands for each kernel (jupyter_client's kernel process):
``zygote.py client`` (warm) or ``zygote.py cold`` (cold). Both die with the grading worker,
put the kernel in the memory cgroup before it runs anything, and record how the kernel ended
(exit status, signal, CPU seconds, OOM kills) for :meth:`Sandbox.take_kernel_ends`, which says
whether a memory or CPU limit was hit (:func:`kernel_end`).

The kernel talks to the grader over Unix sockets (``KernelManager.transport = "ipc"``), so there
are no TCP ports to clash between parallel workers, and is interrupted by message
(``"interrupt_mode": "message"``: the grader cannot signal a process in another PID namespace).
``JPY_PARENT_PID`` is not passed in (the environment is cleared), so the kernel does not watch a
parent PID that does not exist in its namespace.

That is a *cold* kernel. By default a worker uses *warm* ones: a single process in a sandbox as
above (but seeing the folder of all the worker's students, and allowed to create user
namespaces) imports the kernel's modules once and forks each student's kernel, which isolates
itself again before running anything (:mod:`tools.grader.zygote`). :func:`check_warm` tells
whether this machine allows it; if not, kernels start cold.
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nnlib

KERNEL_NAME = "nn-grading-sandbox"
LAUNCHER = Path(__file__).with_name("launcher.py")
ZYGOTE = Path(__file__).with_name("zygote.py")
INSIDE_LAUNCHER = "/opt/grader/launcher.py"
INSIDE_ZYGOTE = "/opt/grader/zygote.py"
INSIDE_WORK = "/home/student/work"
INSIDE_STUDENTS = "/home/students"  # warm kernels: every folder of the worker (then hidden)
MiB = 1024 * 1024
# What a warm zygote imports before it forks kernels: what every kernel start and every
# exercise's locked cells import anyway (nnlib.widgets is left out: no exercise imports it).
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
           "IPython.core.completer", "sqlite3", "numpy", "numpy.random", "nnlib"] + [
    f"nnlib.{m.name}" for m in pkgutil.iter_modules(nnlib.__path__)
    if not m.name.startswith("_") and m.name not in ("widgets", "plots")]


class SandboxUnavailable(Exception):
    """The sandbox cannot start on this machine; the message says why and what to do."""


@dataclass
class Limits:
    """Resource limits of one student's kernel (the defaults suit the course's exercises)."""

    memory_mb: int = 2048  # address space of each process (numpy needs ~600 MB of it)
    cpu_seconds: int = 600  # CPU time of each process; a backstop behind the wall-clock limits
    processes: int = 64  # processes and threads of the kernel's user
    file_size_mb: int = 16  # largest file the student's code may write
    tmp_mb: int = 64  # size of the private /tmp, and of the private /dev/shm
    open_files: int = 256

    def address_space_mb(self, in_cgroup: bool) -> int:
        """Address space of each process. In a memory cgroup of ``memory_mb`` (everything of
        the kernel together) a process gets less, so that one process alone meets its own
        limit (a MemoryError) before the cgroup's: a cgroup at its limit first evicts the
        kernel's code from memory, and the kernel crawls for seconds before it is killed."""
        if not in_cgroup:
            return self.memory_mb
        return max(self.memory_mb - 2 * self.tmp_mb - 128, self.memory_mb // 2)

    def rlimits(self, processes: int | None = None, in_cgroup: bool = False
                ) -> dict[str, int | list[int]]:
        # CPU: SIGXCPU at the limit, SIGKILL 5 s later if the student's code ignores it (a
        # hard limit equal to the soft one would send SIGKILL straight away, which looks like
        # any other kill from outside).
        return {"address_space": self.address_space_mb(in_cgroup) * MiB,
                "cpu_seconds": [self.cpu_seconds, self.cpu_seconds + 5],
                "processes": processes if processes is not None else self.processes,
                "file_size": self.file_size_mb * MiB, "open_files": self.open_files,
                "core": 0}


# --------------------------------------------------------------------------- memory cgroups


CGROUP_PREFIX = "tools-grade-"  # + <pid of the grading command>-<worker>: ours, removable


def _cgroup_parent() -> tuple[Path, int] | str:
    """Where this process may make memory cgroups: (folder, cgroup version), or why not.

    cgroup v2: the parent of this process's cgroup, when its ``cgroup.subtree_control`` has
    ``memory`` (a sibling then gets the controller). cgroup v1 (and hybrid set-ups): this
    process's cgroup in the ``memory`` hierarchy. Both need write access (in practice, root).
    """
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError as err:
        return f"cannot read this process's cgroups ({err})"
    v1 = {}
    v2_path = None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            v2_path = path
        for c in controllers.split(","):
            v1[c] = path
    mount_of: dict[str, Path] = {}
    for line in mounts:
        left, _, right = line.partition(" - ")
        fstype, _, options = right.split(" ", 2) if right.count(" ") >= 2 else (right, "", "")
        point = Path(left.split()[4])
        if fstype == "cgroup2":
            mount_of["cgroup2"] = point
        elif fstype == "cgroup" and "memory" in options.split(","):
            mount_of["memory"] = point
    if "memory" in mount_of and "memory" in v1:
        folder = mount_of["memory"] / v1["memory"].lstrip("/")
        if os.access(folder, os.W_OK):
            return folder, 1
        return f"the memory cgroup {folder} is not writable (grade as root)"
    if "cgroup2" in mount_of and v2_path is not None:
        parent = (mount_of["cgroup2"] / v2_path.lstrip("/")).parent
        try:
            delegated = "memory" in (parent / "cgroup.subtree_control").read_text().split()
        except OSError:
            delegated = False
        if delegated and os.access(parent, os.W_OK):
            return parent, 2
        return (f"no memory controller delegated to {parent} (cgroup v2): grade as root, or "
                f"inside a systemd scope with MemoryMax")
    return "no memory cgroup controller is mounted"


@dataclass
class MemoryCgroup:
    """A memory cgroup holding one worker's kernels (one at a time): every process of a kernel
    and every page it owns, shared memory (memfd, /dev/shm) and its /tmp included, counts
    against ``limit`` bytes together; beyond it the kernel is killed (an OOM kill, counted)."""

    path: Path
    version: int

    @classmethod
    def create(cls, name: str, limit: int) -> MemoryCgroup:
        """Make (or reuse) the cgroup ``name``; OSError or SandboxUnavailable on failure."""
        where = _cgroup_parent()
        if isinstance(where, str):
            raise SandboxUnavailable(where)
        parent, version = where
        path = parent / name
        try:
            path.mkdir(exist_ok=True)
            if version == 1:
                (path / "memory.limit_in_bytes").write_text(str(limit))
                if (path / "memory.memsw.limit_in_bytes").exists():  # swap counts too
                    (path / "memory.memsw.limit_in_bytes").write_text(str(limit))
            else:
                (path / "memory.max").write_text(str(limit))
                if (path / "memory.swap.max").exists():
                    (path / "memory.swap.max").write_text("0")
        except OSError as err:
            remove_cgroup(path)
            raise SandboxUnavailable(f"cannot make a memory cgroup in {parent}: {err}") from err
        return cls(path, version)

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    @property
    def events(self) -> Path:
        return self.path / ("memory.oom_control" if self.version == 1 else "memory.events")

    def for_client(self) -> dict:
        """What the kernel's client (:mod:`tools.grader.zygote`) needs: where to join, what
        to read the OOM kills from."""
        return {"procs": str(self.procs), "events": str(self.events)}

    def remove(self) -> None:
        """Kill whatever is left in it, then remove it."""
        remove_cgroup(self.path)


def remove_cgroup(path: Path) -> None:
    for _ in range(50):
        try:
            pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.1)


def remove_stale_cgroups() -> list[str]:
    """Remove the memory cgroups of grading commands that are no longer running (a killed
    run's); only cgroups named by this module, never following a link. Returns their names."""
    where = _cgroup_parent()
    if isinstance(where, str):
        return []
    removed = []
    for entry in os.scandir(where[0]):
        if not (entry.name.startswith(CGROUP_PREFIX) and entry.is_dir(follow_symlinks=False)):
            continue
        owner = entry.name[len(CGROUP_PREFIX):].split("-")[0]
        if not owner_alive(owner):
            remove_cgroup(Path(entry.path))
            removed.append(entry.name)
    return removed


def owner_alive(owner: str) -> bool:
    """Is the process named by :func:`owner_id` still running? (True when unsure.)"""
    pid, _, start = owner.partition(".")
    if not pid.isdigit():
        return True
    return _alive(int(pid)) and (not start or str(_start_time(int(pid))) == start)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def memory_cgroup_unavailable() -> str | None:
    """None when memory cgroups can be made here (one is made and removed to know), else why
    not (one line)."""
    try:
        MemoryCgroup.create(f"{CGROUP_PREFIX}{owner_id(os.getpid())}-probe", 64 * MiB).remove()
    except SandboxUnavailable as err:
        return str(err)
    return None


@dataclass
class Sandbox:
    """One worker's sandbox settings; :meth:`write_kernel` points the kernel at a student.

    With ``warm`` (the default when :func:`check_available` found it possible), kernels are
    forked from the worker's zygote (:mod:`tools.grader.zygote`), which sees ``students``, the
    folder holding every student's working folder, and shows each kernel only its own.
    Without it, every kernel is a fresh ``bwrap`` + :mod:`tools.grader.launcher` process.
    """

    folder: Path  # private folder of the worker: kernel spec, runtime dir (sockets)
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None  # unprivileged uid to switch to (only when the grader is root)
    enabled: bool = True  # False: --unsafe, the kernel runs as the grader with no isolation
    warm: bool = False  # fork kernels from a zygote (needs `students`)
    students: Path | None = None  # folder of the students' working folders (warm kernels)
    memory_cgroup: str | None = None  # name of the memory cgroup prepare() makes, if any
    cgroup: MemoryCgroup | None = None  # every kernel of this worker runs in it
    _zygote: subprocess.Popen | None = field(default=None, repr=False)
    _lifeline: int | None = field(default=None, repr=False)  # the zygote ends when it closes

    @property
    def kernel_ends_file(self) -> Path:
        """Where each kernel's client records how the kernel ended (outside the sandbox)."""
        return self.folder / "kernel-ends.jsonl"

    def client_settings(self) -> dict:
        """Settings of the process that stands for a kernel outside the sandbox (warm or
        cold): it dies with this worker, puts the kernel in the memory cgroup, and records how
        the kernel ended (:mod:`tools.grader.zygote`)."""
        return {"parent": os.getpid(), "events": str(self.kernel_ends_file),
                "cgroup": self.cgroup.for_client() if self.cgroup is not None else None}

    def take_kernel_ends(self) -> list[dict]:
        """How every kernel since the last call ended, judged from outside the kernel
        (:func:`kernel_end`), oldest first; the record is emptied."""
        path = self.kernel_ends_file
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            path.unlink()
        except FileNotFoundError:
            return []
        ends = []
        for line in lines:
            try:
                ends.append(kernel_end(json.loads(line), self.limits))
            except (ValueError, TypeError, AttributeError):
                continue
        return ends

    @property
    def jupyter_path(self) -> Path:
        return self.folder / "jupyter"

    @property
    def runtime_dir(self) -> Path:
        return self.folder / "runtime"

    @property
    def control_socket(self) -> Path:
        return self.folder / "control" / "zygote.sock"

    def prepare(self) -> None:
        if self.enabled and self.memory_cgroup and self.cgroup is None:
            self.cgroup = MemoryCgroup.create(self.memory_cgroup, self.limits.memory_mb * MiB)
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        # The kernel's unprivileged user creates its sockets here (the folder itself is only
        # reachable through the worker's private 0700 folder outside the sandbox).
        os.chmod(self.runtime_dir, 0o777 if self.uid is not None else 0o700)
        self.jupyter_path.mkdir(parents=True, exist_ok=True)
        if self.warm and self.enabled:
            if self.students is None:
                raise ValueError("warm kernels need the students' folder")
            self.students.mkdir(parents=True, exist_ok=True)
            self.control_socket.parent.mkdir(mode=0o700, exist_ok=True)

    def give_folder(self, work: Path) -> None:
        """Hand the student's working folder to the kernel's user (writable by it only)."""
        if self.enabled and self.uid is not None:
            for path in [work, *work.rglob("*")]:
                os.lchown(path, self.uid, self.uid)

    def write_kernel(self, work: Path) -> None:
        """(Re)write the kernel spec so that the next kernel runs in ``work``, and empty the
        runtime folder (the one place a kernel can write that outlives it) of whatever the
        kernels before it left there. Call it when no kernel of this worker is running."""
        for entry in self.runtime_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        spec = {"argv": self.argv(work), "display_name": "Python 3 (grading sandbox)",
                "language": "python", "interrupt_mode": "message",
                "env": {} if self.enabled else {"JPY_PARENT_PID": ""}}
        folder = self.jupyter_path / "kernels" / KERNEL_NAME
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")

    def argv(self, work: Path) -> list[str]:
        python = os.path.join(sys.prefix, "bin", "python")
        if not self.enabled:
            return [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        client = [python, "-I", "-S", str(ZYGOTE)]
        if self.warm:
            self.ensure_zygote()
            relative = work.resolve().relative_to(self.students.resolve())
            settings = dict(self.client_settings(), socket=str(self.control_socket),
                            folder=str(relative))
            return client + ["client", json.dumps(settings), "{connection_file}"]
        settings = {"limits": self.limits.rlimits(_processes_allowed(self.limits, self.uid),
                                                  in_cgroup=self.cgroup is not None),
                    "uid": self.uid, "cwd": INSIDE_WORK, "block_memfd": self.cgroup is None}
        return (client + ["cold", json.dumps(self.client_settings()), "--"]
                + bwrap_args(work, self.runtime_dir, self.limits, self.uid)
                + [python, INSIDE_LAUNCHER, json.dumps(settings), "{connection_file}"])

    # ------------------------------------------------------------------ warm kernels

    def zygote_settings(self) -> dict:
        runtime = self.runtime_dir.resolve()
        # Folders the sandbox shows under /tmp (a clone or an environment in a temporary
        # folder, the sockets' folder): each kernel's own /tmp would hide them.
        keep = [(p, True) for p in _read_only_paths()] + [(runtime, False)]
        return {"uid": self.uid, "limits": self.limits.rlimits(in_cgroup=self.cgroup is not None),
                "preload": PRELOAD,
                "block_memfd": self.cgroup is None,
                "tmp_bytes": self.limits.tmp_mb * MiB, "work_root": INSIDE_STUDENTS,
                "keep_under_tmp": [{"path": str(p), "read_only": ro} for p, ro in keep
                                   if Path("/tmp") in p.parents],
                "probe_paths": [str(p) for p in _read_only_paths()]}

    def ensure_zygote(self) -> None:
        """Start the worker's zygote, or start it again if it has stopped."""
        if self._zygote is not None and self._zygote.poll() is None:
            return
        self.stop()
        sock = self.control_socket
        if sock.exists():
            sock.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        their_end, our_end = os.pipe()
        try:
            listener.bind(str(sock))
            listener.listen(16)
            settings = dict(self.zygote_settings(), control_fd=listener.fileno(),
                            lifeline_fd=their_end)
            python = os.path.join(sys.prefix, "bin", "python")
            cmd = (bwrap_args(None, self.runtime_dir, self.limits, self.uid,
                              students=self.students)
                   + [python, INSIDE_ZYGOTE, "serve", json.dumps(settings)])
            with open(self.folder / "zygote.log", "ab") as log:
                self._zygote = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=log,
                                                pass_fds=(listener.fileno(), their_end))
            self._lifeline, our_end = our_end, None
        finally:
            listener.close()  # the zygote has its own copies
            os.close(their_end)
            if our_end is not None:
                os.close(our_end)

    def leftovers(self, client_pid: int) -> list[int]:
        """Processes that student code started and left running (a fork bomb's copies of the
        kernel): every descendant of the kernel processes of this worker, which are under the
        zygote (warm kernels) or under the client's bwrap (cold ones). One scan of /proc.

        Processes that have ended are not listed: a killed child of the kernel stays a zombie
        until the kernel reaps it (the kernel never does) or ends, and there is nothing left of
        it to kill (listing it made every later cell wait for it in vain)."""
        tree = _process_tree()
        if self.warm and self._zygote is not None:
            # bwrap -> zygote -> supervisor -> init (PID 1 of the kernel's namespace) -> kernel
            # (its first child) and the orphans the init took in
            inits = [i for z in tree.get(self._zygote.pid, []) for sup in tree.get(z, [])
                     for i in tree.get(sup, [])]
            left = []
            for init in inits:
                below = sorted(tree.get(init, []), key=_start_time)
                left += below[1:] + [pid for k in below for pid in _descendants(tree, k)]
        else:
            below = _descendants(tree, client_pid)
            launched = [pid for pid in below if b"ipykernel_launcher" in _cmdline(pid)]
            kernels = launched[:1]  # the kernel; any later copy of it is a leftover
            left = [pid for k in kernels for pid in _descendants(tree, k)]
        return [pid for pid in left if not ended(pid)]

    def wait_kernels_gone(self, timeout: float = 10.0) -> bool:
        """After a kernel was killed: wait until no kernel of this worker is left (its files can
        then no longer change). True when none is left within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if self.cgroup is not None:  # every kernel process, warm or cold, is in it
            while self.cgroup.procs.read_text().split():
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.005)
        if not (self.warm and self._zygote is not None):
            return True
        while True:
            tree = _process_tree()  # bwrap -> zygote -> supervisors -> kernels
            if not any(tree.get(sup) for z in tree.get(self._zygote.pid, [])
                       for sup in tree.get(z, [])):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def close(self) -> None:
        """End the zygote and its kernels, and remove the memory cgroup."""
        self.stop()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def stop(self) -> None:
        """End the zygote and every kernel it forked."""
        if self._lifeline is not None:
            os.close(self._lifeline)  # the zygote exits, and its PID namespace with it
            self._lifeline = None
        if self._zygote is not None:
            try:
                self._zygote.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
                self._zygote.wait()
        self._zygote = None


def kernel_end(record: dict, limits: Limits) -> dict:
    """How a kernel ended, from what its client saw outside the sandbox (exit status, CPU
    seconds the kernel and its processes used, OOM kills of its memory cgroup): a dict with
    ``kind`` ("memory limit", "cpu limit", "signal", "exit"), ``signal``, ``code``,
    ``cpu_seconds``, ``oom_kills`` and a one-line ``detail``."""
    code = int(record.get("code", 0))
    cpu = float(record.get("cpu", 0.0))
    ooms = int(record.get("oom_kills", 0))
    signum = code - 128 if code > 128 else -code if code < 0 else 0
    try:
        name = signal.Signals(signum).name if signum else None
    except ValueError:
        name = f"signal {signum}"
    if ooms and signum == signal.SIGKILL:
        kind, detail = "memory limit", (
            f"the kernel was killed for using more than {limits.memory_mb} MB of memory (all "
            f"its processes and shared memory together)")
    elif signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu >= limits.cpu_seconds):
        kind, detail = "cpu limit", (
            f"the kernel used up its {limits.cpu_seconds} s of CPU time ({cpu:.0f} s) and was "
            f"stopped by {name}")
    elif signum:
        kind, detail = "signal", f"the kernel ended by {name}"
    else:
        kind, detail = "exit", f"the kernel exited with code {code}"
    return {"kind": kind, "signal": name, "code": code, "cpu_seconds": round(cpu, 2),
            "oom_kills": ooms, "detail": detail}


def _read_only_paths() -> list[Path]:
    """What the sandbox shows read-only, at the same paths: system files, the Python
    installation and nnlib (fewest first; none inside another)."""
    ro = [Path("/usr"), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
          Path(nnlib.__file__).resolve().parent]
    ro += [Path("/") / name for name in ("bin", "lib", "lib64", "sbin")
           if not (Path("/") / name).is_symlink() and (Path("/") / name).is_dir()]
    mounts = sorted(set(ro), key=lambda p: len(p.parts))
    return [p for p in mounts if not any(p != other and other in p.parents for other in mounts)]


def _process_tree() -> dict[int, list[int]]:
    """Parent pid -> child pids of every process on the machine (ordered by pid)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    for pids in children.values():
        pids.sort()
    return children


def _descendants(tree: dict[int, list[int]], pid: int) -> list[int]:
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def _start_time(pid: int) -> int:
    """When the process started (clock ticks since boot), for ordering."""
    fields = _stat(pid)
    return int(fields[19]) if fields is not None else 1 << 62


def ended(pid: int) -> bool:
    """Has process ``pid`` ended (gone, or a zombie its parent has not reaped yet)?"""
    fields = _stat(pid)
    return fields is None or fields[0] in (b"Z", b"X")


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name: state, ppid, ... (field 3
    onwards of proc(5), so starttime is [19]); None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    return fields if len(fields) > 19 else None


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def _processes_allowed(limits: Limits, uid: int | None) -> int:
    """RLIMIT_NPROC counts every process of the real user: when the kernel keeps the grader's
    uid (no root), allow the user's current processes plus the limit."""
    if uid is not None:
        return limits.processes
    try:
        out = subprocess.run(["ps", "-U", str(os.getuid()), "-L", "--no-headers"],
                             capture_output=True, text=True, timeout=10).stdout
        return len(out.splitlines()) + limits.processes
    except (OSError, subprocess.SubprocessError):
        return 4096 + limits.processes


def _dirs_above(path: Path) -> list[str]:
    return [str(p) for p in reversed(path.parents) if str(p) != "/"]


def bwrap_args(work: Path | None, runtime_dir: Path, limits: Limits, uid: int | None, *,
               students: Path | None = None) -> list[str]:
    """The bwrap command line (up to the command it runs) of a kernel working in ``work``, or,
    with ``students``, of a warm zygote that sees every student's folder of its worker (and
    gives each kernel it forks its own: :mod:`tools.grader.zygote`)."""
    ro = _read_only_paths()
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading",
            "--proc", "/proc", "--dev", "/dev",
            # shared memory: a size-limited /dev/shm of its own (bwrap's /dev is unlimited)
            "--perms", "1777", "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/dev/shm",
            "--perms", "1777", "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/tmp"]
    for name in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
    made: set[str] = {"/tmp", "/proc", "/dev", "/dev/shm"}
    mounts = ro
    inside = [Path(INSIDE_WORK), Path(INSIDE_LAUNCHER)] + (
        [Path(INSIDE_STUDENTS)] if students is not None else [])
    for path in [*mounts, runtime_dir.resolve(), *inside]:
        for d in _dirs_above(path):  # bwrap makes missing parents 0700: make them 0755
            if d not in made and not any(d.startswith(str(m) + "/") or d == str(m)
                                         for m in mounts):
                args += ["--perms", "0755", "--dir", d]
                made.add(d)
    for path in mounts:
        args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(runtime_dir.resolve()), str(runtime_dir.resolve())]
    if students is None:
        args += ["--ro-bind", str(LAUNCHER), INSIDE_LAUNCHER,
                 "--ro-bind", str(work.resolve()), INSIDE_WORK, "--chdir", INSIDE_WORK]
    else:  # the zygote: pid 1 of the sandbox (no bwrap reaper a kernel could reach)
        args += ["--ro-bind", str(ZYGOTE), INSIDE_ZYGOTE, "--as-pid-1",
                 "--ro-bind", str(LAUNCHER), INSIDE_LAUNCHER,  # the zygote uses its limits
                 "--bind", str(students.resolve()), INSIDE_STUDENTS,
                 "--dir", INSIDE_WORK, "--chdir", "/"]
    # The nnlib mounted above comes first on the path: an editable install of nnlib elsewhere
    # (pip install -e of another clone) points to a folder the sandbox does not show.
    args += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "PYTHONPATH", str(Path(nnlib.__file__).resolve().parent.parent),
             "--setenv", "HOME", "/tmp", "--setenv", "MPLBACKEND", "Agg",
             "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/ipython",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "MKL_NUM_THREADS", "1",
             "--setenv", "LANG", "C.UTF-8"]
    if uid is not None:
        # Only root gets here: keep just what the launcher needs to switch to the student uid.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:  # a zygote makes user namespaces for its kernels: --disable-userns is for cold ones
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534"] + (
            ["--disable-userns"] if students is None else [])
    return args


def check_available(uid: int | None, limits: Limits | None = None,
                    memory_cgroup: bool = False) -> None:
    """Start a throw-away sandbox the way a cold kernel starts (the kernel's client, bwrap,
    the launcher's limits: the ``limits`` asked for, and with ``memory_cgroup`` a memory cgroup
    of ``limits.memory_mb``) and run Python with numpy and nnlib in it; SandboxUnavailable
    says why it failed (for example a memory limit too small to import numpy)."""
    limits = limits or Limits()
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be isolated. Install it "
            "(Debian/Ubuntu: sudo apt-get install bubblewrap), or grade without a sandbox with "
            "--unsafe, only if you trust every submission.")
    with tempfile.TemporaryDirectory(prefix="grading-sandbox-check-") as tmp:
        name = f"{CGROUP_PREFIX}{owner_id(os.getpid())}-check" if memory_cgroup else None
        box = Sandbox(Path(tmp), limits, uid=uid, memory_cgroup=name)
        try:
            box.prepare()
            work = Path(tmp) / "work"
            work.mkdir()
            box.give_folder(work)
            wanted = limits.rlimits(_processes_allowed(limits, uid),
                                    in_cgroup=box.cgroup is not None)
            settings = json.dumps({"limits": wanted, "uid": uid, "cwd": INSIDE_WORK,
                                   "block_memfd": box.cgroup is None})
            # The launcher execs a kernel; for the check, do what it does by hand, then report.
            code = ("import json, os, resource, sys; sys.path.insert(0, '/opt/grader'); "
                    "from launcher import LIMIT_NAMES, set_limits; s = json.loads(sys.argv[1]); "
                    "u = s['uid']; "
                    "(os.setgroups([]), os.setgid(u), os.setuid(u)) if u is not None else None; "
                    "set_limits(s['limits']); "
                    "from launcher import block_memfd; s['block_memfd'] and block_memfd(); "
                    "import numpy, nnlib, socket; "
                    "print(json.dumps({k: resource.getrlimit(v) for k, v in LIMIT_NAMES.items()"
                    " if k in s['limits']}))")
            python = os.path.join(sys.prefix, "bin", "python")
            cmd = ([python, "-I", "-S", str(ZYGOTE), "cold", json.dumps(box.client_settings()),
                    "--"] + bwrap_args(work, box.runtime_dir, limits, uid)
                   + [python, "-c", code, settings])
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as err:
                raise SandboxUnavailable(f"the sandbox did not start: {err}") from err
        finally:
            box.close()
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            hint = ""
            if "namespace" in proc.stderr or "Operation not permitted" in proc.stderr:
                hint = (" This machine does not let unprivileged users create user namespaces "
                        "(e.g. sysctl kernel.unprivileged_userns_clone=0, or a container that "
                        "forbids it): run the grader as root, or enable user namespaces.")
            elif "MemoryError" in proc.stderr or "Cannot allocate" in proc.stderr:
                hint = (f" Python with numpy does not fit in {limits.memory_mb} MB: raise "
                        f"--memory.")
            raise SandboxUnavailable(f"the sandbox (bwrap) failed to start with the limits "
                                     f"asked for: {reason[0]}.{hint}")
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        for key, value in wanted.items():
            want = value if isinstance(value, list) else [value, value]
            if seen.get(key) != want:
                raise SandboxUnavailable(f"the sandbox did not get the limit {key} asked for "
                                         f"(wanted {want}, got {seen.get(key)})")


def owner_id(pid: int) -> str:
    """A name for process ``pid`` that a later process with the same number does not share."""
    return f"{pid}.{_start_time(pid)}"


def check_warm(uid: int | None, limits: Limits | None = None) -> str | None:
    """Can kernels be forked from a zygote here? None if so, else the reason (one line).

    It runs the zygote's probe in a real zygote sandbox: a forked child sets up the kernel's
    namespaces, mounts, capabilities and limits, then reports. Where nested user namespaces
    are forbidden (some containers; Ubuntu's AppArmor restriction for sandboxed programs), the
    grader starts every kernel from scratch instead: as safe, only slower."""
    with tempfile.TemporaryDirectory(prefix="grading-sandbox-check-") as tmp:
        box = Sandbox(Path(tmp) / "box", limits or Limits(), uid=uid, warm=True,
                      students=Path(tmp) / "students")
        box.prepare()
        folder = box.students / "probe"
        folder.mkdir()
        box.give_folder(box.students)
        settings = dict(box.zygote_settings(), preload=[], probe_folder="probe")
        python = os.path.join(sys.prefix, "bin", "python")
        cmd = (bwrap_args(None, box.runtime_dir, box.limits, uid, students=box.students)
               + [python, INSIDE_ZYGOTE, "probe", json.dumps(settings)])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"the kernel starter's sandbox did not start ({err})"
        if proc.returncode != 0 or proc.stdout.strip() != "ok":
            lines = proc.stderr.strip().splitlines() or ["no message"]
            return f"kernels cannot be forked in the sandbox here ({lines[-1]})"
    return None


def runs_as(uid: int | None, *, warm: bool, workers: int = 1) -> str:
    """Which user student code runs as, inside and outside the sandbox. As root, worker ``i``
    switches to ``uid + i``; a warm kernel then enters a user namespace of its own where it is
    uid 65534 (zygote.py), a cold one stays that uid. As an ordinary user, bwrap (cold) or the
    zygote (warm) makes the kernel uid 65534 in a user namespace whose 65534 is you outside."""
    if uid is None:
        return f"uid 65534 in a user namespace (your uid {os.getuid()} outside it)"
    last = uid + max(1, workers) - 1
    uids = f"uid {uid}" if last == uid else f"uid {uid}–{last}"
    if warm:
        return f"uid 65534 in a user namespace ({uids} outside it, one per worker)"
    return f"{uids} (one per worker)"


def describe(limits: Limits, uid: int | None, *, enabled: bool = True, warm: bool = False,
             memory_cgroup: str | None = None, workers: int = 1) -> str:
    """One line for the log: how student code is isolated. ``uid`` is the first worker's uid
    (root only; worker ``i`` uses ``uid + i``), None for an ordinary user. ``memory_cgroup`` is
    None when kernels run in memory cgroups, else why they do not."""
    if not enabled:
        return "NO SANDBOX (--unsafe): student code runs as you, with your files and network"
    user = runs_as(uid, warm=warm, workers=workers)
    memory = (f"memory {limits.memory_mb} MB per kernel (all its processes and shared memory: "
              f"a memory cgroup; {limits.address_space_mb(True)} MB of address space per "
              f"process)" if memory_cgroup is None else
              f"memory {limits.memory_mb} MB per process (no memory cgroup: {memory_cgroup})")
    start = ("kernels forked from a warm sandboxed process" if warm else
             "each kernel started from scratch")
    return (f"sandbox: bwrap, no network, {user}, {memory}, {limits.processes} processes, "
            f"{limits.cpu_seconds} CPU seconds, files up to {limits.file_size_mb} MB; {start}")
