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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode


class InvalidNotebook(Exception):
    """The hand-in cannot be read as a notebook; the message says what is wrong."""


@dataclass
class Handin:
    """What was found in a student's submission folder."""

    path: Path | None  # the notebook to grade, None when there is none
    note: str = ""  # e.g. "graded 'copy of ch01.ipynb': the notebook was renamed"


def find_notebook(folder: Path, name: str, release: NotebookNode) -> Handin:
    """The student's notebook ``<name>.ipynb`` in ``folder``, or the renamed one that holds the
    release's grade ids; ``Handin(None, why)`` when there is none."""
    expected = folder / f"{name}.ipynb"
    if expected.is_file():
        return Handin(expected)
    others = sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []
    if not others:
        listing = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        return Handin(None, f"no notebook {name}.ipynb in the submission (it holds: "
                            f"{', '.join(listing) or 'nothing'})")
    wanted = set(grade_ids(release))

    def overlap(path: Path) -> int:
        try:
            return len(wanted & set(grade_ids(read(path))))
        except InvalidNotebook:
            return -1

    best = max(others, key=overlap)
    if overlap(best) <= 0:
        return Handin(None, f"no notebook {name}.ipynb in the submission, and none of "
                            f"{', '.join(p.name for p in others)} is this assignment's notebook")
    return Handin(best, f"graded {best.name!r}: the notebook was renamed from {name}.ipynb")


def read(path: Path) -> NotebookNode:
    """Read a hand-in; InvalidNotebook (with the reason) when it is not a usable notebook."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidNotebook(f"cannot read {path.name}: {err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidNotebook(f"{path.name} is not valid JSON (line {err.lineno}, column "
                              f"{err.colno}: {err.msg}); was it saved completely?") from err
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook(f"{path.name} is JSON but not a notebook (no list of cells)")
    for i, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook(f"{path.name}: cell {i} is not a notebook cell")
        if not isinstance(cell.get("source", ""), (str, list)):
            raise InvalidNotebook(f"{path.name}: cell {i} has no text source")
        if not isinstance(cell.get("metadata", {}), dict):
            raise InvalidNotebook(f"{path.name}: cell {i} has broken metadata")
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
    released = {gid: cell for cell in release.cells if (gid := _gid(cell))}
    by_gid: dict[str, NotebookNode] = {}
    extras: dict[str | None, list[NotebookNode]] = {}  # grade id they followed -> extra cells
    tampering: list[str] = []
    notes: list[str] = []
    last: str | None = None
    for cell in submitted.cells:
        gid = _gid(cell)
        if gid in released and gid not in by_gid:
            by_gid[gid] = cell
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

    cells = [*extras.get(None, [])]
    for rcell in release.cells:
        gid = _gid(rcell)
        if gid is None:
            cells.append(copy.deepcopy(rcell))
            continue
        mine = by_gid.get(gid)
        rmeta = rcell.metadata["nbgrader"]
        graded = copy.deepcopy(rcell)
        if rmeta.get("locked") and not rmeta.get("solution"):
            if mine is None:
                tampering.append(f"deleted locked cell {gid!r}")
            elif mine.cell_type != rcell.cell_type:
                tampering.append(f"changed locked cell {gid!r} from {rcell.cell_type} to "
                                 f"{mine.cell_type}")
            elif _text(mine.source) != _text(rcell.source):
                tampering.append(f"edited locked cell {gid!r}")
            elif _meta(mine) != _meta(rcell):
                tampering.append(f"changed the nbgrader metadata of {gid!r}")
        else:
            if mine is None:
                notes.append(f"answer cell {gid!r} was deleted (graded as unanswered)")
            else:
                if _meta(mine) != _meta(rcell):
                    tampering.append(f"changed the nbgrader metadata of {gid!r}")
                if mine.cell_type != rcell.cell_type:
                    notes.append(f"answer cell {gid!r} was turned into {mine.cell_type}")
                graded.source = _text(mine.source) if mine.cell_type == rcell.cell_type \
                    else rcell.source
        if graded.cell_type == "code":
            graded.outputs, graded.execution_count = [], None
        cells.append(graded)
        cells.extend(extras.get(gid, []))

    nb = copy.deepcopy(release)
    for cell in cells:
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cell.pop("id", None)
    nb.cells = cells
    nb.nbformat, nb.nbformat_minor = 4, 4  # no cell ids: nbgrader keeps the release's order
    return Rebuilt(nb, tampering, notes)
