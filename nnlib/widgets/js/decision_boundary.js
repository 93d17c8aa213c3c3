// The decision boundary of a two-input neuron (chapter 1), drawn in the page.
// Mirrors nnlib.widgets.neuron.boundary_state: the neuron says 1 where w1*x1 + w2*x2 + b >= 0
// (the step activation), so the boundary is the line w1*x1 + w2*x2 + b = 0; a point is on the
// wrong side when that prediction differs from its label. The traits w1, w2, b follow the
// sliders; data = {X: [[x1, x2], ...], y: [0 or 1, ...], xlim: [lo, hi], ylim: [lo, hi]}.
import { PALETTE, axes, escapeHtml, hatchDefs, liveArea, marker, redrawOn, scale, snap, text, ticks, uniqueId } from "./svg.js";
import { format } from "./format.js";

const MARKERS = ["o", "s"]; // nnlib.plots.MARKERS, one per label

// nnlib.widgets.neuron._clip_line_to_box: the segment of the line inside the box, or null.
export function clipLineToBox(w1, w2, b, xlim, ylim) {
  const points = [];
  if (w2 !== 0) {
    for (const x1 of xlim) {
      const x2 = -(w1 * x1 + b) / w2;
      if (ylim[0] <= x2 && x2 <= ylim[1]) points.push([x1, x2]);
    }
  }
  if (w1 !== 0) {
    for (const x2 of ylim) {
      const x1 = -(w2 * x2 + b) / w1;
      if (xlim[0] <= x1 && x1 <= xlim[1]) points.push([x1, x2]);
    }
  }
  const close = (a, c) => Math.abs(a - c) <= 1e-8 + 1e-5 * Math.abs(c); // np.allclose
  const unique = [];
  for (const p of points) {
    if (!unique.some((q) => close(p[0], q[0]) && close(p[1], q[1]))) unique.push(p);
  }
  // + 0 turns -0 into 0, as + 0.0 does in nnlib
  return unique.length < 2 ? null : unique.slice(0, 2).map(([a, c]) => [a + 0, c + 0]);
}

// nnlib.widgets.neuron.boundary_state
export function boundaryState(w1, w2, b, X, y, xlim, ylim) {
  const predictions = X.map(([x1, x2]) => (x1 * w1 + x2 * w2 + b >= 0 ? 1 : 0));
  const misclassified = predictions.map((p, i) => p !== y[i]);
  return {
    line: clipLineToBox(w1, w2, b, xlim, ylim),
    predictions,
    misclassified,
    n_errors: misclassified.filter(Boolean).length,
  };
}

// The part of the box where the neuron says 1 (a polygon; Sutherland-Hodgman with one edge).
function halfPlane(w1, w2, b, xlim, ylim, sign) {
  const box = [[xlim[0], ylim[0]], [xlim[1], ylim[0]], [xlim[1], ylim[1]], [xlim[0], ylim[1]]];
  const f = ([x1, x2]) => sign * (w1 * x1 + w2 * x2 + b);
  const inside = (p) => (sign > 0 ? f(p) >= 0 : f(p) > 0);
  const out = [];
  box.forEach((p, i) => {
    const q = box[(i + 1) % box.length];
    if (inside(p)) out.push(p);
    if (inside(p) !== inside(q)) {
      const t = f(p) / (f(p) - f(q));
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  });
  return out;
}

function plot(w1, w2, b, state, X, y, xlim, ylim, id, title) {
  const size = 420, left = 50, top = 40, side = 320;
  const xs = scale(xlim[0], xlim[1], left, left + side);
  const ys = scale(ylim[0], ylim[1], top + side, top);
  let svg = `<svg viewBox="0 0 ${size} ${size + 70}" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  svg += `<clipPath id="${id}-box"><rect x="${left}" y="${top}" width="${side}" height="${side}"/></clipPath>`;
  for (const [sign, colour, hatch] of [[1, PALETTE[1], "lines"], [-1, PALETTE[0], "dots"]]) {
    const poly = halfPlane(w1, w2, b, xlim, ylim, sign);
    if (poly.length < 3) continue;
    const pts = poly.map(([a, c]) => `${xs(a)},${ys(c)}`).join(" ");
    svg += `<polygon points="${pts}" fill="${colour}" fill-opacity="0.25"/>`;
    svg += `<polygon points="${pts}" fill="url(#${id}-${hatch})" opacity="0.35"/>`;
  }
  if (state.line) {
    const [[a1, a2], [c1, c2]] = state.line;
    svg += `<line x1="${xs(a1)}" y1="${ys(a2)}" x2="${xs(c1)}" y2="${ys(c2)}" stroke="black" stroke-width="2.5" clip-path="url(#${id}-box)"/>`;
  }
  X.forEach(([x1, x2], i) => {
    svg += marker(MARKERS[y[i]] || "o", xs(x1), ys(x2), 14, PALETTE[y[i]] || PALETTE[7]);
    if (state.misclassified[i]) {
      svg += `<circle cx="${xs(x1)}" cy="${ys(x2)}" r="15" fill="none" stroke="black" stroke-width="1.5" stroke-dasharray="4 3"/>`;
    }
  });
  svg += axes({ left, top, width: side, height: side, xs, ys, xTicks: ticks(...xlim, 4), yTicks: ticks(...ylim, 4),
    xLabel: "x1", yLabel: "x2", title, format: (v) => format(v, "g") });
  // legend, below the plot
  const ly = top + side + 50;
  svg += marker("o", left + 5, ly, 11, PALETTE[0]) + text(left + 14, ly + 4, "label 0", 'font-size="11"');
  svg += marker("s", left + 75, ly, 11, PALETTE[1]) + text(left + 84, ly + 4, "label 1", 'font-size="11"');
  svg += `<circle cx="${left + 150}" cy="${ly}" r="7" fill="none" stroke="black" stroke-dasharray="3 2"/>` + text(left + 160, ly + 4, "wrong side", 'font-size="11"');
  svg += `<rect x="${left + 230}" y="${ly - 12}" width="14" height="10" fill="${PALETTE[1]}" fill-opacity="0.35" stroke="black"/>` +
    `<rect x="${left + 230}" y="${ly - 12}" width="14" height="10" fill="url(#${id}-lines)"/>` + text(left + 248, ly - 3, "neuron says 1 (//)", 'font-size="11"');
  svg += `<rect x="${left + 230}" y="${ly + 2}" width="14" height="10" fill="${PALETTE[0]}" fill-opacity="0.35" stroke="black"/>` +
    `<rect x="${left + 230}" y="${ly + 2}" width="14" height="10" fill="url(#${id}-dots)"/>` + text(left + 248, ly + 11, "neuron says 0 (..)", 'font-size="11"');
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "decision_boundary", width: 420 });
    const id = uniqueId("boundary");
    return redrawOn(model, ["w1", "w2", "b", "data"], area, () => {
      const { X, y, xlim, ylim } = model.get("data");
      // the values the sliders show (step 0.1, shown with 2 decimals)
      const [w1, w2, b] = ["w1", "w2", "b"].map((name) => snap(model.get(name), 2));
      const state = boundaryState(w1, w2, b, X, y, xlim, ylim);
      const equation = `${format(w1, ".1f")}·x1 + ${format(w2, ".1f")}·x2 + (${format(b, ".1f")}) = 0`;
      const wrong = X.filter((_, i) => state.misclassified[i]).map(([a, c]) => `(${format(a, "g")}, ${format(c, "g")})`);
      let readout = `<code>${escapeHtml(equation)}</code>: <b data-value="n_errors">${state.n_errors} of ${X.length}</b> points on the wrong side` +
        (wrong.length ? ` (${wrong.join(", ")})` : "") + ".";
      let lineWords;
      if (state.line) {
        const [[a1, a2], [c1, c2]] = state.line;
        lineWords = `The line runs from (${format(a1, ".2f")}, ${format(a2, ".2f")}) to (${format(c1, ".2f")}, ${format(c2, ".2f")})`;
      } else {
        const everywhere = b >= 0 && w1 === 0 && w2 === 0 ? "1" : w1 === 0 && w2 === 0 ? "0" : null;
        lineWords = everywhere !== null
          ? `With w1 = w2 = 0 there is no line: the neuron says ${everywhere} for every point`
          : "The line does not cross the plotted square: the neuron says the same for every point shown";
        readout += ` <span class="nnlib-note" data-value="no_line">${escapeHtml(lineWords)}.</span>`;
      }
      const title = `${state.n_errors} point(s) on the wrong side`;
      const alt = `Plot of the ${X.length} points and the neuron's decision line ${equation}. ${lineWords}. ` +
        `The side where the neuron says 1 is hatched //. ${state.n_errors} of ${X.length} points are on the wrong side` +
        (wrong.length ? `: ${wrong.join(", ")}.` : ".");
      area.show(plot(w1, w2, b, state, X, y, xlim, ylim, id, title), alt, readout);
    });
  },
};
