// The activation explorer of chapter 3, drawn in the page.
// Mirrors nnlib.widgets.activations.explorer_state (x = np.linspace(x_min, x_max, 201), f(x)
// and f'(x) from nnlib.activations) and draw_explorer (the function left, its derivative
// right). The trait activation is the dropdown's index into data.names; x_range follows the
// range slider (both ends equal: widened by 0.5 each way, as activation_explorer_widget does).
import { PALETTE, axes, escapeHtml, liveArea, redrawOn, scale, snap, text, ticks } from "./svg.js";
import { format } from "./format.js";
import { ACTIVATIONS, linspace } from "./activations.js";

// nnlib.widgets.activations.explorer_state
export function explorerState(name, xMin, xMax, num = 201) {
  if (!(name in ACTIVATIONS)) throw new Error(`unknown activation ${name}`);
  if (!(xMin < xMax)) throw new Error(`the input range needs x_min < x_max; got ${xMin}, ${xMax}`);
  const [f, grad] = ACTIVATIONS[name];
  const x = linspace(xMin, xMax, num);
  return { name, x, y: x.map(f), dy: x.map(grad) };
}

const extent = (values) => [Math.min(...values), Math.max(...values)];

function panel(x, values, left, title, colour, dash) {
  const top = 36, width = 250, height = 170;
  const [lo, hi] = extent(values);
  const pad = hi > lo ? (hi - lo) * 0.08 : 0.5;
  const ys = scale(lo - pad, hi + pad, top + height, top);
  const xs = scale(x[0], x[x.length - 1], left, left + width);
  let svg = "";
  if (lo - pad < 0 && hi + pad > 0) svg += `<line x1="${left}" y1="${ys(0)}" x2="${left + width}" y2="${ys(0)}" stroke="grey" stroke-width="0.8"/>`;
  if (x[0] < 0 && x[x.length - 1] > 0) svg += `<line x1="${xs(0)}" y1="${top}" x2="${xs(0)}" y2="${top + height}" stroke="grey" stroke-width="0.8"/>`;
  const points = x.map((v, i) => `${xs(v).toFixed(2)},${ys(values[i]).toFixed(2)}`).join(" ");
  svg += `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2.5" ${dash ? `stroke-dasharray="${dash}"` : ""}/>`;
  svg += axes({ left, top, width, height, xs, ys, xTicks: ticks(x[0], x[x.length - 1], 4),
    yTicks: ticks(lo - pad, hi + pad, 4), xLabel: "x", title, format: (v) => format(v, "g") });
  return svg;
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "activation_explorer", width: 640 });
    return redrawOn(model, ["activation", "x_range", "data"], area, () => {
      const { names } = model.get("data");
      const name = names[model.get("activation")];
      // the values the range slider shows (step 0.5, shown with 1 decimal)
      let [xMin, xMax] = model.get("x_range").map((v) => snap(v, 1));
      if (xMin === xMax) { xMin -= 0.5; xMax += 0.5; }
      const state = explorerState(name, xMin, xMax);
      const last = state.x.length - 1;
      const [yLo, yHi] = extent(state.y), [dLo, dHi] = extent(state.dy);
      const f3 = (v) => format(v, ".3f");
      const readout =
        `<code>${escapeHtml(name)}</code> on x from <span data-value="x_min">${format(xMin, ".1f")}</span> to <span data-value="x_max">${format(xMax, ".1f")}</span>: ` +
        `${escapeHtml(name)}(x) runs from <span data-value="y_min">${f3(yLo)}</span> to <span data-value="y_max">${f3(yHi)}</span> ` +
        `(<span data-value="y_ends">${f3(state.y[0])} at the left end, ${f3(state.y[last])} at the right end</span>); ` +
        `its derivative from <span data-value="dy_min">${f3(dLo)}</span> to <span data-value="dy_max">${f3(dHi)}</span> ` +
        `(<span data-value="dy_ends">${f3(state.dy[0])} at the left end, ${f3(state.dy[last])} at the right end</span>).`;
      let svg = `<svg viewBox="0 0 640 250" xmlns="http://www.w3.org/2000/svg">`;
      svg += panel(state.x, state.y, 50, `${name}(x)`, PALETTE[0], "");
      svg += panel(state.x, state.dy, 370, `derivative ${name}'(x)`, PALETTE[1], "7 4");
      svg += "</svg>";
      const alt = `Two line plots over x from ${format(xMin, ".1f")} to ${format(xMax, ".1f")}. Left, ${name}(x), solid: ` +
        `from ${f3(state.y[0])} at the left end to ${f3(state.y[last])} at the right end, lowest ${f3(yLo)}, highest ${f3(yHi)}. ` +
        `Right, its derivative, dashed: from ${f3(state.dy[0])} to ${f3(state.dy[last])}, lowest ${f3(dLo)}, highest ${f3(dHi)}.`;
      area.show(svg, alt, readout);
    });
  },
};
