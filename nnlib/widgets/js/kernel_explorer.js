// The kernel explorer of chapter 6, drawn in the page.
// Mirrors nnlib.widgets.conv.kernel_explorer_state: the digit convolved with a 3x3 kernel with
// padding 1 (nnlib.conv.conv2d: no kernel flip), ReLU, then max or average pooling in windows
// of size x size side by side (nnlib.conv.max_pool2d / avg_pool2d), and its summary sentence.
// Traits: digit (the digit menu's index), preset (the kernel menu's index), w0..w8 (the nine
// weight sliders, linked both ways: choosing a preset sets them), size (index into
// data.pool_sizes), pooling (0: max, 1: average). data: digits (10 images of 8x8, values
// 0..1), preset_names, presets (name -> 3x3), pool_sizes.
import { PALETTE, escapeHtml, liveArea, redrawOn, snap, text } from "./svg.js";
import { format } from "./format.js";

const BLUE = PALETTE[0];
const VERMILLION = PALETTE[3];
const WEIGHTS = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];

// nnlib.conv.conv2d(image[None, None], kernel[None, None], padding=1)[0, 0]
export function convolve(image, kernel) {
  const H = image.length, W = image[0].length, k = kernel.length, p = 1;
  const at = (r, c) => (r >= 0 && r < H && c >= 0 && c < W ? image[r][c] : 0);
  const out = [];
  for (let i = 0; i < H + 2 * p - k + 1; i += 1) {
    const row = [];
    for (let j = 0; j < W + 2 * p - k + 1; j += 1) {
      let sum = 0;
      for (let u = 0; u < k; u += 1) {
        for (let v = 0; v < k; v += 1) sum += at(i + u - p, j + v - p) * kernel[u][v];
      }
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

// nnlib.conv.max_pool2d / avg_pool2d of one map, windows size x size, stride size.
export function pool(map, size, how) {
  const out = [];
  for (let i = 0; i + size <= map.length; i += size) {
    const row = [];
    for (let j = 0; j + size <= map[0].length; j += size) {
      const values = [];
      for (let u = 0; u < size; u += 1) {
        for (let v = 0; v < size; v += 1) values.push(map[i + u][j + v]);
      }
      row.push(how === "max" ? Math.max(...values)
        : values.reduce((a, b) => a + b, 0) / values.length);
    }
    out.push(row);
  }
  return out;
}

const flat = (grid) => grid.flat();

// np.round(x, 10) + 0.0: x * 1e10 rounded half to even (numpy's rint), divided by 1e10. The
// state function rounds the same way, so that both show the same digits whatever the order of
// the additions (see kernel_explorer_state).
export function round10(x) {
  const y = x * 1e10;
  let r = Math.round(y);
  if (Math.abs(y - Math.trunc(y)) === 0.5) r = 2 * Math.round(y / 2);
  return r / 1e10 + 0;
}

// nnlib.widgets.conv.kernel_explorer_state (relu=True)
export function kernelExplorerState(image, kernel, size, how) {
  if (image.length % size !== 0 || image[0].length % size !== 0) {
    throw new Error(`pooling size ${size} does not divide the ${image.length}x${image[0].length} map`);
  }
  const feature = convolve(image, kernel).map((row) => row.map(round10));
  const activated = feature.map((row) => row.map((v) => Math.max(v, 0)));
  const pooled = pool(activated, size, how).map((row) => row.map(round10));
  const fmin = Math.min(...flat(feature)), fmax = Math.max(...flat(feature));
  const pmax = Math.max(...flat(pooled));
  const n = pooled.length * pooled[0].length, total = feature.length * feature[0].length;
  const name = how === "max" ? "max" : "average";
  const summary = `Feature map ${feature.length}×${feature[0].length}, values from ` +
    `${format(fmin, ".2f")} to ${format(fmax, ".2f")}; ReLU, then ${size}×${size} ${name} ` +
    `pooling keeps ${n} of ${total} numbers (${pooled.length}×${pooled[0].length}), ` +
    `largest ${format(pmax, ".2f")}.`;
  return { kernel, feature_map: feature, activated, pooled, feature_min: fmin,
    feature_max: fmax, pooled_shape: [pooled.length, pooled[0].length], summary };
}

// A colour for v in [-limit, limit]: white at 0, blue for negative, vermillion for positive.
function signedColour(v, limit) {
  const t = limit > 0 ? Math.min(Math.abs(v) / limit, 1) : 0;
  const target = v < 0 ? BLUE : VERMILLION;
  const rgb = [1, 3, 5].map((i) => parseInt(target.slice(i, i + 2), 16));
  const mix = rgb.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${mix.join(",")})`;
}

function greyColour(v, top) {
  const t = top > 0 ? Math.min(Math.max(v / top, 0), 1) : 0;
  const g = Math.round(255 * (1 - t));
  return `rgb(${g},${g},${g})`;
}

// One panel: a grid of cells at (x, y), side `side` pixels, with a title. signed: diverging
// colours plus a "+" or "−" mark in strong cells (so sign is not told by colour alone).
function panel(grid, x, y, side, title, { signed = false, numbers = false } = {}) {
  const rows = grid.length, cols = grid[0].length, cell = side / Math.max(rows, cols);
  const values = flat(grid);
  const limit = signed ? Math.max(...values.map(Math.abs)) : Math.max(...values);
  let out = text(x + side / 2, y - 8, title, 'text-anchor="middle" font-size="13"');
  grid.forEach((row, r) => row.forEach((v, c) => {
    const cx = x + c * cell, cy = y + r * cell;
    const fill = signed ? signedColour(v, limit) : greyColour(v, limit);
    out += `<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="${fill}"/>`;
    if (numbers) {
      out += text(cx + cell / 2, cy + cell / 2 + 5, format(v, ".1f"),
        'text-anchor="middle" font-size="13"');
    } else if (signed && limit > 0 && Math.abs(v) >= 0.5 * limit) {
      out += text(cx + cell / 2, cy + cell / 2 + 4, v > 0 ? "+" : "\u2212",
        `text-anchor="middle" font-size="${Math.min(12, cell * 0.7)}"`);
    }
  }));
  out += `<rect x="${x}" y="${y}" width="${cols * cell}" height="${rows * cell}" fill="none" stroke="black"/>`;
  return out;
}

function rowsText(grid) {
  return grid.map((row) => `[${row.map((v) => format(v, ".2f")).join(", ")}]`).join(", ");
}

export default {
  render({ model, el }) {
    const area = liveArea(el, { name: "kernel_explorer", width: 680 });
    const data = model.get("data");
    const names = ["digit", "preset", "size", "pooling", ...WEIGHTS];
    // Choosing a preset sets the nine weights (and, through the links, the nine sliders).
    const applyPreset = () => {
      const kernel = data.presets[data.preset_names[model.get("preset")]];
      flat(kernel).forEach((v, i) => model.set(WEIGHTS[i], v));
      model.save_changes();
    };
    model.on("change:preset", applyPreset);
    const stop = redrawOn(model, names, area, () => {
      const d = model.get("digit");
      const image = data.digits[d];
      // the values the sliders show (step 0.1, shown with 2 decimals)
      const w = WEIGHTS.map((name) => snap(model.get(name), 2));
      const kernel = [w.slice(0, 3), w.slice(3, 6), w.slice(6, 9)];
      const size = data.pool_sizes[model.get("size")];
      const how = model.get("pooling") === 0 ? "max" : "avg";
      const state = kernelExplorerState(image, kernel, size, how);
      const side = 140, gap = 30, top = 34;
      let svg = `<svg viewBox="0 0 ${4 * side + 5 * gap} ${side + top + 14}" xmlns="http://www.w3.org/2000/svg">`;
      svg += panel(image, gap, top, side, `digit ${d} (8×8)`);
      svg += panel(kernel, 2 * gap + side, top, side, "kernel (3×3)", { signed: true, numbers: true });
      svg += panel(state.feature_map, 3 * gap + 2 * side, top, side, "feature map (8×8)", { signed: true });
      svg += panel(state.pooled, 4 * gap + 3 * side, top, side,
        `ReLU + ${size}×${size} ${how === "max" ? "max" : "avg"} pool`);
      svg += "</svg>";
      const readout = `<span data-value="summary">${escapeHtml(state.summary)}</span>`;
      const alt = `Four panels. The digit ${d} as 8 by 8 pixels; the kernel, rows ` +
        `${rowsText(kernel)}; its 8 by 8 feature map, from ${format(state.feature_min, ".2f")} ` +
        `to ${format(state.feature_max, ".2f")} (blue negative, vermillion positive); after ReLU ` +
        `and ${size} by ${size} ${how === "max" ? "max" : "average"} pooling, ` +
        `${state.pooled.length} by ${state.pooled[0].length}` +
        (state.pooled.length <= 4 ? `: rows ${rowsText(state.pooled)}.` : ".");
      area.show(svg, alt, readout);
    });
    return () => {
      model.off("change:preset", applyPreset);
      stop();
    };
  },
};
