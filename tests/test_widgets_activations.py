"""Chapter 3 widgets: their update logic without a browser, and the builders' wiring."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.widgets import activations as w  # noqa: E402

LOGITS = np.array([2.0, 1.0, 0.0])


def teardown_function():
    plt.close("all")


def test_temperature_one_is_plain_softmax():
    state = w.temperature_state(LOGITS, 1.0)
    expected = np.exp(LOGITS) / np.exp(LOGITS).sum()
    np.testing.assert_allclose(state["probabilities"], expected)
    assert state["probabilities"].sum() == pytest.approx(1.0)


def test_temperature_divides_the_logits():
    # softmax(z / 2) of (2, 1, 0) is softmax(1, 0.5, 0)
    state = w.temperature_state(LOGITS, 2.0)
    e = np.exp([1.0, 0.5, 0.0])
    np.testing.assert_allclose(state["probabilities"], e / e.sum())


def test_temperature_zero_is_one_hot_argmax_with_zero_entropy():
    state = w.temperature_state([0.5, 3.0, 1.0], 0.0)
    np.testing.assert_array_equal(state["probabilities"], [0.0, 1.0, 0.0])
    assert state["entropy"] == 0.0


def test_entropy_in_bits_of_equal_logits_is_log2_of_vocabulary_size():
    state = w.temperature_state(np.zeros(8), 1.0)
    assert state["entropy"] == pytest.approx(3.0)


def test_entropy_grows_with_temperature_on_the_toy_vocabulary():
    entropies = [w.temperature_state(w.TOY_LOGITS, t)["entropy"] for t in (0, 0.5, 1, 2, 3)]
    assert entropies[0] == 0.0
    assert np.all(np.diff(entropies) > 0)
    assert entropies[-1] < np.log2(len(w.TOY_WORDS))


def test_temperature_state_rejects_negative_temperature_and_bad_logits():
    with pytest.raises(ValueError, match="temperature"):
        w.temperature_state(LOGITS, -1)
    with pytest.raises(ValueError, match="shape"):
        w.temperature_state(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="finite"):
        w.temperature_state([1.0, np.nan], 1.0)
    with pytest.raises(TypeError, match="temperature"):
        w.temperature_state(LOGITS, "hot")


def test_sampling_at_temperature_zero_is_greedy():
    words = w.sample_words(["a", "b", "c"], [0.0, 5.0, 4.9], 0.0, 20, rng=1)
    assert words == ["b"] * 20


def test_sampling_frequencies_follow_the_probabilities():
    words = ["a", "b", "c"]
    drawn = w.sample_words(words, LOGITS, 1.0, 20000, rng=np.random.default_rng(3))
    freq = np.array([drawn.count(x) for x in words]) / len(drawn)
    p = w.temperature_state(LOGITS, 1.0)["probabilities"]
    np.testing.assert_allclose(freq, p, atol=0.015)


def test_sampling_is_reproducible_with_a_seed():
    first = w.sample_words(None, None, 1.5, 12, rng=7)
    second = w.sample_words(None, None, 1.5, 12, rng=7)
    assert first == second
    assert set(first) <= set(w.TOY_WORDS)


def test_sampling_at_high_temperature_reaches_unlikely_words():
    drawn = w.sample_words(None, None, 3.0, 400, rng=0)
    cold = w.sample_words(None, None, 0.2, 400, rng=0)
    assert len(set(drawn)) > len(set(cold))


def test_sample_words_rejects_mismatched_vocabulary_and_bad_n():
    with pytest.raises(ValueError, match="one logit per word"):
        w.sample_words(["a", "b"], [1.0, 2.0, 3.0], 1.0, 3)
    with pytest.raises(ValueError, match="n"):
        w.sample_words(["a", "b"], [1.0, 2.0], 1.0, 0)


def test_explorer_state_gives_function_and_derivative():
    state = w.explorer_state("relu", -2.0, 2.0, num=5)
    np.testing.assert_allclose(state["x"], [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(state["y"], [0, 0, 0, 1, 2])
    np.testing.assert_allclose(state["dy"][[0, 1, 3, 4]], [0, 0, 1, 1])


def test_explorer_state_sigmoid_derivative_matches_finite_differences():
    state = w.explorer_state("sigmoid", -4.0, 4.0, num=801)
    numeric = np.gradient(state["y"], state["x"])
    np.testing.assert_allclose(state["dy"][1:-1], numeric[1:-1], atol=1e-4)


def test_explorer_offers_every_elementwise_activation_but_not_softmax():
    names = w._explorer_names()
    assert "softmax" not in names
    for name in ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "step"):
        assert name in names
        state = w.explorer_state(name, -3, 3)
        assert state["y"].shape == state["dy"].shape == (201,)
        assert np.all(np.isfinite(state["y"])) and np.all(np.isfinite(state["dy"]))


def test_explorer_state_rejects_bad_input():
    with pytest.raises(ValueError, match="x_min < x_max"):
        w.explorer_state("relu", 2, 1)
    with pytest.raises(ValueError, match="whole vector"):
        w.explorer_state("softmax", -1, 1)
    with pytest.raises(ValueError):
        w.explorer_state("no_such_activation", -1, 1)


def test_draw_temperature_bars_are_the_probabilities():
    ax = w.draw_temperature(T=0.5)
    bars = ax.patches[: len(w.TOY_WORDS)]
    heights = [b.get_height() for b in bars]
    p = w.temperature_state(w.TOY_LOGITS, 0.5)["probabilities"]
    np.testing.assert_allclose(heights, p)
    assert "entropy" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(w.TOY_WORDS)


def test_draw_explorer_returns_two_axes_with_function_and_derivative():
    axes = w.draw_explorer("tanh", -3, 3)
    x, y = axes[0].lines[0].get_data()
    np.testing.assert_allclose(y, np.tanh(x))
    _, dy = axes[1].lines[0].get_data()
    np.testing.assert_allclose(dy, 1 - np.tanh(x) ** 2, atol=1e-12)
    assert axes[0].lines[0].get_linestyle() != axes[1].lines[0].get_linestyle()


def test_temperature_widget_links_its_sliders_to_the_view_with_the_vocabulary():
    box = w.temperature_widget(rng=42)
    slider, view, row = box.children
    draws, seeds = row.children
    assert (slider.min, slider.max, slider.value) == (0.0, 3.0, 1.0)
    assert isinstance(view, w.TemperatureView)
    assert view.data == {"words": list(w.TOY_WORDS), "logits": list(w.TOY_LOGITS),
                         "prompt": w.TOY_PROMPT}
    assert (view.T, view.n, view.seed) == (1.0, 10, 42)
    links = {link.source: (type(link).__name__, link.target) for link in box._links}
    assert links[(slider, "value")] == ("DirectionalLink", (view, "T"))
    assert links[(draws, "value")] == ("DirectionalLink", (view, "n"))
    assert links[(seeds, "value")] == ("Link", (view, "seed")), "draw again moves the seed"


@pytest.mark.parametrize("rng", [-1, 100, 2.5, np.random.default_rng(0)])
def test_temperature_widget_needs_a_seed_from_0_to_99(rng):
    with pytest.raises(ValueError, match="seed, a whole number from 0 to 99"):
        w.temperature_widget(rng=rng)


def test_temperature_widget_rejects_mismatched_vocabulary():
    with pytest.raises(ValueError, match="one logit per word"):
        w.temperature_widget(words=["a"], logits=[1.0, 2.0])


def test_activation_explorer_widget_offers_the_activations():
    box = w.activation_explorer_widget("gelu")
    (dropdown, x_range), view = box.children[0].children, box.children[1]
    assert dropdown.value == "gelu"
    assert list(dropdown.options) == w._explorer_names() == view.data["names"]
    assert view.activation == dropdown.index == w._explorer_names().index("gelu")
    assert x_range.value == view.x_range == (-5.0, 5.0)
    links = {link.source: link.target for link in box._links}
    assert links == {(dropdown, "index"): (view, "activation"),
                     (x_range, "value"): (view, "x_range")}
    with pytest.raises(ValueError, match="name must be one of"):
        w.activation_explorer_widget("softmax")


@pytest.mark.slow
def test_both_widgets_store_their_views_code_and_settings_in_the_notebook_widget_state():
    """Executed as the site build does, each view is stored whole (its JavaScript included)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from nnlib.widgets import activations as aw"),
        nbformat.v4.new_code_cell("aw.temperature_widget()"),
        nbformat.v4.new_code_cell("aw.activation_explorer_widget('sigmoid')"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = {m["state"]["_anywidget_id"].rsplit(".", 1)[1]: m["state"] for m in state.values()
             if m["model_module"] == "anywidget"}
    assert sorted(views) == ["ExplorerView", "TemperatureView"]
    assert "sampleWords" in views["TemperatureView"]["_esm"]
    assert (views["TemperatureView"]["T"], views["TemperatureView"]["seed"]) == (1.0, 0)
    assert "explorerState" in views["ExplorerView"]["_esm"]
    assert views["ExplorerView"]["activation"] == w._explorer_names().index("sigmoid")
