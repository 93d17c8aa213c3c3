// Small helpers the widgets share to draw their plots as SVG in the page, in the book's style
// (nnlib/plots.py): the Okabe-Ito palette, hatching and marker shapes so that nothing is told by
// colour alone, axis labels and titles. Every plot is an <svg role="img"> whose aria-label
// states the numbers it shows; the widget updates it with the plot.

// nnlib.plots.PALETTE (Okabe-Ito): blue, orange, bluish green, vermillion, purple, sky blue,
// yellow, black.
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
  "#F0E442", "#000000"];

// A slider's value on its grid of steps: noUiSlider adds steps in floating point, so a slider
// showing 2.40 may hold 2.4000000000000004. The widgets compute with the value the reader sees
// (the nearest double to the decimal shown, as Python's float("2.40")).
export function snap(value, decimals) {
  return Number(value.toFixed(decimals));
}

let nextId = 0;
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// A linear map from data (d0..d1) to pixels (r0..r1).
export function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

// "nice" tick values covering lo..hi, about `count` of them.
export function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  }
  return out;
}

// <defs> with the book's two hatches: "//" (diagonal lines) and ".." (dots), in black.
export function hatchDefs(id) {
  return `<defs>
<pattern id="${id}-lines" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="black"
 stroke-width="1"/></pattern>
<pattern id="${id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">
<circle cx="2.5" cy="2.5" r="0.9" fill="black"/></pattern></defs>`;
}

// A marker of nnlib.plots.MARKERS: "o" circle, "s" square, "^" triangle, "D" diamond.
export function marker(shape, x, y, size, fill) {
  const r = size / 2;
  const style = `fill="${fill}" stroke="black" stroke-width="1"`;
  if (shape === "s") return `<rect x="${x - r}" y="${y - r}" width="${size}" height="${size}" ${style}/>`;
  if (shape === "^") return `<polygon points="${x},${y - r} ${x + r},${y + r} ${x - r},${y + r}" ${style}/>`;
  if (shape === "D") return `<polygon points="${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}" ${style}/>`;
  return `<circle cx="${x}" cy="${y}" r="${r}" ${style}/>`;
}

export function text(x, y, content, attrs = "") {
  return `<text x="${x}" y="${y}" ${attrs}>${escapeHtml(content)}</text>`;
}

// Axes in the box (left, top, width, height): frame, ticks, tick labels, axis labels, title.
// xs, ys: scale functions; xTicks, yTicks: values; format: tick value -> label.
export function axes({ left, top, width, height, xs, ys, xTicks = [], yTicks = [],
  xLabel = "", yLabel = "", title = "", format = (v) => String(v) }) {
  const bottom = top + height;
  let out = `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="black"/>`;
  for (const v of xTicks) {
    const x = xs(v);
    out += `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="black"/>`;
    out += text(x, bottom + 16, format(v), 'text-anchor="middle" font-size="11"');
  }
  for (const v of yTicks) {
    const y = ys(v);
    out += `<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="black"/>`;
    out += text(left - 6, y + 4, format(v), 'text-anchor="end" font-size="11"');
  }
  if (xLabel) out += text(left + width / 2, bottom + 32, xLabel, 'text-anchor="middle" font-size="12"');
  if (yLabel) {
    out += `<text transform="translate(${left - 38},${top + height / 2}) rotate(-90)" ` +
      `text-anchor="middle" font-size="12">${escapeHtml(yLabel)}</text>`;
  }
  if (title) out += text(left + width / 2, top - 8, title, 'text-anchor="middle" font-size="13"');
  return out;
}

const STYLE = `
.nnlib-live { font-family: inherit; max-width: 100%; margin: 0.5em 0; }
.nnlib-live svg { display: block; width: 100%; max-width: var(--nnlib-width, 640px); height: auto;
  background: white; color: black; }
.nnlib-live svg text { fill: black; font-family: sans-serif; }
.nnlib-live .nnlib-readout { margin: 0.4em 0; overflow-wrap: anywhere; }
.nnlib-live .nnlib-problem { border-left: 4px solid #D55E00; padding: 0.3em 0.6em;
  background: #fff3e6; color: black; }
.nnlib-live button { font: inherit; padding: 0.3em 0.9em; margin: 0.2em 0; min-height: 2em;
  color: white; background: #1565c0; border: 1px solid #0d47a1; border-radius: 3px; }
.nnlib-live table { border-collapse: collapse; }
.nnlib-live td { padding: 0.1em 1em 0.1em 0; vertical-align: top; }
`;

function addStyleOnce() {
  if (document.getElementById("nnlib-live-style")) return;
  const style = document.createElement("style");
  style.id = "nnlib-live-style";
  style.textContent = STYLE;
  document.head.appendChild(style);
}

// The widget's area: a readout (announced to screen readers as it changes) and a plot.
// Returns {show(svgMarkup, alt, readoutHtml), problem(message), root}.
export function liveArea(el, { width = 640, readoutFirst = true, name = "" } = {}) {
  addStyleOnce();
  const root = document.createElement("div");
  root.className = "nnlib-live";
  if (name) root.dataset.widget = name;
  root.style.setProperty("--nnlib-width", `${width}px`);
  const readout = document.createElement("div");
  readout.className = "nnlib-readout";
  readout.setAttribute("aria-live", "polite");
  const plot = document.createElement("div");
  plot.className = "nnlib-plot";
  if (readoutFirst) root.append(readout, plot); else root.append(plot, readout);
  el.appendChild(root);
  return {
    root,
    show(svgMarkup, alt, readoutHtml) {
      if (readoutHtml !== undefined) readout.innerHTML = readoutHtml;
      plot.innerHTML = svgMarkup;
      const svg = plot.querySelector("svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", alt);
      }
      root.dataset.state = "ok";
    },
    // A clear message instead of a plot (bad settings): never a blank area, never an exception.
    problem(message) {
      readout.innerHTML = `<p class="nnlib-problem" role="alert">${escapeHtml(message)}</p>`;
      plot.innerHTML = "";
      root.dataset.state = "problem";
    },
  };
}

// Calls draw() now and whenever one of the model's traits in `names` changes. An error while
// drawing becomes a message in the widget (and in the console as a warning, for developers).
export function redrawOn(model, names, area, draw) {
  const run = () => {
    try {
      draw();
    } catch (error) {
      console.warn("nnlib widget:", error);
      area.problem(`This setting cannot be drawn: ${error.message}`);
    }
  };
  for (const name of names) model.on(`change:${name}`, run);
  run();
  return () => {
    for (const name of names) model.off(`change:${name}`, run);
  };
}
