// Chapter 7's next-character widget: the trained tiny transformer, run in the page.
// Mirrors nnlib.widgets.language.next_char_state(weights, config, chars, prompt, T), which calls
// nnlib.language_model.next_token_probabilities on the model with the shipped weights
// (transformer.js is the forward pass). Traits: prompt (the text box), T (the slider);
// data = {weights: {name: {shape, b64}}, config, chars, top}.
import { PALETTE, axes, escapeHtml, hatchDefs, liveArea, redrawOn, scale, snap, text, uniqueId } from "./svg.js";
import { format } from "./format.js";
import { nextTokenProbabilities, showChar, unpackWeights } from "./transformer.js";

// nnlib.widgets.language.prompt_problem: null, or the sentence that says what is wrong.
export function promptProblem(prompt, chars) {
  if (prompt.length === 0) return "Type at least one character: the model continues your text.";
  const known = new Set(chars);
  const unknown = [...new Set(Array.from(prompt))].filter((c) => !known.has(c)).sort();
  if (unknown.length) {
    return `The model does not know ${unknown.length === 1 ? "the character" : "the characters"} ` +
      `${unknown.map((c) => `"${showChar(c)}"`).join(" ")}: it learnt only the ${chars.length} ` +
      `characters of its training text. Remove or replace ${unknown.length === 1 ? "it" : "them"}.`;
  }
  return null;
}

// nnlib.widgets.language.next_char_state
export function nextCharState(W, config, chars, prompt, T, top = 10) {
  const problem = promptProblem(prompt, chars);
  if (problem) return { problem };
  const index = new Map(chars.map((c, i) => [c, i]));
  const ids = Array.from(prompt).map((c) => index.get(c));
  const p = nextTokenProbabilities(W, config, ids, T);
  const order = p.map((v, i) => i).sort((a, b) => (p[b] - p[a]) || (a - b)).slice(0, top);
  const used = Math.min(ids.length, config.context);
  const best = order[0];
  const summary = `After "${Array.from(prompt).slice(-used).map(showChar).join("")}" ` +
    `(the last ${used} of ${ids.length} characters) at T = ${format(T, ".2f")}: ` +
    `most likely "${showChar(chars[best])}" with probability ${format(p[best], ".3f")}.`;
  return { probabilities: p, top: order, summary, used, n: ids.length };
}

function chart(chars, state, T, id) {
  const W = 640, H = 290, left = 55, top = 40, width = 560, height = 190;
  const ys = scale(0, 1.08, top + height, top);
  const slot = width / state.top.length;
  let svg = `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  svg += axes({ left, top, width, height, xs: (v) => v, ys, yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yLabel: "probability", title: `the ${state.top.length} most likely next characters, T = ${format(T, ".2f")}`,
    format: (v) => format(v, "g") });
  state.top.forEach((i, rank) => {
    const x = left + slot * rank + slot * 0.15, w = slot * 0.7;
    const p = state.probabilities[i];
    const fill = rank === 0 ? `url(#${id}-lines)` : PALETTE[0];
    svg += `<rect x="${x}" y="${ys(p)}" width="${w}" height="${ys(0) - ys(p)}" fill="${fill}" stroke="black"/>`;
    svg += text(x + w / 2, ys(p) - 4, format(p, ".2f"), 'text-anchor="middle" font-size="11"');
    svg += text(x + w / 2, top + height + 18, showChar(chars[i]), 'text-anchor="middle" font-size="14" font-family="monospace"');
  });
  svg += text(left, H - 14, "hatched: the most likely character (what T = 0 always picks)", 'font-size="11"');
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "next_char", width: 640 });
    const id = uniqueId("next-char");
    let weights = null;
    return redrawOn(model, ["prompt", "T", "data"], area, () => {
      const { config, chars, top } = model.get("data");
      if (weights === null) weights = unpackWeights(model.get("data").weights);
      const T = snap(model.get("T"), 2);
      const prompt = model.get("prompt");
      const state = nextCharState(weights, config, chars, prompt, T, top);
      if (state.problem) {
        area.problem(state.problem);
        return;
      }
      const readout = `<span data-value="summary">${escapeHtml(state.summary)}</span> Top ` +
        `${state.top.length}: ` + state.top.map((i, rank) =>
          `<span data-value="p_${rank}">"${escapeHtml(showChar(chars[i]))}" ${format(state.probabilities[i], ".3f")}</span>`).join(", ") + ".";
      const alt = `Bar chart of the probabilities of the next character after the prompt at temperature ${format(T, ".2f")}: ` +
        state.top.map((i) => `"${showChar(chars[i])}" ${format(state.probabilities[i], ".3f")}`).join(", ") + ".";
      area.show(chart(chars, state, T, id), alt, readout);
    });
  },
};
