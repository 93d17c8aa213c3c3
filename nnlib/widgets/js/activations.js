// The activations of nnlib.activations, element by element, and numpy's way of adding up an
// array, for the widgets that show them (chapters 1 and 3). Each function names the nnlib
// function it mirrors; nnlib stays the reference.

// np.sum of a float array: numpy adds in pairs of blocks (8 running sums per block of up to 128
// numbers), so the rounding matches numpy's, not a plain left-to-right loop.
export function pairwiseSum(a, start = 0, n = a.length) {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

// nnlib.activations.sigmoid: from e = exp(-|x|), so nothing overflows.
export function sigmoid(x) {
  const e = Math.exp(-Math.abs(x));
  const r = 1 / (1 + e);
  return x >= 0 ? r : e * r;
}

// erf(x) (Python's math.erf, which nnlib's exact GELU uses): its Taylor series near 0, its
// continued fraction (erfc) further out; both within about 1e-14 of math.erf.
export function erf(x) {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x * x / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + (k / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const normalCdf = (x) => 0.5 * (1 + erf(x / Math.SQRT2)); // nnlib.activations._normal_cdf
const normalPdf = (x) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI); // _normal_pdf

// nnlib.activations._TABLE: name -> [f, f'] for one number (leaky_relu with alpha = 0.01,
// gelu exact). The derivative conventions are nnlib's: relu'(0) = 0, leaky_relu'(0) = alpha.
export const ACTIVATIONS = {
  step: [(x) => (x >= 0 ? 1 : 0), () => 0],
  relu: [(x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0)],
  leaky_relu: [(x) => (x > 0 ? x : x * 0.01), (x) => (x > 0 ? 1 : 0.01)],
  sigmoid: [sigmoid, (x) => { const s = sigmoid(x); return s * (1 - s); }],
  tanh: [Math.tanh, (x) => { const t = Math.tanh(x); return 1 - t * t; }],
  gelu: [(x) => x * normalCdf(x), (x) => normalCdf(x) + x * normalPdf(x)],
  silu: [(x) => x * sigmoid(x), (x) => { const s = sigmoid(x); return s + x * s * (1 - s); }],
  identity: [(x) => x, () => 1],
};

// nnlib.activations.softmax(z, temperature=T) for a vector: subtract the max, divide by T
// (unless T is 1), exponentiate, divide by the sum. T = 0: the one-hot vector of the first
// largest score.
export function softmax(z, T) {
  let max = -Infinity, argmax = 0;
  z.forEach((v, i) => { if (v > max) { max = v; argmax = i; } });
  if (T === 0) return z.map((_, i) => (i === argmax ? 1 : 0));
  const e = z.map((v) => Math.exp(T === 1 ? v - max : (v - max) / T));
  const total = pairwiseSum(e);
  return e.map((v) => v / total);
}

// nnlib.widgets.activations._entropy_bits: sum of p log2(1/p) over the p > 0, in bits.
export function entropyBits(p) {
  const terms = p.filter((v) => v > 0).map((v) => v * Math.log2(1 / v));
  return pairwiseSum(terms);
}

// np.linspace(lo, hi, num)
export function linspace(lo, hi, num) {
  const step = (hi - lo) / (num - 1);
  const out = [];
  for (let i = 0; i < num; i++) out.push(lo + i * step);
  if (num > 1) out[num - 1] = hi;
  return out;
}
