"""Chapter 6 widget: the kernel explorer's update logic against nnlib, and its controls."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from nnlib.conv import AvgPool2D, Conv2D, MaxPool2D  # noqa: E402
from nnlib.data import load_digits  # noqa: E402
from nnlib.widgets.conv import (  # noqa: E402
    KERNEL_PRESETS,
    POOL_SIZES,
    explorer_digits,
    kernel_explorer_state,
    kernel_explorer_widget,
)


def reference(image, K, size, pool, relu=True):
    """The same pipeline built from nnlib's layers, as a CNN would run it."""
    conv = Conv2D(1, 1, 3, padding=1)
    conv.W = np.asarray(K, dtype=float).reshape(1, 1, 3, 3)
    out = conv.forward(np.asarray(image, dtype=float)[None, None])
    if relu:
        out = np.maximum(out, 0)
    return out[0, 0], (MaxPool2D if pool == "max" else AvgPool2D)(size).forward(out)[0, 0]


def test_explorer_digits_are_one_of_each_scaled_to_0_1():
    images, labels = explorer_digits()
    assert images.shape == (10, 8, 8)
    np.testing.assert_array_equal(labels, np.arange(10))
    assert images.min() == 0.0 and images.max() == 1.0
    all_images, all_labels = load_digits()
    np.testing.assert_array_equal(images[3] * 16, all_images[np.flatnonzero(all_labels == 3)[0]])


@pytest.mark.parametrize("preset", sorted(KERNEL_PRESETS))
@pytest.mark.parametrize("size", POOL_SIZES)
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_state_equals_nnlib_layers_for_every_preset_and_pooling(preset, size, pool):
    images, _ = explorer_digits()
    for digit in (0, 3, 8):
        state = kernel_explorer_state(images[digit], preset, size, pool)
        activated, pooled = reference(images[digit], KERNEL_PRESETS[preset], size, pool)
        np.testing.assert_allclose(state["activated"], activated, atol=1e-12)
        np.testing.assert_allclose(state["pooled"], pooled, atol=1e-12)
        assert state["pooled_shape"] == (8 // size, 8 // size)


def test_feature_map_is_the_signed_convolution_and_relu_can_be_switched_off():
    images, _ = explorer_digits()
    K = np.random.default_rng(0).normal(size=9)
    state = kernel_explorer_state(images[5], K, 2, "max", relu=False)
    feature, pooled = reference(images[5], K, 2, "max", relu=False)
    np.testing.assert_allclose(state["feature_map"], feature, atol=1e-12)
    np.testing.assert_allclose(state["activated"], feature, atol=1e-12)
    np.testing.assert_allclose(state["pooled"], pooled, atol=1e-12)
    assert state["feature_min"] == pytest.approx(feature.min())
    assert state["feature_max"] == pytest.approx(feature.max())
    assert feature.min() < 0


def test_identity_kernel_and_pool_size_1_give_back_the_image():
    images, _ = explorer_digits()
    state = kernel_explorer_state(images[2], "identity", 1, "avg")
    np.testing.assert_allclose(state["pooled"], images[2], atol=1e-15)


def test_vertical_edge_kernel_responds_at_the_stroke_edges_of_a_one():
    image = np.zeros((8, 8))
    image[:, 3:5] = 1.0                                     # a vertical bar, columns 3 and 4
    fmap = np.array(kernel_explorer_state(image, "vertical edges", 1)["feature_map"])
    row = fmap[4]                                            # away from the top and bottom
    assert row[5] == 3.0 and row[2] == -3.0                 # right edge +, left edge -
    assert row[0] == row[7] == 0.0


def test_summary_states_the_numbers():
    images, _ = explorer_digits()
    state = kernel_explorer_state(images[0], "blur", 4, "avg")
    assert "Feature map 8×8" in state["summary"]
    assert "4×4 average pooling keeps 4 of 64 numbers (2×2)" in state["summary"]


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match="unknown kernel preset 'edges'"):
        kernel_explorer_state(np.zeros((8, 8)), "edges")
    with pytest.raises(ValueError, match=r"3x3 kernel .* got shape \(4,\)"):
        kernel_explorer_state(np.zeros((8, 8)), [1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"one grey image of shape \(H, W\)"):
        kernel_explorer_state(np.zeros((1, 8, 8)), "blur")
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        kernel_explorer_state(np.zeros((8, 8)), "blur", 2, "softmax")
    with pytest.raises(ValueError, match=r"\(8 \+ 2\*0 - 3\) / 3 \+ 1"):
        kernel_explorer_state(np.zeros((8, 8)), "blur", 3)
    with pytest.raises(ValueError, match="digit"):
        kernel_explorer_widget(digit=10)
    with pytest.raises(ValueError, match="pool_size"):
        kernel_explorer_widget(pool_size=3)


def test_widget_preset_menu_sets_the_nine_sliders():
    import ipywidgets as widgets

    box = kernel_explorer_widget()
    found = [w for w in _walk(box) if isinstance(w, widgets.Dropdown)]
    preset = next(w for w in found if w.description == "kernel")
    sliders = [w for w in _walk(box) if isinstance(w, widgets.FloatSlider)]
    assert len(sliders) == 9
    assert [s.value for s in sliders] == [1.0, 0.0, -1.0] * 3
    preset.value = "sharpen"
    assert [s.value for s in sliders] == [0.0, -1.0, 0.0, -1.0, 5.0, -1.0, 0.0, -1.0, 0.0]


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
