"""The instructor guide's whole workflow (book/instructors.md), through the same doors it uses.

One throw-away course, a git repository with the repository's ``.gitignore`` and
``nbgrader_config.py``, goes through every step of the guide once (the module-scoped fixture
``workflow``), and each test then checks one promise on what that run left:

- the exchange comes from ``nbgrader_config.py``, so the command line and the Formgrader (a real
  ``jupyter server`` with nbgrader's extensions, driven through the web API its pages call) and a
  student's JupyterLab (its *Assignments* tab's handlers) all use the same one, with no
  ``--Exchange.root`` anywhere: released through the Formgrader, listed by the CLI, fetched and
  submitted in the student's server or with the CLI, collected through the Formgrader;
- a hand-in placed by hand (the learning-management-system route) next to exchange hand-ins
  does not stop ``nbgrader release_feedback``;
- after stock ``nbgrader autograde``, ``tools.grader autograde`` shows the real scores of the
  students it skips; ``--force`` never undoes the instructor's manual grading;
- the feedback page a student fetches asks the network for nothing and renders its formulas;
- after it all, nothing with student data is one ``git add .`` away.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from conftest import require, require_sandbox
from grading_course import REPO, Course, load_mistakes, solved, with_cell

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]

AID = "ch01_perceptron"
COURSE_ID = "nn-from-one-neuron"
STEP_MISTAKE = "step: > instead of >= (step(0) gives 0)"
UID_PROBE = ("\nimport os as _os\nprint('runs as uid', _os.getuid(), 'map',"
             " open('/proc/self/uid_map').read().split())\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``jupyter server`` (nbgrader's extensions enabled by its package) in ``folder``, as the
    user whose home is ``home``; requests carry its token, as JupyterLab's do."""

    def __init__(self, folder: Path, home: Path, env: dict, log: Path):
        self.port, self.token = _free_port(), "t" + os.urandom(8).hex()
        self.env = dict(env, HOME=str(home))
        self.env.pop("JUPYTER_CONFIG_DIR", None)
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [os.path.join(os.path.dirname(sys.executable), "jupyter"), "server",
                 "--no-browser", "--allow-root", f"--port={self.port}", "--ip=127.0.0.1",
                 f"--ServerApp.root_dir={folder}", f"--IdentityProvider.token={self.token}"],
                cwd=folder, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def wait_until_ready(self) -> None:
        """Wait until the server answers (servers started together start side by side)."""
        deadline = time.monotonic() + 120
        while True:
            try:
                self.call("GET", "/api/status")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("jupyter server did not start:\n"
                                       + self.log.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.2)

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None):
        data, headers = None, {"Authorization": f"token {self.token}"}
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = json.dumps(form).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=300) as response:
            text = response.read().decode()
        return json.loads(text) if text.lstrip().startswith(("{", "[")) else text

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Workflow:
    course: Course
    exchange: Path
    homes: dict[str, Path]
    steps: dict[str, object] = field(default_factory=dict)


def _run(args, cwd, env, timeout=1800) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _nbgrader(*args, cwd, env):
    return _run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), *args], cwd, env)


def _grade(course: Course, *args, env):
    return _run([sys.executable, "-m", "tools.grader", "--course", str(course.root), *args],
                REPO, env)


def _ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"{proc.args} exited {proc.returncode}:\n{proc.stdout[-3000:]}" \
                                 f"\n{proc.stderr[-3000:]}"
    return proc


def _student_config(home: Path, exchange: Path, student: str) -> None:
    """What the guide asks of every student account: the course's exchange in its own
    nbgrader configuration (here also the student id, as all test students are one account)."""
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.student_id = {student!r}\n", encoding="utf-8")


def _manual_grade(server: Server, student: str, grades: dict[str, float]) -> None:
    """Grade by hand through the Formgrader's API, as its Manual Grading page does."""
    subs = server.call("GET", f"/formgrader/api/submitted_notebooks/{AID}/{AID}")
    sub = next(s for s in subs if s["student"] == student)
    for grade in server.call("GET", f"/formgrader/api/grades?submission_id={sub['id']}"):
        if grade["name"] in grades:
            server.call("PUT", f"/formgrader/api/grade/{grade['id']}",
                        body={"manual_score": grades[grade["name"]], "extra_credit": 0})


def _grade_rows(course: Course) -> dict[tuple[str, str], tuple]:
    con = sqlite3.connect(course.root / "grading" / "gradebook.db")
    try:
        rows = con.execute(
            "SELECT student.id, base_cell.name, grade.auto_score, grade.manual_score, "
            "grade.needs_manual_grade FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN student ON submitted_assignment.student_id = student.id "
            "JOIN base_cell ON grade.cell_id = base_cell.id").fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): r[2:] for r in rows}


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> Workflow:
    require_sandbox(None if os.getuid() != 0 else 61000)
    tmp = tmp_path_factory.mktemp("guide")
    exchange = tmp / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    env = dict(os.environ, NBGRADER_EXCHANGE_ROOT=str(exchange),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    # the settings of the grading round trip's courses: the course is generated once per run
    course = Course.create(tmp / "course", REPO / "solutions" / AID, AID,
                           extra_config="c.Execute.timeout = 10\n")
    shutil.copy2(REPO / ".gitignore", course.root / ".gitignore")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        _ok(_run(git + args, course.root, env))
    homes = {s: tmp / "home" / s for s in ("instructor", "alice", "bob")}
    for s, home in homes.items():
        home.mkdir(parents=True)
        if s != "instructor":
            _student_config(home, exchange, s)
    flow = Workflow(course, exchange, homes)
    good = solved(course.release, course.solution)
    mistake = next(m for m in load_mistakes(REPO / "tests" / "mistakes" / f"{AID}.py")
                   if m["name"] == STEP_MISTAKE)
    graders = Server(course.root, homes["instructor"], env, tmp / "formgrader.log")
    alice = Server(homes["alice"], homes["alice"], env, tmp / "alice.log")
    try:
        graders.wait_until_ready()
        alice.wait_until_ready()
        flow.steps["formgrader before"] = graders.call("GET", "/formgrader/api/assignments")
        flow.steps["formgrader release"] = graders.call(
            "POST", f"/formgrader/api/assignment/{AID}/release", body={})
        flow.steps["cli list"] = _ok(_nbgrader("list", cwd=course.root, env=env))
        flow.steps["manage page"] = graders.call("GET", "/formgrader/manage_assignments")
        # alice through her JupyterLab's Assignments tab
        alice.call("POST", "/assignments/fetch",
                   form={"course_id": COURSE_ID, "assignment_id": AID})
        nbformat.write(good, str(homes["alice"] / AID / f"{AID}.ipynb"))
        flow.steps["alice submit"] = alice.call(
            "POST", "/assignments/submit", form={"course_id": COURSE_ID, "assignment_id": AID})
        # bob with the command line, in his home
        benv = dict(env, HOME=str(homes["bob"]))
        _ok(_nbgrader("fetch_assignment", AID, f"--course={COURSE_ID}", cwd=homes["bob"],
                      env=benv))
        nbformat.write(with_cell(good, mistake["cell"], mistake["code"]),
                       str(homes["bob"] / AID / f"{AID}.ipynb"))
        _ok(_nbgrader("submit", AID, f"--course={COURSE_ID}", cwd=homes["bob"], env=benv))
        flow.steps["cli inbound"] = _ok(_nbgrader("list", "--inbound", cwd=course.root, env=env))
        flow.steps["formgrader collect"] = graders.call(
            "POST", f"/formgrader/api/assignment/{AID}/collect", body={})
        # carol hands in through the school's learning-management system: placed by hand;
        # her code also prints which user it runs as (its uid, and the uid outside its user
        # namespace if it is in one)
        first = next(c for c in good.cells if c.metadata.get("nbgrader", {}).get("solution")
                     and c.cell_type == "code")
        course.submit("carol", with_cell(good, first.metadata["nbgrader"]["grade_id"],
                                         first.source + UID_PROBE))
        flow.steps["stock autograde"] = _ok(_nbgrader("autograde", AID, cwd=course.root,
                                                      env=env))
        # bob's written answers and his step test, graded by hand in the Formgrader
        _manual_grade(graders, "bob", {"xor_proof": 2.0, "metaphor": 2.0, "step_test": 1.0})
        flow.steps["rows after manual"] = _grade_rows(course)
        flow.steps["grade"] = _grade(course, "autograde", AID, env=env)
        flow.steps["grade force"] = _grade(course, "autograde", AID, "--force", env=env)
        flow.steps["rows after force"] = _grade_rows(course)
        flow.steps["stock feedback"] = _ok(_nbgrader("generate_feedback", AID, cwd=course.root,
                                                     env=env))
        flow.steps["release feedback"] = _nbgrader("release_feedback", AID, cwd=course.root,
                                                   env=env)
        alice.call("POST", "/assignments/fetch_feedback",
                   form={"course_id": COURSE_ID, "assignment_id": AID})
        _nbgrader("fetch_feedback", AID, f"--course={COURSE_ID}", cwd=homes["bob"], env=benv)
        flow.steps["export"] = _ok(_nbgrader("export", cwd=course.root, env=env))
        flow.steps["report"] = _grade(course, "report", AID, env=env)
        flow.steps["git status"] = _ok(_run(
            git + ["status", "--porcelain", "--untracked-files=all"], course.root, env)).stdout
    finally:
        graders.stop()
        alice.stop()
    return flow


def test_formgrader_and_command_line_use_the_exchange_of_nbgrader_config(workflow):
    before = {a["name"]: a for a in workflow.steps["formgrader before"]}
    assert before[AID]["status"] == "draft"
    released = workflow.steps["formgrader release"]
    assert released["success"], released
    assert f"{COURSE_ID} {AID}" in workflow.steps["cli list"].stderr + \
        workflow.steps["cli list"].stdout
    assert (workflow.exchange / COURSE_ID / "outbound" / AID / f"{AID}.ipynb").is_file()
    page = workflow.steps["manage page"]
    assert 'id="warning-exchange"' not in page, "the Formgrader says the exchange is missing"


def test_students_fetch_and_submit_through_jupyterlab_and_the_command_line(workflow):
    submit = workflow.steps["alice submit"]
    assert submit["success"], submit
    inbound = workflow.steps["cli inbound"]
    listed = inbound.stdout + inbound.stderr
    assert f"{COURSE_ID} alice {AID}" in listed and f"{COURSE_ID} bob {AID}" in listed


def test_formgrader_collects_what_students_submitted(workflow):
    collected = workflow.steps["formgrader collect"]
    assert collected["success"], collected
    for student in ("alice", "bob"):
        assert workflow.course.submission_path(student).is_file(), student


def test_release_feedback_returns_exchange_hand_ins_next_to_hand_placed_ones(workflow):
    proc = workflow.steps["release feedback"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = proc.stdout + proc.stderr
    assert "FileNotFoundError" not in log
    assert "Releasing feedback for student 'alice'" in log
    assert "Releasing feedback for student 'bob'" in log
    assert "carol" in log and "by hand" in log, f"carol's feedback is not explained:\n{log}"
    for student in ("alice", "bob"):
        fetched = list((workflow.homes[student] / AID / "feedback").glob(f"*/{AID}.html"))
        assert len(fetched) == 1, f"{student} fetched {fetched}"


def test_tools_grade_shows_the_scores_of_students_stock_nbgrader_graded(workflow):
    proc = workflow.steps["grade"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = {line.split()[0]: line.split() for line in proc.stdout.splitlines()
             if line.split() and line.split()[0] in ("alice", "bob", "carol")}
    assert "3 already graded" in proc.stdout + proc.stderr
    assert table["alice"][1] == "19/19" and table["carol"][1] == "19/19", proc.stdout
    assert table["bob"][1] == "17/19", proc.stdout


def test_force_regrade_keeps_the_instructors_manual_grading(workflow):
    proc = workflow.steps["grade force"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    before, after = workflow.steps["rows after manual"], workflow.steps["rows after force"]
    for name, manual in (("xor_proof", 2.0), ("metaphor", 2.0), ("step_test", 1.0)):
        auto_before, manual_before, needs_before = before[("bob", name)]
        assert manual_before == manual and not needs_before, before[("bob", name)]
        assert after[("bob", name)] == (auto_before, manual, 0), (name, after[("bob", name)])
    # the others' written answers still wait for a person
    assert after[("alice", "xor_proof")][2] == 1


def test_sandbox_line_names_the_uid_the_students_code_runs_as(workflow):
    out = workflow.steps["grade force"].stdout + workflow.steps["grade force"].stderr
    line = next(line for line in out.splitlines() if line.startswith("sandbox:"))
    printed = "".join(o.get("text", "") for c in workflow.course.autograded("carol").cells
                      for o in c.get("outputs", []))
    found = re.search(r"runs as uid (\d+) map \[([^\]]*)\]", printed)
    assert found, f"carol's probe printed nothing: {printed[-500:]}"
    inside = int(found[1])
    mapping = [int(x.strip(" '")) for x in found[2].split(",") if x.strip(" '")]
    assert re.search(rf"\buid {inside}\b", line), f"her code runs as uid {inside}: {line}"
    outside = mapping[1] if len(mapping) >= 2 else inside
    if outside != inside:  # in a user namespace: the line names the uid outside it too
        named = re.search(r"uid (\d+)(?:–(\d+))? outside", line)
        assert named, f"uid {inside} is uid {outside} outside its namespace: {line}"
        low, high = int(named[1]), int(named[2] or named[1])
        assert low <= outside <= high, f"uid {inside} is uid {outside} outside: {line}"


def test_feedback_a_student_fetches_asks_the_network_for_nothing_and_renders_math(workflow):
    from site_browser import CHROMIUM, browser

    page_path = next((workflow.homes["alice"] / AID / "feedback").glob(f"*/{AID}.html"))
    text = page_path.read_text(encoding="utf-8")
    # no script, style sheet or image loaded from the network (MathJax's own code names CDN
    # addresses of optional parts it never loads here; the browser below checks that)
    loads = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//[^\"' >]+",
                       text)
    assert not loads, loads
    require(CHROMIUM, "Debian's chromium is not installed (apt-get install -y chromium)")
    asked, errors = [], []
    context = browser().new_context()
    try:
        page = context.new_page()

        def route(r):
            if not r.request.url.startswith(("file:", "data:", "blob:")):
                asked.append(r.request.url)
                return r.abort("internetdisconnected")
            return r.continue_()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=60_000)
        page.evaluate("() => MathJax.startup.promise")
        rendered = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        raw = page.evaluate("() => document.body.innerText.includes('\\\\frac')")
    finally:
        context.close()
    assert not asked, f"the feedback page asked the network for {asked}"
    assert not errors, errors
    assert rendered > 0 and not raw, f"{rendered} formulas rendered; raw TeX left: {raw}"


def test_guide_workflow_leaves_nothing_with_student_data_for_git_add(workflow):
    assert workflow.steps["git status"] == "", (
        "after the guide's workflow these files are not ignored by git:\n"
        + workflow.steps["git status"])
    assert not (workflow.course.root / "grades.csv").exists()
    assert (workflow.course.root / "grading" / "grades.csv").is_file()
    assert workflow.steps["report"].returncode == 0, workflow.steps["report"].stderr


def test_nbgrader_config_names_the_exchange_the_guide_names(monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.delenv("NBGRADER_EXCHANGE_ROOT", raising=False)
    root = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config().Exchange.root
    assert root == "/srv/nbgrader/exchange"
    guide = (REPO / "book" / "instructors.md").read_text(encoding="utf-8")
    assert f"mkdir -p {root}" in guide
    assert "/usr/local/share/nbgrader/exchange" in guide  # nbgrader's own default, named right
