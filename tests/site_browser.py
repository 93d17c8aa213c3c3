"""One built site, one local web server and one headless Chromium for the site's browser tests.

The site's tests and benchmarks/page_weight.py share what is here, and each thing is made once
per process (``functools.lru_cache``), however many test modules use it. The tests that use it
form the xdist group ``site``; each of its modules is a work unit that either worker may run
(the build is shared through the disk), except that the modules that read ``visit(page)``
(test_site_browser.py, test_site_a11y.py, test_site_layout.py) form one unit, so each page is
opened once:

- ``site_html()``: the strictly built site (tests/book_site.py builds it once per session, as
  test_book_build.py does). Set ``SITE_HTML=/path/to/_build/html`` to test a site built already
  (no rebuild; handy while editing a test).
- ``site_url()``: that folder served on 127.0.0.1 at a free port.
- ``browser()``: Debian's Chromium (``shutil.which("chromium")``) driven by playwright, which
  reaches no host but 127.0.0.1 and localhost. No browser is ever downloaded: without
  ``chromium`` the tests skip and say how to install it, and on CI (``CI=true``) they fail (the
  fixture ``needs_browser`` of tests/conftest.py).
- ``OfflinePage``: a tab whose requests to any host but 127.0.0.1 fail and are recorded, with
  failed requests (but those the test's own navigation cancelled), HTTP errors and console
  errors collected for the assertions.
- ``visit(page, viewport)``: opens a page of the site once per process at a phone's width,
  waits for MathJax, the widgets and the images, and records what the browser saw (problems,
  formulas, images, widgets, the layout); then widens the same tab to a desktop's window and
  records again, with axe-core's accessibility violations and a screenshot of each chapter.
  The browser, accessibility and layout tests read the same visits, so each page loads once;
  the visits share a browser context and so its HTTP cache.
"""

from __future__ import annotations

import atexit
import functools
import http.server
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
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


class _StubbingHandler(_QuietHandler):
    """Answers the paths of one entry of ``STUBS`` with an empty file, the rest as the site."""

    def __init__(self, *args, stubs: tuple[re.Pattern, ...], **kwargs):
        self.stubs = stubs  # before the base class handles the request
        super().__init__(*args, **kwargs)

    def send_head(self):
        if any(pattern.search(self.path.split("?")[0]) for pattern in self.stubs):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.send_header("Last-Modified", self.date_time_string(0))
            self.end_headers()
            return None
        return super().send_head()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # the browser hangs up on loads a navigation cancelled: not the server's error
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@functools.cache
def serve(html: Path, stub: str | None = None) -> str:
    """Serve a folder on 127.0.0.1 (a free port) until the process ends; return its URL.
    ``stub``: answer what a kind of test does not need (``STUBS[stub]``) with an empty file
    instead (a server of its own, on another port)."""
    handler = (functools.partial(_QuietHandler, directory=str(html)) if stub is None else
               functools.partial(_StubbingHandler, directory=str(html), stubs=STUBS[stub]))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    atexit.register(server.server_close)
    atexit.register(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}"


def site_url(stub: str | None = None) -> str:
    """The URL of the built site (``serve``); ``stub``: without what a kind of test does not
    need (``STUBS``: "navigation" or "math")."""
    return serve(site_html(), stub)


_NO_PROXY: list[socket.socket] = []


def unreachable_proxy() -> str:
    """The address of a proxy that refuses every connection: a port of 127.0.0.1 that this
    process holds (bound, so no other program can take it) but never listens on."""
    if not _NO_PROXY:
        held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        held.bind(("127.0.0.1", 0))
        _NO_PROXY.append(held)
    return f"127.0.0.1:{_NO_PROXY[0].getsockname()[1]}"


@functools.lru_cache(maxsize=1)
def browser():
    """A headless Chromium (the system's), launched once and closed when the process ends.

    It reaches 127.0.0.1 and localhost only: every other request (any host, an IP address, a
    WebSocket) goes to ``unreachable_proxy()``, which refuses it, so it fails with
    ``net::ERR_PROXY_CONNECTION_FAILED``; ``OfflinePage`` records it as a request for the
    internet. (Blocking with playwright's routes would do the same, but a route turns off the
    browser's HTTP cache, so every page would parse MathJax and the widget manager afresh.)
    """
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError(NO_CHROMIUM)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_FLAGS, f"--proxy-server=http://{unreachable_proxy()}",
              "--proxy-bypass-list=" + ";".join(sorted(LOCAL_HOSTS))],
    )
    atexit.register(playwright.stop)
    atexit.register(chromium.close)
    return chromium


@functools.cache
def shared_context(width: int, height: int, accept_downloads: bool = False):
    """One browser context per window size (and whether it accepts downloads) for the tabs that
    ask for it (``OfflinePage(..., shared=True)``): their pages share the HTTP cache, so the
    site's scripts, styles and fonts are read from the server once and compiled once, as a
    reader's browser does when it goes from page to page. Each tab is still a page of its own,
    with its own records."""
    return browser().new_context(viewport={"width": width, "height": height},
                                 accept_downloads=accept_downloads)


# The two window sizes the tests open pages at: a phone and a desktop (the default).
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# Requests to any host but the local server (the browser sends them to a proxy that refuses
# them: browser()); OfflinePage records each as a request for the internet.
NOT_LOCAL = re.compile(
    r"^(?!(?:data:|blob:|(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:[/?#]|$)))")
# The icon a browser asks a server for by itself when a page names none (Chromium does,
# without a route, now and then): its 404 is the browser's guess, not a request of the page.
BROWSERS_OWN_ICON = re.compile(r"^https?://(?:127\.0\.0\.1|localhost)(?::\d+)?/favicon\.ico$")
# What a navigation cancels: the loads of the document it replaces fail with this error.
ABORTED = "net::ERR_ABORTED"
# A page has finished loading when none of its requests has been under way for this long.
QUIET_MS = 300
# Documents a page may send the reader through (redirects) before it counts as broken.
MAX_REDIRECTS = 5
# OfflinePage.close(): how often a tab is asked to close, and how long each answer is awaited.
CLOSE_TRIES = 10
CLOSE_WAIT_MS = 500
# Does the page shown send the reader on to another (a ``<meta http-equiv="refresh">``)?
REFRESHES_JS = "() => !!document.querySelector('meta[http-equiv=\"refresh\" i]')"
# What a kind of test does not need of a page, answered with an empty file by a server of its
# own (``site_url(stub=...)``; not with a playwright route, which would turn off the browser's
# HTTP cache). Each page's whole load is tested by its visit (``visit``).
STUBS = {
    # the tests of navigation (the sidebar, the download button): MathJax, the widget manager
    # and anywidget, web fonts and images
    "navigation": (
        re.compile(r"/_static/vendor/(?:mathjax|@jupyter-widgets|anywidget)/"),
        re.compile(r"\.(?:woff2?|ttf|otf|eot|png|jpe?g|gif|svg|webp)(?:[?#]|$)"),
    ),
    # the widget tests (tests/widget_page.py): MathJax, about half of a chapter's load
    "math": (re.compile(r"/_static/vendor/mathjax/"),),
}


class OfflinePage:
    """A browser tab; only 127.0.0.1 is reachable (``browser()``), everything is recorded.

    Every request to another host is recorded in ``blocked`` (the browser itself refuses it).
    A request that failed counts as a problem, except one the tab's own navigation cancelled:
    when the test opens another page (``goto``, a click on a link, a form sent), the loads the
    old page still had under way fail with ``net::ERR_ABORTED`` (a MathJax font, a widget
    script), which is the browser's doing, not the site's. So a request that failed with that
    error after the main frame moved on to another document is recorded in ``cancelled``
    instead of ``failed``. Any other failure (another error, or an abort while its page was
    still shown), an HTTP error, a request to another host and a console error still count.

    ``shared``: the tab opens in the browser context of its window size that other such tabs
    share (``shared_context``: one HTTP cache, as a reader's browser moving from page to page)
    instead of a context of its own; ``close()`` then closes the tab only. Without it (the
    default) the tab has a fresh context: an empty cache, no cookies or storage of other tabs.
    """

    def __init__(self, url: str, viewport: dict | None = None, accept_downloads: bool = False,
                 wait_until: str = "load", shared: bool = False):
        viewport = viewport or VIEWPORTS["desktop"]
        self.shared = shared
        if shared:
            self.context = shared_context(viewport["width"], viewport["height"], accept_downloads)
        else:
            self.context = browser().new_context(viewport=viewport,
                                                 accept_downloads=accept_downloads)
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.bad_status: list[str] = []
        self.console_errors: list[str] = []
        self.requested: list[str] = []  # every URL the page asked for, in order
        self._documents = 0  # documents the main frame has shown so far
        self._document_of: dict = {}  # request -> the document shown when it was made
        self._failures: list[tuple] = []  # (request, its failure text)
        self.blocked_failures: list[str] = []  # how each blocked request failed (url: error)
        self._in_flight: set = set()  # requests under way
        self._last_activity = time.monotonic()  # when a request last started or ended
        # in a shared context, the tab's own requests; a context of its own also reports the
        # requests of its service workers
        watched = self.page if shared else self.context
        watched.on("request", self._on_any_request)
        self.page.on("framenavigated", self._on_navigated)
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", self._on_failed)
        self.page.on("requestfinished", self._on_done)
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        self.page.on("websocket", self._on_websocket)
        self.page.goto(url, wait_until=wait_until)

    def _on_websocket(self, websocket):
        if NOT_LOCAL.match(websocket.url):
            self.blocked.append(websocket.url)

    def _on_navigated(self, frame):
        if frame == self.page.main_frame:
            self._documents += 1

    def _on_any_request(self, request):
        if NOT_LOCAL.match(request.url):
            self.blocked.append(request.url)

    def _on_request(self, request):
        self._document_of[request] = self._documents
        self._in_flight.add(request)
        self._last_activity = time.monotonic()

    def _on_done(self, request):
        self._in_flight.discard(request)
        self._last_activity = time.monotonic()

    def _on_failed(self, request):
        self._on_done(request)
        if request.url in self.blocked:
            self.blocked_failures.append(f"{request.url}: {request.failure}")
        else:
            self._failures.append((request, request.failure))

    @property
    def cancelled(self) -> list[str]:
        """Loads the tab's own navigation cancelled (not counted as problems)."""
        return [f"{request.url}: {failure}" for request, failure in self._failures
                if self._cancelled(request, failure)]

    @property
    def failed(self) -> list[str]:
        """Requests that failed (those the tab's own navigation cancelled aside)."""
        return [f"{request.url}: {failure}" for request, failure in self._failures
                if not self._cancelled(request, failure)]

    def _cancelled(self, request, failure) -> bool:
        # judged now, not when the failure came: the browser may report the cancelled loads
        # before or after the new document (the main frame's navigation)
        return failure == ABORTED and self._document_of.get(request, 0) < self._documents

    def _on_response(self, response):
        self.requested.append(response.url)
        if response.status >= 400:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")

    def _on_console(self, message):
        if message.type == "error":
            location = message.location or {}
            if BROWSERS_OWN_ICON.match(location.get("url") or ""):
                return  # the browser's own guess, not a request of the page
            self.console_errors.append(f"{message.text} (at {location.get('url', '?')})")

    def problems(self) -> list[str]:
        """Everything that went wrong on this page, one line each (empty when all is well)."""
        return (
            [f"asked the internet for {url}" for url in self.blocked]
            + [f"request failed: {line}" for line in self.failed]
            + [f"error status: {line}" for line in self.bad_status]
            + [f"console error: {line}" for line in self.console_errors]
        )

    def settle(self, timeout_ms: int = 90_000, math: bool = True) -> None:
        """Wait for the page's load, MathJax's typesetting, its web fonts, and then until no
        request of the page has been under way for QUIET_MS (``quiet``). A page that sends
        the reader on (index.html's ``<meta http-equiv="refresh">``) is followed: the wait
        goes on until the next document is shown, and starts again on it. ``math=False``: a
        page served without MathJax (``site_url(stub="math")``), whose typesetting never
        comes."""
        from playwright.sync_api import Error

        deadline = time.monotonic() + timeout_ms / 1000
        first = self._documents
        while True:
            if self._documents - first > MAX_REDIRECTS:
                raise AssertionError(f"{self.page.url} kept moving on to other pages")
            documents = self._documents
            try:
                moves_on = self._settle(timeout_ms, math)
            except Error as error:  # the page went on while we looked at it
                if "context was destroyed" not in str(error):
                    raise
                moves_on = True
            if moves_on:  # not settled before the next document is shown
                self._wait_for_next_document(documents, deadline)
            elif self._documents == documents:
                return

    def _settle(self, timeout_ms: int, math: bool) -> bool:
        """Wait for the document shown to settle; True if it sends the reader on instead."""
        self.page.wait_for_load_state("load", timeout=timeout_ms)
        if self.page.evaluate(REFRESHES_JS):
            return True
        has_math = math and self.page.evaluate("() => !!document.querySelector('.math')")
        if has_math:
            self.page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=timeout_ms,
            )
            self.page.evaluate("() => MathJax.startup.promise")
        # the web fonts that typesetting and layout asked for (MathJax's fonts load late)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        self.quiet(timeout_ms)
        return False

    def _wait_for_next_document(self, documents: int, deadline: float) -> None:
        """Wait until the main frame shows another document than its ``documents``-th. (While
        a navigation is under way, the old document still counts as loaded and a script run in
        it fails at once, so neither says when the next one is there.)"""
        while self._documents == documents:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.page.url} began to move on to another page, which "
                                   "never came")
            self.page.wait_for_timeout(QUIET_MS / 10)

    def quiet(self, timeout_ms: int = 90_000) -> None:
        """Wait until no request of the page has been under way for QUIET_MS.

        Playwright's "networkidle" waits 500 ms of silence, once per page; this follows the
        page's requests itself, so it waits again after late ones (the widget manager's
        scripts, MathJax's fonts) and only as long as needed.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            # a load of a document the tab has left may never report its end
            self._in_flight = {request for request in self._in_flight
                               if self._document_of.get(request, 0) >= self._documents}
            if not self._in_flight and time.monotonic() - self._last_activity >= QUIET_MS / 1000:
                return
            if time.monotonic() > deadline:
                under_way = sorted(request.url for request in self._in_flight)
                raise TimeoutError(f"the page still loads after {timeout_ms} ms: {under_way[:5]}")
            self.page.wait_for_timeout(QUIET_MS / 4)

    def close(self) -> None:
        """Close the tab (and its own browser context, if it has one).

        Chromium may take no notice of a request to close a tab that comes while the tab's
        page commits a navigation (crbug.com/536385539, microsoft/playwright#42366), and
        ``page.close()`` then waits for ever: a tab closed while its page redirects
        (index.html) would hang the test run. So a tab of a shared context is asked to close
        without waiting, and asked again until it is gone. A context of the tab's own is
        closed as a whole, which that race does not touch."""
        from playwright.sync_api import Error

        if not self.shared:
            self.context.close()
            return
        for _ in range(CLOSE_TRIES):
            try:
                if not self.page.is_closed():
                    self.page.close(run_before_unload=True)  # asks, without waiting
                    self.page.wait_for_event("close", timeout=CLOSE_WAIT_MS)
                return
            except Error:  # not heard (a timeout), or closed meanwhile
                if self.page.is_closed():
                    return
        raise AssertionError(f"the tab of {self.page.url} did not close when asked "
                             f"{CLOSE_TRIES} times")


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


# What tests/test_site_layout.py checks of a page, measured in the page as the reader sees it:
# elements clipped by a box that hides what overflows, elements that widen the page, tables
# and printed outputs wider than their column, and the figures' shown and natural widths.
LAYOUT_JS = """
() => {
  const article = document.querySelector('.bd-article') || document.body;
  const describe = el => {
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).slice(0, 2).join('.');
    const text = (el.textContent || el.getAttribute('alt') || el.getAttribute('src') || '')
      .replace(/\\s+/g, ' ').trim().slice(0, 70);
    return `<${el.tagName.toLowerCase()}${cls ? '.' + cls : ''}> "${text}"`;
  };
  const visible = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  // what is clipped: an element that reaches past the right edge of an ancestor that hides
  // overflow, before any ancestor that scrolls
  const clipped = [];
  const candidates = article.querySelectorAll(
    'mjx-container, img, svg, code, pre, table, p, li, dt, dd, h1, h2, h3, h4, span.math, a');
  for (const el of candidates) {
    if (el.closest('mjx-assistive-mml, .visually-hidden, .sr-only') || !visible(el)) continue;
    const right = el.getBoundingClientRect().right;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') break;
      if (style.overflowX === 'hidden' || style.overflowX === 'clip') {
        const box = a.getBoundingClientRect();
        const edge = box.left + a.clientLeft + a.clientWidth;
        if (right > edge + 1) {
          clipped.push(`${describe(el)} reaches ${Math.round(right - edge)} px past the edge `
                       + `of ${describe(a).slice(0, 60)}`);
        }
        break;
      }
    }
  }
  // what makes the page wider than the screen: reaches past it with no box that scrolls or
  // clips in between
  const widening = [];
  const width = document.documentElement.clientWidth;
  for (const el of article.querySelectorAll('*')) {
    if (el.closest('mjx-assistive-mml') || !visible(el)) continue;
    if (el.getBoundingClientRect().right <= width + 1) continue;
    let a = el.parentElement;
    while (a && a !== document.body && getComputedStyle(a).overflowX === 'visible') {
      a = a.parentElement;
    }
    if ((!a || a === document.body) && !widening.some(w => w.contains(el))) widening.push(el);
  }
  // tables and printed outputs wider than the column they sit in
  const overflowing = [];
  for (const el of article.querySelectorAll('table, .cell_output pre, .output pre')) {
    if (!visible(el) || el.closest('.jupyter-widgets')) continue;
    const column = el.closest('.pst-scrollable-table-container, .cell_output, .output, section')
    const holder = el.tagName === 'PRE' ? el : (column || el.parentElement);
    const width = el.tagName === 'PRE' ? el.scrollWidth : el.getBoundingClientRect().width;
    const room = el.tagName === 'PRE' ? el.clientWidth : holder.clientWidth;
    if (width > room + 1) {
      overflowing.push(`${describe(el)} is ${Math.round(width)} px wide in a column of `
                       + `${Math.round(room)} px`);
    }
  }
  const figures = [...article.querySelectorAll('.cell_output > img')].filter(visible).map(img => {
    const box = img.parentElement.getBoundingClientRect();
    const shown = img.getBoundingClientRect();
    return {src: img.getAttribute('src'), alt: (img.getAttribute('alt') || '').slice(0, 60),
            natural: img.naturalWidth, shown: shown.width,
            beyond_box: img.parentElement.scrollWidth > img.parentElement.clientWidth + 1,
            box_scrolls: ['auto', 'scroll'].includes(getComputedStyle(img.parentElement).overflowX),
            hint: !!(img.parentElement.nextElementSibling
                     && img.parentElement.nextElementSibling.matches('.nnlib-figure-hint')),
            cut: shown.right > box.right + 1};
  });
  const page = document.scrollingElement;
  return {scroll_width: page.scrollWidth, client_width: page.clientWidth, clipped, overflowing,
          widening: widening.slice(0, 8).map(el => `${describe(el)} reaches `
                                         + `${Math.round(el.getBoundingClientRect().right)} px`),
          figures};
}
"""


@dataclass
class Visit:
    """What a reader's browser saw on one page at one window size (``VIEWPORTS``)."""

    page: str
    problems: list[str]
    viewport: str = "desktop"
    math_total: int = 0
    math_untypeset: list[str] = field(default_factory=list)
    math_errors: int = 0
    images: list[dict] = field(default_factory=list)
    widgets: list[dict] = field(default_factory=list)
    widget_timeout: str = ""
    axe: list[dict] | None = None  # None: not run (axe runs on the desktop visit)
    requested: list[str] = field(default_factory=list)
    layout: dict = field(default_factory=dict)  # LAYOUT_JS's measures
    images_timeout: str = ""


def visit(page: str, viewport: str = "desktop") -> Visit:
    """What the browser saw of ``page`` at a window size (``VIEWPORTS``): see ``_visits``."""
    return _visits(page)[viewport]


@functools.cache
def _visits(page: str) -> dict[str, Visit]:
    """Open a page once per process at a phone's width, as a phone loads it; wait for MathJax,
    the widgets and the images, and record what the browser saw (``_record``). Then widen the
    same tab to a desktop's window and record again, with axe-core's accessibility violations
    and, for a chapter, a full-page screenshot.

    Loading a page (MathJax typesetting hundreds of formulas, the widget manager drawing every
    widget) is most of a visit's CPU, so it happens once; the page's layout is CSS, which
    follows the width, and its one script that sizes anything by the width
    (tools/site/static/phone_figures.js) follows resizes too. What only a fresh load at a
    desktop's width would show is tested by the tests that open pages at that width themselves
    (the sidebar, the download button, the offline chapter, the widget tests). The tabs share a
    browser context (``shared_context``), so the site's scripts come from the HTTP cache."""
    html = site_html()
    assert (html / page).is_file(), f"the site has no {page}"
    tab = OfflinePage(f"{site_url()}/{page}", viewport=VIEWPORTS["phone"], shared=True)
    try:
        tab.settle()
        phone = _record(tab, page, "phone")
        tab.page.set_viewport_size(VIEWPORTS["desktop"])
        # two frames: the new width's layout is done and resize handlers have run
        tab.page.evaluate("() => new Promise(done => requestAnimationFrame("
                          "() => requestAnimationFrame(() => done(true))))")
        tab.quiet()
        return {"phone": phone, "desktop": _record(tab, page, "desktop")}
    finally:
        tab.close()


def _record(tab: OfflinePage, page: str, viewport: str) -> Visit:
    """What ``tab`` shows now, at ``viewport``: waits for the widgets and the images, then reads
    the problems so far, formulas, images, widgets and the layout (LAYOUT_JS); on the desktop
    also runs axe-core and saves a chapter's screenshot."""
    result = Visit(page, [], viewport)
    views = tab.page.locator(f'script[type="{WIDGET_VIEW}"]').count()
    if views:
        try:
            tab.page.wait_for_function(
                'type => [...document.querySelectorAll(`script[type="${type}"]`)].every('
                "v => v.parentElement.querySelector('.widget-subarea .jupyter-widgets'))",
                arg=WIDGET_VIEW,
                timeout=30_000,
            )
            tab.quiet()
        except Exception as error:  # reported by the widget test, with what did render
            result.widget_timeout = str(error).splitlines()[0]
    # a failed image is complete too; quiet() has let the images' load handlers run
    # (tools/site/static/phone_figures.js sizes the figures on a phone)
    try:
        tab.page.wait_for_function(
            "() => [...document.images].every(img => img.complete)", timeout=60_000)
    except Exception as error:  # the layout test and the images test say what is missing
        result.images_timeout = str(error).splitlines()[0]
    result.layout = tab.page.evaluate(LAYOUT_JS)
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
    if viewport == "desktop":
        result.axe = run_axe(tab.page)
        if page.removesuffix(".html") in CHAPTERS:
            save_screenshot(tab.page, chapter_screenshot(page.removesuffix(".html")))
    result.problems = tab.problems()
    result.requested = list(tab.requested)
    return result


def chapter_screenshot(chapter: str) -> Path:
    """Where the visit saves the full-page screenshot of ``chapter`` (``book/01_perceptron``)."""
    return SCREENSHOTS / (chapter.replace("/", "__") + ".jpg")


def save_screenshot(page, path: Path) -> None:
    """A full-page screenshot of ``page`` as a JPEG (quality 85) at ``path``, for a person to
    look at. A chapter is a picture 1,280 pixels wide and up to 40,000 high: as a PNG it takes
    about 1.6 times the CPU to encode, for a file only a fifth smaller."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a long chapter on a busy machine takes more than playwright's 30 s
    page.screenshot(path=str(path), type="jpeg", quality=85, full_page=True, timeout=120_000)


def is_screenshot(path: Path) -> bool:
    """Is ``path`` a JPEG of more than 10 kB (``save_screenshot``)?"""
    if not (path.is_file() and path.stat().st_size > 10_000):
        return False
    with path.open("rb") as file:  # a chapter's is megabytes: its first bytes say the format
        return file.read(3) == b"\xff\xd8\xff"


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
