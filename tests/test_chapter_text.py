"""The chapter tests can fail: a wrong number on a page makes the test of that number fail.

tests/chapter_text.py reads the numbers a chapter's prose states; the tests of each chapter
(tests/test_chNN_content.py) recompute them with nnlib. Here each chapter test runs against a
copy of its page with one number changed, as an author's slip would change it, and must fail.
The helper's own parsing is tested too.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from chapter_text import Page, Quoted, agrees

# (test module, test function, text of the page, the same text with a wrong number[,
# the module's Page attribute when it is not CHAPTER])
MUTATIONS = [
    ("test_ch02_content", "test_parameter_counts_quoted_on_the_page",
     "$41 + 10 = 51$ **parameters**", "$41 + 10 = 52$ **parameters**"),
    ("test_ch02_content", "test_parameter_counts_quoted_on_the_page",
     "= 26 \\text{ parameters} = 20", "= 26 \\text{ parameters} = 21"),
    ("test_ch02_content", "test_softmax_of_5_8_15_as_quoted",
     "$0.999044$. A lead", "$0.999045$. A lead"),
    ("test_ch02_content", "test_softmax_of_5_8_15_as_quoted",
     "$e^8 \\approx 2981.0$", "$e^8 \\approx 2981.9$"),
    ("test_ch02_content", "test_spam_network_by_hand_is_what_nnlib_computes_from_the_pages_weights",
     "\\approx 0.971$", "\\approx 0.917$"),
    ("test_ch02_content", "test_spam_network_by_hand_is_what_nnlib_computes_from_the_pages_weights",
     "b_2 = \\begin{bmatrix} 0.5 & -1", "b_2 = \\begin{bmatrix} 0.5 & -2"),
    ("test_ch02_content", "test_seed_layer_and_its_batch_rows_are_what_a_dense_layer_computes",
     "which is\n$(-7, -6)$", "which is\n$(-7, -5)$"),
    ("test_ch02_content", "test_two_linear_layers_collapse_and_the_scalar_example_holds",
     "$y = 13 = 6 + 7$", "$y = 14 = 6 + 7$"),
    ("test_ch02_content", "test_hand_set_2_2_1_network_computes_xor_as_in_the_table",
     "the output unit fires if A or B fires: weights $(1, 1)$, bias $-0.5$",
     "the output unit fires if A or B fires: weights $(1, 1)$, bias $-1.5$"),
    ("test_ch02_content", "test_rainbow_classifier_learns_what_the_prose_says",
     "We draw 1400 colours", "We draw 1500 colours"),
    ("test_ch05_content", "test_mlp_counts_in_the_prose", "(85%)", "(58%)"),
    ("test_ch05_content", "test_mlp_counts_in_the_prose", "= 16 + 10 = 26$", "= 16 + 10 = 28$"),
    ("test_ch05_content", "test_transformer_rule_of_thumb_numbers_in_the_prose",
     "$123{,}532{,}032 \\approx 123.5$ million", "$123{,}532{,}032 \\approx 132.5$ million"),
    ("test_ch05_content", "test_transformer_rule_of_thumb_numbers_in_the_prose",
     "7% low for Llama 3 70B", "9% low for Llama 3 70B"),
    ("test_ch05_content", "test_memory_numbers_in_the_prose",
     "\\approx 13.04$ GiB", "\\approx 13.40$ GiB"),
    ("test_ch05_content", "test_memory_numbers_in_the_prose", "needs 1,130 GB", "needs 1,310 GB"),
    ("test_ch05_content", "test_memory_numbers_in_the_prose", "In int4\nit needs 35 GB",
     "In int4\nit needs 53 GB"),
    ("test_ch05_content", "test_compute_numbers_in_the_prose", "\\approx 3.79\n",
     "\\approx 3.97\n"),
    ("test_ch05_content", "test_compute_numbers_in_the_prose", "$3.5 \\cdot 10^{11}$ for GPT-3",
     "$5.3 \\cdot 10^{11}$ for GPT-3"),
    ("test_ch05_content", "test_compute_numbers_in_the_prose", "seconds, 28.5 days",
     "seconds, 25.8 days"),
    ("test_ch05_content", "test_compute_optimal_numbers_in_the_prose", "\\approx 51$ billion",
     "\\approx 15$ billion"),
    ("test_ch01_content", "test_seed_worked_example_sum_and_its_variants_are_what_nnlib_computes",
     "0.72 = 0.98 .", "0.72 = 0.89 ."),
    ("test_ch01_content", "test_seed_worked_example_sum_and_its_variants_are_what_nnlib_computes",
     "0.98 - 1.5 = -0.52", "0.98 - 1.5 = -0.62"),
    ("test_ch01_content", "test_seed_worked_example_sum_and_its_variants_are_what_nnlib_computes",
     "giving $1.33$", "giving $1.23$"),
    ("test_ch01_content", "test_sigmoid_values_quoted_on_the_page", "\\approx 0.881$",
     "\\approx 0.818$"),
    ("test_ch01_content", "test_threshold_as_bias_fires_at_09_not_at_1", "0.98 - 0.9 = 0.08",
     "0.98 - 0.9 = 0.18"),
    ("test_ch01_content", "test_spam_neuron_numbers_and_flip_points_quoted_on_the_page",
     "gives $0.971$ for", "gives $0.917$ for"),
    ("test_ch01_content", "test_spam_neuron_numbers_and_flip_points_quoted_on_the_page",
     "x_3 = 2.5 / 3 \\approx 0.83", "x_3 = 2.5 / 3 \\approx 0.38"),
    ("test_ch01_content", "test_page_training_run_makes_the_mistakes_the_prose_counts",
     "made 3 mistakes in the first epoch", "made 4 mistakes in the first epoch"),
    ("test_ch01_content", "test_and_training_run_quoted_in_the_exercise_prompt",
     "made 2, 3, 3, 2 and 1 mistakes", "made 2, 3, 2, 2 and 1 mistakes", "EXERCISE"),
    ("test_ch03_content", "test_activation_values_quoted_on_the_page", "= 0.4200$", "= 0.4199$"),
    ("test_ch03_content", "test_activation_values_quoted_on_the_page",
     "$\\sigma(-2) = 0.1192$", "$\\sigma(-2) = 0.1193$"),
    ("test_ch03_content", "test_activation_values_quoted_on_the_page",
     "\\operatorname{LeakyReLU}(-2) = -0.02$", "\\operatorname{LeakyReLU}(-2) = -0.2$"),
    ("test_ch03_content", "test_gelu_and_silu_dips_as_described", "(to about $-0.17$",
     "(to about $-0.71$"),
    ("test_ch03_content", "test_relu_units_follow_x_squared_with_the_quoted_errors",
     "0.0625 for 8", "0.0652 for 8"),
    ("test_ch03_content", "test_softmax_seed_example_and_its_sum_as_quoted",
     "which add up to $3\\,272\\,146.74$", "which add up to $3\\,272\\,147.74$"),
    ("test_ch03_content", "test_naive_softmax_overflows_at_1000_and_the_shift_fixes_it",
     "(0.0900, 0.2447, 0.6652)", "(0.0900, 0.2474, 0.6652)"),
    ("test_ch03_content", "test_toy_next_word_probabilities_and_entropies_as_quoted",
     '"mat" gets 0.510', '"mat" gets 0.501'),
    ("test_ch03_content", "test_toy_next_word_probabilities_and_entropies_as_quoted",
     "2.09 at $T = 1$", "2.90 at $T = 1$"),
    ("test_ch03_content", "test_saturation_and_dead_unit_numbers_as_quoted",
     "\\approx 0.00000095$", "\\approx 0.0000095$"),
    ("test_ch04_content", "test_mean_squared_error_example_and_its_gradient",
     "0.51 / 3 = 0.17$", "0.51 / 3 = 0.71$"),
    ("test_ch04_content", "test_mean_squared_error_example_and_its_gradient",
     "(-0.333,\\ 0.333,\\ 0.0667)", "(-0.333,\\ 0.333,\\ 0.0677)"),
    ("test_ch04_content", "test_binary_cross_entropy_example_and_its_gradient",
     "-\\log 0.731 = 0.313", "-\\log 0.731 = 0.331"),
    ("test_ch04_content", "test_binary_cross_entropy_example_and_its_gradient",
     "/ 2 = 0.220$", "/ 2 = 0.202$"),
    ("test_ch04_content", "test_binary_cross_entropy_example_and_its_gradient",
     "(-0.0596,\\ 0.134)", "(-0.0596,\\ 0.143)"),
    ("test_ch04_content", "test_softmax_cross_entropy_example_and_its_gradient",
     "-\\log 0.659 = 0.417", "-\\log 0.659 = 0.471"),
    ("test_ch04_content", "test_softmax_cross_entropy_example_and_its_gradient",
     "(-0.341,\\ 0.242,\\ 0.099)", "(-0.314,\\ 0.242,\\ 0.099)"),
    ("test_ch04_content", "test_one_sgd_update_as_quoted", "0.1 \\cdot 0.2 = 0.48",
     "0.1 \\cdot 0.2 = 0.49"),
    ("test_ch04_content", "test_gradient_descent_on_the_parabola_as_quoted", "= -0.2$; then",
     "= -0.3$; then"),
    ("test_ch04_content", "test_gradient_descent_on_the_parabola_as_quoted",
     "0.8^{20} = 0.012", "0.8^{20} = 0.021"),
]


@pytest.mark.parametrize("mutation", MUTATIONS,
                         ids=[f"{m[1]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_chapter_test_fails_when_the_page_states_a_wrong_number(monkeypatch, mutation):
    module, test, old, new, *page = mutation
    attribute = page[0] if page else "CHAPTER"  # the Page the test module reads
    tests = importlib.import_module(module)
    right = getattr(tests, attribute)
    getattr(tests, test)()  # passes on the page as it is
    monkeypatch.setattr(tests, attribute, right.mutated(old, new))
    with pytest.raises(AssertionError):
        getattr(tests, test)()


def test_quoted_numbers_keep_their_text_and_decimals():
    assert (Quoted("3{,}272{,}147"), Quoted("3{,}272{,}147").decimals) == (3272147.0, 0)
    assert Quoted("0.0000454").decimals == 7 and Quoted("−1.5") == -1.5
    assert Quoted("235,146") == 235146 and Quoted("235,146").text == "235,146"


def test_agrees_rounds_at_the_precision_the_page_wrote():
    assert agrees(Quoted("0.971"), 0.97068)
    assert not agrees(Quoted("0.971"), 0.9704)
    assert agrees(Quoted("51"), 51) and not agrees(Quoted("51"), 52)
    assert agrees(Quoted("2.46"), 2.4649e6, scale=1e6)


def test_numbers_reads_numbers_and_tuples_whatever_the_line_breaks():
    page = Page("x", "Some prose: the sums are\n$(1, -1, 1.5)$ and the total is about "
                     "$3{,}272{,}147$.")
    sums, total = page.numbers("the sums are $@@$ and the total is about $@$")
    np.testing.assert_array_equal(sums, [1, -1, 1.5])
    assert total == 3272147
    with pytest.raises(AssertionError, match="does not say 'the sums were @@'"):
        page.numbers("the sums were @@")
    assert page.says("the total is about") and not page.says("the total is exactly")


def test_matrix_and_code_array_read_the_page():
    text = ("$$\nW_1 = \\begin{bmatrix} 2 & 0 \\\\ 0 & -2 \\end{bmatrix}\n$$\n\n"
            "```{code-cell} ipython3\nW1 = np.array([[2.0, 0.0], [0.0, -2.0]])\n```\n")
    page = Page("x", text)
    np.testing.assert_array_equal(page.matrix("W_1"), [[2, 0], [0, -2]])
    np.testing.assert_array_equal(page.code_array("W1"), [[2, 0], [0, -2]])
    with pytest.raises(AssertionError, match="no LaTeX matrix W_2"):
        page.matrix("W_2")
