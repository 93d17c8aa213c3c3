"""Chapter 6 widget: the kernel explorer's update logic against nnlib, and its controls."""

import matplotlib
import numpy as np
import pytest
from conftest import require

matplotlib.use("Agg")

from nnlib.conv import AvgPool2D, Conv2D, MaxPool2D  # noqa: E402
from nnlib.data import load_digits  # noqa: E402
from nnlib.widgets.conv import (  # noqa: E402
    KERNEL_PRESETS,
    POOL_SIZES,
    KernelExplorerView,
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


def test_view_starts_with_the_widgets_settings_and_carries_the_data_the_page_needs():
    import ipywidgets as widgets

    box = kernel_explorer_widget(digit=7, preset="sharpen", pool_size=4, pool="avg")
    view = box.children[-1]
    assert isinstance(view, KernelExplorerView)
    assert (view.digit, view.size, view.pooling) == (7, POOL_SIZES.index(4), 1)
    assert view.data["preset_names"][view.preset] == "sharpen"
    assert [getattr(view, f"w{i}") for i in range(9)] == [0, -1, 0, -1, 5, -1, 0, -1, 0]
    images, _ = explorer_digits()
    np.testing.assert_array_equal(view.data["digits"], images)
    assert view.data["pool_sizes"] == list(POOL_SIZES)
    assert view.data["presets"]["vertical edges"] == [[1, 0, -1]] * 3
    sliders = [w for w in _walk(box) if isinstance(w, widgets.FloatSlider)]
    assert [s.value for s in sliders] == [0, -1, 0, -1, 5, -1, 0, -1, 0]
    assert all(s.min == -5 and s.max == 5 and s.step == 0.1 for s in sliders)
    for preset in KERNEL_PRESETS.values():                   # every preset fits the sliders
        assert all(-5 <= v <= 5 and round(v, 1) == v for row in preset for v in row)


def test_controls_are_joined_to_the_view_in_the_browser():
    """Menus and the pooling slider drive the view by their index (what the browser holds);
    the weight sliders are linked both ways, so a preset chosen in the page moves them."""
    from ipywidgets.widgets.widget_link import DirectionalLink

    box = kernel_explorer_widget()
    view = box.children[-1]
    links = box._links
    one_way = [link for link in links if isinstance(link, DirectionalLink)]
    two_way = [link for link in links if not isinstance(link, DirectionalLink)]
    assert sorted(link.target[1] for link in one_way) == ["digit", "pooling", "preset", "size"]
    assert all(link.source[1] == "index" for link in one_way)
    assert sorted(link.target[1] for link in two_way) == [f"w{i}" for i in range(9)]
    assert all(link.target[0] is view for link in links)


def test_executed_notebook_stores_the_view_with_its_code_and_the_links():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from nnlib.widgets.conv import kernel_explorer_widget\nkernel_explorer_widget()")])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = [model["state"] for model in state.values() if model["model_module"] == "anywidget"]
    assert len(views) == 1
    view = views[0]
    assert "kernelExplorerState" in view["_esm"] and "export default" in view["_esm"]
    assert (view["digit"], view["size"], view["pooling"]) == (3, 1, 0)
    assert len(view["data"]["digits"]) == 10
    names = [model["model_name"] for model in state.values()]
    assert names.count("DirectionalLinkModel") == 4 and names.count("LinkModel") == 9


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_the_pages_javascript_gives_the_same_summary_as_nnlib_for_many_settings(tmp_path):
    """js/kernel_explorer.js, run by Node.js, against kernel_explorer_state: every preset,
    digit, pooling size and kind, and 400 random kernels on the sliders' grid (step 0.1)."""
    import json
    import shutil
    import subprocess

    from nnlib.widgets.live import esm

    node = shutil.which("node")
    require(node is not None, "Node.js is not installed (it comes with npm: apt-get install npm)")
    images, _ = explorer_digits()
    rng = np.random.default_rng(2024)
    cases = [(d, np.array(K).ravel().tolist(), size, how)
             for d in range(10) for K in KERNEL_PRESETS.values()
             for size in POOL_SIZES for how in ("max", "avg")]
    cases += [(int(rng.integers(10)), np.round(rng.uniform(-5, 5, 9), 1).tolist(),
               int(rng.choice(POOL_SIZES)), str(rng.choice(["max", "avg"])))
              for _ in range(400)]
    (tmp_path / "explorer.mjs").write_text(esm("kernel_explorer.js"), encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps({"images": images.tolist(),
                                                     "cases": cases}), encoding="utf-8")
    (tmp_path / "run.mjs").write_text(
        "import { kernelExplorerState } from './explorer.mjs';\n"
        "import fs from 'fs';\n"
        "const { images, cases } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));\n"
        "const out = cases.map(([d, w, size, how]) => kernelExplorerState(images[d],\n"
        "  [w.slice(0, 3), w.slice(3, 6), w.slice(6, 9)], size, how));\n"
        "console.log(JSON.stringify(out));\n", encoding="utf-8")
    result = subprocess.run([node, str(tmp_path / "run.mjs"), str(tmp_path / "cases.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for (d, w, size, how), js in zip(cases, json.loads(result.stdout), strict=True):
        state = kernel_explorer_state(images[d], w, size, how)
        assert js["summary"] == state["summary"], (d, w, size, how)
        np.testing.assert_allclose(js["pooled"], state["pooled"], atol=1e-12)
        np.testing.assert_allclose(js["feature_map"], state["feature_map"], atol=1e-12)
