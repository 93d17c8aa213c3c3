"""Warm kernels: students' kernels forked from one sandboxed process that has Python ready.

Starting a Jupyter kernel costs about 0.7 s of CPU, nearly all of it importing ipykernel,
IPython, numpy and nnlib; grading a short notebook costs less than that. So each grading worker
starts ONE process in its bubblewrap sandbox (:mod:`tools.grader.sandbox`), the *zygote*, which
imports those modules once and then, for every kernel the grader asks for, forks a copy that
becomes the kernel. The copy runs no code the zygote has not run, so it behaves like a kernel
started from scratch, minus the imports.

Each kernel is isolated from the zygote and from the kernels before it as a cold-started one
is, with the same kernel mechanisms bubblewrap uses:

- the forked child enters a new user namespace (it is "nobody" there: uid and gid 65534 mapped
  onto the zygote's own ids), a new mount namespace, a new PID namespace (the kernel is PID 1 of
  its own; when it ends every process it started is killed) and a new IPC namespace;
- in its mount namespace the kernel gets a fresh ``/tmp`` limited in size and number of files,
  its student's folder, read-only, at ``/home/student/work`` and, over the folder that holds
  every student's folder, an empty read-only file system; then it drops every capability
  (bounding set included) and sets ``no_new_privs``, so it can never unmount those: it sees
  its own student only, and can write only to its ``/tmp``;
- the zygote and each kernel's supervisor are not dumpable, and outside the kernel's PID
  namespace: the kernel can neither signal, trace nor read them;
- the kernel sets the resource limits (memory, CPU time, processes, file size, open files, no
  core dumps). Its process count starts at zero in its user namespace.

The zygote takes requests on a Unix socket whose path is outside the sandbox (the zygote
inherits it as an open file descriptor, which every kernel closes). The grader's kernel manager
starts, as the kernel's command, this same file in *client* mode (outside the sandbox, with the
standard library only): it sends the connection file and the student's folder, then waits and
exits with the kernel's status, so jupyter_client sees an ordinary kernel process; killing the
client kills the kernel.

The client, and its twin for cold kernels (``cold``: it runs bwrap and the launcher as its
child), is the one code path both kinds of kernel share outside the sandbox: it dies with the
grading worker (``PR_SET_PDEATHSIG``), puts the kernel into the worker's memory cgroup before
the kernel runs anything (a warm kernel's supervisor asks for it; its PID comes with the
message as SCM_CREDENTIALS) and appends how the kernel ended (exit status, CPU seconds, OOM
kills) to the worker's record.

Usage (set up by :mod:`tools.grader.sandbox`)::

    python zygote.py serve SETTINGS_JSON         # inside bwrap; socket on fd control_fd
    python -I -S zygote.py client SETTINGS_JSON CONNECTION_FILE
    python -I -S zygote.py cold SETTINGS_JSON -- bwrap ... launcher.py ...
    python zygote.py probe SETTINGS_JSON         # inside bwrap: can kernels be forked here?
"""

import ctypes
import json
import os
import select
import signal
import socket
import struct
import sys

CONTROL_FD = 3  # the listening socket the grader passes in (settings' control_fd)
INSIDE_WORK = "/home/student/work"

# Linux constants (include/uapi/linux/sched.h, mount.h, prctl.h, capability.h)
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 0x1, 0x2, 0x4, 0x8, 0x20
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 4, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
NOBODY = 65534


class SetupError(Exception):
    """The kernel's namespaces could not be set up; the message names the step."""


_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _ok(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)} (errno {err})")


def _mount(source, target: str, fstype, flags: int, data=None) -> None:
    def enc(text):
        return text.encode() if text is not None else None

    _ok(_c().mount(enc(source), target.encode(), enc(fstype), ctypes.c_ulong(flags),
                   enc(data)), f"mount {target}")


def _prctl(option: int, arg: int, what: str) -> None:
    _ok(_c().prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                   ctypes.c_ulong(0)), what)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_capabilities() -> None:
    last = int(open("/proc/sys/kernel/cap_last_cap").read()) if os.path.exists(
        "/proc/sys/kernel/cap_last_cap") else 63
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap, f"drop capability {cap} from the bounding set")
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, "clear ambient capabilities")
    _ok(_c().capset(ctypes.byref(_CapHeader(LINUX_CAPABILITY_VERSION_3, 0)),
                    (_CapData * 2)()), "drop capabilities")
    _prctl(PR_SET_NO_NEW_PRIVS, 1, "set no_new_privs")


# --------------------------------------------------------------------------- in the sandbox


def _enter_namespaces() -> None:
    """Supervisor (child of the zygote): new user, mount, PID and IPC namespaces."""
    uid, gid = os.getuid(), os.getgid()
    _prctl(PR_SET_DUMPABLE, 1, "make /proc/self writable")  # to write our own id maps
    _ok(_c().unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{NOBODY} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{NOBODY} {gid} 1")
    _prctl(PR_SET_DUMPABLE, 0, "make the supervisor undumpable")


def _isolate(settings: dict, folder: str) -> None:
    """Kernel (PID 1 of its namespace): its own /tmp and folder, nothing else, no privileges."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # What the sandbox shows under /tmp (the sockets' folder; a clone or an environment in a
    # temporary folder) must stay visible through the kernel's new /tmp: bound again on top.
    keep = [(item["path"], item["read_only"], os.open(item["path"], os.O_PATH | os.O_DIRECTORY))
            for item in settings.get("keep_under_tmp", [])]
    tmp_bytes = int(settings.get("tmp_bytes", 64 << 20))
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={tmp_bytes},nr_inodes={int(settings.get('tmp_files', 10_000))},mode=1777")
    # Shared memory of its own too: size-limited, and nothing of the kernels before it.
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               f"size={tmp_bytes},nr_inodes=1000,mode=1777")
    for path, read_only, fd in sorted(keep, key=lambda k: k[0].count("/")):
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if read_only:
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    root = settings["work_root"]
    if folder:
        source = os.path.realpath(os.path.join(root, folder))
        if not source.startswith(root.rstrip("/") + "/") or not os.path.isdir(source):
            raise SetupError(f"the folder {folder!r} is not inside {root}")
        _mount(source, INSIDE_WORK, None, MS_BIND | MS_REC)  # then made read-only:
        _mount(None, INSIDE_WORK, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
           "size=4k,mode=0555")
    _drop_capabilities()


def _check_environment(settings: dict) -> None:
    """For the probe: the isolated kernel still sees what a kernel needs, and can import it."""
    for path in settings.get("probe_paths", []):
        if not os.listdir(path):
            raise SetupError(f"{path} is empty inside the kernel's sandbox")
    for item in settings.get("keep_under_tmp", []):
        if not os.path.isdir(item["path"]):
            raise SetupError(f"{item['path']} is missing inside the kernel's sandbox")
    import importlib

    for name in ("ipykernel.kernelapp", "numpy", "nnlib.checks"):
        importlib.import_module(name)


def _limit(settings: dict) -> None:
    from launcher import set_limits  # bound next to this file in the sandbox

    set_limits(settings.get("limits", {}))


def _close_fds(keep: int) -> None:
    """Standard streams to /dev/null (the kernel's own log goes nowhere: what student code
    prints reaches the grader as messages); every other inherited descriptor but ``keep``
    closed (``keep=-1``: none kept)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if keep >= 3:
        os.closerange(3, keep)
    os.closerange(max(3, keep + 1), 1 << 16)


def _run_kernel(connection: str, report_fd: int) -> int:
    """In the kernel process, after isolation: start ipykernel as ``ipykernel_launcher`` does.

    ``report_fd`` is closed once the kernel is initialised (the supervisor then knows it
    started); an error before that is written to it."""
    path = "/tmp/kernel-connection.json"
    with open(path, "w", encoding="utf-8") as f:
        f.write(connection)
    for signum in range(1, signal.NSIG):  # as in a Python started afresh
        if signum not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(signum, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    os.chdir(INSIDE_WORK)
    sys.path[0] = INSIDE_WORK  # as for `python -m ipykernel_launcher` started here
    sys.argv = ["ipykernel_launcher", "-f", path]
    if "numpy" in sys.modules:  # numpy's global generator would repeat the zygote's numbers
        sys.modules["numpy"].random.seed()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", path])
    os.close(report_fd)
    try:
        app.start()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def _init(kernel: int) -> None:
    """PID 1 of the kernel's namespace: reap every orphan (a fork bomb's killed copies would
    otherwise stay zombies of the kernel and count against its process limit), and when the
    kernel ends, exit with its status; the namespace and all that is left in it end too.
    Student code cannot stop it: PID 1 ignores signals it has no handler for."""
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == kernel:
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)  # killed by signal N: 128 + N


def _supervise(settings: dict, conn: socket.socket, request: dict) -> None:
    """Child of the zygote: namespaces, then PID 1 of them (:func:`_init`) which forks the
    kernel; report the kernel's start and then its status to the client.

    With ``join`` in the request, it first asks the client to put it into the kernel's memory
    cgroup (the client, outside the sandbox, learns this process's PID from the credentials
    the kernel attaches to the message) and waits until that is done: everything the kernel
    ever allocates is then counted there."""
    if request.get("join"):
        _send(conn, {"join": True})
        try:
            conn.settimeout(30)
            if conn.recv(7) != b"joined\n":
                os._exit(1)
            conn.settimeout(None)
        except OSError:
            os._exit(1)
    try:
        _enter_namespaces()
    except (OSError, SetupError) as err:
        _send(conn, {"error": f"could not start the kernel's namespaces: {err}"})
        os._exit(1)
    read_end, write_end = os.pipe()  # a failed set-up is reported here
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            conn.close()
            _isolate(settings, request.get("folder", ""))
            _limit(settings)
            if settings.get("block_memfd"):
                from launcher import block_memfd

                block_memfd()
            if request.get("probe"):
                _check_environment(settings)
                os.write(write_end, b"ok")
                os._exit(0)
            for signum in range(1, signal.NSIG):  # the init handles nothing: see _init
                if signum not in (signal.SIGKILL, signal.SIGSTOP):
                    try:
                        signal.signal(signum, signal.SIG_DFL)
                    except (OSError, ValueError):
                        pass
            kernel = os.fork()
            if kernel:
                _close_fds(keep=-1)
                _init(kernel)
            _close_fds(keep=write_end)
            code = _run_kernel(request["connection"], write_end)
        except BaseException as err:  # noqa: BLE001 - report any set-up failure, then exit
            try:
                os.write(write_end, f"{type(err).__name__}: {err}".encode()[:2000])
            except OSError:
                pass
        os._exit(code)
    os.close(write_end)
    report = b""
    while chunk := os.read(read_end, 4096):
        report += chunk
    os.close(read_end)
    text = report.decode(errors="replace")
    if request.get("probe") or text:
        _, status = os.waitpid(pid, 0)
        _send(conn, {"probe": text} if request.get("probe") and text == "ok" else
              {"error": f"the kernel could not be set up: {text or 'no report'}"})
        os._exit(0)
    _send(conn, {"started": True})
    pidfd = os.pidfd_open(pid)
    while True:
        ready, _, _ = select.select([conn, pidfd], [], [])
        if pidfd in ready:
            _, status, usage = os.wait4(pid, 0)  # the init's usage includes the kernel's
            _send(conn, {"exit": os.waitstatus_to_exitcode(status),
                         "cpu": usage.ru_utime + usage.ru_stime})
            os._exit(0)
        if conn in ready and not conn.recv(1):  # the client is gone: end the kernel
            os.kill(pid, signal.SIGKILL)  # PID 1 of the namespace: everything in it ends
            os.waitpid(pid, 0)
            os._exit(0)


def _send(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass


def _receive(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
        if len(data) > 1 << 22:
            raise ValueError("request too large")
    return json.loads(data)


def _drop_to(settings: dict) -> None:
    uid = settings.get("uid")
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # drops the capabilities bwrap kept for this


def _grader_gone(lifeline: int) -> bool:
    """True when the grader has closed its end of the lifeline pipe (or ended)."""
    try:
        return os.read(lifeline, 1) == b""
    except BlockingIOError:
        return False


def _preload(settings: dict, lifeline: int) -> None:
    """Import the modules every kernel needs, once; stop at once if the grader has gone
    meanwhile (on a busy machine the imports take seconds)."""
    import importlib

    for name in settings.get("preload", []):
        if _grader_gone(lifeline):
            os._exit(0)
        importlib.import_module(name)


def serve(settings: dict) -> None:
    """The zygote: import, then fork a supervised kernel for every request on the control
    socket; end (and with it, as PID 1 of the sandbox, every kernel) when the grader closes
    the lifeline pipe or exits. bwrap's --die-with-parent alone is not enough: switching
    users clears the signal it arranges."""
    _drop_to(settings)
    _prctl(PR_SET_DUMPABLE, 0, "make the zygote undumpable")
    lifeline = int(settings["lifeline_fd"])
    os.set_blocking(lifeline, False)
    _preload(settings, lifeline)
    listener = socket.socket(fileno=int(settings.get("control_fd", CONTROL_FD)))
    listener.set_inheritable(False)
    os.set_inheritable(lifeline, False)
    while True:
        ready, _, _ = select.select([listener, lifeline], [], [], 1.0)
        if lifeline in ready:
            if _grader_gone(lifeline):
                os._exit(0)
            ready.remove(lifeline)
        while True:  # reap finished supervisors (and orphans: the zygote is PID 1)
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if not ready:
            continue
        conn, _ = listener.accept()
        try:
            conn.settimeout(30)
            request = _receive(conn)
            conn.settimeout(None)
        except (OSError, ValueError, ConnectionError):
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            os.close(lifeline)
            _supervise(settings, conn, request)
            os._exit(0)
        conn.close()


def probe(settings: dict) -> None:
    """Fork one throw-away kernel set-up here; print "ok" or why it failed (exit 1)."""
    _drop_to(settings)
    _prctl(PR_SET_DUMPABLE, 0, "make the zygote undumpable")
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ours.close()
        _supervise(settings, theirs, {"probe": True, "folder": settings.get("probe_folder",
                                                                            "")})
        os._exit(0)
    theirs.close()
    reply = _receive(ours)
    os.waitpid(pid, 0)
    if reply.get("probe") == "ok":
        print("ok")
        return
    print(reply.get("error", reply), file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------------------- outside


PR_SET_PDEATHSIG = 1


def _tie_to_parent(settings: dict) -> None:
    """Die (SIGKILL) when the grading worker that started this process dies, however it dies;
    exit at once if it is already gone."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, "set the parent-death signal")
    if os.getppid() != int(settings.get("parent", os.getppid())):
        os._exit(1)


def _oom_kills(settings: dict) -> int:
    cgroup = settings.get("cgroup")
    if not cgroup:
        return 0
    try:
        with open(cgroup["events"], encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _join(settings: dict, pid: int) -> None:
    """Put ``pid`` (and the processes it will start) into the kernel's memory cgroup."""
    with open(settings["cgroup"]["procs"], "w", encoding="ascii") as f:
        f.write(str(pid))


def _record(settings: dict, code: int, cpu: float, oom_before: int) -> None:
    """Append how the kernel ended to the worker's record (one line, one write)."""
    line = json.dumps({"code": code, "cpu": cpu,
                       "oom_kills": _oom_kills(settings) - oom_before}) + "\n"
    try:
        fd = os.open(settings["events"], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                     0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except (OSError, KeyError):
        pass


def client(settings: dict, connection_file: str) -> int:
    """The kernel's command for jupyter_client (warm kernels): ask the zygote for a kernel and
    stand for it; it ends with the worker, and the kernel with it."""
    _tie_to_parent(settings)
    oom_before = _oom_kills(settings)
    with open(connection_file, encoding="utf-8") as f:
        connection = f.read()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    join = bool(settings.get("cgroup"))
    if join:  # the supervisor's PID comes with its first message
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    conn.connect(settings["socket"])
    conn.sendall((json.dumps({"connection": connection, "folder": settings["folder"],
                              "join": join}) + "\n").encode())

    def stop(signum, frame):  # jupyter_client's SIGTERM: the kernel goes with us
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts travel as messages
    buffer = b""
    if join:
        size = struct.calcsize("3i")
        data, ancillary, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(size))
        creds = [d for level, kind, d in ancillary
                 if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS]
        if not data.startswith(b'{"join"') or not creds:
            print("the kernel starter did not ask to join the memory cgroup", file=sys.stderr)
            return 1
        pid = struct.unpack("3i", creds[0][:size])[0]
        try:
            _join(settings, pid)
        except OSError as err:
            print(f"could not put the kernel into its memory cgroup: {err}", file=sys.stderr)
            return 1
        conn.sendall(b"joined\n")
        buffer = data.split(b"\n", 1)[1]
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = json.loads(line)
            if "error" in message:
                print(message["error"], file=sys.stderr)
                return 1
            if "exit" in message:
                code = message["exit"]
                code = 128 - code if code < 0 else code  # killed by signal N: 128 + N
                _record(settings, code, float(message.get("cpu", 0.0)), oom_before)
                return code
        chunk = conn.recv(4096)
        if not chunk:
            print("the grading sandbox's kernel starter stopped", file=sys.stderr)
            return 1
        buffer += chunk


def _end_earlier_kernels(settings: dict, timeout: float = 10.0) -> None:
    """Kill what is left in the cgroup of this worker's earlier kernel, and wait until it is
    gone. A killed cold kernel ends a moment after its client (bwrap follows its parent), and
    a fork bomb's copies still running would count against the next kernel's process limit
    (the same uid) and stop it from starting."""
    import time

    me = str(os.getpid())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(settings["cgroup"]["procs"], encoding="ascii") as f:
            others = [int(p) for p in f.read().split() if p != me]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)


def cold(settings: dict, command: list[str]) -> int:
    """The kernel's command for jupyter_client (cold kernels): join the memory cgroup, run
    ``command`` (bwrap and the launcher) as a child that dies with this process, wait for it
    and record how it ended. The same duties as :func:`client`, for a kernel started afresh."""
    _tie_to_parent(settings)
    oom_before = _oom_kills(settings)
    if settings.get("cgroup"):
        try:
            _join(settings, os.getpid())
        except OSError as err:
            print(f"could not join the kernel's memory cgroup: {err}", file=sys.stderr)
            return 1
        _end_earlier_kernels(settings)
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)  # bwrap --die-with-parent: ends with us
        finally:
            os._exit(127)

    def stop(signum, frame):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
    _record(settings, code, usage.ru_utime + usage.ru_stime, oom_before)
    return code


def main(argv: list[str]) -> None:
    if len(argv) >= 3 and argv[1] in ("serve", "probe"):
        settings = json.loads(argv[2])
        (serve if argv[1] == "serve" else probe)(settings)
    elif len(argv) == 4 and argv[1] == "client":
        sys.exit(client(json.loads(argv[2]), argv[3]))
    elif len(argv) > 4 and argv[1] == "cold" and argv[3] == "--":
        sys.exit(cold(json.loads(argv[2]), argv[4:]))
    else:
        sys.exit("usage: zygote.py serve|probe SETTINGS_JSON | client SETTINGS CONNECTION | "
                 "cold SETTINGS -- COMMAND...")


if __name__ == "__main__":
    main(sys.argv)
