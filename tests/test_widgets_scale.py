"""Chapter 5 widget: the training-time estimate without a browser, and the builder's wiring."""

import math

import pytest

from nnlib import scale
from nnlib.widgets import scale as w

A100 = "NVIDIA A100 (312 TFLOP/s, bf16)"
GPT3 = "GPT-3 (175B parameters, 300B tokens)"


def test_gpt3_on_1024_a100s_at_40_percent_takes_about_28_days():
    est = w.training_estimate(175e9, 300e9, 312e12, n_devices=1024, utilisation=0.4)
    assert est["flops"] == pytest.approx(3.15e23)
    assert est["flops_per_second"] == pytest.approx(312e12 * 1024 * 0.4)
    assert est["seconds"] == pytest.approx(3.15e23 / (312e12 * 1024 * 0.4))
    assert est["days"] == pytest.approx(28.5, abs=0.05)
    assert est["years"] == pytest.approx(est["days"] / 365.25)


def test_time_agrees_with_nnlib_scale_training_seconds():
    est = w.training_estimate(7e9, 140e9, 989e12, n_devices=8, utilisation=0.35)
    assert est["seconds"] == pytest.approx(scale.training_seconds(7e9, 140e9, 989e12 * 8, 0.35))


def test_doubling_devices_halves_time_and_memory_per_device_but_not_total_memory():
    one = w.training_estimate(1e9, 2e10, 1e14, n_devices=4, utilisation=0.5)
    two = w.training_estimate(1e9, 2e10, 1e14, n_devices=8, utilisation=0.5)
    assert two["seconds"] == pytest.approx(one["seconds"] / 2)
    assert two["training_bytes"] == one["training_bytes"]
    assert two["training_bytes_per_device"] == pytest.approx(one["training_bytes_per_device"] / 2)


def test_lower_utilisation_means_longer_training():
    full = w.training_estimate(1e9, 2e10, 1e14, utilisation=1.0)
    quarter = w.training_estimate(1e9, 2e10, 1e14, utilisation=0.25)
    assert quarter["seconds"] == pytest.approx(4 * full["seconds"])


def test_memory_of_a_7b_model_per_dtype_and_for_training_with_adam():
    est = w.training_estimate(7e9, 140e9, 312e12)
    assert est["weights_bytes"] == {"fp32": 28e9, "bf16": 14e9, "int8": 7e9, "int4": 3.5e9}
    assert est["training_bytes"] == pytest.approx(16 * 7e9)  # 112 GB
    assert est["training_bytes_per_device"] == est["training_bytes"]


@pytest.mark.parametrize("bad", [
    dict(n_params=0), dict(n_tokens=-1.0), dict(peak_flops=float("inf")),
    dict(n_devices=0), dict(n_devices=2.5), dict(utilisation=0.0), dict(utilisation=40),
    dict(n_params="7B"),
])
def test_training_estimate_rejects_bad_input_naming_the_argument(bad):
    args = dict(n_params=7e9, n_tokens=1e11, peak_flops=1e14, n_devices=1, utilisation=0.4)
    args.update(bad)
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        w.training_estimate(**args)


@pytest.mark.parametrize("seconds, text", [
    (0, "0 seconds"), (42, "42 seconds"), (90, "1.5 minutes"), (7200, "2 hours"),
    (30 * 3600, "30 hours"), (2.46e6, "28.5 days"), (1e9, "31.7 years"),
    (1e14, "3,170,000 years"),
])
def test_describe_duration_picks_a_readable_unit(seconds, text):
    assert w.describe_duration(seconds) == text


def test_describe_duration_rejects_negative_or_infinite_time():
    with pytest.raises(ValueError, match="seconds"):
        w.describe_duration(-1)
    with pytest.raises(ValueError, match="seconds"):
        w.describe_duration(math.inf)


def test_estimate_html_shows_time_compute_and_memory_in_gb():
    html = w.estimate_html(w.training_estimate(7e9, 140e9, 312e12))
    assert "5.88e+21 FLOPs" in html  # 6 * 7e9 * 140e9
    assert "<b>" + w.describe_duration(5.88e21 / (312e12 * 0.4)) + "</b>" in html
    for row in ("weights in fp32</td><td>28 GB", "weights in bf16</td><td>14 GB",
                "weights in int8</td><td>7 GB", "weights in int4</td><td>3.5 GB",
                "(16 bytes per parameter)</td><td>112 GB"):
        assert row in html


def test_presets_are_the_published_numbers():
    assert w.MODELS[GPT3] == (175e9, 300e9)
    assert w.HARDWARE[A100] == 312e12
    llama = next(m for m in scale.PUBLISHED_MODELS if m.name == "Llama 3.1 405B")
    assert w.MODELS["Llama 3.1 405B (405B parameters, 15.6T tokens)"][0] == llama.n_params


def _parts(box):
    model, params, tokens, device, peak, devices, share, view = box.children
    return model, params, tokens, device, peak, devices, share, view


def test_widget_starts_with_gpt3_on_a100s_linked_to_its_view():
    box = w.training_time_widget()
    model, params, tokens, device, peak, devices, share, view = _parts(box)
    assert (model.value, device.value) == (GPT3, A100)
    assert params.value == pytest.approx(175e9)
    assert tokens.value == pytest.approx(300e9)
    assert peak.value == pytest.approx(312e12)
    assert (devices.value, share.value) == (1024, 0.4)
    assert isinstance(view, w.TrainingTimeView)
    assert (view.n_params, view.n_tokens, view.peak_flops, view.n_devices, view.utilisation) == (
        params.value, tokens.value, peak.value, 1024, 0.4)
    assert (view.model, view.device) == (model.index, device.index)
    links = {link.source: link.target for link in box._links}
    assert links[(model, "index")] == (view, "model")
    assert links[(params, "value")] == (view, "n_params")
    assert links[(share, "value")] == (view, "utilisation")


def test_widget_gives_its_view_the_presets_and_the_sliders_they_move():
    box = w.training_time_widget()
    _, params, tokens, _, peak, _, _, view = _parts(box)
    assert view.data["presets"]["models"] == [[k, list(v)] for k, v in w.MODELS.items()]
    assert view.data["presets"]["hardware"] == [[k, v] for k, v in w.HARDWARE.items()]
    assert view.data["sliders"] == {"n_params": f"IPY_MODEL_{params.model_id}",
                                    "n_tokens": f"IPY_MODEL_{tokens.model_id}",
                                    "peak_flops": f"IPY_MODEL_{peak.model_id}"}


def test_widget_rejects_unknown_presets():
    with pytest.raises(ValueError, match="model must be one of"):
        w.training_time_widget(model="GPT-5")
    with pytest.raises(ValueError, match="hardware must be one of"):
        w.training_time_widget(hardware="TPU")


@pytest.mark.slow
def test_widget_view_is_saved_whole_in_the_notebook_widget_state():
    """Executed as the site build does, the view's code and settings are in the saved state."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from nnlib.widgets.scale import training_time_widget\ntraining_time_widget()")]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = [m["state"] for m in state.values() if m["model_module"] == "anywidget"]
    assert len(views) == 1 and "trainingEstimate" in views[0]["_esm"]
    assert (views[0]["n_devices"], views[0]["utilisation"]) == (1024, 0.4)
    for ref in views[0]["data"]["sliders"].values():
        assert ref.removeprefix("IPY_MODEL_") in state, "a preset's slider is not stored"
