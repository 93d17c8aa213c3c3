"""Run the book in the browser: a JupyterLite site built into the website, and launch buttons.

JupyterLite is JupyterLab running entirely in the reader's browser, with a Python kernel
(Pyodide, CPython compiled to WebAssembly): no install, no server. This module

1. builds it: ``build_lite(site)`` writes ``<site>/lite/`` with ``jupyter lite build``
   (jupyterlite-core + jupyterlite-pyodide-kernel, pinned in requirements.txt). Its files are
   every chapter (``book/NN_name.md`` converted to a notebook without outputs, by jupytext) and
   every released exercise notebook of _toc.yml, at the same paths as in the repository, each
   with a first cell that installs nnlib. The nnlib wheel (built from this checkout) is shipped
   in the site's own package index (``lite/pypi/``), so ``%pip install nnlib`` never goes to
   PyPI. The widgets' front end (the JupyterLab widget manager) comes from the jupyterlab_widgets
   of this environment; their Python side, ipywidgets, is installed from PyPI by the same cell.
   nbgrader's and jupytext's JupyterLab extensions need a Jupyter server, so they are switched
   off in the lite site.
2. adds launch buttons to the header of each chapter and exercise page (the rocket menu):
   "JupyterLite" opens the page's notebook in ``lite/``, relative to the page, so it works
   wherever the site is served. For those who have a BinderHub or a JupyterHub, set
   ``launch_repository_url`` and ``launch_binderhub_url`` / ``launch_jupyterhub_url`` in
   _config.yml (sphinx.config) to add "Binder" / "JupyterHub" buttons as well.

As a Sphinx extension (_config.yml, sphinx.local_extensions) it builds the lite site when an
HTML build finishes without error. By hand: ``python -m tools.site.lite [SITE]`` (default
``_build/html``). What cannot work offline: Pyodide itself (the WebAssembly runtime) and its
numpy and matplotlib are loaded from the jsDelivr CDN when a notebook's kernel starts; see README.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
LITE = "lite"
# The notebook app of JupyterLite (one document per tab, simplest for readers).
APP = "notebooks/index.html"
# JupyterLab extensions of this environment that need a Jupyter server: off in the lite site.
DISABLED_EXTENSIONS = ["@jupyter/nbgrader", "jupyterlab-jupytext"]
INSTALL_CELL = (
    "# In JupyterLite (Python in your browser): install the course library nnlib, shipped with\n"
    "# the website, and the widgets. Run this cell first; elsewhere it is not needed.\n"
    "%pip install -q nnlib ipywidgets anywidget"
)
# Says so on the page when Pyodide (loaded from a CDN) cannot be reached: tools/site/lite_static/.
NOTICE = Path(__file__).resolve().parent / "lite_static" / "pyodide_notice.js"
# The lite apps whose pages get the notice (the launch buttons open "notebooks").
NOTICE_APPS = ("notebooks", "lab", "tree", "repl", "consoles", "edit")
PYODIDE_URL = re.compile(r"https://[^\s\"'`]+/pyodide\.m?js")
INSTALL_TAG = "jupyterlite-install"


class LiteBuildError(RuntimeError):
    """The JupyterLite site could not be built (the message says which step and why)."""


@functools.cache
def lite_notebooks(root: Path = ROOT) -> dict[str, Path]:
    """{path of the notebook in the lite site: its source} for every chapter and exercise."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [
        entry["file"]
        for part in toc["parts"]
        if part["caption"] in ("Chapters", "Exercises")
        for entry in part["chapters"]
    ]
    notebooks = {}
    for entry in entries:
        for suffix in (".ipynb", ".md"):
            source = root / f"{entry}{suffix}"
            if source.is_file():
                notebooks[f"{entry}.ipynb"] = source
                break
        else:
            raise LiteBuildError(f"_toc.yml lists {entry!r}, but neither .ipynb nor .md exists")
    return notebooks


def lite_notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook as readers get it in JupyterLite: no outputs, an install cell first."""
    notebook = jupytext.read(source)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    install = nbformat.v4.new_code_cell(INSTALL_CELL, metadata={"tags": [INSTALL_TAG]})
    notebook.cells.insert(0, install)
    notebook.metadata["kernelspec"] = {
        "name": "python",
        "display_name": "Python (Pyodide)",
        "language": "python",
    }
    return notebook


def _has_setuptools(major: int) -> bool:
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    return int(version.split(".")[0]) >= major


def build_nnlib_wheel(dest: Path, root: Path = ROOT) -> Path:
    """Build nnlib's wheel from a copy of the package (the checkout is left untouched)."""
    with tempfile.TemporaryDirectory(prefix="nnlib-wheel-") as tmp:
        work = Path(tmp) / "src"
        work.mkdir()
        shutil.copy2(root / "pyproject.toml", work)
        for extra in ("README.md", "LICENSE"):
            if (root / extra).is_file():
                shutil.copy2(root / extra, work)
        shutil.copytree(
            root / "nnlib", work / "nnlib", ignore=shutil.ignore_patterns("__pycache__")
        )
        # Without build isolation when this environment has a recent setuptools (no download);
        # else pip fetches setuptools into an isolated build environment, as for `pip install`.
        no_isolation = ["--no-build-isolation"] if _has_setuptools(77) else []
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                *no_isolation,
                "--quiet",
                "--wheel-dir",
                str(dest),
                str(work),
            ],
            "building the nnlib wheel",
        )
    wheels = sorted(dest.glob("nnlib-*.whl"))
    if not wheels:
        raise LiteBuildError(f"pip wheel wrote no nnlib wheel into {dest}")
    return wheels[-1]


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise LiteBuildError(
            f"JupyterLite: {what} failed (exit {proc.returncode}):\n"
            f"{' '.join(command)}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return proc.stdout


def build_lite(site: Path, root: Path = ROOT, log=print) -> Path:
    """Build the JupyterLite site into ``site/lite``; return that folder."""
    site = Path(site).resolve()  # jupyter lite build runs in another folder
    out = site / LITE
    notebooks = lite_notebooks(root)
    jupyter = Path(sys.executable).parent / "jupyter"
    command = [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]
    with tempfile.TemporaryDirectory(prefix="lite-build-") as tmp:
        tmp = Path(tmp)
        contents = tmp / "contents"
        for target, source in notebooks.items():
            path = contents / target
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(lite_notebook(source), path)
        wheels = tmp / "wheels"
        wheels.mkdir()
        built = [build_nnlib_wheel(wheels, root)]
        lite_dir = tmp / "lite"
        lite_dir.mkdir()
        (lite_dir / "jupyter-lite.json").write_text(
            json.dumps(
                {
                    "jupyter-lite-schema-version": 0,
                    "jupyter-config-data": {
                        "appName": "From one neuron to LLMs (JupyterLite)",
                        "disabledExtensions": DISABLED_EXTENSIONS,
                    },
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        if out.exists():
            shutil.rmtree(out)
        _run(
            [
                *command,
                "lite",
                "build",
                "--lite-dir",
                str(lite_dir),
                "--contents",
                str(contents),
                "--output-dir",
                str(out),
                *[arg for wheel in built for arg in ("--piplite-wheels", str(wheel))],
            ],
            "jupyter lite build",
            cwd=lite_dir,
        )
    add_pyodide_notice(out)
    log(f"JupyterLite: {len(notebooks)} notebooks and the nnlib wheel in {out}")
    return out


def pyodide_url(lite_site: Path) -> str:
    """The URL of Pyodide that the built kernel loads (from its settings, else its default)."""
    config = json.loads((lite_site / "jupyter-lite.json").read_text(encoding="utf-8"))
    settings = config.get("jupyter-config-data", {}).get("litePluginSettings", {})
    for plugin in settings.values():
        if isinstance(plugin, dict) and plugin.get("pyodideUrl"):
            return str(plugin["pyodideUrl"])
    found = set()
    for script in (lite_site / "extensions").glob("@jupyterlite/pyodide-kernel*/static/*.js"):
        found.update(PYODIDE_URL.findall(script.read_text(encoding="utf-8", errors="replace")))
    if len(found) != 1:
        raise LiteBuildError(f"JupyterLite: expected one Pyodide URL in the kernel extension, "
                             f"found {sorted(found) or 'none'}")
    return found.pop()


def add_pyodide_notice(lite_site: Path) -> None:
    """Add pyodide_notice.js to the lite apps' pages: a clear message when Python cannot load."""
    shutil.copy2(NOTICE, lite_site / NOTICE.name)
    url = html.escape(pyodide_url(lite_site), quote=True)
    for app in NOTICE_APPS:
        page = lite_site / app / "index.html"
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        tag = (f'<script src="../{NOTICE.name}" data-pyodide-url="{url}" '
               f'data-book-url="../../index.html"></script>')
        if NOTICE.name not in text:
            page.write_text(text.replace("</body>", f"{tag}\n</body>", 1), encoding="utf-8")


# --- launch buttons ---------------------------------------------------------------------


def binder_url(binderhub: str, repository: str, branch: str, path: str) -> str:
    """BinderHub link that opens ``path`` (relative to the repository root) in JupyterLab."""
    parts = urlsplit(repository)
    org_repo = parts.path.strip("/").removesuffix(".git")
    if parts.netloc == "github.com":
        spec = f"gh/{org_repo}/{branch}"
    elif parts.netloc == "gitlab.com":
        spec = f"gl/{quote(org_repo, safe='')}/{branch}"
    else:
        spec = f"git/{quote(repository, safe='')}/{branch}"
    return f"{binderhub.rstrip('/')}/v2/{spec}?{urlencode({'urlpath': f'lab/tree/{path}'})}"


def jupyterhub_url(hub: str, repository: str, branch: str, path: str) -> str:
    """JupyterHub link that clones the repository with nbgitpuller and opens ``path``."""
    name = urlsplit(repository).path.strip("/").split("/")[-1].removesuffix(".git")
    query = urlencode(
        {"repo": repository, "branch": branch, "urlpath": f"lab/tree/{name}/{path}"}, safe="/"
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def launch_buttons(config, pagename: str, source_suffix: str, pathto) -> list[dict]:
    """The rocket menu's entries for a page (sphinx-book-theme's header-button format)."""
    buttons = [
        {
            "type": "link",
            "text": "JupyterLite",
            "tooltip": "Run this page in your browser with JupyterLite: nothing to install, but it "
            "needs the internet to load Python (Pyodide, numpy, matplotlib) from a CDN",
            "icon": "_static/images/logo_jupyterlite.svg",
            "url": f"{pathto(f'{LITE}/{APP}', 1)}?{urlencode({'path': f'{pagename}.ipynb'})}",
        }
    ]
    repository = (config.launch_repository_url or "").strip()
    if repository:
        path = f"{pagename}{source_suffix}"
        branch = config.launch_repository_branch
        if config.launch_binderhub_url:
            buttons.append(
                {
                    "type": "link",
                    "text": "Binder",
                    "tooltip": "Run this page on Binder",
                    "icon": "_static/images/logo_binder.svg",
                    "url": binder_url(config.launch_binderhub_url, repository, branch, path),
                }
            )
        if config.launch_jupyterhub_url:
            buttons.append(
                {
                    "type": "link",
                    "text": "JupyterHub",
                    "tooltip": "Run this page on your JupyterHub",
                    "icon": "_static/images/logo_jupyterhub.svg",
                    "url": jupyterhub_url(config.launch_jupyterhub_url, repository, branch, path),
                }
            )
    return buttons


def _add_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or doctree is None or "header_buttons" not in context:
        return
    if f"{pagename}.ipynb" not in lite_notebooks(Path(app.srcdir)):
        return
    suffix = Path(app.env.doc2path(pagename)).suffix
    context["header_buttons"].append(
        {
            "type": "group",
            "tooltip": "Run this page",
            "icon": "fas fa-rocket",
            "buttons": launch_buttons(app.config, pagename, suffix, context["pathto"]),
            "label": "launch-buttons",
        }
    )


def _build_after_html(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        build_lite(Path(app.outdir), Path(app.srcdir), log=lambda message: print(message))


def setup(app):
    app.add_config_value("launch_repository_url", "", "html")
    app.add_config_value("launch_repository_branch", "main", "html")
    app.add_config_value("launch_binderhub_url", "", "html")
    app.add_config_value("launch_jupyterhub_url", "", "html")
    # after sphinx-book-theme's prep_header_buttons (500), before its header buttons (501)
    app.connect("html-page-context", _add_launch_buttons, priority=501)
    app.connect("build-finished", _build_after_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.site.lite [SITE]``: build the JupyterLite site into SITE/lite."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m tools.site.lite [SITE]   (default SITE: _build/html)",
              file=sys.stderr)
        return 2
    site = Path(args[0]) if args else ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"{site} holds no built website: build the book first (README)", file=sys.stderr)
        return 1
    try:
        build_lite(site)
    except LiteBuildError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
