// The network builder of chapter 2, drawn in the page.
// Mirrors nnlib.widgets.layers.network_state (a dense layer from a units to b units has a*b
// weights and b biases; the input layer has none), parameter_summary (the readout) and
// nnlib.plots.network_diagram (the drawing). The traits n_in, n_hidden, n_out follow their
// sliders; unit_sliders are the hidden-layer sliders themselves (read here, and greyed out when
// their layer is not used).
import { PALETTE, escapeHtml, liveArea, redrawOn, text } from "./svg.js";

// nnlib.widgets.layers.network_state
export function networkState(nInputs, hidden, nOutputs) {
  const sizes = [nInputs, ...hidden, nOutputs];
  const pairs = sizes.slice(0, -1).map((a, i) => [a, sizes[i + 1]]);
  const nWeights = pairs.reduce((sum, [a, b]) => sum + a * b, 0);
  const nBiases = sizes.slice(1).reduce((sum, b) => sum + b, 0);
  return {
    layer_sizes: sizes,
    n_weights: nWeights,
    n_biases: nBiases,
    n_params: nWeights + nBiases,
    weights_formula: pairs.map(([a, b]) => `${a}×${b}`).join(" + "),
    biases_formula: sizes.slice(1).join(" + "),
  };
}

// nnlib.plots.network_diagram: one column of circles per layer, grey lines between layers,
// at most maxUnits circles per column (then the first and last few and a vertical ellipsis).
function diagram(sizes, title, maxUnits = 10) {
  const n = sizes.length;
  const slots = Math.min(Math.max(...sizes), maxUnits);
  const unit = 34, left = 60, top = 50, gap = 110;
  const width = left * 2 + gap * (n - 1), height = top + unit * slots + 50;
  const columns = sizes.map((size) => {
    let shown;
    let used;
    if (size <= maxUnits) { used = size; shown = [...Array(size).keys()]; }
    else {
      const keep = Math.floor((maxUnits - 1) / 2);
      used = 2 * keep + 1;
      shown = [...Array(used).keys()].filter((i) => i !== keep);
    }
    const offset = (slots - used) / 2;
    return { ys: shown.map((s) => top + unit * (s + offset) + unit / 2), ellipsis: size > maxUnits ? top + unit * (Math.floor((maxUnits - 1) / 2) + offset) + unit / 2 : null };
  });
  let svg = `<svg viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`;
  svg += text(width / 2, 20, title, 'text-anchor="middle" font-size="14"');
  for (let i = 0; i < n - 1; i++) {
    for (const y0 of columns[i].ys) {
      for (const y1 of columns[i + 1].ys) {
        svg += `<line x1="${left + gap * i}" y1="${y0}" x2="${left + gap * (i + 1)}" y2="${y1}" stroke="grey" stroke-opacity="0.6" stroke-width="0.8"/>`;
      }
    }
  }
  const labels = ["input", ...sizes.slice(1, -1).map((_, i) => `hidden ${i + 1}`), "output"];
  columns.forEach(({ ys, ellipsis }, i) => {
    const x = left + gap * i;
    const face = i === 0 ? "white" : i < n - 1 ? PALETTE[5] : PALETTE[1];
    for (const y of ys) svg += `<circle cx="${x}" cy="${y}" r="11" fill="${face}" stroke="black" stroke-width="1.2"/>`;
    if (ellipsis !== null) svg += text(x, ellipsis + 6, "⋮", 'text-anchor="middle" font-size="18"');
    svg += text(x, top - 8, labels[i], 'text-anchor="middle" font-size="12"');
    svg += text(x, height - 20, `${sizes[i]} unit${sizes[i] !== 1 ? "s" : ""}`, 'text-anchor="middle" font-size="11"');
  });
  return `${svg}</svg>`;
}

export default {
  async render({ model, el }) {
    const area = liveArea(el, { name: "network_builder", width: 560 });
    const ids = model.get("unit_sliders").map((ref) => ref.replace(/^IPY_MODEL_/, ""));
    const unitSliders = await Promise.all(ids.map((id) => model.widget_manager.get_model(id)));
    const draw = () => {
      const nHidden = model.get("n_hidden");
      unitSliders.forEach((slider, i) => slider.set("disabled", i >= nHidden));
      const hidden = unitSliders.slice(0, nHidden).map((slider) => slider.get("value"));
      const state = networkState(model.get("n_in"), hidden, model.get("n_out"));
      const sizes = state.layer_sizes.join("-");
      const readout = `<b data-value="layers">Layers ${sizes}</b>: weights ${escapeHtml(state.weights_formula)} = ` +
        `<b data-value="n_weights">${state.n_weights}</b>, biases ${escapeHtml(state.biases_formula)} = ` +
        `<b data-value="n_biases">${state.n_biases}</b>, total <b data-value="n_params">${state.n_params}</b> parameters.`;
      const title = `${sizes} network: ${state.n_params} parameters`;
      const layers = state.layer_sizes.map((s, i) => `${i === 0 ? "input" : i === state.layer_sizes.length - 1 ? "output" : `hidden layer ${i}`} ${s} unit${s !== 1 ? "s" : ""}`);
      const alt = `Diagram of the ${sizes} network: ${layers.join(", ")}, every unit joined to every unit of the next layer. ` +
        `${state.n_weights} weights and ${state.n_biases} biases, ${state.n_params} parameters in all.`;
      area.show(diagram(state.layer_sizes, title), alt, readout);
    };
    const cleanup = redrawOn(model, ["n_in", "n_hidden", "n_out"], area, draw);
    const safeDraw = () => { try { draw(); } catch (error) { area.problem(`This setting cannot be drawn: ${error.message}`); } };
    for (const slider of unitSliders) slider.on("change:value", safeDraw);
    return () => {
      cleanup();
      for (const slider of unitSliders) slider.off("change:value", safeDraw);
    };
  },
};
