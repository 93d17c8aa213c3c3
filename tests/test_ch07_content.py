"""Chapter 7: the numbers the reading page states in its prose are what its code and nnlib compute.

The hand-checkable 3-token example (the average of the past, one score, the scaled scores of
"t" and its weights, layer normalisation of (2, 4, 6, 8)), the byte-pair-encoding walk-through
and the vocabulary arithmetic are read from the page (tests/chapter_text.py) and recomputed with
nnlib, so a wrong number on the page, or a change of nnlib that would make the prose wrong,
fails here. Numbers that depend on the training run are not typed into the prose: they are
glued from the executed code ({glue:text}); a test checks that every glued name is glued. The
page's form: imports first, alt text on every plot, sources, the exercises link, no typed
result of the training run. The trained results themselves are checked on the built page
(tests/test_site_widgets_language.py).
"""

from __future__ import annotations

import re

import numpy as np
from chapter_text import Page, agrees

from nnlib.attention import LayerNorm, attention_weights, scaled_dot_product_attention
from nnlib.scale import PUBLISHED_MODELS
from nnlib.tokens import train_bpe

CHAPTER = Page("07_language_model")


def hand_example():
    X, W_Q, W_K, W_V = (CHAPTER.code_array(name) for name in ("X", "W_Q", "W_K", "W_V"))
    return X, X @ W_Q, X @ W_K, X @ W_V


def test_the_three_token_example_uses_four_numbers_per_token_so_sqrt_d_is_two():
    X, Q, K, V = hand_example()
    assert X.shape == (3, 4) and Q.shape == K.shape == (3, 4)
    assert CHAPTER.says("here $\\sqrt{4} = 2$")
    assert V.shape[0] == 3 and CHAPTER.says("here 2 numbers")
    assert V.shape[1] == 2


def test_the_average_of_the_past_row_two_is_what_the_page_says():
    X, *_ = hand_example()
    first, second, total = CHAPTER.numbers(
        "Row 2, for example, is $\\tfrac{1}{2}@@ + \\tfrac{1}{2}@@ = @@$")
    np.testing.assert_array_equal(first, X[0])
    np.testing.assert_array_equal(second, X[1])
    np.testing.assert_allclose(total, (X[0] + X[1]) / 2)


def test_the_score_checked_by_hand_is_row_three_column_two():
    _, Q, K, _ = hand_example()
    q3, k2, score = CHAPTER.numbers("Check one: $q_3 \\cdot k_2 = @@ \\cdot @@ = @$")
    np.testing.assert_array_equal(q3, Q[2])
    np.testing.assert_array_equal(k2, K[1])
    assert score == (Q @ K.T)[2, 1]


def test_row_three_scaled_scores_and_its_weights_favour_a_as_the_page_says():
    _, Q, K, V = hand_example()
    (scaled,) = CHAPTER.numbers("its scaled scores are $@@$")
    np.testing.assert_allclose(scaled, (Q @ K.T)[2] / np.sqrt(4))
    assert CHAPTER.says("so its weights are $(e^{0.5}, e^{1}, e^{0}) / (e^{0.5} + e^{1} + e^{0})$")
    weights = attention_weights(Q, K)[2]
    assert CHAPTER.says('"t" now gives more weight to "a" than to "c" or to itself')
    assert weights[1] > weights[0] and weights[1] > weights[2]
    # the page's cells compute the same weights and outputs by hand and with nnlib
    ns = CHAPTER.run("X = np.array", "X_changed = X.copy()")
    np.testing.assert_allclose(ns["A"], attention_weights(Q, K), atol=1e-15)
    np.testing.assert_allclose(ns["Y"], scaled_dot_product_attention(Q, K, V), atol=1e-15)
    np.testing.assert_allclose(ns["A_uniform"], np.tril(np.ones((3, 3)))
                               / np.arange(1, 4)[:, None])


def test_layer_normalisation_by_hand():
    mean, var_parts, var, first, approx = CHAPTER.numbers(
        "By hand: the mean is @, the variance $(@ + 1 + 1 + 9)/4 = @$, so $(@ - 5)/\\sqrt{5} "
        "\\approx @$")
    x = np.array([2.0, 4.0, 6.0, 8.0])
    assert mean == x.mean() and var_parts == (x[0] - mean) ** 2 and var == x.var()
    assert first == x[0]
    normed = LayerNorm(4).forward(x[None, None])[0, 0]
    assert agrees(approx, normed[0]), f"LN(x)[0] = {normed[0]}, the page says {approx.text}"


def test_bpe_walk_through_matches_train_bpe_and_makes_the_a_single_token():
    ns = CHAPTER.run('text = "the cat sat', "small_bpe = train_bpe")
    steps, text = ns["bpe_steps"], ns["text"]
    tokenizer = train_bpe(text, len(steps))
    assert list(tokenizer.merges) == [pair for pair, *_ in steps]
    assert CHAPTER.says('whole frequent words such as "the" are single tokens')
    assert b"the" in {tokenizer.vocab[new_id] for _, new_id, *_ in steps}
    lengths = [length for *_, length in steps]
    assert all(b < a for a, b in zip([len(text.encode())] + lengths[:-1], lengths, strict=True))


def test_gpt2_vocabulary_arithmetic():
    vocab, byte_values, merges = CHAPTER.numbers(
        "GPT-2's @ tokens are its @ byte values, @ merges and one end-of-text marker")
    gpt2 = {m.name: m for m in PUBLISHED_MODELS}["GPT-2 small"]
    assert vocab == gpt2.vocab_size == byte_values + merges + 1
    assert CHAPTER.number("(@ for GPT-2)") == gpt2.vocab_size


def test_every_glued_number_is_glued_by_the_code():
    used = set(re.findall(r"\{glue:text\}`([a-z_0-9]+)", CHAPTER.prose))
    glued = {name for cell in CHAPTER.code_cells
             for name in re.findall(r"glue\(\"([a-z_0-9]+)\"", cell)}
    assert used, "the page glues no numbers into its prose"
    assert used <= glued, f"glued in the prose but never in code: {sorted(used - glued)}"


def test_no_result_of_the_training_run_is_typed_into_the_prose():
    # run-dependent results (loss, perplexity, parameters, seconds) must be glued, not typed
    for pattern in (r"perplexity of (about )?\d", r"\d+ seconds", r"\d[\d,]* parameters\b"):
        found = re.findall(pattern, CHAPTER.prose)
        assert not found, f"the prose types {found}: glue it from the code instead"


def test_page_form_imports_alt_text_sources_and_exercises_link():
    assert "from nnlib.attention import" in CHAPTER.code_cells[0]
    assert "from nnlib.widgets.language import" in CHAPTER.code_cells[0]
    for cell in CHAPTER.code_cells:
        if "plt.show()" in cell or "plt.subplots" in cell:
            before = CHAPTER.text.split(cell)[0][-800:]
            assert "alt:" in before, f"a plot without alt text:\n{cell[:80]}"
    for source in ("Vaswani et al. (2017)", "Sennrich, Haddow and Birch (2016)",
                   "Radford et al. (2019)", "nanoGPT", "minbpe"):
        assert source in CHAPTER.text, f"the page does not cite {source}"
    last = " ".join(CHAPTER.text.rstrip().split("\n\n")[-1].split())
    assert "[Exercises for this chapter](exercises.md)" in last, last
    assert "`exercises/ch07_language_model/`" in last, last
    for widget in ("attention_explorer_widget(model, chars)", "next_char_widget(model, chars"):
        assert any(widget in cell for cell in CHAPTER.code_cells), widget


def test_chapter_five_links_its_unexplained_terms_to_chapter_seven():
    five = Page("05_scale")
    for sentence in ("(query, key, value and output): $4d^2$. [Chapter 7](07_language_model.md)",
                     "(chapter 7 explains [tokens and embeddings](07_language_model.md))"):
        assert sentence in " ".join(five.text.split()), sentence
