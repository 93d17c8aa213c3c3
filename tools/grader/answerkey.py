"""The answer key is not an answer: find hand-ins that use nnlib's version of a part's function.

The exercises' reference functions live in nnlib (the book's library), so the cheapest cheat is
``def relu(x): return nnlib.activations.relu(x)`` or ``from nnlib.neuron import step``. What
each part asks for is read from the **release**: the functions defined in its solution cells
(:func:`part_functions`), kept where nnlib has a function of the same name, plus those a solution
cell names in its metadata when nnlib's version has another name (``answer_key: {output_size:
nnlib.conv.conv_output_size}`` in the cell's YAML header). A hand-in is flagged for the
instructor (its score is left as computed) when

- a student cell imports such a name from nnlib, or binds the name to something taken from
  nnlib, ``getattr``, ``importlib`` or ``__import__`` (:func:`findings`, reading the source);
- the body of the student's function of that name reaches an attribute of that name
  (``nnlib.activations.relu``, ``book.step``) or uses ``getattr``/``importlib``/``__import__``;
- the function the tests call turns out to be nnlib's own (reported by the kernel when the
  trusted interpreter looks the name up: ``step = getattr(nnlib.activations, "st" + "ep")``).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import pkgutil
from pathlib import Path

DYNAMIC = {"getattr", "__import__", "importlib", "import_module", "eval", "exec", "globals",
           "vars", "__dict__"}


def nnlib_functions() -> dict[str, str]:
    """Every public function and class of every nnlib module (and of its packages, as their
    ``__init__`` binds them): name -> where it is defined, dotted (first found, modules in
    name order; a name imported from another nnlib module counts as that module's).

    Read from the modules' source, not imported: the book support's modules load matplotlib
    and ipywidgets, about a second of CPU for each grading worker that would import them only
    to learn their names. Nothing at a module's top level other than ``def``, ``class`` and
    ``from ... import`` binds a callable in nnlib (tests/test_grading_boundary.py checks that
    this inventory is the one importing every module gives)."""
    spec = importlib.util.find_spec("nnlib")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return {}
    root = Path(next(iter(spec.submodule_search_locations)))
    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules([str(root)]), key=lambda i: i.name):
        for name, module in _top_level_callables(root, f"nnlib.{info.name}").items():
            if not name.startswith("_"):
                found.setdefault(name, f"{module}.{name}")
    return found


def _module_source(root: Path, module: str) -> tuple[Path, bool] | None:
    """The file of nnlib module ``module`` and whether it is a package (None: no such module)."""
    base = root.joinpath(*module.split(".")[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


@functools.cache
def _parsed(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _statements(body: list[ast.stmt]):
    """The statements that run when a module is imported (into if/try/with, not into defs)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "handlers", "finalbody"):
                for part in getattr(node, block, []):
                    yield from _statements(part.body if isinstance(part, ast.ExceptHandler)
                                           else [part])


def _top_level_callables(root: Path, module: str, seen: frozenset = frozenset()
                         ) -> dict[str, str]:
    """{name bound at the top level of nnlib module ``module`` to a function or class of nnlib:
    the module that defines it}."""
    source = _module_source(root, module)
    if source is None or module in seen:
        return {}
    path, package = source
    tree = _parsed(path)
    if tree is None:
        return {}
    bound: dict[str, str] = {}
    for node in _statements(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = module
        elif isinstance(node, ast.ImportFrom):
            origin = _imported_module(module, package, node)
            if not origin or not (origin == "nnlib" or origin.startswith("nnlib.")):
                continue
            there = _top_level_callables(root, origin, seen | {module})
            for alias in node.names:
                if alias.name in there:
                    bound[alias.asname or alias.name] = there[alias.name]
    return bound


def _imported_module(module: str, package: bool, node: ast.ImportFrom) -> str | None:
    """The absolute name of the module a ``from ... import`` in ``module`` reads from."""
    if node.level == 0:
        return node.module
    parts = module.split(".") if package else module.split(".")[:-1]
    if node.level - 1 >= len(parts):
        return None
    base = parts[:len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def part_functions(release) -> dict[str, str]:
    """Functions the release's solution cells ask for that nnlib also has: name -> nnlib name."""
    library = nnlib_functions()
    asked: dict[str, str] = {}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        try:
            tree = ast.parse(_text(cell.source))
        except (SyntaxError, ValueError):
            continue
        declared = cell.metadata.get("answer_key") or {}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            if node.name in declared:
                asked[node.name] = str(declared[node.name])
            elif node.name in library:
                asked[node.name] = library[node.name]
    return asked


def _short(dotted: str) -> str:
    """The function's own name: ``nnlib.conv.conv_output_size`` -> ``conv_output_size``."""
    return dotted.rpartition(".")[2]


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _names(node: ast.AST) -> set[str]:
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.update(w for w in DYNAMIC | {"nnlib"} if w in sub.value)
    return out


def findings(nb, keys: dict[str, str]) -> list[str]:
    """What the student cells of ``nb`` do with the answer keys ``keys`` (one line each)."""
    if not keys:
        return []
    found: list[str] = []
    shorts = {_short(dotted): name for name, dotted in keys.items()}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked"):
            continue
        try:
            tree = ast.parse(_text(cell.source))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nnlib"):
                for alias in node.names:
                    if alias.name in keys or alias.name in shorts or alias.name == "*" or (
                            alias.asname in keys):
                        found.append(f"imports {alias.name} from {node.module} (nnlib's own "
                                     f"version of a function the exercise asks you to write)")
            elif isinstance(node, ast.Assign):
                targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
                used = _names(node.value)
                for name in targets & set(keys):
                    if "nnlib" in used or used & DYNAMIC or name in used - {name} or any(
                            isinstance(n, ast.Attribute) and n.attr == name
                            for n in ast.walk(node.value)):
                        found.append(f"binds {name} to nnlib's {keys[name]} (or looks it up "
                                     f"dynamically)")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in keys:
                body = ast.Module(body=node.body, type_ignores=[])
                attrs = {n.attr for n in ast.walk(body) if isinstance(n, ast.Attribute)}
                names = _names(body)
                short = _short(keys[node.name])
                if node.name in attrs:
                    found.append(f"{node.name} calls another {node.name} (nnlib's "
                                 f"{keys[node.name]}?) instead of computing it")
                elif short != node.name and short in names:
                    found.append(f"{node.name} calls {short} (nnlib's {keys[node.name]}) "
                                 f"instead of computing it")
                elif names & DYNAMIC:
                    found.append(f"{node.name} looks functions up dynamically "
                                 f"({', '.join(sorted(names & DYNAMIC))}): check it does not "
                                 f"use nnlib's {keys[node.name]}")
    return sorted(set(found))
