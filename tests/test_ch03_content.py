"""Chapter 3: the numbers the reading page states in prose are what nnlib computes.

The page computes everything in code, but many results are also written into the text (the
activations' values and slopes, the softmax seed example, the overflow and its fix, the toy
next-word probabilities and entropies, the ReLU approximation errors). These tests read those
numbers from the page (tests/chapter_text.py) and recompute them with nnlib, so a wrong number on
the page, or a change of nnlib or of the toy vocabulary that would make the prose wrong, fails
here. They also check the page's form: alt text on every plot or widget cell, no committed
outputs, and a summary that links to the exercises.
"""

import re
import warnings
from pathlib import Path

import jupytext
import numpy as np
import pytest
from chapter_text import Page, agrees

from nnlib import activations as act
from nnlib.widgets import activations as aw

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "03_activations.md"
CHAPTER = Page("03_activations")


def assert_quoted(quoted, computed, what: str) -> None:
    assert agrees(quoted, computed), (
        f"book/03_activations.md says {quoted.text} for {what}; nnlib computes "
        f"{float(computed):.10g}")


def test_activation_values_quoted_on_the_page():
    half, _, _, plus2, minus2 = CHAPTER.numbers(
        "Check: $\\sigma(0) = 1/(1+1) = @$; $\\sigma(2) = 1/(1 + e^{-2}) = @/@ = @$ and "
        "$\\sigma(-2) = @$")
    for quoted, z in ((half, 0.0), (plus2, 2.0), (minus2, -2.0)):
        assert_quoted(quoted, act.sigmoid(z), f"sigmoid({z})")
    _, _, tanh1, _, slope = CHAPTER.numbers(
        "Check: $\\tanh(1) = 2\\sigma(2) - 1 = @ \\times @ - 1 = @$, and its slope there is "
        "$1 - @^2 = @$")
    assert_quoted(tanh1, act.tanh(1.0), "tanh(1)")
    assert_quoted(slope, act.tanh_grad(1.0), "tanh'(1)")
    assert act.tanh_grad(0.0) == CHAPTER.number("At $z = 0$ the slope is @, four times")
    assert act.tanh_grad(0.0) == 4 * act.sigmoid_grad(0.0)
    alpha, at_minus2, at3 = CHAPTER.numbers(
        "With $\\alpha = @$: $\\operatorname{LeakyReLU}(-2) = @$ and "
        "$\\operatorname{LeakyReLU}(3) = @$")
    np.testing.assert_allclose(act.leaky_relu(np.array([-2.0, 3.0]), alpha=alpha),
                               [at_minus2, at3])
    phi1, gelu1, phi_minus1 = CHAPTER.numbers(
        "Check: $\\Phi(1) = @$, so $\\operatorname{GELU}(1) = @$; $\\Phi(-1) = @$")
    assert_quoted(gelu1, act.gelu(1.0), "GELU(1)")
    assert_quoted(phi1, act.gelu(1.0), "Phi(1) = GELU(1)")
    assert_quoted(phi_minus1, -act.gelu(-1.0), "Phi(-1) = -GELU(-1)")
    _, silu1, _, silu_minus1 = CHAPTER.numbers(
        "Check: $\\operatorname{SiLU}(1) = 1 \\times @ = @$ and $\\operatorname{SiLU}(-1) = -1 "
        "\\times @ = @$")
    assert_quoted(silu1, act.silu(1.0), "SiLU(1)")
    assert_quoted(silu_minus1, act.silu(-1.0), "SiLU(-1)")


def test_gelu_and_silu_dips_as_described():
    x = np.linspace(-3, 0, 30001)
    gelu, silu = act.gelu(x, approximate=True), act.silu(x)
    depth, where = CHAPTER.numbers("dips slightly below zero (to about $@$ near $z = @$)")
    assert_quoted(depth, gelu.min(), "GELU's dip")
    assert abs(x[gelu.argmin()] - where) < 0.02, x[gelu.argmin()]
    depth, where = CHAPTER.numbers("with a slightly deeper dip (about $@$ near $z = @$)")
    assert_quoted(depth, silu.min(), "SiLU's dip")
    assert_quoted(where, x[silu.argmin()], "where SiLU dips")
    # GELU's slope overshoots 1 near z = 1.5, SiLU's rises slightly above 1
    assert act.gelu_grad(1.5) > 1.1
    assert 1.0 < act.silu_grad(np.linspace(0, 10, 1001)).max() < 1.15


def test_relu_units_follow_x_squared_with_the_quoted_errors():
    four, h, eight, sixteen = CHAPTER.numbers(
        "away from the parabola: @ for 4 units ($h = @$), @ for 8 and @ for 16")
    x = np.linspace(-2, 2, 401)
    for n_units, quoted in [(4, four), (8, eight), (16, sixteen)]:
        knots = np.linspace(-2, 2, n_units + 1)
        assert n_units != 4 or knots[1] - knots[0] == h
        slopes = knots[:-1] + knots[1:]
        out_weights = np.concatenate([[slopes[0]], np.diff(slopes)])
        y = act.relu(x[:, None] - knots[:-1]) @ out_weights + 4.0
        assert_quoted(quoted, np.abs(y - x**2).max(), f"the error with {n_units} units")
    constant, miss = CHAPTER.numbers("no better than the constant @, which misses by @ at $x = 0$")
    assert np.abs(constant - x**2).max() == miss
    np.testing.assert_allclose(act.relu(x) + act.relu(-x), np.abs(x))


def test_softmax_seed_example_and_its_sum_as_quoted():
    e5, e8, e15, total = CHAPTER.numbers("$e^5 = @$, $e^8 = @$, $e^{15} = @$, which add up to $@$")
    z = np.array([5.0, 8.0, 15.0])
    for quoted, value in zip((e5, e8, e15, total), [*np.exp(z), np.exp(z).sum()], strict=True):
        assert_quoted(quoted, value, "an exponential of the seed example")
    probs = CHAPTER.numbers("\\operatorname{softmax}(5, 8, 15) = (@,\\ @,\\ @)")
    for quoted, value in zip(probs, act.softmax(z), strict=True):
        assert_quoted(quoted, value, "softmax(5, 8, 15)")
    assert CHAPTER.says("yet its probability is over a thousand times larger")
    assert act.softmax(z)[2] / act.softmax(z)[1] > 1000


def test_naive_softmax_overflows_at_1000_and_the_shift_fixes_it():
    (big,) = CHAPTER.numbers("on the logits $@@$; numpy warns about the overflow")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = np.exp(big)
        naive = e / e.sum()
    assert np.isnan(naive).all()
    assert any("overflow" in str(w.message) for w in caught)
    (shifted,) = CHAPTER.numbers("The logits become $@@$")
    np.testing.assert_array_equal(shifted, big - big.max())
    *exps, total, probs = CHAPTER.numbers(
        "$e^{-2} = @$, $e^{-1} = @$, $e^{0} = @$, sum $@$, so the probabilities are $@@$")
    for quoted, value in zip([*exps, total], [*np.exp(shifted), np.exp(shifted).sum()],
                             strict=True):
        assert_quoted(quoted, value, "an exponential of the shifted logits")
    np.testing.assert_allclose(act.softmax(big), probs, atol=5e-5,  # the page writes 4 decimals
                               err_msg="softmax(1000, 1001, 1002) and the page's probabilities")


def test_toy_next_word_probabilities_and_entropies_as_quoted():
    z = np.array(aw.TOY_LOGITS)
    assert aw.TOY_WORDS[0] == "mat" and aw.TOY_WORDS[-1] == "moon" and len(aw.TOY_WORDS) == 8
    p1, p05 = act.softmax(z), act.softmax(z, temperature=0.5)
    t1, mat1, t05, mat05 = CHAPTER.numbers('At $T = @$, "mat" gets @, and at $T = @$ it gets @')
    assert_quoted(mat1, act.softmax(z, temperature=t1)[0], '"mat" at T = 1')
    assert_quoted(mat05, act.softmax(z, temperature=t05)[0], '"mat" at T = 0.5')
    top, top_scaled, second, second_scaled = CHAPTER.numbers(
        "the logits doubled ($@ / 0.5 = @$, $@ / 0.5 = @$)")
    assert (top, second) == (z[0], z[1]), "the page's logits are not nnlib's TOY_LOGITS"
    assert (top_scaled, second_scaled) == (z[0] / t05, z[1] / t05)
    mat, floor, ratio = CHAPTER.numbers("their probability ratio from $e^1 = 2.7$ to $e^2 = 7.4$ "
                                        "($@ / @ = @$)")
    assert_quoted(mat, p05[0], '"mat" at T = 0.5')
    assert_quoted(floor, p05[1], '"floor" at T = 0.5')
    assert_quoted(ratio, p05[0] / p05[1], "the ratio of mat to floor at T = 0.5")
    assert p05[0] / p05[1] == pytest.approx(np.e**2)
    bits = CHAPTER.numbers("it grows from @ at $T = @$ to @ bits at $T = @$, @ at $T = @$ and @ "
                           "at $T = @$")
    for quoted, T in zip(bits[0::2], bits[1::2], strict=True):
        assert_quoted(quoted, aw.temperature_state(z, T)["entropy"], f"the entropy at T = {T}")
    np.testing.assert_allclose(np.round(act.softmax(z, temperature=0.1), 3), np.eye(8)[0])
    assert p1[-1] < 0.01


def test_seeded_samples_behave_as_the_page_says():
    words, z = list(aw.TOY_WORDS), aw.TOY_LOGITS
    draws = {T: aw.sample_words(words, z, T, 10, rng=np.random.default_rng(42))
             for T in (0.0, 1.0, 3.0)}
    assert draws[0.0] == ["mat"] * 10
    counts = {w: draws[1.0].count(w) for w in words}
    assert max(counts, key=counts.get) == "mat" and counts["mat"] < 10
    assert "moon" in draws[3.0]


def test_saturation_and_dead_unit_numbers_as_quoted():
    z, sig, slope, slope_again = CHAPTER.numbers(
        "At $z = @$ the sigmoid's slope is $\\sigma(10)(1 - \\sigma(10)) = @ \\times @ = @$")
    assert_quoted(sig, act.sigmoid(z), "sigma(10)")
    assert_quoted(slope, 1 - act.sigmoid(z), "1 - sigma(10)")
    assert_quoted(slope_again, act.sigmoid_grad(z), "sigma'(10)")
    best, layers, fade = CHAPTER.numbers(
        "Even at best the sigmoid's slope is @, so a signal passing back through ten sigmoid "
        "layers is multiplied, by the slopes alone, by at most $0.25^{@} \\approx @$")
    assert best == act.sigmoid_grad(0.0) == act.sigmoid_grad(np.linspace(-9, 9, 1801)).max()
    assert_quoted(fade, act.sigmoid_grad(0.0) ** layers, "the slope through ten sigmoid layers")
    run = CHAPTER.run("rng = np.random.default_rng(1)", "Z = X @ W + b")
    dead = int(CHAPTER.number("Unit @ is never active and its average slope is exactly 0"))
    assert (run["Z"][:, dead] < 0).all()
    assert act.relu_grad(run["Z"]).mean(axis=0)[dead] == 0.0
    assert_quoted(CHAPTER.number("with leaky ReLU it keeps a slope of @, small"),
                  act.leaky_relu_grad(run["Z"]).mean(axis=0)[dead], "the leaky slope of unit 2")
    assert (act.relu_grad(run["Z"]).mean(axis=0)[np.arange(4) != dead] > 0).all()


def test_page_form_alt_text_no_outputs_and_exercise_link():
    nb = jupytext.read(PAGE)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "import numpy as np" in code[0].source and "nnlib" in code[0].source
    drawing = [c for c in code if "plt.show()" in c.source
               or re.search(r"^aw\.\w+_widget\(", c.source, re.M)]
    assert len(drawing) >= 10
    for cell in drawing:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) > 40, f"no alt text for the cell:\n{cell.source[:200]}"
    assert not any(c.get("outputs") for c in code)
    text = PAGE.read_text()
    ending = text.split("## Summary")[-1]
    assert "[Exercises for this chapter](exercises.md)" in ending  # how to get a copy
    assert "`exercises/ch03_activations/`" in ending
    assert (REPO / "exercises" / "ch03_activations" / "ch03_activations.ipynb").exists()
