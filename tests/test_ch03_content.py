"""Chapter 3: the numbers the reading page states in prose are what nnlib computes.

The page computes everything in code, but many results are also written into the text (the
activations' values and slopes, the softmax seed example, the overflow and its fix, the toy
next-word probabilities and entropies, the ReLU approximation errors). These tests recompute
them, so a change of nnlib or of the toy vocabulary that would make the prose wrong fails here.
They also check the page's form: alt text on every plot or widget cell, no committed outputs,
and a summary that links to the exercises.
"""

import re
import warnings
from pathlib import Path

import jupytext
import numpy as np
import pytest

from nnlib import activations as act
from nnlib.widgets import activations as aw

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "03_activations.md"


def test_activation_values_quoted_on_the_page():
    np.testing.assert_allclose(act.sigmoid(np.array([-2.0, 0.0, 2.0])), [0.1192, 0.5, 0.8808],
                               atol=5e-5)
    assert act.sigmoid_grad(0.0) == pytest.approx(0.25)
    assert act.tanh(1.0) == pytest.approx(0.7616, abs=5e-5)
    assert act.tanh(1.0) == pytest.approx(2 * act.sigmoid(2.0) - 1)
    assert act.tanh_grad(1.0) == pytest.approx(0.4200, abs=5e-5)
    assert act.tanh_grad(0.0) == pytest.approx(1.0)
    assert act.relu(0.98) == pytest.approx(0.98)
    np.testing.assert_allclose(act.leaky_relu(np.array([-2.0, 3.0]), alpha=0.01), [-0.02, 3.0])
    np.testing.assert_allclose(act.gelu(np.array([-1.0, 1.0])), [-0.1587, 0.8413], atol=5e-5)
    np.testing.assert_allclose(act.silu(np.array([-1.0, 1.0])), [-0.2689, 0.7311], atol=5e-5)


def test_gelu_and_silu_dips_as_described():
    x = np.linspace(-3, 0, 30001)
    gelu, silu = act.gelu(x, approximate=True), act.silu(x)
    assert gelu.min() == pytest.approx(-0.17, abs=0.005)
    assert x[gelu.argmin()] == pytest.approx(-0.75, abs=0.02)
    assert silu.min() == pytest.approx(-0.28, abs=0.005)
    assert x[silu.argmin()] == pytest.approx(-1.28, abs=0.01)
    # GELU's slope overshoots 1 near z = 1.5, SiLU's rises slightly above 1
    assert act.gelu_grad(1.5) > 1.1
    assert 1.0 < act.silu_grad(np.linspace(0, 10, 1001)).max() < 1.15


def test_relu_units_follow_x_squared_with_the_quoted_errors():
    x = np.linspace(-2, 2, 401)
    for n_units, error in [(4, 0.25), (8, 0.0625), (16, 0.015625)]:
        knots = np.linspace(-2, 2, n_units + 1)
        slopes = knots[:-1] + knots[1:]
        out_weights = np.concatenate([[slopes[0]], np.diff(slopes)])
        y = act.relu(x[:, None] - knots[:-1]) @ out_weights + 4.0
        assert np.abs(y - x**2).max() == pytest.approx(error, abs=1e-4)  # h**2 / 4
    assert np.abs(2 - x**2).max() == pytest.approx(2.0)
    np.testing.assert_allclose(act.relu(x) + act.relu(-x), np.abs(x))


def test_softmax_seed_example_and_its_sum_as_quoted():
    z = np.array([5.0, 8.0, 15.0])
    assert np.exp(z).sum() == pytest.approx(3272146.74, abs=0.01)
    np.testing.assert_allclose(act.softmax(z), [0.0000454, 0.000911, 0.999044], atol=5e-7)
    assert act.softmax(z)[2] / act.softmax(z)[1] > 1000
    np.testing.assert_allclose(act.softmax(np.array([2.0, 0.0])), [0.8808, 0.1192], atol=5e-5)


def test_naive_softmax_overflows_at_1000_and_the_shift_fixes_it():
    big = np.array([1000.0, 1001.0, 1002.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = np.exp(big)
        naive = e / e.sum()
    assert np.isnan(naive).all()
    assert any("overflow" in str(w.message) for w in caught)
    assert 709 < np.log(np.finfo(float).max) < 710  # e**710 is too large for a float
    np.testing.assert_allclose(act.softmax(big), [0.0900, 0.2447, 0.6652], atol=5e-5)
    assert np.exp([-2.0, -1.0, 0.0]).sum() == pytest.approx(1.5032, abs=5e-5)


def test_toy_next_word_probabilities_and_entropies_as_quoted():
    z = np.array(aw.TOY_LOGITS)
    assert aw.TOY_WORDS[0] == "mat" and aw.TOY_WORDS[-1] == "moon" and len(aw.TOY_WORDS) == 8
    p1, p05 = act.softmax(z), act.softmax(z, temperature=0.5)
    assert p1[0] == pytest.approx(0.510, abs=5e-4)
    assert p05[0] == pytest.approx(0.810, abs=5e-4)
    assert p05[1] == pytest.approx(0.110, abs=5e-4)
    assert p05[0] / p05[1] == pytest.approx(np.e**2)
    assert p1[-1] == pytest.approx(0.003, abs=5e-4)
    np.testing.assert_allclose(np.round(act.softmax(z, temperature=0.1), 3), np.eye(8)[0])
    quoted = {0.0: 0.0, 0.5: 1.01, 1.0: 2.09, 2.0: 2.70}
    for T, bits in quoted.items():
        assert aw.temperature_state(z, T)["entropy"] == pytest.approx(bits, abs=0.005)


def test_seeded_samples_behave_as_the_page_says():
    words, z = list(aw.TOY_WORDS), aw.TOY_LOGITS
    draws = {T: aw.sample_words(words, z, T, 10, rng=np.random.default_rng(42))
             for T in (0.0, 1.0, 3.0)}
    assert draws[0.0] == ["mat"] * 10
    counts = {w: draws[1.0].count(w) for w in words}
    assert max(counts, key=counts.get) == "mat" and counts["mat"] < 10
    assert "moon" in draws[3.0]


def test_saturation_and_dead_unit_numbers_as_quoted():
    assert act.sigmoid_grad(10.0) == pytest.approx(0.0000454, abs=5e-8)
    assert act.sigmoid_grad(5.0) == pytest.approx(0.0066, abs=5e-5)
    assert 0.25**10 == pytest.approx(0.00000095, abs=5e-9)
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, size=(200, 3))
    w_dead, b_dead = np.array([0.8, -0.6, 0.7]), -5.0
    z = X @ w_dead + b_dead
    assert (z < 0).all()
    assert act.relu_grad(z).mean() == 0.0
    assert act.leaky_relu_grad(z).mean() == pytest.approx(0.01)


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
    link = "(../exercises/ch03_activations/ch03_activations.ipynb)"
    assert link in text.split("## Summary")[-1]
    assert (REPO / "exercises" / "ch03_activations" / "ch03_activations.ipynb").exists()
