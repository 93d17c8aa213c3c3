"""A throw-away nbgrader course for the grading tests, driven through the real nbgrader CLI.

A :class:`Course` is a temporary folder with a copy of the repository's ``nbgrader_config.py``
(plus a few test settings appended, such as a short cell timeout) and one exercise set copied
from ``solutions/<id>/`` (or from a test fixture). Its release is generated with
``tools.exercises.build`` (jupytext, then ``nbgrader generate_assignment``), submissions are
written into ``grading/submitted/<student>/<id>/``, ``nbgrader autograde`` grades them all in one
run, and scores are read back per grade cell with nbgrader's ``Gradebook`` API.

Helpers build submissions the way a student would: :func:`solved` fills each solution cell of
the release with the instructor's code (markers removed); :func:`with_cell` replaces one cell's
source; :func:`without_cells` deletes cells.
"""

from __future__ import annotations

import ast
import atexit
import copy
import fcntl
import hashlib
import html.parser
import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from tools import exercises
from tools.exercises import hidden_test_lines  # noqa: F401 (the tests import it from here)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
MARKERS = (exercises.BEGIN_SOLUTION, exercises.END_SOLUTION)


def sets_with_mistakes(root: Path) -> list[str]:
    """Exercise sets under ``root`` that have a source and a ``tests/mistakes/<id>.py`` file.

    ``root`` is the repository (mistakes in tests/mistakes/) or the test fixtures folder
    (tests/fixtures/solutions/ and tests/fixtures/mistakes/).
    """
    return [aid for aid in exercises.assignment_ids(root) if mistakes_file(root, aid).is_file()]


def mistakes_file(root: Path, aid: str) -> Path:
    folder = root / "tests" / "mistakes" if root == REPO else root / "mistakes"
    return folder / f"{aid}.py"


def load_mistakes(path: Path) -> list[dict]:
    """The ``MISTAKES`` list of a mistakes file (format: tests/mistakes/__init__.py)."""
    spec = importlib.util.spec_from_file_location(f"mistakes_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    mistakes = getattr(module, "MISTAKES", None)
    if not isinstance(mistakes, list) or not mistakes:
        raise ValueError(f"{path}: expected a non-empty list MISTAKES, got {mistakes!r:.80}")
    for m in mistakes:
        missing = {"name", "cell", "code", "loses"} - set(m)
        if missing:
            raise ValueError(f"{path}: mistake {m.get('name', m)!r} lacks {sorted(missing)}")
        if not isinstance(m["loses"], (list, tuple)) or not isinstance(m["code"], str):
            raise ValueError(f"{path}: mistake {m['name']!r}: 'code' must be a str and 'loses' "
                             f"a list of grade ids, got {type(m['code']).__name__} and "
                             f"{type(m['loses']).__name__}")
    return mistakes


def load_variants(path: Path) -> list[dict]:
    """The ``CORRECT_VARIANTS`` list of a mistakes file ([] when it has none).

    Each variant is a dict with ``name``, ``cell`` (grade_id of a solution cell) and ``code``
    (the cell's whole new source): a correct answer written in another style, which must keep
    full marks.
    """
    spec = importlib.util.spec_from_file_location(f"variants_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    variants = getattr(module, "CORRECT_VARIANTS", [])
    if not isinstance(variants, list):
        raise ValueError(f"{path}: CORRECT_VARIANTS must be a list, got {variants!r:.80}")
    for v in variants:
        missing = {"name", "cell", "code"} - set(v)
        if missing:
            raise ValueError(f"{path}: variant {v.get('name', v)!r} lacks {sorted(missing)}")
        if "loses" in v or not isinstance(v["code"], str):
            raise ValueError(f"{path}: variant {v['name']!r}: 'code' must be a str, and a "
                             f"correct variant loses nothing (no 'loses')")
    return variants


def grade_id(cell: NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def cell_by_id(nb: NotebookNode, gid: str) -> NotebookNode:
    for cell in nb.cells:
        if grade_id(cell) == gid:
            return cell
    raise KeyError(f"no cell with grade_id {gid!r}; the notebook has "
                   f"{[grade_id(c) for c in nb.cells if grade_id(c)]}")


def strip_markers(source: str) -> str:
    """The solution as a student would type it: the region markers' lines removed."""
    return "\n".join(line for line in source.split("\n") if not any(m in line for m in MARKERS))


def solved(release: NotebookNode, solution: NotebookNode) -> NotebookNode:
    """The release with every solution cell (code and written answers) filled from ``solution``."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = strip_markers(cell_by_id(solution, grade_id(cell)).source)
    return nb


def with_cell(nb: NotebookNode, gid: str, source: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    cell_by_id(nb, gid).source = source
    return nb


def without_cells(nb: NotebookNode, gids: list[str]) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if grade_id(c) not in gids]
    return nb


def autograded_tests(nb: NotebookNode) -> dict[str, float]:
    """Auto-graded test cells (grade, not solution) of a notebook: grade_id -> points."""
    return {grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")}


IGNORED = (".ipynb_checkpoints", "__pycache__")
# Settings of every generated course, before the test's own: its stock kernels (nbgrader's
# autograde and validate) talk to nbgrader over Unix sockets in the course's grading/ folder, as
# tools.grader's kernels do in their sandbox. Over TCP, jupyter_client picks a kernel's ports by
# binding free ones and letting them go, and another process can take one before the kernel
# binds it: in a test run both workers start kernels while Chromium and the tests' servers open
# connections, and a kernel whose port another process took cannot be reached (on CI a
# round-trip hand-in waited nbgrader's 60 s for a kernel that never answered and was dropped
# from the grading). The socket names need an absolute folder: by default they are relative to
# the process, and the kernel, which starts in the hand-in's folder, would make them where
# nbgrader never looks.
KERNEL_SETTINGS = ('c.KernelManager.transport = "ipc"\n'
                   'c.KernelManager.ip = os.path.join(os.path.dirname(os.path.abspath(__file__)),'
                   ' "grading", "kernel")\n')
# Where Course.create keeps the courses it generated: a folder of this test run, shared by its
# xdist workers (tests/conftest.py sets it; without it, a folder of this process).
GENERATED_ENV = "TESTS_GENERATED_COURSES"


def _generated_folder() -> Path:
    folder = os.environ.get(GENERATED_ENV)
    if not folder:
        folder = tempfile.mkdtemp(prefix="generated-courses-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[GENERATED_ENV] = folder
    return Path(folder)


def _empty_gradebook() -> Path:
    """An empty gradebook of the course, made by nbgrader once per test run (in the folder of
    ``_generated_folder``), from which every generated course starts: nbgrader stamps a new
    gradebook with its schema's version by running ``alembic heads``, about two seconds of CPU
    for each course it would otherwise make."""
    folder = _generated_folder()
    path = folder / "empty-gradebook.db"
    with open(folder / "empty-gradebook.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process makes it, the others wait and copy
        if not path.is_file():
            scratch = Path(tempfile.mkdtemp(prefix="empty-gradebook-", dir=folder))
            shutil.copy2(REPO / exercises.CONFIG, scratch / exercises.CONFIG)
            exercises.run_nbgrader(scratch, ["db", "student", "list"])
            (scratch / "grading" / "gradebook.db").rename(path)
            shutil.rmtree(scratch)
    return path


def _digest(source_folder: Path, aid: str, extra_config: str) -> str:
    """A digest of what a generated course is made of: the config, the source folder's files
    (names and contents, IGNORED left out), the set and the extra settings."""
    digest = hashlib.sha256((REPO / exercises.CONFIG).read_bytes())
    digest.update(f"\0{aid}\0{extra_config}\0".encode())
    for path in sorted(source_folder.rglob("*")):
        if path.is_file() and not set(path.relative_to(source_folder).parts) & set(IGNORED):
            digest.update(str(path.relative_to(source_folder)).encode() + b"\0"
                          + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Course:
    root: Path
    aid: str

    @classmethod
    def create(cls, root: Path, source_folder: Path, aid: str, extra_config: str = "") -> Course:
        """Copy the config and the exercise set into ``root`` and generate its release.

        The course (config, sources, release, and the gradebook: ``_empty_gradebook`` with
        what ``nbgrader generate_assignment`` added) is generated once per test run for each
        content of the source folder, set and ``extra_config``, and copied after that:
        generating costs seconds of CPU, and the grading tests of a run need the same course a
        dozen times.
        """
        generated = _generated_folder() / _digest(Path(source_folder), aid, extra_config)
        generated.mkdir(parents=True, exist_ok=True)
        template = generated / "course"
        with open(generated / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one process generates, the others wait and copy
            if not (generated / "done").is_file():
                shutil.rmtree(template, ignore_errors=True)
                cls._generate(template, Path(source_folder), aid, extra_config)
                (generated / "done").touch()
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(template, root, symlinks=True, dirs_exist_ok=True)
        return cls(root, aid)

    @staticmethod
    def _generate(root: Path, source_folder: Path, aid: str, extra_config: str) -> None:
        root.mkdir(parents=True, exist_ok=True)
        config = (REPO / exercises.CONFIG).read_text(encoding="utf-8")
        (root / exercises.CONFIG).write_text(
            config + "\n# --- test settings ---\n" + KERNEL_SETTINGS + extra_config,
            encoding="utf-8")
        shutil.copytree(source_folder, root / exercises.SOLUTIONS / aid,
                        ignore=shutil.ignore_patterns(*IGNORED))
        (root / "grading").mkdir()
        shutil.copy2(_empty_gradebook(), root / "grading" / "gradebook.db")
        exercises.build(root, [aid], log=lambda _msg: None)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'grading' / 'gradebook.db'}"

    @property
    def solution(self) -> NotebookNode:
        return nbformat.read(str(exercises.solution_notebook(self.root, self.aid)), as_version=4)

    @property
    def release(self) -> NotebookNode:
        path = exercises.release_dir(self.root, self.aid) / f"{self.aid}.ipynb"
        return nbformat.read(str(path), as_version=4)

    def nbgrader(self, *args: str, check: bool = True, timeout: float | None = None
                 ) -> subprocess.CompletedProcess:
        """Run the real nbgrader CLI in the course; with check, fail on a non-zero exit."""
        return exercises.run_nbgrader(self.root, args, check=check, timeout=timeout)

    def submission_path(self, student: str) -> Path:
        return self.root / "grading" / "submitted" / student / self.aid / f"{self.aid}.ipynb"

    def submit(self, student: str, nb: NotebookNode | str) -> None:
        """Hand in ``nb`` (a notebook, or raw text for a broken file) as ``student``."""
        path = self.submission_path(student)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            path.write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, str(path))

    def add_students(self, students: list[str]) -> None:
        """Register students with `nbgrader db student import` (one CLI call for all)."""
        csv = self.root / "students.csv"
        csv.write_text("id,first_name,last_name,email\n"
                       + "".join(f"{s},{s},Student,\n" for s in students), encoding="utf-8")
        self.nbgrader("db", "student", "import", str(csv))

    def all_scores(self) -> dict[str, dict[str, tuple[float | None, float]]]:
        """student -> grade_id -> (auto_score, max_score), for every grade cell of every
        student's submitted notebook, read in one gradebook session (opening the gradebook
        costs a tenth of a second: the tests read every student's scores once, after the
        grading run)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, "nn-from-one-neuron") as gb:
            return {submission.student.id: {g.name: (g.auto_score, g.max_score)
                                            for g in notebook.grades}
                    for submission in gb.find_assignment(self.aid).submissions
                    for notebook in submission.notebooks if notebook.name == self.aid}

    def graded_students(self) -> set[str]:
        """Students whose submission has an autograded notebook in the gradebook."""
        return graded_students(self.all_scores())

    def autograded(self, student: str) -> NotebookNode:
        path = self.root / "grading" / "autograded" / student / self.aid / f"{self.aid}.ipynb"
        return nbformat.read(str(path), as_version=4)

    def feedback_html(self, student: str) -> str:
        path = self.root / "grading" / "feedback" / student / self.aid / f"{self.aid}.html"
        return path.read_text(encoding="utf-8")




class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The text a reader sees in an HTML page (tags removed, entities decoded, no CSS or JS).

    Syntax highlighting splits code into many spans; their text joined gives the code back.
    """
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


def graded_students(scores: dict[str, dict[str, tuple[float | None, float]]]) -> set[str]:
    """The students of ``Course.all_scores`` whose notebook has been autograded (a cell with an
    automatic score)."""
    return {student for student, cells in scores.items()
            if any(auto is not None for auto, _ in cells.values())}


def lines_found_in(text: str, lines: set[str]) -> set[str]:
    """The ``lines`` that occur in ``text``: as a whole line (stripped) or, when long, anywhere."""
    present = {line.strip() for line in text.split("\n")}
    return {line for line in lines
            if line in present or (len(line) >= exercises.SUBSTRING_MIN and line in text)}


def looping_version(source: str) -> str | None:
    """``source`` with an endless loop at the start of each top-level function, or None.

    Used to submit an infinite loop that only the part's test cell runs into. The loop sleeps
    (``while True: __import__("time").sleep(0.1)``): a cell's time limit is on the clock, so a
    loop that sleeps runs into it as one that spins does, and an interrupt ends either, but
    waiting it out costs the machine no CPU.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if not functions:
        return None
    for node in functions:
        node.body.insert(0, ast.parse("while True:\n    __import__('time').sleep(0.1)").body[0])
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def warm_kernels_possible(uid: int | None) -> bool:
    """Can the grading sandbox fork warm kernels here? False only when the machine refuses the
    nested namespaces (then the grader rightly falls back to cold kernels); any other failure of
    the probe is a bug, and raises."""
    from tools.grader import sandbox

    reason = sandbox.check_warm(uid)
    if reason is None:
        return True
    if "could not start the kernel's namespaces" in reason or "not permitted" in reason:
        return False
    raise AssertionError(f"warm kernels fail here for a reason that is not the machine's: "
                         f"{reason}")
