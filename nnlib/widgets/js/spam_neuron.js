// The spam-email neuron of chapter 1, drawn in the page.
// Mirrors nnlib.widgets.neuron.spam_neuron_state (z = x . w + b, nnlib.neuron.weighted_sum;
// p = nnlib.activations.sigmoid(z); verdict "spam" when p >= 0.5) and the readout and chart of
// spam_neuron_widget. The traits x1, x2, x3, w1, w2, w3, b follow the sliders (jsdlink).
import { PALETTE, axes, escapeHtml, hatchDefs, liveArea, redrawOn, scale, snap, text, uniqueId } from "./svg.js";
import { format } from "./format.js";

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const NAMES = ["Win $$$", "links", "known sender", "bias"];

// nnlib.activations.sigmoid: from e = exp(-|z|), so nothing overflows.
export function sigmoid(z) {
  const e = Math.exp(-Math.abs(z));
  const r = 1 / (1 + e);
  return z >= 0 ? r : e * r;
}

// nnlib.widgets.neuron.spam_neuron_state
export function spamNeuronState(inputs, weights, bias) {
  const contributions = inputs.map((x, i) => x * weights[i]);
  const z = inputs[0] * weights[0] + inputs[1] * weights[1] + inputs[2] * weights[2] + bias;
  const p = sigmoid(z);
  return { contributions, weighted_sum: z, probability: p, verdict: p >= 0.5 ? "spam" : "not spam" };
}

function chart(state, bias, id) {
  const W = 640, H = 250;
  const values = [...state.contributions, bias].map((v) => v + 0.0);
  const left = 110, top = 40, width = 380, height = 150;
  const xs = scale(-7.5, 7.5, left, left + width);
  const rowH = height / values.length;
  let svg = `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  svg += axes({ left, top, width, height, xs, ys: (v) => v, xTicks: [-6, -4, -2, 0, 2, 4, 6],
    xLabel: "adds to the weighted sum (hatched // : towards spam)",
    title: `weighted sum z = ${format(state.weighted_sum, "+.2f")}` });
  values.forEach((v, i) => {
    const y = top + i * rowH + rowH * 0.2;
    const towards = v >= 0;
    const x0 = xs(Math.min(0, v)), w = Math.abs(xs(v) - xs(0));
    const fill = towards ? ORANGE : BLUE;
    const hatch = towards ? "lines" : "dots";
    svg += `<rect x="${x0}" y="${y}" width="${w}" height="${rowH * 0.6}" fill="${fill}" stroke="black"/>`;
    svg += `<rect x="${x0}" y="${y}" width="${w}" height="${rowH * 0.6}" fill="url(#${id}-${hatch})"/>`;
    svg += text(left - 6, y + rowH * 0.4, NAMES[i], 'text-anchor="end" font-size="12"');
    const tx = towards ? xs(v) + 4 : xs(v) - 4;
    svg += text(tx, y + rowH * 0.4, format(v, "+.2f"), `text-anchor="${towards ? "start" : "end"}" font-size="11"`);
  });
  svg += `<line x1="${xs(0)}" y1="${top}" x2="${xs(0)}" y2="${top + height}" stroke="black"/>`;
  // the probability gauge
  const gl = 560, gw = 40, ys = scale(0, 1, top + height, top);
  const spam = state.verdict === "spam";
  svg += axes({ left: gl, top, width: gw, height, xs: (v) => v, ys, yTicks: [0, 0.5, 1],
    yLabel: "sigmoid(z)", format: (v) => String(v) });
  const p = state.probability;
  svg += `<rect x="${gl + 6}" y="${ys(p)}" width="${gw - 12}" height="${ys(0) - ys(p)}" fill="${spam ? ORANGE : BLUE}" stroke="black"/>`;
  svg += `<rect x="${gl + 6}" y="${ys(p)}" width="${gw - 12}" height="${ys(0) - ys(p)}" fill="url(#${id}-${spam ? "lines" : "dots"})"/>`;
  svg += `<line x1="${gl}" y1="${ys(0.5)}" x2="${gl + gw}" y2="${ys(0.5)}" stroke="black" stroke-dasharray="4 3"/>`;
  svg += text(gl + gw / 2, top - 22, `P(spam) = ${format(p, ".2f")}`, 'text-anchor="middle" font-size="13"');
  svg += text(gl + gw / 2, top - 8, state.verdict.toUpperCase(), 'text-anchor="middle" font-size="13" font-weight="bold"');
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "spam_neuron", width: 640 });
    const id = uniqueId("spam");
    const names = ["x1", "x2", "x3", "w1", "w2", "w3", "b"];
    return redrawOn(model, names, area, () => {
      // the values the sliders show (steps 0.05 and 0.1, shown with 2 decimals)
      const x = ["x1", "x2", "x3"].map((name) => snap(model.get(name), 2));
      const w = ["w1", "w2", "w3"].map((name) => snap(model.get(name), 2));
      const b = snap(model.get("b"), 2);
      const state = spamNeuronState(x, w, b);
      const terms = w.map((wi, i) => `${format(wi, ".1f")}&times;${format(x[i], ".2f")}`).join(" + ");
      const readout =
        `<code>z = ${terms} + (${format(b, ".1f")}) = <span data-value="weighted_sum">${format(state.weighted_sum, ".2f")}</span></code><br>` +
        `<code>sigmoid(z) = <span data-value="probability">${format(state.probability, ".3f")}</span></code> &rarr; ` +
        `<b data-value="verdict">${escapeHtml(state.verdict)}</b>`;
      const parts = [...state.contributions, b].map((v, i) => `${NAMES[i]} ${format(v + 0.0, "+.2f")}`);
      const alt = `Bar chart of what each input adds to the weighted sum: ${parts.join(", ")}; ` +
        `z = ${format(state.weighted_sum, "+.2f")}. Gauge: P(spam) = ${format(state.probability, ".2f")}, ` +
        `${state.probability >= 0.5 ? "at or above" : "below"} the dashed 0.5 line: ${state.verdict}.`;
      area.show(chart(state, b, id), alt, readout);
    });
  },
};
