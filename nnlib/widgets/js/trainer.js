// trainer.js: the training playground's maths in the page, written as plainly as nnlib.
//
// Everything here mirrors an nnlib function (named in the comments) so that the page shows the
// numbers nnlib computes: the same data sets, the same initial weights, the same mini-batches,
// the same small MLP, loss and optimisers. The random numbers come from numpy_random.js, a
// copy of numpy's default_rng, so a seed gives the same run here as in Python.
// Shapes are written (rows, columns); a matrix is an array of rows.

import { Generator } from "./numpy_random.js";
import { ACTIVATIONS, sigmoid } from "./activations.js";

// ================================================================ data sets (nnlib.data)

// _balanced_labels: 0, 1, 0, 1, ... in random order
function balancedLabels(n, nClasses, gen) {
  return gen.permutation(Array.from({ length: n }, (_, i) => i % nClasses));
}

// nnlib.data.quadrants(n, noise=0): label 1 where x1 and x2 have the same sign
export function quadrants(n, seed, noise = 0.0) {
  const gen = new Generator(seed);
  const y = balancedLabels(n, 2, gen);
  const magnitude = [];
  for (let i = 0; i < n; i++) magnitude.push([gen.uniform(0.05, 1.0), gen.uniform(0.05, 1.0)]);
  const sign1 = [];
  for (let i = 0; i < n; i++) sign1.push([-1.0, 1.0][gen.integers(2)]);   // gen.choice([-1, 1])
  const X = [];
  for (let i = 0; i < n; i++) {
    const sign2 = y[i] === 1 ? sign1[i] : -sign1[i];
    X.push([magnitude[i][0] * sign1[i], magnitude[i][1] * sign2]);
  }
  return { X: addNoise(X, noise, gen), y };
}

// nnlib.data.circles(n, noise=0.05, factor=0.5): label 1 on the inner circle
export function circles(n, seed, noise = 0.05, factor = 0.5) {
  const gen = new Generator(seed);
  const y = balancedLabels(n, 2, gen);
  const angle = [];
  for (let i = 0; i < n; i++) angle.push(gen.uniform(0.0, 2 * Math.PI));
  const X = angle.map((a, i) => {
    const radius = y[i] === 1 ? factor : 1.0;
    return [radius * Math.cos(a), radius * Math.sin(a)];
  });
  return { X: addNoise(X, noise, gen), y };
}

// nnlib.data.moons(n, noise=0.1): two interleaved half circles, centred on the origin
export function moons(n, seed, noise = 0.1) {
  const gen = new Generator(seed);
  const y = balancedLabels(n, 2, gen);
  const t = [];
  for (let i = 0; i < n; i++) t.push(gen.uniform(0.0, Math.PI));
  const X = t.map((ti, i) => (y[i] === 0
    ? [Math.cos(ti) - 0.5, Math.sin(ti) - 0.25]
    : [1.0 - Math.cos(ti) - 0.5, 0.5 - Math.sin(ti) - 0.25]));
  return { X: addNoise(X, noise, gen), y };
}

// nnlib.data.spirals(n, noise=0, turns=1.75): two arms, half a turn apart
export function spirals(n, seed, noise = 0.0, turns = 1.75) {
  const gen = new Generator(seed);
  const y = balancedLabels(n, 2, gen);
  const r = [];
  for (let i = 0; i < n; i++) r.push(gen.uniform(0.0, 1.0));
  const X = r.map((ri, i) => {
    const angle = 2 * Math.PI * turns * ri + Math.PI * y[i];
    return [ri * Math.cos(angle), ri * Math.sin(angle)];
  });
  return { X: addNoise(X, noise, gen), y };
}

// X + gen.normal(0, noise, size=X.shape) (drawn even when noise is 0, as numpy does)
function addNoise(X, noise, gen) {
  return X.map((row) => row.map((v) => v + gen.normal(0.0, noise)));
}

export const DATASETS = { quadrants, circles, moons, spirals };

// Python's round(): halves go to the even neighbour
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// nnlib.data.train_val_split(X, y, val_fraction, rng=seed): a random share for validation
export function trainValSplit(X, y, valFraction, seed) {
  const n = X.length;
  const nVal = Math.min(Math.max(roundHalfEven(valFraction * n), 1), n - 1);
  const order = new Generator(seed).permutation(n);
  const val = order.slice(0, nVal), train = order.slice(nVal);
  return {
    XTrain: train.map((i) => X[i]), yTrain: train.map((i) => y[i]),
    XVal: val.map((i) => X[i]), yVal: val.map((i) => y[i]),
  };
}

// ================================================================ activations
// ACTIVATIONS[name] = [f, f'] and sigmoid come from activations.js (nnlib.activations).
const RELU_LIKE = ["relu", "leaky_relu", "gelu", "silu"];      // nnlib.network._RELU_LIKE

// ================================================================ the network (nnlib.network.mlp)

// mlp(sizes, activation, rng=seed): Dense layers, W drawn with standard_normal * std,
// std = sqrt(2 / n_in) ("he", ReLU-like) or sqrt(2 / (n_in + n_out)) ("xavier"); b = 0.
export function mlp(sizes, activation, seed) {
  if (!(activation in ACTIVATIONS)) throw new Error(`mlp: unknown activation ${activation}`);
  const he = RELU_LIKE.includes(activation);
  const gen = new Generator(seed);
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l], nOut = sizes[l + 1];
    const std = he ? Math.sqrt(2.0 / nIn) : Math.sqrt(2.0 / (nIn + nOut));
    const W = [];
    for (let i = 0; i < nIn; i++) {
      const row = [];
      for (let j = 0; j < nOut; j++) row.push(gen.standardNormal() * std);
      W.push(row);
    }
    layers.push({ W, b: new Array(nOut).fill(0) });
  }
  return { sizes: sizes.slice(), activation, layers };
}

export const countParameters = (model) =>
  model.layers.reduce((total, { W, b }) => total + W.length * b.length + b.length, 0);

// Dense.forward: Z = X @ W + b, X (batch, n_in), W (n_in, n_out), b (n_out,)
function dense(X, W, b) {
  const Z = new Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const x = X[i], z = b.slice();
    for (let k = 0; k < x.length; k++) {
      const xk = x[k], Wk = W[k];
      for (let j = 0; j < z.length; j++) z[j] += xk * Wk[j];
    }
    Z[i] = z;
  }
  return Z;
}

// Sequential.forward: a Dense layer, the activation, ..., a last Dense layer (logits).
// Keeps what backward needs: each Dense layer's input and each activation's input.
export function forward(model, X) {
  const [f] = ACTIVATIONS[model.activation];
  const inputs = [], preActivations = [];
  let A = X;
  const last = model.layers.length - 1;
  for (let l = 0; l <= last; l++) {
    inputs.push(A);
    const Z = dense(A, model.layers[l].W, model.layers[l].b);
    if (l < last) {
      preActivations.push(Z);
      A = Z.map((row) => row.map(f));
    } else {
      A = Z;
    }
  }
  return { out: A, inputs, preActivations };
}

// Sequential.backward: the chain rule, last layer first. Dense.backward: dW = X.T @ dY,
// db = dY summed over the batch, dX = dY @ W.T; activation: dX = dY * f'(Z).
// Returns [{dW, dB}, ...], one per Dense layer, shaped like W and b.
export function backward(model, cache, dOut) {
  const [, fGrad] = ACTIVATIONS[model.activation];
  const grads = new Array(model.layers.length);
  let dY = dOut;
  for (let l = model.layers.length - 1; l >= 0; l--) {
    const { W, b } = model.layers[l];
    const X = cache.inputs[l];
    const nIn = W.length, nOut = b.length, batch = X.length;
    const dW = [];
    for (let k = 0; k < nIn; k++) dW.push(new Array(nOut).fill(0));
    const db = new Array(nOut).fill(0);
    for (let i = 0; i < batch; i++) {
      const x = X[i], d = dY[i];
      for (let j = 0; j < nOut; j++) db[j] += d[j];
      for (let k = 0; k < nIn; k++) {
        const xk = x[k], dWk = dW[k];
        for (let j = 0; j < nOut; j++) dWk[j] += xk * d[j];
      }
    }
    grads[l] = { dW, db };
    if (l > 0) {               // the first layer's dX is the data's gradient: not needed
      const Z = cache.preActivations[l - 1];
      const dX = new Array(batch);
      for (let i = 0; i < batch; i++) {
        const d = dY[i], row = new Array(nIn);
        for (let k = 0; k < nIn; k++) {
          let s = 0;
          const Wk = W[k];
          for (let j = 0; j < nOut; j++) s += d[j] * Wk[j];
          row[k] = s * fGrad(Z[i][k]);
        }
        dX[i] = row;
      }
      dY = dX;
    }
  }
  return grads;
}

// ================================================================ loss (nnlib.losses, "bce_logits")

// binary_cross_entropy_with_logits: mean(max(z, 0) - z y + log1p(exp(-|z|))), z of shape (n, 1)
export function bceLogits(out, y) {
  let s = 0;
  out.forEach(([z], i) => { s += Math.max(z, 0) - z * y[i] + Math.log1p(Math.exp(-Math.abs(z))); });
  return s / out.length;
}

// binary_cross_entropy_with_logits_grad: (sigmoid(z) - y) / n, shape (n, 1)
export const bceLogitsGrad = (out, y) => out.map(([z], i) => [(sigmoid(z) - y[i]) / out.length]);

// ================================================================ optimisers (nnlib.optim)
// One state per parameter array, in the order of Sequential.parameters(): W0, b0, W1, b1, ...

// "sgd": SGD(lr); "momentum": SGD(lr, momentum=0.9); "adam": Adam(lr), betas (0.9, 0.999).
// step(model, grads) updates every row of every W and b in place; the state (momentum buffer,
// Adam's moments m, v and step count t) is kept per row, which is the same as per parameter.
export function makeOptimizer(name, lr) {
  if (!["sgd", "momentum", "adam"].includes(name)) throw new Error(`unknown optimiser ${name}`);
  const state = new Map();                       // key: a row of W or a b; value: its state
  const momentum = name === "momentum" ? 0.9 : 0.0;
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let t = 0;                                     // Adam's step count (the same for all)

  function update(w, g) {                        // one row w (a plain array) and its gradient g
    if (name === "adam") {                       // Adam.step
      if (!state.has(w)) state.set(w, { m: new Array(w.length).fill(0), v: new Array(w.length).fill(0) });
      const { m, v } = state.get(w);
      const stepSize = lr / (1 - beta1 ** t);
      const biasCorrection2 = Math.sqrt(1 - beta2 ** t);
      for (let i = 0; i < w.length; i++) {
        m[i] = m[i] * beta1 + (1 - beta1) * g[i];
        v[i] = v[i] * beta2 + (1 - beta2) * (g[i] * g[i]);
        const denom = Math.sqrt(v[i]) / biasCorrection2 + eps;       // sqrt(v_hat) + eps
        w[i] -= stepSize * (m[i] / denom);
      }
    } else {                                     // SGD.step
      let d = g;
      if (momentum > 0) {
        const buf = state.get(w);
        if (!buf) state.set(w, g.slice());       // buf = g on the first step
        else for (let i = 0; i < w.length; i++) buf[i] = buf[i] * momentum + g[i];
        d = state.get(w);                        // buf = momentum * buf + g later
      }
      for (let i = 0; i < w.length; i++) w[i] -= lr * d[i];
    }
  }

  return {
    name, lr,
    step(model, grads) {
      t += 1;
      model.layers.forEach(({ W, b }, l) => {
        W.forEach((row, k) => update(row, grads[l].dW[k]));
        update(b, grads[l].db);
      });
    },
  };
}

// ================================================================ training (Sequential.fit)

const allFinite = (M) => M.every((row) => row.every(Number.isFinite));

// Fraction of rows whose logit > 0 agrees with the 0/1 label (network._accuracy)
function accuracy(out, y) {
  let correct = 0;
  out.forEach(([z], i) => { if ((z > 0 ? 1 : 0) === y[i]) correct += 1; });
  return correct / out.length;
}

// Sequential.evaluate(X, y, "bce_logits"): (mean loss, accuracy)
export function evaluate(model, X, y) {
  const { out } = forward(model, X);
  if (!allFinite(out)) return [NaN, accuracy(out, y)];
  return [bceLogits(out, y), accuracy(out, y)];
}

// One epoch of Sequential.fit(X, y, "bce_logits", optimizer, batch_size, ...): one step per
// mini-batch of ``order`` (forward, loss, backward, update). Returns the epoch's mean loss and
// accuracy (weighted by batch size, measured while training), or null when a batch's outputs
// are NaN or infinite (where nnlib's loss raises: the run diverged).
export function trainEpoch(model, X, y, optimizer, order, batchSize) {
  const n = X.length;
  let totalLoss = 0, totalCorrect = 0;
  for (let start = 0; start < n; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const Xb = batch.map((i) => X[i]), yb = batch.map((i) => y[i]);
    const cache = forward(model, Xb);
    if (!allFinite(cache.out)) return null;
    const value = bceLogits(cache.out, yb);
    optimizer.step(model, backward(model, cache, bceLogitsGrad(cache.out, yb)));
    totalLoss += value * batch.length;
    totalCorrect += accuracy(cache.out, yb) * batch.length;
  }
  return { loss: totalLoss / n, accuracy: totalCorrect / n };
}

// Sequential.fit(X, y, "bce_logits", optimizer, epochs, batch_size, validation_data, rng=gen):
// per epoch, shuffle with gen.permutation(n) (or take the given ``order`` of that epoch),
// train one epoch, then measure the validation data. Training stops where nnlib's fit raises:
// when outputs or the epoch's loss are not finite; history.diverged then holds that epoch.
export function fit(model, X, y, optimizer, { epochs, batchSize = 10, validation = null,
  gen, order = null }) {
  const history = { loss: [], accuracy: [], val_loss: [], val_accuracy: [], diverged: null };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (!fitOneMore(model, X, y, optimizer, history, { batchSize, validation, gen, order })) break;
  }
  return history;
}

// The next epoch of fit, appended to history; false (and history.diverged set) if it diverged.
export function fitOneMore(model, X, y, optimizer, history, { batchSize = 10, validation = null,
  gen, order = null }) {
  const epoch = history.loss.length + 1;
  const perm = order ? order[epoch - 1] : gen.permutation(X.length);
  const result = trainEpoch(model, X, y, optimizer, perm, batchSize);
  let valLoss = 0;
  if (result) {
    history.loss.push(result.loss);
    history.accuracy.push(result.accuracy);
    if (validation) {
      const [vl, va] = evaluate(model, validation.X, validation.y);
      history.val_loss.push(vl);
      history.val_accuracy.push(va);
      valLoss = vl;
    }
  }
  if (!result || !Number.isFinite(result.loss) || !Number.isFinite(valLoss)) {
    for (const key of ["loss", "accuracy", "val_loss", "val_accuracy"]) {
      history[key].length = Math.min(history[key].length, epoch - 1);
    }
    history.diverged = epoch;
    return false;
  }
  return true;
}

// first_epoch_reaching(values, threshold): the first epoch (from 1) with value >= threshold
export function firstEpochReaching(values, threshold) {
  const i = values.findIndex((v) => v >= threshold);
  return i < 0 ? null : i + 1;
}

// ================================================================ the playground (train_playground)

export const PLAYGROUND_DEFAULTS = { dataset: "quadrants", hidden_layers: 2, units: 4,
  activation: "relu", lr: 0.03, optimizer: "sgd", epochs: 100, seed: 0 };

// The data a setting trains on: n points of the data set drawn with seed, split with seed.
export function playgroundData(dataset, seed, n = 400, valFraction = 0.25) {
  if (!(dataset in DATASETS)) throw new Error(`unknown data set ${dataset}`);
  const { X, y } = DATASETS[dataset](n, seed);
  return trainValSplit(X, y, valFraction, seed);
}

// train_playground(dataset, hidden_layers, units, activation, lr, optimizer, epochs, seed),
// one epoch at a time: mlp([2, units x hidden_layers, 1]) trained with bce_logits in batches
// of 10, data, weights and shuffling seeded as nnlib does. ``given`` may hold data
// ({XTrain, yTrain, XVal, yVal}), initial weights (layers: [{W, b}]) and batch orders (one
// permutation per epoch) passed in from Python instead. run.more(k) trains k more epochs
// (fewer if the run ends or diverges) and returns false once it is over.
export function playgroundRun(setting, given = {}) {
  const s = { ...PLAYGROUND_DEFAULTS, ...setting };
  const data = given.data ?? playgroundData(s.dataset, s.seed);
  const sizes = [2, ...new Array(s.hidden_layers).fill(s.units), 1];
  const model = mlp(sizes, s.activation, s.seed);
  if (given.layers) {
    model.layers = given.layers.map(({ W, b }) => ({ W: W.map((r) => r.slice()), b: b.slice() }));
  }
  const optimizer = makeOptimizer(s.optimizer, s.lr);
  const options = { batchSize: 10, validation: { X: data.XVal, y: data.yVal },
    gen: new Generator(s.seed), order: given.order ?? null };
  const history = { loss: [], accuracy: [], val_loss: [], val_accuracy: [], diverged: null };
  const run = {
    setting: s, sizes, model, data, history, nParams: countParameters(model),
    done: () => history.diverged !== null || history.loss.length >= s.epochs,
    more(k) {
      for (let i = 0; i < k && !run.done(); i++) {
        fitOneMore(model, data.XTrain, data.yTrain, optimizer, history, options);
      }
      return !run.done();
    },
    summary() {
      const last = history.val_accuracy.length - 1;
      return {
        valAccuracy: last >= 0 ? history.val_accuracy[last] : NaN,
        epoch95: firstEpochReaching(history.val_accuracy, 0.95),
        diverged: history.diverged,
      };
    },
  };
  return run;
}

// train_playground(...): the whole run at once.
export function trainPlayground(setting, { given = {} } = {}) {
  const run = playgroundRun(setting, given);
  run.more(run.setting.epochs);
  return { model: run.model, history: run.history, data: run.data, nParams: run.nParams,
    ...run.summary() };
}

// Sequential.predict_proba on a grid: the probability of class 1 at each grid point,
// for the decision regions (nnlib.plots.decision_boundary). Returns rows from y = top down.
export function probabilityGrid(model, [xMin, xMax], [yMin, yMax], resolution) {
  const rows = [];
  for (let r = 0; r < resolution; r++) {
    const yv = yMax - (r + 0.5) * (yMax - yMin) / resolution;
    const points = [];
    for (let c = 0; c < resolution; c++) points.push([xMin + (c + 0.5) * (xMax - xMin) / resolution, yv]);
    rows.push(forward(model, points).out.map(([z]) => sigmoid(z)));
  }
  return rows;
}
