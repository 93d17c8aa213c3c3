// Chapter 7's attention explorer: the attention weights of one head of the trained model on a
// short sentence, as a heat map, with a temperature tau on the attention softmax.
// Mirrors nnlib.widgets.language.attention_explorer_state(Q, K, tau, tokens), which calls
// nnlib.attention.attention_weights(Q, K, causal=True, scale=1 / (sqrt(d) * tau)).
// Traits: sentence (dropdown index), head (dropdown index), tau (slider);
// data = {sentences: [{tokens, heads: [{Q: {shape, b64}, K: {shape, b64}}]}], head_names}.
import { PALETTE, escapeHtml, hatchDefs, liveArea, redrawOn, snap, text, uniqueId } from "./svg.js";
import { format } from "./format.js";
import { causalAttentionWeights, showChar, unpackArray } from "./transformer.js";

function rows(array) {
  const [T, d] = array.shape;
  return Array.from({ length: T }, (_, i) => array.subarray(i * d, (i + 1) * d));
}

// nnlib.widgets.language.attention_explorer_state
export function attentionExplorerState(Q, K, tau, tokens, headName) {
  const d = Q[0].length;
  const weights = causalAttentionWeights(Q, K, 1 / (Math.sqrt(d) * tau));
  const T = tokens.length;
  const last = weights[T - 1];
  let best = 0;
  last.forEach((v, j) => { if (v > last[best]) best = j; });
  let meanMax = 0;
  weights.forEach((row) => { meanMax += Math.max(...row); });
  meanMax /= T;
  const summary = `${headName}, τ = ${format(tau, ".2f")}: the last character ` +
    `"${showChar(tokens[T - 1])}" gives its largest weight, ${format(last[best], ".2f")}, to ` +
    `character ${best + 1} ("${showChar(tokens[best])}"); the largest weight of a row is ` +
    `${format(meanMax, ".2f")} on average (1/(row number) would be a plain average).`;
  return { weights, summary, best, meanMax };
}

function heatMap(tokens, weights, id) {
  const T = tokens.length;
  const cell = Math.min(40, Math.floor(520 / T));
  const left = 50, top = 50, size = cell * T;
  const W = left + size + 20, H = top + size + 40;
  let svg = `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  svg += text(left + size / 2, 16, "column: the character looked at", 'text-anchor="middle" font-size="12"');
  svg += text(14, top + size / 2, "row: the character looking", `text-anchor="middle" font-size="12" transform="rotate(-90 14 ${top + size / 2})"`);
  const font = Math.max(7, Math.min(12, cell * 0.32));
  tokens.forEach((c, i) => {
    svg += text(left + cell * (i + 0.5), top - 8, showChar(c), 'text-anchor="middle" font-size="13" font-family="monospace"');
    svg += text(left - 8, top + cell * (i + 0.62), showChar(c), 'text-anchor="end" font-size="13" font-family="monospace"');
    for (let j = 0; j < T; j++) {
      const x = left + cell * j, y = top + cell * i;
      if (j > i) {
        svg += `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="url(#${id}-lines)" stroke="#ccc"/>`;
        continue;
      }
      const w = weights[i][j];
      // at most 80% of the blue, so that black numbers stay readable on every cell
      svg += `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${PALETTE[0]}" fill-opacity="${format(0.8 * w, ".3f")}" stroke="#ccc"/>`;
      svg += text(x + cell / 2, y + cell * 0.62, format(w, ".2f").replace(/^0\./, "."),
        `text-anchor="middle" font-size="${font}"`);
    }
  });
  svg += text(left, top + size + 24, "darker = more weight; hatched = masked (the future)", 'font-size="11"');
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "attention_explorer", width: 560 });
    const id = uniqueId("attention");
    const cache = new Map();
    return redrawOn(model, ["sentence", "head", "tau", "data"], area, () => {
      const { sentences, head_names: headNames } = model.get("data");
      const s = model.get("sentence"), h = model.get("head");
      const tau = snap(model.get("tau"), 2);
      const key = `${s}/${h}`;
      if (!cache.has(key)) {
        const head = sentences[s].heads[h];
        cache.set(key, { Q: rows(unpackArray(head.Q)), K: rows(unpackArray(head.K)) });
      }
      const { Q, K } = cache.get(key);
      const tokens = sentences[s].tokens;
      const state = attentionExplorerState(Q, K, tau, tokens, headNames[h]);
      const readout = `<span data-value="summary">${escapeHtml(state.summary)}</span>`;
      const alt = `Heat map of the attention weights of ${headNames[h]} at τ = ${format(tau, ".2f")} on "` +
        `${tokens.join("")}", row by row: ` + state.weights.map((row, i) =>
        `"${showChar(tokens[i])}" [${row.slice(0, i + 1).map((v) => format(v, ".2f")).join(", ")}]`).join("; ") + ".";
      area.show(heatMap(tokens, state.weights, id), alt, readout);
    });
  },
};
