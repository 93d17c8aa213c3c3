"""The grading sandbox seen from inside a student's kernel, for warm and cold kernels.

Each test starts real kernels the way a grading worker does (:class:`tools.grader.sandbox.Sandbox`
with its kernel spec, IPC transport, jupyter_client), runs code in them as a student's cell would,
and checks what that code could see and do. Warm kernels are forked from the worker's zygote
(:mod:`tools.grader.zygote`); cold ones are started from scratch through bwrap. A worker grades
one student after another, so the tests also check that nothing one kernel leaves behind
(files, processes, patched modules) reaches the next. Needs bubblewrap; warm kernels also need
nested user namespaces. Without them the tests skip, saying why; on CI (CI=true) they fail
(tests/conftest.py, require).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import not_applicable, require, require_sandbox
from grading_course import warm_kernels_possible
from jupyter_client.manager import KernelManager

from tools.grader import sandbox

# One xdist group: the grading runs (worker processes, cell time limits) never compete with
# each other for the cores.
pytestmark = pytest.mark.xdist_group("grading")
UID = 61000 if os.getuid() == 0 else None



def require_warm_kernels() -> None:
    """require() nested user namespaces, which warm kernels (forked from a zygote) need."""
    require(warm_kernels_possible(UID),
            f"this machine forbids nested user namespaces: {sandbox.check_warm(UID)}")


@pytest.fixture(scope="module", params=["warm", "cold"])
def box(request, tmp_path_factory):
    require_sandbox(UID)
    warm = request.param == "warm"
    if warm:
        require_warm_kernels()
    root = tmp_path_factory.mktemp(f"sandbox-{request.param}")
    os.chmod(root, 0o700)
    students = root / "students"
    cgroup = (f"{sandbox.CGROUP_PREFIX}{sandbox.owner_id(os.getpid())}-test-{request.param}"
              if sandbox.memory_cgroup_unavailable() is None else None)
    box = sandbox.Sandbox(root / "box", uid=UID, warm=warm, students=students,
                          memory_cgroup=cgroup)
    box.prepare()
    for name, secret in (("alice", "alice's answer"), ("bob", "bob's answer")):
        folder = students / name / "ch01"
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text(secret)
    box.give_folder(students)
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(box.jupyter_path)
    yield box
    box.close()
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def run_in_kernel(box: sandbox.Sandbox, student: str, code: str, timeout: float = 60) -> dict:
    """Start a kernel for ``student`` as a grading worker does, run ``code`` (which must print
    one JSON line as its last output), stop the kernel; return the parsed JSON."""
    work = box.students / student / "ch01"
    box.write_kernel(work)
    km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport="ipc",
                       ip=str(box.runtime_dir / "kernel"),  # as a worker: files next to sockets
                       connection_file=str(box.runtime_dir / f"kernel-{student}.json"))
    km.start_kernel()
    out: list[str] = []
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=timeout)

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"ERROR {msg['content']['ename']}: {msg['content']['evalue']}\n")

        kc.execute_interactive(code, output_hook=hook, timeout=timeout)
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
        assert box.wait_kernels_gone(), "the kernel was still running 10 s after it was killed"
    text = "".join(out).strip()
    assert text, "the kernel printed nothing"
    last = text.splitlines()[-1]
    assert not last.startswith("ERROR"), text
    return json.loads(last)


PROBE = r'''
import json, os, socket, errno, sys
def attempt(f):
    try:
        return f()
    except OSError as e:
        return f"{type(e).__name__}: {errno.errorcode.get(e.errno, e.errno)}"
def connect():
    s = socket.socket()
    s.settimeout(2)
    s.connect(("1.1.1.1", 80))
    return "connected"
def tried_write(path):
    with open(path, "w") as f:
        f.write("x")
    return "written"
def status(key):
    return [line.split()[1] for line in open("/proc/self/status") if line.startswith(key)][0]
print(json.dumps({
    "cwd": os.getcwd(), "files": sorted(os.listdir(".")), "uid": os.getuid(),
    "notes": open("notes.txt").read(),
    "students_folder": attempt(lambda: sorted(os.listdir("/home/students"))),
    "write_students": attempt(lambda: tried_write("/home/students/planted")),
    "write_own": attempt(lambda: tried_write("planted.txt")),
    "write_tmp": attempt(lambda: tried_write("/tmp/scratch.txt")),
    "write_python": attempt(lambda: tried_write(os.path.join(sys.prefix, "planted"))),
    "write_nnlib": attempt(lambda: tried_write(os.path.join(
        os.path.dirname(__import__("nnlib").__file__), "planted.py"))),
    "home_of_grader": attempt(lambda: sorted(os.listdir(os.path.expanduser("~root")))),
    "cap_eff": status("CapEff"), "cap_bnd": status("CapBnd"), "nnp": status("NoNewPrivs"),
    "network": attempt(connect),
    "tmp": sorted(os.listdir("/tmp")),
}))
'''


def test_kernel_sees_its_own_folder_only_without_privileges_or_network(box):
    seen = run_in_kernel(box, "alice", PROBE)
    assert seen["cwd"] == sandbox.INSIDE_WORK
    assert seen["notes"] == "alice's answer"
    # nobody in a user namespace; a cold kernel of a root grader switches to the worker's uid
    assert seen["uid"] == (UID if UID is not None and not box.warm else 65534), seen
    assert seen["students_folder"] in ([], "FileNotFoundError: ENOENT"), seen
    assert seen["write_students"].startswith(("OSError: EROFS", "PermissionError",
                                              "FileNotFoundError")), seen
    assert seen["write_own"] == "OSError: EROFS", seen  # its own folder is read-only
    assert seen["write_tmp"] == "written", seen  # a private /tmp is its scratch space
    for where in ("write_python", "write_nnlib"):  # read-only, wherever they are (even in /tmp)
        assert seen[where].startswith(("OSError: EROFS", "PermissionError")), seen
    assert not str(seen["home_of_grader"]).startswith("["), seen
    # no capabilities, and none to gain: an empty bounding set (warm kernels, and bwrap's
    # user namespace) or no_new_privs (a cold kernel of a root grader, set by bwrap)
    assert int(seen["cap_eff"], 16) == 0, seen
    assert int(seen["cap_bnd"], 16) == 0 or seen["nnp"] == "1", seen
    if box.warm:
        assert int(seen["cap_bnd"], 16) == 0 and seen["nnp"] == "1", seen
    assert seen["network"] != "connected", seen


LEAVE_BEHIND = r'''
import json, os, subprocess, sys, time
from ipykernel.connect import get_connection_info
os.makedirs("/tmp/ipython/profile_default/startup", exist_ok=True)
with open("/tmp/ipython/profile_default/startup/00-cheat.py", "w") as f:
    f.write("import nnlib.checks\nnnlib.checks.check_close = lambda *a, **k: None\n")
with open("/tmp/left-behind", "w") as f:
    f.write("x")
# the folder of the kernel's sockets: the one writable place the grader sees too
shared = os.path.dirname(get_connection_info(unpack=True)["ip"])
with open(os.path.join(shared, "planted-by-alice"), "w") as f:
    f.write("x")
# a process that outlives the cell and keeps writing wherever it can
code = ("import os, sys, time\n"
        "while True:\n"
        "    for d in (sys.argv[1], '/home/student/work', '/tmp'):\n"
        "        try:\n"
        "            open(os.path.join(d, 'from-alice.txt'), 'w').write('x')\n"
        "        except OSError:\n"
        "            pass\n"
        "    time.sleep(0.05)\n")
child = subprocess.Popen([sys.executable, "-c", code, shared], start_new_session=True)
if os.fork() == 0:  # and a forked copy of the kernel itself
    while True:
        time.sleep(1)
for _ in range(100):  # until the writer has written once
    if os.path.exists(os.path.join(shared, "from-alice.txt")):
        break
    time.sleep(0.05)
print(json.dumps({"shared": shared}))
'''

AFTER = r'''
import json, os
import nnlib.checks
from ipykernel.connect import get_connection_info
shared = os.path.dirname(get_connection_info(unpack=True)["ip"])
print(json.dumps({"planted": [f for f in os.listdir(shared) if "alice" in f],
                  "tmp": sorted(os.listdir("/tmp")), "files": sorted(os.listdir(".")),
                  "startup_file": os.path.exists(
                      "/tmp/ipython/profile_default/startup/00-cheat.py"),
                  "check_close_patched": nnlib.checks.check_close.__module__ != "nnlib.checks"}))
'''


def test_nothing_a_kernel_leaves_behind_reaches_the_next_student(box):
    seen = run_in_kernel(box, "alice", LEAVE_BEHIND)
    assert Path(seen["shared"]).resolve() == box.runtime_dir.resolve()
    mark = box.runtime_dir / "from-alice.txt"
    assert mark.exists(), "the probe's background writer did not run at all"
    mark.unlink()
    time.sleep(0.5)
    assert not mark.exists(), "a process alice started kept writing after her kernel stopped"
    seen = run_in_kernel(box, "bob", AFTER)
    assert "left-behind" not in seen["tmp"] and "from-alice.txt" not in seen["tmp"], seen
    assert not seen["startup_file"], seen
    assert not seen["check_close_patched"], "a startup file planted by alice ran in bob's kernel"
    assert "from-alice.txt" not in seen["files"], seen
    assert not seen["planted"], "bob's kernel found what alice left in the sockets' folder"
    for name in ("alice", "bob"):
        assert not (box.students / name / "ch01" / "from-alice.txt").exists()


def test_warm_kernel_cannot_reach_the_zygote_or_its_supervisor(box):
    if not box.warm:
        not_applicable("cold kernels have no zygote")
    seen = run_in_kernel(box, "alice", r'''
import json, os, signal, ctypes
libc = ctypes.CDLL(None, use_errno=True)
me = os.readlink("/proc/self")  # this kernel's number in the zygote's PID namespace
others = [p for p in os.listdir("/proc") if p.isdigit() and p != me]
result = {"me": os.getpid(), "others": {}}
for pid in others:
    r = {}
    for name in ("environ", "mem", "maps"):
        try:
            open(f"/proc/{pid}/{name}", "rb").read(1)
            r[name] = "read"
        except OSError as e:
            r[name] = e.errno
    fd = os.open(f"/proc/{pid}", os.O_RDONLY | os.O_DIRECTORY)
    r["signal"] = libc.syscall(424, fd, 0, None, 0)  # pidfd_send_signal(fd, 0)
    os.close(fd)
    r["cmdline"] = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[:2]
    r["nspid"] = [line.split()[1:] for line in open(f"/proc/{pid}/status")
                  if line.startswith("NSpid")][0]
    result["others"][pid] = {k: (v.decode() if isinstance(v, bytes) else
                                 [x.decode() if isinstance(x, bytes) else x for x in v]
                                 if isinstance(v, list) else v)
                             for k, v in r.items()}
for signum in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
    os.kill(1, signum)  # the namespace's init ignores what it has no handler for
import time
time.sleep(0.2)
result["init_alive"] = os.path.exists("/proc/" + [p for p, r in result["others"].items()
                                                  if r["nspid"][1:] == ["1"]][0])
print(json.dumps(result))
''')
    assert seen["me"] == 2, "the kernel is not the first child of its namespace's init"
    assert seen["init_alive"], "the kernel could kill its namespace's init"
    outside = {pid: r for pid, r in seen["others"].items() if len(r["nspid"]) == 1}
    assert len(outside) == 2, f"expected the zygote and the supervisor in /proc: {seen}"
    for pid, r in seen["others"].items():  # the init too: not readable
        assert r["environ"] != "read" and r["mem"] != "read" and r["maps"] != "read", (pid, r)
    for pid, r in outside.items():
        assert r["environ"] != "read" and r["mem"] != "read" and r["maps"] != "read", (pid, r)
        assert r["signal"] == -1, f"the kernel could signal {pid}: {r}"


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


WORKER = r'''
import os, sys
from pathlib import Path
from tools.grader import sandbox
box = sandbox.Sandbox(Path(sys.argv[1]) / "box", uid=int(sys.argv[2]) if sys.argv[2] else None,
                      warm=True, students=Path(sys.argv[1]) / "students")
box.prepare()
box.ensure_zygote()
print(box._zygote.pid, flush=True)
os._exit(0)  # a worker that dies without stopping its zygote
'''


def test_zygote_and_its_kernels_end_with_the_worker_that_started_them(tmp_path):
    require_sandbox(UID)
    require_warm_kernels()
    os.chmod(tmp_path, 0o700)
    proc = subprocess.run([sys.executable, "-c", WORKER, str(tmp_path),
                           "" if UID is None else str(UID)],
                          cwd=Path(sandbox.__file__).parents[2], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    marker = str((tmp_path / "box" / "runtime").resolve())
    # The zygote sees its worker gone between two of its imports, or at once once it serves;
    # on a busy machine one import can take seconds, hence the long wait (polled).
    deadline = time.monotonic() + 60
    while _processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_mentioning(marker), "the zygote outlived its worker by a minute"


def run_until_it_dies(box: sandbox.Sandbox, student: str, code: str, timeout: float = 120):
    """Start a kernel for ``student``, run ``code``; return (its output, whether the kernel
    died) once the code finished or the kernel ended."""
    work = box.students / student / "ch01"
    box.write_kernel(work)
    box.take_kernel_ends()
    km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport="ipc",
                       ip=str(box.runtime_dir / "kernel"),
                       connection_file=str(box.runtime_dir / f"kernel-{student}.json"))
    km.start_kernel()
    out: list[str] = []
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        msg_id = kc.execute(code)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and km.is_alive():
            try:
                msg = kc.get_iopub_msg(timeout=0.5)
            except Exception:  # queue.Empty
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"ERROR {msg['content']['ename']}: {msg['content']['evalue']}\n")
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        died = not km.is_alive()
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
        assert box.wait_kernels_gone(), "the kernel was still running 10 s after it was killed"
    return "".join(out), died


MEMFD_HOARD = r"""
import os
fds = []
for i in range(160):  # 160 x 15 MB = 2.4 GB of shared memory, each file under the size limit
    fd = os.memfd_create(f"hoard{i}")
    os.posix_fallocate(fd, 0, 15 << 20)  # its pages, allocated (faster than writing them)
    fds.append(fd)
print("HOARDED", len(fds) * 15, "MB")
"""


def test_memfd_beyond_the_memory_limit_kills_the_kernel(box):
    """Shared memory (memfd) counts against --memory: 2.4 GB of it with a 2 GB limit kills the
    kernel (its memory cgroup), and the kernel's end is recorded as a memory limit."""
    if box.cgroup is None:  # the fallback is tested below
        not_applicable(f"no memory cgroup here: {sandbox.memory_cgroup_unavailable()}")
    assert box.limits.memory_mb * sandbox.MiB < 2400 * 10**6
    out, died = run_until_it_dies(box, "alice", MEMFD_HOARD)
    assert "HOARDED" not in out, out
    assert died, f"the kernel survived 2.4 GB of memfd: {out}"
    ends = box.take_kernel_ends()
    assert [e["kind"] for e in ends] == ["memory limit"], ends
    assert ends[0]["signal"] == "SIGKILL" and ends[0]["oom_kills"] >= 1, ends


SHM_FILL = r"""
import json, os
written, error = 0, None
try:
    for i in range(1000):
        with open(f"/dev/shm/fill{i}", "wb") as f:
            for _ in range(8):
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1
except OSError as err:
    error = type(err).__name__ + ": " + str(err.errno)
print(json.dumps({"written_mb": written, "error": error}))
"""


def test_dev_shm_is_private_and_size_limited(box):
    """/dev/shm is a tmpfs of the kernel's own, of --tmp size: filling it stops there (no
    gigabytes of memory outside every limit), and the next student's kernel finds it empty."""
    seen = run_in_kernel(box, "alice", SHM_FILL)
    assert seen["error"] is not None and seen["written_mb"] <= box.limits.tmp_mb, seen
    seen = run_in_kernel(box, "bob", "import json, os\n"
                                     "print(json.dumps(os.listdir('/dev/shm')))")
    assert seen == [], f"bob's kernel sees alice's shared memory files: {seen}"


def test_without_a_memory_cgroup_memfd_is_refused(box, tmp_path):
    """Where no memory cgroup can be made (an ordinary user without delegation), shared memory
    cannot be counted, so memfd_create is refused (seccomp) and the hoard fails at once."""
    other = sandbox.Sandbox(tmp_path / "box", uid=UID, warm=box.warm, students=box.students)
    other.prepare()
    old = os.environ["JUPYTER_PATH"]
    os.environ["JUPYTER_PATH"] = str(other.jupyter_path)
    try:
        assert other.cgroup is None
        out, died = run_until_it_dies(other, "alice", MEMFD_HOARD)
    finally:
        os.environ["JUPYTER_PATH"] = old
        other.close()
    assert not died and "HOARDED" not in out, out
    assert "ERROR PermissionError" in out, out
