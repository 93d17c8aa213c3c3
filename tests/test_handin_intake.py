"""Taking a hand-in in as data (tools/grader/submission.py), without a sandbox or nbgrader.

The grader opens a student's folder without following any link and copies only regular files
and folders, within caps; what is left out comes back as structured findings. These tests build
hostile folders (links, a FIFO that would block whoever opens it, a device, a sparse file, more
files than the caps) and check what is read, copied and reported. The same cases graded
through the real command are in tests/bad_submissions.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import nbformat
import pytest

from tools.grader import submission

AID = "ch01"


@pytest.fixture
def submitted(tmp_path: Path) -> Path:
    root = tmp_path / "submitted"
    (root / "alice" / AID).mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), str(root / "alice" / AID / f"{AID}.ipynb"))
    return root


def folder_of(root: Path, student: str = "alice") -> submission.HandinFolder:
    return submission.HandinFolder.open(root, student, AID)


def test_a_notebook_that_is_a_symlink_is_reported_not_read(submitted, tmp_path):
    secret = tmp_path / "solution.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), str(secret))
    handin = submitted / "mallory" / AID
    handin.mkdir(parents=True)
    os.symlink(secret, handin / f"{AID}.ipynb")
    with folder_of(submitted, "mallory") as folder:
        found = submission.find_notebook(folder, AID, nbformat.v4.new_notebook())
        assert found.name is None and found.problem.kind == "symlink"
        assert str(secret) in found.problem.detail
        with pytest.raises(OSError):  # and it cannot be read by mistake either
            folder.read_bytes(f"{AID}.ipynb", 1 << 20)


def test_a_fifo_notebook_is_never_opened(submitted):
    handin = submitted / "mallory" / AID
    handin.mkdir(parents=True)
    os.mkfifo(handin / f"{AID}.ipynb")  # opening it to read would block forever
    with folder_of(submitted, "mallory") as folder:
        found = submission.find_notebook(folder, AID, nbformat.v4.new_notebook())
    assert found.name is None and found.problem.kind == "special file"
    assert "FIFO" in found.problem.detail


def test_a_linked_student_or_assignment_folder_is_reported(submitted):
    (submitted / "mallory").mkdir()
    os.symlink(submitted / "alice" / AID, submitted / "mallory" / AID)
    os.symlink(submitted / "alice", submitted / "eve")
    for student in ("mallory", "eve"):
        with folder_of(submitted, student) as folder:
            assert folder.fd is None and folder.problem.kind == "symlink", student


def test_a_notebook_over_the_size_cap_is_not_read(submitted):
    path = submitted / "alice" / AID / f"{AID}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * (3 << 20)))
    nbformat.write(nb, str(path))
    with folder_of(submitted) as folder:
        found = submission.find_notebook(folder, AID, nb, submission.Caps(notebook_mb=2))
        assert found.problem.kind == "too large" and "--max-notebook-mb" in found.problem.detail
        assert submission.find_notebook(folder, AID, nb, submission.Caps(notebook_mb=4)).name


def test_copy_leaves_out_links_special_files_and_hard_links(submitted, tmp_path):
    handin = submitted / "alice" / AID
    data = handin / "data"
    data.mkdir()
    (data / "mine.csv").write_text("1,2\n")
    os.symlink("/etc/passwd", data / "passwd")
    os.symlink("..", data / "up")  # a loop: followed, it would copy the folder into itself
    os.mkfifo(handin / "pipe")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the student's")
    os.link(outside, handin / "hard.txt")
    if os.getuid() == 0:
        os.mknod(handin / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    dest = tmp_path / "copy"
    with folder_of(submitted) as folder:
        found = folder.copy_files(dest, submission.Caps(), skip=lambda n: n.endswith(".ipynb"))
    kinds = {f.path: f.kind for f in found}
    assert kinds.pop("data/passwd") == "symlink" and kinds.pop("data/up") == "symlink"
    assert kinds.pop("pipe") == "special file" and kinds.pop("hard.txt") == "hard link"
    if os.getuid() == 0:
        assert kinds.pop("zero") == "special file"
    assert not kinds, kinds
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert copied == ["data", "data/mine.csv"]
    assert json.dumps([f.__dict__ for f in found])  # structured: plain data


def test_caps_on_files_and_size_count_apparent_size_and_keep_holes(submitted, tmp_path):
    handin = submitted / "alice" / AID
    many = handin / "many"
    many.mkdir()
    for i in range(30):
        (many / f"f{i:02d}.txt").write_text("x")
    with open(handin / "big_sparse.bin", "wb") as f:
        f.truncate(8 << 20)  # 8 MB apparent, no data
    with open(handin / "small_sparse.bin", "wb") as f:
        f.seek(1 << 20)
        f.write(b"end")
    dest = tmp_path / "copy"
    with folder_of(submitted) as folder:
        found = folder.copy_files(dest, submission.Caps(files=10, files_mb=4),
                                  skip=lambda n: n.endswith(".ipynb"))
    assert [f.kind for f in found] == ["cap"], found
    assert "--max-files" in found[0].detail
    assert not (dest / "big_sparse.bin").exists()  # beyond the size cap: left out entirely
    assert len(list(dest.rglob("*"))) == 10
    with folder_of(submitted) as folder:  # within the caps, a sparse file keeps its holes
        assert folder.copy_files(tmp_path / "all", submission.Caps()) == []
    small = tmp_path / "all" / "small_sparse.bin"
    assert small.stat().st_size == (1 << 20) + 3 and small.read_bytes().endswith(b"end")
    assert small.stat().st_blocks * 512 < (1 << 20)  # the hole stayed a hole


def test_a_folder_named_like_the_notebook_is_not_the_notebook(submitted):
    handin = submitted / "bob" / AID
    (handin / f"{AID}.ipynb").mkdir(parents=True)
    with folder_of(submitted, "bob") as folder:
        found = submission.find_notebook(folder, AID, nbformat.v4.new_notebook())
    assert found.name is None and found.problem is None and "no notebook" in found.note


def test_the_autograded_copy_follows_no_link(tmp_path):
    src = tmp_path / "autograded"
    src.mkdir()
    (src / "nb.ipynb").write_text("{}")
    os.symlink("/etc/passwd", src / "planted")
    found = submission.copy_plain(src, tmp_path / "dest")
    assert [f.kind for f in found] == ["symlink"]
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["nb.ipynb"]
