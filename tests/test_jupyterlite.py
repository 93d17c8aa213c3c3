"""The JupyterLite site built into the website, and the launch buttons that open it.

The book build runs tools/site/lite.py after the HTML (its Sphinx extension), so the built site has
``lite/``: JupyterLite with the Pyodide kernel, every chapter and exercise notebook of _toc.yml,
and the nnlib wheel in its own package index. These tests read what the build wrote; one opens a
chapter in JupyterLite in headless Chromium with the internet blocked and checks that the
notebook's cells are shown. Running a cell needs Pyodide, which JupyterLite loads from a CDN:
that part cannot be tested offline (README, "Run it live").
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jupytext
import nbformat
import pytest
from book_site import ROOT, parsed_page
from bs4 import BeautifulSoup
from site_browser import OfflinePage, site_html, site_url

import nnlib
from tools.site import lite

# The site's xdist group: one strict build per run for all workers (book_site.py); each module
# is a work unit of its own, which either worker may run (conftest.py, work_unit).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]

NOTEBOOKS = sorted(lite.lite_notebooks(ROOT))


@pytest.fixture(scope="module")
def lite_site() -> Path:
    folder = site_html() / lite.LITE
    assert (folder / "index.html").is_file(), (
        f"{folder} has no JupyterLite site: is tools.site.lite listed under "
        "sphinx.local_extensions in _config.yml? (`python -m tools.site.lite` builds it by hand)"
    )
    return folder


def test_lite_site_has_the_apps_and_the_pyodide_kernel(lite_site):
    for app in ("lab/index.html", lite.APP, "jupyter-lite.json"):
        assert (lite_site / app).is_file(), f"the JupyterLite site lacks {app}"
    config = json.loads((lite_site / "jupyter-lite.json").read_text(encoding="utf-8"))
    data = config["jupyter-config-data"]
    extensions = {extension["name"] for extension in data.get("federated_extensions", [])}
    for needed in ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager"):
        assert needed in extensions, f"JupyterLite lacks {needed} (found {sorted(extensions)})"
    for server_only in lite.DISABLED_EXTENSIONS:
        assert server_only in data.get("disabledExtensions", []), f"{server_only} is not disabled"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_lite_site_holds_the_notebook_without_outputs_and_with_the_install_cell(
    lite_site, notebook
):
    path = lite_site / "files" / notebook
    assert path.is_file(), f"JupyterLite lacks {notebook} (expected at {path})"
    shipped = nbformat.read(path, as_version=4)
    nbformat.validate(shipped)
    first = shipped.cells[0]
    assert first.cell_type == "code" and "%pip install" in first.source and "nnlib" in first.source
    assert lite.INSTALL_TAG in first.metadata.get("tags", [])
    outputs = [cell for cell in shipped.cells if cell.cell_type == "code" and cell.outputs]
    assert outputs == [], f"{notebook} is shipped with outputs"
    source = jupytext.read(lite.lite_notebooks(ROOT)[notebook])
    assert [cell.source for cell in shipped.cells[1:]] == [cell.source for cell in source.cells], (
        f"{notebook} in JupyterLite differs from its source; rebuild the book"
    )


def test_lite_contents_index_lists_every_notebook(lite_site):
    listed = set()
    for index in (lite_site / "api" / "contents").rglob("all.json"):
        for item in json.loads(index.read_text(encoding="utf-8")).get("content", []):
            listed.add(item["path"])
    missing = [notebook for notebook in NOTEBOOKS if notebook not in listed]
    assert missing == [], f"JupyterLite's file browser does not list {missing}"


def test_lite_package_index_ships_the_nnlib_wheel_with_every_module_script_and_dataset(
        lite_site):
    """The wheel the site's build made with ``tools.site.lite.build_nnlib_wheel`` (as
    ``pip wheel`` builds it from pyproject.toml) holds every module of nnlib, the widgets'
    JavaScript (nnlib/widgets/js) and the data sets (nnlib/datasets)."""
    wheels = sorted((lite_site / "pypi").glob("nnlib-*.whl"))
    assert len(wheels) == 1, f"expected one nnlib wheel in lite/pypi, found {wheels}"
    index = json.loads((lite_site / "pypi" / "all.json").read_text(encoding="utf-8"))
    assert "nnlib" in index, f"lite/pypi/all.json does not list nnlib: {sorted(index)}"
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped = set(wheel.namelist())
    package = Path(nnlib.__file__).parent
    expected = {
        path.relative_to(package.parent).as_posix()
        for path in [*package.rglob("*.py"), *(package / "widgets" / "js").glob("*.js"),
                     *(package / "datasets").iterdir()]
        if "__pycache__" not in path.parts
    }
    assert any(name.startswith("nnlib/widgets/js/") for name in expected)
    assert expected <= shipped, (f"the wheel lacks {sorted(expected - shipped)}: "
                                 "pyproject.toml's [tool.setuptools.package-data] should list them")


def page_launch_links(page: str) -> dict[str, str]:
    menu = parsed_page(site_html() / page).select_one(".dropdown-launch-buttons")
    assert menu is not None, f"{page} has no launch (rocket) menu"
    return {a.get_text(" ", strip=True): a["href"] for a in menu.select("a[href]")}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_page_has_a_jupyterlite_button_that_opens_its_notebook(lite_site, notebook):
    page = notebook.removesuffix(".ipynb") + ".html"
    links = page_launch_links(page)
    assert "JupyterLite" in links, f"{page}: the launch menu has no JupyterLite entry: {links}"
    url = urlsplit(urljoin(f"http://site/{page}", links["JupyterLite"]))
    app = site_html() / url.path.lstrip("/")
    assert app.is_file() and app.is_relative_to(lite_site), f"{page}: it leads to {url.path}"
    opened = parse_qs(url.query).get("path", [""])[0]
    assert opened == notebook, f"{page}: JupyterLite would open {opened!r}, not {notebook!r}"
    assert (lite_site / "files" / opened).is_file()


def test_pages_without_notebook_have_no_launch_button():
    assert parsed_page(site_html() / "book/intro.html").select_one(
        ".dropdown-launch-buttons") is None


def test_binder_and_jupyterhub_links_are_built_from_the_configuration():
    assert lite.binder_url(
        "https://mybinder.org/", "https://github.com/org/book", "main", "book/01_perceptron.md"
    ) == ("https://mybinder.org/v2/gh/org/book/main?urlpath=lab%2Ftree%2Fbook%2F01_perceptron.md")
    assert lite.binder_url(
        "https://binder.example", "https://git.example.org/a/b.git", "dev", "x.ipynb"
    ).startswith("https://binder.example/v2/git/https%3A%2F%2Fgit.example.org%2Fa%2Fb.git/dev?")
    hub = lite.jupyterhub_url(
        "https://hub.example/", "https://github.com/org/book", "main", "exercises/a/a.ipynb"
    )
    assert hub.startswith("https://hub.example/hub/user-redirect/git-pull?")
    query = parse_qs(urlsplit(hub).query)
    assert query == {
        "repo": ["https://github.com/org/book"],
        "branch": ["main"],
        "urlpath": ["lab/tree/book/exercises/a/a.ipynb"],
    }


def test_launch_menu_has_binder_and_jupyterhub_only_when_configured():
    class Config:
        launch_repository_url = ""
        launch_repository_branch = "main"
        launch_binderhub_url = "https://mybinder.org"
        launch_jupyterhub_url = "https://hub.example"

    def pathto(target, resource):
        return f"../{target}"

    texts = [b["text"] for b in lite.launch_buttons(Config, "book/x", ".md", pathto)]
    assert texts == ["JupyterLite"], "Binder/JupyterHub buttons without a repository URL"
    Config.launch_repository_url = "https://github.com/org/book"
    buttons = lite.launch_buttons(Config, "book/x", ".md", pathto)
    assert [b["text"] for b in buttons] == ["JupyterLite", "Binder", "JupyterHub"]
    assert buttons[0]["url"] == "../lite/notebooks/index.html?path=book%2Fx.ipynb"


@pytest.mark.usefixtures("needs_browser")
def test_chapter_opens_in_jupyterlite_offline_and_shows_its_cells(lite_site):
    notebook = next(n for n in NOTEBOOKS if n.startswith("book/"))
    tab = OfflinePage(f"{site_url()}/{lite.LITE}/{lite.APP}?path={notebook}")
    try:
        cells = tab.page.locator(".jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=60_000)
        tab.page.wait_for_function(
            "n => document.querySelectorAll('.jp-Notebook .jp-Cell').length >= n",
            arg=min(5, len(nbformat.read(lite_site / "files" / notebook, 4).cells)),
            timeout=30_000,
        )
        text = tab.page.locator(".jp-Notebook").inner_text()
        assert "%pip install" in text and "nnlib" in text, "the install cell is not shown"
        # Only the app's own files were needed to show the notebook: every failed request
        # is Pyodide's runtime from its CDN (blocked here), nothing of the site itself.
        own_failures = [
            line for line in tab.failed + tab.bad_status if urlsplit(line).hostname == "127.0.0.1"
        ]
        assert own_failures == [], "\n".join(own_failures)
        assert all(re.search(r"pyodide|jsdelivr", url) for url in tab.blocked), tab.blocked
    finally:
        tab.close()


def test_lite_pages_load_the_pyodide_notice_with_the_kernels_pyodide_url(lite_site):
    url = lite.pyodide_url(lite_site)
    assert url.startswith("https://") and re.search(r"/pyodide\.m?js$", url), url
    assert (lite_site / lite.NOTICE.name).is_file()
    page = (lite_site / "notebooks" / "index.html").read_text(encoding="utf-8")
    tag = BeautifulSoup(page, "html.parser").find("script", src=f"../{lite.NOTICE.name}")
    assert tag is not None, "the notebooks app does not load the Pyodide notice"
    assert tag["data-pyodide-url"] == url


def test_launch_button_tooltip_says_jupyterlite_needs_the_internet():
    buttons = lite.launch_buttons(
        type("Config", (), {"launch_repository_url": ""})(), "book/x", ".md",
        lambda target, _: f"../{target}",
    )
    assert "needs the internet" in buttons[0]["tooltip"] and "Pyodide" in buttons[0]["tooltip"]


@pytest.mark.usefixtures("needs_browser")
def test_offline_jupyterlite_says_within_15_seconds_that_python_cannot_start(lite_site):
    """With the internet cut, the reader is told why cells will not run, not left waiting."""
    import time

    notebook = next(n for n in NOTEBOOKS if n.startswith("book/"))
    started = time.monotonic()
    tab = OfflinePage(f"{site_url()}/{lite.LITE}/{lite.APP}?path={notebook}")
    try:
        notice = tab.page.locator("#nnlib-pyodide-notice[role=alert]")
        notice.wait_for(timeout=15_000)
        waited = time.monotonic() - started
        text = notice.inner_text()
        assert "Python cannot start here" in text and "needs the internet" in text, text
        assert urlsplit(lite.pyodide_url(lite_site)).hostname in text, text
        assert waited <= 15, f"the notice came after {waited:.1f} s"
        assert notice.get_by_role("link", name="Back to the book").count() == 1
    finally:
        tab.close()
