"""Fixes for errors that third-party parts of the site print in a reader's browser console.

A Sphinx extension (``_config.yml``, ``sphinx.local_extensions``). tests/test_site_browser.py opens
every page in Chromium and fails on any console error; these are the ones the theme and the
widget manager cause and how each is fixed:

1. ``Identifier 'THEBE_JS_URL' has already been declared``: Jupyter Book sets up sphinx-thebe's
   inline configuration script twice, and a second ``const`` declaration is a SyntaxError. Each
   page's scripts are de-duplicated here (same file, same inline body: kept once).
2. ``Got invalid theme mode: . Resetting to auto.``: pydata-sphinx-theme's page template reads
   the colour mode from the ``default_mode`` context variable, which Jupyter Book leaves empty.
   It is set to ``auto`` (follow the reader's system setting, as the theme does after its error).
3. ``Cannot read properties of undefined (reading 'Queue')``: the widget manager typesets labels
   with MathJax 2's ``MathJax.Hub.Queue``; the site serves MathJax 3. A small shim
   (``tools/site/static/mathjax2_hub_shim.js``) forwards those calls to MathJax 3.
4. 404s for the icon fonts of widgets that show icons: RequireJS places the widget manager's
   bundled modules in the wrong folder, so their fonts are looked for there.
   ``tools/site/static/require_paths.js`` maps them to the folder of the fonts; it is added just
   before RequireJS, on the pages that load it.

Not a console error, but found by the same tests: on a phone the visible sidebar buttons did
nothing (``phone_sidebar.js`` makes them open the navigation drawer).

And for the accessibility checks of tests/test_site_a11y.py (axe-core), ``a11y_fixes.js`` and
``a11y_fixes.css`` in ``tools/site/static/``: the theme's search buttons are named by what they
show, the colour-mode icons are hidden from screen readers, widget sliders are named by their
label, plots drawn by widgets get alt text naming the settings they show, and the widgets'
primary buttons get enough contrast.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
SHIM = "mathjax2_hub_shim.js"
A11Y_JS = "a11y_fixes.js"
A11Y_CSS = "a11y_fixes.css"
REQUIRE_PATHS = "require_paths.js"
PHONE_SIDEBAR = "phone_sidebar.js"


def _configure(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _script_key(script) -> tuple:
    # An inline script is registered with filename None by one caller and "" by another.
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _fix_page(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    loads_requirejs = any(
        str(getattr(script, "filename", "") or "").endswith("vendor/require.js")
        for script in scripts
    )
    if loads_requirejs:
        # added to this page only (called during html-page-context); before RequireJS (500)
        app.add_js_file(REQUIRE_PATHS, priority=499)
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("config-inited", _configure)
    # Before MathJax (priority 500 on pages with math) and the widget manager's scripts.
    app.add_js_file(SHIM, priority=100)
    app.add_js_file(A11Y_JS, priority=900)
    app.add_js_file(PHONE_SIDEBAR, priority=900)
    app.add_css_file(A11Y_CSS, priority=900)
    app.connect("html-page-context", _fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
