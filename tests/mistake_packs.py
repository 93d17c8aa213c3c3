"""Several typical mistakes and correct variants in one hand-in: how they are packed, and the
check that they may be.

Grading a hand-in costs a kernel and a run of every cell of the notebook, so the grading tests
(tests/test_grading_roundtrip.py with stock nbgrader, tests/test_grading_agreement.py with
``python -m tools.grader``) do not hand in each mistake (``MISTAKES``) and each correct variant
(``CORRECT_VARIANTS``) of ``tests/mistakes/<id>.py`` alone: they pack members of *different*
cells into one hand-in, ``packNN`` (:func:`packs`). The i-th mistake of every cell goes in pack
i, so a set has as many packs as its busiest cell has mistakes; then each variant goes in the
first pack that does not replace its cell yet, and only a variant whose cell every pack already
replaces starts a new pack. A pack thus holds mistakes and variants side by side (a
:class:`Pack` keeps the indices of each kind apart), and a set gets as many hand-ins as its
busiest cell has mistakes and variants together: the fewest that one member per cell allows.

Why a pack gives each member the score it would get alone
----------------------------------------------------------
The exercises are built so that one mistake costs one part (CONTRIBUTING.md, "An exercise set",
rule 4): a test cell calls only its own part's function, and where that function builds on
earlier parts, the test swaps the book's versions in for the student's
(``nnlib.checks.using_reference``, chapter 1) or uses fixed numbers (chapters 2 to 7). A test
cell's outcome is then decided by its own part's cell alone. A pack is a solution whose cells
``c1 ... ck`` (one per member, all different) are replaced by the members' code; if each test
cell reads what at most ONE of ``c1 ... ck`` defines (directly, or through the functions it
calls, the names an earlier cell computed from them, an object one of them changed in place, or
the global random generators), it runs exactly as in the hand-in of that one member alone, and
a test cell that reads none of them runs as in the solution. So the expected score of every
test cell of a pack is exact (:func:`expected_scores`): 0 for the cells in the ``loses`` of a
member mistake, full points for all others (a variant has no ``loses``: the parts it replaces
keep full points), the ``says`` hint of a mistake in its own cells; a mistake cannot be hidden
(a part's test passing only because another part is wrong) nor blamed on another part, and a
variant cannot be marked down for a mistake beside it. A wrong score is traced back to the member
that replaces the part (:func:`suspects`, in the failure messages with :func:`describe`).

That condition is not taken on trust. :func:`trace` runs each packed notebook in a plain Python
process (the solution's test cells, hidden tests included, as the graders run them) with a
namespace that records, for each test cell, which solution cells' bindings it read: every global
name looked up (also the misses, which fall back to the builtins), each binding tagged with the
cells its value came from (the cell that wrote it and what that cell had read so far), in-place
changes of global arrays, lists and dicts, and changes of numpy's and ``random``'s global
generators. ``dependency_problems`` then fails the test ``test_packed_hand_ins_are_independent``
of the round trip when a test cell read two members of its pack, or lost points without reading
the member that should cost them. The static rules (:func:`packing_problems`: different cells,
disjoint ``loses``, every mistake and variant in exactly one pack) are checked by
``test_packs_follow_the_packing_rules``.

Debugging one mistake: set ``GRADE_MISTAKES_ALONE=1`` and each mistake and variant is handed in
alone (``mistakeNN``, ``variantNN``; slower: as many hand-ins as mistakes and variants).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pickle
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ALONE_ENV = "GRADE_MISTAKES_ALONE"


@dataclass
class Pack:
    """One hand-in of one set: some mistakes and some correct variants, each of another cell."""

    student: str  # e.g. "pack03"
    mistakes: list[int] = field(default_factory=list)  # indices into MISTAKES
    variants: list[int] = field(default_factory=list)  # indices into CORRECT_VARIANTS

    def members(self, mistakes: list[dict], variants: list[dict]
                ) -> list[tuple[str, int, dict]]:
        """Each member as (kind, index, entry): the mistakes first, then the variants."""
        return ([("mistake", i, mistakes[i]) for i in self.mistakes]
                + [("variant", i, variants[i]) for i in self.variants])

    def entries(self, mistakes: list[dict], variants: list[dict]) -> list[dict]:
        return [entry for _, _, entry in self.members(mistakes, variants)]

    def indices(self, kind: str) -> list[int]:
        """The indices of its members of ``kind`` ("mistake" or "variant")."""
        return self.mistakes if kind == "mistake" else self.variants

    def holds(self, kind: str, index: int) -> bool:
        return index in self.indices(kind)

    def size(self) -> int:
        return len(self.mistakes) + len(self.variants)


def alone() -> bool:
    return os.environ.get(ALONE_ENV, "") not in ("", "0")


def packs(mistakes: list[dict], variants: list[dict]) -> list[Pack]:
    """The hand-ins of a set. The i-th mistake of every cell goes in pack i (as many packs as
    the most mistakes of one cell); then each variant goes in the first pack that does not yet
    replace its cell, and only a variant whose cell every pack replaces starts a new pack.
    With GRADE_MISTAKES_ALONE, one hand-in per mistake and one per variant."""
    if alone():
        return ([Pack(f"mistake{i:02d}", mistakes=[i]) for i in range(len(mistakes))]
                + [Pack(f"variant{i:02d}", variants=[i]) for i in range(len(variants))])
    cells: list[set[str]] = []  # the cells each pack replaces
    found: list[Pack] = []
    for kind, entries in (("mistake", mistakes), ("variant", variants)):
        for i, entry in enumerate(entries):
            slot = next((n for n, used in enumerate(cells) if entry["cell"] not in used),
                        len(found))
            if slot == len(found):
                found.append(Pack(f"pack{slot:02d}"))
                cells.append(set())
            cells[slot].add(entry["cell"])
            found[slot].indices(kind).append(i)
    return found


def pack_of(found: list[Pack], kind: str, index: int) -> Pack:
    """The pack that holds the given mistake or variant."""
    return next(p for p in found if p.holds(kind, index))


def packing_problems(found: list[Pack], mistakes: list[dict], variants: list[dict]
                     ) -> list[str]:
    """What breaks the static packing rules ([] when nothing does)."""
    problems = []
    for kind, entries in (("mistake", mistakes), ("variant", variants)):
        placed = sorted(i for p in found for i in p.indices(kind))
        if placed != list(range(len(entries))):
            problems.append(f"every {kind} must be in exactly one pack; placed: {placed}")
    for p in found:
        members = p.members(mistakes, variants)
        cells = [e["cell"] for _, _, e in members]
        if len(set(cells)) != len(cells):
            problems.append(f"{p.student}: two members replace the same cell "
                            f"({[(k, i, e['cell']) for k, i, e in members]})")
        lost = [t for e in p.entries(mistakes, variants) for t in e.get("loses", [])]
        if len(set(lost)) != len(lost):
            problems.append(f"{p.student}: the members' `loses` overlap ({lost})")
    return problems


def expected_scores(pack: Pack, mistakes: list[dict], variants: list[dict],
                    tests: dict[str, float]) -> dict[str, float]:
    """Test cell -> the score the pack must get: 0 in a member mistake's ``loses``, full points
    elsewhere (a variant has no ``loses``: its parts keep full points)."""
    lost = {t for i in pack.mistakes for t in mistakes[i].get("loses", [])}
    return {t: 0.0 if t in lost else points for t, points in tests.items()}


def _label(kind: str, index: int, entry: dict) -> str:
    return f"{kind} {index} {entry['name']!r}"


def suspects(pack: Pack, mistakes: list[dict], variants: list[dict], cells) -> list[str]:
    """For each test cell of ``cells`` (scored other than expected), the members it belongs to:
    a mistake whose ``loses`` holds it, or the member that replaces the part it tests
    (``<part>_test``)."""
    lines = []
    for test in sorted(cells):
        owners = [_label(kind, i, e) for kind, i, e in pack.members(mistakes, variants)
                  if test in e.get("loses", []) or test == f"{e['cell']}_test"]
        lines.append(f"    {test}: " + (", ".join(owners) if owners else
                                        "no member replaces its part (the solution's code "
                                        "should have kept its points)"))
    return lines


def describe(pack: Pack, mistakes: list[dict], variants: list[dict], aid: str,
             test_file: str) -> str:
    """Who shares the hand-in, and how to grade one alone (for failure messages)."""
    lines = [f"hand-in {pack.student} of {aid} packs {len(pack.mistakes)} mistake(s) and "
             f"{len(pack.variants)} correct variant(s), each of a different cell "
             f"(tests/mistake_packs.py):"]
    for kind, i, e in pack.members(mistakes, variants):
        outcome = (f"loses {list(e['loses'])}" if kind == "mistake"
                   else "must keep full marks")
        lines.append(f"    {_label(kind, i, e)} (cell {e['cell']!r}, {outcome})")
    if pack.size() > 1:
        lines.append(f"  to grade each one alone: {ALONE_ENV}=1 .venv/bin/python -m pytest "
                     f"{test_file} -k {aid}")
    return "\n".join(lines)


# ----------------------------------------------------------------- the dependency trace


def _top_level_names(source: str) -> set[str]:
    """Names a cell binds at its top level (not inside its functions): what it defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        if isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _fingerprint(value) -> str | None:
    """A digest of a mutable container's content (None for what cannot change in place)."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return hashlib.sha1(repr((value.shape, str(value.dtype))).encode()
                                + np.ascontiguousarray(value).tobytes()).hexdigest()
    except ImportError:
        pass
    if isinstance(value, (list, dict, set, bytearray)):
        try:
            return hashlib.sha1(pickle.dumps(value)).hexdigest()
        except Exception:  # noqa: BLE001 (unpicklable content: compare its repr instead)
            return hashlib.sha1(repr(value).encode()).hexdigest()
    return None


def _rng_state() -> str:
    import numpy as np

    state = np.random.get_state()
    return hashlib.sha1(state[1].tobytes() + repr(state[2:]).encode()
                        + repr(random.getstate()).encode()).hexdigest()


RNG = "<the global random generators>"


class _Namespace(dict):
    """The notebook's globals, recording which cells each looked-up binding came from."""

    def __init__(self):
        super().__init__()
        self.cell: str | None = None  # grade id (or "#<n>") of the cell running now
        self.read: set[str] = set()  # cells the running cell has read from so far
        self.origin: dict[str, list] = {}  # name -> [(value, cells it came from)]
        self.poison: dict[str, set[str]] = {}  # name -> cells whose effect on it was not a write
        self.defines: dict[str, set[str]] = {}  # name -> cells whose source binds it

    def taint(self, name: str, value) -> set[str]:
        for known, cells in self.origin.get(name, []):
            if known is value:
                return set(cells) | self.poison.get(name, set())
        return set(self.poison.get(name, set()))

    def __getitem__(self, name):
        try:
            value = dict.__getitem__(self, name)
        except KeyError:  # a miss: builtins next; what should have defined it counts
            self.read |= self.defines.get(name, set()) | self.poison.get(name, set())
            raise
        self.read |= self.taint(name, value)
        return value

    def __setitem__(self, name, value):
        dict.__setitem__(self, name, value)
        entries = self.origin.setdefault(name, [])
        if not any(known is value for known, _ in entries):
            entries.append((value, frozenset(self.read | {self.cell})))
        self.poison.pop(name, None)

    def __delitem__(self, name):
        dict.__delitem__(self, name)
        self.poison.setdefault(name, set()).update(self.read | {self.cell})


def _run_traced(cells: list[dict]) -> dict[str, list[str]]:
    """Execute the cells (dicts: id, source, test) in order; test cell id -> the cells it read
    from (see the module docstring)."""
    ns = _Namespace()
    ns["__name__"] = "__main__"
    for cell in cells:
        for name in _top_level_names(cell["source"]):
            ns.defines.setdefault(name, set()).add(cell["id"])
    result = {}
    for cell in cells:
        ns.cell, ns.read = cell["id"], set()
        before = {name: (value, _fingerprint(value)) for name, value in dict.items(ns)}
        rng = _rng_state()
        failed = False
        try:
            exec(compile(cell["source"], f"<cell {cell['id']}>", "exec"), ns)  # noqa: S102
        except BaseException:  # noqa: BLE001 (a failing test cell is what a mistake does)
            failed = True
        if _rng_state() != rng:  # it drew from (and moved) a global generator
            ns.read |= ns.poison.get(RNG, set())
            ns.poison.setdefault(RNG, set()).update(ns.read | {cell["id"]})
        for name, (value, digest) in before.items():
            if digest is not None and dict.get(ns, name) is value \
                    and _fingerprint(value) != digest:  # changed in place by this cell
                ns.poison.setdefault(name, set()).update(ns.read | {cell["id"]})
        for name, value in dict.items(ns):  # bound past __setitem__ (`global` in a function)
            if name != "__builtins__" and not any(known is value
                                                  for known, _ in ns.origin.get(name, [])):
                ns.origin.setdefault(name, []).append((value, frozenset(ns.read | {cell["id"]})))
        if failed:  # what it did not get to bind now depends on what made it fail
            for name in _top_level_names(cell["source"]):
                ns.poison.setdefault(name, set()).update(ns.read | {cell["id"]})
        if cell["test"]:
            result[cell["id"]] = sorted(ns.read)
    return result


def trace(notebooks: dict[str, list[dict]], cwd: Path, timeout: float = 900) -> dict:
    """Trace each notebook (student -> its cells) in a fresh Python process (one process for
    all, one namespace each): student -> test cell -> the cells it read from."""
    spec = cwd / "trace-input.json"
    spec.write_text(json.dumps(notebooks), encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg")
    output = cwd / "trace-output.json"
    proc = subprocess.run([sys.executable, str(Path(__file__)), str(spec), str(output)],
                          cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"the dependency trace failed:\n{proc.stdout[-3000:]}"
                           f"{proc.stderr[-3000:]}")
    return json.loads(output.read_text(encoding="utf-8"))


def dependency_problems(pack: Pack, mistakes: list[dict], variants: list[dict],
                        reads: dict[str, list[str]]) -> list[str]:
    """What in the trace of a pack breaks the condition of the module docstring (each member
    named by kind, index and name)."""
    members = {e["cell"]: (_label(kind, i, e), e)
               for kind, i, e in pack.members(mistakes, variants)}
    found = []
    for test, cells in sorted(reads.items()):
        shared = sorted(set(cells) & set(members))
        if len(shared) > 1:
            found.append(f"{test} reads what {len(shared)} members define (cells {shared}: "
                         f"{', '.join(members[c][0] for c in shared)}); one could hide or "
                         f"cause the other's failure")
    for cell, (label, entry) in members.items():
        for test in entry.get("loses", []):
            if cell not in reads.get(test, []):
                found.append(f"{test} is in the `loses` of {label}, but it reads nothing cell "
                             f"{cell!r} defines, so its loss would not be that mistake's")
    return found


def _main(spec: str, output: str) -> None:
    notebooks = json.loads(Path(spec).read_text(encoding="utf-8"))
    out = {student: _run_traced(cells) for student, cells in notebooks.items()}
    Path(output).write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    _main(sys.argv[1], sys.argv[2])


def packed_notebook(good, pack: Pack, mistakes: list[dict], variants: list[dict]):
    """The hand-in of a pack: ``good`` (a solved release) with each member's cell replaced."""
    from grading_course import with_cell

    nb = good
    for entry in pack.entries(mistakes, variants):
        nb = with_cell(nb, entry["cell"], entry["code"])
    return nb


def traced_cells(solution, pack: Pack, mistakes: list[dict], variants: list[dict]
                 ) -> list[dict]:
    """The code cells of a pack as the graders run them: the instructor's test and locked cells
    (hidden tests included), the solution's code without its region markers, the members' code
    in their cells. Each as {"id": grade id or "#<index>", "source", "test": auto-graded?}."""
    from grading_course import grade_id, strip_markers

    replaced = {e["cell"]: e["code"] for e in pack.entries(mistakes, variants)}
    cells = []
    for index, cell in enumerate(solution.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        gid = grade_id(cell) or f"#{index}"
        source = replaced.get(gid, strip_markers(cell.source) if meta.get("solution")
                              else cell.source)
        cells.append({"id": gid, "source": source,
                      "test": bool(meta.get("grade") and not meta.get("solution"))})
    return cells
