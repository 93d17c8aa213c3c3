"""Feedback without hidden tests, and the instructor's report (grades CSV + HTML page).

``feedback`` runs nbgrader's own generate_feedback with the course's preprocessors plus
:class:`ScrubHiddenTestLines`. nbgrader_config.py already removes hidden tests from the test
cells' source (ClearHiddenTests) and reduces their errors to the message
(ClearHiddenTestTracebacks); but student code runs inside those cells and can print what it finds
there (``inspect.stack()``, the ``In`` history, ``linecache``), into the test cell's output or a
later cell's. So every line of every output that quotes a line of a hidden-test region is
replaced, in every cell.

``report`` reads the gradebook (the record) and the status file of the last autograde run and
writes ``grading/reports/<assignment>.csv`` (one row per student: status, total, each part) and
``grading/reports/<assignment>.html`` (students per status, the score distribution of each graded
part, and the most common failure messages of each part).
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from tools import exercises
from tools.grader import run

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HIDDEN_NOTE = "[grader: a line of the hidden tests was removed here]"


def hidden_lines(nb) -> tuple[set[str], set[str]]:
    """(whole lines, long lines) of the hidden-test regions that appear nowhere else."""
    lines = exercises.hidden_test_lines(nb)
    return lines, {line for line in lines if len(line) >= exercises.SUBSTRING_MIN}


def scrub(text: str, lines: set[str], long: set[str]) -> str:
    out = []
    for line in text.split("\n"):
        plain = ANSI.sub("", line)
        if plain.strip() in lines or any(h in plain for h in long):
            out.append(HIDDEN_NOTE)
        else:
            out.append(line)
    return "\n".join(out)


class ScrubHiddenTestLines(Preprocessor):
    """Replace every output line that quotes a hidden test (any cell, any output kind)."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        lines, long = hidden_lines(nb)
        if not lines:
            return nb, resources
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if "text" in out:
                    out["text"] = scrub(str(out["text"]), lines, long)
                if "evalue" in out:
                    out["evalue"] = scrub(str(out["evalue"]), lines, long)
                if "traceback" in out:
                    out["traceback"] = [scrub(str(t), lines, long) for t in out["traceback"]]
                for key, value in out.get("data", {}).items():
                    if isinstance(value, str) and (not key.startswith("image/")
                                                   or key == "image/svg+xml"):
                        out["data"][key] = scrub(value, lines, long)
        return nb, resources


def feedback(course: run.Course, aid: str) -> int:
    """nbgrader generate_feedback for every graded student, hidden tests scrubbed."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config())
    config.CourseDirectory.root = str(course.root)
    steps = list(config.GenerateFeedback.get("preprocessors", [
        "nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        "nbgrader.preprocessors.ClearHiddenTests"]))
    where = next((i for i, s in enumerate(steps) if "ClearHiddenTests" in str(s)), len(steps))
    steps.insert(where, ScrubHiddenTestLines)
    config.GenerateFeedback.preprocessors = steps
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_feedback(aid, force=True)
    if not result.get("success"):
        print((result.get("error") or "") + (result.get("log") or ""))
        return 1
    print(f"feedback written to {course.autograded.parent / 'feedback'}/<student>/{aid}/")
    return 0


# --------------------------------------------------------------------------- report


def _parts(course: run.Course, aid: str) -> list[tuple[str, float, bool]]:
    """(grade id, points, auto-graded?) of every graded cell of the release, in order."""
    release = course.release_notebook(aid)
    parts = []
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            parts.append((meta["grade_id"], float(meta.get("points", 0)),
                          not meta.get("solution")))
    return parts


def collect(course: run.Course, aid: str) -> tuple[list[tuple[str, float, bool]], list[dict]]:
    """The release's graded parts and one row per student (gradebook scores + last status)."""
    from nbgrader.api import Gradebook

    parts = _parts(course, aid)
    status = run.load_status(course, aid)
    rows: dict[str, dict] = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        for sub in gb.find_assignment(aid).submissions:
            scores = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    scores[g.name] = g.score if (g.auto_score is not None
                                                 or g.manual_score is not None) else None
            rows[sub.student.id] = {"student": sub.student.id, "scores": scores,
                                    "total": sub.score, "max": sub.max_score}
    for student, st in status.items():
        row = rows.setdefault(student, {"student": student, "scores": {}, "total": None,
                                        "max": sum(p for _, p, _ in parts)})
        row["status"] = st["status"] + (" (tampering)" if st.get("tampering") and
                                        st["status"] != "tampered" else "")
        row["details"] = "; ".join(st.get("tampering", []) + st.get("notes", []))
        row["messages"] = st.get("messages", {})
    for row in rows.values():
        row.setdefault("status", "graded by stock nbgrader")
        row.setdefault("details", "")
        row.setdefault("messages", {})
    return parts, [rows[s] for s in sorted(rows)]


def _num(x) -> str:
    return "" if x is None else f"{x:g}"


def write_report(course: run.Course, aid: str) -> tuple[Path, Path]:
    parts, rows = collect(course, aid)
    out = course.db_path.parent / "reports"
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / f"{aid}.csv", out / f"{aid}.html"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "status", "total", "max"] + [p for p, _, _ in parts]
                   + ["details"])
        for r in rows:
            w.writerow([r["student"], r["status"], _num(r["total"]), _num(r["max"])]
                       + [_num(r["scores"].get(p)) for p, _, _ in parts] + [r["details"]])
    html_path.write_text(render_html(aid, parts, rows), encoding="utf-8")
    return csv_path, html_path


def render_html(aid: str, parts, rows) -> str:
    e = html.escape
    statuses = Counter(r["status"] for r in rows)
    body = [f"<h1>Grading report: {e(aid)}</h1>",
            f"<p>{len(rows)} students. Scores are read from the gradebook; statuses from the "
            f"last run of <code>python -m tools.grade autograde</code>.</p>",
            "<h2>Students per status</h2><table><tr><th>status</th><th>students</th></tr>"]
    body += [f"<tr><td>{e(s)}</td><td>{n}</td></tr>" for s, n in statuses.most_common()]
    body.append("</table>")
    for part, points, auto in parts:
        values = [r["scores"].get(part) for r in rows]
        got = [v for v in values if v is not None]
        mean = f"{sum(got) / len(got):.2f}" if got else "-"
        body.append(f"<h2>{e(part)} ({points:g} points, "
                    f"{'auto-graded' if auto else 'graded by hand'})</h2>")
        body.append(f"<p>mean {mean} over {len(got)} graded; {len(values) - len(got)} "
                    f"without a score</p><table class='dist'><tr><th>score</th>"
                    f"<th>students</th><th></th></tr>")
        counts = Counter(got)
        top = max(counts.values(), default=1)
        for score in sorted(counts):
            width = int(300 * counts[score] / top)
            body.append(f"<tr><td>{score:g}</td><td>{counts[score]}</td><td><span class='bar' "
                        f"style='width:{width}px'></span></td></tr>")
        body.append("</table>")
        messages = Counter(r["messages"][part] for r in rows if part in r["messages"])
        if messages:
            body.append("<p>Most common failure messages:</p><ol>")
            body += [f"<li>{n} &times; <code>{e(m)}</code></li>"
                     for m, n in messages.most_common(8)]
            body.append("</ol>")
    body.append("<h2>Students</h2><table><tr><th>student</th><th>status</th><th>total</th>"
                "<th>details</th></tr>")
    body += [f"<tr><td>{e(r['student'])}</td><td>{e(r['status'])}</td>"
             f"<td>{_num(r['total'])}/{_num(r['max'])}</td><td>{e(r['details'])}</td></tr>"
             for r in rows]
    body.append("</table>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
             "text-align:left}.bar{display:inline-block;height:1em;background:#0072b2}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Grading "
            f"report {e(aid)}</title><style>{style}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
