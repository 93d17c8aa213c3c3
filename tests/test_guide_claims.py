"""The grading guides tie their claims to tests: every test, test file and corpus hand-in they
name exists, so a claim cannot outlive the test that holds it (a renamed or deleted test fails
here, pointing at the sentence that cites it).

Names are cited in backquotes: ``tests/<file>.py``, ``tests/<file>.py::test_name``,
``test_name``, ``test_name[param]`` (``[<name>]`` or ``[...]`` stand for any), ``[param]`` (a
parameter of the test cited last in the same paragraph or table) and, in the *held by* column
of book/grading_safely.md's tables, the hand-ins of the corpus tests/bad_submissions.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
GUIDES = ["book/grading_safely.md", "book/instructors.md"]
TEST_REF = re.compile(r"^(?:(tests/[\w/]+\.py)::)?(test_\w+)((?:\[[^\]]+\])?)$")


def _test_sources() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in TESTS.glob("*.py")}


def corpus_students() -> set[str]:
    source = (TESTS / "bad_submissions.py").read_text(encoding="utf-8")
    return set(re.findall(r'^\s*cases\["([^"]+)"\]', source, flags=re.M))


def _defined(name: str, sources: dict[str, str], file: str | None = None) -> bool:
    pattern = re.compile(rf"^\s*def {re.escape(name)}\(", re.M)
    if file:
        return bool(pattern.search(sources.get(Path(file).name, "")))
    return any(pattern.search(text) for text in sources.values())


def _param_known(test: str, param: str, sources: dict[str, str]) -> bool:
    if test.startswith("test_bad_submission_outcome"):
        return param in corpus_students()
    return any(f'"{param}"' in text or f"'{param}'" in text for text in sources.values())


def problems(guide: str) -> list[str]:
    sources = _test_sources()
    students = corpus_students()
    found = []
    last_test = None
    for number, line in enumerate((REPO / guide).read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            last_test = None  # a paragraph or a table ends
        spans = re.findall(r"`([^`\n]+)`", line)
        held_by = line.startswith("|") and line.rstrip().endswith("|")
        held_cell = line.rstrip("| ").rsplit("|", 1)[-1] if held_by else ""
        for span in spans:
            where = f"{guide}:{number}: `{span}`"
            if re.fullmatch(r"tests/[\w/]+\.py", span):
                if not (REPO / span).is_file():
                    found.append(f"{where}: no such file")
                continue
            ref = TEST_REF.match(span)
            if ref:
                file, name, param = ref.groups()
                if file and not (REPO / file).is_file():
                    found.append(f"{where}: no such file")
                elif not _defined(name, sources, file):
                    found.append(f"{where}: no test function {name}")
                elif param and re.fullmatch(r"\[[\w-]+\]", param) and not _param_known(
                        name, param[1:-1], sources):
                    found.append(f"{where}: {name} has no parameter {param}")
                last_test = name
                continue
            bracket = re.fullmatch(r"\[([\w-]+)\]", span)
            if bracket:
                if last_test is None:
                    found.append(f"{where}: a parameter without the test it belongs to")
                elif not _param_known(last_test, bracket[1], sources):
                    found.append(f"{where}: {last_test} has no parameter [{bracket[1]}]")
                continue
            if held_by and f"`{span}`" in held_cell and re.fullmatch(r"[a-z][a-z0-9_]*", span) \
                    and span not in students:
                found.append(f"{where}: no hand-in {span!r} in tests/bad_submissions.py")
    return found


@pytest.mark.parametrize("guide", GUIDES)
def test_every_test_and_hand_in_a_guide_cites_exists(guide):
    assert problems(guide) == []


def test_claims_check_catches_a_renamed_test(tmp_path, monkeypatch):
    import test_guide_claims as me

    (tmp_path / "book").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "bad_submissions.py").write_text('    cases["good_a"] = 1\n')
    (tmp_path / "tests" / "test_x.py").write_text("def test_real(): pass\n")
    (tmp_path / "book" / "g.md").write_text(
        "held by `test_real` and `test_gone`, `tests/test_x.py::test_real`, `tests/nope.py`\n"
        "| claim | held by |\n| a | `good_a`, `bad_z` |\n")
    monkeypatch.setattr(me, "REPO", tmp_path)
    monkeypatch.setattr(me, "TESTS", tmp_path / "tests")
    found = me.problems("book/g.md")
    assert len(found) == 3, found
    assert any("test_gone" in f for f in found) and any("nope.py" in f for f in found)
    assert any("bad_z" in f for f in found)
