"""Feedback pages and the Formgrader's grading page render their formulas with no internet.

nbgrader's feedback page (its ``feedback`` nbconvert template) and the Formgrader's page for
grading one submission by hand (its ``formgrade`` template) both load MathJax 2 from a CDN: they
call nbconvert's ``mathjax()`` macro without a URL, so nbconvert's ``HTMLExporter.mathjax_url``
setting does not reach them (nor does a ``mathjax_url`` in the Jupyter server's settings: the
Formgrader's handlers have a ``mathjax_url`` property, but no template of nbgrader 0.9 uses it).
Offline, or behind a network that blocks CDNs, they show raw TeX and log "MathJax is not
defined"; on the grading page that error also stops the Formgrader's script halfway through its
start (formgrade.js calls ``MathJax.Hub``), so its keyboard shortcuts never come. Both pages
carry MathJax inside instead:

- A feedback page is a single file that travels through the exchange under a new name into the
  student's folder, so it cannot point to a copy next to it.
- The grading page is served by the Formgrader, which runs in a Jupyter server started in the
  course folder, in the home folder on a JupyterHub, or anywhere above the course: no URL of the
  server is sure to reach the course's copy (only the Jupyter server's own configuration could
  add one, and the course ships none), so the page carries its own, as the feedback page does.

The copy is the course's own, the npm ``mathjax`` package the website already serves (pinned in
package-lock.json, fetched by ``npm ci``): ``tex-svg-full.js``, the build with every TeX
extension and its fonts as SVG paths, so it loads nothing else. That adds about 2.3 MB to each
page. The grading page also gets the website's shim (tools/site/static/mathjax2_hub_shim.js),
which gives MathJax 3 the two MathJax 2 calls the Formgrader's formgrade.js makes.

``nbgrader_config.py`` puts :data:`TEMPLATES` first among the HTML templates' folders (its
``feedback/mathjax.html.j2`` and ``formgrade/mathjax.html.j2`` shadow nbconvert's) and registers
:func:`mathjax_script` as the Jinja filter ``course_mathjax``; stock ``nbgrader
generate_feedback``, the Formgrader (its *Generate feedback* buttons and its grading page; it
reads the ``nbgrader_config.py`` of the course folder) and ``python -m tools.grader feedback``
all read that configuration.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
SCRIPT = NODE_MODULES / "mathjax" / "es5" / "tex-svg-full.js"
# MathJax.Hub for MathJax 3: the website's shim, which the Formgrader's formgrade.js needs too
HUB_SHIM = Path(__file__).resolve().parents[1] / "site" / "static" / "mathjax2_hub_shim.js"
# nbconvert's own MathJax 2 settings (base/mathjax.html.j2), said in MathJax 3's words
CONFIG = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]],
            "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
            "processEscapes": True, "processEnvironments": True, "tags": "ams"},
    "svg": {"fontCache": "global"},
    "options": {"ignoreHtmlClass": "tex2jax_ignore", "processHtmlClass": "tex2jax_process"},
}
CDN_FALLBACK = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg-full.js"


@functools.lru_cache(maxsize=1)
def _script_text() -> str | None:
    try:
        text = SCRIPT.read_text(encoding="utf-8")
    except OSError:
        return None
    return _escaped(text)


def _escaped(text: str) -> str:
    """JavaScript that can sit inside a <script> element: nothing in it may end or re-open it."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def mathjax_script(_url: str = "", hub: bool = False) -> str:
    """The HTML that loads MathJax into a feedback page or the Formgrader's grading page: the
    course's copy, inline. Without it (``npm ci`` not run) it warns and falls back to a CDN, so
    the page still works online. ``hub``: first give MathJax 3 the ``MathJax.Hub`` calls of
    MathJax 2 (:data:`HUB_SHIM`), for a page whose own scripts make them."""
    config = f"<script>window.MathJax = {json.dumps(CONFIG)};</script>\n"
    if hub:
        shim = _escaped(HUB_SHIM.read_text(encoding="utf-8"))
        config = f"<script>\n{shim}\n</script>\n" + config
    text = _script_text()
    if text is None:
        warnings.warn(f"{SCRIPT} is missing (run `npm ci` in the repository): feedback pages "
                      f"and the Formgrader's grading page will load MathJax from "
                      f"{CDN_FALLBACK} and show raw TeX offline", stacklevel=2)
        return config + f'<script src="{CDN_FALLBACK}" async></script>'
    return config + "<script>\n" + text + "\n</script>"
