"""Drive the live widgets of a chapter page in headless Chromium, offline (tests and benchmarks).

A chapter's widget is a set of ipywidgets controls beside a view drawn by nnlib's JavaScript
(nnlib/widgets/live.py). On the built site the page's widget manager rebuilds both from the
state stored at build time; ``WidgetPage`` opens the page with every host but 127.0.0.1 cut
(tests/site_browser.py), waits until the view ``[data-widget=<name>]`` has drawn, and then:

- ``press(label, key, times)`` focuses a slider's handle (its ``role="slider"`` element, named
  by the slider's label) and presses a key: arrows move one step, PageUp/PageDown five, Home
  and End go to the ends;
- ``press_until(label, value)`` goes to the slider's start (Home) and presses PageUp, then
  ArrowRight, until its readout shows ``value``;
- ``drag(label, fraction)`` drags the handle with the mouse to a fraction of the track;
- ``choose(label, option)`` picks an option of a dropdown;
- ``value(label)`` is the slider's value as its readout shows it (what the reader sees);
- ``shown(key)`` is the text of the view's ``[data-value=key]`` element (the readout's numbers);
- ``alt()`` is the plot's text alternative (the ``aria-label`` of its ``svg[role=img]``);
- ``read(labels, keys, texts)``: all of these at once (a ``Reading``), in one call into the page.

A page with several widgets is loaded once: ``open_chapter(page)`` gives the settled tab (the
page served without MathJax) and ``WidgetPage(page, widget, tab=tab)`` drives one widget of it
(closing the tab is the caller's);
``Chapters`` keeps a module's pages, each loaded once at a phone's width for the phone test and
then widened for the other tests.

Every call into the page is a round trip through playwright's driver that costs CPU in three
processes, so the helpers find a control by its label and act on it in one call (``press``
focuses the handle from the page's own script, then presses the key as a reader's keyboard
does), and a test reads what it compares in one ``read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_browser import VIEWPORTS, OfflinePage, site_url

CONTROL = ".widget-slider, .widget-dropdown, .widget-inline-hbox"
# The first control (in the page's order) with a label that contains the text, as playwright's
# has_text matches (case aside, spaces squeezed), within ``area``.
FIND_CONTROL_JS = """
const findControl = (area, selector, label) => {
  const norm = text => text.replace(/\\s+/g, ' ').trim().toLowerCase();
  return [...area.querySelectorAll(selector)].find(el =>
    [...el.querySelectorAll('.widget-label')].some(l => norm(l.textContent).includes(norm(label))));
};
const controlValue = control => {
  if (!control) return null;
  // a readout as its number's text: trimmed, d3-format's minus sign made ASCII
  const readout = control.querySelector('.widget-readout');
  if (readout) return readout.innerText.trim().replace(/\u2212/g, '-');
  const menu = control.querySelector('select');
  if (menu) return menu.value.trim();
  const box = control.querySelector('input[type="text"], textarea');
  return box ? box.value : null;
};
"""
# control() and value() in one call: its readout or its menu's choice (null: no such control)
VALUE_JS = f"""
(area, [selector, label]) => {{
  {FIND_CONTROL_JS}
  return controlValue(findControl(area, selector, label));
}}
"""
# the handle of a slider, focused (false: no such control or handle)
FOCUS_JS = f"""
(area, [selector, label, which]) => {{
  {FIND_CONTROL_JS}
  const control = findControl(area, selector, label);
  const handle = control && control.querySelectorAll('[role="slider"]')[which];
  if (!handle) return false;
  handle.focus();
  return document.activeElement === handle;
}}
"""
# pick an option of a dropdown by its label, as playwright's select_option does; null, or what
# went wrong
CHOOSE_JS = f"""
(area, [selector, label, option]) => {{
  {FIND_CONTROL_JS}
  const control = findControl(area, selector, label);
  const menu = control && control.querySelector('select');
  if (!menu) return `no dropdown labelled ${{label}} next to the widget`;
  if (menu.disabled) return `the dropdown ${{label}} is disabled`;
  const options = [...menu.options];
  // playwright's matching: the label, or the label with spaces squeezed (ipywidgets writes
  // the options' spaces as no-break spaces)
  const squeeze = text => text.replace(/\\u200b/g, '').trim().replace(/\\s+/g, ' ');
  const chosen = options.find(o => o.label === option || squeeze(o.label) === squeeze(option));
  if (!chosen) return `the dropdown ${{label}} has no option ${{option}}: `
    + options.map(o => o.label).join(', ');
  if (chosen.disabled) return `the option ${{option}} of ${{label}} is disabled`;
  menu.value = undefined;
  chosen.selected = true;
  menu.dispatchEvent(new Event('input', {{bubbles: true, composed: true}}));
  menu.dispatchEvent(new Event('change', {{bubbles: true}}));
  return null;
}}
"""
# where to drag: the handle's centre and the track's box, the handle scrolled into view first
DRAG_BOXES_JS = f"""
(area, [selector, label, which]) => {{
  {FIND_CONTROL_JS}
  const control = findControl(area, selector, label);
  const handle = control && control.querySelectorAll('[role="slider"]')[which];
  const track = control && control.querySelector('.noUi-target, .slider');
  if (!handle || !track) return null;
  // as playwright's scroll_into_view_if_needed: only when the handle is not in view
  if (handle.scrollIntoViewIfNeeded) handle.scrollIntoViewIfNeeded(true);
  else handle.scrollIntoView({{block: 'center', inline: 'nearest'}});
  const box = el => {{ const r = el.getBoundingClientRect();
                      return {{x: r.x, y: r.y, width: r.width, height: r.height}}; }};
  return {{handle: box(handle), track: box(track)}};
}}
"""
# Everything a check compares, read at one moment: the controls' readouts, the view's
# [data-value] texts, its plot's text alternative and state, and the texts of other elements.
READ_JS = f"""
(area, [selector, widget, labels, keys, texts]) => {{
  {FIND_CONTROL_JS}
  const view = area.querySelector(`.nnlib-live[data-widget="${{widget}}"]`);
  const values = {{}}, shown = {{}}, found = {{}};
  for (const label of labels) values[label] = controlValue(findControl(area, selector, label));
  for (const key of keys) {{
    const el = view && view.querySelector(`[data-value="${{key}}"]`);
    shown[key] = el ? el.innerText.trim() : null;
  }}
  for (const css of texts) found[css] = view ? [...view.querySelectorAll(css)].map(
    el => el.innerText) : [];
  // a slider greyed out (its track disabled), for each label
  const disabled = {{}};
  for (const label of labels) {{
    const track = findControl(area, selector, label)?.querySelector('.noUi-target, .slider');
    disabled[label] = track ? track.hasAttribute('disabled') : null;
  }}
  const alts = view ? [...view.querySelectorAll('svg[role=img]')].map(
    svg => svg.getAttribute('aria-label') || '') : [];
  const dataset = view ? {{...view.dataset}} : {{}};
  return {{values, shown, texts: found, disabled, alts, dataset}};
}}
"""


# the phone screen of the tests (a common phone's width in CSS pixels), and a desktop's
PHONE = VIEWPORTS["phone"]
DESKTOP = VIEWPORTS["desktop"]
# the parts of a widget (controls, readouts, the view's plot and tables) that lie off a
# ``width``-wide screen, and how many parts there are
OFF_SCREEN_JS = """
(area, width) => {
  const parts = [...area.querySelectorAll(
    '.widget-slider, .widget-dropdown, .widget-label, .widget-readout, [role="slider"], select,'
    + ' button, .nnlib-readout, .nnlib-live svg, .nnlib-live td, .nnlib-samples')];
  const off = parts.map(el => {
    const box = el.getBoundingClientRect();
    const name = (el.className.baseVal ?? el.className) || el.tagName;
    return {what: `${el.tagName.toLowerCase()}.${String(name).split(' ')[0]}`,
            text: (el.textContent || '').trim().slice(0, 40),
            left: Math.round(box.left), right: Math.round(box.right)};
  }).filter(p => p.left < -1 || p.right > width + 1);
  return {count: parts.length, off};
}
"""
# a control's value once it differs from ``before`` (null if it has not within ``ms``)
CHANGED_VALUE_JS = f"""
(area, [selector, label, before, ms]) => {{
  {FIND_CONTROL_JS}
  const start = performance.now();
  return new Promise(done => {{
    const poll = () => {{
      const now = controlValue(findControl(area, selector, label));
      if (now !== before) done(now);
      else if (performance.now() - start > ms) done(null);
      else requestAnimationFrame(poll);
    }};
    poll();
  }});
}}
"""


def fits_a_phone(widget: WidgetPage, width: int = PHONE["width"]) -> None:
    """Every control, readout and plot of the widget lies within a ``width``-wide screen, and
    its plot or table is more than 200 px wide (the page is open at that width)."""
    widget.view.scroll_into_view_if_needed()
    seen = widget.element.evaluate(OFF_SCREEN_JS, width)
    assert seen["count"] >= 4, (
        f"{widget.widget}: found only {seen['count']} controls and readouts")
    assert seen["off"] == [], (
        f"{widget.widget} on a {width} px screen: parts off-screen: {seen['off']}")
    box = widget.view.locator("svg, table").first.bounding_box()
    assert box is not None and box["width"] > 200, f"{widget.widget}: its plot is {box}"


def open_chapter(page: str, viewport: dict | None = None) -> OfflinePage:
    """The page, offline, once it has settled (fonts, no request under way), served without
    MathJax (``site_url(stub="math")``, an empty file in its place).

    The widget tests drive the widgets, which need the widget manager and no typeset formula;
    typesetting a chapter's formulas is about half of the CPU of its load, and a third of these
    tests'. Each page's whole load, MathJax and the widgets together, is tested by its visit
    (tests/site_browser.py: no console error, every formula typeset, every widget drawn with
    its controls and its first plot; its layout by tests/test_site_layout.py)."""
    tab = OfflinePage(f"{site_url(stub='math')}/{page}", viewport=viewport)
    tab.settle(math=False)
    return tab


class Chapters:
    """The chapter pages a test module drives, each loaded once, at a phone's width.

    Loading a chapter (its widget manager, MathJax, every widget's view) costs seconds of CPU,
    so a module loads each of its pages once: its phone test (first in the module) checks the
    widgets as a phone shows them after loading, and its other tests widen the same tab to a
    desktop's (``desktop``) and drive the widgets there; the page's layout is CSS, which
    follows the width. Use as a module-scoped fixture; ``close()`` closes every tab.
    """

    def __init__(self):
        self.tabs: dict[str, OfflinePage] = {}

    def tab(self, page: str, viewport: dict) -> OfflinePage:
        if page not in self.tabs:
            self.tabs[page] = open_chapter(page, viewport=PHONE)
        tab = self.tabs[page]
        if tab.page.viewport_size != viewport:
            tab.page.set_viewport_size(viewport)
        return tab

    def phone(self, page: str) -> OfflinePage:
        return self.tab(page, PHONE)

    def desktop(self, page: str) -> OfflinePage:
        return self.tab(page, DESKTOP)

    def close(self) -> None:
        for tab in self.tabs.values():
            tab.close()


@dataclass
class Reading:
    """What the page showed at one moment (``WidgetPage.read``): ``values`` the controls'
    values (as ``WidgetPage.value``: a slider's readout, a menu's choice, a text box's text),
    ``shown_`` the view's ``[data-value]`` texts, ``texts`` the inner texts of the view's
    elements that each selector matched, ``disabled`` whether each control's slider is greyed
    out, ``alts`` the text alternatives of the view's plots (``svg[role=img]``), ``dataset``
    the view's ``data-*`` attributes."""

    values: dict[str, str | None]
    shown_: dict[str, str | None]
    texts: dict[str, list[str]]
    disabled: dict[str, bool | None]
    alts: list[str]
    dataset: dict[str, str]

    @property
    def alt(self) -> str:
        """The first plot's text alternative (as ``WidgetPage.alt()``)."""
        return self.alts[0] if self.alts else ""

    @property
    def state(self) -> str:
        return self.dataset.get("state", "")

    def value(self, label: str) -> str:
        found = self.values[label]
        assert found is not None, f"no control labelled {label!r} next to the widget"
        return found

    def shown(self, key: str) -> str:
        found = self.shown_[key]
        assert found is not None, f"the view shows no [data-value={key!r}]"
        return found


class WidgetPage:
    # the element of the page that holds one widget's controls and view (a cell's output)
    AREA = ".cell_output"

    def __init__(self, page: str, widget: str, viewport: dict | None = None,
                 tab: OfflinePage | None = None):
        """``widget`` of ``page``, on its own tab, or on ``tab`` (open_chapter's) if given."""
        self.own_tab = tab is None
        self.tab = open_chapter(page, viewport) if tab is None else tab
        self.page = self.tab.page
        self.widget = widget
        self.view = self.page.locator(f'.nnlib-live[data-widget="{widget}"]')
        self.view.wait_for(timeout=60_000)
        self.page.wait_for_function(
            "el => el.dataset.state", arg=self.view.element_handle(), timeout=30_000
        )
        self.attach()

    def attach(self) -> None:
        """Find the element that holds the view and its controls (``AREA``): ``area``, a
        locator, and ``element``, the element itself, which the helpers' calls into the page
        start from (a locator is found again on every call, which costs more than the call)."""
        # the cell output that holds the view also holds its controls
        self.area = self.page.locator(self.AREA, has=self.view)
        self.element = self.view.element_handle().evaluate_handle(
            "(el, area) => el.closest(area)", self.AREA)
        assert self.element.evaluate("el => !!el"), f"{self.widget}: no {self.AREA} holds it"

    def close(self) -> None:
        if self.own_tab:
            self.tab.close()

    def control(self, label: str):
        found = self.area.locator(
            CONTROL, has=self.page.locator(".widget-label", has_text=label)
        )
        count = found.count()
        assert count >= 1, f"no control labelled {label!r} next to the widget"
        return found.first

    def focus(self, label: str, which: int = 0) -> None:
        """Focus the slider's handle, as a reader's Tab key or click does."""
        focused = self.element.evaluate(FOCUS_JS, [CONTROL, label, which])
        assert focused, f"no slider handle {which} labelled {label!r} next to the widget"

    def press(self, label: str, key: str, times: int = 1, which: int = 0) -> None:
        self.focus(label, which)
        for _ in range(times):
            self.page.keyboard.press(key)

    def press_until(self, label: str, value: str, limit: int = 500) -> None:
        """Home, then keys until the slider's readout shows ``value``: PageUp (five steps)
        while that does not pass it, then ArrowRight (one step)."""
        def number(text: str) -> float | None:
            try:
                return float(text.replace(",", ""))
            except ValueError:
                return None

        self.press(label, "Home")  # the handle keeps the focus for the keys below
        target = number(value)
        key = "PageUp" if target is not None else "ArrowRight"
        now = self.value(label)
        for _ in range(limit):
            if now == value:
                return
            self.page.keyboard.press(key)
            before, now = now, self.value(label)
            if key == "PageUp" and (now == before or number(now) is None
                                    or number(now) > target):
                # past it (or at the end, or not a number): back, then one step at a time
                self.page.keyboard.press("PageDown")
                now, key = self.value(label), "ArrowRight"
        raise AssertionError(f"the slider {label!r} never shows {value!r} "
                             f"(at {now!r} after {limit} keys)")

    def drag(self, label: str, fraction: float, which: int = 0) -> None:
        """Press the mouse on the handle, move it to ``fraction`` of the track (in two moves:
        noUiSlider follows the pointer), let go."""
        boxes = self.element.evaluate(DRAG_BOXES_JS, [CONTROL, label, which])
        assert boxes, f"no slider handle {which} labelled {label!r} next to the widget"
        box, track = boxes["handle"], boxes["track"]
        y = box["y"] + box["height"] / 2
        self.page.mouse.move(box["x"] + box["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(track["x"] + fraction * track["width"], y, steps=2)
        self.page.mouse.up()

    def choose(self, label: str, option: str) -> None:
        """Pick the option labelled ``option`` of the dropdown ``label``, as playwright's
        select_option does (select it, then the input and change events)."""
        problem = self.element.evaluate(CHOOSE_JS, [CONTROL, label, option])
        assert problem is None, problem

    def value(self, label: str) -> str:
        # one call into the page (a test reads the controls after every move): the control
        # as control() finds it, then its readout's text or its menu's choice
        found = self.element.evaluate(VALUE_JS, [CONTROL, label])
        assert found is not None, f"no control labelled {label!r} next to the widget"
        return found

    def read(self, labels=(), keys=(), texts=()) -> Reading:
        """The readouts of the controls ``labels``, the view's ``[data-value]`` texts of
        ``keys``, the inner texts of every element of the view matching each CSS selector of
        ``texts``, and the plot's text alternative and the view's state: in one call."""
        got = self.element.evaluate(READ_JS, [CONTROL, self.widget, list(labels), list(keys),
                                           list(texts)])
        return Reading(got["values"], got["shown"], got["texts"], got["disabled"], got["alts"],
                       got["dataset"])

    def changed_value(self, label: str, before: str, timeout_ms: int = 10_000) -> str | None:
        """The control's value once it is no longer ``before`` (None: still after the
        timeout), for a control that follows the view (a two-way link)."""
        return self.element.evaluate(CHANGED_VALUE_JS, [CONTROL, label, before, timeout_ms])

    def shown(self, key: str) -> str:
        return self.view.locator(f'[data-value="{key}"]').first.inner_text().strip()

    def alt(self) -> str:
        return self.view.locator("svg[role=img]").first.get_attribute("aria-label") or ""

    def state(self) -> str:
        return self.view.get_attribute("data-state") or ""
