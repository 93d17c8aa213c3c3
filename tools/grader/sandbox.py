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
  processes, file size, open files, no core dumps).

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
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
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
    tmp_mb: int = 64  # size of the private /tmp
    open_files: int = 256

    def rlimits(self, processes: int | None = None) -> dict[str, int]:
        return {"address_space": self.memory_mb * MiB, "cpu_seconds": self.cpu_seconds,
                "processes": processes if processes is not None else self.processes,
                "file_size": self.file_size_mb * MiB, "open_files": self.open_files,
                "core": 0}


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
    _zygote: subprocess.Popen | None = field(default=None, repr=False)
    _lifeline: int | None = field(default=None, repr=False)  # the zygote ends when it closes

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
        if self.warm:
            self.ensure_zygote()
            relative = work.resolve().relative_to(self.students.resolve())
            return [python, "-I", "-S", str(ZYGOTE), "client", str(self.control_socket),
                    str(relative), "{connection_file}"]
        settings = {"limits": self.limits.rlimits(_processes_allowed(self.limits, self.uid)),
                    "uid": self.uid, "cwd": INSIDE_WORK}
        return (bwrap_args(work, self.runtime_dir, self.limits, self.uid)
                + [python, INSIDE_LAUNCHER, json.dumps(settings), "{connection_file}"])

    # ------------------------------------------------------------------ warm kernels

    def zygote_settings(self) -> dict:
        runtime = self.runtime_dir.resolve()
        # Folders the sandbox shows under /tmp (a clone or an environment in a temporary
        # folder, the sockets' folder): each kernel's own /tmp would hide them.
        keep = [(p, True) for p in _read_only_paths()] + [(runtime, False)]
        return {"uid": self.uid, "limits": self.limits.rlimits(), "preload": PRELOAD,
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
        zygote (warm kernels) or under the client's bwrap (cold ones). One scan of /proc."""
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
            return left
        else:
            below = _descendants(tree, client_pid)
            launched = [pid for pid in below if b"ipykernel_launcher" in _cmdline(pid)]
            kernels = launched[:1]  # the kernel; any later copy of it is a leftover
        return [pid for k in kernels for pid in _descendants(tree, k)]

    def wait_kernels_gone(self, timeout: float = 10.0) -> bool:
        """After a kernel was killed: wait until no kernel of this worker is left (its files can
        then no longer change). True when none is left within ``timeout`` seconds."""
        if not (self.warm and self._zygote is not None):
            return True
        deadline = time.monotonic() + timeout
        while True:
            tree = _process_tree()  # bwrap -> zygote -> supervisors -> kernels
            if not any(tree.get(sup) for z in tree.get(self._zygote.pid, [])
                       for sup in tree.get(z, [])):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

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
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
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
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return 1 << 62


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
            "--perms", "1777", "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/tmp"]
    for name in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
    made: set[str] = {"/tmp", "/proc", "/dev"}
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


def check_available(uid: int | None) -> None:
    """Start a throw-away sandbox and run Python in it; SandboxUnavailable says why it failed."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be isolated. Install it "
            "(Debian/Ubuntu: sudo apt-get install bubblewrap), or grade without a sandbox with "
            "--unsafe, only if you trust every submission.")
    with tempfile.TemporaryDirectory(prefix="grading-sandbox-check-") as tmp:
        box = Sandbox(Path(tmp), uid=uid)
        box.prepare()
        work = Path(tmp) / "work"
        work.mkdir()
        box.give_folder(work)
        probe = ("import os, socket, numpy, nnlib, resource; "
                 "print(os.getuid(), resource.getrlimit(resource.RLIMIT_AS)[0])")
        settings = json.dumps({"limits": box.limits.rlimits(_processes_allowed(box.limits, uid)),
                               "uid": uid, "cwd": INSIDE_WORK})
        # The launcher execs a kernel; for the check, run the same drop of privileges by hand.
        code = ("import json, os, resource, sys; s = json.loads(sys.argv[1]); "
                "u = s['uid']; "
                "(os.setgroups([]), os.setgid(u), os.setuid(u)) if u is not None else None; "
                f"exec({probe!r})")
        python = os.path.join(sys.prefix, "bin", "python")
        cmd = bwrap_args(work, box.runtime_dir, box.limits, uid) + [python, "-c", code, settings]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise SandboxUnavailable(f"the sandbox did not start: {err}") from err
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            hint = ""
            if "namespace" in proc.stderr or "Operation not permitted" in proc.stderr:
                hint = (" This machine does not let unprivileged users create user namespaces "
                        "(e.g. sysctl kernel.unprivileged_userns_clone=0, or a container that "
                        "forbids it): run the grader as root, or enable user namespaces.")
            raise SandboxUnavailable(f"the sandbox (bwrap) failed to start: {reason[0]}.{hint}")


def check_warm(uid: int | None) -> str | None:
    """Can kernels be forked from a zygote here? None if so, else the reason (one line).

    It runs the zygote's probe in a real zygote sandbox: a forked child sets up the kernel's
    namespaces, mounts, capabilities and limits, then reports. Where nested user namespaces
    are forbidden (some containers; Ubuntu's AppArmor restriction for sandboxed programs), the
    grader starts every kernel from scratch instead: as safe, only slower."""
    with tempfile.TemporaryDirectory(prefix="grading-sandbox-check-") as tmp:
        box = Sandbox(Path(tmp) / "box", uid=uid, warm=True, students=Path(tmp) / "students")
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


def describe(box: Sandbox) -> str:
    """One line for the log: how student code is isolated."""
    if not box.enabled:
        return "NO SANDBOX (--unsafe): student code runs as you, with your files and network"
    user = f"uid {box.uid}" if box.uid is not None else "uid 65534 in a user namespace"
    lim = asdict(box.limits)
    start = ("kernels forked from a warm sandboxed process" if box.warm else
             "each kernel started from scratch")
    return (f"sandbox: bwrap, no network, {user}, memory {lim['memory_mb']} MB, "
            f"{lim['processes']} processes, files up to {lim['file_size_mb']} MB; {start}")
