// The learning-rate widget (chapter 4), drawn in the page: gradient descent on the one-weight
// loss L(w) = (w - 3)^2 + 1. The numbers come from learningRateState in gradient_descent.js, which
// mirrors nnlib.widgets.training.learning_rate_state; the two plots mirror draw_learning_rate.
// Traits: lr_index (the learning-rate slider's position), steps; data = {lr_options, w0}.
import { PALETTE, axes, escapeHtml, liveArea, marker, redrawOn, scale, text, ticks, uniqueId } from "./svg.js";
import { format } from "./format.js";
import { W_BEST, learningRateState, loss1d } from "./gradient_descent.js";
import { addRowStyle } from "./row_layout.js";

// "w = 2.954" or "w beyond ±1e6", as draw_learning_rate's title says it
const whereW = (w) => (Number.isFinite(w) ? `w = ${format(w, ".4g")}` : "w beyond ±1e6");

// Left: the loss curve with the path of w on it (draw_learning_rate's first panel).
function curvePlot(state, lr, id) {
  const { path, losses } = state;
  const finite = path.filter(Number.isFinite);
  let low = Math.min(-2.0, Math.min(...finite) - 0.5);
  let high = Math.max(8.0, Math.max(...finite) + 0.5);
  low = Math.max(low, -12.0); high = Math.min(high, 18.0);   // a diverging path leaves the window
  const yMax = loss1d(W_BEST - low > high - W_BEST ? low : high) * 1.05;
  const left = 56, top = 30, width = 300, height = 220;
  const xs = scale(low, high, left, left + width), ys = scale(0, yMax, top + height, top);
  let svg = `<svg viewBox="0 0 380 330" xmlns="http://www.w3.org/2000/svg">`;
  svg += `<clipPath id="${id}-c"><rect x="${left}" y="${top}" width="${width}" height="${height}"/></clipPath>`;
  const curve = [];
  for (let i = 0; i <= 200; i++) {
    const w = low + (high - low) * i / 200;
    curve.push(`${xs(w).toFixed(1)},${ys(loss1d(w)).toFixed(1)}`);
  }
  svg += `<polyline points="${curve.join(" ")}" fill="none" stroke="${PALETTE[0]}" stroke-width="2" clip-path="url(#${id}-c)"/>`;
  svg += `<line x1="${xs(W_BEST)}" y1="${top}" x2="${xs(W_BEST)}" y2="${top + height}" stroke="black" stroke-dasharray="2 3"/>`;
  const inside = path.map((w, i) => [w, losses[i]]).filter(([w]) => Number.isFinite(w) && w >= low && w <= high);
  if (inside.length > 1) {
    svg += `<polyline points="${inside.map(([w, l]) => `${xs(w).toFixed(1)},${ys(l).toFixed(1)}`).join(" ")}" fill="none" stroke="${PALETTE[3]}" stroke-width="1.2" stroke-dasharray="6 3" clip-path="url(#${id}-c)"/>`;
  }
  svg += `<g clip-path="url(#${id}-c)">${inside.map(([w, l]) => marker("o", xs(w), ys(l), 7, PALETTE[3])).join("")}</g>`;
  svg += marker("s", xs(path[0]), ys(losses[0]), 11, PALETTE[1]);
  svg += axes({ left, top, width, height, xs, ys, xTicks: ticks(low, high, 5), yTicks: ticks(0, yMax, 4),
    xLabel: "w", yLabel: "loss L(w)", format: (v) => format(v, "g"),
    title: `lr = ${format(lr, ".3g")}: ${state.verdict} (${whereW(path[path.length - 1])})` });
  const ly = top + height + 50;   // legend
  svg += `<line x1="${left}" y1="${ly}" x2="${left + 22}" y2="${ly}" stroke="${PALETTE[0]}" stroke-width="2"/>` + text(left + 27, ly + 4, "L(w) = (w - 3)² + 1", 'font-size="11"');
  svg += marker("o", left + 150, ly, 7, PALETTE[3]) + text(left + 158, ly + 4, "w after each step", 'font-size="11"');
  svg += marker("s", left + 270, ly, 10, PALETTE[1]) + text(left + 278, ly + 4, "start", 'font-size="11"');
  return `${svg}</svg>`;
}

// Right: the height above the minimum after each step, on a log axis (second panel).
function stepsPlot(state) {
  const heights = state.losses.map((l) => (Number.isFinite(l) ? l - 1.0 + 1e-12 : NaN));
  const shown = heights.filter(Number.isFinite);
  const lo = Math.floor(Math.log10(Math.min(...shown))), hi = Math.ceil(Math.log10(Math.max(...shown)));
  const top10 = hi > lo ? hi : lo + 1;
  const left = 60, top = 30, width = 290, height = 220, n = heights.length - 1;
  const xs = scale(0, Math.max(n, 1), left, left + width), ys = scale(lo, top10, top + height, top);
  let svg = `<svg viewBox="0 0 380 300" xmlns="http://www.w3.org/2000/svg">`;
  const pts = heights.map((h, k) => [k, h]).filter(([, h]) => Number.isFinite(h));
  svg += `<polyline points="${pts.map(([k, h]) => `${xs(k).toFixed(1)},${ys(Math.log10(h)).toFixed(1)}`).join(" ")}" fill="none" stroke="${PALETTE[3]}" stroke-dasharray="6 3"/>`;
  svg += pts.map(([k, h]) => marker("o", xs(k), ys(Math.log10(h)), 6, PALETTE[3])).join("");
  const step = Math.max(1, Math.ceil((top10 - lo) / 5));
  const yTicks = [];
  for (let e = lo; e <= top10; e += step) yTicks.push(e);
  svg += axes({ left, top, width, height, xs, ys, xTicks: ticks(0, Math.max(n, 1), 5),
    xLabel: "step", yLabel: "L(w) - 1 (log scale)", format: (v) => String(v),
    title: `each step multiplies w - 3 by 1 - 2·lr = ${format(state.factor, ".3g")}` });
  for (const e of yTicks) {                  // tick labels 1e-8, 1e-4, ... on the log axis
    svg += `<line x1="${left - 4}" y1="${ys(e)}" x2="${left}" y2="${ys(e)}" stroke="black"/>`;
    svg += text(left - 6, ys(e) + 4, `1e${e}`, 'text-anchor="end" font-size="11"');
  }
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    addRowStyle();
    const area = liveArea(el, { name: "learning_rate", width: 780 });
    const id = uniqueId("lr");
    return redrawOn(model, ["lr_index", "steps", "data"], area, () => {
      const { lr_options: options, w0 } = model.get("data");
      const index = Math.min(Math.max(model.get("lr_index"), 0), options.length - 1);
      const lr = options[index], steps = model.get("steps");
      const state = learningRateState(lr, steps, w0);
      const wEnd = state.path[state.path.length - 1];
      const lossEnd = state.losses[state.losses.length - 1];
      const readout = `Learning rate <b data-value="lr">${format(lr, "g")}</b>, ` +
        `<span data-value="steps">${steps}</span> steps from w = ${format(w0, "g")}: ` +
        `<b data-value="verdict">${escapeHtml(state.verdict)}</b>. After the last step ` +
        `<span data-value="w_final">${escapeHtml(whereW(wEnd))}</span>, loss ` +
        `<span data-value="loss_final">${format(lossEnd, ".4g")}</span> (the lowest is 1, at w = 3); ` +
        `each step multiplies the distance to 3 by <span data-value="factor">${format(state.factor, ".3g")}</span>.`;
      const path = state.path.slice(0, 6).map((w) => (Number.isFinite(w) ? format(w, ".4g") : "±inf"));
      const alt1 = `The loss curve L(w) = (w - 3)² + 1 with the path of w drawn on it: w goes ` +
        `${path.join(", ")}${state.path.length > 6 ? ", ..." : ""} and ends at ${whereW(wEnd)}; verdict: ${state.verdict}.`;
      const alt2 = `The height of the loss above its minimum after each of the ${steps} steps, on a ` +
        `logarithmic axis: from ${format(state.losses[0] - 1, ".4g")} to ${format(lossEnd - 1, ".4g")}.`;
      const svg = `<div class="nnlib-row">${curvePlot(state, lr, id)}${stepsPlot(state).replace("<svg ", `<svg role="img" aria-label="${escapeHtml(alt2)}" `)}</div>`;
      area.show(svg, alt1, readout);
    });
  },
};
