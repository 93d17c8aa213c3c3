"""How fast the live widgets of the website redraw when a reader moves a control.

Each widget's chapter page is opened in headless Chromium (the system's ``chromium``) from a
local server with every other host cut, as in tests/test_site_widgets.py. A control is moved
with the keyboard (ArrowRight / ArrowLeft, alternately) ``MOVES`` times; for each move the page
records, with ``performance.now()``:

- ``redraw``: from the key press to the moment the widget's view has changed the page (the
  widget manager has passed the value through the link and nnlib's JavaScript has computed and
  drawn the plot and the readout): what the reader waits for after moving the slider;
- ``slider``: from the key press to the moment the slider's own readout shows the new value
  (the widget manager alone, measured on the same moves): the reference of the same run.

Printed per widget: medians in ms, ``redraw / 16.7 ms`` (one frame at 60 Hz: the target is
at most 1) and ``redraw / slider`` (how much the view adds to what the widget manager costs
anyway). Timings on a shared, loaded machine vary from run to run; compare ratios.

Usage (builds the site unless SITE_HTML points at a built one)::

    SITE_HTML=_build/html .venv/bin/python benchmarks/bench_widgets.py [MOVES]

Writes benchmarks/results/widgets.json (and playground.json: the playground's training in the
page, measured by bench_playground_page.py). To add a widget: one ``Case`` in ``CASES`` (the page,
the view's ``data-widget`` name, the label of the control to move). A measurement of another
kind (e.g. training in the page) adds its own function and its rows to ``main``.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT), str(ROOT / "benchmarks")]

from widget_page import WidgetPage  # noqa: E402

FRAME_MS = 1000 / 60


@dataclass(frozen=True)
class Case:
    page: str
    widget: str  # the view's data-widget name
    control: str  # the label of the slider to move


CASES = [
    Case("book/01_perceptron.html", "spam_neuron", "weight w1"),
    Case("book/01_perceptron.html", "decision_boundary", "b"),
    Case("book/02_layers.html", "network_builder", "units in hidden 1"),
    Case("book/03_activations.html", "temperature", "T"),
    Case("book/03_activations.html", "activation_explorer", "x from, to"),
    Case("book/04_backprop.html", "learning_rate", "learning rate"),
    Case("book/04_backprop.html", "learning_rate", "steps"),
    Case("book/05_scale.html", "training_time", "devices"),
]

RECORDER_JS = """
([view, readout]) => {
  const log = {start: 0, view: null, slider: null, samples: []};
  window.__nnlibBench = log;
  document.addEventListener('keydown', () => {
    log.start = performance.now(); log.view = null; log.slider = null;
  }, true);
  const done = () => {
    if (log.view !== null && log.slider !== null) {
      log.samples.push({redraw: log.view, slider: log.slider});
      log.start = 0;
    }
  };
  new MutationObserver(() => {
    if (log.start && log.view === null) { log.view = performance.now() - log.start; done(); }
  }).observe(view, {childList: true, subtree: true, characterData: true});
  new MutationObserver(() => {
    if (log.start && log.slider === null) { log.slider = performance.now() - log.start; done(); }
  }).observe(readout, {childList: true, subtree: true, characterData: true});
}
"""


def measure(case: Case, moves: int) -> dict:
    widget = WidgetPage(case.page, case.widget)
    try:
        widget.press(case.control, "Home")
        readout = widget.control(case.control).locator(".widget-readout").first
        widget.page.evaluate(
            RECORDER_JS, [widget.view.element_handle(), readout.element_handle()]
        )
        for i in range(moves):
            widget.press(case.control, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
            widget.page.wait_for_function(f"window.__nnlibBench.samples.length >= {i + 1}")
        samples = widget.page.evaluate("window.__nnlibBench.samples")
        problems = widget.tab.problems()
    finally:
        widget.close()
    redraw = statistics.median(s["redraw"] for s in samples)
    slider = statistics.median(s["slider"] for s in samples)
    return {
        "page": case.page, "widget": case.widget, "control": case.control,
        "moves": len(samples), "redraw_ms": redraw, "slider_ms": slider,
        "redraw_per_frame": redraw / FRAME_MS,
        "redraw_per_slider": redraw / slider if slider else float("nan"),
        "max_redraw_ms": max(s["redraw"] for s in samples),
        "problems": problems,
    }


def main(argv: list[str]) -> int:
    moves = int(argv[0]) if argv else 40
    rows = [measure(case, moves) for case in CASES]
    print(f"{'widget':22} {'control':20} {'moves':>5} {'redraw ms':>10} {'slider ms':>10} "
          f"{'/frame':>7} {'/slider':>8}")
    for row in rows:
        print(f"{row['widget']:22} {row['control']:20} {row['moves']:>5} "
              f"{row['redraw_ms']:>10.2f} {row['slider_ms']:>10.2f} "
              f"{row['redraw_per_frame']:>7.2f} {row['redraw_per_slider']:>8.2f}"
              + ("  OVER ONE FRAME" if row["redraw_per_frame"] > 1 else "")
              + (f"  PROBLEMS: {row['problems']}" if row["problems"] else ""))
    print(f"\nmedian over {moves} keyboard moves per widget; frame = {FRAME_MS:.1f} ms (60 Hz); "
          "/slider: redraw time over the widget manager's own slider update (same moves)")
    # The playground is not redrawn per slider move: it trains when Train is pressed
    # (benchmarks/bench_playground_page.py: 100 epochs in the page vs nnlib's fit).
    from bench_playground_page import measure as measure_playground
    from bench_playground_page import report as report_playground

    print()
    playground = measure_playground(repeats=5, verbose=False)
    report_playground(playground)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "widgets.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (results / "playground.json").write_text(json.dumps(playground, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
