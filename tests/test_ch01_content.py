"""Chapter 1: the numbers the reading page and the exercise prompts state in prose are true.

The page computes everything in code, but some results are also written into the text (the
seed's worked example, the spam verdicts, the training runs). These tests recompute them with
nnlib, so a change of nnlib or of a seed that would make the prose wrong fails here. They also
check the page's form: every plot cell has alt text, and the page links to its exercises.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from nnlib.activations import relu, sigmoid, step
from nnlib.data import logic_gate
from nnlib.neuron import Perceptron, weighted_sum

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "01_perceptron.md"


def test_seed_worked_example_sum_is_098_and_relu_passes_it():
    z = weighted_sum([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], 0.0)
    assert z == pytest.approx(0.98)
    assert float(relu(z)) == pytest.approx(0.98)
    # the page's other variants of the example
    assert weighted_sum([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], -1.5) == pytest.approx(-0.52)
    assert weighted_sum([0.7, 0.3, 0.9], [0.5, -0.3, 0.0], 0.0) == pytest.approx(0.26)
    assert weighted_sum([0.7, 0.3, 0.9], [1.0, -0.3, 0.8], 0.0) == pytest.approx(1.33)


def test_threshold_as_bias_fires_at_09_not_at_1():
    x, w = [0.7, 0.3, 0.9], [0.5, -0.3, 0.8]
    assert float(step(weighted_sum(x, w, -0.9))) == 1.0
    assert float(step(weighted_sum(x, w, -1.0))) == 0.0


def test_sigmoid_values_quoted_on_the_page():
    np.testing.assert_allclose(sigmoid(np.array([0.0, 2.0, -2.0])), [0.5, 0.881, 0.119],
                               atol=5e-4)
    assert float(sigmoid(3.5)) == pytest.approx(0.971, abs=5e-4)
    assert float(sigmoid(-3.5)) == pytest.approx(0.029, abs=5e-4)


def test_spam_neuron_flip_points_quoted_on_the_page():
    w, b = np.array([2.0, 2.0, -3.0]), -0.5
    # (1, 0.5, x3) flips at x3 = 2.5 / 3; (1, 1, x3) would need x3 = 3.5 / 3 > 1
    assert weighted_sum([1.0, 0.5, 2.5 / 3], w, b) == pytest.approx(0.0, abs=1e-12)
    assert weighted_sum([1.0, 1.0, 1.0], w, b) == pytest.approx(0.5)


def test_page_training_run_makes_3_2_2_2_2_then_0_mistakes():
    rng = np.random.default_rng(11)
    X = np.vstack([rng.normal([0.5, 1.5], 0.3, size=(10, 2)),
                   rng.normal([1.5, 0.5], 0.3, size=(10, 2))])
    y = np.array([0] * 10 + [1] * 10)
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=20)
    assert [h["errors"] for h in neuron.history] == [3, 2, 2, 2, 2, 0]


def test_and_training_run_quoted_in_the_exercise_prompt():
    X, y = logic_gate("AND")
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=10)
    assert [h["errors"] for h in neuron.history] == [2, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(neuron.w, [2.0, 1.0])
    assert neuron.b == -3.0


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_and_or_are_learned_without_mistakes(gate):
    X, y = logic_gate(gate)
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=20)
    assert neuron.history[-1]["errors"] == 0
    np.testing.assert_array_equal(neuron.predict(X), y)


def test_xor_and_the_dogs_table_are_never_learned():
    X, y = logic_gate("XOR")
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=50)
    assert min(h["errors"] for h in neuron.history) > 0
    sentences = ["I hate dogs.", "I like dogs.", "I don't hate dogs.", "I don't like dogs."]
    X_dogs = np.array([[("like" in s) * 1.0, ("don't" in s) * 1.0] for s in sentences])
    y_dogs = np.array([0, 1, 1, 0])  # friendly?
    # the dogs table is XOR: friendly exactly when one of "like", "don't" is present
    np.testing.assert_array_equal(y_dogs, np.logical_xor(X_dogs[:, 0], X_dogs[:, 1]))
    assert sorted(map(tuple, X_dogs)) == sorted(map(tuple, X))


def _page_cells():
    """(metadata, source) of each code cell of the MyST page."""
    text = PAGE.read_text()
    cells = []
    for block in text.split("```{code-cell} ipython3\n")[1:]:
        body = block.split("\n```\n", 1)[0]
        meta = {}
        if body.startswith("---\n"):
            header, body = body[4:].split("\n---\n", 1)
            meta = yaml.safe_load(header)
        cells.append((meta, body))
    return cells


def test_every_plot_or_widget_cell_of_the_page_has_alt_text():
    shown = [(m, s) for m, s in _page_cells()
             if "plt.show()" in s or "_widget()" in s.strip().splitlines()[-1]]
    assert len(shown) >= 5  # activations, spam widget, boundary widget, epochs, gates
    for meta, source in shown:
        alt = meta.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) > 40, f"no alt text for the cell:\n{source[:200]}"


def test_page_ends_with_summary_and_link_to_its_exercises():
    text = PAGE.read_text()
    assert "## Summary" in text
    assert "(../exercises/ch01_perceptron/ch01_perceptron.ipynb)" in text.split("## Summary")[1]


def test_learned_spam_weights_have_the_hand_set_signs_after_ten_corrections():
    from nnlib.data import spam_emails, train_val_split

    X, y = spam_emails(200, noise=0.0, rng=0)
    X_train, y_train, X_test, y_test = train_val_split(X, y, 0.25, rng=0)
    neuron = Perceptron(3, lr=1.0).fit(X_train, y_train, epochs=50)
    assert [h["errors"] for h in neuron.history] == [10, 0]
    assert neuron.w[0] > 0 and neuron.w[1] > 0 and neuron.w[2] < 0
    assert np.mean(neuron.predict(X_test) == y_test) == 1.0


def test_xor_run_cycles_with_four_mistakes_per_epoch_as_the_page_says():
    # The page: from the third epoch on, every corner is wrong when its turn comes (4 mistakes),
    # and the epoch ends with exactly the weights it started with, w = (-1, 0), b = 0; that line
    # gets two of the four corners wrong.
    X, y = logic_gate("XOR")
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=20)
    errors = [h["errors"] for h in neuron.history]
    assert errors[:2] == [3, 3] and errors[2:] == [4] * 18
    for h in neuron.history[1:]:
        np.testing.assert_array_equal(h["w"], [-1.0, 0.0])
        assert h["b"] == 0.0
    assert int((neuron.predict(X) != y).sum()) == 2
