"""One built site, one local web server and one headless Chromium for the site's browser tests.

tests/test_site_browser.py, test_site_a11y.py and benchmarks/page_weight.py share what is here,
and each thing is made once per process (``functools.lru_cache``), however many test modules use
it; the tests that use it form the xdist group ``site``, so one process runs them all:

- ``site_html()``: the strictly built site (tests/book_site.py builds it once per session, as
  test_book_build.py does). Set ``SITE_HTML=/path/to/_build/html`` to test a site built already
  (no rebuild; handy while editing a test).
- ``site_url()``: that folder served on 127.0.0.1 at a free port.
- ``browser()``: Debian's Chromium (``shutil.which("chromium")``) driven by playwright. No
  browser is ever downloaded: without ``chromium`` the tests skip and say how to install it, and
  on CI (``CI=true``) they fail (the fixture ``needs_browser`` of tests/conftest.py).
- ``OfflinePage``: a page whose requests to any host but 127.0.0.1 are aborted and recorded, with
  failed requests, HTTP errors and console errors collected for the assertions.
- ``visit(page)``: opens a page of the site once per process, waits for MathJax and the widgets,
  and records what the browser saw (problems, formulas, images, widgets, axe-core's accessibility
  violations), and saves a screenshot of each chapter. The browser and accessibility tests read
  the same visit, so each page loads once.
"""

from __future__ import annotations

import atexit
import functools
import http.server
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from book_site import ROOT, build_site, toc_part

CHROMIUM = shutil.which("chromium")
NO_CHROMIUM = "Debian's chromium is not installed (apt-get install -y chromium; .ci/run does)"
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Folders of the built site that hold no page of the book: theme/vendor files and the
# JupyterLite app (tested by tests/test_jupyterlite.py).
NOT_PAGES = {"_static", "_sources", "_images", "lite"}
SCREENSHOTS = ARTIFACTS / "site"
CHAPTERS = toc_part("Chapters")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# axe-core, pinned in package.json (devDependencies) and installed by `npm ci`.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@functools.lru_cache(maxsize=1)
def site_html() -> Path:
    """The built site's folder: $SITE_HTML if set, else the session's strict build."""
    given = os.environ.get("SITE_HTML")
    if given:
        html = Path(given).resolve()
        if not (html / "index.html").is_file():
            raise FileNotFoundError(f"SITE_HTML={given} holds no index.html: build the book first")
        return html
    build = build_site()
    if build.returncode != 0:
        raise AssertionError(f"the book does not build strictly:\n{build.log[-4000:]}")
    return build.html


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the book (paths relative to the site, '/' separated), sorted."""
    return sorted(
        path.relative_to(html).as_posix()
        for path in html.rglob("*.html")
        if not NOT_PAGES & set(path.relative_to(html).parts)
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@functools.cache
def serve(html: Path) -> str:
    """Serve a folder on 127.0.0.1 (a free port) until the process ends; return its URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    atexit.register(server.server_close)
    atexit.register(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}"


def site_url() -> str:
    return serve(site_html())


@functools.lru_cache(maxsize=1)
def browser():
    """A headless Chromium (the system's), launched once and closed when the process ends."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError(NO_CHROMIUM)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    atexit.register(playwright.stop)
    atexit.register(chromium.close)
    return chromium


class OfflinePage:
    """A browser tab in its own context; only 127.0.0.1 is reachable, everything is recorded."""

    def __init__(self, url: str, viewport: dict | None = None, accept_downloads: bool = False):
        self.context = browser().new_context(
            viewport=viewport or {"width": 1280, "height": 900}, accept_downloads=accept_downloads
        )
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        self.console_errors: list[str] = []
        self.requested: list[str] = []  # every URL the page asked for, in order
        self.context.route("**/*", self._route)
        self.page.on("requestfailed", self._on_failed)
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def _on_failed(self, request):
        if request.url not in self.blocked:
            self.failed.append(f"{request.url}: {request.failure}")

    def _on_response(self, response):
        self.requested.append(response.url)
        if response.status >= 400:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")

    def _on_console(self, message):
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} (at {location.get('url', '?')})")

    def problems(self) -> list[str]:
        """Everything that went wrong on this page, one line each (empty when all is well)."""
        return (
            [f"asked the internet for {url}" for url in self.blocked]
            + [f"request failed: {line}" for line in self.failed]
            + [f"error status: {line}" for line in self.bad_status]
            + [f"console error: {line}" for line in self.console_errors]
        )

    def settle(self, timeout_ms: int = 90_000) -> None:
        """Wait for MathJax's typesetting and for the network to be idle."""
        self.page.wait_for_load_state("networkidle", timeout=timeout_ms)
        has_math = self.page.evaluate("() => !!document.querySelector('.math')")
        if has_math:
            self.page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=timeout_ms,
            )
            self.page.evaluate("() => MathJax.startup.promise")
        # the web fonts that typesetting and layout asked for (MathJax's fonts load after the
        # page reached "networkidle" once, which that wait does not see again)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        self.page.wait_for_load_state("networkidle", timeout=timeout_ms)

    def close(self) -> None:
        self.context.close()


CONTROLS = (
    ".widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons, .widget-checkbox,"
    " .widget-radio, .widget-text, .widget-play, input, select, button"
)

RENDER_STATE_JS = """
(args) => {
  const [viewType, controls] = args;
  const views = [...document.querySelectorAll(`script[type="${viewType}"]`)];
  return views.map(view => {
    const area = view.parentElement.querySelector('.widget-subarea');
    const root = area && area.querySelector('.jupyter-widgets');
    const images = root ? [...root.querySelectorAll('img')] : [];
    return {
      model: JSON.parse(view.textContent).model_id,
      rendered: !!root,
      controls: root ? root.querySelectorAll(controls).length : 0,
      labels: root ? [...root.querySelectorAll('.widget-label')].map(l => l.textContent) : [],
      images: images.map(img => img.complete && img.naturalWidth > 0),
      // a view that drew (state "ok", or a trainer's "training" / "trained" / "diverged"),
      // not one that shows a problem
      live_views: root ? root.querySelectorAll(
        '.nnlib-live[data-state]:not([data-state="problem"])').length : 0,
    };
  });
}
"""


@dataclass
class Visit:
    """What a reader's browser saw on one page."""

    page: str
    problems: list[str]
    math_total: int = 0
    math_untypeset: list[str] = field(default_factory=list)
    math_errors: int = 0
    images: list[dict] = field(default_factory=list)
    widgets: list[dict] = field(default_factory=list)
    widget_timeout: str = ""
    axe: list[dict] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


@functools.cache
def visit(page: str) -> Visit:
    """Open a page once (per process), wait for MathJax and the widgets, record what happened."""
    html = site_html()
    assert (html / page).is_file(), f"the site has no {page}"
    tab = OfflinePage(f"{site_url()}/{page}")
    try:
        tab.settle()
        result = Visit(page, [])
        views = tab.page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        if views:
            try:
                tab.page.wait_for_function(
                    'type => [...document.querySelectorAll(`script[type="${type}"]`)].every('
                    "v => v.parentElement.querySelector('.widget-subarea .jupyter-widgets'))",
                    arg=WIDGET_VIEW,
                    timeout=30_000,
                )
                tab.page.wait_for_load_state("networkidle")
            except Exception as error:  # reported by the widget test, with what did render
                result.widget_timeout = str(error).splitlines()[0]
        result.math_total = tab.page.locator(".math").count()
        result.math_untypeset = tab.page.evaluate(
            "() => [...document.querySelectorAll('.math')]"
            ".filter(el => !el.querySelector('mjx-container'))"
            ".map(el => el.textContent.slice(0, 80))"
        )
        result.math_errors = tab.page.locator("mjx-merror").count()
        result.images = tab.page.evaluate(
            "() => [...document.querySelectorAll('main img')].map(img => ({"
            "src: img.getAttribute('src').slice(0, 100),"
            "loaded: img.complete && img.naturalWidth > 0}))"
        )
        result.widgets = tab.page.evaluate(RENDER_STATE_JS, [WIDGET_VIEW, CONTROLS])
        result.axe = run_axe(tab.page)
        if page.removesuffix(".html") in CHAPTERS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / (page.removesuffix(".html").replace("/", "__") + ".png")
            tab.page.screenshot(path=str(shot), full_page=True)
        result.problems = tab.problems()
        result.requested = list(tab.requested)
        return result
    finally:
        tab.close()


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now: [{id, impact, help, nodes: [...]}]."""
    if not AXE.is_file():
        return [
            {
                "id": "axe-core-missing",
                "impact": "critical",
                "help": f"no {AXE}: run npm ci",
                "nodes": [],
            }
        ]
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {
                    "target": json.dumps(node["target"]),
                    "html": node["html"][:160],
                    "summary": (node.get("failureSummary") or "")[:300],
                }
                for node in violation["nodes"]
            ],
        }
        for violation in results["violations"]
    ]


def local_file(html: Path, url: str) -> Path | None:
    """The file of the site that a 127.0.0.1 URL served (None for data:, blob:, other hosts)."""
    parts = urlsplit(url)
    if parts.hostname not in LOCAL_HOSTS:
        return None
    path = (html / unquote(parts.path).lstrip("/")).resolve()
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def page_files(page: str) -> dict[Path, int]:
    """{file of the site: its size in bytes} for every file the page loaded (uncompressed)."""
    html = site_html()
    files = {local_file(html, url) for url in visit(page).requested}
    return {path: path.stat().st_size for path in files if path is not None}


def page_weight(page: str, read_before: str | None, others: list[str]) -> dict[str, int]:
    """Bytes a reader's browser fetches for ``page`` (files as served, uncompressed).

    ``first_visit``: everything the page loads on an empty cache. ``later``: what it still
    needs when ``read_before`` was read just before (its files cached). ``own``: the files no
    page of ``others`` uses (the page's HTML, its images, anything only it loads).
    """
    mine = page_files(page)
    before = page_files(read_before) if read_before else {}
    shared = set().union(*(page_files(other) for other in others)) if others else set()
    return {
        "first_visit": sum(mine.values()),
        "later": sum(size for path, size in mine.items() if path not in before),
        "own": sum(size for path, size in mine.items() if path not in shared),
        "files": len(mine),
    }
