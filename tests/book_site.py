"""Build the website once per test session, strictly, and tell the tests where it is.

The build is the README's: ``jupyter-book build --warningiserror --keep-going`` (any Sphinx warning
or failing cell fails it), plus ``--all`` so that every page is read again and warnings of pages
that did not change since the last build are reported too. Executed chapters come from the
jupyter cache, so a rebuild after ``.ci/run``'s first build does not execute them again.

By default the site goes to ``_build/html`` in the repository, where the README's set-up command
puts it. Set ``BOOK_PATH_OUTPUT=/some/dir`` to build into ``/some/dir/_build/html`` instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

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
    output = Path(os.environ.get("BOOK_PATH_OUTPUT", ROOT))
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
