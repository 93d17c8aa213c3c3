"""The sandboxed kernel that runs a student's notebook during grading (bubblewrap + rlimits).

Every notebook is executed by a Jupyter kernel whose spec is written at run time into a private
folder (put on ``JUPYTER_PATH``); its command starts the kernel through ``bwrap`` with:

- a new mount namespace holding only, read-only: ``/usr`` (system libraries), the Python
  installation (``sys.prefix`` and ``sys.base_prefix``), the ``nnlib`` package folder (not the
  repository: ``solutions/``, ``grading/`` and the gradebook stay invisible) and the launcher;
  read-write: the student's own working folder (a private copy of the submission, seen as
  ``/home/student/work``), the folder of the kernel's IPC sockets, and a size-limited private
  ``/tmp``. Nothing else of the machine exists inside: no other student, no instructor home;
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
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nnlib

KERNEL_NAME = "nn-grading-sandbox"
LAUNCHER = Path(__file__).with_name("launcher.py")
INSIDE_LAUNCHER = "/opt/grader/launcher.py"
INSIDE_WORK = "/home/student/work"
MiB = 1024 * 1024


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
    """One worker's sandbox settings; :meth:`write_kernel` points the kernel at a student."""

    folder: Path  # private folder of the worker: kernel spec, runtime dir (sockets)
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None  # unprivileged uid to switch to (only when the grader is root)
    enabled: bool = True  # False: --unsafe, the kernel runs as the grader with no isolation

    @property
    def jupyter_path(self) -> Path:
        return self.folder / "jupyter"

    @property
    def runtime_dir(self) -> Path:
        return self.folder / "runtime"

    def prepare(self) -> None:
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        # The kernel's unprivileged user creates its sockets here (the folder itself is only
        # reachable through the worker's private 0700 folder outside the sandbox).
        os.chmod(self.runtime_dir, 0o777 if self.uid is not None else 0o700)
        self.jupyter_path.mkdir(parents=True, exist_ok=True)

    def give_folder(self, work: Path) -> None:
        """Hand the student's working folder to the kernel's user (writable by it only)."""
        if self.enabled and self.uid is not None:
            for path in [work, *work.rglob("*")]:
                os.lchown(path, self.uid, self.uid)

    def write_kernel(self, work: Path) -> None:
        """(Re)write the kernel spec so that the next kernel runs in ``work``."""
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
        settings = {"limits": self.limits.rlimits(_processes_allowed(self.limits, self.uid)),
                    "uid": self.uid, "cwd": INSIDE_WORK}
        return (bwrap_args(work, self.runtime_dir, self.limits, self.uid)
                + [python, INSIDE_LAUNCHER, json.dumps(settings), "{connection_file}"])


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


def bwrap_args(work: Path, runtime_dir: Path, limits: Limits, uid: int | None) -> list[str]:
    """The bwrap command line (up to the command it runs) of a kernel working in ``work``."""
    ro = [Path("/usr"), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
          Path(nnlib.__file__).resolve().parent]
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading",
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/tmp"]
    for name in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            ro.append(target)
    made: set[str] = {"/tmp", "/proc", "/dev"}
    mounts = sorted(set(ro), key=lambda p: len(p.parts))
    for path in [*mounts, runtime_dir.resolve(), Path(INSIDE_WORK), Path(INSIDE_LAUNCHER).parent]:
        for d in _dirs_above(path):  # bwrap makes missing parents 0700: make them 0755
            if d not in made and not any(d.startswith(str(m) + "/") or d == str(m)
                                         for m in mounts):
                args += ["--perms", "0755", "--dir", d]
                made.add(d)
    for path in mounts:
        if any(path != other and str(path).startswith(str(other) + "/") for other in mounts):
            continue  # already visible through a parent mount
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(LAUNCHER), INSIDE_LAUNCHER,
             "--bind", str(runtime_dir.resolve()), str(runtime_dir.resolve()),
             "--bind", str(work.resolve()), INSIDE_WORK, "--chdir", INSIDE_WORK,
             "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "HOME", "/tmp", "--setenv", "MPLBACKEND", "Agg",
             "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/ipython",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "MKL_NUM_THREADS", "1",
             "--setenv", "LANG", "C.UTF-8"]
    if uid is not None:
        # Only root gets here: keep just what the launcher needs to switch to the student uid.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
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


def describe(box: Sandbox) -> str:
    """One line for the log: how student code is isolated."""
    if not box.enabled:
        return "NO SANDBOX (--unsafe): student code runs as you, with your files and network"
    user = f"uid {box.uid}" if box.uid is not None else "uid 65534 in a user namespace"
    lim = asdict(box.limits)
    return (f"sandbox: bwrap, no network, {user}, memory {lim['memory_mb']} MB, "
            f"{lim['processes']} processes, files up to {lim['file_size_mb']} MB")
