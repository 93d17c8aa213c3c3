// Runs the page's trainer (nnlib/widgets/js/trainer.js) under Node for the agreement tests:
// reads one JSON request from stdin, writes one JSON answer to stdout.
//   {"kind": "playground", "setting": {...}, "given": {...}}  -> history, data, first weights
//   {"kind": "learning_rate", "lr": 0.1, "steps": 20, "w0": -1}  -> learning_rate_state
//   {"kind": "random", "seed": 0, "draws": [["normal", 5], ...]}  -> the draws, in order
import { readFileSync } from "node:fs";
import * as trainer from "../../nnlib/widgets/js/trainer.js";
import { Generator } from "../../nnlib/widgets/js/numpy_random.js";
import { learningRateState } from "../../nnlib/widgets/js/gradient_descent.js";

const request = JSON.parse(readFileSync(0, "utf8"));
let answer;
if (request.kind === "playground") {
  const firstModel = trainer.mlp([2, ...new Array(request.setting.hidden_layers ?? 2)
    .fill(request.setting.units ?? 4), 1], request.setting.activation ?? "relu",
  request.setting.seed ?? 0);
  const result = trainer.trainPlayground(request.setting, { given: request.given ?? {} });
  answer = { history: result.history, epoch95: result.epoch95, diverged: result.diverged,
    nParams: result.nParams, data: result.data, initialLayers: firstModel.layers,
    finalLayers: result.model.layers };
} else if (request.kind === "learning_rate") {
  answer = learningRateState(request.lr, request.steps, request.w0);
  answer.path = answer.path.map(String);       // keep Infinity through JSON
  answer.losses = answer.losses.map(String);
} else if (request.kind === "random") {
  const gen = new Generator(request.seed);
  answer = request.draws.map(([what, count, arg]) => {
    const out = [];
    for (let i = 0; i < count; i++) {
      if (what === "random") out.push(gen.random());
      else if (what === "normal") out.push(gen.standardNormal());
      else if (what === "integers") out.push(gen.integers(arg));
      else if (what === "permutation") return gen.permutation(arg);
    }
    return out;
  });
} else {
  throw new Error(`unknown request kind ${request.kind}`);
}
process.stdout.write(JSON.stringify(answer));
