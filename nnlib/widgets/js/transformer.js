// The forward pass of chapter 7's tiny character-level transformer, in the page, so that the
// next-character widget runs with no kernel. Mirrors nnlib.language_model.TransformerLM.forward
// and next_token_probabilities (GPT-2 layout, nnlib.attention.TransformerBlock):
//   x = token_embedding[ids] + position_embedding[0..T-1]
//   per block: x = x + attn(ln1(x));  x = x + fc2(gelu(fc1(ln2(x))))
//   (gelu: the tanh approximation of GPT-2 when config.gelu is "tanh", else the exact erf form)
//   attn: Q, K, V = h W_q + b_q, ...; head j uses channels j*hs..(j+1)*hs; weights =
//         softmax(Q_j K_j^T / sqrt(hs)) with the causal mask; out = concat(A_j V_j) W_o + b_o
//   logits = ln_f(x) W_head   (no bias)
// The weights arrive as {name: {shape, b64}}: float32 little-endian numbers in base64 (see
// nnlib.widgets.language.pack_weights); all arithmetic is in float64, as numpy's.
import { erf, softmax } from "./activations.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

// How a character is shown (nnlib.widgets.language.show_char): a space as ␣, a line break as ↵.
export function showChar(c) {
  if (c === " ") return "␣";
  if (c === "\n") return "↵";
  if (c === "\t") return "⇥";
  return c;
}

// nnlib.widgets.language.pack_array: base64 of float32 little-endian -> Float64Array
export function unpackArray({ shape, b64 }) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const n = bytes.length / 4;
  const want = shape.reduce((a, b) => a * b, 1);
  if (n !== want) throw new Error(`weights of shape [${shape}] need ${want} numbers, got ${n}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  out.shape = shape;
  return out;
}

export function unpackWeights(packed) {
  const out = {};
  for (const [name, array] of Object.entries(packed)) out[name] = unpackArray(array);
  return out;
}

// x (T rows of n) @ W (n x m, row-major) + b (m or null) -> T rows of m
function affine(x, W, b, n, m) {
  return x.map((row) => {
    const out = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      const v = row[k];
      if (v === 0) continue;
      const base = k * m;
      for (let j = 0; j < m; j++) out[j] += v * W[base + j];
    }
    if (b) for (let j = 0; j < m; j++) out[j] += b[j];
    return out;
  });
}

// nnlib.attention.LayerNorm.forward over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta
export function layerNorm(x, gamma, beta, eps) {
  return x.map((row) => {
    const n = row.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += row[i];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (row[i] - mean) ** 2;
    variance /= n;
    const inv = 1 / Math.sqrt(variance + eps);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = gamma[i] * ((row[i] - mean) * inv) + beta[i];
    return out;
  });
}

// nnlib.activations.gelu(x, approximate): exact x * Phi(x) (Phi through erf), or GPT-2's
// approximation x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
export function gelu(x, approximate = false) {
  if (approximate) return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

// nnlib.attention.attention_weights(Q, K, causal=True, scale) for one head: T x T rows
export function causalAttentionWeights(Q, K, scale) {
  const T = Q.length, d = Q[0].length;
  return Q.map((q, i) => {
    const s = new Array(T).fill(-Infinity);
    let max = -Infinity;
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[k] * K[j][k];
      s[j] = dot * scale;
      if (s[j] > max) max = s[j];
    }
    const e = s.map((v, j) => (j <= i ? Math.exp(v - max) : 0));
    let total = 0;
    for (let j = 0; j <= i; j++) total += e[j];
    return e.map((v) => v / total);
  });
}

function selfAttention(h, W, prefix, C, nHeads) {
  const hs = C / nHeads;
  const Q = affine(h, W[`${prefix}.W_q`], W[`${prefix}.b_q`], C, C);
  const K = affine(h, W[`${prefix}.W_k`], W[`${prefix}.b_k`], C, C);
  const V = affine(h, W[`${prefix}.W_v`], W[`${prefix}.b_v`], C, C);
  const T = h.length;
  const joined = Array.from({ length: T }, () => new Float64Array(C));
  const heads = [];
  for (let j = 0; j < nHeads; j++) {
    const cut = (M) => M.map((row) => row.subarray(j * hs, (j + 1) * hs));
    const A = causalAttentionWeights(cut(Q), cut(K), 1 / Math.sqrt(hs));
    heads.push(A);
    const Vj = cut(V);
    for (let i = 0; i < T; i++) {
      for (let t = 0; t <= i; t++) {
        const a = A[i][t];
        for (let k = 0; k < hs; k++) joined[i][j * hs + k] += a * Vj[t][k];
      }
    }
  }
  return { out: affine(joined, W[`${prefix}.W_o`], W[`${prefix}.b_o`], C, C), heads };
}

// nnlib.language_model.TransformerLM.forward for one sequence: logits, T rows of vocab_size
export function transformerLogits(W, config, ids) {
  const { d_model: C, n_heads: nHeads, n_layers: nLayers, vocab_size: V, d_ff: F,
    context, eps } = config;
  const approximate = config.gelu === "tanh";
  if (ids.length < 1 || ids.length > context) {
    throw new Error(`the model reads 1 to ${context} tokens, got ${ids.length}`);
  }
  const tok = W.token_embedding, pos = W.position_embedding;
  let x = ids.map((id, t) => {
    const row = new Float64Array(C);
    for (let k = 0; k < C; k++) row[k] = tok[id * C + k] + pos[t * C + k];
    return row;
  });
  for (let l = 0; l < nLayers; l++) {
    const p = `blocks.${l}`;
    const h1 = layerNorm(x, W[`${p}.ln1.gamma`], W[`${p}.ln1.beta`], eps);
    const { out: a } = selfAttention(h1, W, `${p}.attn`, C, nHeads);
    x = x.map((row, i) => row.map((v, k) => v + a[i][k]));
    const h2 = layerNorm(x, W[`${p}.ln2.gamma`], W[`${p}.ln2.beta`], eps);
    const hidden = affine(h2, W[`${p}.fc1.W`], W[`${p}.fc1.b`], C, F)
      .map((row) => row.map((v) => gelu(v, approximate)));
    const m = affine(hidden, W[`${p}.fc2.W`], W[`${p}.fc2.b`], F, C);
    x = x.map((row, i) => row.map((v, k) => v + m[i][k]));
  }
  const h = layerNorm(x, W["ln_f.gamma"], W["ln_f.beta"], eps);
  return affine(h, W["head.W"], null, C, V);
}

// nnlib.language_model.next_token_probabilities(model, ids, temperature): the last `context`
// ids, the last position's logits, softmax(logits / T) (T = 0: one-hot on the argmax).
export function nextTokenProbabilities(W, config, ids, T) {
  const logits = transformerLogits(W, config, ids.slice(-config.context));
  return softmax(Array.from(logits[logits.length - 1]), T);
}
