"""Feedback without hidden tests, and the instructor's report (grades CSV + HTML page).

``feedback`` runs nbgrader's own generate_feedback with the course's configuration, whose
preprocessors (nbgrader_config.py) remove the hidden tests and scrub the outputs
(tools/grader/feedback.py): the same pages as stock ``nbgrader generate_feedback``.

``report`` reads the gradebook (the record) and the status file of the last autograde run and
writes ``grading/reports/<assignment>.csv`` (one row per student: status, total, each part) and
``grading/reports/<assignment>.html`` (students per status, the score distribution of each graded
part, and the most common failure messages of each part).
"""

from __future__ import annotations

import csv
import html
from collections import Counter
from pathlib import Path

from tools.grader import run


def feedback(course: run.Course, aid: str) -> int:
    """nbgrader generate_feedback for every graded student, hidden tests scrubbed."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config())
    config.CourseDirectory.root = str(course.root)
    steps = [str(getattr(s, "__name__", s)) for s in config.GenerateFeedback.get(
        "preprocessors", [])]
    if not any("ScrubHiddenTestLines" in s for s in steps):
        raise run.GradingError("nbgrader_config.py does not scrub the feedback: its "
                               "GenerateFeedback.preprocessors lack tools.grader.feedback's "
                               "ScrubHiddenTestLines and ClearHiddenTestTracebacks (see the "
                               "repository's nbgrader_config.py)")
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
            f"last run of <code>python -m tools.grader autograde</code>.</p>",
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
