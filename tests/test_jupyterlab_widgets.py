"""The widgets are live in JupyterLab 4 too, with the versions of requirements.txt.

Starts JupyterLab from this environment (loopback only, with a random token) on a copy of
chapter 1 converted to a notebook, opens it in headless Chromium (every host but 127.0.0.1 cut),
runs all its cells, moves the spam neuron's bias slider with the keyboard and checks that the
view, drawn by nnlib's JavaScript through the anywidget JupyterLab extension, shows the numbers
nnlib computes for the new setting.
"""

from __future__ import annotations

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
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(folder / ".runtime", ignore_errors=True)


def test_spam_neuron_is_live_in_jupyterlab(jupyterlab):
    from nnlib.widgets.neuron import spam_neuron_state

    base, token = jupyterlab
    tab = OfflinePage(f"{base}/lab/tree/chapter1.ipynb?token={token}",
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
    finally:
        tab.close()
