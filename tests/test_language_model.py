"""Tests of nnlib.language_model: perplexity, next-token probabilities, generation, the model."""

import numpy as np
import pytest

from nnlib.activations import softmax
from nnlib.language_model import (
    generate,
    next_token_probabilities,
    perplexity,
    perplexity_from_loss,
)


class BigramTable:
    """A minimal language model: the logits of the next token depend on the last token only."""

    def __init__(self, table, context=4):
        self.table = np.asarray(table, dtype=float)
        self.context = context
        self.seen = []

    def forward(self, ids):
        self.seen.append(np.array(ids))
        return self.table[ids]  # (B, T, vocab)


TABLE = np.log([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])


def test_perplexity_by_hand():
    assert perplexity([0.5, 0.25]) == pytest.approx(np.sqrt(8))
    assert perplexity([1.0, 1.0]) == 1.0
    assert perplexity(np.full(10, 1 / 7)) == pytest.approx(7)
    assert perplexity([0.5, 0.0]) == np.inf


def test_perplexity_is_exp_of_the_cross_entropy():
    p = np.array([0.9, 0.2, 0.4])
    assert perplexity_from_loss(-np.mean(np.log(p))) == pytest.approx(perplexity(p))


def test_perplexity_rejects_logits_and_log_probabilities():
    with pytest.raises(ValueError, match="between 0 and 1.*not logits"):
        perplexity([-0.5, -1.2])
    with pytest.raises(ValueError, match="at least one"):
        perplexity([])
    with pytest.raises(ValueError, match=">= 0"):
        perplexity_from_loss(-1.0)


def test_next_token_probabilities_reads_the_last_position():
    model = BigramTable(TABLE)
    np.testing.assert_allclose(next_token_probabilities(model, [0, 2]), [0.2, 0.2, 0.6])
    np.testing.assert_allclose(next_token_probabilities(model, [2, 0]), [0.1, 0.6, 0.3])


def test_next_token_probabilities_temperature():
    model = BigramTable(TABLE)
    np.testing.assert_allclose(next_token_probabilities(model, [0], 0), [0, 1, 0])
    np.testing.assert_allclose(next_token_probabilities(model, [0], 2.0),
                               softmax(TABLE[0] / 2))
    flat = next_token_probabilities(model, [0], 100.0)
    np.testing.assert_allclose(flat, 1 / 3, atol=0.01)


def test_next_token_probabilities_crops_to_the_context():
    model = BigramTable(TABLE, context=3)
    next_token_probabilities(model, [0, 1, 2, 0, 1])
    np.testing.assert_array_equal(model.seen[-1], [[2, 0, 1]])


def test_generate_at_temperature_zero_is_the_argmax_chain():
    model = BigramTable(TABLE)
    # 0 -> 1 (0.6), 1 -> 0 (0.5), 0 -> 1 ...
    assert generate(model, [0], 4, temperature=0) == [0, 1, 0, 1, 0]


def test_generate_samples_reproducibly_with_a_seed():
    model = BigramTable(TABLE)
    a = generate(model, [2], 50, temperature=1.0, rng=3)
    b = generate(model, [2], 50, temperature=1.0, rng=np.random.default_rng(3))
    assert a == b and len(a) == 51 and set(a) == {0, 1, 2}
    # the empirical frequencies follow the table
    counts = np.zeros((3, 3))
    ids = generate(model, [0], 6000, temperature=1.0, rng=0)
    for x, y in zip(ids[:-1], ids[1:], strict=True):
        counts[x, y] += 1
    np.testing.assert_allclose(counts / counts.sum(axis=1, keepdims=True), np.exp(TABLE),
                               atol=0.03)


def test_generate_errors_teach():
    model = BigramTable(TABLE)
    with pytest.raises(ValueError, match="integer token ids.*encode the prompt"):
        generate(model, "hello", 3)
    with pytest.raises(ValueError, match="int >= 0"):
        generate(model, [0], -1)
    with pytest.raises(TypeError, match="language model"):
        generate(object(), [0], 1)
