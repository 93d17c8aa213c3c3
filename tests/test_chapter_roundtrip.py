"""Reading a chapter in JupyterLab never changes the book's source.

book/install.md tells readers to open a chapter (book/NN_name.md) as a notebook in JupyterLab,
where jupytext's contents manager turns the text into a notebook and, when JupyterLab saves it
(autosave does, two minutes after a cell ran), the notebook back into text. Every chapter of
_toc.yml is opened and saved here through that same contents manager, with the book's jupytext
settings (book/jupytext.toml), after doing to the notebook what JupyterLab does while a reader
works: the kernel's kernelspec and language_info in the notebook's metadata, outputs and
execution counts in the code cells, execution times, a collapsed heading, a scrolled output.
The file must come back byte for byte.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import difflib
import shutil

import pytest
from book_site import ROOT, toc_part

CHAPTERS = toc_part("Chapters")
CONFIG = ROOT / "book" / "jupytext.toml"


def kernelspec() -> dict:
    """The kernelspec JupyterLab writes into a notebook when ipykernel's python3 starts."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def work_like_jupyterlab(notebook: dict) -> None:
    """What JupyterLab changes in a notebook's model while a reader runs its cells."""
    notebook["metadata"]["kernelspec"] = kernelspec()
    notebook["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.11.2"}
    for count, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "read\n"}]
            cell["metadata"]["execution"] = {
                "iopub.execute_input": "2026-01-01T00:00:00.000Z",
                "iopub.status.busy": "2026-01-01T00:00:00.000Z",
                "iopub.status.idle": "2026-01-01T00:00:01.000Z",
                "shell.execute_reply": "2026-01-01T00:00:01.000Z"}
            cell["metadata"]["scrolled"] = True
            cell["metadata"]["collapsed"] = False
        elif cell["source"].lstrip().startswith("#"):
            cell["metadata"]["jp-MarkdownHeadingCollapsed"] = True


async def open_and_save(folder, name: str, change) -> None:
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext import build_async_jupytext_contents_manager_class

    manager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(
        root_dir=str(folder))
    model = await manager.get(name, content=True, type="notebook")
    change(model["content"])
    await manager.save({"type": "notebook", "format": "json", "content": model["content"]}, name)


def test_the_book_pins_jupytexts_settings_for_the_chapters():
    text = CONFIG.read_text(encoding="utf-8")
    assert "-jupytext.text_representation.jupytext_version" in text, (
        "book/jupytext.toml must keep jupytext_version out of the chapters' header")
    assert '"mystnb,tags,-all"' in text


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("how", ["opened and saved", "run and saved"])
def test_opening_and_saving_a_chapter_in_jupyterlab_changes_nothing(tmp_path, chapter, how):
    source = ROOT / f"{chapter}.md"
    folder = tmp_path / source.parent.name
    folder.mkdir()
    shutil.copy2(source, folder / source.name)
    shutil.copy2(CONFIG, folder / CONFIG.name)
    change = work_like_jupyterlab if how == "run and saved" else (lambda notebook: None)
    # In a thread of its own: another test of the same worker may have left an event loop running
    # in this one (playwright's sync API does), and asyncio.run refuses to start inside it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, open_and_save(folder, source.name, change)).result()
    before = source.read_text(encoding="utf-8")
    after = (folder / source.name).read_text(encoding="utf-8")
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "in git",
                                     f"after being {how}", lineterm="", n=1))
    assert after == before, (
        f"{chapter}.md changes when a reader's JupyterLab saves it ({how}):\n"
        + "\n".join(diff[:40])
        + f"\nWrite the chapter as jupytext writes it: set its kernelspec's display_name to "
        f"'Python 3 (ipykernel)' (as book/01_perceptron.md), keep no cell metadata but mystnb and "
        f"tags, then run `.venv/bin/jupytext --to myst {chapter}.md -o {chapter}.md` (it rewrites "
        "the file with book/jupytext.toml's settings; review the diff).")
