"""A record that a strict build of the whole site passed, so that the tests can reuse it.

The README's set-up command builds the site strictly (``--warningiserror --keep-going``: any
warning or failing cell fails it), and the test suite checks that the site it tests passes that
build (tests/book_site.py). Building it again costs half a minute of CPU, so a build that

- was strict (``--warningiserror``),
- read every page of the book (a first build, or ``--all``),
- finished without an error and without a single warning,

writes ``STAMP`` into the site's folder with a ``fingerprint`` of what the build depended on:
every file of the repository that git tracks or would track (contents included; ignored files
such as _build/ and .venv/ left out), the installed Python packages and the Python version.
The tests reuse that build when the fingerprint is still the same, and build again otherwise.
Every build removes the stamp when it starts, so a site left by a build that failed, was not
strict or read only some pages never carries one. Delete the stamp to make the tests build again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAMP = ".strict-build.json"


def fingerprint(root: Path = ROOT) -> str | None:
    """SHA-256 of the repository's files and the environment's packages; None where git cannot
    list the files (not a git work tree, no git): then no build is reused."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
            capture_output=True, check=True, timeout=60, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    digest = hashlib.sha256()
    for name in sorted(set(listed.split(b"\0")) - {b""}):
        path = root / os.fsdecode(name)
        digest.update(name + b"\0")
        if path.is_symlink():
            digest.update(b"link:" + os.fsencode(os.readlink(path)))
        elif path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")  # a listed file that is gone (deleted, not yet committed) hashes so
    folders = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}"
                      for dist in importlib.metadata.distributions(path=folders))
    digest.update("\n".join([sys.version, *packages]).encode())
    return digest.hexdigest()


def reusable(html: Path, root: Path = ROOT) -> dict | None:
    """The stamp in the site folder ``html`` if it matches the repository and packages now."""
    try:
        stamp = json.loads((html / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    now = fingerprint(root)
    if now is None or not isinstance(stamp, dict) or stamp.get("fingerprint") != now:
        return None
    return stamp


# ---------------------------------------------------------------- the Sphinx side (book_extension)


def forget(app, config) -> None:
    """config-inited: remove the stamp of an earlier build and fingerprint the files now (before
    the build reads them: an edit made while it runs makes the stamp not match)."""
    (Path(app.outdir) / STAMP).unlink(missing_ok=True)
    app.strict_build_fingerprint = fingerprint()
    app.strict_build_read_all = False


def note_pages_read(app, env, docnames) -> None:
    """env-before-read-docs: whether this build reads every page (``--all`` or a first build)."""
    app.strict_build_read_all = set(docnames) >= set(env.found_docs)


def write(app, exception) -> None:
    """build-finished (after the other handlers): the stamp, if the build earned it."""
    strict = bool(app.warningiserror or app.keep_going)  # --keep-going keeps -W in keep_going
    if (exception is None and strict and getattr(app, "_warncount", None) == 0
            and app.builder.name == "html"
            and getattr(app, "strict_build_read_all", False)
            and getattr(app, "strict_build_fingerprint", None)):
        stamp = {"fingerprint": app.strict_build_fingerprint,
                 "finished": time.strftime("%Y-%m-%d %H:%M:%S %z")}
        (Path(app.outdir) / STAMP).write_text(json.dumps(stamp) + "\n", encoding="utf-8")
