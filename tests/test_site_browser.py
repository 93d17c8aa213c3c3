"""Every page of the built website, opened in headless Chromium with no internet.

The site is served from 127.0.0.1 and every request to another host is aborted (tests/
site_browser.py). Each page of _toc.yml, plus the home, search and index pages, must load with no
request outside the site, no failed request, no HTTP error and no console error; its formulas are
typeset by MathJax, its images load, and every widget is drawn by the widget manager from the
state stored at build time, with its controls and its first plot. Then what a reader clicks: the
sidebar (on a desktop and, through its toggle, on a phone), the search box and search page, and
the download button of every chapter and exercise page. Each chapter's screenshot goes to
test-artifacts/site/.

Needs Debian's Chromium (``apt-get install -y chromium``; .ci/run installs it) and playwright.
``SITE_HTML=/path/_build/html`` tests a site already built instead of building it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from book_site import ROOT, parsed_page, toc_files, toc_part
from bs4 import BeautifulSoup
from conftest import not_applicable
from site_browser import (
    CHAPTERS,
    VIEWPORTS,
    WIDGET_VIEW,
    OfflinePage,
    chapter_screenshot,
    is_screenshot,
    page_weight,
    site_html,
    site_pages,
    site_url,
    visit,
)

# Without Chromium or playwright these tests skip, saying so; on CI they fail (conftest.py).
# The site's group; and one work unit with the other modules that read visit(page)
# (test_site_a11y.py, test_site_layout.py), so that each page is opened once (conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site"),
              pytest.mark.usefixtures("needs_browser")]
XDIST_UNIT = "visit"

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Pages Sphinx writes besides those of _toc.yml (py-modindex: the reference documents modules).
EXTRA_PAGES = ["index.html", "search.html", "genindex.html", "py-modindex.html"]
PAGES = [f"{entry}.html" for entry in toc_files()] + EXTRA_PAGES
NOTEBOOK_PAGES = CHAPTERS + toc_part("Exercises")


def soup_of(page: str) -> BeautifulSoup:
    """The page of the built site, parsed (once per process: ``book_site.parsed_page``)."""
    return parsed_page(site_html() / page)


def models_with_a_plot(page: str) -> dict[str, str]:
    """{view model id: "live" if it holds a view drawn in the browser (an anywidget of
    nnlib/widgets/live.py), "png" if its stored state holds a PNG plot, else ""}."""
    soup = soup_of(page)
    state_tag = soup.find("script", type=WIDGET_STATE)
    if state_tag is None:
        return {}
    state = json.loads(state_tag.string)["state"]

    def has_plot(model_id: str, seen: set[str]) -> str:
        if model_id in seen or model_id not in state:
            return ""
        seen.add(model_id)
        if state[model_id]["model_module"] == "anywidget":
            return "live"
        model = state[model_id]["state"]
        outputs = model.get("outputs") or []
        if any("image/png" in (output.get("data") or {}) for output in outputs):
            return "png"
        refs = re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(model))
        found = [has_plot(ref, seen) for ref in refs]
        return "live" if "live" in found else "png" if "png" in found else ""

    views = [
        json.loads(tag.string)["model_id"] for tag in soup.find_all("script", type=WIDGET_VIEW)
    ]
    return {view: has_plot(view, set()) for view in views}


def test_every_page_of_the_site_is_tested():
    on_disk = site_pages(site_html())
    assert sorted(on_disk) == sorted(PAGES), (
        f"pages built but not listed here: {sorted(set(on_disk) - set(PAGES))}; "
        f"listed but not built: {sorted(set(PAGES) - set(on_disk))}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_with_no_console_error_and_no_failed_request(page):
    problems = visit(page).problems
    assert problems == [], f"{page}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_page_math_is_typeset_by_mathjax(page):
    seen = visit(page)
    assert seen.math_untypeset == [], (
        f"{page}: {len(seen.math_untypeset)} of {seen.math_total} formulas were not typeset "
        f"(is MathJax served from _static/vendor/mathjax?): {seen.math_untypeset[:5]}"
    )
    assert seen.math_errors == 0, f"{page}: MathJax reported {seen.math_errors} TeX errors"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_typeset_math(chapter):
    seen = visit(f"{chapter}.html")
    assert seen.math_total > 0 and not seen.math_untypeset, (
        f"{chapter} shows no typeset formula ({seen.math_total} found)"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_images_load(page):
    broken = [image["src"] for image in visit(page).images if not image["loaded"]]
    assert broken == [], f"{page}: images that did not load: {broken}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_widget_renders_its_controls_and_first_plot(chapter):
    page = f"{chapter}.html"
    seen = visit(page)
    if not seen.widgets:
        not_applicable(f"{page} has no widget")
    plots = models_with_a_plot(page)
    not_rendered = [w["model"] for w in seen.widgets if not w["rendered"]]
    assert not_rendered == [], (
        f"{page}: {len(not_rendered)} of {len(seen.widgets)} widgets were not drawn by the widget "
        f"manager ({seen.widget_timeout or 'no timeout'}): {not_rendered}"
    )
    without_controls = [w for w in seen.widgets if w["controls"] == 0]
    assert without_controls == [], f"{page}: widgets drawn with no control: {without_controls}"
    for widget in seen.widgets:
        if plots.get(widget["model"]) == "live":
            assert widget["live_views"] >= 1, (
                f"{page}: widget {widget['model']} ({widget['labels'][:4]}) has a view drawn in "
                f"the browser, but the view did not draw (or shows a problem)"
            )
        elif plots.get(widget["model"]):
            assert widget["images"] and all(widget["images"]), (
                f"{page}: widget {widget['model']} ({widget['labels'][:4]}) stores a plot, but its "
                f"first plot was not shown (image loaded flags: {widget['images']})"
            )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_screenshot_is_saved(chapter):
    visit(f"{chapter}.html")
    shot = chapter_screenshot(chapter)
    assert is_screenshot(shot), f"no usable screenshot (a JPEG of more than 10 kB) at {shot}"


def sidebar_links(page: str) -> list[tuple[str, str]]:
    """(link text, page path) of each link of the left sidebar, from the page's HTML."""
    nav = soup_of(page).select_one("nav.bd-docs-nav")
    assert nav is not None, f"{page} has no sidebar navigation"
    links = []
    for a in nav.select("a.reference.internal[href]"):
        target = urljoin(f"http://site/{page}", a["href"].split("#")[0])
        links.append((a.get_text(" ", strip=True), urlsplit(target).path.lstrip("/")))
    return links


def test_sidebar_lists_every_page_of_the_toc():
    linked = {target for _, target in sidebar_links("book/intro.html")}
    missing = [entry for entry in toc_files() if f"{entry}.html" not in linked]
    assert missing == [], f"the sidebar lacks: {missing}"


SIDEBAR_JS = """
nav => [...nav.querySelectorAll('a.reference.internal[href]')].map(a => ({
  text: a.textContent.replace(/\\s+/g, ' ').trim(),
  href: a.href.split('#')[0],
  visible: a.checkVisibility({visibilityProperty: true, opacityProperty: true}),
}))
"""


def sidebar(tab: OfflinePage, viewport: str):
    """The sidebar navigation as the reader finds it (on a phone: opened with its toggle)."""
    if viewport == "phone":
        nav = tab.page.locator("dialog#pst-primary-sidebar-modal nav.bd-docs-nav")
        if nav.is_visible():  # still open (its link to the page shown opened nothing)
            return nav
        toggle = tab.page.locator("button.primary-toggle:visible").first
        assert toggle.is_visible(), "on a phone the sidebar has no visible toggle button"
        toggle.click()
        nav.wait_for(state="visible", timeout=10_000)
        return nav
    return tab.page.locator("#pst-primary-sidebar nav.bd-docs-nav")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_sidebar_links_take_the_reader_to_each_page(viewport):
    """From the home page every link of the sidebar is shown and points at its page; then the
    reader clicks through them all, each from the sidebar of the page the last click opened, and
    lands on that page. A navigation needs none of MathJax, the widget manager, the web fonts
    or the plots: they are stubbed (each page's own loading of them is tested by the visit of
    test_page_loads_offline_with_no_console_error_and_no_failed_request)."""
    start = "book/intro.html"
    links = sidebar_links(start)
    url = site_url(stub="navigation")
    tab = OfflinePage(f"{url}/{start}", viewport=VIEWPORTS[viewport], shared=True)
    try:
        shown = sidebar(tab, viewport).evaluate(SIDEBAR_JS)
        expected = [(text, f"{url}/{target}") for text, target in links]
        assert [(link["text"], link["href"]) for link in shown] == expected, (
            f"{viewport}: the sidebar the browser shows differs from the page's HTML")
        hidden = [link["text"] for link in shown if not link["visible"]]
        assert hidden == [], f"{viewport}: sidebar links not visible: {hidden}"
        if viewport == "phone":
            # closed as a reader closes it; wait until it is, or the first sidebar() below could
            # still find it open and then see it close under its hand
            tab.page.keyboard.press("Escape")
            tab.page.locator("dialog#pst-primary-sidebar-modal nav.bd-docs-nav").wait_for(
                state="hidden", timeout=10_000)
        for text, target in links:
            link = sidebar(tab, viewport).get_by_role("link", name=text, exact=True).first
            assert link.is_visible(), (
                f"{viewport}: on {urlsplit(tab.page.url).path} the sidebar link {text!r} is not "
                "visible")
            here = urlsplit(tab.page.url).path.lstrip("/")
            link.click()
            if target != here:  # the link to the page shown is "#": it opens nothing new
                tab.page.wait_for_url(f"{url}/{target}", wait_until="load",
                                      timeout=30_000)
            landed = urlsplit(tab.page.url).path.lstrip("/")
            assert landed == target, f"{viewport}: {text!r} led to {landed}, expected {target}"
            assert tab.page.locator("main h1").count() >= 1, f"{target} shows no title"
        assert tab.problems() == [], "\n".join(tab.problems())
    finally:
        tab.close()


def test_search_box_finds_the_perceptron_chapter():
    tab = OfflinePage(f"{site_url()}/book/intro.html")
    try:
        tab.page.locator(".search-button__button").first.click()
        box = tab.page.locator("#pst-search-dialog input[name=q]")
        box.fill("perceptron")
        box.press("Enter")
        tab.page.wait_for_url(re.compile(r"/search\.html\?q=perceptron"))
        results = tab.page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=30_000)
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        assert any("01_perceptron.html" in href for href in hrefs), (
            f"searching 'perceptron' did not list chapter 1: {hrefs}"
        )
        assert tab.problems() == [], "\n".join(tab.problems())
    finally:
        tab.close()


@pytest.mark.parametrize("entry", NOTEBOOK_PAGES)
def test_download_button_gives_the_notebook(entry, tmp_path):
    # the menu needs only the theme's scripts (MathJax, widgets, fonts and plots are stubbed)
    tab = OfflinePage(f"{site_url(stub='navigation')}/{entry}.html", accept_downloads=True,
                      shared=True)
    try:
        tab.page.locator(".dropdown-download-buttons button").first.click()
        item = tab.page.locator(".dropdown-download-buttons a", has_text=".ipynb").first
        assert item.is_visible(), f"{entry}: the download menu has no visible .ipynb entry"
        with tab.page.expect_download() as download:
            item.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".ipynb", f"{entry}: downloaded {saved.name}, not a notebook"
        notebook = nbformat.read(saved, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code, f"{entry}: the downloaded notebook has no code cell"
        if entry in CHAPTERS:
            outputs = sum(len(cell.get("outputs", [])) for cell in code)
            assert outputs > 0, f"{entry}: the downloaded chapter lacks the build's outputs"
        assert tab.problems() == [], "\n".join(tab.problems())
    finally:
        tab.close()


PAGE_BUDGET = 2_000_000  # bytes a chapter page may weigh on its own (issue: "under 2 MB")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_weighs_under_2_mb_of_its_own(chapter):
    others = [f"{other}.html" for other in CHAPTERS if other != chapter] + ["book/intro.html"]
    weight = page_weight(f"{chapter}.html", None, others)
    assert 0 < weight["own"] < PAGE_BUDGET, (
        f"{chapter} loads {weight['own']:,} bytes no other page shares (budget {PAGE_BUDGET:,}); "
        "benchmarks/page_weight.py lists its files"
    )


def test_offline_page_counts_real_failures_but_not_loads_its_own_navigation_cancelled():
    """What OfflinePage reports: a page's loads that the test's own navigation cancels are not
    problems (MathJax's fonts or the widget scripts of a page left early); a request aborted
    while its page is still shown, a request for the internet (a host name or an IP address),
    a 404 and a console error are. The browser never sends a request for the internet: it
    fails at the proxy that refuses every connection (site_browser.browser())."""
    tab = OfflinePage(f"{site_url()}/book/04_backprop.html", wait_until="commit")
    try:
        tab.page.goto(f"{site_url()}/book/intro.html", wait_until="load")
        tab.settle()
        assert tab.problems() == [], "\n".join(tab.problems())
        tab.page.evaluate("""() => {
            const stop = new AbortController();
            const aborted = fetch('04_backprop.html', {signal: stop.signal}).catch(() => null);
            setTimeout(() => stop.abort(), 1);
            console.error('a console error');
            return Promise.all([aborted, fetch('no-such-page.html'),
                                fetch('https://example.com/x.js').catch(() => null),
                                fetch('http://192.0.2.1/y.js').catch(() => null)]);
        }""")
        tab.quiet()
        problems = "\n".join(tab.problems())
        book = f"{site_url()}/book"
        for expected in (f"request failed: {book}/04_backprop.html: net::ERR_ABORTED",
                         f"error status: {book}/no-such-page.html: HTTP 404",
                         "asked the internet for https://example.com/x.js",
                         "asked the internet for http://192.0.2.1/y.js",
                         "console error: a console error"):
            assert expected in problems, f"{expected!r} is not among the problems:\n{problems}"
        refused = sorted(tab.blocked_failures)
        assert refused == ["http://192.0.2.1/y.js: net::ERR_PROXY_CONNECTION_FAILED",
                           "https://example.com/x.js: net::ERR_PROXY_CONNECTION_FAILED"], (
            f"the requests for the internet did not fail at the browser's proxy: {refused}")
    finally:
        tab.close()


# Run in a process of its own, so that a tab that never closes fails the test instead of hanging
# the run: a page that redirects at once, opened and settled, then opened and closed while it
# redirects (the moment when Chromium may never report a closed tab gone: OfflinePage.close).
REDIRECTS_SCRIPT = """
import sys
from pathlib import Path

from site_browser import OfflinePage, serve

url = serve(Path(sys.argv[1]))
for _ in range(3):
    tab = OfflinePage(f"{url}/go.html", shared=True)
    tab.settle(timeout_ms=30_000)
    assert tab.page.url == f"{url}/there.html", f"settled on {tab.page.url}"
    assert tab.problems() == [], tab.problems()
    tab.close()
for _ in range(int(sys.argv[2])):  # Chromium ignored about 4 in 10 of these closes (2026-12)
    OfflinePage(f"{url}/go.html", shared=True, wait_until="commit").close()
print("done")
"""


def test_a_tab_follows_a_redirect_and_closes_while_its_page_redirects(tmp_path):
    """index.html sends the reader on with ``<meta http-equiv="refresh" content="0; ...">``: its
    visit must wait for the page it goes to (not give up while the navigation is under way),
    and a tab closed in the middle of such a navigation must close (Chromium can leave such a
    close unanswered for ever: crbug.com/536385539)."""
    (tmp_path / "go.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>go</title>'
        '<meta http-equiv="refresh" content="0; url=there.html"></head>'
        "<body><p>On to the next page.</p></body></html>", encoding="utf-8")
    (tmp_path / "there.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>there</title></head>'
        "<body><p>Arrived.</p></body></html>", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    try:
        run = subprocess.run([sys.executable, "-c", REDIRECTS_SCRIPT, str(tmp_path), "10"], env=env,
                             capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"a tab of a redirecting page did not settle or close in 120 s:\n"
                    f"{(error.stderr or b'').decode(errors='replace')[-2000:]}", pytrace=False)
    assert run.returncode == 0 and run.stdout.strip() == "done", (
        f"following or closing a redirecting page failed:\n{run.stderr[-3000:]}")
