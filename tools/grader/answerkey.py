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
import importlib
import pkgutil

DYNAMIC = {"getattr", "__import__", "importlib", "import_module", "eval", "exec", "globals",
           "vars", "__dict__"}


def nnlib_functions() -> dict[str, str]:
    """Every public function of every nnlib module: name -> dotted name (first found)."""
    import nnlib

    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(nnlib.__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"nnlib.{info.name}")
        except Exception:  # a module needing an optional package: not an answer key
            continue
        for name, value in vars(module).items():
            if callable(value) and not name.startswith("_") and getattr(
                    value, "__module__", "").startswith("nnlib"):
                found.setdefault(name, f"{value.__module__}.{name}")
    return found


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
