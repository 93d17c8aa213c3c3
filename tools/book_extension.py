"""The book's own Sphinx extension (loaded by _config.yml under sphinx.local_extensions).

1. When the build starts, it copies the site's pinned JavaScript (MathJax, RequireJS, the widget
   manager) from node_modules/ into web_assets/ (see tools/assets.py), or stops the build with a
   message that says to run ``npm ci``.
2. It offers every chapter as an executed notebook: the download button of a chapter page gets a
   ``.ipynb`` entry, with the outputs and widget state of the build. sphinx-book-theme only does
   this when a Binder/JupyterHub launch button is configured, and the notebook that myst-nb
   writes to _build/jupyter_execute lacks the outputs when they come from the execution cache,
   so the notebook is rebuilt here: the chapter read as myst-nb reads it, with the cached
   outputs merged in.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import create_nb_reader

from tools.assets import copy_assets


def _copy_assets(app, config) -> None:
    copy_assets()


def executed_notebook(app, docname: str) -> nbformat.NotebookNode | None:
    """The notebook of a MyST-markdown chapter with the build's outputs, or None if not cached."""
    env = app.env
    path = Path(env.doc2path(docname))
    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    cache = get_cache(env.mystnb_config.execution_cache_path)
    try:
        _, merged = cache.merge_match_into_notebook(notebook)
    except KeyError:
        return None
    return merged


def _offer_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """html-page-context: write _sources/<page>.ipynb for an executed MyST chapter."""
    if app.builder.format != "html" or doctree is None:
        return
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    if not str(app.env.doc2path(pagename)).endswith(".md"):
        return  # an .ipynb page is offered as itself by the theme's source download
    notebook = executed_notebook(app, pagename)
    if notebook is None:
        return  # excluded from execution: nothing to add to the source download
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("config-inited", _copy_assets)
    # before sphinx-book-theme (priority 501) builds the header's download buttons
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
