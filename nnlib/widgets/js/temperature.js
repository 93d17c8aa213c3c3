// The softmax-temperature widget of chapter 3, drawn in the page, with its sampling.
// Mirrors nnlib.widgets.activations.temperature_state (p = softmax(logits / T), entropy in
// bits), draw_temperature (the bar chart) and sample_words (n words drawn with
// np.random.default_rng(seed).choice(V, size=n, p=p): numpy_random.js draws the same numbers).
// The traits T, n, seed follow the sliders (seed both ways: "draw again" moves its slider);
// data = {words, logits, prompt}.
import { PALETTE, axes, escapeHtml, hatchDefs, liveArea, redrawOn, scale, snap, text, uniqueId } from "./svg.js";
import { format } from "./format.js";
import { entropyBits, softmax } from "./activations.js";
import { choice, defaultRng } from "./numpy_random.js";

// nnlib.widgets.activations.temperature_state
export function temperatureState(logits, T) {
  const p = softmax(logits, T);
  return { probabilities: p, entropy: entropyBits(p) };
}

// nnlib.widgets.activations.sample_words(words, logits, T, n, rng=seed)
export function sampleWords(words, logits, T, n, seed) {
  const p = temperatureState(logits, T).probabilities;
  return choice(defaultRng(seed), p, n).map((i) => words[i]);
}

function chart(words, state, reference, T, prompt, id) {
  const W = 640, H = 300, left = 55, top = 48, width = 560, height = 190;
  const ys = scale(0, 1.12, top + height, top);
  const slot = width / words.length;
  let svg = `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  const greedy = T === 0 ? " (greedy: argmax)" : "";
  svg += text(W / 2, 16, `"${prompt} ..."   T = ${format(T, ".2f")}${greedy}`, 'text-anchor="middle" font-size="13"');
  svg += axes({ left, top, width, height, xs: (v) => v, ys, yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yLabel: "probability", title: `entropy = ${format(state.entropy, ".2f")} bits (max ${format(Math.log2(words.length), ".2f")})`,
    format: (v) => format(v, "g") });
  words.forEach((word, i) => {
    const x = left + slot * i + slot * 0.15, w = slot * 0.7;
    const p = state.probabilities[i];
    svg += `<rect x="${x}" y="${ys(p)}" width="${w}" height="${ys(0) - ys(p)}" fill="${PALETTE[0]}" stroke="black"/>`;
    svg += `<rect x="${x}" y="${ys(reference[i])}" width="${w}" height="${ys(0) - ys(reference[i])}" fill="url(#${id}-lines)" stroke="${PALETTE[1]}" stroke-width="1.5"/>`;
    svg += text(x + w / 2, ys(p) - 4, format(p, ".2f"), 'text-anchor="middle" font-size="11"');
    svg += text(x + w / 2, top + height + 16, word, 'text-anchor="middle" font-size="11"');
  });
  const ly = H - 22;
  svg += `<rect x="${left}" y="${ly - 10}" width="16" height="11" fill="${PALETTE[0]}" stroke="black"/>` + text(left + 22, ly, `T = ${format(T, "g")}`, 'font-size="11"');
  svg += `<rect x="${left + 110}" y="${ly - 10}" width="16" height="11" fill="url(#${id}-lines)" stroke="${PALETTE[1]}" stroke-width="1.5"/>` + text(left + 132, ly, "T = 1 (for comparison, hatched //)", 'font-size="11"');
  return `${svg}</svg>`;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "temperature", width: 640 });
    const id = uniqueId("temperature");
    const drawn = document.createElement("div");
    drawn.className = "nnlib-samples";
    drawn.setAttribute("aria-live", "polite");
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "draw again (next seed)";
    again.addEventListener("click", () => {
      model.set("seed", (model.get("seed") + 1) % 100);
      try { model.save_changes(); } catch (error) { /* no kernel: the page alone */ }
    });
    area.root.append(again, drawn);
    return redrawOn(model, ["T", "n", "seed", "data"], area, () => {
      const { words, logits, prompt } = model.get("data");
      const T = snap(model.get("T"), 2);
      const n = model.get("n"), seed = model.get("seed");
      const state = temperatureState(logits, T);
      const reference = temperatureState(logits, 1).probabilities;
      const probs = words.map((w, i) => `<span data-value="p_${i}">${escapeHtml(w)} ${format(state.probabilities[i], ".2f")}</span>`);
      const readout = `T = <b data-value="T">${format(T, ".2f")}</b>: entropy <b data-value="entropy">${format(state.entropy, ".2f")}</b> bits. ` +
        `Probabilities: ${probs.join(", ")}.`;
      const alt = `Bar chart of the probabilities of the next word after "${prompt}" at temperature ${format(T, ".2f")}: ` +
        words.map((w, i) => `${w} ${format(state.probabilities[i], ".2f")}`).join(", ") +
        `. Hatched outlines show T = 1: ` + words.map((w, i) => `${w} ${format(reference[i], ".2f")}`).join(", ") +
        `. Entropy ${format(state.entropy, ".2f")} bits, at most ${format(Math.log2(words.length), ".2f")}.`;
      area.show(chart(words, state, reference, T, prompt, id), alt, readout);
      const picks = sampleWords(words, logits, T, n, seed);
      drawn.innerHTML = `${n} word${n === 1 ? "" : "s"} drawn at T = ${format(T, ".2f")} with seed ${seed}: ` +
        `<span data-value="samples">${escapeHtml(picks.join(" "))}</span>`;
    });
  },
};
