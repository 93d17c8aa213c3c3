"""Chapter 2: the numbers the reading page states in prose are what nnlib computes.

The page computes everything in code, but some results are also written into the text (the
seed's worked layer, the softmax example, the spam network by hand, the parameter counts, what
the rainbow classifier learns). These tests recompute them, so a change of nnlib or of a seed
that would make the prose wrong fails here. They also check the page's form: every plot or
widget cell has alt text, and the page ends with a summary linking to its exercises.
"""

from pathlib import Path

import jupytext
import numpy as np

from nnlib.activations import relu, softmax, step
from nnlib.data import RAINBOW_NAMES, logic_gate, rainbow_colors, train_val_split
from nnlib.layers import Dense, ReLU
from nnlib.network import Sequential, count_parameters
from nnlib.optim import SGD

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "02_layers.md"

W_SEED = np.array([[2.0, 1.0], [1.0, 1.0], [1.0, 1.0], [-1.0, 1.0]])
B_SEED = np.array([-9.0, -7.0])


def test_seed_layer_turns_2_5_7_3_into_4_10_and_the_batch_rows_match_the_prose():
    layer = Dense(4, 2)
    layer.W, layer.b = W_SEED, B_SEED
    X = np.array([[2.0, 5.0, 7.0, 3.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0]])
    np.testing.assert_allclose(layer.forward(X), [[4, 10], [-7, -6], [-9, -5]])


def test_parameter_counts_quoted_on_the_page():
    assert count_parameters([4, 5, 3, 2]) == 51  # 41 weights + 10 biases
    assert 4 * 5 + 5 * 3 + 3 * 2 == 41
    assert count_parameters([3, 7]) == 28
    assert count_parameters([3, 4, 2]) == 26
    assert count_parameters([2, 2, 1]) == 9
    spam = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)])
    weights = sum(p.size for p in spam.parameters() if p.name.endswith(".W"))
    assert (weights, spam.n_params - weights) == (20, 6)


def test_softmax_of_5_8_15_as_quoted():
    np.testing.assert_allclose(softmax(np.array([5.0, 8.0, 15.0])),
                               [0.0000454, 0.000911, 0.999044], atol=5e-7)


def test_spam_network_by_hand_gives_0971_and_0076():
    W1 = np.array([[2.0, 0, 0, 1], [0, 2, 0, 1], [0, 0, 2, -2]])
    b1 = np.array([-1.0, -1, -1, -0.5])
    W2 = np.array([[0.0, 1], [0, 1], [1, 0], [-1, 1]])
    b2 = np.array([0.5, -1.0])
    emails = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    hidden_sums = emails @ W1 + b1
    np.testing.assert_allclose(hidden_sums, [[1, 1, -1, 1.5], [-1, -1, 1, -2.5]])
    scores = relu(hidden_sums) @ W2 + b2
    np.testing.assert_allclose(scores, [[-1, 2.5], [1.5, -1]])
    np.testing.assert_allclose(softmax(scores, axis=1)[:, 1], [0.971, 0.076], atol=5e-4)


def test_two_linear_layers_collapse_and_the_scalar_example_holds():
    assert 3 * (2 * 1 + 1) + 4 == 6 * 1 + 7 == 13
    rng = np.random.default_rng(1)
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
    X = rng.normal(size=(5, 3))
    np.testing.assert_allclose((X @ W1 + b1) @ W2 + b2, X @ (W1 @ W2) + (b1 @ W2 + b2),
                               atol=1e-12)


def test_hand_set_2_2_1_network_computes_xor_as_in_the_table():
    X, y = logic_gate("XOR")
    hidden = step(X @ np.array([[1.0, -1.0], [-1.0, 1.0]]) + np.array([-0.5, -0.5]))
    np.testing.assert_array_equal(hidden, [[0, 0], [0, 1], [1, 0], [0, 0]])
    out = step(hidden @ np.array([[1.0], [1.0]]) + np.array([-0.5]))
    np.testing.assert_array_equal(out[:, 0], y)


def test_rainbow_classifier_learns_what_the_prose_says():
    X, y = rainbow_colors(1400, noise=0.08, rng=0)
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction=0.25, rng=0)
    net = Sequential([Dense(3, 7, rng=0)])
    net.fit(X_train, y_train, "cross_entropy", SGD(lr=0.5), epochs=40, batch_size=32,
            validation_data=(X_val, y_val), rng=0)
    queries = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0.5, 0]])
    names = [RAINBOW_NAMES[k] for k in net.predict(queries)]
    assert names == ["red", "green", "blue", "yellow", "orange"]
    W = net.layers[0].W
    r, g = W[0], W[1]
    # "Yellow is the one column where both the red and the green input have clearly positive
    # weights"; red is pushed down by green light and green by red light.
    clearly_both = [RAINBOW_NAMES[k] for k in range(7) if r[k] > 1 and g[k] > 1]
    assert clearly_both == ["yellow"]
    assert g[RAINBOW_NAMES.index("red")] < 0
    assert r[RAINBOW_NAMES.index("green")] < 0


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
    assert "(../exercises/ch02_layers/ch02_layers.ipynb)" in text.split("## Summary")[1]
