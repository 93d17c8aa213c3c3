"""Start an IPython kernel inside the grading sandbox: drop privileges, set limits, exec.

This file runs INSIDE the bubblewrap sandbox (it is bound read-only at /opt/grader/launcher.py),
before any student code, with only the standard library. It is the kernel spec's command::

    python /opt/grader/launcher.py LIMITS_JSON CONNECTION_FILE [extra kernel arguments...]

1. It reads the connection file that jupyter_client wrote for the grader (mode 0600, owned by
   the grader) and writes a copy the kernel's user can read into the sandbox's private /tmp.
2. When started as root (the grader runs as root and bwrap kept only CAP_SETUID/CAP_SETGID), it
   switches to the unprivileged uid/gid given in LIMITS_JSON, with no supplementary groups and no
   capabilities left, so the process limits below count this user's processes only.
3. It sets the resource limits of LIMITS_JSON (address space, CPU seconds, processes, file size,
   open files, no core dumps); they hold for every process the student's code starts. With
   ``block_memfd`` (no memory cgroup), memfd_create is refused (:func:`block_memfd`).
4. It replaces itself with ``python -m ipykernel_launcher -f <copy> ...``.
"""

import json
import os
import resource
import sys

LIMIT_NAMES = {
    "address_space": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
    "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}


# seccomp: memfd_create fails with EPERM (used where no memory cgroup can count shared memory).
_ARCH = {"x86_64": (0xC000003E, 319, 0x40000000 | 319), "aarch64": (0xC00000B7, 279, 279)}


def block_memfd():
    """Make memfd_create fail (EPERM) in this process and every process it starts.

    Where the grader cannot put a kernel in a memory cgroup, memory-backed files would escape
    the address-space limit (their pages belong to no process), so they are refused; /dev/shm
    is a small tmpfs of the kernel's own. Sets no_new_privs (needed to install the filter)."""
    import ctypes
    import platform
    import struct

    arch, nr, nr2 = _ARCH[platform.machine()]
    ld, jeq, ret = 0x20, 0x15, 0x06
    program = [(ld, 0, 0, 4), (jeq, 0, 3, arch), (ld, 0, 0, 0), (jeq, 2, 0, nr),
               (jeq, 1, 0, nr2), (ret, 0, 0, 0x7FFF0000), (ret, 0, 0, 0x00050000 | 1)]
    code = b"".join(struct.pack("HBBI", *op) for op in program)
    buf = ctypes.create_string_buffer(code, len(code))

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Prog(len(program), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def set_limits(limits):
    """Set each limit of ``limits`` (name -> value, or [soft, hard])."""
    for name, value in limits.items():
        soft, hard = value if isinstance(value, list) else (value, value)
        resource.setrlimit(LIMIT_NAMES[name], (soft, hard))


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: launcher.py LIMITS_JSON CONNECTION_FILE [kernel arguments...]")
    settings = json.loads(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        connection = f.read()
    copy = "/tmp/kernel-connection.json"
    with open(copy, "w", encoding="utf-8") as f:
        f.write(connection)
    os.chmod(copy, 0o644)
    uid = settings.get("uid")
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # drops the remaining capabilities too (no keep-caps)
    set_limits(settings.get("limits", {}))
    if settings.get("block_memfd"):
        block_memfd()
    os.chdir(settings.get("cwd", "/"))
    # The kernel's own banner and log go nowhere: what student code prints reaches the grader
    # through the kernel's messages, never through the grader's terminal.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    args = [sys.executable, "-m", "ipykernel_launcher", "-f", copy] + argv[3:]
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main(sys.argv)
