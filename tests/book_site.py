"""Build the website once per test session, strictly, and tell the tests where it is.

The build is the README's: ``jupyter-book build --warningiserror --keep-going`` (any Sphinx warning
or failing cell fails it), plus ``--all`` so that every page is read again and warnings of pages
that did not change since the last build are reported too. Executed chapters come from the
jupyter cache, so a rebuild after ``.ci/run``'s first build does not execute them again.

By default the site goes to ``_build/html`` in the repository, where the README's set-up command
puts it. Set ``BOOK_PATH_OUTPUT=/some/dir`` to build into ``/some/dir/_build/html`` instead.

A site that already passed such a build is not built again: a strict build that read every page
and gave no warning leaves a stamp in the site's folder with a fingerprint of the repository's
files and the installed packages (tools/site/build_stamp.py), and while the fingerprint is the
same the tests check that site (the README's set-up command leaves one; ``.ci/run`` runs the
tests right after it). Any change to a file git tracks or would track, or to the packages, makes
the tests build again; so does deleting ``_build/html/.strict-build.json``.

One build per test run, also when pytest-xdist runs the tests in several worker processes: the
first worker that needs the site builds it while holding a lock file next to the output, and
writes the result (exit code and log) for that run; the other workers wait for the lock and read
the result instead of building again.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.site import build_stamp

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SiteBuild:
    html: Path  # the built site: <output>/_build/html
    returncode: int
    log: str  # stdout and stderr of the build


def jupyter_book_command() -> list[str]:
    """The jupyter-book of the running interpreter's environment (the venv of the README)."""
    beside = Path(sys.executable).parent / "jupyter-book"
    return [str(beside)] if beside.exists() else [shutil.which("jupyter-book") or "jupyter-book"]


@functools.lru_cache(maxsize=1)
def build_site() -> SiteBuild:
    """The strict build of the site, made once per test run (see the module's docstring)."""
    output = Path(os.environ.get("BOOK_PATH_OUTPUT", ROOT))
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every worker of one run
    if run is None:
        return _reuse(output) or _build(output)
    folder = output / "_build"
    folder.mkdir(parents=True, exist_ok=True)
    result = folder / ".tests-site-build.json"
    with open(folder / ".tests-site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if result.is_file():
            done = json.loads(result.read_text(encoding="utf-8"))
            if done.get("run") == run:
                return SiteBuild(Path(done["html"]), done["returncode"], done["log"])
        build = _reuse(output) or _build(output)
        result.write_text(json.dumps({"run": run, "html": str(build.html),
                                      "returncode": build.returncode, "log": build.log}),
                          encoding="utf-8")
        return build


def _reuse(output: Path) -> SiteBuild | None:
    """The site in ``output``, if a strict build of every page of these very files passed."""
    html = output / "_build" / "html"
    stamp = build_stamp.reusable(html, ROOT)
    if stamp is None:
        return None
    return SiteBuild(html, 0, f"not built again: {html} passed a strict build of every page on "
                              f"{stamp.get('finished')} with no warning, and no file of the "
                              "repository and no installed package has changed since "
                              f"({html / build_stamp.STAMP})")


def _build(output: Path) -> SiteBuild:
    command = [
        *jupyter_book_command(),
        "build",
        "--all",
        "--warningiserror",
        "--keep-going",
        str(ROOT),
        "--path-output",
        str(output),
    ]
    proc = subprocess.run(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    return SiteBuild(output / "_build" / "html", proc.returncode, proc.stdout + proc.stderr)


def toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def toc_part(caption: str) -> list[str]:
    """The files listed in the _toc.yml part with this caption (without suffix)."""
    for part in toc()["parts"]:
        if part["caption"] == caption:
            return [entry["file"] for entry in part["chapters"]]
    raise KeyError(f"_toc.yml has no part with caption {caption!r}")


def toc_files() -> list[str]:
    """Every file of the book: the root and the files of every part, in order."""
    data = toc()
    files = [data["root"]]
    for part in data["parts"]:
        files += [entry["file"] for entry in part["chapters"]]
    return files


def source_of(entry: str) -> Path:
    """The source file of a _toc.yml entry (which names it without its suffix)."""
    for suffix in (".md", ".ipynb"):
        path = ROOT / f"{entry}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"_toc.yml lists {entry!r}, but neither {entry}.md nor .ipynb exists")


@functools.cache
def parsed_page(path: Path):
    """A page of the built site, parsed with BeautifulSoup once per test process (a chapter
    takes a quarter of a second to parse, and several tests read each page); read it, do not
    change it."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
