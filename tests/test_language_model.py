"""Tests of nnlib.language_model: perplexity, next-token probabilities, generation, the model."""

import numpy as np
import pytest

from nnlib.activations import softmax
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.language_model import (
    CORPUS_SOURCE,
    TransformerLM,
    generate,
    load_corpus,
    next_token_probabilities,
    perplexity,
    perplexity_from_loss,
    train_language_model,
)
from nnlib.scale import transformer_parameters
from nnlib.tokens import CharTokenizer


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
    ids = generate(model, [0], 3000, temperature=1.0, rng=0)
    for x, y in zip(ids[:-1], ids[1:], strict=True):
        counts[x, y] += 1
    np.testing.assert_allclose(counts / counts.sum(axis=1, keepdims=True), np.exp(TABLE),
                               atol=0.05)


def test_generate_errors_teach():
    model = BigramTable(TABLE)
    with pytest.raises(ValueError, match="integer token ids.*encode the prompt"):
        generate(model, "hello", 3)
    with pytest.raises(ValueError, match="int >= 0"):
        generate(model, [0], -1)
    with pytest.raises(TypeError, match="language model"):
        generate(object(), [0], 1)


# --- the transformer language model ----------------------------------------------------------



@pytest.mark.parametrize("vocab, d, heads, layers, context, d_ff", [
    (65, 32, 4, 2, 32, None),
    (82, 48, 3, 3, 64, 96),
    (10, 8, 1, 1, 5, 20),
])
def test_parameter_count_equals_chapter_5_formula_exactly(vocab, d, heads, layers, context,
                                                          d_ff):
    model = TransformerLM(vocab, d, heads, layers, context, d_ff=d_ff, rng=0)
    counted = sum(p.size for p in model.parameters())
    assert model.n_parameters() == counted
    params = model.parameters()
    assert params[:-1] == [p for layer in model.sublayers() for p in layer.parameters()]
    assert params[-1].value is model.W_out and params[-1].grad is model.dW_out
    formula = transformer_parameters(layers, d, vocab, d_ff, n_positions=context,
                                     tied_embeddings=False)
    assert counted == formula, (f"the model has {counted} parameters, chapter 5's formula "
                                f"says {formula}")


def test_logits_shape_and_causality():
    model = TransformerLM(11, 8, 2, 2, context=6, rng=0)
    ids = np.array([[1, 2, 3, 4, 5, 6], [0, 0, 1, 10, 9, 3]])
    logits = model.forward(ids)
    assert logits.shape == (2, 6, 11)
    changed = ids.copy()
    changed[:, 4:] = 7  # the future of position 3
    np.testing.assert_allclose(model.forward(changed)[:, :4], logits[:, :4], atol=1e-12)
    # a shorter input gives the same logits for the positions it has
    np.testing.assert_allclose(model.forward(ids[:, :3]), logits[:, :3], atol=1e-12)


def test_untrained_loss_is_near_log_vocab_size():
    model = TransformerLM(40, 16, 2, 1, context=8, rng=1)
    ids = np.random.default_rng(0).integers(0, 40, size=(4, 9))
    assert model.loss(ids[:, :-1], ids[:, 1:]) == pytest.approx(np.log(40), abs=0.05)


def test_loss_is_the_mean_cross_entropy_of_the_targets():
    model = TransformerLM(7, 8, 2, 1, context=4, rng=2)
    ids, targets = np.array([[1, 2, 3], [4, 5, 6]]), np.array([[2, 3, 0], [5, 6, 6]])
    logits = model.forward(ids)
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    expected = -np.mean(np.log(np.take_along_axis(p, targets[..., None], axis=-1)))
    assert model.loss(ids, targets) == pytest.approx(expected, rel=1e-12)


def test_model_gradients_pass_gradcheck():
    model = TransformerLM(6, 4, 2, 2, context=4, d_ff=8, rng=3)
    rng = np.random.default_rng(4)
    for p in model.parameters():  # away from the initial values, so every path matters
        p.value[...] += 0.3 * rng.normal(size=p.shape)
    ids, targets = rng.integers(0, 6, size=(2, 4)), rng.integers(0, 6, size=(2, 4))
    model.loss(ids, targets)
    model.backward()
    for name, p in model.named_parameters():
        analytic = p.grad.copy()
        numeric = numerical_gradient(lambda _: model.loss(ids, targets), p.value)
        if name.endswith("attn.b_k"):  # exactly 0: softmax ignores a constant per row
            assert np.abs(analytic).max() < 1e-12 and np.abs(numeric).max() < 1e-7
            continue
        assert relative_error(analytic, numeric) < 1e-6, name


def test_save_and_load_round_trip(tmp_path):
    model = TransformerLM(9, 8, 2, 2, context=5, d_ff=12, rng=5)
    path = tmp_path / "tiny.npz"
    model.save(path)
    again = TransformerLM.load(path)
    assert again.config == model.config
    ids = np.array([[1, 2, 3, 8]])
    np.testing.assert_array_equal(again.forward(ids), model.forward(ids))
    np.savez(tmp_path / "other.npz", W=np.zeros(3))
    with pytest.raises(ValueError, match="not a file written by TransformerLM.save"):
        TransformerLM.load(tmp_path / "other.npz")


def test_model_errors_teach():
    model = TransformerLM(5, 4, 2, 1, context=3, rng=0)
    with pytest.raises(ValueError, match="at most context=3.*ids\\[:, -3:\\]"):
        model.forward(np.zeros((1, 4), dtype=int))
    with pytest.raises(ValueError, match="batch of one"):
        model.forward(np.array([1, 2]))
    with pytest.raises(ValueError, match="shifted by one"):
        model.loss(np.array([[1, 2]]), np.array([[2, 3, 4]]))
    with pytest.raises(ValueError, match="n_heads to divide d_model"):
        TransformerLM(5, 6, 4, 1, context=3)
    model.loss(np.array([[1, 2]]), np.array([[2, 3]]))
    model.forward(np.array([[4, 4]]))  # a new forward pass: the loss's gradient is stale
    with pytest.raises(RuntimeError, match="call model.loss"):
        model.backward()


def test_generate_with_a_transformer_is_deterministic_at_temperature_zero():
    model = TransformerLM(12, 8, 2, 1, context=4, rng=6)
    a = generate(model, [1, 2], 10, temperature=0)
    assert a == generate(model, [1, 2], 10, temperature=0, rng=99)
    assert len(a) == 12 and all(0 <= i < 12 for i in a)
    assert generate(model, [1], 10, 1.0, rng=1) == generate(model, [1], 10, 1.0, rng=1)


def test_the_corpus_ships_and_is_small_ascii_prose():
    text = load_corpus()
    assert 50_000 < len(text.encode()) <= 200_000
    assert set(text) <= {chr(c) for c in range(32, 127)} | {"\n"}
    assert "neuron" in text and "```" not in text and "$" not in text
    assert "make_corpus.py" in CORPUS_SOURCE


def test_training_lowers_the_loss_on_the_corpus():
    text = load_corpus()[:20_000]
    tok = CharTokenizer(text)
    ids = np.array(tok.encode(text))
    model = TransformerLM(tok.vocab_size, 16, 2, 1, context=16, rng=0)
    history = train_language_model(model, ids, steps=60, batch_size=8, lr=1e-2, rng=0)
    assert len(history) == 60
    first, last = np.mean(history.loss[:5]), np.mean(history.loss[-5:])
    assert first == pytest.approx(np.log(tok.vocab_size), abs=0.3)
    assert last < first - 0.8, f"loss went from {first:.2f} to only {last:.2f}"


def test_training_is_reproducible_with_a_seed():
    ids = np.arange(40) % 7
    runs = []
    for _ in range(2):
        model = TransformerLM(7, 8, 2, 1, context=6, rng=1)
        runs.append(train_language_model(model, ids, steps=3, batch_size=4, lr=1e-2,
                                         rng=2).loss)
    assert runs[0] == runs[1]


def test_training_errors_teach():
    model = TransformerLM(5, 4, 2, 1, context=8, rng=0)
    with pytest.raises(ValueError, match="at least context \\+ 1 = 9 ids"):
        train_language_model(model, np.arange(5), steps=1)
    with pytest.raises(ValueError, match="tokenizer.encode"):
        train_language_model(model, "hello world", steps=1)


def test_the_corpus_is_declared_as_package_data_with_its_source_named():
    from pathlib import Path

    root = Path(__file__).parents[1]
    assert '"datasets/*.txt"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    readme = (root / "nnlib" / "datasets" / "README.md").read_text(encoding="utf-8")
    assert "book_prose.txt" in readme and "make_corpus.py" in readme


def test_make_corpus_keeps_prose_and_drops_code_maths_and_markup():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).parents[1] / "nnlib" / "datasets" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", script)
    make_corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_corpus)
    chapter = "\n".join([
        "---", "jupytext: x", "---", "", "# 1. A title", "",
        "A **neuron** adds its inputs, as [chapter 2](02_layers.md) shows, with `numpy`.",
        "It fires when $z > 0$ holds. The sum is $\\sum_i w_i x_i + b$ for all inputs.", "",
        "```{code-cell} ipython3", "print('no code in the corpus')", "```", "",
        "| a | table |", "|---|---|", "",
        "- a list item with – a dash", "- short", "",
        "$$", "y = f(z)", "$$",
    ])
    assert make_corpus.prose(chapter) == [
        "A neuron adds its inputs, as chapter 2 shows, with numpy. It fires when z > 0 holds.",
        "a list item with - a dash",
    ]
