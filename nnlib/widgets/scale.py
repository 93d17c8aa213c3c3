"""Chapter 5 widget: how long training takes, and how much memory it needs.

The update logic is in plain functions that need no widgets and no kernel (the tests call them):

==============================================  ==============================================
function                                        answers
==============================================  ==============================================
training_estimate(N, D, peak, devices, share)   compute, time and memory of one training run
describe_duration(seconds)                      "3.2 hours", "41 days", "2.7 years"
estimate_html(estimate)                         the small HTML table the widget shows
==============================================  ==============================================

The builder ``training_time_widget`` puts sliders and dropdowns beside a view
(``TrainingTimeView``) whose JavaScript (js/training_time.js) mirrors those functions and
computes the readout in the browser, so it follows the sliders in JupyterLab and on the
book's website, with no kernel.

Every number comes from :mod:`nnlib.scale`: compute is 6 N D (``training_flops``), memory is
``memory_bytes`` (1 GB = 10**9 bytes).
"""

from __future__ import annotations

import numbers
from typing import Any

import traitlets

from nnlib import scale
from nnlib.widgets.live import LiveView, esm, link_controls

__all__ = [
    "HARDWARE",
    "MODELS",
    "DTYPES",
    "SECONDS_PER_DAY",
    "SECONDS_PER_YEAR",
    "training_estimate",
    "describe_duration",
    "estimate_html",
    "training_time_widget",
]

SECONDS_PER_DAY = 86_400
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY

HARDWARE: dict[str, float] = {
    "a laptop CPU core (about 0.05 TFLOP/s)": 5e10,
    "NVIDIA V100 SXM2 (125 TFLOP/s, fp16)": 125e12,
    "NVIDIA A100 (312 TFLOP/s, bf16)": 312e12,
    "NVIDIA H100 SXM (989 TFLOP/s, bf16)": 989e12,
}
"""Peak speed of one device in FLOP/s. The GPU figures are the makers' datasheet peaks for
dense 16-bit matrix products on tensor cores (no sparsity); the laptop figure is a rough
order of magnitude: measure your own with the chapter's matrix-product timing. The PCIe
version of the V100 is a little slower (112 TFLOP/s)."""

MODELS: dict[str, tuple[float, float]] = {
    "GPT-3 (175B parameters, 300B tokens)": (175e9, 300e9),
    "Llama 3 70B (70.6B parameters, 15T tokens)": (70.6e9, 15e12),
    "Llama 3.1 405B (405B parameters, 15.6T tokens)": (405e9, 15.6e12),
    "a 7B model, compute-optimal (140B tokens)": (7e9, 140e9),
}
"""Preset (parameters, training tokens) as published: GPT-3 in Brown et al. (2020), the Llama
models in "The Llama 3 Herd of Models" (2024); the 7B row uses 20 tokens per parameter."""

DTYPES = ("fp32", "bf16", "int8", "int4")
"""The number formats whose weight memory the readout lists."""


def _check_positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            0 < float(value) < float("inf")):
        raise ValueError(f"training_estimate expected {name} to be a finite number > 0, "
                         f"got {value!r}.")
    return float(value)


def training_estimate(n_params: float, n_tokens: float, peak_flops: float,
                      n_devices: int = 1, utilisation: float = 0.4) -> dict[str, Any]:
    """Compute, time and memory of training N parameters on D tokens with some hardware.

    ::

        compute  C = 6 N D                                 (nnlib.scale.training_flops)
        speed    S = peak_flops * n_devices * utilisation  (FLOP/s actually achieved)
        time     C / S seconds

    GPT-3 on 1024 A100s at 40%: C = 6 * 175e9 * 300e9 = 3.15e23 FLOPs,
    S = 312e12 * 1024 * 0.4 = 1.28e17 FLOP/s, time = 2.46e6 s = 28.5 days.

    Parameters
    ----------
    n_params : N, the number of parameters (> 0).
    n_tokens : D, the number of training tokens (> 0).
    peak_flops : peak FLOP/s of one device (> 0).
    n_devices : how many devices share the work (whole number >= 1).
    utilisation : share of the peak actually achieved, in (0, 1]; 0.3 to 0.5 is typical.

    Returns
    -------
    dict
        ``flops`` (C), ``flops_per_second`` (S), ``seconds``, ``days`` and ``years`` (floats);
        ``weights_bytes``, a dict {dtype: bytes of the weights alone} for each of ``DTYPES``;
        ``training_bytes``, bytes for weights, gradients and Adam's state (16 per parameter,
        activations not included); ``training_bytes_per_device``, that split evenly over the
        devices.
    """
    n = _check_positive(n_params, "n_params")
    d = _check_positive(n_tokens, "n_tokens")
    peak = _check_positive(peak_flops, "peak_flops")
    if isinstance(n_devices, bool) or not isinstance(n_devices, numbers.Integral) or n_devices < 1:
        raise ValueError(f"training_estimate expected n_devices to be a whole number >= 1, "
                         f"got {n_devices!r}.")
    share = _check_positive(utilisation, "utilisation")
    if share > 1:
        raise ValueError(f"training_estimate expected utilisation in (0, 1] (a share of the "
                         f"peak, e.g. 0.4 for 40%), got {utilisation!r}.")
    flops = scale.training_flops(n, d)
    speed = peak * int(n_devices) * share
    seconds = flops / speed
    training = scale.memory_bytes(n, "bf16", training=True)
    return dict(
        flops=flops,
        flops_per_second=speed,
        seconds=seconds,
        days=seconds / SECONDS_PER_DAY,
        years=seconds / SECONDS_PER_YEAR,
        weights_bytes={dtype: scale.memory_bytes(n, dtype) for dtype in DTYPES},
        training_bytes=training,
        training_bytes_per_device=training / int(n_devices),
    )


def describe_duration(seconds: float) -> str:
    """A duration in the unit a person would use: seconds, minutes, hours, days or years.

    ``describe_duration(90)`` is "1.5 minutes", ``describe_duration(2.46e6)`` is "28.5 days",
    ``describe_duration(1e9)`` is "31.7 years". Under 1 minute: seconds; under 1 hour:
    minutes; under 2 days: hours; under 1 year: days; from then on years.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not (
            0 <= float(seconds) < float("inf")):
        raise ValueError(f"describe_duration expected a finite number of seconds >= 0, "
                         f"got {seconds!r}.")
    s = float(seconds)
    for limit, unit, size in ((60, "seconds", 1), (3600, "minutes", 60),
                              (2 * SECONDS_PER_DAY, "hours", 3600),
                              (SECONDS_PER_YEAR, "days", SECONDS_PER_DAY)):
        if s < limit:
            return f"{s / size:.3g} {unit}"
    years = float(f"{s / SECONDS_PER_YEAR:.3g}")  # 3 significant digits, e.g. 3,170,000
    return f"{years:,.0f} years" if years >= 1000 else f"{years:g} years"


def _gb(n_bytes: float) -> str:
    """Bytes as gigabytes (10**9 bytes), e.g. '14 GB', '1,400 GB', '0.0045 GB'."""
    value = n_bytes / 1e9
    return f"{value:,.0f} GB" if value >= 100 else f"{value:.3g} GB"


def estimate_html(estimate: dict[str, Any]) -> str:
    """The readout of the widget: a small HTML table of one ``training_estimate`` result."""
    rows = [
        ("compute, 6 N D", f"{estimate['flops']:.3g} FLOPs"),
        ("achieved speed", f"{estimate['flops_per_second']:.3g} FLOP/s"),
        ("training time", f"<b>{describe_duration(estimate['seconds'])}</b> "
                          f"({estimate['days']:,.3g} days, {estimate['years']:.3g} years)"),
    ]
    rows += [(f"weights in {dtype}", _gb(size))
             for dtype, size in estimate["weights_bytes"].items()]
    rows += [
        ("training with Adam (16 bytes per parameter)", _gb(estimate["training_bytes"])),
        ("... split over the devices", f"{_gb(estimate['training_bytes_per_device'])} each"),
    ]
    body = "".join(f"<tr><td style='padding-right:1em'>{name}</td><td>{value}</td></tr>"
                   for name, value in rows)
    return f"<table>{body}</table>"


class TrainingTimeView(LiveView):
    """The readout table, computed in the browser by js/training_time.js (which mirrors
    :func:`training_estimate`, :func:`describe_duration` and :func:`estimate_html`). ``model``
    and ``device`` are the preset dropdowns' indexes: picking a preset moves the sliders."""

    _esm = esm("training_time.js")
    n_params = traitlets.Float(175e9).tag(sync=True)
    n_tokens = traitlets.Float(300e9).tag(sync=True)
    peak_flops = traitlets.Float(312e12).tag(sync=True)
    n_devices = traitlets.Int(1024).tag(sync=True)
    utilisation = traitlets.Float(0.4).tag(sync=True)
    model = traitlets.Int(0).tag(sync=True)
    device = traitlets.Int(2).tag(sync=True)


def training_time_widget(model: str = "GPT-3 (175B parameters, 300B tokens)",
                         hardware: str = "NVIDIA A100 (312 TFLOP/s, bf16)",
                         n_devices: int = 1024, utilisation: float = 0.4):
    """Sliders for model size, tokens, device speed, device count and utilisation; a readout.

    The two dropdowns fill in the sliders with a published model and a device's peak speed;
    every slider can then be moved on its own. Returns an ipywidgets VBox ready to display; the
    readout is a :class:`TrainingTimeView`, computed in the browser (no kernel needed). It
    computes with the values the sliders show (3 significant digits, whole percents).

    The logarithmic sliders report their value when released (``continuous_update=False``):
    while drawing a slider the browser moves it to its nearest step, which would replace a
    preset such as 175e9 by 10**11.25 = 1.78e11 before the reader touches it.
    """
    import ipywidgets as widgets

    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}; got {model!r}.")
    if hardware not in HARDWARE:
        raise ValueError(f"hardware must be one of {list(HARDWARE)}; got {hardware!r}.")
    training_estimate(*MODELS[model], HARDWARE[hardware], n_devices, utilisation)  # checks

    style = {"description_width": "9em"}
    layout = widgets.Layout(width="30em", max_width="100%")
    model_choice = widgets.Dropdown(options=list(MODELS), value=model, description="preset model",
                                    style=style, layout=layout)
    params = widgets.FloatLogSlider(value=MODELS[model][0], base=10, min=6, max=13, step=0.05,
                                    description="parameters N", readout_format=".3g",
                                    continuous_update=False,
                                    style=style, layout=layout)
    tokens = widgets.FloatLogSlider(value=MODELS[model][1], base=10, min=8, max=14, step=0.05,
                                    description="training tokens D", readout_format=".3g",
                                    continuous_update=False,
                                    style=style, layout=layout)
    device = widgets.Dropdown(options=list(HARDWARE), value=hardware, description="preset device",
                              style=style, layout=layout)
    peak = widgets.FloatLogSlider(value=HARDWARE[hardware], base=10, min=9, max=16, step=0.05,
                                  description="FLOP/s per device", readout_format=".3g",
                                  continuous_update=False,
                                  style=style, layout=layout)
    devices = widgets.IntSlider(value=n_devices, min=1, max=32768, description="devices",
                                style=style, layout=layout)
    share = widgets.FloatSlider(value=utilisation, min=0.05, max=1.0, step=0.05,
                                description="utilisation", readout_format=".0%",
                                style=style, layout=layout)
    presets = {"models": [[name, list(values)] for name, values in MODELS.items()],
               "hardware": [[name, value] for name, value in HARDWARE.items()]}
    sliders = {"n_params": params, "n_tokens": tokens, "peak_flops": peak}
    view = TrainingTimeView(data={
        "presets": presets,
        # the sliders a preset moves, as the widget manager names them
        "sliders": {name: f"IPY_MODEL_{slider.model_id}" for name, slider in sliders.items()},
    })
    links = link_controls(view, {**sliders, "n_devices": devices, "utilisation": share,
                                 "model": model_choice, "device": device})
    box = widgets.VBox([model_choice, params, tokens, device, peak, devices, share, view])
    box._links = links  # keeps the links alive as long as the widget
    return box
