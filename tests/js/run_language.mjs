// Runs chapter 7's widget code (nnlib/widgets/js/transformer.js, next_char.js,
// attention_explorer.js) under Node for the agreement tests: reads one JSON request from stdin,
// writes one JSON answer to stdout.
//   {"kind": "logits", "data": <next_char_data>, "ids": [...]}          -> logits (T rows of V)
//   {"kind": "next_char", "data": <next_char_data>, "prompt": "...", "T": 0.7}
//                                                       -> next_char_state (or {problem})
//   {"kind": "attention", "Q": {shape, b64}, "K": {...}, "tau": 1, "tokens": [...],
//    "head_name": "..."}                                 -> attention_explorer_state
import { readFileSync } from "node:fs";
import { transformerLogits, unpackArray, unpackWeights } from "../../nnlib/widgets/js/transformer.js";
import { nextCharState } from "../../nnlib/widgets/js/next_char.js";
import { attentionExplorerState } from "../../nnlib/widgets/js/attention_explorer.js";

const request = JSON.parse(readFileSync(0, "utf8"));
const rows = (a) => Array.from({ length: a.shape[0] }, (_, i) =>
  a.subarray(i * a.shape[1], (i + 1) * a.shape[1]));
let answer;
if (request.kind === "logits") {
  const W = unpackWeights(request.data.weights);
  answer = transformerLogits(W, request.data.config, request.ids).map((r) => Array.from(r));
} else if (request.kind === "next_char") {
  const W = unpackWeights(request.data.weights);
  const { config, chars, top } = request.data;
  answer = nextCharState(W, config, chars, request.prompt, request.T, top);
} else if (request.kind === "attention") {
  const Q = rows(unpackArray(request.Q)), K = rows(unpackArray(request.K));
  const state = attentionExplorerState(Q, K, request.tau, request.tokens, request.head_name);
  answer = { ...state, weights: state.weights.map((r) => Array.from(r)) };
} else {
  throw new Error(`unknown request kind ${request.kind}`);
}
process.stdout.write(JSON.stringify(answer));
