"""Accessibility of every page of the built website, checked by axe-core in headless Chromium.

axe-core (pinned in package.json, installed by ``npm ci``) runs on each page once MathJax has
typeset it and the widget manager has drawn its widgets, at a desktop's width
(tests/site_browser.py opens each page once for this and the browser and layout tests: at a
phone's width, then widened), with the WCAG 2.0/2.1 A and AA rules and axe's best practices.
No page may have any violation, whatever its impact; what axe found is also written to
test-artifacts/a11y.json for a reader.

Alt text of every image and the colours of plots are checked without a browser, in
tests/test_site_links.py: nnlib.plots draws with the Okabe-Ito palette, which readers with any
common colour-vision deficiency can tell apart, and gives each class a distinct marker and each
curve a distinct line style, so no plot relies on colour alone (tests/test_plots.py); plots a
chapter draws with matplotlib directly must take their colours from that palette (or grey).
Plots that widgets draw get alt text naming the settings they show
(tools/site/static/a11y_fixes.js).
"""

from __future__ import annotations

import json

import pytest
from site_browser import ARTIFACTS, AXE, visit
from test_site_browser import PAGES

# Without Chromium or playwright these tests skip, saying so; on CI they fail (conftest.py).
# The site's group; and one work unit with the other modules that read visit(page)
# (test_site_browser.py, test_site_layout.py), so that each page is opened once (conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site"),
              pytest.mark.usefixtures("needs_browser")]
XDIST_UNIT = "visit"


REPORT = ARTIFACTS / "a11y.json"


def test_axe_core_is_installed_as_pinned():
    package = json.loads((AXE.parents[2] / "package.json").read_text(encoding="utf-8"))
    pinned = package.get("devDependencies", {}).get("axe-core")
    assert pinned, "package.json does not pin axe-core"
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` in the repository root"
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, f"package.json pins axe-core {pinned}, npm installed {installed}"


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_accessibility_violation(page):
    violations = visit(page).axe
    ARTIFACTS.mkdir(exist_ok=True)
    report = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.is_file() else {}
    report[page] = violations
    REPORT.write_text(json.dumps(report, indent=1), encoding="utf-8")
    lines = [
        f"{v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} elements, e.g. "
        + "; ".join(f"{node['target']} {node['html']}" for node in v["nodes"][:3])
        for v in violations
    ]
    assert violations == [], f"{page}:\n  " + "\n  ".join(lines)
