"""Chapter 1 of the built website, opened in headless Chromium with no internet.

The site is served from 127.0.0.1; every request to any other host is aborted, so a page that
still needs a CDN (MathJax, RequireJS, the widget manager, fonts) fails here. The test asserts
what a reader must see: typeset math, the plots, and the spam-email neuron's sliders drawn by
the widget manager from the state stored at build time, and its plot drawn live in the page.
A screenshot goes to test-artifacts/.

Needs Debian's Chromium (``apt-get install -y chromium``; .ci/run installs it) and the Python
package playwright, which drives it. No browser is ever downloaded. The built site, its local
server, the browser and the offline tab come from tests/site_browser.py, which the other browser
tests share (one Chromium per test process).
"""

from __future__ import annotations

import pytest
from book_site import toc_part
from site_browser import ARTIFACTS, OfflinePage, is_screenshot, save_screenshot, site_url

CHAPTER_1 = "book/01_perceptron"
SHOT = ARTIFACTS / "chapter1_offline.jpg"

# Without Chromium or playwright these tests skip, saying so; on CI they fail (conftest.py).
# The site's xdist group: one strict build per run for all workers (book_site.py); each module
# is a work unit of its own, which either worker may run (conftest.py, work_unit).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site"),
              pytest.mark.usefixtures("needs_browser")]


@pytest.fixture(scope="module")
def chapter_1():
    assert CHAPTER_1 in toc_part("Chapters"), f"_toc.yml does not list {CHAPTER_1} under Chapters"
    page = OfflinePage(f"{site_url()}/{CHAPTER_1}.html")
    # MathJax typesets after load; the widget manager renders after RequireJS loads it.
    page.settle()
    page.page.wait_for_selector(".jupyter-widgets .widget-slider", timeout=30_000)
    page.quiet()
    save_screenshot(page.page, SHOT)
    yield page
    page.close()


def test_chapter_1_makes_no_request_outside_localhost_and_none_fails(chapter_1):
    assert chapter_1.blocked == [], (
        "the page asked for resources outside the site (they must be served locally):\n"
        + "\n".join(chapter_1.blocked)
    )
    assert chapter_1.failed == [], "requests failed:\n" + "\n".join(chapter_1.failed)
    assert chapter_1.bad_status == [], "requests got an error status:\n" + "\n".join(
        chapter_1.bad_status
    )


def test_chapter_1_math_is_typeset_by_mathjax(chapter_1):
    page = chapter_1.page
    math_elements = page.locator(".math").count()
    assert math_elements > 0, "chapter 1 has no math at all (expected formulas such as the sum)"
    untypeset = page.evaluate(
        "() => [...document.querySelectorAll('.math')]"
        ".filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80))"
    )
    assert untypeset == [], (
        f"{len(untypeset)} of {math_elements} formulas were not typeset: {untypeset}"
    )
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error in a formula"


def test_chapter_1_plots_are_loaded_images(chapter_1):
    page = chapter_1.page
    images = page.evaluate(
        "() => [...document.querySelectorAll('main img')].map(img => ({"
        "src: img.currentSrc.slice(0, 100), complete: img.complete,"
        "width: img.naturalWidth, height: img.naturalHeight, alt: img.alt}))"
    )
    assert len(images) >= 2, f"expected the chapter's plots, found {len(images)} images: {images}"
    broken = [image for image in images if not (image["complete"] and image["width"] > 0)]
    assert broken == [], f"images that did not load: {broken}"
    cell_plots = page.locator(".cell_output img").count()
    assert cell_plots >= 2, f"expected at least 2 plots among the cell outputs, found {cell_plots}"


def test_spam_neuron_sliders_are_rendered_by_the_widget_manager(chapter_1):
    page = chapter_1.page
    sliders = page.evaluate(
        "() => [...document.querySelectorAll('.jupyter-widgets.widget-slider')].map(s => ({"
        "label: (s.querySelector('.widget-label') || {}).textContent || '',"
        "value: (s.querySelector('.widget-readout') || {}).textContent || ''}))"
    )
    # The spam neuron has three inputs, three weights and a bias: seven sliders at least.
    assert len(sliders) >= 7, f"expected the spam neuron's 7 sliders, the page shows {sliders}"
    labels = " | ".join(slider["label"] for slider in sliders)
    for needed in ("win", "link", "known sender", "w1", "w2", "w3", "bias"):
        assert needed in labels.lower(), f"no slider for {needed!r} among: {labels}"
    assert all(slider["value"].strip() for slider in sliders), f"a slider shows no value: {sliders}"
    # The widgets' views (nnlib/widgets/live.py) draw their plots in the page, offline.
    page.wait_for_selector('.nnlib-live[data-widget="spam_neuron"] svg[role="img"]')
    plots = page.evaluate(
        "() => [...document.querySelectorAll('.nnlib-live svg[role=img]')]"
        ".map(svg => svg.getAttribute('aria-label'))"
    )
    assert len(plots) >= 2 and all(plots), f"the widgets' plots were not drawn: {plots}"
    assert any("P(spam) = 0.97" in alt for alt in plots), f"no spam gauge at 0.97 in {plots}"


def test_screenshot_of_chapter_1_is_saved(chapter_1):
    assert is_screenshot(SHOT), f"no usable screenshot (a JPEG of more than 10 kB) at {SHOT}"
