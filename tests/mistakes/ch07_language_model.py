"""Typical wrong answers to the chapter 7 exercises (solutions/ch07_language_model).

Each entry replaces the source of one solution cell (``cell``, its grade_id) with ``code`` and
names the test cells (``loses``) that must then score 0 while every other test cell keeps its
points. The grading round-trip test submits each one through the real nbgrader CLI. Several of
them pass the visible self-checks and are caught only by the hidden tests (noted below).
"""

_CHAR_ENCODE_DECODE = '''\


def char_encode(text, vocab):
    return [vocab.index(c) for c in text]


def char_decode(ids, vocab):
    return "".join(vocab[int(i)] for i in ids)
'''

_EMBED = '''\


def embed(ids, W):
    W = np.asarray(W, dtype=float)
    return one_hot(ids, W.shape[0]) @ W
'''

MISTAKES = [
    # ---------------------------------------------------------------- Part 1: characters
    dict(
        name="char_vocab: characters in order of first appearance, not sorted",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(dict.fromkeys(text))
''' + _CHAR_ENCODE_DECODE,
        loses=["chars_test"],
    ),
    dict(
        name="char_vocab: sorted but with repeated characters",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(sorted(text))
''' + _CHAR_ENCODE_DECODE,
        loses=["chars_test"],
    ),
    dict(
        # Passes the visible checks (all small letters); hidden: capitals and a space.
        name="char_vocab: sorted ignoring case (capitals among small letters)",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(sorted(set(text), key=str.lower))
''' + _CHAR_ENCODE_DECODE,
        loses=["chars_test"],
        says="capitals",
    ),
    dict(
        # The round trip works, but the ids are not the positions in vocab.
        name="char_encode/char_decode: ids counted from 1",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(sorted(set(text)))


def char_encode(text, vocab):
    return [vocab.index(c) + 1 for c in text]


def char_decode(ids, vocab):
    return "".join(vocab[i - 1] for i in ids)
''',
        loses=["chars_test"],
        says="counting from 0",
    ),
    dict(
        name="char_decode: characters joined with spaces",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(sorted(set(text)))


def char_encode(text, vocab):
    return [vocab.index(c) for c in text]


def char_decode(ids, vocab):
    return " ".join(vocab[i] for i in ids)
''',
        loses=["chars_test"],
    ),
    # ---------------------------------------------------------------- Part 2: most_frequent_pair
    dict(
        name="most_frequent_pair: a tie goes to the smallest pair",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    counts = {}
    for a, b in zip(ids[:-1], ids[1:]):
        counts[(int(a), int(b))] = counts.get((int(a), int(b)), 0) + 1
    return min(counts, key=lambda pair: (-counts[pair], pair))
''',
        loses=["pair_test"],
        says="occurs first",
    ),
    dict(
        name="most_frequent_pair: a tie goes to the last pair counted (>= in the loop)",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    counts = {}
    for a, b in zip(ids[:-1], ids[1:]):
        counts[(int(a), int(b))] = counts.get((int(a), int(b)), 0) + 1
    best, best_count = None, 0
    for pair, count in counts.items():
        if count >= best_count:
            best, best_count = pair, count
    return best
''',
        loses=["pair_test"],
    ),
    dict(
        # Passes the visible checks (the earliest tied pair is the larger one there); hidden:
        # a tie where it is the smaller one.
        name="most_frequent_pair: a tie goes to the largest pair",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    counts = {}
    for a, b in zip(ids[:-1], ids[1:]):
        counts[(int(a), int(b))] = counts.get((int(a), int(b)), 0) + 1
    return max(counts, key=lambda pair: (counts[pair], pair))
''',
        loses=["pair_test"],
        says="not the largest",
    ),
    dict(
        # Passes the visible checks; hidden: [0, 1, 1, 1, 1, 0] and random lists.
        name="most_frequent_pair: pairs counted in steps of two (non-overlapping)",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    ids = list(ids)
    counts = {}
    for pair in zip(ids[0::2], ids[1::2]):
        pair = (int(pair[0]), int(pair[1]))
        counts[pair] = counts.get(pair, 0) + 1
    return max(counts, key=counts.get)
''',
        loses=["pair_test"],
        says="overlapping",
    ),
    dict(
        # Passes the visible checks (the first pair wins there anyway); hidden: any pair count.
        name="most_frequent_pair: each distinct pair counted once (a set)",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    ids = [int(i) for i in ids]
    seen = []
    for pair in zip(ids[:-1], ids[1:]):
        if pair not in seen:
            seen.append(pair)
    counts = {pair: 1 for pair in seen}
    return max(counts, key=counts.get)
''',
        loses=["pair_test"],
    ),
    # ---------------------------------------------------------------- Part 3: merge_pair
    dict(
        name="merge_pair: overlapping merges (one step on after a match instead of two)",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    ids = list(ids)
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
        else:
            out.append(ids[i])
        i += 1
    return out
''',
        loses=["merge_test"],
    ),
    dict(
        name="merge_pair: the last id is dropped (the loop stops one early)",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    ids = list(ids)
    out = []
    i = 0
    while i < len(ids) - 1:
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
''',
        loses=["merge_test"],
    ),
    dict(
        name="merge_pair: merges from right to left",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    ids = list(ids)
    out = []
    i = len(ids) - 1
    while i >= 0:
        if i >= 1 and ids[i - 1] == pair[0] and ids[i] == pair[1]:
            out.insert(0, new_id)
            i -= 2
        else:
            out.insert(0, ids[i])
            i -= 1
    return out
''',
        loses=["merge_test"],
    ),
    dict(
        name="merge_pair: merges in place, changing the list it was given",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    i = 0
    while i < len(ids) - 1:
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            ids[i:i + 2] = [new_id]
        i += 1
    return ids
''',
        loses=["merge_test"],
        says="changed its input",
    ),
    dict(
        # Passes the visible checks (no pair in the last two places); hidden: [5, 1, 2].
        name="merge_pair: a pair in the last two places is never merged",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    ids = [int(i) for i in ids]
    out = []
    i = 0
    while i < len(ids):
        if i + 2 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
''',
        loses=["merge_test"],
        says="at the very end",
    ),
    # ---------------------------------------------------------------- Part 4: embedding
    dict(
        name="one_hot: one column per id (transposed, shape (V, T))",
        cell="embed",
        code='''\
def one_hot(ids, vocab_size):
    return np.eye(vocab_size)[:, np.asarray(ids)]
''' + _EMBED.replace("one_hot(ids, W.shape[0]) @ W", "(W.T @ one_hot(ids, W.shape[0])).T"),
        loses=["embed_test"],
    ),
    dict(
        name="embed: picks columns of W instead of rows",
        cell="embed",
        code='''\
def one_hot(ids, vocab_size):
    ids = np.asarray(ids)
    return (ids[..., None] == np.arange(vocab_size)).astype(float)


def embed(ids, W):
    W = np.asarray(W, dtype=float)
    return W[:, np.asarray(ids)].T
''',
        loses=["embed_test"],
    ),
    dict(
        # Passes the visible checks (the largest id occurs); hidden: ids without the last one.
        name="one_hot: vocabulary size taken as max(ids) + 1",
        cell="embed",
        code='''\
def one_hot(ids, vocab_size):
    ids = np.asarray(ids)
    return np.eye(ids.max() + 1)[ids]
''' + _EMBED,
        loses=["embed_test"],
        says="not max(ids) + 1",
    ),
    dict(
        # Passes the visible checks (1-d ids); hidden: ids of shape (B, T).
        name="one_hot: works for a 1-d list of ids only",
        cell="embed",
        code='''\
def one_hot(ids, vocab_size):
    out = np.zeros((len(ids), vocab_size))
    for t in range(len(ids)):
        out[t, ids[t]] = 1.0
    return out
''' + _EMBED,
        loses=["embed_test"],
    ),
    # ---------------------------------------------------------------- Part 5: causal mask
    dict(
        name="causal_mask: upper triangle (each token sees the future, not the past)",
        cell="mask",
        code='''\
def causal_mask(T):
    return np.triu(np.ones((T, T), dtype=bool))
''',
        loses=["mask_test"],
        says="never j > i",
    ),
    dict(
        name="causal_mask: the diagonal left out (a token may not see itself)",
        cell="mask",
        code='''\
def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool), k=-1)
''',
        loses=["mask_test"],
    ),
    dict(
        # Passes the visible check (values compared as numbers); hidden: the dtype.
        name="causal_mask: ones and zeros instead of True and False",
        cell="mask",
        code='''\
def causal_mask(T):
    return np.tril(np.ones((T, T)))
''',
        loses=["mask_test"],
        says="dtype bool",
    ),
    # ---------------------------------------------------------------- Part 6: attention
    dict(
        name="attention: no division by sqrt(d_k)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2)
    if causal:
        T = S.shape[-1]
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
        says="sqrt(d_k)",
    ),
    dict(
        name="attention: divided by d_k instead of sqrt(d_k)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / Q.shape[-1]
    if causal:
        T = S.shape[-1]
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        name="attention: softmax over the queries (axis -2) instead of the keys",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        T = S.shape[-1]
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(axis=-2, keepdims=True))
    weights = E / E.sum(axis=-2, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        name="attention: the mask lets each token see the future (upper triangle kept)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        T = S.shape[-1]
        S = np.where(np.triu(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        name="attention: masked scores multiplied by 0 instead of set to -inf",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        T = S.shape[-1]
        S = S * np.tril(np.ones((T, T)))
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        name="attention: mask applied after the softmax (rows no longer sum to 1)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    if causal:
        T = S.shape[-1]
        weights = weights * np.tril(np.ones((T, T)))
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        # Passes the visible checks (small scores); hidden: scores around 10^4 overflow.
        name="attention: softmax without subtracting the maximum (overflow)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        T = S.shape[-1]
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S)
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    dict(
        # Passes the visible checks (2-d arrays); hidden: a batch (B, T, d).
        name="attention: K.T on a batch (reverses the batch axis too)",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    S = Q @ K.T / np.sqrt(Q.shape[-1])
    if causal:
        T = S.shape[-1]
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    weights = E / E.sum(axis=-1, keepdims=True)
    return weights @ V, weights
''',
        loses=["attention_test"],
    ),
    # ---------------------------------------------------------------- Part 7: perplexity
    dict(
        name="text_perplexity: off by one (row t scored on ids[t], the token it has read)",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[:-1]]
    return float(np.exp(-np.mean(np.log(p))))
''',
        loses=["perplexity_test"],
        says="NEXT id",
    ),
    dict(
        name="text_perplexity: log base 2 inside, exp outside",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[1:]]
    return float(np.exp(-np.mean(np.log2(p))))
''',
        loses=["perplexity_test"],
    ),
    dict(
        name="text_perplexity: sum of the logs instead of their mean",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[1:]]
    return float(np.exp(-np.sum(np.log(p))))
''',
        loses=["perplexity_test"],
        says="mean natural log",
    ),
    dict(
        name="text_perplexity: returns the cross-entropy (exp forgotten)",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[1:]]
    return float(-np.mean(np.log(p)))
''',
        loses=["perplexity_test"],
    ),
    dict(
        # Passes the uniform visible check only; the example's 1 / mean(0.5, 0.6) = 1.818 is not
        # 1.8257.
        name="text_perplexity: 1 / mean probability instead of the geometric mean",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[1:]]
    return float(1.0 / np.mean(p))
''',
        loses=["perplexity_test"],
    ),
    dict(
        # Passes the visible checks (3 and 2 predictions); hidden: 400 predictions underflow.
        name="text_perplexity: product of the probabilities (underflows on a long text)",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    probs = np.asarray(probs, dtype=float)
    ids = np.asarray(ids)
    p = probs[np.arange(len(probs)), ids[1:]]
    return float(np.prod(p) ** (-1.0 / len(p)))
''',
        loses=["perplexity_test"],
        says="add logs",
    ),
    # ---------------------------------------------------------------- Part 8: sampling
    dict(
        name="sample_next: temperature 0 divides by zero",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    z = np.asarray(logits, dtype=float) / temperature
    p = np.exp(z - z.max())
    p = p / p.sum()
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
''',
        loses=["sample_test"],
    ),
    dict(
        name="sample_next: multiplies the logits by the temperature",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits * temperature
    p = np.exp(z - z.max())
    p = p / p.sum()
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
''',
        loses=["sample_test"],
    ),
    dict(
        name="sample_next: always the argmax (greedy at every temperature)",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    return int(np.argmax(logits))
''',
        loses=["sample_test"],
    ),
    dict(
        name="sample_next: the temperature only used to test for 0",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return int(np.argmax(logits))
    p = np.exp(logits - logits.max())
    p = p / p.sum()
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
''',
        loses=["sample_test"],
    ),
    dict(
        # Passes the visible checks (moderate logits); hidden: logits / 0.01 = 10^5 overflows.
        name="sample_next: softmax without subtracting the maximum (overflow at low T)",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return int(np.argmax(logits))
    p = np.exp(logits / temperature)
    p = p / p.sum()
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
''',
        loses=["sample_test"],
    ),
    dict(
        # Passes the visible checks (no tie); hidden: tied logits at temperature 0.
        name="sample_next: temperature 0 replaced by a tiny temperature (ties are sampled)",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    logits = np.asarray(logits, dtype=float)
    z = logits / max(temperature, 1e-6)
    p = np.exp(z - z.max())
    p = p / p.sum()
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
''',
        loses=["sample_test"],
        says="tie",
    ),
    # ---------------------------------------------------------------- Part 9: written answer
    dict(
        name="written answer: the mask described as a speed-up (graded by hand, no test lost)",
        cell="written_mask",
        code="The mask only makes training faster; the model learns the same without it.\n",
        loses=[],
    ),
]

# Correct answers written in another style: each must keep full marks.
CORRECT_VARIANTS = [
    dict(
        name="character tokenizer with np.unique and numpy indexing",
        cell="chars",
        code='''\
def char_vocab(text):
    return "".join(np.unique(list(text)).tolist()) if text else ""


def char_encode(text, vocab):
    return [int(np.flatnonzero(np.array(list(vocab)) == c)[0]) for c in text]


def char_decode(ids, vocab):
    out = ""
    for i in ids:
        out += vocab[i]
    return out
''',
    ),
    dict(
        name="most_frequent_pair with a stable sort of the counts (ties keep their order)",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    ids = list(ids)
    counts = {}
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    a, b = sorted(counts.items(), key=lambda item: item[1], reverse=True)[0][0]
    return (int(a), int(b))
''',
    ),
    dict(
        name="most_frequent_pair with max(counts, key=counts.get) over a dict",
        cell="pair",
        code='''\
def most_frequent_pair(ids):
    counts = {}
    for i in range(len(ids) - 1):
        pair = (int(ids[i]), int(ids[i + 1]))
        counts[pair] = counts.get(pair, 0) + 1
    return max(counts, key=counts.get)
''',
    ),
    dict(
        name="merge_pair with a for loop and a skip flag",
        cell="merge",
        code='''\
def merge_pair(ids, pair, new_id):
    out = []
    skip = False
    for i in range(len(ids)):
        if skip:
            skip = False
            continue
        if i < len(ids) - 1 and (ids[i], ids[i + 1]) == tuple(pair):
            out.append(new_id)
            skip = True
        else:
            out.append(int(ids[i]))
    return out
''',
    ),
    dict(
        name="one_hot with np.eye indexing; embed as a matrix product",
        cell="embed",
        code='''\
def one_hot(ids, vocab_size):
    return np.eye(vocab_size)[np.asarray(ids)]


def embed(ids, W):
    W = np.asarray(W, dtype=float)
    return np.matmul(one_hot(ids, len(W)), W)
''',
    ),
    dict(
        name="causal_mask by comparing index grids",
        cell="mask",
        code='''\
def causal_mask(T):
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    return j <= i
''',
    ),
    dict(
        name="attention with einsum and a scale applied to Q first",
        cell="attention",
        code='''\
def attention(Q, K, V, causal=True):
    Q = np.asarray(Q, dtype=float) / np.sqrt(np.shape(Q)[-1])
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    S = np.einsum("...id,...jd->...ij", Q, K)
    if causal:
        T = S.shape[-1]
        S = S.copy()
        S[..., np.triu_indices(T, k=1)[0], np.triu_indices(T, k=1)[1]] = -np.inf
    S = S - np.max(S, axis=-1, keepdims=True)
    weights = np.exp(S)
    weights /= np.sum(weights, axis=-1, keepdims=True)
    return np.einsum("...ij,...jd->...id", weights, V), weights
''',
    ),
    dict(
        name="text_perplexity with a loop over the positions (returns a numpy float)",
        cell="perplexity",
        code='''\
def text_perplexity(probs, ids):
    total = 0.0
    for t in range(len(probs)):
        total += np.log(probs[t][ids[t + 1]])
    return np.exp(-total / len(probs))
''',
    ),
    dict(
        name="sample_next with a loop over the cumulative sum (np.argmax's numpy int at T = 0)",
        cell="sample",
        code='''\
def sample_next(logits, temperature, u):
    logits = np.asarray(logits, dtype=float)
    if not temperature:
        return np.argmax(logits)
    z = (logits - logits.max()) / temperature
    p = np.exp(z) / np.sum(np.exp(z))
    total = 0.0
    for i, p_i in enumerate(p):
        total += p_i
        if total > u:
            return i
    return len(p) - 1
''',
    ),
]
