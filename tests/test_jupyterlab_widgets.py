"""The widgets are live in JupyterLab 4 too, with the versions of requirements.txt.

Starts JupyterLab from this environment (loopback only, with a random token) on a copy of
chapter 1 converted to a notebook, opens it in headless Chromium (every host but 127.0.0.1 cut),
runs all its cells, moves the spam neuron's bias slider with the keyboard and checks that the
view, drawn by nnlib's JavaScript through the anywidget JupyterLab extension, shows the numbers
nnlib computes for the new setting. JupyterLab's browser console must stay free of errors all the
while: an extension that cannot load (JupyterLite's Pyodide kernel, installed beside JupyterLab,
logged "Shared module @jupyterlite/services doesn't exist in shared scope default" on every page)
fails the test. So does an extension of JupyterLite among those JupyterLab finds in this
environment (tools/site/lite.py installs the Pyodide kernel apart, in .venv/lite).
"""

from __future__ import annotations

import difflib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import pytest
from book_site import ROOT
from site_browser import ARTIFACTS, OfflinePage

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_browser"),
              pytest.mark.xdist_group("site")]

CHAPTER = ROOT / "book" / "01_perceptron.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    notebook = jupytext.read(CHAPTER)
    jupytext.write(notebook, folder / "chapter1.ipynb")
    # the chapter itself with the book's jupytext settings, as a reader opens it (book/install.md)
    (folder / "book").mkdir()
    shutil.copy2(CHAPTER, folder / "book" / CHAPTER.name)
    shutil.copy2(CHAPTER.parent / "jupytext.toml", folder / "book" / "jupytext.toml")
    # Draw every cell (JupyterLab 4 only attaches the cells in view by default), so the test
    # can find the widget wherever it is in the chapter.
    settings = folder / ".settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port, token = free_port(), secrets.token_hex(16)
    lab = Path(sys.executable).parent / "jupyter-lab"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / ".config"),
           "JUPYTER_RUNTIME_DIR": str(folder / ".runtime")}
    log = open(folder / "lab.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [str(lab), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.user_settings_dir={folder / '.settings'}",
         # window.jupyterapp, to open a chapter "with" jupytext's notebook as a reader does
         "--LabApp.expose_app_in_browser=True",
         "--ServerApp.port_retries=0", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate",
         # containers (CI) often run as root, which JupyterLab refuses unless told
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError("JupyterLab did not start:\n"
                                         + (folder / "lab.log").read_text()[-3000:]) from None
                time.sleep(1)
        yield base, token, folder
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(folder / ".runtime", ignore_errors=True)


def test_jupyterlab_finds_no_extension_of_jupyterlite():
    from jupyter_core.paths import jupyter_path
    from jupyterlab_server.config import get_federated_extensions

    found = sorted(get_federated_extensions(jupyter_path("labextensions")))
    lite = [name for name in found if name.startswith("@jupyterlite/")]
    assert lite == [], (
        f"JupyterLab loads {lite}, which need JupyterLite and log errors in JupyterLab: "
        "uninstall jupyterlite-pyodide-kernel from this environment (pip uninstall) and install "
        "it apart, as the README's set-up command does (requirements-lite.txt)")
    assert "@jupyter-widgets/jupyterlab-manager" in found and "anywidget" in found, found


def test_spam_neuron_is_live_in_jupyterlab(jupyterlab):
    from nnlib.widgets.neuron import spam_neuron_state

    base, token, _ = jupyterlab
    tab = OfflinePage(f"{base}/lab/tree/chapter1.ipynb?reset&token={token}",
                      viewport={"width": 1400, "height": 1000})
    page = tab.page
    try:
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        # the kernel has started (running cells earlier does nothing)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        view = page.locator('.nnlib-live[data-widget="spam_neuron"]')
        try:
            view.wait_for(state="attached", timeout=180_000)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab_chapter1.png"))
            raise
        view.scroll_into_view_if_needed()
        page.wait_for_function("el => el.dataset.state === 'ok'", arg=view.element_handle())
        value = view.locator('[data-value="weighted_sum"]')
        assert value.inner_text() == "3.50", "the spam neuron does not start at z = 3.50"
        area = page.locator(".jp-OutputArea-output", has=view)
        bias = area.locator(".widget-slider", has=page.locator(".widget-label",
                                                                has_text="bias b"))
        bias.locator('[role="slider"]').first.focus()
        bias.locator('[role="slider"]').first.press("Home")  # bias -5.0
        page.wait_for_function("el => el.textContent !== '3.50'", arg=value.element_handle(),
                               timeout=10_000)
        shown = bias.locator(".widget-readout").inner_text().replace("\u2212", "-")
        state = spam_neuron_state((1.0, 1.0, 0.0), (2.0, 2.0, -3.0), float(shown))
        assert shown == "-5.00"
        assert value.inner_text() == f"{state['weighted_sum']:.2f}" == "-1.00"
        assert view.locator('[data-value="verdict"]').inner_text() == state["verdict"]
        errors = tab.console_errors
        assert errors == [], "JupyterLab's console shows errors:\n  " + "\n  ".join(errors)
    finally:
        tab.close()


def test_reading_a_chapter_in_jupyterlab_leaves_it_unchanged(jupyterlab):
    """Open book/01_perceptron.md with jupytext's notebook (Open With -> Notebook), run a cell,
    save: the file is the same, byte for byte (tests/test_chapter_roundtrip.py does this for
    every chapter through jupytext's contents manager, without a browser)."""
    base, token, folder = jupyterlab
    chapter = folder / "book" / CHAPTER.name
    before = chapter.read_bytes()
    tab = OfflinePage(f"{base}/lab?reset&token={token}", viewport={"width": 1400, "height": 1000})
    page = tab.page
    try:
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                               timeout=120_000)
        page.evaluate("() => window.jupyterapp.started")
        page.evaluate("path => window.jupyterapp.commands.execute('docmanager:open',"
                      " {path, factory: 'Jupytext Notebook'})", f"book/{CHAPTER.name}")
        notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
        notebook.locator(".jp-CodeCell").first.wait_for(timeout=120_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
        notebook.locator(".jp-CodeCell").first.click()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
        notebook.locator(".jp-CodeCell .jp-InputPrompt", has_text="[1]").first.wait_for(
            timeout=120_000)
        saved = chapter.stat().st_mtime_ns
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
            " .jp-mod-dirty, .lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=60_000)
        deadline = time.monotonic() + 30
        while chapter.stat().st_mtime_ns == saved and time.monotonic() < deadline:
            time.sleep(0.2)
        assert chapter.stat().st_mtime_ns != saved, "JupyterLab did not save the chapter"
        after = chapter.read_bytes()
        diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(),
                                    lineterm="", n=0)
        assert after == before, "saving the chapter in JupyterLab changed it:\n" + "\n".join(diff)
        assert tab.console_errors == [], (
            "JupyterLab's console shows errors:\n  " + "\n  ".join(tab.console_errors))
    finally:
        tab.close()
