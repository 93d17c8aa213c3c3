// The training-time calculator of chapter 5, computed in the page.
// Mirrors nnlib.widgets.scale.training_estimate (compute C = 6 N D, nnlib.scale.training_flops;
// speed S = peak * devices * utilisation; time C / S; memory from nnlib.scale.memory_bytes),
// describe_duration and estimate_html (the readout table). The traits n_params, n_tokens,
// peak_flops, n_devices, utilisation follow the sliders; model and device are the preset
// dropdowns' indexes: picking a preset moves the sliders (data.presets, data.sliders).
import { escapeHtml, liveArea, redrawOn, snap } from "./svg.js";
import { format } from "./format.js";

const SECONDS_PER_DAY = 86400;
const SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY;
const BYTES_PER_PARAM = { fp32: 4, bf16: 2, int8: 1, int4: 0.5 }; // nnlib.scale.BYTES_PER_PARAM

// nnlib.widgets.scale.training_estimate
export function trainingEstimate(n, d, peak, devices, share) {
  for (const [name, v] of [["n_params", n], ["n_tokens", d], ["peak_flops", peak], ["utilisation", share]]) {
    if (!(v > 0 && Number.isFinite(v))) throw new Error(`${name} must be a finite number > 0, got ${v}`);
  }
  if (!(Number.isInteger(devices) && devices >= 1)) throw new Error(`n_devices must be a whole number >= 1, got ${devices}`);
  if (share > 1) throw new Error(`utilisation must be in (0, 1], got ${share}`);
  const flops = 6 * n * d;
  const speed = peak * devices * share;
  const seconds = flops / speed;
  const training = n * 2 + n * 2 + n * 4 + n * 8; // bf16 weights, gradients, fp32 master, Adam
  const weights = {};
  for (const [dtype, size] of Object.entries(BYTES_PER_PARAM)) weights[dtype] = n * size;
  return { flops, flops_per_second: speed, seconds, days: seconds / SECONDS_PER_DAY,
    years: seconds / SECONDS_PER_YEAR, weights_bytes: weights, training_bytes: training,
    training_bytes_per_device: training / devices };
}

// nnlib.widgets.scale.describe_duration
export function describeDuration(s) {
  for (const [limit, unit, size] of [[60, "seconds", 1], [3600, "minutes", 60],
    [2 * SECONDS_PER_DAY, "hours", 3600], [SECONDS_PER_YEAR, "days", SECONDS_PER_DAY]]) {
    if (s < limit) return `${format(s / size, ".3g")} ${unit}`;
  }
  const years = Number(format(s / SECONDS_PER_YEAR, ".3g"));
  return years >= 1000 ? `${format(years, ",.0f")} years` : `${format(years, "g")} years`;
}

// nnlib.widgets.scale._gb
function gb(bytes) {
  const value = bytes / 1e9;
  return value >= 100 ? `${format(value, ",.0f")} GB` : `${format(value, ".3g")} GB`;
}

// nnlib.widgets.scale.estimate_html
export function estimateRows(e) {
  const rows = [
    ["compute, 6 N D", `${format(e.flops, ".3g")} FLOPs`, "flops"],
    ["achieved speed", `${format(e.flops_per_second, ".3g")} FLOP/s`, "speed"],
    ["training time", `<b>${describeDuration(e.seconds)}</b> (${format(e.days, ",.3g")} days, ${format(e.years, ".3g")} years)`, "time"],
  ];
  for (const [dtype, size] of Object.entries(e.weights_bytes)) rows.push([`weights in ${dtype}`, gb(size), `weights_${dtype}`]);
  rows.push(["training with Adam (16 bytes per parameter)", gb(e.training_bytes), "training"]);
  rows.push(["... split over the devices", `${gb(e.training_bytes_per_device)} each`, "per_device"]);
  return rows;
}

export default {
  async render({ model, el }) {
    const area = liveArea(el, { name: "training_time", width: 640 });
    const { presets, sliders } = model.get("data");
    const models = {};
    for (const [name, ref] of Object.entries(sliders)) {
      models[name] = await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""));
    }
    // A preset moves the sliders (which redraw the table through their links).
    const apply = (values) => {
      for (const [name, value] of Object.entries(values)) {
        models[name].set("value", value);
        try { models[name].save_changes(); } catch (error) { /* no kernel: the page alone */ }
      }
    };
    model.on("change:model", () => {
      const [n, d] = presets.models[model.get("model")][1];
      apply({ n_params: n, n_tokens: d });
    });
    model.on("change:device", () => apply({ peak_flops: presets.hardware[model.get("device")][1] }));
    const names = ["n_params", "n_tokens", "peak_flops", "n_devices", "utilisation", "data"];
    return redrawOn(model, names, area, () => {
      // the values the sliders show: 3 significant digits (".3g"), utilisation in whole percent
      const n = Number(model.get("n_params").toPrecision(3));
      const d = Number(model.get("n_tokens").toPrecision(3));
      const peak = Number(model.get("peak_flops").toPrecision(3));
      const devices = model.get("n_devices");
      const share = snap(model.get("utilisation"), 2);
      const rows = estimateRows(trainingEstimate(n, d, peak, devices, share));
      const body = rows.map(([name, value, key]) =>
        `<tr><td>${escapeHtml(name)}</td><td data-value="${key}">${value}</td></tr>`).join("");
      area.show("", "", `<table><caption class="nnlib-caption">Training ${format(n, ".3g")} parameters on ${format(d, ".3g")} tokens with ${devices} device(s) at ${format(share, ".0%")} of ${format(peak, ".3g")} FLOP/s</caption>${body}</table>`);
    });
  },
};
