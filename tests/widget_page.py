"""Drive the live widgets of a chapter page in headless Chromium, offline (tests and benchmarks).

A chapter's widget is a set of ipywidgets controls beside a view drawn by nnlib's JavaScript
(nnlib/widgets/live.py). On the built site the page's widget manager rebuilds both from the
state stored at build time; ``WidgetPage`` opens the page with every host but 127.0.0.1 cut
(tests/site_browser.py), waits until the view ``[data-widget=<name>]`` has drawn, and then:

- ``press(label, key, times)`` focuses a slider's handle (its ``role="slider"`` element, named
  by the slider's label) and presses a key: arrows move one step, PageUp/PageDown five, Home
  and End go to the ends;
- ``drag(label, fraction)`` drags the handle with the mouse to a fraction of the track;
- ``choose(label, option)`` picks an option of a dropdown;
- ``value(label)`` is the slider's value as its readout shows it (what the reader sees);
- ``shown(key)`` is the text of the view's ``[data-value=key]`` element (the readout's numbers);
- ``alt()`` is the plot's text alternative (the ``aria-label`` of its ``svg[role=img]``).
"""

from __future__ import annotations

from site_browser import OfflinePage, site_url

CONTROL = ".widget-slider, .widget-dropdown, .widget-inline-hbox"
# control() and value() in one call: the first control with a label that contains the text
# (as playwright's has_text matches: case aside, spaces squeezed), its readout or its menu
VALUE_JS = """
(area, [selector, label]) => {
  const norm = text => text.replace(/\\s+/g, ' ').trim().toLowerCase();
  const control = [...area.querySelectorAll(selector)].find(el =>
    [...el.querySelectorAll('.widget-label')].some(l => norm(l.textContent).includes(norm(label))));
  if (!control) return null;
  const readout = control.querySelector('.widget-readout');
  if (readout) return readout.innerText;
  const menu = control.querySelector('select');
  return menu ? menu.value : null;
}
"""


class WidgetPage:
    def __init__(self, page: str, widget: str, viewport: dict | None = None):
        self.tab = OfflinePage(f"{site_url()}/{page}", viewport=viewport)
        self.page = self.tab.page
        self.tab.settle()
        self.view = self.page.locator(f'.nnlib-live[data-widget="{widget}"]')
        self.view.wait_for(timeout=60_000)
        self.page.wait_for_function(
            "el => el.dataset.state", arg=self.view.element_handle(), timeout=30_000
        )
        # the cell output that holds the view also holds its controls
        self.area = self.page.locator(".cell_output", has=self.view)

    def close(self) -> None:
        self.tab.close()

    def control(self, label: str):
        found = self.area.locator(
            CONTROL, has=self.page.locator(".widget-label", has_text=label)
        )
        count = found.count()
        assert count >= 1, f"no control labelled {label!r} next to the widget"
        return found.first

    def handle(self, label: str, which: int = 0):
        """The slider's handle (a range slider has two: which=0 the lower, 1 the upper)."""
        return self.control(label).locator('[role="slider"]').nth(which)

    def press(self, label: str, key: str, times: int = 1, which: int = 0) -> None:
        handle = self.handle(label, which)
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def drag(self, label: str, fraction: float, which: int = 0) -> None:
        handle = self.handle(label, which)
        handle.scroll_into_view_if_needed()
        track = self.control(label).locator(".noUi-target, .slider").first.bounding_box()
        box = handle.bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.page.mouse.down()
        target = track["x"] + fraction * track["width"]
        self.page.mouse.move(target, box["y"] + box["height"] / 2, steps=5)
        self.page.mouse.up()

    def choose(self, label: str, option: str) -> None:
        self.control(label).locator("select").select_option(label=option)

    def value(self, label: str) -> str:
        # one call into the page (a test reads the controls after every move): the control
        # as control() finds it, then its readout's text or its menu's choice
        found = self.area.evaluate(VALUE_JS, [CONTROL, label])
        assert found is not None, f"no control labelled {label!r} next to the widget"
        return found.strip().replace("\u2212", "-")  # d3-format's minus sign

    def shown(self, key: str) -> str:
        return self.view.locator(f'[data-value="{key}"]').first.inner_text().strip()

    def alt(self) -> str:
        return self.view.locator("svg[role=img]").first.get_attribute("aria-label") or ""

    def state(self) -> str:
        return self.view.get_attribute("data-state") or ""
