"""Read the numbers a chapter states from its page source, so tests can recompute them with nnlib.

A chapter's prose quotes results (``$41 + 10 = 51$ parameters``, ``\\approx 0.971``) that its code
also computes. A test of such a number must read it from the page, not restate it: then a wrong
number on the page fails the test, and so does a change of nnlib that makes the page wrong.

``Page("02_layers").numbers("$@ + @ = @$ **parameters**")`` finds that text in the page's prose
(code cells removed, any run of white space matching any other) and returns the numbers at the
``@`` places, as :class:`Quoted` floats that remember how many decimals the page wrote;
``@@`` stands for a tuple such as ``(1, 1, -1, 1.5)`` and gives a numpy array. ``matrix("W_1")``
reads a LaTeX ``bmatrix``, ``code_array("W1")`` an ``np.array([...])`` literal of a code cell.
:func:`agrees` compares a computed value with a quoted one at the precision the page wrote.
If the text is not found, the test fails and says which sentence to look for: a reworded
sentence needs its test updated, never silently skipped.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import numpy as np

BOOK = Path(__file__).resolve().parents[1] / "book"

NUMBER = r"[-−]?\d+(?:(?:,|\{,\}|\\,)\d{3})*(?:\.\d+)?"
SEP = r"\s*,(?:\\[ ,]|\s)*"  # ", " or LaTeX ",\ " between the numbers of a tuple
TUPLE = rf"\(\s*{NUMBER}(?:{SEP}{NUMBER})*\s*\)"
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)


class Quoted(float):
    """A number as the page writes it: its value, its text and its number of decimals."""

    text: str
    decimals: int

    def __new__(cls, text: str) -> Quoted:
        clean = text.replace("{,}", "").replace("\\,", "").replace(",", "").replace("−", "-")
        value = super().__new__(cls, float(clean))
        value.text = text
        value.decimals = len(clean.split(".")[1]) if "." in clean else 0
        return value


def parse_number(text: str) -> Quoted:
    return Quoted(text)


def parse_tuple(text: str) -> np.ndarray:
    return np.array([float(Quoted(t)) for t in re.findall(NUMBER, text)])


def agrees(quoted: Quoted, computed: float, scale: float = 1.0) -> bool:
    """Does ``computed / scale`` round to ``quoted`` at the decimals the page wrote?"""
    half_unit = 0.5 * 10.0 ** -quoted.decimals
    return abs(float(computed) / scale - float(quoted)) <= half_unit * (1 + 1e-9) + 1e-12


class Page:
    """The MyST source of book/<name>.md: its prose (no code cells) and its code cells."""

    def __init__(self, name: str, text: str | None = None):
        self.name = name
        self.path = BOOK / f"{name}.md"
        self.text = self.path.read_text(encoding="utf-8") if text is None else text
        self.prose = " ".join(CODE_CELL.sub(" ", self.text).split())
        self.code_cells = [cell.source for cell in jupytext.reads(self.text, fmt="md:myst").cells
                           if cell.cell_type == "code"]

    def mutated(self, old: str, new: str) -> Page:
        """This page with the one occurrence of ``old`` replaced by ``new`` (to test the tests)."""
        count = self.text.count(old)
        assert count == 1, f"{self.path.name} contains {old!r} {count} times, expected once"
        return Page(self.name, self.text.replace(old, new))

    def _search(self, pattern: str) -> tuple[re.Match, list[str]]:
        kinds = []
        regex = ""
        for token in re.split(r"(@@|@)", pattern):
            if token == "@@":
                kinds.append("tuple")
                regex += f"({TUPLE})"
            elif token == "@":
                kinds.append("number")
                regex += f"({NUMBER})"
            else:
                regex += r"\s+".join(re.escape(word) for word in token.split(" "))
        match = re.search(regex, self.prose)
        assert match, (
            f"{self.path.name} does not say {pattern!r} (@ = a number, @@ = a tuple of numbers, "
            "any white space matches). If the sentence was reworded, update this test so that it "
            "reads the new sentence's numbers."
        )
        return match, kinds

    def numbers(self, pattern: str) -> list:
        """The numbers (Quoted) and tuples (arrays) at the @ and @@ places of ``pattern``."""
        match, kinds = self._search(pattern)
        return [parse_tuple(text) if kind == "tuple" else parse_number(text)
                for kind, text in zip(kinds, match.groups(), strict=True)]

    def number(self, pattern: str) -> Quoted:
        """The one number at the @ place of ``pattern``."""
        (value,) = self.numbers(pattern)
        return value

    def says(self, pattern: str) -> bool:
        """Whether the prose contains ``pattern`` (same syntax as :meth:`numbers`)."""
        try:
            self._search(pattern)
        except AssertionError:
            return False
        return True

    def matrix(self, name: str) -> np.ndarray:
        """The LaTeX matrix ``name = \\begin{bmatrix} ... \\end{bmatrix}`` of the prose."""
        bmatrix = r"\s*=\s*\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}"
        match = re.search(r"(?<![\w\\])" + re.escape(name) + bmatrix, self.prose)
        assert match, f"{self.path.name} has no LaTeX matrix {name} = \\begin{{bmatrix}}..."
        rows = [row for row in match.group(1).split(r"\\") if row.strip()]
        return np.array([[float(Quoted(cell.strip())) for cell in row.split("&")] for row in rows])

    def run(self, first: str, last: str) -> dict:
        """Run the page's first code cell (its imports), then its cells from the one containing
        ``first`` to the one containing ``last``, as the build does; return their variables.

        Plots are drawn on matplotlib's Agg backend and closed; widgets are not shown.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        start = next((i for i, c in enumerate(self.code_cells) if first in c), None)
        stop = next((i for i, c in enumerate(self.code_cells) if last in c), None)
        assert start is not None and stop is not None and start <= stop, (
            f"{self.path.name} has no code cells from one containing {first!r} to one "
            f"containing {last!r}")
        namespace: dict = {"__name__": f"page_{self.path.stem}"}
        for source in [self.code_cells[0], *self.code_cells[start:stop + 1]]:
            exec(compile(source, str(self.path), "exec"), namespace)  # noqa: S102 (the page)
        plt.close("all")
        return namespace

    def code_array(self, name: str) -> np.ndarray:
        """The literal of ``name = np.array([...])`` in the page's code cells."""
        found = {}
        for source in self.code_cells:
            found.update(code_literals(source))
        assert name in found, f"no code cell of {self.path.name} sets {name} = np.array([...])"
        return np.array(found[name], dtype=float)


def code_literals(code: str) -> dict[str, object]:
    """{name: literal} for every ``name = np.array(<literal>)`` or ``name = <literal>`` of code."""
    found = {}
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell with IPython magics
        return found
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        value = node.value
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "array" and value.args):
            value = value.args[0]
        try:
            found[node.targets[0].id] = ast.literal_eval(value)
        except ValueError:
            continue
    return found
