"""Reading a student's hand-in and rebuilding it on the release, with tampering found and undone.

nbgrader restores locked cells from the gradebook when it autogrades, and it logs a warning
whenever a locked cell's checksum differs from the instructor's version. For a test cell with
hidden tests that is EVERY submission: the student received the release (hidden tests removed),
so the checksum never matches the source. Here tampering is judged against the RELEASE the
student was given instead:

- a locked cell of the release (imports, prompts, test cells) that is missing, whose type
  changed (a test turned into markdown or raw text does not run), whose source differs (trailing
  white space ignored) or whose nbgrader metadata differs (the checksum field ignored);
- an answer cell whose nbgrader metadata differs (grade, points, locked ... changed);
- a cell carrying nbgrader metadata with a grade id the release does not have, or a grade id
  used twice.

:func:`rebuild` then returns the notebook that is actually graded: the release's cells in the
release's order, each locked cell exactly as released, each answer cell with the student's
source (or the release's stub when the student deleted it), and the student's own extra cells
(without nbgrader metadata) kept after the cell they followed. nbgrader then puts the hidden
tests back into the test cells, as it always does.
"""

from __future__ import annotations

import copy
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

MB = 1024 * 1024


class InvalidNotebook(Exception):
    """The hand-in cannot be read as a notebook; the message says what is wrong."""


# --------------------------------------------------------------------------- taking a hand-in in
#
# A hand-in is data, never a path: unzip and ``cp -a`` keep symbolic links, and hand-ins copied
# by hand can hold anything a file system can. So nothing here follows a link or opens anything
# but a regular file: every folder is opened with O_NOFOLLOW relative to its parent's descriptor,
# every entry is judged by lstat, every file is opened with O_NOFOLLOW | O_NONBLOCK and checked
# again (fstat) before a byte is read. What is not a regular file or folder (a symbolic link, a
# FIFO, a socket, a device), a file with other names (a hard link), and what goes beyond the caps
# is left out and reported as a :class:`Finding`.


@dataclass
class Caps:
    """What is copied of a hand-in into the grading sandbox (the rest is left out, reported)."""

    notebook_mb: int = 20  # largest notebook read at all
    files: int = 200  # files and folders copied besides the notebook
    files_mb: int = 50  # their total size (apparent size: a sparse file counts in full)
    scan: int = 5000  # entries looked at in all (a folder of a million files is not listed)


@dataclass
class Finding:
    """One thing of a hand-in that was not taken as it was (structured, for the status file)."""

    kind: str  # "symlink", "special file", "hard link", "too large", "cap", "unreadable"
    path: str  # relative to the hand-in folder ("." for the folder itself)
    detail: str  # e.g. "a symbolic link to /etc/shadow", "a FIFO"

    def text(self) -> str:
        if self.kind == "cap":
            return f"left out {self.detail}"
        return f"left out {self.path}: {self.detail}"


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


def _what(st: os.stat_result) -> str | None:
    """Why an entry is not data (None for a regular file or a folder)."""
    mode = stat.S_IFMT(st.st_mode)
    if mode in (stat.S_IFREG, stat.S_IFDIR):
        return None
    return _KINDS.get(mode, f"a special file (mode {oct(st.st_mode)})")


def _link_target(dir_fd: int, name: str) -> str:
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError:
        return "?"


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


class HandinFolder:
    """A student's submission folder, opened without following any link.

    ``open(submitted, student, aid)`` opens ``submitted/student/aid`` one component at a time
    (``submitted`` is the instructor's folder and trusted); ``problem`` is a Finding when the
    student's or the assignment's folder is itself a link or not a folder. ``entries`` are the
    top-level names with their lstat. Use it as a context manager (it holds a descriptor).
    """

    def __init__(self, fd: int | None, problem: Finding | None = None):
        self.fd = fd
        self.problem = problem
        self.entries: dict[str, os.stat_result] = {}
        if fd is not None:
            for entry in os.scandir(fd):
                try:
                    self.entries[entry.name] = os.stat(entry.name, dir_fd=fd,
                                                       follow_symlinks=False)
                except OSError:
                    continue

    @classmethod
    def open(cls, submitted: Path, student: str, aid: str) -> HandinFolder:
        fd = os.open(submitted, _DIR_FLAGS & ~os.O_NOFOLLOW)
        try:
            for i, name in enumerate((student, aid)):
                where = "." if i == 1 else ".."
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    return cls(None, Finding("missing", where, "the folder does not exist"))
                if stat.S_ISLNK(st.st_mode):
                    return cls(None, Finding("symlink", where, f"the folder {name!r} is a "
                                             f"symbolic link to {_link_target(fd, name)}"))
                if not stat.S_ISDIR(st.st_mode):
                    return cls(None, Finding("special file", where, f"{name!r} is "
                                             f"{_what(st) or 'a file'}, not a folder"))
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
            result, fd = cls(fd), None
            return result
        finally:
            if fd is not None:
                os.close(fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> HandinFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def check_file(self, name: str, max_bytes: int) -> Finding | None:
        """Why the top-level ``name`` cannot be read as a notebook (None: it can)."""
        st = self.entries.get(name)
        if st is None:
            return Finding("missing", name, "it does not exist")
        if stat.S_ISLNK(st.st_mode):
            return Finding("symlink", name, f"a symbolic link to "
                                            f"{_link_target(self.fd, name)}; not graded as "
                                            f"its target")
        kind = _what(st)
        if kind is not None or stat.S_ISDIR(st.st_mode):
            return Finding("special file", name, f"{kind or 'a folder'}, not a notebook file")
        if st.st_nlink > 1:
            return Finding("hard link", name, f"a file with {st.st_nlink} names (a hard link "
                                              f"may be another file of the machine)")
        if st.st_size > max_bytes:
            return Finding("too large", name, f"{st.st_size / MB:.0f} MB, more than the "
                                              f"{max_bytes / MB:.0f} MB a notebook may have "
                                              f"(--max-notebook-mb)")
        return None

    def read_bytes(self, name: str, max_bytes: int) -> bytes:
        """The content of the regular file ``name`` (never through a link), at most
        ``max_bytes``; OSError when it is not (or no longer) a regular file of this folder."""
        fd = os.open(name, _FILE_FLAGS, dir_fd=self.fd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                raise OSError(f"{name} is not a regular file of at most {max_bytes} bytes")
            chunks, left = [], st.st_size
            while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def copy_files(self, dest: Path, caps: Caps, skip=lambda name: False) -> list[Finding]:
        """Copy the regular files and folders (but the names ``skip`` is true for) into the new
        folder ``dest``, within ``caps``; return what was left out. Sparse files keep their
        holes."""
        findings: list[Finding] = []
        budget = {"files": caps.files, "bytes": caps.files_mb * MB, "scan": caps.scan}
        capped: list[str] = []
        dest.mkdir(parents=True)
        out_fd = os.open(dest, _DIR_FLAGS)
        try:
            self._copy_dir(self.fd, out_fd, "", budget, findings, capped, skip)
        finally:
            os.close(out_fd)
        if capped or budget["scan"] < 0:
            many = f"{len(capped)} entr{'y' if len(capped) == 1 else 'ies'}"
            if budget["scan"] < 0:
                many = f"{many} and all after the first {caps.scan} (not looked at)"
            first = capped[0] if capped else "."
            findings.append(Finding("cap", first, f"{many}, from {first} on: a hand-in may "
                                    f"bring at most {caps.files} files of {caps.files_mb} MB in "
                                    f"all besides the notebook (--max-files, --max-files-mb)"))
        return findings

    def _copy_dir(self, src_fd, out_fd, prefix, budget, findings, capped, skip):
        try:
            names = []
            with os.scandir(src_fd) as it:
                for entry in it:
                    budget["scan"] -= 1
                    if budget["scan"] < 0:
                        break
                    names.append(entry.name)
        except OSError as err:
            findings.append(Finding("unreadable", prefix or ".", str(err)))
            return
        for name in sorted(names):
            rel = prefix + name
            if name.startswith(".") or skip(name):
                continue
            try:
                st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                findings.append(Finding("symlink", rel, f"a symbolic link to "
                                                        f"{_link_target(src_fd, name)}"))
                continue
            kind = _what(st)
            if kind is not None:
                findings.append(Finding("special file", rel, kind))
                continue
            if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
                findings.append(Finding("hard link", rel, f"a file with {st.st_nlink} names"))
                continue
            size = st.st_size if stat.S_ISREG(st.st_mode) else 0
            if budget["files"] <= 0 or size > budget["bytes"]:
                capped.append(rel)
                continue
            budget["files"] -= 1
            budget["bytes"] -= size
            if stat.S_ISDIR(st.st_mode):
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=src_fd)
                except OSError as err:
                    findings.append(Finding("unreadable", rel, str(err)))
                    continue
                try:
                    os.mkdir(name, 0o755, dir_fd=out_fd)
                    out_child = os.open(name, _DIR_FLAGS, dir_fd=out_fd)
                    try:
                        self._copy_dir(child, out_child, rel + "/", budget, findings, capped,
                                       skip)
                    finally:
                        os.close(out_child)
                finally:
                    os.close(child)
            else:
                try:
                    _copy_file(src_fd, out_fd, name)
                except OSError as err:
                    findings.append(Finding("unreadable", rel, str(err)))


def copy_plain(src: Path, dest: Path) -> list[Finding]:
    """Copy a folder the grader wrote (an autograded folder) into the new folder ``dest``:
    regular files and folders only, no link followed, no cap; what was left out is returned."""
    fd = os.open(src, _DIR_FLAGS)
    try:
        folder = HandinFolder(fd)
        big = 1 << 40
        return folder.copy_files(dest, Caps(files=big, files_mb=big, scan=big))
    finally:
        os.close(fd)


def _copy_file(src_dir: int, out_dir: int, name: str) -> None:
    """Copy one regular file (never through a link), keeping the holes of a sparse file."""
    fd = os.open(name, _FILE_FLAGS, dir_fd=src_dir)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{name} changed while it was copied")
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      0o644, dir_fd=out_dir)
        try:
            pos = 0
            while pos < st.st_size:
                try:
                    data = os.lseek(fd, pos, os.SEEK_DATA)
                except OSError:  # only holes left (ENXIO)
                    break
                hole = os.lseek(fd, data, os.SEEK_HOLE)
                os.lseek(fd, data, os.SEEK_SET)
                os.lseek(out, data, os.SEEK_SET)
                left = hole - data
                while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
                    os.write(out, chunk)
                    left -= len(chunk)
                pos = hole
            os.ftruncate(out, st.st_size)
            os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
        finally:
            os.close(out)
    finally:
        os.close(fd)


@dataclass
class Handin:
    """What was found in a student's submission folder."""

    name: str | None  # the notebook's file name to grade, None when there is none
    note: str = ""  # e.g. "graded 'copy of ch01.ipynb': the notebook was renamed"
    problem: Finding | None = None  # the notebook is a link, a special file, too large


def find_notebook(folder: HandinFolder, name: str, release: NotebookNode,
                  caps: Caps | None = None) -> Handin:
    """The student's notebook ``<name>.ipynb`` in ``folder``, or the renamed one that holds the
    release's grade ids; ``Handin(None, why, problem)`` when there is none to grade."""
    caps = caps or Caps()
    limit = caps.notebook_mb * MB
    expected = f"{name}.ipynb"
    folders = {n for n, st in folder.entries.items() if stat.S_ISDIR(st.st_mode)}
    if expected in folder.entries and expected not in folders:  # a folder of that name: look on
        problem = folder.check_file(expected, limit)
        if problem is not None:
            return Handin(None, problem.text(), problem)
        return Handin(expected)
    others = sorted(n for n in folder.entries if n.endswith(".ipynb") and n not in folders)
    if not others:
        listing = sorted(folder.entries)
        shown = ", ".join(listing[:20]) + (f" and {len(listing) - 20} more"
                                             if len(listing) > 20 else "")
        return Handin(None, f"no notebook {name}.ipynb in the submission (it holds: "
                            f"{shown or 'nothing'})")
    wanted = set(grade_ids(release))
    problems = {n: folder.check_file(n, limit) for n in others[:50]}

    def overlap(n: str) -> int:
        if problems.get(n, True) is not None:
            return -1
        try:
            return len(wanted & set(grade_ids(read(folder.read_bytes(n, limit), n))))
        except (InvalidNotebook, OSError):
            return -1

    scores = {n: overlap(n) for n in problems}
    best = max(scores, key=scores.get)
    if scores[best] <= 0:
        bad = [p for p in problems.values() if p is not None]
        if bad:
            return Handin(None, "; ".join(p.text() for p in bad), bad[0])
        return Handin(None, f"no notebook {name}.ipynb in the submission, and none of "
                            f"{', '.join(others[:20])} is this assignment's notebook")
    return Handin(best, f"graded {best!r}: the notebook was renamed from {name}.ipynb")


def read(data: bytes, name: str = "the notebook") -> NotebookNode:
    """Read a hand-in's bytes; InvalidNotebook (with the reason) when it is not a notebook."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidNotebook(f"cannot read {name}: {err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidNotebook(f"{name} is not valid JSON (line {err.lineno}, column "
                              f"{err.colno}: {err.msg}); was it saved completely?") from err
    except RecursionError as err:
        raise InvalidNotebook(f"{name} is nested too deeply to be a notebook") from err
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook(f"{name} is JSON but not a notebook (no list of cells)")
    for i, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook(f"{name}: cell {i} is not a notebook cell")
        if not isinstance(cell.get("source", ""), (str, list)):
            raise InvalidNotebook(f"{name}: cell {i} has no text source")
        if not isinstance(cell.get("metadata", {}), dict):
            raise InvalidNotebook(f"{name}: cell {i} has broken metadata")
    data.setdefault("nbformat", 4)
    data.setdefault("nbformat_minor", 5)
    data.setdefault("metadata", {})
    return nbformat.from_dict(data)


def grade_ids(nb: NotebookNode) -> list[str]:
    return [gid for cell in nb.cells if (gid := _gid(cell))]


def _gid(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) else None


def _text(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip()


def _meta(cell) -> dict:
    meta = dict(cell.get("metadata", {}).get("nbgrader") or {})
    meta.pop("checksum", None)
    return meta


@dataclass
class Rebuilt:
    notebook: NotebookNode
    tampering: list[str] = field(default_factory=list)  # one short phrase per finding
    notes: list[str] = field(default_factory=list)  # not tampering (e.g. a deleted answer)


def rebuild(submitted: NotebookNode, release: NotebookNode) -> Rebuilt:
    """The notebook to grade and what was tampered with (see the module docstring)."""
    answers, extras, tampering = _match_to_release(submitted, release)
    notes: list[str] = []
    cells = [*extras.get(None, [])]
    for rcell in release.cells:
        gid = _gid(rcell)
        if gid is None:
            cells.append(copy.deepcopy(rcell))
            continue
        graded, tampered, noted = _graded_cell(gid, rcell, answers.get(gid))
        tampering += tampered
        notes += noted
        cells.append(graded)
        cells.extend(extras.get(gid, []))
    return Rebuilt(_notebook_of(release, cells), tampering, notes)


def _match_to_release(submitted: NotebookNode, release: NotebookNode
                      ) -> tuple[dict[str, NotebookNode], dict[str | None, list[NotebookNode]],
                                 list[str]]:
    """The submitted cell of each grade id of the release (the first one); the student's other
    cells, stripped of nbgrader metadata, under the grade id they followed (None: above all);
    and the tampering found: a grade id used twice, nbgrader metadata the release does not have."""
    released = {gid for cell in release.cells if (gid := _gid(cell))}
    answers: dict[str, NotebookNode] = {}
    extras: dict[str | None, list[NotebookNode]] = {}
    tampering: list[str] = []
    last: str | None = None
    for cell in submitted.cells:
        gid = _gid(cell)
        if gid in released and gid not in answers:
            answers[gid] = cell
            last = gid
            continue
        if gid in released:
            tampering.append(f"grade id {gid!r} used twice")
        elif gid is not None or "nbgrader" in cell.get("metadata", {}):
            tampering.append(f"a cell with nbgrader metadata the release does not have "
                             f"(grade id {gid!r})")
        extra = copy.deepcopy(cell)
        extra.metadata.pop("nbgrader", None)
        extras.setdefault(last, []).append(extra)
    return answers, extras, tampering


def _graded_cell(gid: str, rcell: NotebookNode, mine: NotebookNode | None
                 ) -> tuple[NotebookNode, list[str], list[str]]:
    """The cell graded for the release's cell ``rcell`` given the student's ``mine``: a locked
    cell as released, an answer cell with the student's source; with tampering and notes."""
    graded = copy.deepcopy(rcell)
    rmeta = rcell.metadata["nbgrader"]
    if rmeta.get("locked") and not rmeta.get("solution"):
        tampering, notes = _locked_cell_changes(gid, rcell, mine), []
    else:
        tampering, notes = _answer_cell_changes(gid, rcell, mine)
        if mine is not None and mine.cell_type == rcell.cell_type:
            graded.source = _text(mine.source)
    if graded.cell_type == "code":
        graded.outputs, graded.execution_count = [], None
    return graded, tampering, notes


def _locked_cell_changes(gid: str, rcell: NotebookNode, mine: NotebookNode | None) -> list[str]:
    if mine is None:
        return [f"deleted locked cell {gid!r}"]
    if mine.cell_type != rcell.cell_type:
        return [f"changed locked cell {gid!r} from {rcell.cell_type} to {mine.cell_type}"]
    if _text(mine.source) != _text(rcell.source):
        return [f"edited locked cell {gid!r}"]
    if _meta(mine) != _meta(rcell):
        return [f"changed the nbgrader metadata of {gid!r}"]
    return []


def _answer_cell_changes(gid: str, rcell: NotebookNode, mine: NotebookNode | None
                         ) -> tuple[list[str], list[str]]:
    """(tampering, notes) of an answer cell: changed metadata is tampering; a deleted answer
    or one of another cell type is graded from the release's stub, with a note."""
    if mine is None:
        return [], [f"answer cell {gid!r} was deleted (graded as unanswered)"]
    tampering = [f"changed the nbgrader metadata of {gid!r}"] if _meta(mine) != _meta(rcell) else []
    notes = ([f"answer cell {gid!r} was turned into {mine.cell_type}"]
             if mine.cell_type != rcell.cell_type else [])
    return tampering, notes


def _notebook_of(release: NotebookNode, cells: list[NotebookNode]) -> NotebookNode:
    """The release's notebook with ``cells``, without cell ids: nbgrader keeps their order."""
    nb = copy.deepcopy(release)
    for cell in cells:
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cell.pop("id", None)
    nb.cells = cells
    nb.nbformat, nb.nbformat_minor = 4, 4  # no cell ids: nbgrader keeps the release's order
    return nb
