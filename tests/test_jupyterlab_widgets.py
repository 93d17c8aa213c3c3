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

Chapters 6 and 7 the same way, on small notebooks written into JupyterLab's folder that make the
chapters' own calls: the kernel explorer (``kernel_explorer_widget``), the attention explorer and
the next-character view (``attention_explorer_widget``, ``next_char_widget``, on a model of
chapter 7's shape left untrained, as training it takes a minute). Sliders, menus and the prompt
box are moved, and after each change the view must show what nnlib computes for the values the
controls show, read with the website tests' readers (tests/test_site_widgets_conv.py,
tests/test_site_widgets_language.py).

One JupyterLab server and one JupyterLab tab serve the module (loading JupyterLab's front end
is the costly part): each test opens its notebook in that tab, as a reader opens a second
file, and JupyterLab's console must stay free of errors from the tab's start on.
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest
from book_site import ROOT
from site_browser import ARTIFACTS, OfflinePage
from widget_page import WidgetPage

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


@pytest.fixture(scope="module")
def lab_tab(jupyterlab):
    """JupyterLab's front end in one tab (with ``window.jupyterapp``), for every test."""
    base, token, _ = jupyterlab
    tab = OfflinePage(f"{base}/lab?reset&token={token}", viewport={"width": 1400, "height": 1000})
    try:
        tab.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                                   timeout=120_000)
        tab.page.evaluate("() => window.jupyterapp.started.then(() => true)")
        yield tab
    finally:
        tab.close()


# the document shown is ``path`` and its kernel has started (running cells earlier does nothing)
KERNEL_IDLE_JS = """
path => {
  const widget = window.jupyterapp.shell.currentWidget;
  const session = widget && widget.sessionContext;
  const kernel = session && session.session && session.session.kernel;
  return !!(widget && widget.context && widget.context.path === path && session
            && session.isReady && kernel && kernel.status === 'idle');
}
"""


def open_in_lab(tab: OfflinePage, path: str, factory: str = "Notebook") -> None:
    """Open ``path`` (relative to JupyterLab's folder) with ``factory``, as File > Open With
    does, and wait until its kernel is idle."""
    page = tab.page
    page.evaluate("([path, factory]) => window.jupyterapp.commands.execute('docmanager:open',"
                  " {path, factory}).then(() => true)", [path, factory])
    page.wait_for_function(KERNEL_IDLE_JS, arg=path, timeout=120_000)


def run_all_cells(tab: OfflinePage) -> None:
    """Run > Run All Cells, with the mouse, on the notebook shown."""
    page = tab.page
    page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").first.wait_for(
        timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def test_spam_neuron_is_live_in_jupyterlab(lab_tab):
    from nnlib.widgets.neuron import spam_neuron_state

    tab = lab_tab
    page = tab.page
    open_in_lab(tab, "chapter1.ipynb")
    run_all_cells(tab)
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
    no_console_errors(tab)


def test_reading_a_chapter_in_jupyterlab_leaves_it_unchanged(jupyterlab, lab_tab):
    """Open book/01_perceptron.md with jupytext's notebook (Open With -> Notebook), run a cell,
    save: the file is the same, byte for byte (tests/test_chapter_roundtrip.py does this for
    every chapter through jupytext's contents manager, without a browser)."""
    _, _, folder = jupyterlab
    chapter = folder / "book" / CHAPTER.name
    before = chapter.read_bytes()
    tab = lab_tab
    page = tab.page
    open_in_lab(tab, f"book/{CHAPTER.name}", "Jupytext Notebook")
    notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
    notebook.locator(".jp-CodeCell").first.wait_for(timeout=120_000)
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
    no_console_errors(tab)


# ------------------------------------------------- chapters 6 and 7: the same calls, in JupyterLab

# The chapter's own model shape (book/07_language_model.md), untrained: the chapter trains it for
# a minute, which changes the weights the views receive, not the code that draws them.
CH07_CONFIG = re.search(r"^config = (dict\(.*\))$",
                        (ROOT / "book" / "07_language_model.md").read_text(encoding="utf-8"),
                        re.MULTILINE).group(1)
CH07_SETUP = ("from nnlib.language_model import TransformerLM, load_corpus\n"
              "from nnlib.tokens import CharTokenizer\n"
              "from nnlib.widgets.language import attention_explorer_widget, next_char_widget\n"
              "chars = CharTokenizer(load_corpus())\n"
              f"config = {CH07_CONFIG}\n"
              "model = TransformerLM(vocab_size=chars.vocab_size, **config, rng=0)")
NOTEBOOKS = {
    # the calls of book/06_convolution.md and book/07_language_model.md, word for word
    "chapter6.ipynb": ["from nnlib.widgets.conv import kernel_explorer_widget",
                       'kernel_explorer_widget(digit=3, preset="vertical edges", pool_size=2)'],
    "chapter7.ipynb": [CH07_SETUP, "attention_explorer_widget(model, chars)",
                       'next_char_widget(model, chars, prompt="The network learns ")'],
}


class LabWidget(WidgetPage):
    """tests/widget_page.py's reader, on a view in a JupyterLab notebook's output."""

    AREA = ".jp-OutputArea-output"

    def __init__(self, tab: OfflinePage, widget: str):
        self.tab, self.page, self.widget, self.own_tab = tab, tab.page, widget, False
        self.view = self.page.locator(f'.nnlib-live[data-widget="{widget}"]')
        try:
            self.view.wait_for(state="attached", timeout=180_000)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / f"jupyterlab_{widget}.png"))
            raise
        self.view.scroll_into_view_if_needed()
        self.page.wait_for_function("el => el.dataset.state", arg=self.view.element_handle(),
                                    timeout=60_000)
        self.attach()


def run_notebook(jupyterlab, tab: OfflinePage, name: str) -> OfflinePage:
    """Write NOTEBOOKS[name] into JupyterLab's folder, open it in the tab, run all its cells."""
    _, _, folder = jupyterlab
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)
                                               for source in NOTEBOOKS[name]])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    nbformat.write(notebook, folder / name)
    open_in_lab(tab, name)
    run_all_cells(tab)
    return tab


def redrawn(check, widget: WidgetPage, *args):
    """``check(widget, *args)`` once the view has caught up with the controls (the links run in
    the browser, but the view redraws when the widget manager delivers the change): retried for
    up to 10 s, then its failure is the test's."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return check(widget, *args)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def no_console_errors(tab: OfflinePage) -> None:
    assert tab.console_errors == [], (
        "JupyterLab's console shows errors:\n  " + "\n  ".join(tab.console_errors))


def test_kernel_explorer_is_live_in_jupyterlab(jupyterlab, lab_tab):
    from test_site_widgets_conv import CONTROLS, settings
    from test_site_widgets_conv import check as check_conv

    tab = run_notebook(jupyterlab, lab_tab, "chapter6.ipynb")
    explorer = LabWidget(tab, "kernel_explorer")
    now = redrawn(check_conv, explorer)
    assert now == dict(digit=3, kernel=[1, 0, -1] * 3, size=2, pool="max")
    seen = {explorer.value("w[1,1]")}
    for how, arg in [("key", "End"), ("key", "ArrowLeft"), ("key", "PageDown"),
                     ("drag", 0.3)]:
        if how == "key":
            explorer.press("w[1,1]", arg)
        else:
            explorer.drag("w[1,1]", arg)
        seen.add(explorer.value("w[1,1]"))
        redrawn(check_conv, explorer)
    assert len(seen) >= 4, f"moving w[1,1] gave only the values {sorted(seen)}"
    explorer.press("pool size", "Home")
    assert redrawn(check_conv, explorer)["size"] == 1
    explorer.press("pool size", "ArrowRight", times=2)
    assert redrawn(check_conv, explorer)["size"] == 4
    explorer.choose("pooling", "average")
    assert redrawn(check_conv, explorer)["pool"] == "avg"
    explorer.choose("kernel", "sharpen")
    deadline = time.monotonic() + 10
    while settings(explorer.read(CONTROLS))["kernel"] != [0, -1, 0, -1, 5, -1, 0, -1, 0]:
        assert time.monotonic() < deadline, "choosing 'sharpen' did not set the sliders"
        time.sleep(0.1)
    assert redrawn(check_conv, explorer)["kernel"] == [0, -1, 0, -1, 5, -1, 0, -1, 0]
    explorer.choose("digit", "7")
    assert redrawn(check_conv, explorer)["digit"] == 7
    assert "The digit 7 as 8 by 8 pixels" in explorer.alt()
    no_console_errors(tab)


def test_attention_explorer_and_next_char_are_live_in_jupyterlab(jupyterlab, lab_tab):
    from test_site_widgets_language import check_explorer, check_next_char, model_of, type_prompt

    from nnlib.language_model import TransformerLM, load_corpus
    from nnlib.tokens import CharTokenizer
    from nnlib.widgets.language import attention_explorer_data, next_char_data

    # what the notebook's kernel sends the views, computed here the same way
    chars = CharTokenizer(load_corpus())
    model = TransformerLM(vocab_size=chars.vocab_size, **eval(CH07_CONFIG), rng=0)  # noqa: S307
    attention, next_char = attention_explorer_data(model, chars), next_char_data(model, chars)
    shipped = model_of(next_char)

    tab = run_notebook(jupyterlab, lab_tab, "chapter7.ipynb")
    explorer = LabWidget(tab, "attention_explorer")
    now = redrawn(check_explorer, explorer, attention)
    assert now == dict(sentence="the network", head="layer 1, head 1", tau=1.0)
    taus = {now["tau"]}
    for key in ("Home", "PageUp", "ArrowRight", "End", "ArrowLeft"):
        explorer.press("softmax temperature", key)
        taus.add(redrawn(check_explorer, explorer, attention)["tau"])
    assert len(taus) >= 5, f"moving tau gave only {sorted(taus)}"
    explorer.drag("softmax temperature", 0.3)
    redrawn(check_explorer, explorer, attention)
    explorer.choose("sentence", "a neuron fires")
    explorer.choose("head", attention["head_names"][-1])
    assert redrawn(check_explorer, explorer, attention)["head"] == attention["head_names"][-1]

    chart = LabWidget(tab, "next_char")
    now = redrawn(check_next_char, chart, next_char, shipped)
    assert now == dict(prompt="The network learns ", T=1.0, problem=False)
    temperatures = {now["T"]}
    for key in ("Home", "ArrowRight", "PageUp", "End"):
        chart.press("temperature", key)
        temperatures.add(redrawn(check_next_char, chart, next_char, shipped)["T"])
    assert temperatures == {0.0, 0.05, 0.3, 1.0, 2.0}, sorted(temperatures)
    chart.press("temperature", "PageDown", times=2)
    type_prompt(chart, "Attention is")
    now = redrawn(check_next_char, chart, next_char, shipped)
    assert now == dict(prompt="Attention is", T=1.5, problem=False)
    type_prompt(chart, "naïve")
    assert redrawn(check_next_char, chart, next_char, shipped)["problem"]
    type_prompt(chart, "The network ")
    assert not redrawn(check_next_char, chart, next_char, shipped)["problem"]
    no_console_errors(tab)
