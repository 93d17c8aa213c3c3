"""How fast the live widgets of the website redraw when a reader moves a control.

Each widget's chapter page is opened in headless Chromium (the system's ``chromium``) from a
local server with every other host cut, as in tests/test_site_widgets.py. A control is moved
with the keyboard (ArrowRight / ArrowLeft, alternately) ``MOVES`` times; for each move the page
records, with ``performance.now()``:

- ``redraw``: from the key press to the moment the widget's view has changed the page (the
  widget manager has moved the slider, passed the value through the link, and nnlib's
  JavaScript has computed and drawn the plot and the readout): what the reader waits for;
- ``draw``: the part of it spent in nnlib's JavaScript (computing and drawing; the view
  records it in ``data-draw-ms``);
- ``manager``: the rest, ``redraw - draw``: the key event, noUiSlider and the widget manager,
  the reference measured on the same moves (what any ipywidgets slider costs).

Printed per widget: medians in ms, ``redraw / 16.7 ms`` (one frame at 60 Hz: the target is
at most 1) and ``draw / manager`` (what our drawing adds, relative to the widget manager's
own cost). Timings on a shared, loaded machine vary from run to run; compare ratios.

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
    Case("book/07_language_model.html", "attention_explorer", "softmax temperature"),
    Case("book/07_language_model.html", "next_char", "temperature"),
]

RECORDER_JS = """
(view) => {
  const log = {start: 0, samples: []};
  window.__nnlibBench = log;
  document.addEventListener('keydown', () => { log.start = performance.now(); }, true);
  new MutationObserver(() => {
    if (!log.start) return;
    const redraw = performance.now() - log.start;
    log.start = 0;
    log.samples.push({redraw, draw: Number(view.dataset.drawMs)});
  }).observe(view, {childList: true, subtree: true, characterData: true});
}
"""


def measure(case: Case, moves: int) -> dict:
    widget = WidgetPage(case.page, case.widget)
    try:
        widget.press(case.control, "Home")
        widget.page.wait_for_timeout(200)
        widget.view.evaluate(RECORDER_JS)
        for i in range(moves):
            widget.press(case.control, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
            widget.page.wait_for_function(f"window.__nnlibBench.samples.length >= {i + 1}")
        samples = widget.page.evaluate("window.__nnlibBench.samples")
        problems = widget.tab.problems()
    finally:
        widget.close()
    redraw = statistics.median(s["redraw"] for s in samples)
    draw = statistics.median(s["draw"] for s in samples)
    manager = statistics.median(s["redraw"] - s["draw"] for s in samples)
    return {
        "page": case.page, "widget": case.widget, "control": case.control,
        "moves": len(samples), "redraw_ms": redraw, "draw_ms": draw, "manager_ms": manager,
        "redraw_per_frame": redraw / FRAME_MS,
        "draw_per_manager": draw / manager if manager > 0 else float("nan"),
        "max_redraw_ms": max(s["redraw"] for s in samples),
        "problems": problems,
    }


def main(argv: list[str]) -> int:
    moves = int(argv[0]) if argv else 40
    rows = [measure(case, moves) for case in CASES]
    print(f"{'widget':22} {'control':18} {'moves':>5} {'redraw ms':>9} {'draw ms':>8} "
          f"{'manager ms':>10} {'redraw/frame':>12} {'draw/manager':>12}")
    for row in rows:
        print(f"{row['widget']:22} {row['control']:18} {row['moves']:>5} "
              f"{row['redraw_ms']:>9.2f} {row['draw_ms']:>8.2f} {row['manager_ms']:>10.2f} "
              f"{row['redraw_per_frame']:>12.2f} {row['draw_per_manager']:>12.2f}"
              + ("  OVER ONE FRAME" if row["redraw_per_frame"] > 1 else "")
              + (f"  PROBLEMS: {row['problems']}" if row["problems"] else ""))
    print(f"\nmedians over {moves} keyboard moves per widget; frame = {FRAME_MS:.1f} ms (60 Hz); "
          "redraw = key press to view updated = draw (nnlib's JavaScript) + manager (the rest)")
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
