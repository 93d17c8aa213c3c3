"""Chapter 2 widget: the network builder's update logic and its slider wiring (no browser)."""

import matplotlib
import pytest

matplotlib.use("Agg")

from nnlib.network import count_parameters  # noqa: E402
from nnlib.widgets.layers import network_builder_widget, network_state, parameter_summary  # noqa: E402


def test_spam_network_3_4_2_has_20_weights_6_biases_26_parameters():
    state = network_state(3, [4], 2)
    assert state["layer_sizes"] == [3, 4, 2]
    assert (state["n_weights"], state["n_biases"], state["n_params"]) == (20, 6, 26)
    assert state["weights_formula"] == "3×4 + 4×2"
    assert state["biases_formula"] == "4 + 2"


def test_no_hidden_layer_is_one_dense_layer():
    state = network_state(3, [], 7)
    assert state["layer_sizes"] == [3, 7]
    assert (state["n_weights"], state["n_biases"], state["n_params"]) == (21, 7, 28)


def test_xor_network_2_2_1_has_9_parameters():
    state = network_state(2, (2,), 1)
    assert (state["n_weights"], state["n_biases"], state["n_params"]) == (6, 3, 9)


@pytest.mark.parametrize("sizes", [[1, 1], [4, 8, 8, 3], [10, 1, 10, 1, 10], [784, 128, 10]])
def test_counts_match_the_shapes_of_real_weight_arrays(sizes):
    import numpy as np

    weights = [np.zeros((a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [np.zeros(b) for b in sizes[1:]]
    state = network_state(sizes[0], sizes[1:-1], sizes[-1])
    assert state["n_weights"] == sum(w.size for w in weights)
    assert state["n_biases"] == sum(b.size for b in biases)
    assert state["n_params"] == state["n_weights"] + state["n_biases"]


def test_counts_agree_with_nnlib_count_parameters():
    for sizes in ([3, 4, 2], [3, 7], [2, 2, 1], [5, 16, 16, 16, 4]):
        state = network_state(sizes[0], sizes[1:-1], sizes[-1])
        assert state["n_params"] == count_parameters(sizes)


def test_summary_shows_weights_and_biases_separately():
    text = parameter_summary(network_state(3, [4], 2))
    assert "3-4-2" in text
    assert "3×4 + 4×2 = <b>20</b>" in text
    assert "4 + 2 = <b>6</b>" in text
    assert "<b>26</b> parameters" in text


@pytest.mark.parametrize("bad", [0, -2])
def test_sizes_below_one_raise_value_error_naming_the_layer(bad):
    with pytest.raises(ValueError, match="hidden layer 2 must be at least 1"):
        network_state(3, [4, bad], 2)
    with pytest.raises(ValueError, match="n_outputs must be at least 1"):
        network_state(3, [4], bad)


@pytest.mark.parametrize("bad", [2.5, "4", None, True])
def test_non_integer_sizes_raise_type_error(bad):
    with pytest.raises(TypeError, match="n_inputs must be a whole number"):
        network_state(bad, [4], 2)


def test_hidden_must_be_a_list_of_sizes():
    with pytest.raises(TypeError, match="hidden must be a list"):
        network_state(3, 4, 2)


def _parts(box):
    """The widget's children by role: input, depth, hidden sliders, output, view."""
    children = list(box.children)
    return children[0], children[1], children[2:-2], children[-2], children[-1]


def test_widget_starts_on_the_spam_network_and_links_its_sliders_to_the_view():
    from nnlib.widgets.layers import NetworkView

    box = network_builder_widget()
    inputs, depth, hidden, outputs, view = _parts(box)
    assert isinstance(view, NetworkView)
    assert (inputs.value, depth.value, outputs.value) == (3, 1, 2)
    assert (view.n_in, view.n_hidden, view.n_out) == (3, 1, 2)
    assert [s.value for s in hidden] == [4, 4, 4, 4]
    assert [s.disabled for s in hidden] == [False, True, True, True]
    assert view.unit_sliders == hidden, "the view reads the hidden-layer sliders themselves"
    links = {link.source: link.target for link in box._links}
    assert links == {(inputs, "value"): (view, "n_in"), (depth, "value"): (view, "n_hidden"),
                     (outputs, "value"): (view, "n_out")}


def test_widget_rejects_a_start_that_does_not_fit_its_sliders():
    with pytest.raises(ValueError, match="max_hidden_layers"):
        network_builder_widget(hidden=[2, 2, 2, 2, 2])
    with pytest.raises(ValueError, match="max_units"):
        network_builder_widget(n_inputs=12)


def test_executed_notebook_stores_the_view_with_its_code_and_the_links():
    """The static web page rebuilds the widget from its stored state: the view's model must be
    stored whole (its JavaScript ``_esm`` and every trait, defaults included) with the links."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from nnlib.widgets.layers import network_builder_widget\nnetwork_builder_widget()")])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = [model["state"] for model in state.values() if model["model_module"] == "anywidget"]
    assert len(views) == 1
    view = views[0]
    assert "networkState" in view["_esm"] and "export default" in view["_esm"]
    assert (view["n_in"], view["n_hidden"], view["n_out"]) == (3, 1, 2)
    assert len(view["unit_sliders"]) == 4
    links = [model for model in state.values() if model["model_name"] == "DirectionalLinkModel"]
    assert len(links) == 3
