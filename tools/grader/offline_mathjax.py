"""Feedback pages that render their formulas with no internet.

nbgrader's feedback page (its ``feedback`` nbconvert template) loads MathJax 2 from a CDN, so a
student who opens it offline, or behind a network that blocks CDNs, sees raw TeX and the page
logs "MathJax is not defined". A feedback page is a single file that travels through the exchange
under a new name into the student's folder, so it cannot point to a copy next to it: it carries
MathJax inside. The copy is the course's own, the npm ``mathjax`` package the website already
serves (pinned in package-lock.json, fetched by ``npm ci``): ``tex-svg-full.js``, the build with
every TeX extension and its fonts as SVG paths, so it loads nothing else. That adds about 2.3 MB
to each page.

``nbgrader_config.py`` puts :data:`TEMPLATES` first among the feedback template's folders (its
``mathjax.html.j2`` shadows nbconvert's) and registers :func:`mathjax_script` as the Jinja
filter ``course_mathjax``; stock ``nbgrader generate_feedback``, the Formgrader's *Generate
feedback* and ``python -m tools.grader feedback`` all read that configuration.
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
    # Nothing in it may end or re-open the <script> element it sits in.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def mathjax_script(_url: str = "") -> str:
    """The HTML that loads MathJax into a feedback page: the course's copy, inline. Without it
    (``npm ci`` not run) it warns and falls back to a CDN, so the page still works online."""
    config = f"<script>window.MathJax = {json.dumps(CONFIG)};</script>\n"
    text = _script_text()
    if text is None:
        warnings.warn(f"{SCRIPT} is missing (run `npm ci` in the repository): feedback pages "
                      f"will load MathJax from {CDN_FALLBACK} and show raw TeX offline",
                      stacklevel=2)
        return config + f'<script src="{CDN_FALLBACK}" async></script>'
    return config + "<script>\n" + text + "\n</script>"
