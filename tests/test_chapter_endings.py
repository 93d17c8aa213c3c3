"""Each chapter sends its readers to their own copy of its exercises, never to the book's copy.

The notebooks in exercises/ are generated and must not change (README: "Work on a copy outside
the repository"). A chapter read in JupyterLab that linked to exercises/chNN_name/chNN_name.ipynb
would open that very notebook, and autosave would write the reader's answers into the book. So
every chapter of _toc.yml ends with "[Exercises for this chapter](exercises.md)" (the page that
says how to get a copy), names its exercise folder, and links to no notebook of exercises/; and
that page says how to get a copy.
"""

from __future__ import annotations

import re

import pytest
from book_site import ROOT, toc_part

CHAPTERS = toc_part("Chapters")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def exercise_folder(chapter: str) -> str:
    """exercises/chNN_name of the chapter book/NN_name (the one whose number it has)."""
    number = re.match(r"(\d\d)_", chapter.rsplit("/", 1)[-1]).group(1)
    folders = sorted(p.name for p in (ROOT / "exercises").glob(f"ch{number}_*") if p.is_dir())
    assert len(folders) == 1, f"{chapter}: expected one exercises/ch{number}_* folder, {folders}"
    return folders[0]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_sends_readers_to_get_their_own_copy_of_its_exercises(chapter):
    text = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
    links = LINK.findall(text)
    into_exercises = [target for _, target in links if re.search(r"exercises/.*\.ipynb", target)]
    assert into_exercises == [], (
        f"{chapter}.md links to {into_exercises}: in JupyterLab that opens the book's own copy of "
        "the exercises, which readers must not work in. Link to exercises.md (how to get a copy)")
    assert ("Exercises for this chapter", "exercises.md") in links, (
        f"{chapter}.md does not end with [Exercises for this chapter](exercises.md)")
    folder = exercise_folder(chapter)
    assert f"`exercises/{folder}/`" in text, f"{chapter}.md does not name `exercises/{folder}/`"


def test_the_exercises_page_says_how_to_get_a_copy():
    text = (ROOT / "book" / "exercises.md").read_text(encoding="utf-8")
    section = text.split("## Get your copy", 1)
    assert len(section) == 2, "book/exercises.md has no section 'Get your copy'"
    body = section[1].split("\n## ", 1)[0]
    assert "cp -r exercises/ch01_perceptron ~/nn-exercises/" in body
    assert "jupyter lab ~/nn-exercises" in body
    assert "Assignments" in body  # the JupyterHub route
    assert "nbgrader validate exercises/" not in text, "validate the copy, not the book's notebook"
