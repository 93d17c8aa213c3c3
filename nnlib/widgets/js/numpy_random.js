// numpy's default random generator, np.random.default_rng(seed), written out in JavaScript so
// that the page draws the same "random" numbers as nnlib for the same seed (chapter 3's
// sampling: nnlib.widgets.activations.sample_words uses rng.choice(V, size=n, p=p)).
//
// default_rng(seed) is a PCG64 generator seeded through a SeedSequence (numpy/random/
// bit_generator.pyx, numpy/random/_pcg64.pyx); Generator.random() turns the top 53 bits of a
// 64-bit output into a float in [0, 1); Generator.choice with p picks the index where the
// uniform number falls in the cumulative sum of p (searchsorted, side "right").

const M32 = 0xffffffff;
const mul32 = (a, b) => Math.imul(a, b) >>> 0;

// SeedSequence(seed).generate_state(4, uint64), for a seed 0 <= seed < 2**32.
function seedSequenceState(seed) {
  const INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
  const MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;
  let hashConst = INIT_A;
  const hashmix = (value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = mul32(hashConst, MULT_A);
    value = mul32(value, hashConst);
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x, y) => {
    const r = (mul32(MIX_MULT_L, x) - mul32(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const entropy = [seed >>> 0];
  const pool = [0, 0, 0, 0].map((_, i) => hashmix(i < entropy.length ? entropy[i] : 0));
  for (let src = 0; src < 4; src++) {
    for (let dst = 0; dst < 4; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  let hashB = INIT_B;
  const words = [];
  for (let i = 0; i < 8; i++) {
    let value = (pool[i % 4] ^ hashB) >>> 0;
    hashB = mul32(hashB, MULT_B);
    value = mul32(value, hashB);
    words.push((value ^ (value >>> 16)) >>> 0);
  }
  // four uint64 from pairs of uint32, little-endian
  return [0, 1, 2, 3].map((k) => (BigInt(words[2 * k + 1]) << 32n) | BigInt(words[2 * k]));
}

const MASK128 = (1n << 128n) - 1n;
const MASK64 = (1n << 64n) - 1n;
const PCG_MULT = (0x2360ed051fc65da4n << 64n) | 0x4385df649fccf645n;

// np.random.default_rng(seed): {random()} like Generator.random().
export function defaultRng(seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed > M32) {
    throw new Error(`the seed must be a whole number from 0 to ${M32}, got ${seed}`);
  }
  const [s0, s1, i0, i1] = seedSequenceState(seed);
  const inc = ((((i0 << 64n) | i1) << 1n) | 1n) & MASK128;
  let state = 0n;
  const step = () => { state = (state * PCG_MULT + inc) & MASK128; };
  step();
  state = (state + ((s0 << 64n) | s1)) & MASK128;
  step();
  const next64 = () => {
    step();
    const x = ((state >> 64n) ^ state) & MASK64;
    const rot = state >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  };
  return { random: () => Number(next64() >> 11n) * (1 / 9007199254740992) };
}

// rng.choice(p.length, size=n, p=p): n indices drawn with probabilities p.
export function choice(rng, p, n) {
  const cdf = [];
  let total = 0;
  for (const pi of p) { total += pi; cdf.push(total); }
  const last = cdf[cdf.length - 1];
  for (let i = 0; i < cdf.length; i++) cdf[i] /= last;
  const picks = [];
  for (let k = 0; k < n; k++) {
    const u = rng.random();
    let index = 0; // searchsorted(cdf, u, side="right"): the first index with cdf > u
    while (index < cdf.length && cdf[index] <= u) index++;
    picks.push(index);
  }
  return picks;
}
