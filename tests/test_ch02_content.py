"""Chapter 2: the numbers the reading page states in prose are what nnlib computes.

The page computes everything in code, but some results are also written into the text (the
seed's worked layer, the softmax example, the spam network by hand, the parameter counts, what
the rainbow classifier learns). These tests read those numbers from the page
(tests/chapter_text.py) and recompute them with nnlib from the page's own inputs, so a wrong number
on the page, or a change of nnlib or of a seed that would make the prose wrong, fails here. They
also check the page's form: every plot or widget cell has alt text, and the page ends with a
summary linking to its exercises.
"""

from pathlib import Path

import jupytext
import numpy as np
from chapter_text import Page, agrees

from nnlib.activations import relu, softmax, step
from nnlib.data import RAINBOW_NAMES, logic_gate
from nnlib.layers import Dense, ReLU
from nnlib.network import Sequential, count_parameters

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "02_layers.md"
CHAPTER = Page("02_layers")


def assert_quoted(quoted, computed, what: str) -> None:
    assert agrees(quoted, computed), (
        f"book/02_layers.md says {quoted.text} for {what}; nnlib computes {float(computed):.10g}")


def assert_tuple(quoted, computed, what: str) -> None:
    np.testing.assert_allclose(computed, quoted, atol=1e-9,
                               err_msg=f"book/02_layers.md's tuple for {what}")


def test_seed_layer_and_its_batch_rows_are_what_a_dense_layer_computes():
    W, b = CHAPTER.matrix("W"), CHAPTER.matrix("b")[0]
    np.testing.assert_array_equal(W, CHAPTER.code_array("W"), "prose and code differ on W")
    np.testing.assert_array_equal(b, CHAPTER.code_array("b"), "prose and code differ on b")
    (x,) = CHAPTER.numbers("With the input $x = @@$")
    (y,) = CHAPTER.numbers("adding $b$ gives $y = @@$")
    layer = Dense(4, 2)
    layer.W, layer.b = W, b
    assert_tuple(y, layer.forward(x[None, :])[0], "y = xW + b")
    *terms, minus_bias = CHAPTER.numbers(
        "y_1 &= @ \\cdot @ + @ \\cdot @ + @ \\cdot @ + @ \\cdot (@) - @ =")
    y1 = CHAPTER.number("+ 7 - 3 - 9 = @, \\\\")
    assert terms[0::2] == list(x) and terms[1::2] == list(W[:, 0]) and -minus_bias == b[0]
    assert y1 == y[0], "the unit-by-unit sum and y = xW + b differ on the page"
    x1, x2, x3, rows = CHAPTER.numbers("With the three examples $@@$, $@@$ and $@@$: the first row "
                                       "gives $@@$ as before")
    X = np.array([x1, x2, x3])
    np.testing.assert_array_equal(X, CHAPTER.code_array("X"), "prose and code differ on X")
    batch = layer.forward(X)
    assert_tuple(rows, batch[0], "the first row of the batch")
    (second,) = CHAPTER.numbers("plus $b$, which is $@@$; the third")
    (third,) = CHAPTER.numbers("= (0, 2)$, plus $b$, which is $@@$")
    assert_tuple(second, batch[1], "the second row of the batch")
    assert_tuple(third, batch[2], "the third row of the batch")


def test_parameter_counts_quoted_on_the_page():
    *per_layer, weights = CHAPTER.numbers("Counting the lines: $4 \\cdot 5 + 5 \\cdot 3 + "
                                          "3 \\cdot 2 = @ + @ + @ = @$ weights")
    weights_again, biases, total = CHAPTER.numbers("$@ + @ = @$ **parameters**")
    sizes = [4, 5, 3, 2]
    layer_weights = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    assert per_layer == layer_weights and weights == weights_again == sum(layer_weights)
    assert biases == sum(sizes[1:])
    assert_quoted(total, count_parameters(sizes), "the parameters of a 4-5-3-2 network")
    weights, biases, total = CHAPTER.numbers(
        "That is $3 \\cdot 7 = @$ weights and @ biases, @ parameters")
    colour = Sequential([Dense(3, 7)])
    assert (weights, biases, total) == (colour.layers[0].W.size, colour.layers[0].b.size,
                                        colour.n_params) == (21, 7, count_parameters([3, 7]))
    assert CHAPTER.number("a **2-2-1** network with $2 \\cdot 2 + 2 + 2 \\cdot 1 + 1 = @$ "
                          "parameters") == count_parameters([2, 2, 1])
    total, weights, biases = CHAPTER.numbers("= @ \\text{ parameters} = @ \\text{ weights} + @ "
                                             "\\text{ biases}")
    spam = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)])
    spam_weights = sum(p.size for p in spam.parameters() if p.name == "W")
    assert (total, weights, biases) == (spam.n_params, spam_weights, spam.n_params - spam_weights)
    assert total == count_parameters([3, 4, 2])
    assert CHAPTER.number("starting with the @ of a 3-4-2 network") == total
    assert CHAPTER.numbers("the 3-4-2 network has $@ + @ = @$ parameters") == [weights, biases,
                                                                               total]
    assert CHAPTER.number("$64 \\cdot 128 \\cdot 64 = @$ multiply-adds") == 64 * 128 * 64


def test_softmax_of_5_8_15_as_quoted():
    z = CHAPTER.numbers("For three scores $@, @, @$:")
    exps = CHAPTER.numbers("$e^5 \\approx @$, $e^8 \\approx @$, $e^{15} \\approx @$; their total "
                           "is about $@$, so the probabilities are about $@$, $@$ and $@$")
    e, total, probs = np.exp(z), exps[3], exps[4:]
    for quoted, computed in zip(exps[:3], e, strict=True):
        assert_quoted(quoted, computed, "e^z")
    assert_quoted(total, e.sum(), "the sum of e^z")
    for quoted, computed in zip(probs, softmax(np.array(z)), strict=True):
        assert_quoted(quoted, computed, "softmax(5, 8, 15)")
    assert CHAPTER.number("A lead of @ points in score") == z[2] - z[1]
    np.testing.assert_array_equal(z, CHAPTER.code_array("scores"))


def test_spam_network_by_hand_is_what_nnlib_computes_from_the_pages_weights():
    W1, W2 = CHAPTER.matrix("W_1"), CHAPTER.matrix("W_2")
    b1, b2 = CHAPTER.matrix("b_1")[0], CHAPTER.matrix("b_2")[0]
    for name, prose in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        np.testing.assert_array_equal(prose, CHAPTER.code_array(name),
                                      f"the prose and the code of the page differ on {name}")
    net = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)])
    net.layers[0].W, net.layers[0].b, net.layers[2].W, net.layers[2].b = W1, b1, W2, b2
    first, sums, h, scores, p_spam = CHAPTER.numbers(
        "for the e-mail $x = @@$ (money, links, unknown sender): - hidden sums $xW_1 + b_1 = "
        "(2 - 1,\\ 2 - 1,\\ 0 - 1,\\ 1 + 1 - 0 - 0.5) = @@$; - ReLU turns the negative one "
        "into 0: $h = @@$; - output scores $hW_2 + b_2 = (0 + 0 + 0 - 1.5 + 0.5,\\ "
        "1 + 1 + 0 + 1.5 - 1) = @@$; - softmax: $P(\\text{spam}) = e^{2.5} / (e^{-1} + e^{2.5}) "
        "= 1 / (1 + e^{-3.5}) \\approx @$")
    second, sums2, h2, scores2, p_spam2 = CHAPTER.numbers(
        "For $x = @@$ (nothing suspicious, known sender) the hidden sums are $@@$, so "
        "$h = @@$, the scores are $@@$ and $P(\\text{spam}) = 1 / (1 + e^{2.5}) \\approx @$")
    emails = np.array([first, second])
    np.testing.assert_array_equal(emails, CHAPTER.code_array("emails"))
    hidden_sums = emails @ W1 + b1
    assert_tuple(sums, hidden_sums[0], "the first e-mail's hidden sums")
    assert_tuple(sums2, hidden_sums[1], "the second e-mail's hidden sums")
    assert_tuple(h, relu(hidden_sums[0]), "h of the first e-mail")
    assert_tuple(h2, relu(hidden_sums[1]), "h of the second e-mail")
    out = net.forward(emails)
    assert_tuple(scores, out[0], "the first e-mail's scores")
    assert_tuple(scores2, out[1], "the second e-mail's scores")
    probs = net.predict_proba(emails)[:, 1]
    assert_quoted(p_spam, probs[0], "P(spam) of the first e-mail")
    assert_quoted(p_spam2, probs[1], "P(spam) of the second e-mail")


def test_two_linear_layers_collapse_and_the_scalar_example_holds():
    w1, b1, w2, b2 = CHAPTER.numbers('A "layer" $h = @x + @$ followed by a "layer" $y = @h + @$')
    w, b = CHAPTER.numbers("$y = 3(2x + 1) + 4 = @x + @$")
    assert (w, b) == (w2 * w1, w2 * b1 + b2), "the collapsed layer's weight and bias"
    x, h, y = CHAPTER.numbers("For $x = @$: $h = @$ and $y = @ = 6 + 7$")
    net = Sequential([Dense(1, 1), Dense(1, 1)])
    net.layers[0].W, net.layers[0].b = np.array([[w1]]), np.array([b1])
    net.layers[1].W, net.layers[1].b = np.array([[w2]]), np.array([b2])
    assert net.layers[0].forward(np.array([[x]]))[0, 0] == h
    assert net.forward(np.array([[x]]))[0, 0] == y == w * x + b
    rng = np.random.default_rng(1)
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
    X = rng.normal(size=(5, 3))
    np.testing.assert_allclose((X @ W1 + b1) @ W2 + b2, X @ (W1 @ W2) + (b1 @ W2 + b2),
                               atol=1e-12)


def test_hand_set_2_2_1_network_computes_xor_as_in_the_table():
    wa, ba = CHAPTER.numbers('unit A fires for "$x_1$ and not $x_2$": weights $@@$, bias $@$')
    wb, bb = CHAPTER.numbers('unit B fires for "$x_2$ and not $x_1$": weights $@@$, bias $@$')
    wo, bo = CHAPTER.numbers("the output unit fires if A or B fires: weights $@@$, bias $@$")
    W1, b1 = np.column_stack([wa, wb]), np.array([ba, bb])
    np.testing.assert_array_equal(W1, CHAPTER.code_array("W1_xor"))
    np.testing.assert_array_equal(b1, CHAPTER.code_array("b1_xor"))
    X, y = logic_gate("XOR")
    hidden = step(X @ W1 + b1)
    out = step(hidden @ wo[:, None] + bo)
    np.testing.assert_array_equal(out[:, 0], y)
    a_sum, b_sum, out_sum = CHAPTER.numbers("unit A computes $1 - 0 - 0.5 = @ \\ge 0$ and fires; "
                                            "unit B computes $-1 + 0 - 0.5 = @$ and stays quiet; "
                                            "the output computes $1 + 0 - 0.5 = @$")
    x10 = np.array([1.0, 0.0])
    assert (a_sum, b_sum) == tuple(x10 @ W1 + b1)
    assert out_sum == step(x10 @ W1 + b1) @ wo + bo


def test_rainbow_classifier_learns_what_the_prose_says():
    # The page's own cells: its data, its training run and its questions to the network.
    run = CHAPTER.run("X_col, y_col = rainbow_colors(", "queries = {")
    assert CHAPTER.number("We draw @ colours") == len(run["X_col"])
    assert CHAPTER.number("train for @ **epochs**") == len(run["history"].loss)
    assert CHAPTER.number("and @ output units, one per rainbow colour") == len(RAINBOW_NAMES)
    answers = {label: RAINBOW_NAMES[k] for label, k in
               zip(run["queries"], run["probs"].argmax(axis=1), strict=True)}
    assert CHAPTER.says("Red, green and blue alone should come out as red, green and blue. Red "
                        "plus green light is yellow, and red with half as much green is orange.")
    assert [answers[q] for q in ("pure red", "pure green", "pure blue", "red + green",
                                 "red + half green")] == ["red", "green", "blue", "yellow",
                                                          "orange"], answers
    W = run["colour_net"].layers[0].W
    r, g = W[0], W[1]
    assert CHAPTER.says("Yellow is the one column where both the red and the green input have "
                        "clearly positive weights")
    clearly_both = [RAINBOW_NAMES[k] for k in range(7) if r[k] > 1 and g[k] > 1]
    assert clearly_both == ["yellow"], W.round(2)
    assert CHAPTER.says("red unit, in contrast, is pushed *down* by green light, and the green "
                        "unit by red light")
    assert g[RAINBOW_NAMES.index("red")] < 0 and r[RAINBOW_NAMES.index("green")] < 0, W.round(2)


def _page_cells():
    return [c for c in jupytext.read(PAGE).cells if c.cell_type == "code"]


def test_every_plot_or_widget_cell_of_the_page_has_alt_text():
    shown = [c for c in _page_cells()
             if "plt.show()" in c.source or "_widget()" in c.source.strip().splitlines()[-1]]
    assert len(shown) >= 7  # 3 diagrams, swatches, heat map, XOR planes, widget
    for cell in shown:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) > 40, f"no alt text for the cell:\n{cell.source[:200]}"


def test_the_page_imports_only_in_its_first_code_cell():
    for cell in _page_cells()[1:]:
        assert not any(line.startswith(("import ", "from ")) for line in cell.source.splitlines())


def test_page_ends_with_summary_and_link_to_its_exercises():
    text = PAGE.read_text()
    assert "## Summary" in text
    ending = text.split("## Summary")[1]
    assert "[Exercises for this chapter](exercises.md)" in ending  # how to get a copy
    assert "`exercises/ch02_layers/`" in ending
