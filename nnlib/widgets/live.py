"""What makes the widgets live in a web page with no kernel: their JavaScript views.

Every widget of the book is a set of ipywidgets controls (sliders, dropdowns) beside a *view*,
an ``anywidget.AnyWidget`` whose JavaScript draws the plot and the readout in the browser. Each
control's ``value`` is joined to a trait of the view of the same name by ``ipywidgets.jsdlink``
(or ``jslink`` when the view also changes it), a link that lives in the browser. So a slider
redraws the plot:

- in JupyterLab (the anywidget front-end extension, installed with the ``anywidget`` wheel);
- on the book's website, where no kernel runs: the page's widget manager rebuilds the controls,
  the links and the views from the widget state stored at build time, and RequireJS loads
  anywidget's own AMD build from the site (tools/site/assets.py).

The JavaScript lives in ``nnlib/widgets/js/``, one small ES module per widget, each naming the
nnlib function it mirrors; nnlib stays the reference (tests/test_site_widgets.py checks in
Chromium that the page shows the same numbers as the nnlib state functions). A widget module
imports the shared helpers with ``import {...} from "./svg.js";``; :func:`esm` inlines those
files, because a view's code reaches the browser as one string (the ``_esm`` trait).
"""

from __future__ import annotations

import re
from pathlib import Path

import anywidget
import ipywidgets as widgets
import traitlets

__all__ = ["JS_DIR", "esm", "LiveView", "link_controls"]

JS_DIR = Path(__file__).resolve().parent / "js"
_LOCAL_IMPORT = re.compile(r'^import \{[^}]*\} from "\./([\w-]+\.js)";\n', re.MULTILINE)


def esm(script: str) -> str:
    """The ES module ``js/<script>`` with its ``./*.js`` imports inlined (each file once).

    The inlined helper files lose their ``export`` keywords; the widget's own file keeps its
    exports (``export default {render}`` is what anywidget calls).
    """
    seen: set[str] = set()

    def inline(name: str, top: bool) -> str:
        path = JS_DIR / name
        if not path.is_file():
            raise FileNotFoundError(f"no widget script {path}")
        source = path.read_text(encoding="utf-8")

        def replace(match: re.Match) -> str:
            dependency = match.group(1)
            if dependency in seen:
                return ""
            seen.add(dependency)
            return inline(dependency, top=False) + "\n"

        source = _LOCAL_IMPORT.sub(replace, source)
        if not top:
            source = re.sub(r"^export (?=(?:async )?function|const|let|class)", "", source,
                            flags=re.MULTILINE)
        return source

    seen.add(script)
    return inline(script, top=True)


class LiveView(anywidget.AnyWidget):
    """Base class of the widgets' views. Subclasses set ``_esm = esm("<widget>.js")`` and one
    synced trait per control (same name as in :func:`link_controls`); ``data`` holds the fixed
    inputs that Python passes to the JavaScript (points, labels, words, presets)."""

    data = traitlets.Dict().tag(sync=True)


# Controls that choose one of several options: their front end knows the option's index, not
# its Python value, so the view gets the index (and the options in its ``data``).
_CHOICES = (widgets.Dropdown, widgets.RadioButtons, widgets.Select, widgets.ToggleButtons)


def link_controls(view: LiveView, controls: dict[str, widgets.Widget],
                  both_ways: tuple[str, ...] = ()) -> list[widgets.Widget]:
    """Join each control's ``value`` to the view's trait of the same name, in the browser.

    A dropdown (or another choice among options) is joined by its ``index`` instead.

    Returns the link widgets (keep them in the widget tree's reach: ipywidgets keeps them alive
    and the notebook stores them with the widget state). Names in ``both_ways`` are linked in
    both directions (the view may change the control, e.g. a "draw again" button that moves the
    seed slider).
    """
    links = []
    for name, control in controls.items():
        if not view.has_trait(name):
            raise AttributeError(f"{type(view).__name__} has no trait {name!r} to link to")
        source = "index" if isinstance(control, _CHOICES) else "value"
        setattr(view, name, getattr(control, source))
        link = widgets.jslink if name in both_ways else widgets.jsdlink
        links.append(link((control, source), (view, name)))
    return links
