"""How many bytes a reader's browser fetches for each chapter page of the website.

Each chapter is opened in headless Chromium (the system's ``chromium``, as in the browser tests)
from a local server, with every other host blocked, after MathJax has typeset it and the widgets
are drawn; every file it loaded is counted at its size on disk, and gzip-compressed (what GitHub
Pages sends to browsers that accept gzip, which all do).

- first visit: everything, on an empty cache;
- later page: after reading the previous page of the book (its files cached; the first chapter
  comes after the introduction);
- own: files no other chapter page (nor the introduction) loads: the page's HTML, its images
  and whatever only it uses. The issue's budget: under 2 MB (tested in test_site_browser.py).

It also prints what the live widgets add (nnlib/widgets/live.py): anywidget's front end, one
file the site serves and the browser caches after the first page with a widget, plus each
widget's JavaScript, stored inside its page's widget state. The issue's budget for these: at
most 300 KB gzip for the whole site.

Usage (builds the site unless SITE_HTML points at a built one)::

    SITE_HTML=_build/html .venv/bin/python benchmarks/page_weight.py

Prints a table and writes benchmarks/results/page_weight.json.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from book_site import toc_part  # noqa: E402
from site_browser import page_files, page_weight, site_html  # noqa: E402

BUDGET = 2_000_000
WIDGET_SCRIPTS_BUDGET = 300_000  # gzip bytes, whole site
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SHARED_WIDGET_SCRIPTS = ["_static/vendor/anywidget/index.js"]


def widget_scripts(chapters: list[str]) -> dict:
    """Gzip bytes of the live widgets' JavaScript: shared files, and per page the views' code."""
    from bs4 import BeautifulSoup

    html = site_html()
    shared = {name: len(gzip.compress((html / name).read_bytes(), compresslevel=6))
              for name in SHARED_WIDGET_SCRIPTS}
    per_page = {}
    for page in chapters:
        soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
        tag = soup.find("script", type=WIDGET_STATE)
        state = json.loads(tag.string)["state"] if tag else {}
        code = [model["state"]["_esm"] for model in state.values()
                if model["model_module"] == "anywidget"]
        if code:
            per_page[page] = {"views": len(code), "gzip": len(gzip.compress(
                "".join(code).encode(), compresslevel=6))}
    total = sum(shared.values()) + sum(row["gzip"] for row in per_page.values())
    return {"shared": shared, "pages": per_page, "total_gzip": total}


def gzipped(files: dict[Path, int]) -> int:
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=6)) for path in files)


def main() -> int:
    chapters = [f"{entry}.html" for entry in toc_part("Chapters")]
    intro = "book/intro.html"
    rows = []
    for index, page in enumerate(chapters):
        before = chapters[index - 1] if index else intro
        others = [other for other in chapters if other != page] + [intro]
        weight = page_weight(page, before, others)
        mine = page_files(page)
        cached = set(page_files(before))
        shared = set().union(*(page_files(other) for other in others))
        weight["first_visit_gzip"] = gzipped(mine)
        weight["later_gzip"] = gzipped({p: s for p, s in mine.items() if p not in cached})
        weight["own_gzip"] = gzipped({p: s for p, s in mine.items() if p not in shared})
        weight["largest"] = [
            (path.name, size) for path, size in sorted(mine.items(), key=lambda kv: -kv[1])[:3]
        ]
        rows.append({"page": page, "read_before": before, **weight})

    mb = 1e6
    print(f"{'page':32} {'files':>5} {'first visit':>17} {'later page':>17} {'own':>17}")
    print(f"{'':32} {'':>5} {'raw / gzip MB':>17} {'raw / gzip MB':>17} {'raw / gzip MB':>17}")
    for row in rows:
        print(
            f"{row['page']:32} {row['files']:>5} "
            f"{row['first_visit'] / mb:8.2f} /{row['first_visit_gzip'] / mb:6.2f} "
            f"{row['later'] / mb:8.2f} /{row['later_gzip'] / mb:6.2f} "
            f"{row['own'] / mb:8.2f} /{row['own_gzip'] / mb:6.2f}"
            + ("  OVER BUDGET" if row["own"] >= BUDGET else "")
        )
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "page_weight.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"\nbudget: under {BUDGET / mb:.0f} MB of its own per chapter page (uncompressed)")

    scripts = widget_scripts(chapters)
    print("\nlive widgets' JavaScript (gzip):")
    for name, size in scripts["shared"].items():
        print(f"  {name:48} {size / 1000:7.1f} KB  (shared, loaded once)")
    for page, row in scripts["pages"].items():
        print(f"  {page + ' (' + str(row['views']) + ' views)':48} {row['gzip'] / 1000:7.1f} KB")
    print(f"  {'whole site':48} {scripts['total_gzip'] / 1000:7.1f} KB  (budget "
          f"{WIDGET_SCRIPTS_BUDGET / 1000:.0f} KB)"
          + ("  OVER BUDGET" if scripts["total_gzip"] > WIDGET_SCRIPTS_BUDGET else ""))
    (results / "widget_scripts.json").write_text(json.dumps(scripts, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
