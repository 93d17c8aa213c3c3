"""The Formgrader's grading page typesets formulas with no internet, and its grading UI works.

nbgrader's page for grading one submission by hand (Formgrader, *Manual Grading*) loads MathJax 2
from a CDN; offline it showed raw TeX, logged "MathJax is not defined", and its script stopped
halfway through its start (formgrade.js calls ``MathJax.Hub``). The course's
``nbgrader_config.py`` makes it carry the course's own MathJax 3 inside, with the website's shim
for ``MathJax.Hub`` (tools/grader/offline_mathjax.py).

One throw-away course (the test fixture exercise set, as the grading round trip makes it), one
submission whose written answer holds an inline and a display formula, graded by stock
``nbgrader autograde``; a real ``jupyter server`` with nbgrader's extensions started in the
course folder, as book/instructors.md (step 5) starts it; the grading page opened in Debian's
Chromium with every request to a host other than 127.0.0.1 aborted. The page must ask the
internet for nothing, log no error, typeset both formulas (MathJax's output elements, no ``$``
left in the text), finish its start (formgrade.js's ``MathJax.Hub.Startup`` callback ran), and
save a score and a comment typed into it, through its keyboard shortcut (Escape saves).
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import nbformat
import pytest
from grading_course import FIXTURES, REPO, Course, solved, with_cell

pytestmark = [pytest.mark.xdist_group("grading")]

AID = "fx_scale"
STUDENT = "ada"
# the written answer: an inline and a display formula, as a student types them in Jupyter
ANSWER = ("Converting first accepts lists too: $y_i = f \\cdot x_i$ for every entry.\n\n"
          "$$\\frac{\\partial y_i}{\\partial x_i} = f$$\n")
WRITTEN = "explain"


@dataclass
class Formgrader:
    server: object  # test_instructor_workflow.Server
    submission_id: str


def test_formgrade_template_carries_the_course_mathjax_and_the_hub_shim():
    """The grading page as the Formgrader renders it (nbgrader's ``formgrade`` template through
    an HTMLExporter with the course's configuration): MathJax inside, nothing from a CDN."""
    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    from tools.grader import offline_mathjax

    if not offline_mathjax.SCRIPT.is_file():
        pytest.fail(f"{offline_mathjax.SCRIPT} is missing: run npm ci")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    config.HTMLExporter.template_name = "formgrade"  # as nbgrader's FormgradeExtension sets it
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(ANSWER)])
    resources = {"assignment_id": AID, "notebook_id": AID, "submission_id": "s1", "index": 0,
                 "total": 1, "base_url": "", "student": STUDENT, "last_name": None,
                 "first_name": None, "notebook_path": f"grading/autograded/{STUDENT}/{AID}"}
    html, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources=resources)
    remote = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//[^\"' >]+",
                        html)
    assert remote == [], f"the grading page loads {remote}"
    assert offline_mathjax.SCRIPT.read_text(encoding="utf-8")[:300] in html, "no MathJax inside"
    shim = html.find("Startup: { signal: { Interest: interest } }")
    assert 0 <= shim < html.find("window.MathJax = {"), "the MathJax.Hub shim must come first"
    assert "formgrader/static/js/formgrade.js" in html  # nbgrader's page, not another one


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory):
    from test_instructor_workflow import Server

    tmp = tmp_path_factory.mktemp("formgrader")
    # the course the grading round trip makes of the fixture set (same settings: generated once
    # per test run, copied here)
    course = Course.create(tmp / "course", FIXTURES / "solutions" / AID, AID,
                           extra_config="c.Execute.timeout = 10\n")
    course.submit(STUDENT, with_cell(solved(course.release, course.solution), WRITTEN, ANSWER))
    course.nbgrader("autograde", AID)
    (tmp / "home").mkdir()
    (tmp / "exchange").mkdir()
    env = dict(os.environ, NBGRADER_EXCHANGE_ROOT=str(tmp / "exchange"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    server = Server(course.root, tmp / "home", env, tmp / "formgrader.log")
    try:
        server.wait_until_ready()
        subs = server.call("GET", f"/formgrader/api/submitted_notebooks/{AID}/{AID}")
        assert [s["student"] for s in subs] == [STUDENT], subs
        yield Formgrader(server, subs[0]["id"])
    finally:
        server.stop()


class OfflineTab:
    """A Chromium tab (tests/site_browser.py's browser) that reaches 127.0.0.1 only: requests to
    any other host are aborted, and they, failed requests, HTTP errors and console errors are
    recorded in ``problems`` (as site_browser.OfflinePage does for the website). Every request
    carries the server's token, as a logged-in instructor's browser carries its cookie."""

    def __init__(self, url: str, token: str):
        from site_browser import browser

        self.problems: list[str] = []
        self.blocked: set[str] = set()
        self.context = browser().new_context(viewport={"width": 1280, "height": 900},
                                             extra_http_headers={"Authorization": f"token {token}"})
        self.page = self.context.new_page()
        self.context.route("**/*", self._route)
        self.page.on("requestfailed", self._on_failed)
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.sent: list[str] = []  # "METHOD /path" of each request the page made
        self.page.on("request", lambda r: self.sent.append(f"{r.method} {urlsplit(r.url).path}"))
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        from site_browser import LOCAL_HOSTS

        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.add(url)
            self.problems.append(f"asked the internet for {url}")
            route.abort("internetdisconnected")

    def _on_failed(self, request):
        if request.url not in self.blocked:
            self.problems.append(f"request failed: {request.url}: {request.failure}")

    def _on_response(self, response):
        if response.status >= 400:
            self.problems.append(f"error status: {response.url}: HTTP {response.status}")

    def _on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def close(self) -> None:
        self.context.close()


def _written_grade(formgrader: Formgrader) -> dict:
    grades = formgrader.server.call(
        "GET", f"/formgrader/api/grades?submission_id={formgrader.submission_id}")
    return next(g for g in grades if g["name"] == WRITTEN)


def _written_comment(formgrader: Formgrader) -> dict:
    comments = formgrader.server.call(
        "GET", f"/formgrader/api/comments?submission_id={formgrader.submission_id}")
    return next(c for c in comments if c["name"] == WRITTEN)


# The comment the test types, and what it reads of the comment box (for a failure's message).
COMMENT = "Right; say why $f$ may be negative too."
BOX_STATE = ("el => ({value: el.value, focused: el === document.activeElement, "
             "focus_on: document.activeElement && document.activeElement.id})")


def _saved(read, key: str, value, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        got = read()[key]
        if got == value or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


@pytest.mark.slow
@pytest.mark.usefixtures("needs_browser")
def test_formgrader_grading_page_typesets_formulas_offline_and_grading_works(formgrader):
    server = formgrader.server
    tab = OfflineTab(f"http://127.0.0.1:{server.port}/formgrader/submissions/"
                     f"{formgrader.submission_id}/", server.token)
    page = tab.page
    try:
        # formgrade.js's start ends with `loaded`; its MathJax.Hub.Startup callback sets
        # MathJax.loaded once the first typesetting is done; the score and comment boxes work
        # once the grades and comments are loaded. A script error stops that start for good.
        ready = ("() => !!(window.formgrader && formgrader.loaded && window.MathJax && "
                 "MathJax.loaded === true && formgrader.grades.loaded && "
                 "formgrader.comments.loaded)")
        deadline = time.monotonic() + 90
        while not page.evaluate(ready):
            stopped = [p for p in tab.problems if p.startswith("page error")]
            if stopped or time.monotonic() > deadline:
                pytest.fail("the grading page did not finish its start; what went wrong:\n  "
                            + "\n  ".join(tab.problems or ["nothing logged (90 s)"]),
                            pytrace=False)
            page.wait_for_timeout(250)
        answer = page.locator(f".nbgrader_cell:has(#{WRITTEN}-comment) .text_cell_render")
        formulas = answer.locator("mjx-container").count()
        raw = [text for text in page.locator("#notebook .text_cell_render").all_inner_texts()
               if "$" in text]
        # grading by hand, as an instructor does: a score, saved by the page's Escape shortcut
        # (its tick shows), then a comment (with a formula, as the placeholder invites), saved
        # the same way
        page.locator(f"#{WRITTEN}").fill("0.5")
        page.locator(f"#{WRITTEN}").press("Escape")
        score = _saved(lambda: _written_grade(formgrader), "manual_score", 0.5)
        box = page.locator(f"#{WRITTEN}-comment")
        box.fill(COMMENT)
        typed = box.evaluate(BOX_STATE)
        box.press("Escape")
        comment = _saved(lambda: _written_comment(formgrader), "manual_comment", COMMENT)
        left = box.evaluate(BOX_STATE)
        sent = [line for line in tab.sent if "/api/comment" in line]
        problems = list(tab.problems)
    finally:
        tab.close()
    assert problems == [], "the grading page, offline:\n  " + "\n  ".join(problems)
    assert formulas == 2, f"{formulas} of the 2 formulas of the written answer were typeset"
    assert raw == [], f"raw TeX left on the grading page: {raw}"
    assert score == 0.5, f"the score typed into the page was not saved: the gradebook has {score}"
    assert comment == COMMENT, (
        f"the comment typed into the page was not saved: the gradebook has {comment!r}; the box "
        f"after typing: {typed}, after Escape: {left}; the page's comment requests: {sent}")



@pytest.mark.slow
@pytest.mark.usefixtures("needs_browser")
def test_feedback_the_formgrader_generates_typesets_formulas_offline(formgrader):
    """The Formgrader's *Generate Feedback* button writes the page with the course's MathJax
    too; opened from the Jupyter server (as JupyterLab's *Open in New Browser Tab* does)."""
    server = formgrader.server
    made = server.call("POST", f"/formgrader/api/assignment/{AID}/{STUDENT}/generate_feedback",
                       body={})
    assert made.get("success"), made
    tab = OfflineTab(f"http://127.0.0.1:{server.port}/files/grading/feedback/{STUDENT}/{AID}/"
                     f"{AID}.html", server.token)
    page = tab.page
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=90_000)
        page.evaluate("() => MathJax.startup.promise")
        formulas = page.locator(".text_cell_render mjx-container").count()
        raw = [text for text in page.locator(".text_cell_render").all_inner_texts()
               if "$" in text]
        problems = list(tab.problems)
    finally:
        tab.close()
    assert problems == [], "the feedback page, offline:\n  " + "\n  ".join(problems)
    assert formulas >= 2 and raw == [], f"{formulas} formulas typeset; raw TeX left: {raw}"
