// The training playground (chapter 4), trained in the page. **Train** trains the network the
// controls describe with trainer.js, which mirrors nnlib.widgets.training.train_playground
// (same data, initial weights, mini-batches, network, loss and optimiser, so the same numbers),
// redrawing as it goes. The plots mirror draw_playground: the decision regions with the
// training points (nnlib.plots.decision_boundary), and loss and accuracy per epoch
// (nnlib.plots.plot_history; training solid, validation dashed).
// Traits: dataset_index, hidden_layers, units, activation_index, lr_index, optimizer_index,
// epochs, seed; data = {datasets, activations, optimizers, lr_options}.
import { PALETTE, axes, escapeHtml, hatchDefs, liveArea, marker, scale, text, ticks, uniqueId } from "./svg.js";
import { format } from "./format.js";
import { forward, playgroundRun } from "./trainer.js";
import { addRowStyle } from "./row_layout.js";

const TRAITS = ["dataset_index", "hidden_layers", "units", "activation_index", "lr_index",
  "optimizer_index", "epochs", "seed"];
const CHUNK_MS = 40;       // train at least this long between two redraws while training

// The setting the controls show, in train_playground's words; throws on a value out of range.
function currentSetting(model) {
  const data = model.get("data");
  const pick = (list, trait) => {
    const value = list[model.get(trait)];
    if (value === undefined) throw new Error(`${trait} ${model.get(trait)} is not one of the choices`);
    return value;
  };
  const setting = {
    dataset: pick(data.datasets, "dataset_index"),
    hidden_layers: model.get("hidden_layers"),
    units: model.get("units"),
    activation: pick(data.activations, "activation_index"),
    lr: pick(data.lr_options, "lr_index"),
    optimizer: pick(data.optimizers, "optimizer_index"),
    epochs: model.get("epochs"),
    seed: model.get("seed"),
  };
  for (const [name, low, high] of [["hidden_layers", 0, 6], ["units", 1, 64], ["epochs", 1, 10000], ["seed", 0, 2 ** 32]]) {
    if (!Number.isInteger(setting[name]) || setting[name] < low || setting[name] > high) {
      throw new Error(`${name} must be a whole number from ${low} to ${high}, got ${setting[name]}`);
    }
  }
  return setting;
}

const shape = (setting) => [2, ...new Array(setting.hidden_layers).fill(setting.units), 1].join("-");
const parameters = (setting) => {
  const sizes = [2, ...new Array(setting.hidden_layers).fill(setting.units), 1];
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return n;                           // nnlib.network.count_parameters
};
const describe = (s) => `${s.dataset}, ${s.hidden_layers} hidden layer${s.hidden_layers === 1 ? "" : "s"}` +
  `${s.hidden_layers ? ` of ${s.units} ${s.activation} unit${s.units === 1 ? "" : "s"}` : ""}, ` +
  `${s.optimizer} with learning rate ${format(s.lr, "g")}, ${s.epochs} epochs, seed ${s.seed}`;

// ---------------------------------------------------------------- the three plots

// Decision regions (class by logit > 0, as Sequential.predict) and the training points.
function regionsPlot(run, id, diverged) {
  const { XTrain, yTrain } = run.data;
  const lo = [0, 1].map((d) => Math.min(...XTrain.map((p) => p[d])));
  const hi = [0, 1].map((d) => Math.max(...XTrain.map((p) => p[d])));
  const margin = [0, 1].map((d) => 0.1 * Math.max(hi[d] - lo[d], 1e-9) + 0.1);
  const xlim = [lo[0] - margin[0], hi[0] + margin[0]], ylim = [lo[1] - margin[1], hi[1] + margin[1]];
  const left = 50, top = 30, side = 300, res = 60;
  const xs = scale(...xlim, left, left + side), ys = scale(...ylim, top + side, top);
  let svg = `<svg viewBox="0 0 370 400" xmlns="http://www.w3.org/2000/svg">${hatchDefs(id)}`;
  const cell = side / res;
  let share1 = 0;
  if (!diverged) {
    for (let r = 0; r < res; r++) {       // one row of the grid at a time, as runs of one class
      const yv = ylim[1] - (r + 0.5) * (ylim[1] - ylim[0]) / res;
      const row = [];
      for (let c = 0; c < res; c++) row.push([xlim[0] + (c + 0.5) * (xlim[1] - xlim[0]) / res, yv]);
      const cls = forward(run.model, row).out.map(([z]) => (z > 0 ? 1 : 0));
      share1 += cls.reduce((a, b) => a + b, 0);
      for (let c = 0; c < res;) {
        let end = c;
        while (end < res && cls[end] === cls[c]) end++;
        const [fill, hatch] = cls[c] === 1 ? [PALETTE[1], "lines"] : [PALETTE[0], "dots"];
        const x = left + c * cell, y = top + r * cell, w = (end - c) * cell;
        svg += `<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${w.toFixed(2)}" height="${cell.toFixed(2)}" fill="${fill}" fill-opacity="0.25"/>`;
        svg += `<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${w.toFixed(2)}" height="${cell.toFixed(2)}" fill="url(#${id}-${hatch})" opacity="0.3"/>`;
        c = end;
      }
    }
  } else {
  }
  XTrain.forEach(([a, b], i) => {
    svg += marker(yTrain[i] === 1 ? "s" : "o", xs(a).toFixed(1), ys(b).toFixed(1), 6, PALETTE[yTrain[i]]);
  });
  if (diverged) {                         // a note over the points, on white
    svg += `<rect x="${left + 40}" y="${top + side / 2 - 16}" width="${side - 80}" height="24" fill="white" stroke="${PALETTE[3]}"/>`;
    svg += text(left + side / 2, top + side / 2, "no regions: the weights are NaN", 'text-anchor="middle" font-size="13"');
  }
  const epochs = run.history.loss.length;
  svg += axes({ left, top, width: side, height: side, xs, ys, xTicks: ticks(...xlim, 4), yTicks: ticks(...ylim, 4),
    xLabel: "x1", yLabel: "x2", format: (v) => format(v, "g"),
    title: `${run.setting.dataset} after ${epochs} epoch${epochs === 1 ? "" : "s"}` });
  const ly = top + side + 52;
  svg += marker("o", left + 5, ly, 9, PALETTE[0]) + text(left + 13, ly + 4, "class 0 (blue, ..)", 'font-size="11"');
  svg += marker("s", left + 140, ly, 9, PALETTE[1]) + text(left + 148, ly + 4, "class 1 (orange, //)", 'font-size="11"');
  return { svg: `${svg}</svg>`, share1: diverged ? NaN : share1 / (res * res) };
}

// Loss or accuracy per epoch: training solid with circles, validation dashed with squares.
function curvesPlot(history, metric, totalEpochs, diverged) {
  const train = history[metric], val = history[`val_${metric}`];
  const isLoss = metric === "loss";
  const left = 60, top = 30, width = 290, height = 220;
  const xMax = Math.max(totalEpochs, 1);
  const finite = [...train, ...val].filter(Number.isFinite);
  const yMax = isLoss ? Math.max(...finite, 0.1) * 1.05 : 1.02;
  const yMin = isLoss ? 0 : -0.02;
  const xs = scale(0, xMax, left, left + width), ys = scale(yMin, yMax, top + height, top);
  let svg = `<svg viewBox="0 0 370 330" xmlns="http://www.w3.org/2000/svg">`;
  if (!isLoss) {
    svg += `<line x1="${left}" y1="${ys(0.95)}" x2="${left + width}" y2="${ys(0.95)}" stroke="black" stroke-dasharray="1 3"/>`;
    svg += text(left + width - 4, ys(0.95) + 13, "95%", 'text-anchor="end" font-size="10"');
  }
  if (!train.length) {
    svg += text(left + width / 2, top + height / 2, "no epoch finished", 'text-anchor="middle" font-size="12"');
  }
  const markEach = totalEpochs <= 30;
  [[train, PALETTE[0], "", "o"], [val, PALETTE[1], 'stroke-dasharray="7 4"', "s"]].forEach(([values, colour, dash, shape]) => {
    if (!values.length) return;
    const pts = values.map((v, i) => `${xs(i + 1).toFixed(1)},${ys(v).toFixed(1)}`).join(" ");
    svg += `<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2" ${dash}/>`;
    if (markEach) svg += values.map((v, i) => marker(shape, xs(i + 1), ys(v), 6, colour)).join("");
  });
  if (diverged) {
    svg += `<line x1="${xs(diverged)}" y1="${top}" x2="${xs(diverged)}" y2="${top + height}" stroke="${PALETTE[3]}" stroke-width="2" stroke-dasharray="4 2"/>`;
    const right = xs(diverged) < left + width / 2;      // write the label where there is room
    svg += text(xs(diverged) + (right ? 4 : -4), top + 14, `NaN in epoch ${diverged}`,
      `text-anchor="${right ? "start" : "end"}" font-size="11"`);
  }
  svg += axes({ left, top, width, height, xs, ys, xTicks: ticks(0, xMax, 5),
    yTicks: isLoss ? ticks(0, yMax, 4) : [0, 0.25, 0.5, 0.75, 1], xLabel: "epoch", yLabel: metric,
    title: `${metric} per epoch`, format: (v) => format(v, "g") });
  const ly = top + height + 50;
  svg += `<line x1="${left}" y1="${ly}" x2="${left + 24}" y2="${ly}" stroke="${PALETTE[0]}" stroke-width="2"/>` + marker("o", left + 12, ly, 6, PALETTE[0]) + text(left + 30, ly + 4, "training", 'font-size="11"');
  svg += `<line x1="${left + 110}" y1="${ly}" x2="${left + 134}" y2="${ly}" stroke="${PALETTE[1]}" stroke-width="2" stroke-dasharray="7 4"/>` + marker("s", left + 122, ly, 6, PALETTE[1]) + text(left + 140, ly + 4, "validation", 'font-size="11"');
  return `${svg}</svg>`;
}

const labelled = (svg, alt) => svg.replace("<svg ", `<svg role="img" aria-label="${escapeHtml(alt)}" `);
const pct = (v) => format(v, ".1%");
const num = (v) => format(v, ".4g");

// Curves in words: first, last, lowest / highest.
function curveWords(history, metric) {
  const t = history[metric], v = history[`val_${metric}`];
  if (!t.length) return `no ${metric} recorded yet`;
  const f = metric === "loss" ? num : pct;
  return `training ${metric} from ${f(t[0])} (epoch 1) to ${f(t[t.length - 1])} (epoch ${t.length}); ` +
    `validation ${metric} from ${f(v[0])} to ${f(v[v.length - 1])}`;
}

// ---------------------------------------------------------------- the widget

export default {
  render({ model, el }) {
    addRowStyle();
    const area = liveArea(el, { name: "training_playground", width: 1140 });
    const id = uniqueId("playground");
    const bar = document.createElement("div");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Train";
    button.className = "nnlib-train";
    const network = document.createElement("span");
    network.className = "nnlib-network";
    network.setAttribute("aria-live", "polite");
    bar.append(button, " ", network);
    const table = document.createElement("details");
    area.root.prepend(bar);
    area.root.append(table);
    let job = null;              // the run being trained, until it is over
    let shownSetting = null;     // the setting of the run on screen

    function draw(run, finished) {
      const h = run.history, s = run.setting;
      const { valAccuracy, epoch95, diverged } = run.summary();
      const { svg: regions, share1 } = regionsPlot(run, id, diverged);
      const epochs = h.loss.length;
      let readout;
      if (diverged) {
        readout = `<p class="nnlib-problem" role="alert" data-value="diverged">diverged: loss is NaN in epoch ${diverged}` +
          `${epochs ? ` (after epoch ${epochs} it was ${num(h.loss[epochs - 1])})` : ""}. The learning rate ` +
          `${format(s.lr, "g")} is too large for this setting: lower it and press Train again.</p>`;
      } else {
        const reached = epoch95 !== null
          ? `validation accuracy passed 95% in epoch <b data-value="epoch_95">${epoch95}</b>`
          : `validation accuracy <b data-value="epoch_95">never reached 95%</b>${finished ? "" : " yet"}`;
        readout = `${finished ? "After" : "Training... after"} <span data-value="epochs_done">${epochs}</span> of ${s.epochs} epochs: ` +
          `training loss <span data-value="loss">${epochs ? num(h.loss[epochs - 1]) : "-"}</span>, validation accuracy ` +
          `<b data-value="val_accuracy">${epochs ? pct(valAccuracy) : "-"}</b>; ${reached}.`;
        if (finished && epochs > 1 && h.loss[epochs - 1] >= h.loss[0]) {
          readout += ` <span class="nnlib-problem" data-value="no_progress">The training loss did not go down ` +
            `(${num(h.loss[0])} in epoch 1, ${num(h.loss[epochs - 1])} in epoch ${epochs}): the learning rate may be too large.</span>`;
        }
      }
      const altRegions = diverged
        ? `The ${run.data.XTrain.length} training points of the ${s.dataset} data set; no decision regions, because the weights became NaN.`
        : `Decision regions of the ${shape(s)} network after ${epochs} epochs on the ${s.dataset} data set, with the ` +
          `${run.data.XTrain.length} training points (class 0 circles, class 1 squares): the network says class 1 on ` +
          `${pct(share1)} of the plotted area.`;
      const plots = `<div class="nnlib-row">${labelled(regions, altRegions)}` +
        `${labelled(curvesPlot(h, "loss", s.epochs, diverged), `Loss per epoch: ${curveWords(h, "loss")}.`)}` +
        `${labelled(curvesPlot(h, "accuracy", s.epochs, diverged), `Accuracy per epoch: ${curveWords(h, "accuracy")}; the dotted line marks 95%.`)}</div>`;
      area.show(plots, altRegions, readout);
      area.root.dataset.state = diverged ? "diverged" : finished ? "trained" : "training";
      area.root.dataset.history = JSON.stringify({ loss: h.loss, accuracy: h.accuracy, val_loss: h.val_loss,
        val_accuracy: h.val_accuracy, diverged, epoch_95: epoch95, setting: s });
      if (finished) {
        const rows = h.loss.map((l, i) => `<tr><td>${i + 1}</td><td>${num(l)}</td><td>${num(h.val_loss[i])}</td>` +
          `<td>${pct(h.accuracy[i])}</td><td>${pct(h.val_accuracy[i])}</td></tr>`).join("");
        table.innerHTML = `<summary>The numbers per epoch (table)</summary><table><thead><tr><th scope="col">epoch</th>` +
          `<th scope="col">training loss</th><th scope="col">validation loss</th><th scope="col">training accuracy</th>` +
          `<th scope="col">validation accuracy</th></tr></thead><tbody>${rows}</tbody></table>`;
      }
    }

    function showNetwork() {
      let s;
      try {
        s = currentSetting(model);
      } catch (error) {
        area.problem(`This setting cannot be trained: ${error.message}`);
        return null;
      }
      const stale = shownSetting && JSON.stringify(s) !== JSON.stringify(shownSetting);
      network.innerHTML = `Network <b data-value="shape">${shape(s)}</b> (${s.activation}), ` +
        `<b data-value="n_params">${parameters(s)}</b> parameters.` +
        (stale ? ` <span data-value="stale">The settings changed since the plots below: press Train.</span>` : "");
      area.root.dataset.stale = stale ? "yes" : "no";
      return s;
    }

    function train() {
      const s = showNetwork();
      if (!s) return;
      const run = playgroundRun(s);
      job = run;
      shownSetting = s;
      showNetwork();
      area.root.dataset.state = "training";
      const started = performance.now();
      let budget = CHUNK_MS;
      const chunk = () => {
        if (job !== run) return;                   // Train was pressed again: a new run took over
        try {
          const until = performance.now() + budget;
          while (run.more(1) && performance.now() < until);
          const finished = run.done();
          const drawStart = performance.now();
          draw(run, finished);
          // train at least 4 times as long as a redraw takes, so redraws cost at most a fifth
          budget = Math.max(CHUNK_MS, 4 * (performance.now() - drawStart));
          if (finished) {
            area.root.dataset.trainMs = String(performance.now() - started);
            job = null;
          } else {
            setTimeout(chunk, 0);
          }
        } catch (error) {
          console.warn("nnlib playground:", error);
          area.problem(`This setting cannot be trained: ${error.message}`);
          job = null;
        }
      };
      chunk();
    }

    button.addEventListener("click", train);
    const onChange = () => showNetwork();
    for (const name of [...TRAITS, "data"]) model.on(`change:${name}`, onChange);
    train();                        // the page opens with the controls' setting trained
    return () => {
      job = null;
      for (const name of [...TRAITS, "data"]) model.off(`change:${name}`, onChange);
    };
  },
};
