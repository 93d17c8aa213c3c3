"""Chapter 1 widgets: the state functions behind the sliders, and the builders' initial state."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.widgets.neuron import (  # noqa: E402
    SPAM_DEFAULT_BIAS,
    SPAM_DEFAULT_WEIGHTS,
    boundary_state,
    decision_boundary_widget,
    spam_neuron_state,
    spam_neuron_widget,
)

AND_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND_Y = np.array([0, 0, 0, 1])


# --- spam neuron -------------------------------------------------------------------------------

def test_spam_state_computes_weighted_sum_sigmoid_and_verdict_by_hand():
    state = spam_neuron_state([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], 0.0)
    assert state["weighted_sum"] == pytest.approx(0.98)
    assert state["probability"] == pytest.approx(1 / (1 + np.exp(-0.98)))
    assert state["verdict"] == "spam"
    np.testing.assert_allclose(state["contributions"], [0.35, -0.09, 0.72])


def test_spam_state_adds_the_bias():
    with_bias = spam_neuron_state([0.7, 0.3, 0.9], [0.5, -0.3, 0.8], -2.0)
    assert with_bias["weighted_sum"] == pytest.approx(0.98 - 2.0)
    assert with_bias["verdict"] == "not spam"


def test_seed_experiment_money_and_links_from_stranger_is_spam():
    state = spam_neuron_state([1, 1, 0], SPAM_DEFAULT_WEIGHTS, SPAM_DEFAULT_BIAS)
    assert state["verdict"] == "spam"
    assert state["probability"] > 0.8


def test_seed_experiment_flipped_inputs_are_not_spam():
    state = spam_neuron_state([0, 0, 1], SPAM_DEFAULT_WEIGHTS, SPAM_DEFAULT_BIAS)
    assert state["verdict"] == "not spam"
    assert state["probability"] < 0.2


def test_spam_verdict_threshold_is_probability_one_half_inclusive():
    # weighted sum exactly 0 -> probability exactly 0.5 -> spam (>= 0.5)
    state = spam_neuron_state([1, 0, 0], [1.0, 0.0, 0.0], -1.0)
    assert state["probability"] == pytest.approx(0.5)
    assert state["verdict"] == "spam"


@pytest.mark.parametrize(
    "inputs, weights, message",
    [([1, 1], [1, 1, 1], "inputs: expected 3 numbers"),
     ([1, 1, 0], [1, 1], "weights: expected 3 numbers"),
     ([1.5, 0, 0], [1, 1, 1], "between 0 and 1")],
)
def test_spam_state_rejects_bad_input_with_a_clear_message(inputs, weights, message):
    with pytest.raises(ValueError, match=message):
        spam_neuron_state(inputs, weights, 0.0)


def _all_children(widget):
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(_all_children(child))
    return found


def _links(widget):
    """{(source widget, source trait): (target widget, target trait)} of the widget's jslinks."""
    return {link.source: link.target for link in widget._links}


def test_spam_widget_has_seven_sliders_with_seed_defaults_linked_to_its_view():
    import ipywidgets as widgets

    from nnlib.widgets.neuron import SpamNeuronView

    w = spam_neuron_widget()
    parts = _all_children(w)
    sliders = [p for p in parts if isinstance(p, widgets.FloatSlider)]
    assert [s.value for s in sliders] == [1.0, 1.0, 0.0, *SPAM_DEFAULT_WEIGHTS, SPAM_DEFAULT_BIAS]
    views = [p for p in parts if isinstance(p, SpamNeuronView)]
    assert len(views) == 1, "the readout and chart are one view drawn in the browser"
    view = views[0]
    links = _links(w)
    for slider, name in zip(sliders, ["x1", "x2", "x3", "w1", "w2", "w3", "b"], strict=True):
        assert links[(slider, "value")] == (view, name), f"slider {slider.description} not linked"
        assert getattr(view, name) == slider.value
    assert "export default" in view._esm and "spamNeuronState" in view._esm


def test_spam_widget_starts_from_the_values_it_is_given():
    from nnlib.widgets.neuron import SpamNeuronView

    w = spam_neuron_widget(inputs=(0.0, 0.5, 1.0), weights=(1.0, -1.0, 0.5), bias=2.0)
    view = [p for p in _all_children(w) if isinstance(p, SpamNeuronView)][0]
    assert (view.x1, view.x2, view.x3, view.w1, view.w2, view.w3, view.b) == (
        0.0, 0.5, 1.0, 1.0, -1.0, 0.5, 2.0)


# --- decision boundary ------------------------------------------------------------------------

def test_boundary_state_counts_errors_of_the_or_line_on_and_points():
    state = boundary_state(1.0, 1.0, -0.5, AND_X, AND_Y)
    np.testing.assert_array_equal(state["predictions"], [0, 1, 1, 1])
    np.testing.assert_array_equal(state["misclassified"], [False, True, True, False])
    assert state["n_errors"] == 2


def test_boundary_state_zero_errors_for_a_correct_and_line():
    assert boundary_state(1.0, 1.0, -1.5, AND_X, AND_Y)["n_errors"] == 0


def test_boundary_state_points_on_the_line_count_as_class_one():
    # x1 + x2 - 1 = 0 passes through (0, 1) and (1, 0): step(0) = 1
    state = boundary_state(1.0, 1.0, -1.0, AND_X, AND_Y)
    np.testing.assert_array_equal(state["predictions"], [0, 1, 1, 1])


def test_boundary_line_end_points_lie_on_the_line_and_in_the_box():
    w1, w2, b = 2.0, -1.0, 0.3
    line = boundary_state(w1, w2, b, AND_X, AND_Y, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))["line"]
    assert line.shape == (2, 2)
    np.testing.assert_allclose(line @ np.array([w1, w2]) + b, [0.0, 0.0], atol=1e-12)
    assert np.all((line >= -0.5 - 1e-12) & (line <= 1.5 + 1e-12))
    assert not np.allclose(line[0], line[1])


def test_boundary_line_vertical_when_w2_is_zero():
    line = boundary_state(2.0, 0.0, -1.0, AND_X, AND_Y)["line"]
    np.testing.assert_allclose(line[:, 0], [0.5, 0.5])


def test_boundary_line_none_when_it_misses_the_box_or_weights_are_zero():
    assert boundary_state(0.0, 0.0, 1.0, AND_X, AND_Y)["line"] is None
    assert boundary_state(1.0, 1.0, -10.0, AND_X, AND_Y)["line"] is None


def test_boundary_state_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"expected shape \(n, 2\)"):
        boundary_state(1, 1, 0, np.zeros((4, 3)), AND_Y)
    with pytest.raises(ValueError, match="one label per row"):
        boundary_state(1, 1, 0, AND_X, np.zeros(3))


def test_boundary_widget_defaults_and_its_view_data():
    import ipywidgets as widgets

    from nnlib.widgets.neuron import BoundaryView

    w = decision_boundary_widget()
    sliders = [p for p in _all_children(w) if isinstance(p, widgets.FloatSlider)]
    assert [s.description for s in sliders] == ["w1", "w2", "b"]
    assert [s.value for s in sliders] == [1.0, 1.0, -0.5]
    view = [p for p in _all_children(w) if isinstance(p, BoundaryView)][0]
    assert view.data == {"X": AND_X.tolist(), "y": [0, 0, 0, 1],
                         "xlim": [-0.5, 1.5], "ylim": [-0.5, 1.5]}
    links = _links(w)
    for slider in sliders:
        assert links[(slider, "value")] == (view, slider.description)


def test_boundary_widget_rejects_labels_other_than_0_and_1():
    with pytest.raises(ValueError, match="labels 0 or 1"):
        decision_boundary_widget(AND_X, np.array([0, 1, 2, 1]))


def test_boundary_widget_needs_both_points_and_labels():
    with pytest.raises(ValueError, match="both X and y"):
        decision_boundary_widget(X=AND_X)
