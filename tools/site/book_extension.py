"""The book's own Sphinx extension (loaded by _config.yml under sphinx.local_extensions).

1. When the build starts, it copies the site's pinned JavaScript (MathJax, RequireJS, the widget
   manager) from node_modules/ into web_assets/ (see tools/site/assets.py), or stops the build
   with a message that says to run ``npm ci``.
2. It offers every chapter as an executed notebook: the download button of a chapter page gets a
   ``.ipynb`` entry, with the outputs and widget state of the build. sphinx-book-theme only does
   this when a Binder/JupyterHub launch button is configured, and the notebook that myst-nb
   writes to _build/jupyter_execute lacks the outputs when they come from the execution cache,
   so the notebook is rebuilt here: the chapter read as myst-nb reads it, with the cached
   outputs merged in.
3. It keeps the executed widgets up to date with nnlib. A chapter's stored widget state holds
   the JavaScript of its widgets (nnlib/widgets/js/, see nnlib/widgets/live.py), but the
   execution cache only notices changes to the chapter's own code. So the build fingerprints
   nnlib/widgets/; when that changed since the cache was filled, the cached executions are
   dropped and every page is read again (the chapters execute again).
4. It stamps a strict build of the whole site that gave no warning with a fingerprint of the
   repository's files and packages, which the tests check instead of building the same site
   again (tools/site/build_stamp.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import create_nb_reader

from tools.site import build_stamp
from tools.site.assets import copy_assets

WIDGETS = Path(__file__).resolve().parents[2] / "nnlib" / "widgets"
FINGERPRINT = "nnlib_widgets.sha256"


def _copy_assets(app, config) -> None:
    copy_assets()


def widgets_fingerprint(folder: Path = WIDGETS) -> str:
    """SHA-256 of the widgets' Python and JavaScript files (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("js/*.js")]):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _cache_folder(app) -> Path:
    """myst-nb's execution cache: nb_execution_cache_path, by default <outdir>/../.jupyter_cache."""
    path = getattr(app.config, "nb_execution_cache_path", "")
    return Path(path) if path else Path(app.outdir).parent / ".jupyter_cache"


def _drop_stale_executions(app, config) -> None:
    """config-inited: forget cached executions made with other widget code than nnlib's now."""
    app.nnlib_widgets_stale = False
    folder = _cache_folder(app)
    if not folder.is_dir():
        return
    stamp = folder / FINGERPRINT
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == widgets_fingerprint():
        return
    cache = get_cache(folder)
    for record in cache.list_cache_records():
        cache.remove_cache(record.pk)
    app.nnlib_widgets_stale = True


def _read_everything_again(app, env, added, changed, removed):
    """env-get-outdated: after dropping the cache, every page is read (and executed) again."""
    return sorted(env.found_docs) if getattr(app, "nnlib_widgets_stale", False) else []


def _stamp_cache(app, exception) -> None:
    """build-finished: record which widget code the cached executions were made with."""
    folder = _cache_folder(app)
    if exception is None and folder.is_dir():
        (folder / FINGERPRINT).write_text(widgets_fingerprint() + "\n", encoding="utf-8")


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
    app.connect("config-inited", build_stamp.forget, priority=100)  # before anything is built
    app.connect("config-inited", _copy_assets)
    app.connect("config-inited", _drop_stale_executions)
    app.connect("env-get-outdated", _read_everything_again)
    app.connect("build-finished", _stamp_cache)
    app.connect("env-before-read-docs", build_stamp.note_pages_read)
    # after every other step of the build (tools/site/lite.py builds JupyterLite at 500)
    app.connect("build-finished", build_stamp.write, priority=999)
    # before sphinx-book-theme (priority 501) builds the header's download buttons
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
