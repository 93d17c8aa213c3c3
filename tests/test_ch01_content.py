"""Chapter 1: the numbers the reading page and the exercise prompts state in prose are true.

The page computes everything in code, but some results are also written into the text (the
seed's worked example, the spam verdicts, the training runs). These tests read those numbers from
the page (tests/chapter_text.py) or the exercise prompt, and recompute them with nnlib (the
training runs with the page's own cells), so a wrong number on the page, or a change of nnlib or
of a seed that would make the prose wrong, fails here. They also check the page's form: every
plot cell has alt text, and the page links to its exercises.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml
from chapter_text import Page, agrees

from nnlib.activations import relu, sigmoid, step
from nnlib.data import logic_gate
from nnlib.neuron import Perceptron, weighted_sum

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "01_perceptron.md"
CHAPTER = Page("01_perceptron")
EXERCISE = Page("01_perceptron", (REPO / "solutions" / "ch01_perceptron" /
                                  "ch01_perceptron.md").read_text(encoding="utf-8"))


def assert_quoted(quoted, computed, what: str) -> None:
    assert agrees(quoted, computed), (
        f"book/01_perceptron.md says {quoted.text} for {what}; nnlib computes "
        f"{float(computed):.10g}")


def test_seed_worked_example_sum_and_its_variants_are_what_nnlib_computes():
    x = CHAPTER.numbers("three inputs $x = (@,\\ @,\\ @)$")
    w = CHAPTER.numbers("weights $w = (@,\\ @,\\ @)$ and bias")
    b = CHAPTER.number("and bias $b = @$. Term by term")
    *terms, z = CHAPTER.numbers("= @ - @ + @ = @ . $$ As activation")
    assert_quoted(terms[0], w[0] * x[0], "the first term")
    assert_quoted(terms[1], -w[1] * x[1], "the second term (its minus sign written out)")
    assert_quoted(terms[2], w[2] * x[2], "the third term")
    assert_quoted(z, weighted_sum(x, w, b), "the weighted sum")
    assert_quoted(CHAPTER.number("So the output is $\\max(0,\\ 0.98) = @$"), relu(z), "ReLU(z)")
    bias, _, shifted = CHAPTER.numbers("With a bias of $@$ the sum becomes $@ - 1.5 = @$")
    assert_quoted(shifted, weighted_sum(x, w, bias), "the sum with the bias")
    assert CHAPTER.number("ReLU outputs $\\max(0, -0.52) = @$") == relu(shifted)
    w3, _, _, _, dropped = CHAPTER.numbers(
        "setting $w_3$ from $0.8$ to $@$ removes the term $@ \\cdot @ = @$, so $z$ drops from "
        "$0.98$ to $@$")
    assert_quoted(dropped, weighted_sum(x, [w[0], w[1], w3], b), "z without w3")
    w1, _, doubled = CHAPTER.numbers("doubling $w_1$ to $@$ adds another $@$ instead, giving $@$")
    assert w1 == 2 * w[0]
    assert_quoted(doubled, weighted_sum(x, [w1, w[1], w[2]], b), "z with w1 doubled")


def test_sigmoid_values_quoted_on_the_page():
    half, two, minus_two = CHAPTER.numbers("with $\\sigma(0) = @$, $\\sigma(2) = 1/(1 + e^{-2}) "
                                           "\\approx @$ and $\\sigma(-2) \\approx @$")
    for quoted, z in ((half, 0.0), (two, 2.0), (minus_two, -2.0)):
        assert_quoted(quoted, sigmoid(z), f"sigmoid({z})")


def test_spam_neuron_numbers_and_flip_points_quoted_on_the_page():
    w, b = CHAPTER.numbers("the spam neuron with $w = @@$, $b = @$ gives")
    spam, x_spam, ham, x_ham = CHAPTER.numbers("gives $@$ for $@@$ and $@$ for $@@$")
    z = CHAPTER.number("Then $z = 2 \\cdot 1 + 2 \\cdot 1 - 3 \\cdot 0 - 0.5 = @$")
    assert_quoted(z, weighted_sum(x_spam, w, b), "z of the spammy e-mail")
    assert_quoted(spam, sigmoid(weighted_sum(x_spam, w, b)), "sigma of the spammy e-mail")
    assert_quoted(ham, sigmoid(weighted_sum(x_ham, w, b)), "sigma of the friend's e-mail")
    assert float(step(weighted_sum(x_spam, w, b))) == 1.0
    flip, approx = CHAPTER.numbers("gives $x_3 = @ / 3 \\approx @$. For")
    assert weighted_sum([1.0, 0.5, flip / 3], w, b) == pytest.approx(0.0, abs=1e-12)
    assert_quoted(approx, flip / 3, "the flip point")
    need, approx = CHAPTER.numbers("For the e-mail $(1, 1, x_3)$ the same calculation gives "
                                   "$x_3 = @ / 3 \\approx @$")
    assert weighted_sum([1.0, 1.0, need / 3], w, b) == pytest.approx(0.0, abs=1e-12)
    assert_quoted(approx, need / 3, "the second flip point")


def test_threshold_as_bias_fires_at_09_not_at_1():
    x = CHAPTER.numbers("three inputs $x = (@,\\ @,\\ @)$")
    w = CHAPTER.numbers("weights $w = (@,\\ @,\\ @)$ and bias")
    fires, b_fires, margin = CHAPTER.numbers(
        "with threshold $@$ ($b = @$) the neuron fires, because $0.98 - 0.9 = @ \\ge 0$")
    quiet, b_quiet, short = CHAPTER.numbers(
        "with threshold $@$ ($b = @$) it stays quiet, because $0.98 - 1 = @ < 0$")
    assert (b_fires, b_quiet) == (-fires, -quiet)
    assert_quoted(margin, weighted_sum(x, w, b_fires), "the margin above the threshold")
    assert_quoted(short, weighted_sum(x, w, b_quiet), "the shortfall below the threshold")
    assert float(step(weighted_sum(x, w, b_fires))) == 1.0
    assert float(step(weighted_sum(x, w, b_quiet))) == 0.0


def test_page_training_run_makes_the_mistakes_the_prose_counts():
    run = CHAPTER.run("rng = np.random.default_rng(11)", "neuron.fit(X_pts, y_pts")
    errors = [h["errors"] for h in run["neuron"].history]
    first, later = CHAPTER.numbers(
        "The neuron made @ mistakes in the first epoch and @ in each of the next four")
    assert CHAPTER.says("the sixth epoch passed without a mistake")
    assert errors == [first] + [later] * 4 + [0], errors


def test_and_training_run_quoted_in_the_exercise_prompt():
    *mistakes, w1, w2, b = EXERCISE.numbers(
        "made @, @, @, @ and @ mistakes in its first five epochs and none after that, ending "
        "with $w = (@, @)$ and $b = @$")
    X, y = logic_gate("AND")
    neuron = Perceptron(2, lr=1.0).fit(X, y, epochs=10)
    assert [h["errors"] for h in neuron.history] == mistakes + [0]
    np.testing.assert_array_equal(neuron.w, [w1, w2])
    assert neuron.b == b


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
    ending = text.split("## Summary")[1]
    assert "[Exercises for this chapter](exercises.md)" in ending  # how to get a copy
    assert "`exercises/ch01_perceptron/`" in ending


def test_learned_spam_weights_have_the_hand_set_signs_after_ten_corrections():
    run = CHAPTER.run("X_mail, y_mail = nnlib.data.spam_emails(", "accuracy = np.mean(")
    errors = [h["errors"] for h in run["spam_neuron"].history]
    assert CHAPTER.says("ten corrections in the first epoch were enough")
    assert errors == [10, 0], errors
    assert CHAPTER.says("positive for money talk and for odd links, negative for a known sender")
    w = run["spam_neuron"].w
    assert w[0] > 0 and w[1] > 0 and w[2] < 0, w
    assert run["accuracy"] == 1.0


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
